/* SipHash-2-4: a keyed hash, so that senders cannot aim collisions at the reassembly table. */
#ifndef NX_SIPHASH_H
#define NX_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t nx_siphash(uint64_t k0, uint64_t k1, const void *data, size_t len);

#endif

/* Parity recovery of one netoops dump (reasm_fec.c), used by reasm_dump.c. */
#ifndef NX_REASM_FEC_H
#define NX_REASM_FEC_H

#include "core/reasm/reasm_int.h"

#include <netoops/wire_fec.h>

struct nx_fec;

/* The parity state, fixed by the dump's first parity datagram P (blocks, shard size, dump CRC). */
struct nx_fec *nx_fec_new(const struct nx_packet *p);
void nx_fec_free(struct nx_fec *f);
size_t nx_fec_mem(const struct nx_fec *f);
/* What nx_fec_new(P) and holding P's shard would cost. */
size_t nx_fec_mem_new(const struct nx_packet *p);

uint32_t nx_fec_blocks(const struct nx_fec *f);
uint32_t nx_fec_shard(const struct nx_fec *f);
uint32_t nx_fec_dcrc(const struct nx_fec *f);
/* Parity shards block B holds; whether it is closed (solved or failed). */
uint32_t nx_fec_held(const struct nx_fec *f, uint32_t b);
bool nx_fec_closed(const struct nx_fec *f, uint32_t b);
/* Closes block B: its parity is dropped, later parity for it is a duplicate. */
void nx_fec_close(struct nx_fec *f, uint32_t b);

/*
 * Hold parity P, whose block still misses MISSING data shards: OK, DUP (a
 * row seen before, a closed block, or as much parity held as data missing),
 * BAD (disagrees with what the dump's or the block's first parity fixed) or
 * NOMEM.
 */
enum nx_place nx_fec_add(struct nx_fec *f, const struct nx_packet *p, uint32_t missing);

/*
 * Rebuild the missing data shards of block B (K shards; SHARDS[j] NULL
 * where missing) into OUT (missing count x shard bytes, index order) from
 * the held parity, and verify them with the block's CRC. 0, or -1.
 */
int nx_fec_solve(struct nx_fec *f, uint32_t b, uint32_t k, uint8_t **shards, uint8_t *out);

#endif

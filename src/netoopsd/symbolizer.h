/* The symbolizer thread: stored reports' call traces to file:line, off the receive path. */
#ifndef NXD_SYMBOLIZER_H
#define NXD_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "netoopsd/config.h"

/*
 * Where it runs, and why (docs/symbolize.md): not in the analysis worker,
 * whose seccomp filter allows no open() and no socket, and must not (it reads
 * every byte a sender chose); not on the receive or store threads, which must
 * never wait for a disk full of debug files or a debuginfod server. It is a
 * thread of its own with its own database connection: it picks up reports
 * the store thread committed, reads only trusted debug files, and takes from
 * the network nothing but a frame's name, two numbers and a module name,
 * which the resolver checks (and the fuzz target fuzz_sym exercises).
 */

struct nxd_symbolizer;

/* Start it into *OUT when CFG asks for symbolization (debuginfo or debuginfod-urls; *OUT stays
 * NULL otherwise). 0, or -1 with the reason logged. */
int nxd_symbolizer_start(const struct nxd_config *cfg, struct nxd_symbolizer **out);

/*
 * Called by the receive thread for each datagram: true when BUF is an inventory
 * (NETOOPSI), which is then decoded and queued for storing (malformed and
 * queue-full ones counted and dropped; with Z NULL, dropped). Never waits but
 * for a short lock.
 */
bool nxd_symbolizer_take(struct nxd_symbolizer *z, const char *buf, size_t len);

/* Stop the thread (it finishes the report at hand) and free it. NULL is fine. */
void nxd_symbolizer_stop(struct nxd_symbolizer *z);

#endif

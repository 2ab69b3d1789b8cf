/* The read-only JSON query API (--http): reports, groups, stats over HTTP. */
#ifndef NXD_HTTP_H
#define NXD_HTTP_H

#include "netoopsd/config.h"

#define NXD_HTTP_MAX_ROWS	10000	/* /v1/reports answers at most this many */

struct nxd_http;

/*
 * Serve the API on ADDR from its own thread, reading DB through its own
 * read-only connection (the receive loop is never waited on). Logs and
 * returns NULL on failure.
 */
struct nxd_http *http_start(const struct nxd_addr *addr, const char *db);

/* Stop serving and close the connection; H may be NULL. */
void http_stop(struct nxd_http *h);

#endif

/* The read-only JSON query API (--http): reports, groups, stats over HTTP. */
#ifndef NXD_HTTP_H
#define NXD_HTTP_H

#include "netoopsd/config.h"
#include "netoopsd/http_api.h"

#define NXD_HTTP_MAX_CONNECTIONS	64	/* at once, whatever their state */
#define NXD_HTTP_PER_ADDRESS		8	/* of those, from one client address */
#define NXD_HTTP_DEADLINE_S		5	/* the whole request head, from accept */
#define NXD_HTTP_IDLE_S			10	/* no progress while answering */

struct nxd_http;

/*
 * Serve the API on CFG's http address from its own threads, reading CFG's
 * database through its own read-only connection (the receive loop is never
 * waited on); answers in flight hold at most max-memory / 4. Refuses a
 * wildcard address not written out (":PORT"). Logs and returns NULL on
 * failure.
 */
struct nxd_http *http_start(const struct nxd_config *cfg);

/* Stop serving and close the connection; H may be NULL. */
void http_stop(struct nxd_http *h);

#endif

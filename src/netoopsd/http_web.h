/* The dashboard's side of the HTTP API: /metrics, the web API (/v1/web/...), the static files. */
#ifndef NXD_HTTP_WEB_H
#define NXD_HTTP_WEB_H

#include "netoopsd/http_api.h"

/* Groups exported one series each by /metrics: the most recently seen, within a week. */
#define NXD_METRICS_GROUPS	500
#define NXD_METRICS_GROUP_AGE_MS	(7 * 24 * 3600 * 1000LL)

/* GET /metrics: the counters as last saved, in the Prometheus text format (http_metrics.c). */
void nxd_api_metrics(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		     struct nxd_answer *a);

#endif

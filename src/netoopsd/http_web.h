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

/* The dashboard's API (http_web.c); REST is what follows the route's path. */
void nxd_api_group(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		   struct nxd_answer *a);
void nxd_api_host(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		  struct nxd_answer *a);
void nxd_api_timeline(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		      struct nxd_answer *a);
void nxd_api_overview(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		      struct nxd_answer *a);

/* GET / and /assets/NAME: the dashboard's files from R->web_root (http_web.c). */
void nxd_api_static(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		    struct nxd_answer *a);

/*
 * Headers on every answer: the dashboard runs only its own files (no inline script or
 * style, nothing from elsewhere), is never framed, and no answer is sniffed into HTML.
 */
#define NXD_WEB_CSP	"default-src 'none'; script-src 'self'; style-src 'self'; " \
			"img-src 'self'; connect-src 'self'; base-uri 'none'; " \
			"form-action 'none'; frame-ancestors 'none'"

#endif

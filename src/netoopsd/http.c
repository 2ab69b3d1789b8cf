/* The read-only JSON query API on libmicrohttpd: the only file that includes microhttpd.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "netoopsd/http.h"
#include "netoopsd/log.h"
#include "store/store.h"

#define MAX_PARAM_LEN		256	/* a host, group, reason or since value */
#define CONN_MEMORY		8192	/* per connection: longer request lines get 414 */
#define MAX_CONNECTIONS		32
#define CONN_TIMEOUT_S		10

struct nxd_http {
	struct MHD_Daemon *mhd;
	struct nx_store *store;	/* used only by MHD's one internal thread */
};

/* An answer: a JSON value (consumed), or STATUS with an {"error": MSG} body. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
	size_t len = text ? strlen(text) : 0;
	char *body = text ? realloc(text, len + 2) : NULL;
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(v);
	if (!body) {
		free(text);
		return MHD_NO;
	}
	memcpy(body + len, "\n", 2);		/* a final newline, like netoopsctl's */
	r = MHD_create_response_from_buffer(len + 1, body, MHD_RESPMEM_MUST_FREE);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	/* MSG may quote a request's bytes: escaped (core/escape.h), or json_pack fails. */
	return reply(c, status, json_pack("{s:o}", "error", nx_store_json_cstr(msg)));
}

/* A store result, or 500 with the store's error. */
static enum MHD_Result reply_store(struct MHD_Connection *c, struct nx_store *s, json_t *v)
{
	return v ? reply(c, MHD_HTTP_OK, v) : error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
						    nx_store_error(s));
}

struct params {
	struct nx_store_filter f;
	char bad[320];		/* why the query is refused; "" if it is fine */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_limit(struct params *p, const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);

	if (!*v || *end || n < 0 || n > NXD_HTTP_MAX_ROWS)
		snprintf(p->bad, sizeof(p->bad), "limit: '%s' is not 0 to %d", v,
			 NXD_HTTP_MAX_ROWS);
	else
		p->f.limit = n ? n : NXD_HTTP_MAX_ROWS;
}

/* One query parameter of /v1/reports (an MHD_KeyValueIterator). */
static enum MHD_Result param(void *cls, enum MHD_ValueKind kind, const char *key,
			     const char *v)
{
	struct params *p = cls;

	(void)kind;
	if (!v || strlen(v) > MAX_PARAM_LEN)
		snprintf(p->bad, sizeof(p->bad), "%.32s: missing or longer than %d bytes",
			 key, MAX_PARAM_LEN);
	else if (strcmp(key, "host") == 0)
		p->f.host = v;
	else if (strcmp(key, "reason") == 0)
		p->f.reason = v;
	else if (strcmp(key, "group") == 0)
		p->f.group = v;
	else if (strcmp(key, "limit") == 0)
		set_limit(p, v);
	else if (strcmp(key, "since") == 0) {
		if ((p->f.since_ms = nx_store_parse_since(v, now_ms())) < 0)
			snprintf(p->bad, sizeof(p->bad), "since: '%.64s' is not 30m, 2h, 7d, "
				 "@EPOCH or YYYY-MM-DD[THH:MM[:SS]]", v);
	} else
		snprintf(p->bad, sizeof(p->bad), "unknown parameter '%.32s' (host, since, "
			 "group, reason, limit)", key);
	return p->bad[0] ? MHD_NO : MHD_YES;
}

static enum MHD_Result get_reports(struct MHD_Connection *c, struct nx_store *s)
{
	struct params p = { .f.limit = NXD_HTTP_MAX_ROWS };

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, param, &p);
	if (p.bad[0])
		return error(c, MHD_HTTP_BAD_REQUEST, p.bad);
	return reply_store(c, s, nx_store_list(s, &p.f));
}

static enum MHD_Result get_report(struct MHD_Connection *c, struct nx_store *s,
				  const char *idtext)
{
	char *end, msg[128];
	long long id = strtoll(idtext, &end, 10);
	json_t *v;

	if (!*idtext || *end || id <= 0)
		return error(c, MHD_HTTP_BAD_REQUEST, "not a dump id (a positive number)");
	v = nx_store_show(s, id);
	if (!v && !nx_store_error(s)[0]) {
		snprintf(msg, sizeof(msg), "no dump with id %lld (see netoopsctl list)", id);
		return error(c, MHD_HTTP_NOT_FOUND, msg);
	}
	return reply_store(c, s, v);
}

/* Parameters on a path that takes none: refused rather than ignored. */
static bool has_params(struct MHD_Connection *c)
{
	return MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0;
}

static enum MHD_Result route(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_len, void **state)
{
	struct nxd_http *h = cls;

	(void)version, (void)upload, (void)upload_len, (void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only API: GET only");
	if (strcmp(url, "/v1/reports") == 0)
		return get_reports(c, h->store);
	if (strncmp(url, "/v1/reports/", 12) == 0)
		return has_params(c) ? error(c, MHD_HTTP_BAD_REQUEST, "no parameters here")
				     : get_report(c, h->store, url + 12);
	if (strcmp(url, "/v1/groups") == 0 || strcmp(url, "/v1/stats") == 0) {
		if (has_params(c))
			return error(c, MHD_HTTP_BAD_REQUEST, "no parameters here");
		return reply_store(c, h->store, url[4] == 'g' ? nx_store_groups(h->store)
							     : nx_store_counters(h->store));
	}
	return error(c, MHD_HTTP_NOT_FOUND, "no such resource: /v1/reports, "
		     "/v1/reports/ID, /v1/groups and /v1/stats exist");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http: %s", msg);
}

struct nxd_http *http_start(const struct nxd_addr *addr, const char *db)
{
	struct nxd_http *h = calloc(1, sizeof(*h));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			 (addr->ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	char err[4400];

	if (!h || !(h->store = nx_store_open(db, NX_STORE_READONLY, err, sizeof(err)))) {
		log_err("http: %s", h ? err : "out of memory");
		free(h);
		return NULL;
	}
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, route, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->ss,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!h->mhd) {
		log_err("http: cannot serve on %s (address in use or not local?)", addr->text);
		http_stop(h);
		return NULL;
	}
	log_info("http: serving the query API on %s", addr->text);
	return h;
}

void http_stop(struct nxd_http *h)
{
	if (!h)
		return;
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	nx_store_close(h->store);
	free(h);
}

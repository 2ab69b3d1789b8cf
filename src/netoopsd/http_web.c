/* The dashboard's API: groups paged by cursor, a group, a host, timelines, the overview. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netoopsd/http_web.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	500
#define MAX_BUCKETS	2000
#define DAY_MS		86400000LL

/* Every parameter any of these resources takes; each resource allows some of them. */
struct web_args {
	const char *name, *q, *kernel, *reason;
	int64_t since_ms, until_ms, before, limit, bucket_s, group, min_count, min_hosts;
	struct nx_cursor cursor;
	enum nx_group_sort sort;
	bool asc;
	char bad[320];		/* why the request is refused; "" if fine */
};

enum pkind { P_TEXT, P_TIME, P_INT, P_CURSOR, P_SORT, P_ORDER };

/* The parameters: name, how it is parsed, its field, the bounds of a P_INT. */
static const struct pdef {
	const char *key;
	enum pkind kind;
	size_t off;
	int64_t min, max;
} pdefs[] = {
	{ "name", P_TEXT, offsetof(struct web_args, name), 0, 0 },
	{ "q", P_TEXT, offsetof(struct web_args, q), 0, 0 },
	{ "kernel", P_TEXT, offsetof(struct web_args, kernel), 0, 0 },
	{ "reason", P_TEXT, offsetof(struct web_args, reason), 0, 0 },
	{ "since", P_TIME, offsetof(struct web_args, since_ms), 0, 0 },
	{ "until", P_TIME, offsetof(struct web_args, until_ms), 0, 0 },
	{ "before", P_INT, offsetof(struct web_args, before), 1, INT64_MAX },
	{ "limit", P_INT, offsetof(struct web_args, limit), 1, PAGE_MAX },
	{ "bucket", P_INT, offsetof(struct web_args, bucket_s), 60, 30 * 86400 },
	{ "group", P_INT, offsetof(struct web_args, group), 1, INT64_MAX },
	{ "min_count", P_INT, offsetof(struct web_args, min_count), 0, INT64_MAX },
	{ "min_hosts", P_INT, offsetof(struct web_args, min_hosts), 0, INT64_MAX },
	{ "cursor", P_CURSOR, offsetof(struct web_args, cursor), 0, 0 },
	{ "sort", P_SORT, offsetof(struct web_args, sort), 0, 0 },
	{ "order", P_ORDER, offsetof(struct web_args, asc), 0, 0 },
};

static const char *const sort_names[NX_GROUP_SORT_COUNT] = {
	[NX_GROUP_SORT_COUNT_] = "count", [NX_GROUP_SORT_HOSTS] = "hosts",
	[NX_GROUP_SORT_FIRST] = "first_seen", [NX_GROUP_SORT_LAST] = "last_seen",
};

static bool parse_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	if (v[0] < '0' || v[0] > '9')
		return false;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end || errno == ERANGE || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static bool parse_sort(const char *v, enum nx_group_sort *out)
{
	for (int i = 0; i < NX_GROUP_SORT_COUNT; i++)
		if (strcmp(v, sort_names[i]) == 0) {
			*out = (enum nx_group_sort)i;
			return true;
		}
	return false;
}

/* Parse V into D's field of A; false (A->bad says why) if it is not one. */
static bool parse_one(struct web_args *a, const struct pdef *d, const char *v, int64_t now_ms)
{
	void *field = (char *)a + d->off;
	int64_t t;

	switch (d->kind) {
	case P_TEXT:
		*(const char **)field = v;
		return true;
	case P_TIME:
		if ((t = nx_store_parse_since(v, now_ms)) < 0)
			break;
		*(int64_t *)field = t;
		return true;
	case P_INT:
		if (parse_int(v, d->min, d->max, field))
			return true;
		snprintf(a->bad, sizeof(a->bad), "%s: '%.64s' is not %lld to %lld", d->key, v,
			 (long long)d->min, (long long)d->max);
		return false;
	case P_CURSOR:
		if (nx_store_parse_cursor(v, field) == 0)
			return true;
		break;
	case P_SORT:
		if (parse_sort(v, field))
			return true;
		snprintf(a->bad, sizeof(a->bad), "sort: '%.64s' is not count, hosts, first_seen "
			 "or last_seen", v);
		return false;
	case P_ORDER:
		if (strcmp(v, "asc") == 0 || strcmp(v, "desc") == 0) {
			*(bool *)field = v[0] == 'a';
			return true;
		}
		break;
	}
	snprintf(a->bad, sizeof(a->bad), "%s: '%.64s' is not valid (see docs/netoopsd.md, "
		 "Dashboard API)", d->key, v);
	return false;
}

/* R's parameters into A, each of them one of ALLOWED (space-separated); false if refused. */
static bool parse_args(const struct nxd_api_req *r, const char *allowed, struct web_args *a)
{
	*a = (struct web_args){ .limit = PAGE_DEFAULT };
	for (size_t i = 0; i < r->n_args; i++) {
		const char *k = r->args[i].key, *v = r->args[i].value, *hit = strstr(allowed, k);
		size_t kl = strlen(k), j;

		if (!hit || (hit != allowed && hit[-1] != ' ') || (hit[kl] && hit[kl] != ' ')) {
			snprintf(a->bad, sizeof(a->bad), "unknown parameter '%.32s' (here: %s)", k,
				 allowed);
			return false;
		}
		if (!v || strlen(v) > NXD_HTTP_MAX_PARAM_LEN) {
			snprintf(a->bad, sizeof(a->bad), "%.32s: missing or longer than %d bytes", k,
				 NXD_HTTP_MAX_PARAM_LEN);
			return false;
		}
		for (j = 0; strcmp(pdefs[j].key, k) != 0; j++)
			;	/* every allowed key has its pdef */
		if (!parse_one(a, &pdefs[j], v, r->now_ms))
			return false;
	}
	return true;
}

/* A lookup by id or name that found nothing: 404, or 500 if the store failed. */
static void answer_found(struct nxd_answer *a, struct nx_store *s, json_t *v, size_t budget,
			 const char *what)
{
	if (!v && !nx_store_error(s)[0])
		nxd_answer_error(a, 404, what);
	else
		nxd_answer_store(a, s, v, budget);
}

/* /v1/groups/search: sorted, filtered, paged by cursor. */
static void group_search(struct nx_store *s, const struct nxd_api_req *r, struct nxd_answer *a)
{
	struct web_args w;
	struct nx_group_query q;

	if (!parse_args(r, "sort order q kernel reason since until min_count min_hosts cursor limit",
			&w)) {
		nxd_answer_error(a, 400, w.bad);
		return;
	}
	q = (struct nx_group_query){ .sort = w.sort, .asc = w.asc, .text = w.q,
				     .kernel = w.kernel, .reason = w.reason,
				     .since_ms = w.since_ms, .until_ms = w.until_ms,
				     .min_count = w.min_count, .min_hosts = w.min_hosts,
				     .cursor = w.cursor, .limit = w.limit };
	nxd_answer_store(a, s, nx_store_group_page(s, &q), r->budget);
}

/* /v1/groups/ID and /v1/groups/ID/reports (REST: after "/v1/groups/"). */
void nxd_api_group(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		   struct nxd_answer *a)
{
	struct web_args w;
	int64_t id;
	char idtext[24], *slash;

	if (strcmp(rest, "search") == 0) {
		group_search(s, r, a);
		return;
	}
	snprintf(idtext, sizeof(idtext), "%s", rest);
	if ((slash = strchr(idtext, '/')) != NULL)
		*slash = '\0';
	if (!parse_int(idtext, 1, INT64_MAX, &id) || strlen(rest) >= sizeof(idtext) ||
	    (slash && strcmp(rest + (slash - idtext), "/reports") != 0)) {
		nxd_answer_error(a, 400, "not a group id (a positive number), ID/reports or search");
		return;
	}
	if (!parse_args(r, slash ? "before limit" : "", &w)) {
		nxd_answer_error(a, 400, w.bad);
		return;
	}
	if (slash)
		nxd_answer_store(a, s, nx_store_dump_page(s, id, NULL, w.before, w.limit),
				 r->budget);
	else
		answer_found(a, s, nx_store_group(s, id), r->budget, "no group with that id");
}

/* /v1/host?name=NAME and /v1/host/reports?name=NAME (REST: after "/v1/host"). */
void nxd_api_host(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		  struct nxd_answer *a)
{
	bool reports = strcmp(rest, "/reports") == 0;
	struct web_args w;

	if (rest[0] && !reports) {
		nxd_answer_error(a, 404, "no such resource: /v1/host and /v1/host/reports exist");
		return;
	}
	if (!parse_args(r, reports ? "name before limit" : "name", &w) || !w.name) {
		nxd_answer_error(a, 400, w.bad[0] ? w.bad : "name: the host name is needed");
		return;
	}
	if (reports)
		nxd_answer_store(a, s, nx_store_dump_page(s, 0, w.name, w.before, w.limit),
				 r->budget);
	else
		answer_found(a, s, nx_store_host(s, w.name), r->budget, "no dump from that host");
}

/* A bucket for [FROM, UNTIL): an hour, a day or a week, for at most ~200 buckets. */
static int64_t auto_bucket(int64_t span_ms)
{
	static const int64_t steps[] = { 3600000LL, 6 * 3600000LL, DAY_MS, 7 * DAY_MS };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span_ms / steps[i] <= 200)
			return steps[i];
	return 30 * DAY_MS;
}

/* /v1/timeline?since=&until=&bucket=SECONDS&group=ID&name=HOST */
void nxd_api_timeline(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		      struct nxd_answer *a)
{
	struct web_args w;
	struct nx_timeline_query q;

	(void)rest;
	if (!parse_args(r, "since until bucket group name", &w)) {
		nxd_answer_error(a, 400, w.bad);
		return;
	}
	q.until_ms = w.until_ms ? w.until_ms : r->now_ms;
	q.from_ms = w.since_ms ? w.since_ms : q.until_ms - 7 * DAY_MS;
	q.bucket_ms = w.bucket_s ? w.bucket_s * 1000 : auto_bucket(q.until_ms - q.from_ms);
	q.host = w.name;
	q.group_id = w.group;
	if (q.from_ms >= q.until_ms || (q.until_ms - q.from_ms) / q.bucket_ms >= MAX_BUCKETS) {
		nxd_answer_error(a, 400, "since must be before until, with at most 2000 buckets "
				 "between them (a larger bucket, in seconds)");
		return;
	}
	nxd_answer_store(a, s, nx_store_timeline(s, &q), r->budget);
}

/* /v1/overview: new groups, the groups hitting most hosts, the collector's counters. */
void nxd_api_overview(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		      struct nxd_answer *a)
{
	json_t *o = nx_store_overview(s, r->now_ms), *c = o ? nx_store_counters(s) : NULL;

	(void)rest;
	if (o && !c) {
		json_decref(o);
		o = NULL;
	}
	if (o)
		json_object_set_new(o, "collector", c);
	nxd_answer_store(a, s, o, r->budget);
}

/* ---- the dashboard's files ------------------------------------------------------- */

#define STATIC_MAX	(4u << 20)	/* a file of the dashboard, at most */

static const struct { const char *ext, *type; } types[] = {
	{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" }, { ".svg", "image/svg+xml" },
	{ ".png", "image/png" }, { ".ico", "image/x-icon" }, { ".woff2", "font/woff2" },
	{ ".json", "application/json" },
};

/* The type of a file name with a known extension; NULL for any other. */
static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* A name under assets/: letters, digits, '-', '_' and one '.' before a known extension. */
static bool plain_name(const char *n)
{
	size_t dots = 0;

	if (!n[0] || n[0] == '.')
		return false;
	for (const char *p = n; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	}
	return dots == 1 && type_of(n);
}

/* PATH's bytes (malloc'd) and *LEN; NULL if it cannot be read or is over STATIC_MAX. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(STATIC_MAX) : NULL;

	*len = buf ? fread(buf, 1, STATIC_MAX, f) : 0;
	if (f && buf && (ferror(f) || !feof(f) || *len == STATIC_MAX)) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

/* GET / (index.html) and /assets/NAME, from the web root; never a path outside it. */
void nxd_api_static(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		    struct nxd_answer *a)
{
	const char *name = r->url[1] ? rest : "index.html";
	char path[4200];
	size_t len;
	char *body;

	(void)s;
	if (r->url[1] && !plain_name(rest)) {
		nxd_answer_error(a, 404, "no such file of the dashboard");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s%s", r->web_root ? r->web_root : "",
		 r->url[1] ? "assets/" : "", name);
	if (!r->web_root || !(body = read_file(path, &len))) {
		nxd_answer_error(a, 404, "the dashboard is not installed here (see web-root in "
				 "netoopsd(8)); the API is under /v1/");
		return;
	}
	nxd_answer_body(a, body, len, type_of(name), r->budget);
}

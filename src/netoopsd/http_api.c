/* The query API's pure part: request heads checked, requests answered, bodies made in pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "netoopsd/http_api.h"

#define JSON_FLAGS	(JSON_INDENT(2) | JSON_ENCODE_ANY)

/* V as JSON with DEL and C1 controls as \u00XX too (nx_json_tty: safe on a terminal); free() it. */
static char *dumps_tty(const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_FLAGS) : NULL;
	char *safe = text ? nx_json_tty(text, strlen(text), NULL) : NULL;

	free(text);
	return safe;
}
#define BUSY_MSG	"busy: the answers being sent already hold the API's memory budget " \
			"(see max-memory); retry in a few seconds"

static const struct { unsigned status; const char *reason; } reasons[] = {
	{ 200, "OK" }, { 400, "Bad Request" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *nxd_http_reason(unsigned status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}

/* {"error": MSG} and a newline, malloc'd; NULL without memory. */
static char *error_body(const char *msg)
{
	/* MSG may quote a request's bytes: escaped (core/escape.h), or json_pack fails. */
	json_t *v = json_pack("{s:o}", "error", nx_store_json_cstr(msg));
	char *text = dumps_tty(v);
	size_t len = text ? strlen(text) : 0;
	char *body = text ? realloc(text, len + 2) : NULL;

	json_decref(v);
	if (!body) {
		free(text);
		return NULL;
	}
	memcpy(body + len, "\n", 2);
	return body;
}

size_t nxd_http_error_response(unsigned status, const char *msg, char *buf, size_t len)
{
	char *body = error_body(msg);
	const char *b = body ? body : "{\"error\": \"out of memory\"}\n";
	int n = snprintf(buf, len, "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s", status,
			 nxd_http_reason(status), strlen(b),
			 status == 503 ? "Retry-After: 5\r\n" : "", b);

	free(body);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* ---- the request head ------------------------------------------------ */

struct gate {
	unsigned *status;
	char *msg;
	size_t msglen;
};

static enum nxd_gate refuse(const struct gate *g, unsigned status, const char *msg)
{
	*g->status = status;
	snprintf(g->msg, g->msglen, "%s", msg);
	return NXD_GATE_REFUSE;
}

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the head (after its empty line) in BUF[LEN], or 0. */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* LINE[N] without its "\r\n" or "\n". */
static size_t line_len(const char *line, size_t n)
{
	if (n && line[n - 1] == '\n')
		n--;
	if (n && line[n - 1] == '\r')
		n--;
	return n;
}

/* "GET /path HTTP/1.1": 0, or the refusal. *V11: the version is 1.1. */
static enum nxd_gate request_line(const struct gate *g, const char *l, size_t n, bool *v11)
{
	size_t m = 0, t;

	while (m < n && l[m] >= 'A' && l[m] <= 'Z')
		m++;
	if (m == 0 || m >= n || l[m] != ' ' || m + 1 >= n || l[m + 1] != '/')
		return refuse(g, 400, "not an HTTP request line (METHOD /PATH HTTP/1.1)");
	for (t = m + 1; t < n && (unsigned char)l[t] > ' ' && (unsigned char)l[t] < 0x7f; t++)
		;
	if (t >= n || l[t] != ' ' || n - t - 1 < 5 || memcmp(l + t + 1, "HTTP/", 5) != 0)
		return refuse(g, 400, "not an HTTP request line (METHOD /PATH HTTP/1.1: a "
			      "path of visible ASCII, percent-encoded)");
	if (!((m == 3 && memcmp(l, "GET", 3) == 0) || (m == 4 && memcmp(l, "HEAD", 4) == 0)))
		return refuse(g, 405, "read-only API: GET only");
	if (n - t - 1 != 8 || (memcmp(l + t + 1, "HTTP/1.0", 8) != 0 &&
			       memcmp(l + t + 1, "HTTP/1.1", 8) != 0))
		return refuse(g, 505, "HTTP/1.0 and HTTP/1.1 only");
	*v11 = l[n - 1] == '1';
	return NXD_GATE_OK;
}

static bool is_zero(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i == n)
		return false;
	while (i < n && v[i] == '0')
		i++;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return i == n;
}

/* One "Name: value" line; counts Host headers in *HOSTS. */
static enum nxd_gate header_line(const struct gate *g, const char *l, size_t n, unsigned *hosts)
{
	size_t k = 0;

	if (n && (l[0] == ' ' || l[0] == '\t'))
		return refuse(g, 400, "folded header lines are not accepted");
	while (k < n && is_tchar((unsigned char)l[k]))
		k++;
	if (k == 0 || k >= n || l[k] != ':')
		return refuse(g, 400, "a header line is not 'Name: value'");
	for (size_t i = k + 1; i < n; i++)
		if (((unsigned char)l[i] < ' ' && l[i] != '\t') || l[i] == 0x7f)
			return refuse(g, 400, "a control character in a header value");
	if (k == 17 && strncasecmp(l, "Transfer-Encoding", k) == 0)
		return refuse(g, 413, "no request bodies: a read-only API");
	if (k == 14 && strncasecmp(l, "Content-Length", k) == 0 && !is_zero(l + k + 1, n - k - 1))
		return refuse(g, 413, "no request bodies: a read-only API");
	if (k == 4 && strncasecmp(l, "Host", k) == 0)
		++*hosts;
	return NXD_GATE_OK;
}

/* A complete head BUF[LEN] (ending in its empty line). */
static enum nxd_gate whole_head(const struct gate *g, const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len), *p;
	unsigned hosts = 0;
	bool v11 = false;
	enum nxd_gate rc;

	if ((rc = request_line(g, buf, line_len(buf, (size_t)(nl - buf + 1)), &v11)) != NXD_GATE_OK)
		return rc;
	for (p = nl + 1; p < buf + len; p = nl + 1) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		n = line_len(p, (size_t)(nl - p + 1));
		if (n == 0)
			break;
		if (memchr(p, '\r', n))
			return refuse(g, 400, "a bare CR in the request head");
		if ((rc = header_line(g, p, n, &hosts)) != NXD_GATE_OK)
			return rc;
	}
	if (v11 && hosts != 1)
		return refuse(g, 400, "HTTP/1.1 needs exactly one Host header");
	return NXD_GATE_OK;
}

enum nxd_gate nxd_http_gate(const char *buf, size_t len, bool eof, unsigned *status,
			    char *msg, size_t msglen)
{
	const struct gate g = { status, msg, msglen };
	size_t end = head_end(buf, len);
	const char *nl = memchr(buf, '\n', len < NXD_HTTP_HEAD_MAX ? len : NXD_HTTP_HEAD_MAX);

	if (!nl && len >= NXD_HTTP_HEAD_MAX)
		return refuse(&g, 414, "request line over 8192 bytes");
	if (end > NXD_HTTP_HEAD_MAX || (!end && len > NXD_HTTP_HEAD_MAX))
		return refuse(&g, 431, "request line and headers over 8192 bytes");
	if (memchr(buf, '\0', end ? end : len))
		return refuse(&g, 400, "a NUL byte in the request head");
	if (end)
		return whole_head(&g, buf, end);
	if (eof)
		return refuse(&g, 400, "the request ended before its headers did");
	return NXD_GATE_MORE;
}

/* ---- answers ---------------------------------------------------------- */

static void answer_clear(struct nxd_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->type = "application/json";
}

void nxd_answer_free(struct nxd_answer *a)
{
	free(a->own[0]);
	free(a->own[1]);
	json_decref(a->text);
	answer_clear(a);
}

static void add_seg(struct nxd_answer *a, const char *p, size_t len, bool escape);

void nxd_answer_error(struct nxd_answer *a, unsigned status, const char *msg)
{
	static const char oom[] = "{\"error\": \"out of memory\"}\n";

	nxd_answer_free(a);
	a->status = status;
	a->retry_after = status == 503 ? NXD_HTTP_RETRY_S : 0;
	if ((a->own[0] = error_body(msg)) != NULL)
		add_seg(a, a->own[0], strlen(a->own[0]), false);
	else
		add_seg(a, oom, sizeof(oom) - 1, false);
	a->held = (size_t)a->total;
}

/* Bytes written as they are inside a JSON string (0xc2 may start a C1 control). */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c != 0xc2;
}

/*
 * How the character at P[0..N) is written inside a JSON string: as jansson
 * writes it, and DEL and C1 controls (U+0080..U+009F, 0xc2 0x80..0x9f) as
 * \u00XX too, as netoopsctl prints JSON (core/escape.h, nx_json_tty): safe on
 * a terminal. Returns the output length (into OUT); *USED the input bytes.
 */
static size_t escape_char(const unsigned char *p, size_t n, char out[6], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = p[0];
	char letter = 0;

	*used = 1;
	if (c == 0xc2 && n > 1 && p[1] >= 0x80 && p[1] <= 0x9f) {
		c = p[1];
		*used = 2;
	}
	switch (c) {
	case '"': letter = '"'; break;
	case '\\': letter = '\\'; break;
	case '\b': letter = 'b'; break;
	case '\f': letter = 'f'; break;
	case '\n': letter = 'n'; break;
	case '\r': letter = 'r'; break;
	case '\t': letter = 't'; break;
	default:
		if (*used == 1 && c >= 0x20 && c != 0x7f) {	/* 0xc2 of U+00A0..U+00BF */
			out[0] = (char)c;
			return 1;
		}
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		return 6;
	}
	out[0] = '\\';
	out[1] = letter;
	return 2;
}

static uint64_t escaped_len(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t total = 0;
	size_t used;
	char tmp[6];

	for (size_t i = 0; i < n; i += used) {
		used = 1;
		total += plain(u[i]) ? 1 : escape_char(u + i, n - i, tmp, &used);
	}
	return total;
}

/* As much of the escaped piece S from *OFF as fits in BUF[MAX]: whole escapes only. */
static size_t read_escaped(const struct nxd_seg *s, size_t *off, char *buf, size_t max)
{
	size_t n = 0;

	while (*off < s->len) {
		size_t run = 0, k, used;
		char e[6];

		while (*off + run < s->len && run < max - n &&
		       plain((unsigned char)s->p[*off + run]))
			run++;
		memcpy(buf + n, s->p + *off, run);
		n += run;
		*off += run;
		if (*off == s->len || n == max)
			break;
		if ((k = escape_char((const unsigned char *)s->p + *off, s->len - *off, e,
				     &used)) > max - n)
			break;
		memcpy(buf + n, e, k);
		n += k;
		*off += used;
	}
	return n;
}

static void add_seg(struct nxd_answer *a, const char *p, size_t len, bool escape)
{
	a->seg[a->n_seg++] = (struct nxd_seg){ p, len, escape };
	a->total += escape ? escaped_len(p, len) : len;
}

size_t nxd_answer_read(struct nxd_answer *a, char *buf, size_t max)
{
	size_t n = 0;

	while (a->cur < a->n_seg && n < max) {
		const struct nxd_seg *s = &a->seg[a->cur];
		size_t k;

		if (s->escape) {
			k = read_escaped(s, &a->off, buf + n, max - n);
			if (k == 0 && a->off < s->len)
				break;		/* the next escape does not fit */
		} else {
			k = s->len - a->off < max - n ? s->len - a->off : max - n;
			memcpy(buf + n, s->p + a->off, k);
			a->off += k;
		}
		n += k;
		if (a->off == s->len) {
			a->cur++;
			a->off = 0;
		}
	}
	return n;
}

static void answer_busy(struct nxd_answer *a)
{
	nxd_answer_error(a, 503, BUSY_MSG);
}

/* A 200 answer with V (consumed) as its body, if it fits in BUDGET. */
static void answer_json(struct nxd_answer *a, json_t *v, size_t budget)
{
	char *text = dumps_tty(v);
	size_t len = text ? strlen(text) : 0;

	json_decref(v);
	if (!text || !(a->own[0] = realloc(text, len + 2))) {
		free(text);
		nxd_answer_error(a, 500, "out of memory");
		return;
	}
	memcpy(a->own[0] + len, "\n", 2);
	a->status = 200;
	add_seg(a, a->own[0], len + 1, false);
	a->held = len + 1;
	if (a->held > budget)
		answer_busy(a);
}

/* A store result, or 500 with the store's error. */
static void answer_store(struct nxd_answer *a, struct nx_store *s, json_t *v, size_t budget)
{
	if (v)
		answer_json(a, v, budget);
	else
		nxd_answer_error(a, 500, nx_store_error(s));
}

/* ---- the resources ---------------------------------------------------- */

struct params {
	struct nx_store_filter f;
	char bad[320];		/* why the query is refused; "" if it is fine */
};

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

/* One query parameter of /v1/reports; false once P->bad says why it is refused. */
static bool param(struct params *p, const char *key, const char *v, int64_t now_ms)
{
	if (!v || strlen(v) > NXD_HTTP_MAX_PARAM_LEN)
		snprintf(p->bad, sizeof(p->bad), "%.32s: missing or longer than %d bytes",
			 key, NXD_HTTP_MAX_PARAM_LEN);
	else if (strcmp(key, "host") == 0)
		p->f.host = v;
	else if (strcmp(key, "reason") == 0)
		p->f.reason = v;
	else if (strcmp(key, "group") == 0)
		p->f.group = v;
	else if (strcmp(key, "limit") == 0)
		set_limit(p, v);
	else if (strcmp(key, "since") == 0) {
		if ((p->f.since_ms = nx_store_parse_since(v, now_ms)) < 0)
			snprintf(p->bad, sizeof(p->bad), "since: '%.64s' is not 30m, 2h, 7d, "
				 "@EPOCH or YYYY-MM-DD[THH:MM[:SS]]", v);
	} else
		snprintf(p->bad, sizeof(p->bad), "unknown parameter '%.32s' (host, since, "
			 "group, reason, limit)", key);
	return !p->bad[0];
}

static void get_reports(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
			struct nxd_answer *a)
{
	struct params p = { .f.limit = NXD_HTTP_MAX_ROWS };

	(void)rest;
	for (size_t i = 0; i < r->n_args; i++)
		if (!param(&p, r->args[i].key, r->args[i].value, r->now_ms)) {
			nxd_answer_error(a, 400, p.bad);
			return;
		}
	answer_store(a, s, nx_store_list(s, &p.f), r->budget);
}

/*
 * /v1/reports/ID as JSON with the text escaped while it is sent: the keys
 * before "text" and after it are written by jansson, the text in between
 * from the string itself, in the order nx_store_show() gave them.
 */
static void show_streamed(struct nxd_answer *a, json_t *v, size_t budget)
{
	json_t *head = json_object(), *tail = json_object(), *val, *text = NULL;
	const char *key;
	char *h, *t;

	json_object_foreach(v, key, val) {
		if (strcmp(key, "text") == 0)
			text = val;
		else
			json_object_set(text ? tail : head, key, val);
	}
	h = dumps_tty(head);
	t = dumps_tty(tail);
	json_decref(head);
	json_decref(tail);
	a->own[0] = h ? malloc(strlen(h) + 16) : NULL;
	a->own[1] = t ? malloc(strlen(t) + 8) : NULL;
	if (!a->own[0] || !a->own[1]) {
		free(h);
		free(t);
		json_decref(v);
		nxd_answer_error(a, 500, "out of memory");
		return;
	}
	/* "{\n  \"id\": 1\n}" and "{\n  \"reports\": []\n}" (or "{}") around the text */
	if (strcmp(h, "{}") == 0)
		strcpy(a->own[0], "{\n  \"text\": \"");
	else
		sprintf(a->own[0], "%.*s,\n  \"text\": \"", (int)(strlen(h) - 2), h);
	if (strcmp(t, "{}") == 0)
		strcpy(a->own[1], "\"\n}\n");
	else
		sprintf(a->own[1], "\",%s\n", t + 1);
	free(h);
	free(t);
	a->text = json_incref(text);
	json_decref(v);
	a->status = 200;
	add_seg(a, a->own[0], strlen(a->own[0]), false);
	add_seg(a, json_string_value(a->text), json_string_length(a->text), true);
	add_seg(a, a->own[1], strlen(a->own[1]), false);
	a->held = strlen(a->own[0]) + strlen(a->own[1]) + json_string_length(a->text);
	if (a->held > budget)
		answer_busy(a);
}

static void not_found(struct nxd_answer *a, long long id)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "no dump with id %lld (see netoopsctl list)", id);
	nxd_answer_error(a, 404, msg);
}

/* A dump the store did not give: 404 if it does not exist, else 500 with the store's error. */
static void store_miss(struct nx_store *s, long long id, struct nxd_answer *a)
{
	if (nx_store_error(s)[0])
		nxd_answer_error(a, 500, nx_store_error(s));
	else
		not_found(a, id);
}

/* The stored bytes as they are: /v1/reports/ID/text. */
static void show_raw(struct nx_store *s, long long id, size_t budget, struct nxd_answer *a)
{
	size_t len = 0;

	if (!(a->own[0] = nx_store_text(s, id, &len))) {
		store_miss(s, id, a);
		return;
	}
	a->status = 200;
	a->type = "application/octet-stream";
	add_seg(a, a->own[0], len, false);
	a->held = len;
	if (a->held > budget)
		answer_busy(a);
}

/* /v1/reports/ID and /v1/reports/ID/text; REST is what follows "/v1/reports/". */
static void get_report(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		       struct nxd_answer *a)
{
	char *end;
	long long id = strtoll(rest, &end, 10);
	bool raw = strcmp(end, "/text") == 0;
	int64_t len;
	json_t *v;

	if (rest[0] < '1' || rest[0] > '9' || id <= 0 || (*end && !raw)) {
		nxd_answer_error(a, 400, "not a dump id (a positive number), or ID/text");
		return;
	}
	if ((len = nx_store_text_len(s, id)) < 0) {
		store_miss(s, id, a);
		return;
	}
	if ((uint64_t)len > r->budget) {	/* refused before anything is read */
		answer_busy(a);
		return;
	}
	if (raw) {
		show_raw(s, id, r->budget, a);
		return;
	}
	if (!(v = nx_store_show(s, id))) {
		store_miss(s, id, a);
		return;
	}
	if (json_is_string(json_object_get(v, "text")))
		show_streamed(a, v, r->budget);
	else
		answer_json(a, v, r->budget);
}

static void get_groups(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		       struct nxd_answer *a)
{
	(void)rest;
	answer_store(a, s, nx_store_groups(s), r->budget);
}

static void get_stats(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		      struct nxd_answer *a)
{
	(void)rest;
	answer_store(a, s, nx_store_counters(s), r->budget);
}

typedef void handler(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		     struct nxd_answer *a);

/*
 * The resources: a path (with PREFIX: what a path starts with); whether it takes parameters;
 * whether a read token is enough (the collector's counters need an admin token).
 */
static const struct route {
	const char *path;
	bool prefix, params, admin;
	handler *fn;
} routes[] = {
	{ "/v1/reports", false, true, false, get_reports },
	{ "/v1/reports/", true, false, false, get_report },
	{ "/v1/groups", false, false, false, get_groups },
	{ "/v1/stats", false, false, true, get_stats },
};

/* A bearer token that does not grant ROUTE: 401 (none valid) or 403 (read-only). */
static bool refused(const struct nxd_api_req *r, const struct route *rt, struct nxd_answer *a)
{
	if (r->grant == NXD_GRANT_NONE) {
		nxd_answer_error(a, 401, "a valid bearer token is needed (Authorization: Bearer ...)");
		return true;
	}
	if (rt->admin && r->grant != NXD_GRANT_ALL) {
		nxd_answer_error(a, 403, "this resource needs an admin token");
		return true;
	}
	return false;
}

void nxd_api_handle(struct nx_store *s, const struct nxd_api_req *r, struct nxd_answer *a)
{
	answer_clear(a);
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		nxd_answer_error(a, 405, "read-only API: GET only");
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		size_t n = strlen(rt->path);

		if (rt->prefix ? strncmp(r->url, rt->path, n) != 0 : strcmp(r->url, rt->path) != 0)
			continue;
		if (refused(r, rt, a))
			return;
		if (r->too_many_args) {
			nxd_answer_error(a, 400, "too many parameters");
			return;
		}
		if (!rt->params && r->n_args) {
			nxd_answer_error(a, 400, "no parameters here");
			return;
		}
		rt->fn(s, r, r->url + n, a);
		return;
	}
	nxd_answer_error(a, 404, "no such resource: /v1/reports, /v1/reports/ID, "
			 "/v1/reports/ID/text, /v1/groups and /v1/stats exist");
}

/* libFuzzer target: the HTTP API's head gate and handler (method, URL, args -> status, body). */
/* fuzz-sources: src/netoopsd/http_api.c src/netoopsd/http_web.c src/netoopsd/http_metrics.c src/store/ */
/* fuzz-libs: -lsqlite3 -lzstd -ljansson */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netoopsd/http_api.h"

/*
 * Input: byte 0 picks the part. Gate: the rest is a request head (bit 1:
 * the peer closed). Handler: byte 1 the budget and read size, then lines
 * "METHOD", "URL", "key=value" or "key" (argument without a value).
 * Checked: every answer's body is exactly its announced length; JSON
 * answers parse, errors carry {"error": "..."}; a dump's JSON answer
 * equals nx_store_show() and its raw answer nx_store_text().
 */

static struct nx_store *store;
static char dir[] = "/tmp/fuzz_http.XXXXXX";

/* At exit: the store and its folder go. */
static void remove_store(void)
{
	static const char *const files[] = { "fuzz.db", "fuzz.db-wal", "fuzz.db-shm" };
	char path[64];

	nx_store_close(store);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void add(struct nx_store *s, const char *host, const char *text, size_t len)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .complete = true, .parts = 1,
			     .parts_received = 1, .text = (char *)text, .text_len = len };
	struct nx_report_set *set = nx_analyse(text, len);

	snprintf(d.source, sizeof(d.source), "10.0.0.1:6666");
	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.reason, sizeof(d.reason), "oops");
	if (nx_store_add_dump(s, &d, 1700000000000, set) < 0)
		abort();
	nx_report_set_free(set);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	if (!f || !buf)
		abort();
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char odd[] = "quote \" backslash \\ nul \0 ctl \001\037 del \177 "
				  "utf8 \xc3\xa9 bad \xff\n";
	char path[64], err[4400];
	struct nx_store *s;
	size_t len;
	char *oops;

	(void)argc, (void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/fuzz.db", dir);
	if (!(s = nx_store_open(path, NX_STORE_CREATE, err, sizeof(err))) || nx_store_begin(s) < 0)
		abort();
	oops = slurp("tests/integration/fixtures/divide-6.1.txt", &len);
	add(s, "host-a", oops, len);
	add(s, "host-b", odd, sizeof(odd) - 1);
	add(s, "host-c", "", 0);
	free(oops);
	if (nx_store_commit(s) < 0)
		abort();
	nx_store_close(s);
	if (!(store = nx_store_open(path, NX_STORE_READONLY, err, sizeof(err))))
		abort();
	atexit(remove_store);
	return 0;
}

static void fuzz_gate(const uint8_t *data, size_t size)
{
	char msg[256], resp[1024];
	unsigned status = 0;
	enum nxd_gate g = nxd_http_gate((const char *)data + 1, size - 1, data[0] & 2, &status,
					msg, sizeof(msg));
	json_t *v;
	char *body;

	if (g != NXD_GATE_REFUSE)
		return;
	if (status < 400 || status > 505 || !msg[0] || !strcmp(nxd_http_reason(status), "Error"))
		abort();
	nxd_http_error_response(status, msg, resp, sizeof(resp));
	body = strstr(resp, "\r\n\r\n");
	if (!body || !(v = json_loads(body + 4, 0, NULL)) ||
	    !json_is_string(json_object_get(v, "error")))
		abort();
	json_decref(v);
}

/* The body of A, read MAX bytes at a time; checks its length. */
static char *read_all(struct nxd_answer *a, size_t max)
{
	char *body = malloc(a->total + 1);
	size_t n = 0, k;

	if (!body)
		abort();
	while ((k = nxd_answer_read(a, body + n, n + max <= a->total ? max : a->total - n)) > 0)
		n += k;
	if (n != a->total || nxd_answer_read(a, body, 6) != 0)
		abort();
	body[n] = '\0';
	return body;
}

/* A 200 answer for /v1/reports/ID[/text] must be what the store holds. */
static void check_dump(const char *url, const char *body, size_t len, json_t *v)
{
	char *end, *raw;
	long long id;
	size_t rlen;
	json_t *want;

	if (strncmp(url, "/v1/reports/", 12) != 0)
		return;
	id = strtoll(url + 12, &end, 10);
	if (strcmp(end, "/text") == 0) {
		raw = nx_store_text(store, id, &rlen);
		if (!raw || rlen != len || memcmp(raw, body, len) != 0)
			abort();
		free(raw);
		return;
	}
	want = nx_store_show(store, id);
	if (!want || !json_equal(want, v))
		abort();
	json_decref(want);
}

static void check_answer(const struct nxd_api_req *r, struct nxd_answer *a, size_t max)
{
	char *body = read_all(a, max);
	json_t *v = NULL;

	if (strcmp(a->type, "application/json") == 0) {
		if (!(v = json_loadb(body, a->total, JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL)) ||
		    (a->status != 200 && !json_is_string(json_object_get(v, "error"))))
			abort();
	} else if (a->status != 200) {
		abort();
	}
	if (a->status == 200)
		check_dump(r->url, body, a->total, v);
	if (a->status == 503 && a->retry_after == 0)
		abort();
	json_decref(v);
	free(body);
}

/* The next line of *P..END (cut there), or NULL at the end. */
static char *next_line(char **p, char *end)
{
	char *line = *p, *nl;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*p = nl ? nl + 1 : end;
	if (nl)
		*nl = '\0';
	return line;
}

static void fuzz_handler(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *p, *end, *line;
	struct nxd_api_arg args[NXD_HTTP_MAX_ARGS];
	struct nxd_api_req r = { .args = args, .now_ms = 1800000000000 };
	size_t max = 6 + (data[1] & 0x3f) * 97;
	struct nxd_answer a;

	if (!copy)
		abort();
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';
	p = copy, end = copy + size - 2;
	r.budget = data[1] & 0x80 ? (size_t)(data[1] & 0x7f) * 64 : SIZE_MAX;
	r.method = next_line(&p, end);
	r.url = next_line(&p, end);
	if (!r.method || !r.url) {
		free(copy);
		return;
	}
	while ((line = next_line(&p, end)) != NULL) {
		char *eq = strchr(line, '=');

		if (r.n_args == NXD_HTTP_MAX_ARGS) {
			r.too_many_args = true;
			break;
		}
		if (eq)
			*eq = '\0';
		args[r.n_args++] = (struct nxd_api_arg){ line, eq ? eq + 1 : NULL };
	}
	nxd_api_handle(store, &r, &a);
	check_answer(&r, &a, max);
	nxd_answer_free(&a);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (data[0] & 1)
		fuzz_gate(data, size);
	else
		fuzz_handler(data, size);
	return 0;
}

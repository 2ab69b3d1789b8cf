/* The query API without libmicrohttpd: heads checked, requests answered, bodies in pieces. */
#ifndef NXD_HTTP_API_H
#define NXD_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

#define NXD_HTTP_MAX_ROWS	10000	/* /v1/reports answers at most this many */
#define NXD_HTTP_HEAD_MAX	8192	/* request line and headers together */
#define NXD_HTTP_MAX_PARAM_LEN	256	/* a host, group, reason or since value */
#define NXD_HTTP_MAX_ARGS	16	/* query parameters of one request */
#define NXD_HTTP_RETRY_S	5	/* Retry-After of a 503 */

/* What nxd_http_gate() makes of the bytes received so far on a new connection. */
enum nxd_gate { NXD_GATE_MORE, NXD_GATE_OK, NXD_GATE_REFUSE };

/*
 * Check the request head in BUF[LEN] (EOF: the peer sent no more) before
 * libmicrohttpd sees it: a complete, well-formed GET or HEAD head of at most
 * NXD_HTTP_HEAD_MAX bytes, HTTP/1.0 or 1.1, without a body. On
 * NXD_GATE_REFUSE, *STATUS and MSG say why (400, 405, 413, 414, 431, 505).
 */
enum nxd_gate nxd_http_gate(const char *buf, size_t len, bool eof, unsigned *status,
			    char *msg, size_t msglen);

/* The reason phrase of STATUS ("Not Found"); "Error" for one this API never sends. */
const char *nxd_http_reason(unsigned status);

/*
 * A whole HTTP/1.1 error response (JSON body, Connection: close) into BUF,
 * for refusals made before libmicrohttpd has the connection. Its length
 * (cut at LEN).
 */
size_t nxd_http_error_response(unsigned status, const char *msg, char *buf, size_t len);

struct nxd_api_arg {
	const char *key, *value;	/* VALUE NULL: "?key" without '=' */
};

/* What a request's bearer token grants (http_auth.h); 0, every resource, when no tokens are set. */
enum nxd_grant { NXD_GRANT_ALL = 0, NXD_GRANT_READ, NXD_GRANT_NONE };

struct nxd_api_req {
	const char *method, *url;	/* url: the path, without the query */
	const struct nxd_api_arg *args;
	size_t n_args;
	bool too_many_args;		/* more than NXD_HTTP_MAX_ARGS were given */
	int64_t now_ms;			/* the clock `since` is relative to */
	size_t budget;			/* bytes the answer may hold; SIZE_MAX: any */
	enum nxd_grant grant;		/* from the Authorization header */
};

/* One piece of a body: bytes, or bytes written as the inside of a JSON string. */
struct nxd_seg {
	const char *p;
	size_t len;
	bool escape;
};

/*
 * An answer: STATUS, TYPE and the body as up to three pieces, produced by
 * nxd_answer_read() a buffer at a time, so that a dump's text is never held
 * escaped. HELD is what the answer keeps in memory until freed.
 */
struct nxd_answer {
	unsigned status;
	const char *type;		/* Content-Type */
	unsigned retry_after;		/* seconds; 0: no Retry-After */
	struct nxd_seg seg[3];
	size_t n_seg;
	uint64_t total;			/* body bytes */
	size_t held;
	size_t cur, off;		/* the reading position: piece, offset in it */
	char *own[2];			/* freed with the answer */
	json_t *text;			/* a JSON string the escaped piece points into */
};

/* Answer request R from store S (never fails: errors are answers too). */
void nxd_api_handle(struct nx_store *s, const struct nxd_api_req *r, struct nxd_answer *a);

/* A STATUS answer with the body {"error": MSG}. */
void nxd_answer_error(struct nxd_answer *a, unsigned status, const char *msg);

/* The next bytes of A's body into BUF[MAX] (MAX >= 6); 0 at the end. */
size_t nxd_answer_read(struct nxd_answer *a, char *buf, size_t max);

void nxd_answer_free(struct nxd_answer *a);

#endif

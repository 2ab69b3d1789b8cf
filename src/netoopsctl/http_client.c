/* A tiny HTTP/1.0 GET client: one request per connection, the JSON body parsed as it arrives. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netoopsctl/http_client.h"

#define IO_TIMEOUT_S	30

/* "HOST:PORT" or "[V6]:PORT" into HOST and PORT. 0 or -1. */
static int split_addr(const char *addr, char *host, size_t hlen, const char **port)
{
	const char *colon = addr[0] == '[' ? strchr(addr, ']') : strrchr(addr, ':');
	size_t n;

	if (!colon)
		return -1;
	if (addr[0] == '[') {
		if (colon[1] != ':')
			return -1;
		addr++;
		n = (size_t)(colon - addr);
		colon++;
	} else {
		n = (size_t)(colon - addr);
	}
	if (n == 0 || n >= hlen || !colon[1])
		return -1;
	memcpy(host, addr, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

static int connect_to(const char *daemon, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	const char *port;
	char host[256];
	int fd = -1, rc;

	if (split_addr(daemon, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "--daemon '%s': give HOST:PORT (IPv6 as [::1]:PORT)", daemon);
		return -1;
	}
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "--daemon '%s': %s", daemon, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
				setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
				connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)) {
			rc = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to netoopsd at %s: %s (is it running "
			 "with --http %s?)", daemon, strerror(rc), daemon);
	return fd;
}

/* The answer as it is read: the connection and what was read but not yet used. */
struct answer {
	int fd;
	char buf[65536];
	size_t have, used;
	bool failed;		/* a read failed or timed out */
};

static ssize_t fill(struct answer *a)
{
	ssize_t r;

	if (a->used == a->have)
		a->used = a->have = 0;
	do
		r = read(a->fd, a->buf + a->have, sizeof(a->buf) - a->have);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		a->failed = true;
	else
		a->have += (size_t)r;
	return r;
}

/* Send the request, read the status line and headers: the status, or -1 with ERR set. */
static int start_answer(struct answer *a, const char *daemon, const char *path,
			char *err, size_t errlen)
{
	char req[8192];
	/* netoopsd's http-tokens: a bearer token from the environment, when given. */
	const char *token = getenv("NETOOPS_API_TOKEN");
	int rlen = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n"
			    "Accept: application/json\r\n%s%s%s\r\n", path, daemon,
			    token && *token ? "Authorization: Bearer " : "",
			    token && *token ? token : "", token && *token ? "\r\n" : "");
	char *end = NULL;
	int status;

	if (rlen >= (int)sizeof(req) || write(a->fd, req, (size_t)rlen) != rlen) {
		snprintf(err, errlen, "cannot send the request to %s: %s", daemon, strerror(errno));
		return -1;
	}
	while (!(end = memmem(a->buf, a->have, "\r\n\r\n", 4)) && a->have < sizeof(a->buf))
		if (fill(a) <= 0)
			break;
	if (a->failed) {
		snprintf(err, errlen, "%s: reading the answer failed: %s", daemon, strerror(errno));
		return -1;
	}
	a->buf[end ? (size_t)(end - a->buf) : 0] = '\0';
	if (!end || sscanf(a->buf, "HTTP/1.%*[01] %3d", &status) != 1 || status < 100) {
		snprintf(err, errlen, "%s did not answer HTTP: is it netoopsd's --http address?",
			 daemon);
		return -1;
	}
	a->used = (size_t)(end - a->buf) + 4;
	return status;
}

/* jansson's reader: the body, as far as the server sends it (it closes at the end). */
static size_t read_body(void *dst, size_t len, void *cls)
{
	struct answer *a = cls;
	size_t n;

	if (a->used == a->have && fill(a) <= 0)
		return a->failed ? (size_t)-1 : 0;
	n = a->have - a->used < len ? a->have - a->used : len;
	memcpy(dst, a->buf + a->used, n);
	a->used += n;
	return n;
}

/* The body parsed as it arrives (no bound but the memory of the result). */
static json_t *parse_body(struct answer *a, const char *daemon, int status,
			  char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_load_callback(read_body, a, JSON_ALLOW_NUL, &je);
	const char *msg;

	if (!v) {
		snprintf(err, errlen, a->failed ? "%s: reading the answer (HTTP %d) failed (%s)"
			 : "%s answered HTTP %d without valid JSON (%s)", daemon, status, je.text);
		return NULL;
	}
	if (status == 200)
		return v;
	msg = json_string_value(json_object_get(v, "error"));
	snprintf(err, errlen, "%s", msg ? msg : "the daemon answered an error without a message");
	json_decref(v);
	return NULL;
}

json_t *nx_http_get_json(const char *daemon, const char *path, int *status,
			 char *err, size_t errlen)
{
	struct answer *a = calloc(1, sizeof(*a));
	json_t *v = NULL;

	*status = 0;
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((a->fd = connect_to(daemon, err, errlen)) >= 0) {
		*status = start_answer(a, daemon, path, err, errlen);
		if (*status > 0)
			v = parse_body(a, daemon, *status, err, errlen);
		else
			*status = 0;
		close(a->fd);
	}
	free(a);
	return v;
}

int nx_http_add_param(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = strlen(buf);
	int w = snprintf(buf + n, len - n, "%c%s=", strchr(buf, '?') ? '&' : '?', key);

	if (w < 0 || (size_t)w >= len - n)
		return -1;
	n += (size_t)w;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (n + 4 > len)
			return -1;
		if (strchr("-._~", *p) || (*p < 128 && isalnum(*p)))
			buf[n++] = (char)*p;
		else
			n += (size_t)snprintf(buf + n, len - n, "%%%02X", *p);
	}
	buf[n] = '\0';
	return 0;
}

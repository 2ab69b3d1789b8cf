/* A tiny HTTP/1.0 GET client: one request per connection, bounded answer, JSON body. */
#include <ctype.h>
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

/* Send the request and read the whole answer (the server closes). NULL on error. */
static char *exchange(int fd, const char *daemon, const char *path, size_t *len,
		      char *err, size_t errlen)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), req[8192];
	int rlen = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n"
			    "Accept: application/json\r\n\r\n", path, daemon);
	ssize_t r;

	if (!buf || rlen >= (int)sizeof(req) || write(fd, req, (size_t)rlen) != rlen) {
		snprintf(err, errlen, "cannot send the request to %s: %s", daemon, strerror(errno));
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap && cap < NXCTL_HTTP_MAX_RESPONSE) {
			char *bigger = realloc(buf, cap * 2 + 1);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		} else if (n == cap) {
			break;
		}
	}
	if (r != 0) {
		snprintf(err, errlen, "%s: %s", daemon, r < 0 ? "reading the answer failed"
			 : "answer too large (over 64 MiB)");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Split "HTTP/1.x NNN ...\r\n...\r\n\r\nBODY": the status, and *BODY. -1 if not HTTP. */
static int parse_answer(char *buf, char **body)
{
	char *end = strstr(buf, "\r\n\r\n");
	int status;

	if (!end || sscanf(buf, "HTTP/1.%*[01] %3d", &status) != 1 || status < 100)
		return -1;
	*body = end + 4;
	return status;
}

static json_t *parse_body(const char *daemon, const char *body, size_t len, int status,
			  char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_loadb(body, len, JSON_ALLOW_NUL, &je);
	const char *msg;

	if (!v) {
		snprintf(err, errlen, "%s answered HTTP %d without valid JSON (%s)", daemon,
			 status, je.text);
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
	int fd = connect_to(daemon, err, errlen);
	char *buf, *body;
	json_t *v = NULL;
	size_t len;

	*status = 0;
	if (fd < 0)
		return NULL;
	buf = exchange(fd, daemon, path, &len, err, errlen);
	close(fd);
	if (!buf)
		return NULL;
	*status = parse_answer(buf, &body);
	if (*status < 0) {
		*status = 0;
		snprintf(err, errlen, "%s did not answer HTTP: is it netoopsd's --http address?",
			 daemon);
	} else {
		v = parse_body(daemon, body, len - (size_t)(body - buf), *status, err, errlen);
	}
	free(buf);
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

/* A tiny HTTP/1.0 GET client for netoopsd's query API (--daemon). */
#ifndef NXCTL_HTTP_CLIENT_H
#define NXCTL_HTTP_CLIENT_H

#include <stddef.h>

#include <jansson.h>

/*
 * GET PATH (already URL-encoded) from DAEMON ("HOST:PORT" or "[V6]:PORT")
 * and parse the JSON body as it arrives (any size: the only bound is the
 * memory of the result). Returns it on status 200. Otherwise NULL with
 * ERR saying why (the daemon's own error message for 4xx/5xx) and *STATUS
 * the HTTP status (0 if there was no HTTP answer).
 */
json_t *nx_http_get_json(const char *daemon, const char *path, int *status,
			 char *err, size_t errlen);

/* Append KEY=VALUE (VALUE percent-encoded) to the path in BUF[LEN]. -1 if it does not fit. */
int nx_http_add_param(char *buf, size_t len, const char *key, const char *value);

#endif

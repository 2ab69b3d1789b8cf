/* Bearer tokens of the HTTP API: a token file with read-only and admin tokens, and the check. */
#ifndef NXD_HTTP_AUTH_H
#define NXD_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "netoopsd/http_api.h"

#define NXD_TOKENS_MAX		64
#define NXD_TOKEN_MIN		16
#define NXD_TOKEN_MAX		128

struct nxd_tokens;

/*
 * Read PATH: lines "read TOKEN" or "admin TOKEN" (TOKEN: 16 to 128 of
 * [A-Za-z0-9._~+/=-]), '#' comments, blank lines. Refused unless a regular
 * file that neither group nor others may read or write. NULL with MSG.
 */
struct nxd_tokens *nxd_tokens_load(const char *path, char *msg, size_t len);
void nxd_tokens_free(struct nxd_tokens *t);

/*
 * What the request's Authorization header (AUTH, NULL if absent) grants
 * under T: NXD_GRANT_ALL with no token file at all (T NULL) or an admin
 * token, NXD_GRANT_READ for a read token, else NXD_GRANT_NONE. Every token
 * is compared in constant time.
 */
enum nxd_grant nxd_tokens_grant(const struct nxd_tokens *t, const char *auth);

/*
 * The whole PEM file PATH (at most 1 MiB) as a string (free() it). SECRET:
 * refused unless only its owner may read or write it (a private key).
 * NULL with MSG.
 */
char *nxd_pem_load(const char *path, bool secret, char *msg, size_t len);

#endif

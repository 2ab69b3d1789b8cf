/* netoopsd's authentication policy: settings, the fleet key, and the per-datagram verdict. */
#ifndef NXD_AUTH_H
#define NXD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reasm/reasm.h"
#include "store/store.h"

#define NXD_MAX_EXEMPT		16
#define NXD_REPLAY_MARKS	100000	/* (host, boot) pairs remembered */

enum nxd_auth_mode { NXD_AUTH_OFF, NXD_AUTH_OPTIONAL, NXD_AUTH_REQUIRED };

/* A source network, ADDR/PREFIX. */
struct nxd_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct nxd_auth_config {
	enum nxd_auth_mode mode;
	char fleet_key[4096];		/* path; "" = none */
	struct nxd_net exempt[NXD_MAX_EXEMPT];	/* unauthenticated allowed from these */
	size_t n_exempt;
	uint32_t replay_window_ms;	/* 0: half of quiet-ms */
	char http_tokens[4096];		/* the HTTP API's bearer token file; "" = none */
	char http_tls_cert[4096];	/* PEM certificate (chain) of the HTTP API; "" = no TLS */
	char http_tls_key[4096];	/* its PEM private key (mode 600) */
};

/* Written by the receive loop only. */
struct nxd_auth_counters {
	uint64_t verified;		/* datagrams with a valid MAC */
	uint64_t forged;		/* a mac field that did not verify: dropped */
	uint64_t replayed;		/* authenticated, but a replay: dropped */
	uint64_t refused;		/* unauthenticated under `auth = required`: dropped */
};

/* Is KEY one of the settings below (auth, fleet-key, auth-exempt, replay-window-ms, http-tokens)? */
bool auth_config_owns(const char *key);
/* Set one of them; NULL or MSG saying what to fix. */
const char *auth_config_set(struct nxd_auth_config *c, const char *key, const char *v,
			    char *msg, size_t len);
/* The settings together (a fleet key is needed unless off); NULL or MSG. */
const char *auth_config_check(struct nxd_auth_config *c, uint32_t quiet_ms, char *msg,
			      size_t len);

struct nxd_auth;

/*
 * The policy of C (kept by pointer), its fleet key read from the file (refused
 * if group or others may read or write it). NULL with MSG on failure.
 */
struct nxd_auth *nxd_auth_new(const struct nxd_auth_config *c, char *msg, size_t len);
void nxd_auth_free(struct nxd_auth *a);

/* Read the fleet key file again (SIGHUP); on failure the old key stays. 0, or -1 with MSG. */
int nxd_auth_reload(struct nxd_auth *a, char *msg, size_t len);

/* The replay marks from the store S (at start, before the sink owns S). 0 or -1. */
int nxd_auth_load_marks(struct nxd_auth *a, struct nx_store *s);

/*
 * The verdict on one datagram BUF[0..LEN) from SOURCE ("ip:port") at NOW_MS
 * (reassembly's clock, as nxd_auth_finished's): false to drop it (counted in C); true to pass *OUT (BUF, or
 * the decrypted copy, valid until the next call) to reassembly, with
 * *AUTHENTICATED saying whether it carried a valid MAC.
 */
bool nxd_auth_check(struct nxd_auth *a, const char *source, const uint8_t *buf, size_t len,
		    uint64_t now_ms, const uint8_t **out, bool *authenticated,
		    struct nxd_auth_counters *c);

/* Dump D left reassembly at NOW_MS: an authenticated one moves its replay mark. */
void nxd_auth_finished(struct nxd_auth *a, const struct nx_dump *d, uint64_t now_ms);

#endif

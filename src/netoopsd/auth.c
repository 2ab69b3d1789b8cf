/* netoopsd's authentication: settings, the fleet key file, host keys, and each datagram's verdict. */
#include "netoopsd/auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/auth/auth.h"
#include "core/auth/replay.h"
#include "core/numparse.h"
#include "core/siphash.h"

/* ---- the fleet key ---- */

/* Host keys derived lately, direct-mapped by a keyed hash of the host name. */
#define KEY_CACHE 1024

struct cached_key {
	uint8_t len;			/* 0: empty */
	char host[NETOOPS_MAX_HOST];
	uint8_t key[NX_AUTH_KEY_LEN];
};

struct nxd_auth {
	const struct nxd_auth_config *cfg;
	uint8_t fleet[NX_AUTH_KEY_LEN];
	struct nx_replay *replay;
	uint64_t k0, k1;		/* of the cache's hash */
	struct cached_key cache[KEY_CACHE];
	uint8_t plain[NETOOPS_MAX_DATAGRAM];	/* a decrypted datagram */
};

struct nxd_auth *nxd_auth_new(const struct nxd_auth_config *c, char *msg, size_t len)
{
	struct nxd_auth *a = calloc(1, sizeof(*a));
	uint64_t seed[2] = { 0, 0 };

	if (!a) {
		snprintf(msg, len, "out of memory for authentication");
		return NULL;
	}
	a->cfg = c;
	/* A secret key: senders cannot aim host names at one cache slot. */
	if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		seed[0] = (uint64_t)getpid();
	a->k0 = seed[0];
	a->k1 = seed[1];
	a->replay = nx_replay_new(NXD_REPLAY_MARKS, c->replay_window_ms, seed[1] ^ seed[0]);
	if (!a->replay || (c->mode != NXD_AUTH_OFF && nx_auth_key_read(c->fleet_key, a->fleet,
								     msg, len) < 0)) {
		if (!a->replay)
			snprintf(msg, len, "out of memory for replay marks");
		nxd_auth_free(a);
		return NULL;
	}
	return a;
}

void nxd_auth_free(struct nxd_auth *a)
{
	if (!a)
		return;
	nx_replay_free(a->replay);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

int nxd_auth_reload(struct nxd_auth *a, char *msg, size_t len)
{
	uint8_t key[NX_AUTH_KEY_LEN];

	if (a->cfg->mode == NXD_AUTH_OFF)
		return 0;
	if (nx_auth_key_read(a->cfg->fleet_key, key, msg, len) < 0)
		return -1;
	memcpy(a->fleet, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(a->cache, sizeof(a->cache));
	return 0;
}

static int load_mark(void *ctx, const char *host, const char *boot, uint32_t dump)
{
	return nx_replay_mark(ctx, host, boot, dump, 0);
}

int nxd_auth_load_marks(struct nxd_auth *a, struct nx_store *s)
{
	return nx_store_auth_marks(s, NXD_REPLAY_MARKS, load_mark, a->replay);
}

/* ---- verdicts ---- */

static const uint8_t *host_key(struct nxd_auth *a, const uint8_t *host, size_t n)
{
	struct cached_key *k = &a->cache[nx_siphash(a->k0, a->k1, host, n) % KEY_CACHE];

	if (k->len == n && !memcmp(k->host, host, n))
		return k->key;
	if (nx_auth_host_key(a->fleet, (const char *)host, n, k->key) < 0) {
		k->len = 0;
		return NULL;
	}
	memcpy(k->host, host, n);
	k->len = (uint8_t)n;
	return k->key;
}

/* Does SOURCE ("ip:port", "[ip6]:port") lie in network N? */
static bool in_net(const struct nxd_net *n, const uint8_t *addr, int family)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;

	if (family != n->family || memcmp(addr, n->addr, full))
		return false;
	return !rest || !((addr[full] ^ n->addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

static bool exempt(const struct nxd_auth_config *c, const char *source)
{
	char text[64];
	uint8_t addr[16];
	const char *end = strrchr(source, ':');
	size_t skip = source[0] == '[', n = end ? (size_t)(end - source) - skip : 0;
	int family;

	if (!c->n_exempt || !end || n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, source + skip, n);
	text[n - (skip && text[n - 1] == ']')] = '\0';
	family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, text, addr) != 1)
		return false;
	for (size_t i = 0; i < c->n_exempt; i++)
		if (in_net(&c->exempt[i], addr, family))
			return true;
	return false;
}

/* Boot (field 3) and dump (field 4) of a verified header: false if they do not parse. */
static bool identity(const uint8_t *buf, const struct nx_auth_view *v, char boot[33],
		     uint32_t *dump)
{
	size_t at = (size_t)(v->host - buf) + v->host_len + 1, i = 0;
	uint64_t d = 0;

	while (at < v->eol && buf[at] != ' ' && i < NETOOPS_BOOT_ID_HEX)
		boot[i++] = (char)buf[at++];
	boot[i] = '\0';
	if (at >= v->eol || buf[at++] != ' ')
		return false;
	for (i = 0; at < v->eol && buf[at] >= '0' && buf[at] <= '9' && i < 10; at++, i++)
		d = d * 10 + (uint64_t)(buf[at] - '0');
	*dump = (uint32_t)d;
	return i > 0 && d <= UINT32_MAX && at < v->eol && buf[at] == ' ';
}

static bool unauthenticated(struct nxd_auth *a, const char *source, struct nxd_auth_counters *c)
{
	if (a->cfg->mode != NXD_AUTH_REQUIRED || exempt(a->cfg, source))
		return true;
	c->refused++;
	return false;
}

bool nxd_auth_check(struct nxd_auth *a, const char *source, const uint8_t *buf, size_t len,
		    uint64_t now_ms, const uint8_t **out, bool *authenticated,
		    struct nxd_auth_counters *c)
{
	struct nx_auth_view v;
	const uint8_t *key;
	char boot[NETOOPS_BOOT_ID_HEX + 1];
	uint32_t dump;
	int rc;

	*out = buf;
	*authenticated = false;
	if (a->cfg->mode == NXD_AUTH_OFF)
		return true;
	rc = len > NETOOPS_MAX_DATAGRAM ? 1 : nx_auth_view(buf, len, &v);
	if (rc == 1 || (rc == 0 && !v.mac_at))
		return unauthenticated(a, source, c);
	if (rc < 0 || v.host_len == 0 || v.host_len > NETOOPS_MAX_HOST ||
	    !(key = host_key(a, v.host, v.host_len)) ||
	    nx_auth_open(key, buf, len, &v, a->plain) != NX_AUTH_OK) {
		c->forged++;
		return false;
	}
	if (v.encrypted)
		*out = a->plain;
	/* Verified: the identity fields are the sender's. A malformed one is the decoder's. */
	char host[NETOOPS_MAX_HOST + 1];

	memcpy(host, v.host, v.host_len);
	host[v.host_len] = '\0';
	if (identity(buf, &v, boot, &dump) && nx_replay_check(a->replay, host, boot, dump, now_ms)) {
		c->replayed++;
		return false;
	}
	c->verified++;
	*authenticated = true;
	return true;
}

void nxd_auth_finished(struct nxd_auth *a, const struct nx_dump *d, uint64_t now_ms)
{
	if (d->authenticated && d->format == NX_FMT_NETOOPS && d->dump)
		nx_replay_mark(a->replay, d->host, d->boot, d->dump, now_ms ? now_ms : 1);
}

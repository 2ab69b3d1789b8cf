/* netoopsd's authentication settings: auth, fleet-key, auth-exempt, replay-window-ms, http-tokens. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/numparse.h"
#include "netoopsd/auth.h"

static const char *set_mode(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	static const char *const names[] = { "off", "optional", "required" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			c->mode = (enum nxd_auth_mode)i;
			return NULL;
		}
	}
	snprintf(msg, len, "auth: '%s' is not off, optional or required", v);
	return msg;
}

static const char *set_key(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	if (!v[0] || strlen(v) >= sizeof(c->fleet_key)) {
		snprintf(msg, len, "fleet-key: give the path of the fleet key file (made by "
			 "'netoopsctl key new')");
		return msg;
	}
	memcpy(c->fleet_key, v, strlen(v) + 1);
	return NULL;
}

/* "ADDR/PREFIX" or "ADDR" (a host) into N; 0 or -1. */
static int parse_net(const char *v, struct nxd_net *n)
{
	char addr[64];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : strlen(v);
	uint64_t prefix;

	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	memset(n, 0, sizeof(*n));
	n->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(n->family, addr, n->addr) != 1)
		return -1;
	n->prefix = n->family == AF_INET ? 32 : 128;
	if (slash) {
		if (nx_parse_uint(slash + 1, 0, n->prefix, &prefix) != NX_PARSE_OK)
			return -1;
		n->prefix = (unsigned)prefix;
	}
	return 0;
}

static const char *set_exempt(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	if (c->n_exempt >= NXD_MAX_EXEMPT) {
		snprintf(msg, len, "auth-exempt: at most %d networks", NXD_MAX_EXEMPT);
		return msg;
	}
	if (parse_net(v, &c->exempt[c->n_exempt]) < 0) {
		snprintf(msg, len, "auth-exempt: '%s' is not ADDR/PREFIX (e.g. 10.1.0.0/16 or "
			 "fd00::/8) or a numeric address", v);
		return msg;
	}
	c->n_exempt++;
	return NULL;
}

/* A path into FIELD (4096 bytes); refused with WHAT in the message when empty or too long. */
static const char *set_file(char *field, const char *key, const char *what, const char *v,
			    char *msg, size_t len)
{
	if (!v[0] || strlen(v) >= 4096) {
		snprintf(msg, len, "%s: give the path of %s", key, what);
		return msg;
	}
	memcpy(field, v, strlen(v) + 1);
	return NULL;
}

static const char *set_tokens(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	return set_file(c->http_tokens, "http-tokens", "the token file (lines 'read TOKEN' or "
			"'admin TOKEN', mode 600)", v, msg, len);
}

static const char *set_cert(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	return set_file(c->http_tls_cert, "http-tls-cert", "a PEM certificate", v, msg, len);
}

static const char *set_tls_key(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	return set_file(c->http_tls_key, "http-tls-key", "a PEM private key (mode 600)", v, msg,
			len);
}

static const char *set_window(struct nxd_auth_config *c, const char *v, char *msg, size_t len)
{
	const struct nx_num spec = { "replay-window-ms", NX_NUM_COUNT, 100, 3600000, "5000" };
	uint64_t x;

	if (nx_parse_num(&spec, v, &x, msg, len) != NX_PARSE_OK)
		return msg;
	c->replay_window_ms = (uint32_t)x;
	return NULL;
}

static const struct {
	const char *key;
	const char *(*set)(struct nxd_auth_config *c, const char *v, char *msg, size_t len);
} auth_settings[] = {
	{ "auth", set_mode },
	{ "fleet-key", set_key },
	{ "auth-exempt", set_exempt },
	{ "replay-window-ms", set_window },
	{ "http-tokens", set_tokens },
	{ "http-tls-cert", set_cert },
	{ "http-tls-key", set_tls_key },
};

#define N_AUTH_SETTINGS (sizeof(auth_settings) / sizeof(auth_settings[0]))

bool auth_config_owns(const char *key)
{
	for (size_t i = 0; i < N_AUTH_SETTINGS; i++)
		if (strcmp(key, auth_settings[i].key) == 0)
			return true;
	return false;
}

const char *auth_config_set(struct nxd_auth_config *c, const char *key, const char *v,
			    char *msg, size_t len)
{
	for (size_t i = 0; i < N_AUTH_SETTINGS; i++)
		if (strcmp(key, auth_settings[i].key) == 0)
			return auth_settings[i].set(c, v, msg, len);
	snprintf(msg, len, "unknown setting '%s'", key);
	return msg;
}

const char *auth_config_check(struct nxd_auth_config *c, uint32_t quiet_ms, char *msg,
			      size_t len)
{
	if (c->mode != NXD_AUTH_OFF && !c->fleet_key[0]) {
		snprintf(msg, len, "auth = %s needs the fleet key: give 'fleet-key = PATH' (a "
			 "file made by 'netoopsctl key new', mode 600)",
			 c->mode == NXD_AUTH_REQUIRED ? "required" : "optional");
		return msg;
	}
	if (!c->http_tls_cert[0] != !c->http_tls_key[0]) {
		snprintf(msg, len, "TLS for the HTTP API needs both http-tls-cert and http-tls-key");
		return msg;
	}
	if (!c->replay_window_ms)
		c->replay_window_ms = quiet_ms / 2 ? quiet_ms / 2 : 1;
	return NULL;
}


/* Resolving configured targets and applying them to the module: target add, apply and watch share this. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netoops/wire.h>

#include "netoopsctl/ctlutil.h"
#include "netoopsctl/key.h"
#include "netoopsctl/target.h"

/* A numeric address as is, else the first address DNS gives for the name. */
static int lookup_host(const char *host, struct nx_addr *a, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	int rc;

	if (nx_addr_parse(host, a) == 0)
		return 0;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		nx_fail(err, errlen, "cannot resolve collector '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->family = res->ai_family;
	if (a->family == AF_INET)
		a->u.v4 = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	else
		a->u.v6 = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	freeaddrinfo(res);
	return 0;
}

int nx_target_resolve(const struct nx_conf_target *t, int timeout_ms,
		      struct nx_target_cfg *cfg, struct nx_path *path, char *err, size_t errlen)
{
	struct nx_addr dst;
	const unsigned char *m = path->mac;

	if (lookup_host(t->host, &dst, err, errlen) != 0 ||
	    nx_path_resolve(&dst, timeout_ms, path, err, errlen) != 0)
		return -1;
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", t->name);
	snprintf(cfg->dev_name, sizeof(cfg->dev_name), "%s", path->ifname);
	nx_addr_str(&path->src, cfg->local_ip);
	nx_addr_str(&path->dst, cfg->remote_ip);
	snprintf(cfg->remote_mac, sizeof(cfg->remote_mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	cfg->local_port = NETOOPS_DEFAULT_PORT;
	cfg->remote_port = t->port;
	return 0;
}

void nx_target_describe(const struct nx_target_cfg *cfg, const struct nx_path *path,
			char *buf, size_t len)
{
	char gw[INET6_ADDRSTRLEN];
	bool v6 = path->dst.family == AF_INET6;

	snprintf(buf, len, "%s %s -> %s%s%s:%u via %s %s (%s)", cfg->dev_name, cfg->local_ip,
		 v6 ? "[" : "", cfg->remote_ip, v6 ? "]" : "", cfg->remote_port,
		 path->via_gateway ? "gateway" : "direct link to", nx_addr_str(&path->next_hop, gw),
		 cfg->remote_mac);
}

static int apply_one(const struct nx_conf_target *t, bool quiet)
{
	struct nx_target_cfg cfg;
	struct nx_path path;
	char err[512], desc[256];
	bool changed;

	if (nx_target_resolve(t, NX_RESOLVE_TIMEOUT_MS, &cfg, &path, err, sizeof(err)) != 0 ||
	    nx_cfs_apply(&cfg, &changed, err, sizeof(err)) != 0 ||
	    (t->key[0] && nxctl_key_install(t->key, err, sizeof(err)) != 0)) {
		fprintf(stderr, "netoopsctl: target %s: %s\n", t->name, err);
		return -1;
	}
	nx_target_describe(&cfg, &path, desc, sizeof(desc));
	if (changed || !quiet)
		printf("target %s %s: %s\n", t->name, changed ? "configured" : "unchanged", desc);
	fflush(stdout);
	return 0;
}

int nx_targets_apply(const char *conf, bool quiet)
{
	static struct nx_conf c;
	char err[512];
	int failed = 0;

	if (nx_conf_load(conf, &c, err, sizeof(err)) != 0 || nx_cfs_ready(err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return -1;
	}
	if (c.n == 0 && !quiet)
		printf("no targets in %s (add one with: netoopsctl target add NAME --to HOST[:PORT])\n", conf);
	for (int i = 0; i < c.n; i++)
		failed += apply_one(&c.t[i], quiet) != 0;
	return failed;
}

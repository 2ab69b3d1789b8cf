/* The path to a collector as the kernel sees it: interface, source address, next hop and its MAC. */
#ifndef NXCTL_ROUTE_H
#define NXCTL_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct nx_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct nx_path {
	struct nx_addr dst;		/* the collector */
	struct nx_addr src;		/* the source address the kernel would pick */
	struct nx_addr next_hop;	/* the gateway, or dst itself when on-link */
	bool via_gateway;
	int ifindex;
	char ifname[IF_NAMESIZE];
	unsigned char mac[6];		/* the next hop's link-layer address */
};

/* Parse a numeric IPv4 or IPv6 address. Returns 0, or -1 if TEXT is not one. */
int nx_addr_parse(const char *text, struct nx_addr *out);

/* Format an address; BUF must hold INET6_ADDRSTRLEN bytes. Returns BUF. */
const char *nx_addr_str(const struct nx_addr *a, char *buf);

/*
 * Resolve the route to DST and the next hop's MAC, triggering neighbour
 * resolution (up to TIMEOUT_MS) when the entry is missing. Returns 0, or -1
 * with ERR holding a message that says what to fix.
 */
int nx_path_resolve(const struct nx_addr *dst, int timeout_ms, struct nx_path *out,
		    char *err, size_t errlen);

/*
 * Wait for a change of links, addresses, routes or neighbours (up to
 * TIMEOUT_MS, -1 = forever). Returns 1 on a change, 0 on timeout, -1 on error.
 * The first call subscribes; nx_watch_close() ends it.
 */
int nx_watch_wait(int timeout_ms);
void nx_watch_close(void);

#endif

/* Route and neighbour resolution over rtnetlink: the only file that includes libmnl. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netoops/wire.h>

#include "netoopsctl/ctlutil.h"
#include "netoopsctl/route.h"

/* A discard-port datagram makes the kernel resolve the next hop, like any first packet would. */
#define KICK_PORT	9
#define KICK_EVERY_MS	1000
#define POLL_EVERY_MS	50

#define NUD_VALID_MAC (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

int nx_addr_parse(const char *text, struct nx_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *nx_addr_str(const struct nx_addr *a, char *buf)
{
	if (!inet_ntop(a->family, &a->u, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static struct mnl_socket *nl_open(char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nx_fail(err, errlen, "cannot open a netlink socket: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/* Send one request and feed every reply to CB. Returns 0, or -1 with errno set. */
static int nl_talk(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	req->nlmsg_seq = (unsigned int)nx_now_ms();
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -1;
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)ret, req->nlmsg_seq, portid, cb, data);
	} while (ret > MNL_CB_STOP && (req->nlmsg_flags & NLM_F_DUMP));	/* a get has one reply */
	return ret < 0 ? -1 : 0;
}

/* ---- RTM_GETROUTE ------------------------------------------------------ */

struct route_reply {
	struct nx_path *path;
	unsigned char type;
	bool has_src, via_other_family;
};

static int route_attr(const struct nlattr *a, void *data)
{
	struct route_reply *r = data;
	struct nx_path *p = r->path;
	size_t len = addr_len(p->dst.family);

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			p->ifindex = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PREFSRC:
		if (mnl_attr_get_payload_len(a) == len) {
			memcpy(&p->src.u, mnl_attr_get_payload(a), len);
			r->has_src = true;
		}
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == len) {
			memcpy(&p->next_hop.u, mnl_attr_get_payload(a), len);
			p->via_gateway = true;
		}
		break;
	case RTA_VIA:
		r->via_other_family = true;
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_reply *r = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->type = rtm->rtm_type;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr, data);
}

static int get_route(struct mnl_socket *nl, struct nx_path *p, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_reply r = { .path = p };
	char a[INET6_ADDRSTRLEN];

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm->rtm_family = (unsigned char)p->dst.family;
	rtm->rtm_dst_len = (unsigned char)(addr_len(p->dst.family) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(p->dst.family), &p->dst.u);
	nx_addr_str(&p->dst, a);
	if (nl_talk(nl, nlh, route_cb, &r) < 0) {
		if (errno == ENETUNREACH || errno == EHOSTUNREACH || errno == ESRCH)
			nx_fail(err, errlen, "no route to %s: add one (ip route) or configure the network first", a);
		else
			nx_fail(err, errlen, "cannot look up the route to %s: %s", a, strerror(errno));
		return -1;
	}
	if (r.type == RTN_LOCAL) {
		nx_fail(err, errlen, "%s is an address of this machine: netoops sends to a remote collector", a);
		return -1;
	}
	if (r.type != RTN_UNICAST || p->ifindex <= 0) {
		nx_fail(err, errlen, "no route to %s (the route is unreachable, prohibit or blackhole)", a);
		return -1;
	}
	if (r.via_other_family) {
		nx_fail(err, errlen, "the route to %s goes through a gateway of the other address family, which netoops cannot use", a);
		return -1;
	}
	p->src.family = p->next_hop.family = p->dst.family;
	if (!p->via_gateway)
		p->next_hop.u = p->dst.u;
	return r.has_src ? 0 : 1;	/* 1: the caller must find the source address */
}

/* The source address a socket connected to DST gets: the kernel's own choice. */
static int source_by_connect(struct nx_path *p, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	int fd = socket(p->dst.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = -1;

	if (p->dst.family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(KICK_PORT);
		s->sin_addr = p->dst.u.v4;
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(KICK_PORT);
		s->sin6_addr = p->dst.u.v6;
		s->sin6_scope_id = (uint32_t)p->ifindex;
		sl = sizeof(*s);
	}
	if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
			if (p->dst.family == AF_INET)
				p->src.u.v4 = ((struct sockaddr_in *)&ss)->sin_addr;
			else
				p->src.u.v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
			ret = 0;
		}
	}
	if (ret < 0)
		nx_fail(err, errlen, "cannot find a source address for the collector: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* ---- RTM_GETLINK ------------------------------------------------------- */

struct link_reply {
	char *ifname;
	unsigned short type;
	unsigned int flags, mtu;
	bool found;
};

static int link_attr(const struct nlattr *a, void *data)
{
	struct link_reply *l = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
		snprintf(l->ifname, IF_NAMESIZE, "%s", mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		l->mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_reply *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	l->found = true;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr, data);
}

static int check_link(struct mnl_socket *nl, struct nx_path *p, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_reply l = { .ifname = p->ifname };
	unsigned int need = NETOOPS_MAX_DATAGRAM + 8 + (p->dst.family == AF_INET ? 20 : 40);

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = p->ifindex;
	if (nl_talk(nl, nlh, link_cb, &l) < 0 || !l.found) {
		nx_fail(err, errlen, "cannot read interface %d: %s", p->ifindex, strerror(errno));
		return -1;
	}
	if (l.type != ARPHRD_ETHER) {
		nx_fail(err, errlen, "interface %s is not Ethernet (link type %u): netoops sends Ethernet frames; route the collector through an Ethernet interface",
		     p->ifname, l.type);
		return -1;
	}
	if (!(l.flags & IFF_UP)) {
		nx_fail(err, errlen, "interface %s is down: ip link set %s up", p->ifname, p->ifname);
		return -1;
	}
	if (l.mtu && l.mtu < need) {
		nx_fail(err, errlen, "interface %s has MTU %u, netoops needs at least %u: ip link set %s mtu 1500",
			p->ifname, l.mtu, need, p->ifname);
		return -1;
	}
	if (l.flags & IFF_NOARP) {
		nx_fail(err, errlen, "interface %s has ARP disabled: netoops needs the next hop's MAC address", p->ifname);
		return -1;
	}
	return 0;
}

/* ---- RTM_GETNEIGH ------------------------------------------------------ */

struct neigh_reply {
	const struct nx_path *path;
	unsigned char mac[6];
	unsigned short state;
	bool found, has_mac;
};

struct neigh_attrs {
	const struct nlattr *dst, *lladdr;
};

static int neigh_attr(const struct nlattr *a, void *data)
{
	struct neigh_attrs *t = data;

	if (mnl_attr_get_type(a) == NDA_DST)
		t->dst = a;
	else if (mnl_attr_get_type(a) == NDA_LLADDR)
		t->lladdr = a;
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_reply *n = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nx_addr *hop = &n->path->next_hop;
	size_t len = addr_len(hop->family);
	struct neigh_attrs t = { 0 };

	if (nlh->nlmsg_type != RTM_NEWNEIGH || ndm->ndm_family != hop->family ||
	    ndm->ndm_ifindex != n->path->ifindex)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr, &t) < 0 || !t.dst ||
	    mnl_attr_get_payload_len(t.dst) != len ||
	    memcmp(mnl_attr_get_payload(t.dst), &hop->u, len) != 0)
		return MNL_CB_OK;
	n->found = true;
	n->state = ndm->ndm_state;
	n->has_mac = t.lladdr && mnl_attr_get_payload_len(t.lladdr) == 6;
	if (n->has_mac)
		memcpy(n->mac, mnl_attr_get_payload(t.lladdr), 6);
	return MNL_CB_OK;
}

/* Returns 1 if the table holds a usable MAC for the next hop, 0 if not (yet), -1 on error. */
static int get_neigh(struct mnl_socket *nl, struct nx_path *p, struct neigh_reply *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	static const unsigned char zero[6];

	memset(n, 0, sizeof(*n));
	n->path = p;
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndm->ndm_family = (unsigned char)p->next_hop.family;
	if (nl_talk(nl, nlh, neigh_cb, n) < 0)
		return -1;
	if (!n->found || !n->has_mac || !(n->state & NUD_VALID_MAC) ||
	    memcmp(n->mac, zero, 6) == 0)
		return 0;
	memcpy(p->mac, n->mac, 6);
	return 1;
}

/* Send an empty datagram towards the collector so that the kernel resolves the next hop. */
static void kick_neighbour(const struct nx_path *p)
{
	int fd = socket(p->dst.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (p->dst.family == AF_INET) {
		struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(KICK_PORT),
					 .sin_addr = p->dst.u.v4 };

		(void)!sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&s, sizeof(s));
	} else {
		struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(KICK_PORT),
					  .sin6_addr = p->dst.u.v6,
					  .sin6_scope_id = (uint32_t)p->ifindex };

		(void)!sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&s, sizeof(s));
	}
	close(fd);
}

static const char *nud_name(unsigned short state)
{
	if (state & NUD_INCOMPLETE)
		return "INCOMPLETE";
	if (state & NUD_FAILED)
		return "FAILED";
	if (state & NUD_NOARP)
		return "NOARP";
	return state ? "unusable" : "absent";
}

static int resolve_mac(struct mnl_socket *nl, struct nx_path *p, int timeout_ms,
		       char *err, size_t errlen)
{
	long long deadline = nx_now_ms() + timeout_ms, last_kick = 0;
	struct neigh_reply n;
	char a[INET6_ADDRSTRLEN];
	int got;

	while ((got = get_neigh(nl, p, &n)) == 0 && nx_now_ms() < deadline) {
		if (nx_now_ms() - last_kick >= KICK_EVERY_MS) {
			kick_neighbour(p);
			last_kick = nx_now_ms();
		}
		nx_sleep_ms(POLL_EVERY_MS);
	}
	if (got > 0)
		return 0;
	nx_addr_str(&p->next_hop, a);
	if (got < 0)
		nx_fail(err, errlen, "cannot read the neighbour table: %s", strerror(errno));
	else
		nx_fail(err, errlen, "the %s %s on %s did not answer %s within %d ms (neighbour entry %s): check that it is up and on that link",
		     p->via_gateway ? "gateway" : "collector", a, p->ifname,
		     p->next_hop.family == AF_INET ? "ARP" : "neighbour discovery",
		     timeout_ms, nud_name(n.state));
	return -1;
}

int nx_path_resolve(const struct nx_addr *dst, int timeout_ms, struct nx_path *out,
		    char *err, size_t errlen)
{
	struct mnl_socket *nl = nl_open(err, errlen);
	int ret;

	if (!nl)
		return -1;
	memset(out, 0, sizeof(*out));
	out->dst = *dst;
	ret = get_route(nl, out, err, errlen);
	if (ret == 1)
		ret = source_by_connect(out, err, errlen);
	if (ret == 0)
		ret = check_link(nl, out, err, errlen);
	if (ret == 0)
		ret = resolve_mac(nl, out, timeout_ms, err, errlen);
	mnl_socket_close(nl);
	return ret;
}

/* ---- change notifications --------------------------------------------- */

static struct mnl_socket *watch_nl;

static int watch_open(void)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			      RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;

	watch_nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!watch_nl)
		return -1;
	if (mnl_socket_bind(watch_nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		nx_watch_close();
		return -1;
	}
	return 0;
}

int nx_watch_wait(int timeout_ms)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct pollfd pfd;
	int ret;

	if (!watch_nl && watch_open() < 0)
		return -1;
	pfd.fd = mnl_socket_get_fd(watch_nl);
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret < 0 && errno != EINTR ? -1 : 0;
	/* Drain: one change is enough to re-resolve; ENOBUFS (overrun) means changes too. */
	while (mnl_socket_recvfrom(watch_nl, buf, sizeof(buf)) > 0 || errno == ENOBUFS)
		;
	return 1;
}

void nx_watch_close(void)
{
	if (watch_nl)
		mnl_socket_close(watch_nl);
	watch_nl = NULL;
}

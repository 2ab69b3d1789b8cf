/* UDP listening sockets and batched receive (recvmmsg) with loss accounting. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netoopsd/listener.h"
#include "netoopsd/log.h"

struct nxd_rx_batch {
	unsigned size;
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_storage *src;
	uint8_t (*bufs)[NXD_RX_BUF];
	char (*ctrl)[CMSG_SPACE(sizeof(uint32_t))];
	char (*text)[NXD_SOURCE_TEXT];	/* source texts, one per change of sender */
	unsigned used;			/* slots the last recvmmsg filled: to be reset */
};

static void prepare_slot(struct nxd_rx_batch *b, unsigned i)
{
	struct msghdr *h = &b->msgs[i].msg_hdr;

	h->msg_namelen = sizeof(b->src[i]);
	h->msg_controllen = sizeof(b->ctrl[i]);
	h->msg_flags = 0;
}

/* Once: each slot's buffer, address and control space (recvmmsg leaves the pointers alone). */
static void prepare_all(struct nxd_rx_batch *b)
{
	for (unsigned i = 0; i < b->size; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->bufs[i];
		b->iov[i].iov_len = NXD_RX_BUF;
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &b->src[i];
		h->msg_control = b->ctrl[i];
		prepare_slot(b, i);
	}
}

struct nxd_rx_batch *rx_batch_new(unsigned size)
{
	struct nxd_rx_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->size = size;
	b->msgs = calloc(size, sizeof(*b->msgs));
	b->iov = calloc(size, sizeof(*b->iov));
	b->src = calloc(size, sizeof(*b->src));
	b->bufs = calloc(size, sizeof(*b->bufs));
	b->ctrl = calloc(size, sizeof(*b->ctrl));
	b->text = calloc(size, sizeof(*b->text));
	if (!b->msgs || !b->iov || !b->src || !b->bufs || !b->ctrl || !b->text) {
		rx_batch_free(b);
		return NULL;
	}
	prepare_all(b);
	return b;
}

void rx_batch_free(struct nxd_rx_batch *b)
{
	if (!b)
		return;
	free(b->msgs);
	free(b->iov);
	free(b->src);
	free(b->bufs);
	free(b->ctrl);
	free(b->text);
	free(b);
}

/* As much buffer as we may have: FORCE ignores rmem_max but needs CAP_NET_ADMIN. */
static void grow_rcvbuf(struct nxd_listener *l, int bytes)
{
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return;
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		log_warn("listen %s: cannot set the receive buffer to %d bytes (%s); keeping "
			 "the default, bursts may overflow it", l->addr.text, bytes, strerror(errno));
}

/*
 * The kernel's drop count comes with each datagram (SO_RXQ_OVFL). Without
 * it socket_overflow would read 0 however much is lost: say so, and let
 * the counters say so (socket_overflow_unmeasured).
 */
static void ask_overflow_count(struct nxd_listener *l)
{
	int one = 1;

	l->ovfl_measured = setsockopt(l->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) == 0;
	if (!l->ovfl_measured)
		log_warn("listen %s: SO_RXQ_OVFL: %s; datagrams the kernel drops on this socket "
			 "are not counted (socket_overflow_unmeasured)", l->addr.text,
			 strerror(errno));
}

/* [::] then means IPv6 only, so 0.0.0.0 and [::] can both be listed. */
static int set_v6only(struct nxd_listener *l, char *msg, size_t msglen)
{
	int one = 1;

	if (l->addr.ss.ss_family != AF_INET6 ||
	    setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0)
		return 0;
	snprintf(msg, msglen, "listen %s: cannot make the socket IPv6-only (IPV6_V6ONLY: %s); "
		 "it would take IPv4 traffic too: listen on an IPv4 address instead, or fix "
		 "the system's IPv6 support", l->addr.text, strerror(errno));
	return -1;
}

int listener_rcvbuf(const struct nxd_listener *l)
{
	int v = 0;
	socklen_t len = sizeof(v);

	getsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
	return v;
}

int listener_open(struct nxd_listener *l, const struct nxd_addr *a, int rcvbuf,
		  char *msg, size_t msglen)
{
	memset(l, 0, sizeof(*l));
	l->addr = *a;
	l->fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(msg, msglen, "listen %s: socket: %s", a->text, strerror(errno));
		return -1;
	}
	if (set_v6only(l, msg, msglen) < 0) {
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	ask_overflow_count(l);
	grow_rcvbuf(l, rcvbuf);
	if (bind(l->fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		snprintf(msg, msglen, "listen %s: cannot bind: %s%s", a->text, strerror(errno),
			 errno == EADDRINUSE ? " (another collector or syslog daemon "
			 "is using this port; choose another with --listen)" : "");
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	return 0;
}

void listener_close(struct nxd_listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static void format_source(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, len, "%s:%u", ip, ntohs(s4->sin_port));
	}
}

/*
 * DROPS is a reading of the socket's cumulative drop count (it wraps at
 * 2^32). Datagrams carry the count as it was when they were queued, so a
 * reading may be older than the last one: only a newer one counts.
 */
static void advance_drops(struct nxd_listener *l, uint32_t drops, struct nxd_rx_counters *c)
{
	int32_t d = (int32_t)(drops - l->ovfl_seen);

	if (d > 0) {
		c->socket_overflow += (uint32_t)d;
		l->ovfl_seen = drops;
	}
}

/* The kernel reports the socket's cumulative drop count with each datagram. */
static void note_overflow(struct nxd_listener *l, struct msghdr *h,
			  struct nxd_rx_counters *c)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		uint32_t drops;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
		advance_drops(l, drops, c);
	}
}

bool listener_poll(struct nxd_listener *l, unsigned fill, struct nxd_rx_counters *c)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (getsockopt(l->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mi[0]))
		return false;
	advance_drops(l, mi[SK_MEMINFO_DROPS], c);
	return (uint64_t)mi[SK_MEMINFO_RMEM_ALLOC] * fill > mi[SK_MEMINFO_RCVBUF];
}

/*
 * The text of slot I's sender: formatted only when the sender changes
 * (senders come in bursts); else the previous slot's text, or, for the
 * first slot, the last batch's (copied in, so the pointers stay valid).
 */
static const char *source_of(struct nxd_listener *l, struct nxd_rx_batch *b, unsigned i,
			     const char *prev)
{
	socklen_t len = b->msgs[i].msg_hdr.msg_namelen;

	if (len == l->last_len && !memcmp(&b->src[i], &l->last_src, len)) {
		if (prev)
			return prev;
		memcpy(b->text[i], l->last_text, sizeof(b->text[i]));
		return b->text[i];
	}
	memcpy(&l->last_src, &b->src[i], len);
	l->last_len = len;
	format_source(&b->src[i], b->text[i], sizeof(b->text[i]));
	memcpy(l->last_text, b->text[i], sizeof(l->last_text));
	return b->text[i];
}

size_t listener_receive(struct nxd_listener *l, struct nxd_rx_batch *b,
			struct nxd_datagram *out, struct nxd_rx_counters *c)
{
	const char *prev = NULL;
	size_t n = 0;
	int got;

	for (unsigned i = 0; i < b->used; i++)
		prepare_slot(b, i);
	got = recvmmsg(l->fd, b->msgs, b->size, MSG_DONTWAIT, NULL);
	b->used = got > 0 ? (unsigned)got : 0;
	if (got < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			c->recv_errors++;
		return 0;
	}
	for (int i = 0; i < got; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		c->datagrams++;
		note_overflow(l, h, c);
		if (h->msg_flags & MSG_TRUNC) {
			c->truncated++;
			continue;
		}
		out[n].buf = b->bufs[i];
		out[n].len = b->msgs[i].msg_len;
		out[n].source = prev = source_of(l, b, (unsigned)i, prev);
		n++;
	}
	return n;
}

/* UDP listening sockets and batched receive (recvmmsg) with loss accounting. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
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

/* Several sockets on one address (one per receive thread): the kernel spreads the datagrams. */
static int set_reuseport(struct nxd_listener *l, char *msg, size_t msglen)
{
	int one = 1;

	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0)
		return 0;
	snprintf(msg, msglen, "listen %s: SO_REUSEPORT: %s; set receive-threads = 1",
		 l->addr.text, strerror(errno));
	return -1;
}

int listener_open(struct nxd_listener *l, const struct nxd_addr *a, int rcvbuf, bool reuseport,
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
	if (reuseport && set_reuseport(l, msg, msglen) < 0) {
		close(l->fd);
		l->fd = -1;
		return -1;
	}
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

/*
 * The sharding program (classic BPF, run by the kernel on each datagram's
 * UDP payload to pick a socket of the reuseport group). Datagrams that start
 * "NETOOPS" + a kind letter + " " go to socket hash(host) % N, the host being
 * the next field (at most NETOOPS_MAX_HOST bytes, up to a space): every kind
 * of datagram of one dump meets in one thread, whatever port or address it
 * came from. Anything else (legacy v3, netconsole) returns an index past the
 * group, which makes the kernel fall back to its own hash of the 4-tuple:
 * those formats' dumps are keyed by the sender's address and port anyway.
 * The hash is FNV-1a seeded with a secret, then mixed.
 */
#define SHARD_HOST_MAX	64	/* NETOOPS_MAX_HOST */
#define SHARD_HOST_AT	9	/* "NETOOPS1 " */
#define SHARD_BY_KERNEL	0xffffffffu
#define SHARD_HOST_COST	11	/* instructions per host byte (prog_hash_byte) */
#define SHARD_PROG_MAX	NXD_SHARD_PROG_MAX	/* 17 + SHARD_HOST_MAX * SHARD_HOST_COST + 10 */

#define ST(code, k)		((struct sock_filter)BPF_STMT(code, k))
#define JMP(code, k, t, f)	((struct sock_filter)BPF_JUMP(code, k, t, f))

/* A = len; unless A >= MIN, return SHARD_BY_KERNEL. */
static size_t prog_need(struct sock_filter *p, size_t n, uint32_t min)
{
	p[n++] = ST(BPF_LD | BPF_W | BPF_LEN, 0);
	p[n++] = JMP(BPF_JMP | BPF_JGE | BPF_K, min, 1, 0);
	p[n++] = ST(BPF_RET | BPF_K, SHARD_BY_KERNEL);
	return n;
}

/* Load SIZE at OFF; unless it equals V, return SHARD_BY_KERNEL. */
static size_t prog_expect(struct sock_filter *p, size_t n, uint32_t size, uint32_t off, uint32_t v)
{
	p[n++] = ST(BPF_LD | size | BPF_ABS, off);
	p[n++] = JMP(BPF_JMP | BPF_JEQ | BPF_K, v, 1, 0);
	p[n++] = ST(BPF_RET | BPF_K, SHARD_BY_KERNEL);
	return n;
}

/* Hash byte OFF into M[0], unless the datagram ends or the host does: then jump to DONE. */
static size_t prog_hash_byte(struct sock_filter *p, size_t n, uint32_t off, size_t done)
{
	p[n++] = ST(BPF_LD | BPF_W | BPF_LEN, 0);
	p[n++] = JMP(BPF_JMP | BPF_JGT | BPF_K, off, 1, 0);
	p[n] = ST(BPF_JMP | BPF_JA, (uint32_t)(done - n - 1)), n++;
	p[n++] = ST(BPF_LD | BPF_B | BPF_ABS, off);
	p[n++] = JMP(BPF_JMP | BPF_JEQ | BPF_K, ' ', 0, 1);
	p[n] = ST(BPF_JMP | BPF_JA, (uint32_t)(done - n - 1)), n++;
	p[n++] = ST(BPF_MISC | BPF_TAX, 0);
	p[n++] = ST(BPF_LD | BPF_MEM, 0);
	p[n++] = ST(BPF_ALU | BPF_XOR | BPF_X, 0);
	p[n++] = ST(BPF_ALU | BPF_MUL | BPF_K, 16777619u);
	p[n++] = ST(BPF_ST, 0);
	return n;
}

/* A = M[0] mixed (x ^= x >> 16; x *= c; x ^= x >> 16), return A % SHARDS. */
static size_t prog_finish(struct sock_filter *p, size_t n, unsigned shards)
{
	p[n++] = ST(BPF_LD | BPF_MEM, 0);
	for (int round = 0; round < 2; round++) {
		p[n++] = ST(BPF_MISC | BPF_TAX, 0);
		p[n++] = ST(BPF_ALU | BPF_RSH | BPF_K, 16);
		p[n++] = ST(BPF_ALU | BPF_XOR | BPF_X, 0);
		if (round == 0)
			p[n++] = ST(BPF_ALU | BPF_MUL | BPF_K, 0x45d9f3bu);
	}
	p[n++] = ST(BPF_ALU | BPF_MOD | BPF_K, shards);
	p[n++] = ST(BPF_RET | BPF_A, 0);
	return n;
}

size_t listener_shard_prog(struct sock_filter *p, unsigned shards, uint32_t seed)
{
	size_t n = 0, done;

	n = prog_need(p, n, SHARD_HOST_AT + 1);
	n = prog_expect(p, n, BPF_W, 0, 0x4e45544fu);	/* "NETO" */
	n = prog_expect(p, n, BPF_H, 4, 0x4f50u);	/* "OP" */
	n = prog_expect(p, n, BPF_B, 6, 'S');
	n = prog_expect(p, n, BPF_B, 8, ' ');
	p[n++] = ST(BPF_LD | BPF_IMM, seed);
	p[n++] = ST(BPF_ST, 0);
	done = n + SHARD_HOST_MAX * SHARD_HOST_COST;
	for (uint32_t i = 0; i < SHARD_HOST_MAX; i++)
		n = prog_hash_byte(p, n, SHARD_HOST_AT + i, done);
	return prog_finish(p, n, shards);
}

int listener_shard(struct nxd_listener *l, unsigned shards, uint32_t seed, char *msg,
		   size_t msglen)
{
	struct sock_filter prog[SHARD_PROG_MAX];
	struct sock_fprog fp = { .filter = prog };

	fp.len = (unsigned short)listener_shard_prog(prog, shards, seed);
	assert(fp.len <= SHARD_PROG_MAX);
	if (setsockopt(l->fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fp, sizeof(fp)) == 0)
		return 0;
	snprintf(msg, msglen, "listen %s: cannot shard datagrams by dump between the receive "
		 "threads (SO_ATTACH_REUSEPORT_CBPF: %s); set receive-threads = 1", l->addr.text,
		 strerror(errno));
	return -1;
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

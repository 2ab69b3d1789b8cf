/* The HTTP API's front door: accepting, per-address and total limits, the request deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netoopsd/http_int.h"
#include "netoopsd/log.h"

/*
 * A new connection stays here until its whole request head has arrived
 * (peeked, not read: libmicrohttpd reads it afterwards) and passed
 * nxd_http_gate(); only then does libmicrohttpd get it. Whatever trickles
 * in, the head must be complete NXD_HTTP_DEADLINE_S after accept. Refusals
 * are answered here as JSON, then the input is drained until the client
 * closes (at most LINGER_MS), so that the answer is not lost to a reset.
 */

#define LINGER_MS	1000

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SA's address alone, so that connections from one host compare equal. */
static void ip_of(const struct sockaddr *sa, struct sockaddr_storage *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->ss_family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)ip)->sin_addr = ((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)ip)->sin6_addr =
			((const struct sockaddr_in6 *)sa)->sin6_addr;
}

/* The peer entry of SA (made if CREATE and there is room), or NULL. Call with h->lock held. */
static struct nxd_peer *peer(struct nxd_http *h, const struct sockaddr *sa, bool create)
{
	struct sockaddr_storage ip;
	struct nxd_peer *free_slot = NULL;

	ip_of(sa, &ip);
	for (size_t i = 0; i < NXD_GATE_SLOTS; i++) {
		struct nxd_peer *p = &h->peers[i];

		if (p->used && memcmp(&p->ip, &ip, sizeof(ip)) == 0)
			return p;
		if (!p->used && !free_slot)
			free_slot = p;
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct nxd_peer){ .ip = ip, .used = true };
	return free_slot;
}

static void peer_release(struct nxd_peer *p)
{
	if (!p->waiting && !p->active)
		p->used = false;
}

void http_peer_active(struct nxd_http *h, const struct sockaddr *sa, bool up)
{
	struct nxd_peer *p;

	pthread_mutex_lock(&h->lock);
	if ((p = peer(h, sa, up)) && (up || p->active)) {
		p->active += up ? 1 : -1u;
		h->total += up ? 1 : -1u;
		peer_release(p);
	}
	pthread_mutex_unlock(&h->lock);
}

/* A connection the gate held is no longer waiting for its head. */
static void peer_done_waiting(struct nxd_http *h, const struct nxd_gate_conn *c)
{
	struct nxd_peer *p;

	pthread_mutex_lock(&h->lock);
	if ((p = peer(h, (const struct sockaddr *)&c->ss, false)) && p->waiting) {
		p->waiting--;
		h->total--;
		peer_release(p);
	}
	pthread_mutex_unlock(&h->lock);
}

static void set_lowat(int fd, int bytes)
{
	/* poll() reports the socket readable only once more than what was peeked is there */
	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes));
}

static void drop(struct nxd_http *h, size_t i)
{
	close(h->conns[i].fd);
	h->conns[i] = h->conns[--h->n_conns];
}

/* Answer STATUS {"error": MSG} on FD, then drain it in slot I (or just close it if I is -1). */
static void refuse_fd(struct nxd_http *h, int fd, long i, unsigned status, const char *msg)
{
	char resp[1024];
	size_t n = nxd_http_error_response(status, msg, resp, sizeof(resp));

	log_debug("http: refused a connection: %u %s", status, msg);
	(void)!send(fd, resp, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	if (i < 0) {
		close(fd);
		return;
	}
	set_lowat(fd, 1);
	h->conns[i].closing = true;
	h->conns[i].deadline_ms = mono_ms() + LINGER_MS;
}

static void refuse_waiting(struct nxd_http *h, size_t i, unsigned status, const char *msg)
{
	peer_done_waiting(h, &h->conns[i]);
	refuse_fd(h, h->conns[i].fd, (long)i, status, msg);
}

/* Slot I's head may have grown: check it, hand it over, refuse it, or wait for more. */
static void head_arrived(struct nxd_http *h, size_t i, bool eof)
{
	struct nxd_gate_conn *c = &h->conns[i];
	char buf[NXD_HTTP_HEAD_MAX + 1], msg[256];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	unsigned status = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {			/* gone before asking anything */
		peer_done_waiting(h, c);
		drop(h, i);
		return;
	}
	/* TLS: the head is encrypted; libmicrohttpd's own timeout bounds the handshake. */
	if (h->tls_cert) {
		set_lowat(c->fd, 1);
		peer_done_waiting(h, c);
		http_hand_over(h, c->fd, (const struct sockaddr *)&c->ss, c->len);
		h->conns[i] = h->conns[--h->n_conns];
		return;
	}
	switch (nxd_http_gate(buf, (size_t)n, eof, &status, msg, sizeof(msg))) {
	case NXD_GATE_MORE:
		set_lowat(c->fd, (int)n + 1);
		break;
	case NXD_GATE_REFUSE:
		refuse_waiting(h, i, status, msg);
		break;
	case NXD_GATE_OK:
		set_lowat(c->fd, 1);
		peer_done_waiting(h, c);
		http_hand_over(h, c->fd, (const struct sockaddr *)&c->ss, c->len);
		h->conns[i] = h->conns[--h->n_conns];
		break;
	}
}

/* A refused connection: read and discard until EOF. */
static void drain(struct nxd_http *h, size_t i)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(h->conns[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		drop(h, i);
}

/* Count a new connection from SA: NULL, or why it is refused. */
static const char *admit(struct nxd_http *h, const struct sockaddr *sa)
{
	const char *why = NULL;
	struct nxd_peer *p;

	pthread_mutex_lock(&h->lock);
	if (h->total >= NXD_HTTP_MAX_CONNECTIONS || h->n_conns >= NXD_GATE_SLOTS ||
	    !(p = peer(h, sa, true)))
		why = "too many connections at once; retry in a few seconds";
	else if (p->waiting + p->active >= NXD_HTTP_PER_ADDRESS)
		why = "too many connections from your address at once (at most 8)";
	else {
		p->waiting++;
		h->total++;
	}
	pthread_mutex_unlock(&h->lock);
	return why;
}

static void accept_new(struct nxd_http *h)
{
	for (int k = 0; k < 64; k++) {
		struct nxd_gate_conn c = { .len = sizeof(c.ss) };
		const char *why;

		c.fd = accept4(h->listen_fd, (struct sockaddr *)&c.ss, &c.len,
			       SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c.fd < 0)
			return;
		if ((why = admit(h, (struct sockaddr *)&c.ss)) != NULL) {
			long slot = h->n_conns < NXD_GATE_SLOTS ? (long)h->n_conns : -1;

			if (slot >= 0)
				h->conns[h->n_conns++] = c;
			refuse_fd(h, c.fd, slot, 503, why);
			continue;
		}
		c.deadline_ms = mono_ms() + NXD_HTTP_DEADLINE_S * 1000;
		h->conns[h->n_conns++] = c;
	}
}

/* Deadlines passed: a head still incomplete gets 408, a drained refusal is closed. */
static void expire(struct nxd_http *h, int64_t now)
{
	for (size_t i = h->n_conns; i-- > 0;) {
		if (h->conns[i].deadline_ms > now)
			continue;
		if (h->conns[i].closing)
			drop(h, i);
		else
			refuse_waiting(h, i, 408, "the request head did not arrive within 5 s "
				       "of connecting");
	}
}

/* One poll() round over the wake-up, the listening socket and the gate's connections. */
static bool gate_round(struct nxd_http *h)
{
	struct pollfd pfd[2 + NXD_GATE_SLOTS];
	int64_t now = mono_ms(), next = now + 1000;
	size_t n = h->n_conns;

	pfd[0] = (struct pollfd){ .fd = h->wake_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
	for (size_t i = 0; i < n; i++) {
		pfd[2 + i] = (struct pollfd){ .fd = h->conns[i].fd, .events = POLLIN | POLLRDHUP };
		if (h->conns[i].deadline_ms < next)
			next = h->conns[i].deadline_ms;
	}
	if (poll(pfd, 2 + n, next > now ? (int)(next - now) : 0) < 0 && errno != EINTR)
		return false;
	if (pfd[0].revents)
		return false;
	for (size_t i = n; i-- > 0;) {	/* backwards: removing swaps the last slot in */
		short ev = pfd[2 + i].revents;

		if (!ev)
			continue;
		if (h->conns[i].closing)
			drain(h, i);
		else
			head_arrived(h, i, ev & (POLLRDHUP | POLLHUP | POLLERR));
	}
	expire(h, mono_ms());
	if (pfd[1].revents & POLLIN)
		accept_new(h);
	return true;
}

void *http_gate_main(void *arg)
{
	struct nxd_http *h = arg;

	while (gate_round(h))
		;
	return NULL;
}

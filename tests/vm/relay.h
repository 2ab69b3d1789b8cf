/* tests/vm: what the relays of QEMU's socket backend share: addresses and the UDP payload of a frame. */
#ifndef NETOOPS_VM_RELAY_H
#define NETOOPS_VM_RELAY_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static inline unsigned int be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* The UDP payload of an IPv4 UDP packet at @ip (@len bytes), or NULL. */
static inline const unsigned char *udp_payload(const unsigned char *ip, size_t len, size_t *plen)
{
	size_t ihl, ulen;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP)
		return NULL;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8)
		return NULL;
	ulen = be16(ip + ihl + 4);
	if (ulen < 8 || ihl + ulen > len)
		return NULL;
	*plen = ulen - 8;
	return ip + ihl + 8;
}

static volatile sig_atomic_t relay_stop;

static inline void relay_on_term(int sig)
{
	(void)sig;
	relay_stop = 1;
}

/*
 * Receive QEMU's frames on LISTEN (one per datagram) and hand each to FN,
 * until SIGTERM/SIGINT or TIMEOUT seconds; OUT is a socket for FN to send
 * from. Returns 0, or 1 when the sockets cannot be set up.
 */
static inline int relay_loop(const char *name, const struct sockaddr_in *listen, unsigned int timeout,
			     void (*fn)(const unsigned char *f, size_t len, int out, void *ctx),
			     void *ctx)
{
	static unsigned char frame[65536];
	int in = socket(AF_INET, SOCK_DGRAM, 0), out = socket(AF_INET, SOCK_DGRAM, 0);
	int rcvbuf = 16 << 20;
	struct timeval tv = { .tv_sec = 1 };
	time_t until;

	if (in < 0 || out < 0 ||
	    setsockopt(in, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    setsockopt(in, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(in, (const struct sockaddr *)listen, sizeof(*listen))) {
		fprintf(stderr, "%s: socket: %s\n", name, strerror(errno));
		return 1;
	}
	signal(SIGTERM, relay_on_term);
	signal(SIGINT, relay_on_term);
	until = time(NULL) + timeout;
	while (!relay_stop && time(NULL) < until) {
		ssize_t n = recv(in, frame, sizeof(frame), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "%s: recv: %s\n", name, strerror(errno));
			break;
		}
		fn(frame, (size_t)n, out, ctx);
	}
	return 0;
}

#endif

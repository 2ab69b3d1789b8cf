/* UDP listening sockets and batched receive (recvmmsg) with loss accounting. */
#ifndef NXD_LISTENER_H
#define NXD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netoopsd/config.h"

/* Larger than any datagram of a supported format; longer ones are truncated and counted. */
#define NXD_RX_BUF	4096
#define NXD_MAX_BATCH	1024
#define NXD_SOURCE_TEXT	64	/* "ip:port" or "[ip6]:port", NUL-terminated */

struct nxd_listener {
	int fd;
	struct nxd_addr addr;
	uint32_t ovfl_seen;	/* last SO_RXQ_OVFL value: the kernel's drop count */
	bool ovfl_measured;	/* SO_RXQ_OVFL was accepted */
	/* The last sender's address and its text: senders come in bursts. */
	struct sockaddr_storage last_src;
	socklen_t last_len;
	char last_text[NXD_SOURCE_TEXT];
};

struct nxd_rx_counters {
	uint64_t datagrams;
	uint64_t socket_overflow;	/* dropped by the kernel: receive buffer full */
	uint64_t truncated;		/* longer than NXD_RX_BUF */
	uint64_t recv_errors;
	uint64_t overflow_unmeasured;	/* sockets whose drops cannot be counted (no SO_RXQ_OVFL) */
};

/* One received datagram, valid until the next listener_receive(). */
struct nxd_datagram {
	const uint8_t *buf;
	size_t len;
	const char *source;		/* "ip:port" or "[ip6]:port", in the batch */
};

struct nxd_rx_batch;

struct nxd_rx_batch *rx_batch_new(unsigned size);
void rx_batch_free(struct nxd_rx_batch *b);

/*
 * Bind a non-blocking UDP socket to A with a receive buffer of RCVBUF bytes
 * (SO_RCVBUFFORCE when allowed, else as much as rmem_max permits); REUSEPORT:
 * one of several sockets on A (SO_REUSEPORT, one per receive thread).
 * Returns 0, or -1 with MSG saying what failed.
 */
int listener_open(struct nxd_listener *l, const struct nxd_addr *a, int rcvbuf, bool reuseport,
		  char *msg, size_t msglen);

/*
 * Shard L's reuseport group of SHARDS sockets (bound in order: socket i is
 * shard i) by dump identity: netoops datagrams by host (hashed with SEED),
 * other formats by the kernel's hash of the sender's address and port.
 * Returns 0, or -1 with MSG.
 */
int listener_shard(struct nxd_listener *l, unsigned shards, uint32_t seed, char *msg,
		   size_t msglen);

struct sock_filter;
/* The sharding program into P (room for NXD_SHARD_PROG_MAX instructions); returns its length. */
#define NXD_SHARD_PROG_MAX 731
size_t listener_shard_prog(struct sock_filter *p, unsigned shards, uint32_t seed);
void listener_close(struct nxd_listener *l);

/*
 * Receive up to a batch of datagrams from L without blocking. Returns the
 * number received (0 when none is waiting); OUT[i] point into B. Truncated
 * datagrams are counted in C and not returned.
 */
size_t listener_receive(struct nxd_listener *l, struct nxd_rx_batch *b,
			struct nxd_datagram *out, struct nxd_rx_counters *c);

/*
 * Look at L's receive queue: count into C the datagrams the kernel dropped
 * since the last look (also those after the last datagram, which no
 * datagram reports); true when the queue is more than 1/FILL full.
 */
bool listener_poll(struct nxd_listener *l, unsigned fill, struct nxd_rx_counters *c);

/* The receive buffer the kernel actually granted to L, in bytes. */
int listener_rcvbuf(const struct nxd_listener *l);

#endif

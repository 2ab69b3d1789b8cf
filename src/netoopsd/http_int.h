/* Private parts of the HTTP API shared by http.c (libmicrohttpd) and http_gate.c (accepting, deadlines). */
#ifndef NXD_HTTP_INT_H
#define NXD_HTTP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "netoopsd/http.h"

#define NXD_GATE_SLOTS	(2 * NXD_HTTP_MAX_CONNECTIONS)	/* waiting for a head, or closing */

/* A client address (the port does not count) and its connections. */
struct nxd_peer {
	struct sockaddr_storage ip;
	unsigned waiting;	/* in the gate, head not complete yet */
	unsigned active;	/* handed to libmicrohttpd */
	bool used;
};

/* A connection in the gate: its head is awaited until DEADLINE, or it is being closed. */
struct nxd_gate_conn {
	int fd;
	struct sockaddr_storage ss;
	socklen_t len;
	int64_t deadline_ms;	/* CLOCK_MONOTONIC */
	bool closing;		/* refused: the answer is sent, input drained until EOF */
};

struct nxd_http {
	struct MHD_Daemon *mhd;
	struct nx_store *store;		/* used only by libmicrohttpd's one thread */
	size_t budget, used;		/* answers in flight; libmicrohttpd's thread only */
	int listen_fd, wake_fd;
	pthread_t gate;
	bool gate_running;
	struct nxd_gate_conn conns[NXD_GATE_SLOTS];	/* the gate thread's own */
	size_t n_conns;
	/*
	 * The gate thread counts connections it holds, libmicrohttpd's thread
	 * those it was handed (its connection notifications): LOCK guards the
	 * table and totals both threads update.
	 */
	pthread_mutex_t lock;
	struct nxd_peer peers[NXD_GATE_SLOTS];
	unsigned total;
};

/* Accept on H->listen_fd until H->wake_fd is written; the gate thread. */
void *http_gate_main(void *h);

/* libmicrohttpd's thread: a connection handed to it starts (UP) or ends. */
void http_peer_active(struct nxd_http *h, const struct sockaddr *sa, bool up);

/* Hand FD (its head complete and checked) to libmicrohttpd; closes it on failure. */
void http_hand_over(struct nxd_http *h, int fd, const struct sockaddr *sa, socklen_t len);

#endif

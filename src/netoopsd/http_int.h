/* Private parts of the HTTP API shared by http.c, http_gate.c and http_worker.c. */
#ifndef NXD_HTTP_INT_H
#define NXD_HTTP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "netoopsd/http.h"
#include "netoopsd/http_auth.h"

/* Connections the gate holds: waiting for a head, or closing. */
#define NXD_GATE_SLOTS	(2 * NXD_HTTP_MAX_CONNECTIONS)

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

/* An answer being sent, and the API it is accounted to. */
struct nxd_flight {
	struct nxd_http *h;
	struct nxd_answer a;
	size_t charged;
};

/* A request for one dump, answered by the worker while its connection is suspended. */
struct nxd_job {
	struct MHD_Connection *c;
	struct nxd_api_arg args[NXD_HTTP_MAX_ARGS];
	struct nxd_api_req req;
	struct nxd_flight *f;		/* the answer, once made; NULL after it is queued */
	struct nxd_job *next;
};

struct nxd_http {
	struct MHD_Daemon *mhd;
	struct nxd_tokens *tokens;	/* http-tokens; NULL: none (read only after start) */
	char *tls_cert, *tls_key;	/* PEM, when serving TLS (libmicrohttpd keeps pointers) */
	struct nx_store *store;		/* used only by libmicrohttpd's one thread */
	struct nx_store *wstore;	/* used only by the worker */
	size_t budget, used;		/* answers in flight; under LOCK */
	int listen_fd, wake_fd;
	pthread_t worker;
	bool worker_running, worker_stop;
	pthread_cond_t jobs_cond;	/* with jobs_lock: a job was queued, or stop */
	pthread_mutex_t jobs_lock;	/* guards jobs and worker_stop */
	struct nxd_job *jobs;
	pthread_t gate;
	bool gate_running;
	struct nxd_gate_conn conns[NXD_GATE_SLOTS];	/* the gate thread's own */
	size_t n_conns;
	/*
	 * The gate thread counts connections it holds, libmicrohttpd's thread
	 * those it was handed (its connection notifications); that thread and
	 * the worker charge answers to the budget: LOCK guards the table, the
	 * totals and USED, which those threads update.
	 */
	pthread_mutex_t lock;
	struct nxd_peer peers[NXD_GATE_SLOTS];
	unsigned total;
};

/* Accept on H->listen_fd until H->wake_fd is written; the gate thread. */
void *http_gate_main(void *h);

/* libmicrohttpd's thread: a connection handed to it starts (UP) or ends. */
void http_peer_active(struct nxd_http *h, const struct sockaddr *sa, bool up);

/* libmicrohttpd's free callback of a response: F's memory is given back. */
void http_end_flight(void *f);

/* Charge F's answer to the budget; what an answer may hold now (both under h->lock). */
void http_charge(struct nxd_http *h, struct nxd_flight *f);
size_t http_budget_left(struct nxd_http *h);

/* The worker (http_worker.c): started with its own store connection; jobs queued to it. */
int http_worker_start(struct nxd_http *h, const char *db, char *err, size_t errlen);
void http_worker_submit(struct nxd_http *h, struct nxd_job *j);
void http_worker_stop(struct nxd_http *h);

/* Hand FD (its head complete and checked) to libmicrohttpd; closes it on failure. */
void http_hand_over(struct nxd_http *h, int fd, const struct sockaddr *sa, socklen_t len);

#endif

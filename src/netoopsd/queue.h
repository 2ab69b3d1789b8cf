/* A bounded two-class queue of finished dumps between the daemon's threads: real dumps first, noise never waits. */
#ifndef NXD_QUEUE_H
#define NXD_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/analyse/analyse.h"
#include "core/reasm/reasm.h"
#include "store/store.h"

/* One finished dump on its way to the store. */
struct nxd_item {
	struct nxd_item *next;
	struct nx_dump *dump;
	int64_t received_ms;			/* wall clock */
	struct nx_report_set *reports;		/* filled in by the analysis thread */
	struct nx_analysis analysis;		/* likewise: ok, or why not */
	int64_t id;				/* > 0 once stored */
	bool noise;				/* a noise sample (triage.h): low priority */
};

enum nxd_qclass { NXD_Q_REAL, NXD_Q_NOISE, NXD_Q_CLASSES };

/* One class's list and its share of the bound. */
struct nxd_qlist {
	struct nxd_item *head, **tail;
	size_t bytes, max_bytes;
};

struct nxd_queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;		/* an item arrived, or the queue closed */
	pthread_cond_t space;			/* bytes fell below max */
	/* protected by lock: */
	struct nxd_qlist cls[NXD_Q_CLASSES];
	bool closed;
	bool wakeup;				/* queue_wake() was called */
};

/*
 * MAX_BYTES in all: noise may hold an eighth of it, real dumps the rest, so
 * noise can never take the room real dumps need.
 */
void queue_init(struct nxd_queue *q, size_t max_bytes);
void queue_destroy(struct nxd_queue *q);

/* Bytes an item stands for: its text and bookkeeping. */
size_t queue_item_bytes(const struct nxd_item *it);

/*
 * Append the list LIST (linked by ->next), each item to its class; waits
 * while LIST's class (real if it holds a real dump, else noise) is over its
 * bound, so memory stays bounded. Returns true if it had to wait.
 */
bool queue_push(struct nxd_queue *q, struct nxd_item *list);

/*
 * Append noise item IT unless the noise share is full; never waits. False:
 * not queued (the caller still owns IT, and counts it as dropped).
 */
bool queue_offer_noise(struct nxd_queue *q, struct nxd_item *it);

/*
 * Append IT to its class (real or noise, by it->noise) unless that class is
 * full; never waits. False: not queued (the caller still owns IT).
 */
bool queue_offer(struct nxd_queue *q, struct nxd_item *it);

/*
 * Take up to MAX_ITEMS items / MAX_BYTES (at least one item) off the front,
 * real dumps before noise,
 * waiting until DEADLINE (CLOCK_MONOTONIC; NULL: no limit). Returns the list, or
 * NULL on timeout, on queue_wake(), or when the queue is closed and empty
 * (*CLOSED then set).
 */
struct nxd_item *queue_take(struct nxd_queue *q, size_t max_items, size_t max_bytes,
			    const struct timespec *deadline, bool *closed);

/* No more items will come; takers drain what is left, then see *closed. */
void queue_close(struct nxd_queue *q);

/* Make a waiting queue_take() return early (to look at a flag). */
void queue_wake(struct nxd_queue *q);

/* Bytes queued now, both classes (a gauge for /metrics). */
size_t queue_bytes(struct nxd_queue *q);

#endif

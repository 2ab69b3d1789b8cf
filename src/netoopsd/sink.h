/* The store side: a thread that analyses finished dumps and stores them in batches. */
#ifndef NXD_SINK_H
#define NXD_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/reasm/reasm.h"
#include "netoopsd/analyst.h"
#include "netoopsd/counters.h"
#include "netoopsd/outputs.h"
#include "netoopsd/triage.h"
#include "store/store.h"

struct nxd_sink;

struct nxd_sink_parts {
	struct nx_store *store;		/* used by the sink thread only from now on */
	struct nxd_append *append;	/* NULL = off */
	struct nxd_syslog *syslog;	/* NULL = off */
	size_t max_queue_bytes;		/* receive waits beyond this much queued text */
	uint32_t stats_interval_ms;
	struct nxd_analyst_conf analyst;	/* the analysis worker's user, limits, deadline */
	uint32_t stop_wait_ms;		/* at a stop, how long a locked database is waited for */
};

/*
 * Start the threads; they take ownership of P's store and outputs (closed
 * by sink_stop(), or here on failure). NULL on failure.
 */
struct nxd_sink *sink_start(const struct nxd_sink_parts *p);

enum nxd_push {
	NXD_PUSH_QUEUED,
	NXD_PUSH_WAITED,	/* queued after waiting for room */
	NXD_PUSH_DROPPED,	/* not queued: noise share full, or out of memory (logged) */
};

/*
 * Queue dump D (ownership passes to the sink), received at wall-clock
 * RECEIVED_MS. A real dump waits while the queue's real share is full, so
 * that memory stays bounded; a NOISE sample never waits: it is dropped when
 * the noise share is full.
 */
enum nxd_push sink_push(struct nxd_sink *s, struct nx_dump *d, int64_t received_ms, bool noise);

/* Give the sink the receive side's latest counters, saved at the next interval. */
void sink_update_counters(struct nxd_sink *s, const struct nxd_counters *rx_side);

/* Give the sink the receive side's last noise interval, saved with the next counters. */
void sink_update_noise(struct nxd_sink *s, const struct nxd_noise_report *r);

/* Ask for the append file to be reopened (SIGHUP). Async-signal-safe: no. */
void sink_reopen(struct nxd_sink *s);

/*
 * Store everything queued, save the counters a last time, stop the thread
 * and close the store and outputs. FINAL receives the last counters.
 */
void sink_stop(struct nxd_sink *s, struct nxd_counters *final);

#endif

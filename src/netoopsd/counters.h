/* The daemon's counters: what the receive side and the store side saw and lost. */
#ifndef NXD_COUNTERS_H
#define NXD_COUNTERS_H

#include <stdint.h>

#include "core/reasm.h"
#include "netoopsd/listener.h"
#include "store/store.h"

/* Written by the worker thread only. */
struct nxd_store_counters {
	uint64_t stored;		/* dumps committed to the database */
	uint64_t reports;		/* crash reports found in them */
	uint64_t store_errors;		/* dumps that could not be stored */
	uint64_t analyse_errors;	/* analysis ran out of memory: stored unanalysed */
	uint64_t append_errors;
	uint64_t syslog_sent, syslog_errors;
	uint64_t batches;		/* store transactions */
	uint64_t lock_waits;		/* times a batch waited for a database locked elsewhere */
	uint64_t dropped_nomem;		/* finished dumps dropped: no memory to queue them */
};

/* A snapshot of everything, as saved into the database. */
struct nxd_counters {
	struct nx_reasm_stats reasm;
	struct nxd_rx_counters rx;
	uint64_t queue_waits;		/* receive paused: analysis/store queue full */
	struct nxd_store_counters store;
	uint64_t started_ms;		/* wall clock at start */
};

#define NXD_N_COUNTERS 31

/* Name every counter of C into OUT (NXD_N_COUNTERS entries); returns the count. */
size_t counters_list(const struct nxd_counters *c, struct nx_counter *out);

#endif

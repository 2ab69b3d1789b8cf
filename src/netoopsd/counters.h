/* The daemon's counters: what the receive side and the store side saw and lost. */
#ifndef NXD_COUNTERS_H
#define NXD_COUNTERS_H

#include <stdint.h>

#include "core/reasm/reasm.h"
#include "netoopsd/auth.h"
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
	uint64_t unanalysed_behind;	/* stored unanalysed: the analysis was behind */
};

/* The isolated analysis worker (analyst.h): written by the analysis thread, under the sink's lock. */
struct nxd_analysis_counters {
	uint64_t crashes;		/* a worker died or sent an invalid reply on a dump */
	uint64_t timeouts;		/* a worker missed the analysis deadline and was killed */
	uint64_t restarts;		/* workers started after the first */
};

/* A snapshot of everything, as saved into the database. */
struct nxd_counters {
	struct nx_reasm_stats reasm;
	struct nxd_rx_counters rx;
	uint64_t queue_waits;		/* receive paused: analysis/store queue full */
	struct {			/* one-datagram fragments (netoopsd/triage.h) */
		uint64_t sampled;	/* queued to be stored as a sample */
		uint64_t aggregated;	/* counted, not stored */
		uint64_t dropped;	/* samples that found the queue's noise share full */
	} noise;
	struct nxd_store_counters store;
	struct nxd_analysis_counters analysis;
	uint64_t started_ms;		/* wall clock at start */
	struct nxd_auth_counters auth;	/* the receive loop's verdicts (auth.h) */
};

#define NXD_N_COUNTERS 48

/* Name every counter of C into OUT (NXD_N_COUNTERS entries); returns the count. */
size_t counters_list(const struct nxd_counters *c, struct nx_counter *out);

#endif

/* The receive loop: sockets and signals in, datagrams into reassembly, dumps to the sink. */
#ifndef NXD_LOOP_H
#define NXD_LOOP_H

#include "core/reasm/reasm.h"
#include "netoopsd/config.h"
#include "netoopsd/counters.h"
#include "netoopsd/listener.h"
#include "netoopsd/shards.h"
#include "netoopsd/sink.h"
#include "netoopsd/triage.h"

struct nxd_loop {
	const struct nxd_config *cfg;
	struct nxd_listener listeners[NXD_MAX_LISTEN];
	size_t n_listeners;
	struct nx_reasm *reasm;
	struct nxd_sink *sink;
	struct nxd_triage *triage;	/* real dumps vs. noise; loop_run's own */
	uint64_t overload_until;	/* falling behind: admission on until then (mono ms) */
	uint64_t overload_logged;	/* last "falling behind" warning (mono ms) */
	bool admitting;			/* nx_reasm_set_admission() is on */
	uint64_t stalled_ms;		/* time spent waiting for the sink (not reassembly time) */
	struct nxd_counters counters;	/* this shard's; after loop_run(), all shards' */
	unsigned shard;			/* index of this loop among the receive threads */
	struct nxd_shards *group;	/* all the receive loops (shards.h) */
	/*
	 * The datagrams' verdicts (auth.h): each shard has its own, since a host's
	 * datagrams all reach one shard (its replay marks need no lock).
	 */
	struct nxd_auth *auth;
	unsigned auth_gen;		/* the group's key generation auth was loaded at */
};

/*
 * Block the signals the loop handles (call before starting any thread, so
 * every thread inherits the mask). 0 or -1.
 */
int loop_block_signals(void);

/*
 * Run L (shard 0, opened by shards_open()) in this thread and the other
 * shards in threads of their own until SIGTERM or SIGINT: then each flushes
 * its partial dumps as incomplete and hands them to the sink; L's counters
 * become the sum of all shards'. Returns 0 (-1 if a loop could not start).
 * Finished dumps are triaged (triage.h): real ones queued with priority,
 * noise sampled or counted, so a flood never makes the loop wait.
 * SIGHUP reopens the append file and has every shard reload the fleet key.
 */
int loop_run(struct nxd_loop *l);

#endif

/* The receive threads: one loop per thread with its own sockets, reassembly and counters; datagrams sharded by dump. */
#ifndef NXD_SHARDS_H
#define NXD_SHARDS_H

#include <pthread.h>
#include <stdatomic.h>

#include "netoopsd/counters.h"

#define NXD_MAX_SHARDS	64	/* receive threads at most */

struct nxd_loop;

/*
 * N receive loops (shards), each run by its own thread with its own socket
 * on every listen address (SO_REUSEPORT), its own reassembly (a 1/N share of
 * the memory and dump bounds), triage and counters. The kernel hands every
 * datagram to one socket of the group; a BPF program makes it pick by dump
 * identity (listener_shard()), so one dump's datagrams meet in one
 * reassembler whatever address and port they come from. Finished dumps go to
 * the one sink.
 */
struct nxd_shards {
	unsigned n;
	struct nxd_loop *loop[NXD_MAX_SHARDS];	/* [0]: the caller's, run by the main thread */
	pthread_t thread[NXD_MAX_SHARDS];	/* [1..n): started by loop_run() */
	int stop_fd;				/* eventfd, readable once the loops are to stop */
	/* SIGHUP (shard 0) bumps it; each shard reloads its fleet key when it sees it change. */
	atomic_uint auth_gen;
	/*
	 * lock: each loop publishes its counters into snap[] and the sum goes to
	 * the sink in one step, so the sink never sees a sum older than the last.
	 */
	pthread_mutex_t lock;
	struct nxd_counters snap[NXD_MAX_SHARDS];	/* protected by lock */
};

/* The receive threads CFG asks for: receive-threads, or (0) one per online CPU, at most NXD_MAX_SHARDS. */
unsigned shards_count(const struct nxd_config *cfg);

/*
 * Set up G's shards: FIRST (with cfg set) and N - 1 more like it; open every
 * shard's sockets (in shard order: the kernel numbers a reuseport group's
 * sockets in bind order) and reassembly. Logs what failed; 0 or -1.
 */
int shards_open(struct nxd_shards *g, struct nxd_loop *first);

/*
 * Every shard's authentication policy (auth.h) from G's config, its replay
 * marks from store S (before the sink owns it). Logs what failed; 0 or -1.
 */
struct nx_store;
int shards_open_auth(struct nxd_shards *g, struct nx_store *s);

/* Close the sockets, free reassembly, the policies and the shards but FIRST. */
void shards_close(struct nxd_shards *g);

/* Take loop L's counters and give the sink the sum of all shards'. */
void shards_publish(struct nxd_shards *g, const struct nxd_loop *l);

/* The sum of all shards' last published counters (shard 0's start time). */
void shards_total(struct nxd_shards *g, struct nxd_counters *out);

#endif

/* The isolated analysis worker: a confined child process that analyses dump texts for its parent. */
#ifndef NXD_ANALYST_H
#define NXD_ANALYST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/analyse/analyse.h"
#include "store/store.h"

/*
 * nx_analyse() is the largest and most exposed code: it reads every byte a
 * sender chose. It runs in a worker process (analyst_worker.c) that owns
 * nothing worth stealing and can do nothing but compute: no other file
 * descriptors, an unprivileged user, resource limits and a seccomp filter
 * allowing only reads and writes on its socket, memory management and exit.
 * The parent (analyst.c: netoopsd's analysis thread, netoopsctl reanalyze)
 * sends one text at a time, waits with a deadline, and treats the reply as
 * hostile (core/report_wire.h). When the worker dies, hangs or lies, the
 * dump's analysis fails, not the parent; a new worker is started with a
 * back-off. See docs/netoopsd.md, "Fault containment".
 */

/* argv[1] that makes netoopsd or netoopsctl run as the worker (never typed by people). */
#define NXD_ANALYST_ARG "--netoops-analysis-worker"

/* The worker's end of the socket: its only file descriptor besides stderr. */
#define NXD_ANALYST_FD 3

/* Worker CPU seconds (RLIMIT_CPU); the parent retires a worker after half of it. */
#define NXD_ANALYST_CPU_S 120

struct nxd_analyst_conf {
	uid_t uid;		/* switch to these when started as root; (uid_t)-1: stay */
	gid_t gid;
	size_t max_memory;	/* address space the worker may add to what it starts with */
	uint32_t timeout_ms;	/* per dump (and for a worker to start) */
};

/*
 * Fill C for running as USER (when root; ignored otherwise) with MAX_MEMORY
 * and TIMEOUT_MS. Returns 0, or -1 with ERR saying what to fix.
 */
int nxd_analyst_conf_init(struct nxd_analyst_conf *c, const char *user, size_t max_memory,
			  uint32_t timeout_ms, char *err, size_t errlen);

/* What the workers did, for the counters. */
struct nxd_analyst_stats {
	uint64_t crashes;	/* a worker died, or sent an invalid reply, on a dump */
	uint64_t timeouts;	/* a worker was killed for missing the deadline */
	uint64_t restarts;	/* workers started after the first */
	uint64_t no_memory;	/* nx_analyse() in the worker ran out of memory */
};

/* One worker at a time, used by one thread. */
struct nxd_analyst;

struct nxd_analyst *nxd_analyst_new(const struct nxd_analyst_conf *c);

/*
 * Start the worker now if none runs (otherwise it starts on first use).
 * Returns 0, or -1 with WHY set.
 */
int nxd_analyst_start(struct nxd_analyst *a, char *why, size_t whylen);

/*
 * Analyse TEXT[0..LEN) in the worker. On NX_ANALYSIS_OK, *SET is the result
 * (free with nx_report_set_free()). Otherwise *SET is NULL and AN->error says
 * why: NX_ANALYSIS_FAILED when the worker crashed on it twice, timed out,
 * sent an invalid reply or ran out of memory; NX_ANALYSIS_NONE when no
 * worker could be had (restart back-off, start failure). Never waits longer
 * than about twice the timeout.
 */
enum nx_analysis_state nxd_analyst_run(struct nxd_analyst *a, const char *text, size_t len,
				       struct nx_report_set **set, struct nx_analysis *an);

const struct nxd_analyst_stats *nxd_analyst_stats(const struct nxd_analyst *a);

/* Stop the worker and free A. */
void nxd_analyst_free(struct nxd_analyst *a);

/* The worker's main(), for argv[1] == NXD_ANALYST_ARG: confine, then serve until EOF. */
int nxd_analyst_worker_main(int argc, char **argv);

#endif

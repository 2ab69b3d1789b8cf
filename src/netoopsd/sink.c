/* The store side: an analysis thread (driving the analysis worker process) and a store thread, fed through bounded queues. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netoopsd/analyst_int.h"	/* nxd_fault_nomem(): false outside test builds */
#include "netoopsd/log.h"
#include "netoopsd/queue.h"
#include "netoopsd/sink.h"

/*
 * receive loop --(incoming)--> analysis thread --(analysed)--> store thread
 *
 * Two threads, so that analysing one batch overlaps storing the previous
 * one (and its fsync). Each queue is bounded in bytes; when the store falls
 * behind, the analysis thread waits, then the receive loop, and the socket
 * buffer absorbs the rest (overflow is counted). Real dumps go first and
 * have 7/8 of each queue; noise samples (triage.h) never make the receive
 * loop wait: they are dropped (and counted) when their share is full.
 *
 * The analysis thread does not run nx_analyse() itself: it hands each text
 * to the analysis worker process (analyst.h) and waits at most the analysis
 * timeout, so a parser crash or hang costs that dump's analysis (it is
 * stored marked unanalysed), never the daemon or the dumps it holds.
 */

/* Bounds one transaction, so a commit (and its fsync) never waits long. */
#define MAX_BATCH_DUMPS	64
#define MAX_BATCH_BYTES	(8u << 20)
/*
 * ... and in time: while more dumps are on their way (queued for analysis or being analysed)
 * the store thread waits for them up to BATCH_WAIT_MS after taking the first dump of a batch,
 * so a storm shares one commit (and fsync) among up to MAX_BATCH_DUMPS dumps. A dump with
 * nothing behind it is stored at once.
 */
#define BATCH_WAIT_MS	10

/*
 * A database locked by another process (a `sqlite3` shell in a transaction,
 * a backup) is waited out, never given up on while running: SQLite waits
 * BUSY_WAIT_MS per attempt, then the store thread backs off between
 * attempts (BACKOFF_MIN_MS doubling to BACKOFF_MAX_MS) and logs every
 * STILL_LOCKED_S. Meanwhile the queues fill and the receive loop waits
 * (queue_waits): back-pressure, nothing dropped.
 */
#define BUSY_WAIT_MS	1000
#define BACKOFF_MIN_MS	10
#define BACKOFF_MAX_MS	1000
#define STILL_LOCKED_S	60

struct nxd_sink {
	struct nxd_sink_parts p;
	pthread_t analyser, storer;
	struct nxd_queue incoming, analysed;
	struct nxd_analyst *analyst;	/* the analysis thread's alone */
	atomic_uint_fast64_t analyse_errors;
	atomic_uint_fast64_t dropped_nomem;	/* sink_push could not queue: no memory */
	atomic_size_t in_flight;		/* queued by sink_push, not yet taken to be stored */
	atomic_uint_fast64_t unanalysed_behind;	/* real dumps sent past a full analysis queue */
	atomic_bool reopen;
	atomic_bool stopping;			/* sink_stop() was called */
	/* store thread only: */
	bool stop_seen;				/* a stop was noticed while waiting for the lock */
	double stop_deadline;			/* mono_s(): give up on the lock after this */
	pthread_mutex_t lock;
	struct nxd_counters counters;	/* protected by lock, except .store: the store thread's */
	struct nxd_noise_report noise;	/* protected by lock: the receive side's last interval */
	struct nxd_counters saved;	/* store thread: what is in the database */
	uint64_t noise_saved;		/* store thread: the noise interval in the database */
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A real dump. When the analysis is behind (its queue full), the dump goes
 * straight to the store, marked not analysed (`netoopsctl reanalyze` does it
 * later), rather than make the receive loop wait: while it waits the kernel
 * drops whatever arrives, whole dumps of whole windows of hosts. Only when
 * the store is behind too does the receive loop wait (back-pressure).
 */
static enum nxd_push push_real(struct nxd_sink *s, struct nxd_item *it)
{
	if (queue_offer(&s->incoming, it))
		return NXD_PUSH_QUEUED;
	it->analysis.state = NX_ANALYSIS_NONE;
	snprintf(it->analysis.error, sizeof(it->analysis.error),
		 "not analysed: the analysis was behind (a crash storm)");
	if (queue_offer(&s->analysed, it)) {
		atomic_fetch_add(&s->unanalysed_behind, 1);
		return NXD_PUSH_QUEUED;
	}
	it->analysis = (struct nx_analysis){ .state = NX_ANALYSIS_OK };
	return queue_push(&s->incoming, it) ? NXD_PUSH_WAITED : NXD_PUSH_QUEUED;
}

enum nxd_push sink_push(struct nxd_sink *s, struct nx_dump *d, int64_t received_ms, bool noise)
{
	struct nxd_item *it = nxd_fault_nomem(d->text, d->text_len) ? NULL : calloc(1, sizeof(*it));

	if (!it) {
		atomic_fetch_add(&s->dropped_nomem, 1);
		log_err("out of memory queueing a dump from %s; dropped (counted as dropped_nomem)",
			d->source);
		nx_dump_free(d);
		return NXD_PUSH_DROPPED;
	}
	it->dump = d;
	it->received_ms = received_ms;
	atomic_fetch_add(&s->in_flight, 1);	/* before the store thread can take it */
	if (!noise)
		return push_real(s, it);
	if (queue_offer_noise(&s->incoming, it))
		return NXD_PUSH_QUEUED;
	atomic_fetch_sub(&s->in_flight, 1);
	nx_dump_free(d);
	free(it);
	return NXD_PUSH_DROPPED;
}

void sink_update_counters(struct nxd_sink *s, const struct nxd_counters *rx_side)
{
	pthread_mutex_lock(&s->lock);
	s->counters.reasm = rx_side->reasm;
	s->counters.rx = rx_side->rx;
	s->counters.queue_waits = rx_side->queue_waits;
	s->counters.noise = rx_side->noise;
	s->counters.started_ms = rx_side->started_ms;
	s->counters.auth = rx_side->auth;
	pthread_mutex_unlock(&s->lock);
}

void sink_update_noise(struct nxd_sink *s, const struct nxd_noise_report *r)
{
	pthread_mutex_lock(&s->lock);
	s->noise = *r;
	pthread_mutex_unlock(&s->lock);
}

void sink_reopen(struct nxd_sink *s)
{
	atomic_store(&s->reopen, true);
	queue_wake(&s->analysed);
}

/* ---- analysis thread ---------------------------------------------------------------- */

/* The worker's counters into the sink's, for the next save. */
static void publish_analysis_counters(struct nxd_sink *s)
{
	const struct nxd_analyst_stats *st = nxd_analyst_stats(s->analyst);

	pthread_mutex_lock(&s->lock);
	s->counters.analysis.crashes = st->crashes;
	s->counters.analysis.timeouts = st->timeouts;
	s->counters.analysis.restarts = st->restarts;
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->analyse_errors, st->no_memory);
}

/* Analyse IT in the worker process: its crash costs this dump's analysis, nothing more. */
static void analyse_one(struct nxd_sink *s, struct nxd_item *it)
{
	const struct nx_dump *d = it->dump;

	if (nxd_analyst_run(s->analyst, d->text, d->text_len, &it->reports,
			    &it->analysis) != NX_ANALYSIS_OK)
		log_warn("dump from %s (%s) is stored unanalysed: %s", d->source,
			 d->host[0] ? d->host : "no host name", it->analysis.error);
}

static void *analyser_main(void *arg)
{
	struct nxd_sink *s = arg;
	struct nxd_item *list;
	char why[NX_ANALYSIS_ERROR_MAX];
	bool closed = false;

	if (nxd_analyst_start(s->analyst, why, sizeof(why)) < 0)
		log_err("%s; dumps are stored unanalysed until a worker starts", why);
	while (!closed) {
		list = queue_take(&s->incoming, MAX_BATCH_DUMPS, MAX_BATCH_BYTES, NULL, &closed);
		for (struct nxd_item *it = list; it; it = it->next)
			analyse_one(s, it);
		publish_analysis_counters(s);
		if (list)
			queue_push(&s->analysed, list);
	}
	queue_close(&s->analysed);
	return NULL;
}

/* ---- store thread ------------------------------------------------------------------- */

/* One transaction for the whole list; 0, or -1 with everything rolled back. */
static int store_once(struct nxd_sink *s, struct nxd_item *list)
{
	if (nx_store_begin(s->p.store) < 0)
		goto rollback;
	for (struct nxd_item *it = list; it; it = it->next) {
		it->id = nx_store_add_dump_status(s->p.store, it->dump, it->received_ms,
						  it->reports, &it->analysis);
		if (it->id < 0)
			goto rollback;
	}
	if (nx_store_commit(s->p.store) == 0)
		return 0;
rollback:
	nx_store_rollback(s->p.store);
	for (struct nxd_item *it = list; it; it = it->next)
		it->id = 0;
	return -1;
}

/*
 * A stop was asked for: sink_stop(), or a SIGTERM/SIGINT still pending
 * because the receive loop itself waits on the full queue (the signal
 * stays pending until it is read from the signalfd, so this only looks).
 */
static bool stop_requested(struct nxd_sink *s)
{
	sigset_t pending;

	if (atomic_load(&s->stopping))
		return true;
	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

/* While the database is locked: false once a stop has waited stop_wait_ms. */
static bool keep_waiting(struct nxd_sink *s, size_t n)
{
	if (!s->stop_seen && stop_requested(s)) {
		s->stop_seen = true;
		s->stop_deadline = mono_s() + s->p.stop_wait_ms / 1e3;
		log_warn("stopping while the database is locked: waiting up to %u ms more for it",
			 s->p.stop_wait_ms);
	}
	if (!s->stop_seen || mono_s() < s->stop_deadline)
		return true;
	/* From now on every batch gets one short try, so the stop stays bounded. */
	nx_store_set_busy_wait(s->p.store, 0);
	log_err("database still locked %u ms after the stop request: giving up on %zu dumps "
		"(not stored, appended or forwarded; counted as store_errors)",
		s->p.stop_wait_ms, n);
	return false;
}

static size_t list_length(const struct nxd_item *list)
{
	size_t n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

/* Sleep MS milliseconds; the next back-off, doubled up to BACKOFF_MAX_MS. */
static unsigned back_off(unsigned ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
		  NULL);
	return ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2;
}

/*
 * Store LIST in one transaction, waiting as long as another process holds
 * the database lock (bounded only at a stop). 0, or -1 with everything
 * rolled back: a real error, or the lock still held at the end of a stop.
 */
static int store_all(struct nxd_sink *s, struct nxd_item *list)
{
	unsigned backoff = BACKOFF_MIN_MS;
	double since = 0, next_log = 0;
	int rc;

	while ((rc = store_once(s, list)) < 0 && nx_store_busy(s->p.store)) {
		size_t n = list_length(list);

		if (since == 0) {
			since = mono_s();
			next_log = since + STILL_LOCKED_S;
			s->counters.store.lock_waits++;
			log_warn("database is locked by another process (%s): holding %zu dumps and "
				 "retrying until it is free; new dumps wait in the queues",
				 nx_store_error(s->p.store), n);
		} else if (mono_s() >= next_log) {
			next_log += STILL_LOCKED_S;
			log_warn("database still locked after %.0f s; holding %zu dumps",
				 mono_s() - since, n);
		}
		if (!keep_waiting(s, n))
			return -1;
		backoff = back_off(backoff);
	}
	if (since != 0 && rc == 0)
		log_info("database unlocked after %.1f s: storing resumes", mono_s() - since);
	return rc;
}

/* After a failed batch, store one at a time, so one bad dump costs only itself. */
static void store_singly(struct nxd_sink *s, struct nxd_item *list)
{
	for (struct nxd_item *it = list; it; it = it->next) {
		struct nxd_item *next = it->next;

		it->next = NULL;
		if (store_all(s, it) < 0) {
			s->counters.store.store_errors++;
			log_err("cannot store dump from %s (%s): %s", it->dump->source,
				it->dump->host, nx_store_error(s->p.store));
		}
		it->next = next;
	}
}

static void describe(const struct nxd_item *it, struct nxd_stored *st, char *title, size_t len)
{
	*st = (struct nxd_stored){
		.id = it->id, .dump = it->dump, .reports = it->reports,
		.title = it->reports && it->reports->n && it->reports->reports[0].title ?
			 it->reports->reports[0].title :
			 it->analysis.state != NX_ANALYSIS_OK ?
			 nx_store_unanalysed_title(it->dump, title, len) :
			 nx_store_empty_title(it->dump, title, len),
		.received_ms = it->received_ms,
	};
}

/*
 * The append file gets the committed dumps of the batch, then one
 * fdatasync: only then do they count as appended. Returns how many were
 * written; on a failed sync all of them count as append errors.
 */
static void append_batch(struct nxd_sink *s, const struct nxd_item *list)
{
	uint64_t written = 0, failed = 0;
	char title[256];

	for (const struct nxd_item *it = list; it; it = it->next) {
		struct nxd_stored st;
		int rc;

		if (it->id <= 0)
			continue;
		describe(it, &st, title, sizeof(title));
		rc = append_write(s->p.append, &st);
		written += rc > 0;
		failed += rc < 0;
	}
	if ((written || failed) && append_sync(s->p.append) < 0) {
		log_err("append file: cannot write or sync %llu dumps: %s",
			(unsigned long long)(written + failed), strerror(errno));
		failed += written;
	}
	s->counters.store.append_errors += failed;
}

/* A committed (and, if on, appended) dump: logged as stored, forwarded, counted. */
static void output(struct nxd_sink *s, const struct nxd_item *it)
{
	char title[256];
	struct nxd_stored st;

	describe(it, &st, title, sizeof(title));
	s->counters.store.stored++;
	s->counters.store.reports += it->reports ? it->reports->n : 0;
	log_info("stored dump %lld from %s (%s), %s: %s", (long long)it->id,
		 it->dump->host[0] ? it->dump->host : it->dump->source, it->dump->reason,
		 it->dump->complete ? "complete" : "incomplete", st.title);
	if (s->p.syslog) {
		if (syslog_send(s->p.syslog, &st) == 0)
			s->counters.store.syslog_sent++;
		else
			s->counters.store.syslog_errors++;
	}
}

/*
 * Commit first (fsync'ed), then the append file (fdatasync'ed), then the
 * log line, syslog and counters: whatever says "stored" comes after the
 * dump is on disk.
 */
static void store_batch(struct nxd_sink *s, struct nxd_item *list)
{
	double t0 = mono_s();
	size_t n = 0;

	s->counters.store.batches++;
	if (store_all(s, list) < 0) {
		if (nx_store_busy(s->p.store)) {
			s->counters.store.store_errors += list_length(list);
		} else {
			log_warn("storing a batch failed (%s); retrying one dump at a time",
				 nx_store_error(s->p.store));
			store_singly(s, list);
		}
	}
	if (s->p.append)
		append_batch(s, list);
	while (list) {
		struct nxd_item *next = list->next;

		if (list->id > 0)
			output(s, list);
		nx_report_set_free(list->reports);
		nx_dump_free(list->dump);
		free(list);
		list = next;
		n++;
	}
	log_debug("stored a batch of %zu dumps in %.1f ms", n, (mono_s() - t0) * 1e3);
}

static void save_counters(struct nxd_sink *s)
{
	struct nx_counter c[NXD_N_COUNTERS];
	struct nxd_counters snap;
	struct nxd_noise_report noise;
	size_t n;

	pthread_mutex_lock(&s->lock);
	snap = s->counters;
	noise = s->noise;
	pthread_mutex_unlock(&s->lock);
	snap.store.analyse_errors = atomic_load(&s->analyse_errors);
	snap.store.dropped_nomem = atomic_load(&s->dropped_nomem);
	snap.store.unanalysed_behind = atomic_load(&s->unanalysed_behind);
	/* An idle collector does not write (and fsync) every few seconds. */
	if (memcmp(&snap, &s->saved, sizeof(snap)) == 0 && noise.seq == s->noise_saved)
		return;
	n = counters_list(&snap, c);
	if (nx_store_begin(s->p.store) < 0 ||
	    nx_store_save_counters(s->p.store, c, n, wall_ms()) < 0 ||
	    (noise.seq != s->noise_saved &&
	     nx_store_save_noise(s->p.store, noise.top, noise.n, (int64_t)noise.interval_ms,
				 wall_ms()) < 0) ||
	    nx_store_commit(s->p.store) < 0) {
		nx_store_rollback(s->p.store);
		/* Locked: tried again next interval (dumps are waited for, counters not). */
		if (nx_store_busy(s->p.store))
			log_debug("cannot save counters now: %s", nx_store_error(s->p.store));
		else
			log_warn("cannot save counters: %s", nx_store_error(s->p.store));
		return;
	}
	s->saved = snap;
	s->noise_saved = noise.seq;
}

static void deadline_after(struct timespec *ts, uint32_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/*
 * The next batch: what the analysed queue holds (waiting until NEXT_SAVE for it), then, while
 * it is not full and more dumps are on their way, what they become within BATCH_WAIT_MS.
 */
static struct nxd_item *take_batch(struct nxd_sink *s, const struct timespec *next_save,
				   bool *closed)
{
	struct nxd_item *list = queue_take(&s->analysed, MAX_BATCH_DUMPS, MAX_BATCH_BYTES,
					   next_save, closed), **tail = &list, *more;
	size_t n = 0, bytes = 0;
	struct timespec until;

	deadline_after(&until, BATCH_WAIT_MS);
	for (;;) {
		for (; *tail; tail = &(*tail)->next)
			n++, bytes += queue_item_bytes(*tail);
		if (!list || n >= MAX_BATCH_DUMPS || bytes >= MAX_BATCH_BYTES ||
		    atomic_load(&s->in_flight) <= n || past(&until))
			break;
		more = queue_take(&s->analysed, MAX_BATCH_DUMPS - n, MAX_BATCH_BYTES - bytes,
				  &until, closed);
		if (!more)
			break;	/* the wait is over, a reopen asked, or the queue closed */
		*tail = more;
	}
	atomic_fetch_sub(&s->in_flight, n);
	return list;
}

static void *storer_main(void *arg)
{
	struct nxd_sink *s = arg;
	struct timespec next_save;
	bool closed = false;

	deadline_after(&next_save, s->p.stats_interval_ms);
	while (!closed) {
		struct nxd_item *list = take_batch(s, &next_save, &closed);

		if (atomic_exchange(&s->reopen, false) && s->p.append &&
		    append_reopen(s->p.append) == 0)
			log_info("append file reopened");
		if (list)
			store_batch(s, list);
		if (closed || past(&next_save)) {
			save_counters(s);
			deadline_after(&next_save, s->p.stats_interval_ms);
		}
	}
	return NULL;
}

/* ---- life cycle --------------------------------------------------------------------- */

/* Undo sink_start() up to the threads: queues, lock, and the parts it took over. */
static void release(struct nxd_sink *s)
{
	nxd_analyst_free(s->analyst);
	nx_store_close(s->p.store);
	append_close(s->p.append);
	syslog_close(s->p.syslog);
	queue_destroy(&s->incoming);
	queue_destroy(&s->analysed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct nxd_sink *sink_start(const struct nxd_sink_parts *p)
{
	struct nxd_sink *s = calloc(1, sizeof(*s));

	if (!s) {
		nx_store_close(p->store);
		append_close(p->append);
		syslog_close(p->syslog);
		return NULL;
	}
	s->p = *p;
	nx_store_set_busy_wait(s->p.store, BUSY_WAIT_MS);
	s->analyst = nxd_analyst_new(&p->analyst);
	if (!s->analyst) {
		nx_store_close(p->store);
		append_close(p->append);
		syslog_close(p->syslog);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	queue_init(&s->incoming, p->max_queue_bytes / 2);
	queue_init(&s->analysed, p->max_queue_bytes / 2);
	if (pthread_create(&s->storer, NULL, storer_main, s) != 0) {
		release(s);
		return NULL;
	}
	if (pthread_create(&s->analyser, NULL, analyser_main, s) != 0) {
		queue_close(&s->analysed);
		pthread_join(s->storer, NULL);
		release(s);
		return NULL;
	}
	return s;
}

void sink_stop(struct nxd_sink *s, struct nxd_counters *final)
{
	atomic_store(&s->stopping, true);
	queue_close(&s->incoming);
	pthread_join(s->analyser, NULL);
	pthread_join(s->storer, NULL);
	if (final) {
		*final = s->counters;
		final->store.analyse_errors = atomic_load(&s->analyse_errors);
		final->store.dropped_nomem = atomic_load(&s->dropped_nomem);
		final->store.unanalysed_behind = atomic_load(&s->unanalysed_behind);
	}
	release(s);
}

/* The store side: an analysis thread (driving the analysis worker process) and a store thread, fed through bounded queues. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

struct nxd_sink {
	struct nxd_sink_parts p;
	pthread_t analyser, storer;
	struct nxd_queue incoming, analysed;
	struct nxd_analyst *analyst;	/* the analysis thread's alone */
	atomic_uint_fast64_t analyse_errors;
	atomic_bool reopen;
	pthread_mutex_t lock;
	struct nxd_counters counters;	/* protected by lock, except .store: the store thread's */
	struct nxd_counters saved;	/* store thread: what is in the database */
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

enum nxd_push sink_push(struct nxd_sink *s, struct nx_dump *d, int64_t received_ms, bool noise)
{
	struct nxd_item *it = calloc(1, sizeof(*it));

	if (!it) {
		log_err("out of memory queueing a dump from %s; dropped", d->source);
		nx_dump_free(d);
		return NXD_PUSH_DROPPED;
	}
	it->dump = d;
	it->received_ms = received_ms;
	if (!noise)
		return queue_push(&s->incoming, it) ? NXD_PUSH_WAITED : NXD_PUSH_QUEUED;
	if (queue_offer_noise(&s->incoming, it))
		return NXD_PUSH_QUEUED;
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
static int store_all(struct nxd_sink *s, struct nxd_item *list)
{
	if (nx_store_begin(s->p.store) < 0)
		return -1;
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

static void output(struct nxd_sink *s, const struct nxd_item *it)
{
	char title[256];
	struct nxd_stored st = {
		.id = it->id, .dump = it->dump, .reports = it->reports,
		.title = it->reports && it->reports->n && it->reports->reports[0].title ?
			 it->reports->reports[0].title :
			 it->analysis.state != NX_ANALYSIS_OK ?
			 nx_store_unanalysed_title(it->dump, title, sizeof(title)) :
			 nx_store_empty_title(it->dump, title, sizeof(title)),
		.received_ms = it->received_ms,
	};

	s->counters.store.stored++;
	s->counters.store.reports += it->reports ? it->reports->n : 0;
	log_info("stored dump %lld from %s (%s), %s: %s", (long long)it->id,
		 it->dump->host[0] ? it->dump->host : it->dump->source, it->dump->reason,
		 it->dump->complete ? "complete" : "incomplete", st.title);
	if (s->p.append && append_write(s->p.append, &st) < 0)
		s->counters.store.append_errors++;
	if (s->p.syslog) {
		if (syslog_send(s->p.syslog, &st) == 0)
			s->counters.store.syslog_sent++;
		else
			s->counters.store.syslog_errors++;
	}
}

static void store_batch(struct nxd_sink *s, struct nxd_item *list)
{
	double t0 = mono_s();
	size_t n = 0;

	s->counters.store.batches++;
	if (store_all(s, list) < 0) {
		log_warn("storing a batch failed (%s); retrying one dump at a time",
			 nx_store_error(s->p.store));
		store_singly(s, list);
	}
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
	size_t n;

	pthread_mutex_lock(&s->lock);
	snap = s->counters;
	pthread_mutex_unlock(&s->lock);
	snap.store.analyse_errors = atomic_load(&s->analyse_errors);
	/* An idle collector does not write (and fsync) every few seconds. */
	if (memcmp(&snap, &s->saved, sizeof(snap)) == 0)
		return;
	n = counters_list(&snap, c);
	if (nx_store_begin(s->p.store) < 0 ||
	    nx_store_save_counters(s->p.store, c, n, wall_ms()) < 0 ||
	    nx_store_commit(s->p.store) < 0) {
		nx_store_rollback(s->p.store);
		log_warn("cannot save counters: %s", nx_store_error(s->p.store));
		return;
	}
	s->saved = snap;
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

static void *storer_main(void *arg)
{
	struct nxd_sink *s = arg;
	struct timespec next_save;
	bool closed = false;

	deadline_after(&next_save, s->p.stats_interval_ms);
	while (!closed) {
		struct nxd_item *list = queue_take(&s->analysed, MAX_BATCH_DUMPS,
						   MAX_BATCH_BYTES, &next_save, &closed);

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

struct nxd_sink *sink_start(const struct nxd_sink_parts *p)
{
	struct nxd_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->p = *p;
	s->analyst = nxd_analyst_new(&p->analyst);
	if (!s->analyst) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	queue_init(&s->incoming, p->max_queue_bytes / 2);
	queue_init(&s->analysed, p->max_queue_bytes / 2);
	if (pthread_create(&s->storer, NULL, storer_main, s) != 0) {
		nxd_analyst_free(s->analyst);
		free(s);
		return NULL;
	}
	if (pthread_create(&s->analyser, NULL, analyser_main, s) != 0) {
		queue_close(&s->analysed);
		pthread_join(s->storer, NULL);
		nxd_analyst_free(s->analyst);
		free(s);
		return NULL;
	}
	return s;
}

void sink_stop(struct nxd_sink *s, struct nxd_counters *final)
{
	queue_close(&s->incoming);
	pthread_join(s->analyser, NULL);
	pthread_join(s->storer, NULL);
	nxd_analyst_free(s->analyst);
	if (final) {
		*final = s->counters;
		final->store.analyse_errors = atomic_load(&s->analyse_errors);
	}
	nx_store_close(s->p.store);
	append_close(s->p.append);
	syslog_close(s->p.syslog);
	queue_destroy(&s->incoming);
	queue_destroy(&s->analysed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

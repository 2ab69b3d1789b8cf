/* The store side: a thread that analyses finished dumps and stores them in batches. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netoopsd/log.h"
#include "netoopsd/sink.h"

/* Bounds one transaction, so a commit (and its fsync) never waits long. */
#define MAX_BATCH_DUMPS	256
#define MAX_BATCH_BYTES	(32u << 20)

struct item {
	struct item *next;
	struct nx_dump *dump;
	int64_t received_ms;
	struct nx_report_set *reports;
	int64_t id;			/* > 0 once stored */
};

struct nxd_sink {
	struct nxd_sink_parts p;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;		/* signalled: queue not empty, or stop */
	pthread_cond_t space;		/* signalled: queue below its bound */
	/* protected by lock: */
	struct item *head, **tail;
	size_t queued_bytes;
	bool stop, reopen;
	struct nxd_counters counters;	/* receive side from the loop, store side ours */
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t item_bytes(const struct item *it)
{
	return it->dump->text_len + sizeof(*it) + sizeof(*it->dump);
}

bool sink_push(struct nxd_sink *s, struct nx_dump *d, int64_t received_ms)
{
	struct item *it = calloc(1, sizeof(*it));
	bool waited = false;

	if (!it) {
		log_err("out of memory queueing a dump from %s; dropped", d->source);
		nx_dump_free(d);
		return false;
	}
	it->dump = d;
	it->received_ms = received_ms;
	pthread_mutex_lock(&s->lock);
	while (s->queued_bytes > s->p.max_queue_bytes && !s->stop) {
		waited = true;
		pthread_cond_wait(&s->space, &s->lock);
	}
	*s->tail = it;
	s->tail = &it->next;
	s->queued_bytes += item_bytes(it);
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	return waited;
}

void sink_update_counters(struct nxd_sink *s, const struct nxd_counters *rx_side)
{
	pthread_mutex_lock(&s->lock);
	s->counters.reasm = rx_side->reasm;
	s->counters.rx = rx_side->rx;
	s->counters.queue_waits = rx_side->queue_waits;
	s->counters.started_ms = rx_side->started_ms;
	pthread_mutex_unlock(&s->lock);
}

void sink_reopen(struct nxd_sink *s)
{
	pthread_mutex_lock(&s->lock);
	s->reopen = true;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
}

static void analyse(struct nxd_sink *s, struct item *it)
{
	it->reports = nx_analyse(it->dump->text, it->dump->text_len);
	if (!it->reports)
		s->counters.store.analyse_errors++;
}

static const char *item_title(const struct item *it, char *buf, size_t len)
{
	if (it->reports && it->reports->n && it->reports->reports[0].title)
		return it->reports->reports[0].title;
	return nx_store_empty_title(it->dump, buf, len);
}

/* One transaction for the whole list; 0, or -1 with everything rolled back. */
static int store_all(struct nxd_sink *s, struct item *list)
{
	if (nx_store_begin(s->p.store) < 0)
		return -1;
	for (struct item *it = list; it; it = it->next) {
		it->id = nx_store_add_dump(s->p.store, it->dump, it->received_ms, it->reports);
		if (it->id < 0)
			goto rollback;
	}
	if (nx_store_commit(s->p.store) == 0)
		return 0;
rollback:
	nx_store_rollback(s->p.store);
	for (struct item *it = list; it; it = it->next)
		it->id = 0;
	return -1;
}

/* After a failed batch, store one at a time, so one bad dump costs only itself. */
static void store_singly(struct nxd_sink *s, struct item *list)
{
	for (struct item *it = list; it; it = it->next) {
		struct item *next = it->next;

		it->next = NULL;
		if (store_all(s, it) < 0) {
			s->counters.store.store_errors++;
			log_err("cannot store dump from %s (%s): %s", it->dump->source,
				it->dump->host, nx_store_error(s->p.store));
		}
		it->next = next;
	}
}

static void output(struct nxd_sink *s, const struct item *it)
{
	char title[256];
	struct nxd_stored st = {
		.id = it->id, .dump = it->dump, .reports = it->reports,
		.title = item_title(it, title, sizeof(title)), .received_ms = it->received_ms,
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

static void process(struct nxd_sink *s, struct item *list)
{
	for (struct item *it = list; it; it = it->next)
		analyse(s, it);
	s->counters.store.batches++;
	if (store_all(s, list) < 0) {
		log_warn("storing a batch failed (%s); retrying one dump at a time",
			 nx_store_error(s->p.store));
		store_singly(s, list);
	}
	while (list) {
		struct item *next = list->next;

		if (list->id > 0)
			output(s, list);
		nx_report_set_free(list->reports);
		nx_dump_free(list->dump);
		free(list);
		list = next;
	}
}

static void save_counters(struct nxd_sink *s)
{
	struct nx_counter c[NXD_N_COUNTERS];
	struct nxd_counters snap;
	size_t n;

	pthread_mutex_lock(&s->lock);
	snap = s->counters;
	pthread_mutex_unlock(&s->lock);
	n = counters_list(&snap, c);
	if (nx_store_begin(s->p.store) < 0 ||
	    nx_store_save_counters(s->p.store, c, n, wall_ms()) < 0 ||
	    nx_store_commit(s->p.store) < 0) {
		nx_store_rollback(s->p.store);
		log_warn("cannot save counters: %s", nx_store_error(s->p.store));
	}
}

/* Take up to one batch off the queue; called locked. */
static struct item *take_batch(struct nxd_sink *s)
{
	struct item *list = s->head, **end = &s->head;
	size_t n = 0, bytes = 0;

	while (*end && n < MAX_BATCH_DUMPS && bytes < MAX_BATCH_BYTES) {
		bytes += item_bytes(*end);
		n++;
		end = &(*end)->next;
	}
	s->head = *end;
	*end = NULL;
	if (!s->head)
		s->tail = &s->head;
	s->queued_bytes -= bytes;
	pthread_cond_broadcast(&s->space);
	return list;
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

static void *sink_main(void *arg)
{
	struct nxd_sink *s = arg;
	struct timespec next_save;
	bool stopping = false, reopen;

	deadline_after(&next_save, s->p.stats_interval_ms);
	while (!stopping) {
		struct item *list;
		int rc = 0;

		pthread_mutex_lock(&s->lock);
		while (!s->head && !s->stop && !s->reopen && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&s->work, &s->lock, &next_save);
		list = take_batch(s);
		stopping = s->stop && !s->head;
		reopen = s->reopen;
		s->reopen = false;
		pthread_mutex_unlock(&s->lock);

		if (reopen && s->p.append && append_reopen(s->p.append) == 0)
			log_info("append file reopened");
		if (list)
			process(s, list);
		if (rc == ETIMEDOUT || stopping) {
			save_counters(s);
			deadline_after(&next_save, s->p.stats_interval_ms);
		}
	}
	return NULL;
}

struct nxd_sink *sink_start(const struct nxd_sink_parts *p)
{
	struct nxd_sink *s = calloc(1, sizeof(*s));
	pthread_condattr_t attr;

	if (!s)
		return NULL;
	s->p = *p;
	s->tail = &s->head;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->work, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&s->space, NULL);
	if (pthread_create(&s->thread, NULL, sink_main, s) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void sink_stop(struct nxd_sink *s, struct nxd_counters *final)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->work);
	pthread_cond_broadcast(&s->space);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	if (final)
		*final = s->counters;
	nx_store_close(s->p.store);
	append_close(s->p.append);
	syslog_close(s->p.syslog);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->space);
	free(s);
}

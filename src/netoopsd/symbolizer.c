/* The symbolizer thread: picks stored reports, symbolizes them, saves the result; retries later. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netoopsd/log.h"
#include "netoopsd/symbolizer.h"
#include "store/store.h"
#include "symbolize/inventory.h"
#include "symbolize/sym.h"

#define POLL_MS 200	/* how often an idle symbolizer looks for new reports */
#define BATCH 16	/* reports picked per look */
#define TRIES_MAX 12	/* a report still deferred after this many tries is given up */
#define INV_QUEUE 64	/* inventory datagrams waiting to be stored; more are dropped */

/* The thread's counters, saved into the counters table under these names. */
enum { C_OK, C_PARTIAL, C_NONE, C_RETRY, C_ERRORS, C_OPENED, C_INV_STORED, C_INV_MALFORMED,
       C_INV_DROPPED, C_COUNT };
static const char *const counter_names[C_COUNT] = {
	"symbolized_ok", "symbolized_partial", "symbolized_none", "symbolize_deferred",
	"symbolize_errors", "debug_files_opened", "inventory_stored", "inventory_malformed",
	"inventory_dropped",
};

struct nxd_symbolizer {
	pthread_t thread;
	atomic_bool stop;
	struct nx_store *store;		/* this thread's own connection */
	struct nx_sym *sym;
	uint32_t retry_ms;
	int64_t after_id;		/* reports up to here were tried once */
	uint64_t counters[C_COUNT];	/* this thread only, but for the two below */
	uint64_t saved[C_COUNT];	/* as last saved */
	atomic_uint_fast64_t inv_malformed, inv_dropped;	/* the receive thread's */
	/* Inventories from the receive thread: it must never wait on this thread, only on
	 * the lock, which guards nothing but the ring (held for a copy). */
	pthread_mutex_t inv_lock;
	struct nx_inventory inv[INV_QUEUE];
	size_t inv_head, inv_n;
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool nxd_symbolizer_take(struct nxd_symbolizer *z, const char *buf, size_t len)
{
	struct nx_inventory inv;
	const char *why;

	if (!nx_inv_is(buf, len))
		return false;
	if (!z)
		return true;	/* symbolization off: inventories are of no use */
	if (!nx_inv_decode(buf, len, &inv, &why)) {
		log_debug("inventory dropped: %s", why);
		atomic_fetch_add(&z->inv_malformed, 1);
		return true;
	}
	pthread_mutex_lock(&z->inv_lock);
	if (z->inv_n < INV_QUEUE)
		z->inv[(z->inv_head + z->inv_n++) % INV_QUEUE] = inv;
	else
		atomic_fetch_add(&z->inv_dropped, 1);
	pthread_mutex_unlock(&z->inv_lock);
	return true;
}

/* Store the queued inventories (one at a time: the lock is not held across SQLite). */
static void store_inventories(struct nxd_symbolizer *z)
{
	static struct nx_inventory inv;	/* this thread only; too big for its stack */

	for (;;) {
		pthread_mutex_lock(&z->inv_lock);
		if (!z->inv_n) {
			pthread_mutex_unlock(&z->inv_lock);
			return;
		}
		inv = z->inv[z->inv_head];
		z->inv_head = (z->inv_head + 1) % INV_QUEUE;
		z->inv_n--;
		pthread_mutex_unlock(&z->inv_lock);
		for (size_t i = 0; i < inv.n; i++)
			if (nx_store_inventory_put(z->store, inv.host, inv.boot, inv.e[i].name,
						   inv.e[i].id, wall_ms()) < 0)
				z->counters[C_ERRORS]++;
		z->counters[C_INV_STORED]++;
	}
}

static void count(struct nxd_symbolizer *z, const json_t *result)
{
	static const char *const states[] = { "ok", "partial", "none", "retry" };
	const char *st = json_string_value(json_object_get(result, "state"));

	for (int i = 0; i < 4; i++)
		if (st && strcmp(st, states[i]) == 0)
			z->counters[C_OK + i]++;
}

/* A report deferred TRIES_MAX times is not tried again: its state becomes what it has. */
static void give_up(json_t *result)
{
	const char *state = "none", *reason = json_string_value(json_object_get(result, "reason"));
	char why[400];
	json_t *f, *r;
	size_t i;

	if (strcmp(json_string_value(json_object_get(result, "state")), "retry") != 0)
		return;
	snprintf(why, sizeof(why), "%s (given up after %d tries)", reason ? reason : "deferred",
		 TRIES_MAX);
	r = json_string(why);	/* NULL when the cut split a character: the notice alone */
	json_object_set_new(result, "reason", r ? r : json_string("given up"));
	json_array_foreach(json_object_get(result, "frames"), i, f)
		if (json_is_string(json_object_get(f, "file")))
			state = "partial";
	json_object_set_new(result, "state", json_string(state));
}

/* Symbolize report ID (no transaction open: a download may take long); NULL if not done. */
static json_t *one(struct nxd_symbolizer *z, int64_t id)
{
	struct nx_store_sym_job j;
	json_t *result;
	int rc = nx_store_sym_job(z->store, id, &j);

	if (rc == 1)
		return NULL;	/* reanalysed or deleted meanwhile */
	if (rc < 0) {
		log_warn("symbolize: %s", nx_store_error(z->store));
		z->counters[C_ERRORS]++;
		return NULL;
	}
	result = nx_sym_stored(z->sym, z->store, &j);
	if (result && j.attempts + 1 >= TRIES_MAX)
		give_up(result);
	nx_store_sym_job_free(&j);
	if (!result)
		z->counters[C_ERRORS]++;
	else
		count(z, result);
	return result;
}

/* Save the batch's results in one transaction (one fsync, not one per report). */
static void save_batch(struct nxd_symbolizer *z, const int64_t *ids, json_t **results, int n)
{
	bool tx = nx_store_begin(z->store) == 0;

	for (int i = 0; i < n; i++) {
		if (results[i] && nx_store_sym_save(z->store, ids[i], results[i], wall_ms(),
						    wall_ms() + z->retry_ms) < 0) {
			log_warn("symbolize: report %lld: %s", (long long)ids[i],
				 nx_store_error(z->store));
			z->counters[C_ERRORS]++;
		}
		json_decref(results[i]);
	}
	if (tx && nx_store_commit(z->store) < 0) {
		log_warn("symbolize: %s", nx_store_error(z->store));
		nx_store_rollback(z->store);
		z->counters[C_ERRORS] += (uint64_t)n;
	}
}

/* Save the counters when they changed (one small transaction at most per look). */
static void save_counters(struct nxd_symbolizer *z)
{
	struct nx_counter c[C_COUNT];

	z->counters[C_OPENED] = nx_sym_stats(z->sym)->opened;
	z->counters[C_INV_MALFORMED] = atomic_load(&z->inv_malformed);
	z->counters[C_INV_DROPPED] = atomic_load(&z->inv_dropped);
	if (memcmp(z->counters, z->saved, sizeof(z->saved)) == 0)
		return;
	memcpy(z->saved, z->counters, sizeof(z->saved));
	for (int i = 0; i < C_COUNT; i++)
		c[i] = (struct nx_counter){ counter_names[i], z->counters[i] };
	if (nx_store_save_counters(z->store, c, C_COUNT, wall_ms()) < 0)
		log_debug("symbolize: counters not saved: %s", nx_store_error(z->store));
}

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *symbolizer_main(void *arg)
{
	struct nxd_symbolizer *z = arg;
	int64_t ids[BATCH];
	json_t *results[BATCH];

	while (!atomic_load(&z->stop)) {
		int n, done = 0;

		store_inventories(z);
		n = nx_store_sym_pending(z->store, &z->after_id, wall_ms(), ids, BATCH);

		if (n < 0)
			log_debug("symbolize: %s", nx_store_error(z->store));
		for (; done < n && !atomic_load(&z->stop); done++)
			results[done] = one(z, ids[done]);
		if (done)
			save_batch(z, ids, results, done);
		save_counters(z);
		if (n < BATCH)
			nap(POLL_MS);
	}
	store_inventories(z);
	save_counters(z);
	return NULL;
}

static void release(struct nxd_symbolizer *z)
{
	nx_sym_free(z->sym);
	nx_store_close(z->store);
	free(z);
}

int nxd_symbolizer_start(const struct nxd_config *cfg, struct nxd_symbolizer **out)
{
	struct nx_sym_conf sc = { .debuginfod = cfg->debuginfod_urls[0] != '\0',
				  .timeout_ms = cfg->symbolize_timeout_ms,
				  .cache_files = cfg->symbolize_cache };
	struct nxd_symbolizer *z;
	char err[512];

	*out = NULL;
	if (!cfg->n_debuginfo && !sc.debuginfod)
		return 0;
	for (size_t i = 0; i < cfg->n_debuginfo; i++)
		sc.dirs[sc.n_dirs++] = cfg->debuginfo[i];
	if (!(z = calloc(1, sizeof(*z)))) {
		log_err("symbolize: out of memory");
		return -1;
	}
	z->retry_ms = cfg->symbolize_retry_ms;
	pthread_mutex_init(&z->inv_lock, NULL);
	z->sym = nx_sym_new(&sc, err, sizeof(err));
	if (!z->sym || !(z->store = nx_store_open(cfg->db, NX_STORE_EXISTING, err, sizeof(err)))) {
		log_err("symbolize: %s", err);
		release(z);
		return -1;
	}
	nx_store_set_busy_wait(z->store, 5000);
	if (pthread_create(&z->thread, NULL, symbolizer_main, z) != 0) {
		log_err("symbolize: cannot start its thread");
		release(z);
		return -1;
	}
	*out = z;
	return 0;
}

void nxd_symbolizer_stop(struct nxd_symbolizer *z)
{
	if (!z)
		return;
	atomic_store(&z->stop, true);
	pthread_join(z->thread, NULL);
	release(z);
}

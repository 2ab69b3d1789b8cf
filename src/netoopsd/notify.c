/* Webhooks: new groups and rate jumps found in the store, POSTed as JSON with retries. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "netoopsd/log.h"
#include "netoopsd/notify.h"
#include "store/store.h"

#define RATE_GROUPS	200	/* recently seen groups looked at for a jump, per poll */
#define JUMP_MEMORY	1024	/* groups whose last jump is remembered (one event an hour) */
#define HOUR_MS		3600000LL

/* One event: its JSON body and when it is tried next. */
struct event {
	char *body;
	unsigned attempts;
	int64_t next_ms;
};

struct jump_seen {
	int64_t group, at_ms;
};

struct nxd_notify {
	char url[NXD_NOTIFY_URL_MAX];
	char collector[256];			/* this host's name, in every event */
	struct nx_store *store;			/* the thread's own, read-only */
	CURL *curl;
	int64_t last_group;			/* the highest group id announced (or there at start) */
	struct event q[NXD_NOTIFY_QUEUE];	/* a ring: the thread's own */
	size_t head, len;
	struct jump_seen jumps[JUMP_MEMORY];	/* the thread's own */
	pthread_t thread;
	pthread_mutex_t lock;			/* guards stop, for the condition */
	pthread_cond_t wake;			/* notify_stop() */
	bool stop;
	_Atomic uint64_t sent, retries, failed, dropped;
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- events ------------------------------------------------------------------------- */

static void enqueue(struct nxd_notify *n, json_t *ev)
{
	char *body;

	json_object_set_new(ev, "collector", json_string(n->collector));
	body = json_dumps(ev, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(ev);
	if (!body || n->len == NXD_NOTIFY_QUEUE) {
		free(body);
		atomic_fetch_add(&n->dropped, 1);
		log_warn("notify: event dropped (%s)", body ? "the queue of unsent events is full"
							       : "out of memory");
		return;
	}
	n->q[(n->head + n->len++) % NXD_NOTIFY_QUEUE] = (struct event){ body, 0, 0 };
}

/* {"event": KIND, "group": {...} + "url": the dashboard's fragment of its page}. */
static json_t *group_event(const char *kind, json_t *g)
{
	char frag[48];

	snprintf(frag, sizeof(frag), "#/groups/%lld",
		 (long long)json_integer_value(json_object_get(g, "id")));
	return json_pack("{s:s, s:O, s:s}", "event", kind, "group", g, "page", frag);
}

static void find_new_groups(struct nxd_notify *n)
{
	json_t *rows = nx_store_groups_after(n->store, n->last_group, 100), *g;
	size_t i;

	json_array_foreach(rows, i, g) {
		n->last_group = json_integer_value(json_object_get(g, "id"));
		enqueue(n, group_event("new_group", g));
	}
	json_decref(rows);
}

/* Whether GROUP had a jump event within the hour; else remembered as having one NOW. */
static bool jumped_lately(struct nxd_notify *n, int64_t group, int64_t now)
{
	struct jump_seen *oldest = &n->jumps[0];

	for (size_t i = 0; i < JUMP_MEMORY; i++) {
		if (n->jumps[i].group == group && n->jumps[i].at_ms > now - HOUR_MS)
			return true;
		if (n->jumps[i].at_ms < oldest->at_ms)
			oldest = &n->jumps[i];
	}
	*oldest = (struct jump_seen){ group, now };
	return false;
}

static void find_rate_jumps(struct nxd_notify *n, int64_t now)
{
	json_t *rows = nx_store_group_rates(n->store, now, RATE_GROUPS), *g;
	size_t i;

	json_array_foreach(rows, i, g) {
		json_int_t hour = json_integer_value(json_object_get(g, "last_hour"));
		json_int_t before = json_integer_value(json_object_get(g, "day_before"));
		json_t *ev;

		/* hourly rate over the day before: before / 24 */
		if (hour < NXD_NOTIFY_JUMP_MIN || hour * 24 <= NXD_NOTIFY_JUMP_FACTOR * before ||
		    jumped_lately(n, json_integer_value(json_object_get(g, "id")), now))
			continue;
		ev = group_event("rate_jump", g);
		json_object_del(json_object_get(ev, "group"), "last_hour");
		json_object_del(json_object_get(ev, "group"), "day_before");
		json_object_set_new(ev, "last_hour", json_integer(hour));
		json_object_set_new(ev, "previous_day", json_integer(before));
		enqueue(n, ev);
	}
	json_decref(rows);
}

/* ---- sending -------------------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p, (void)u;
	return size * n;
}

/* POST BODY; true on a 2xx answer. */
static bool post(struct nxd_notify *n, const char *body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(n->curl, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(n->curl);
	curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (rc == CURLE_OK && status >= 200 && status < 300)
		return true;
	log_debug("notify: %s: %s", n->url, rc != CURLE_OK ? curl_easy_strerror(rc) : "not 2xx");
	if (rc == CURLE_OK)
		log_debug("notify: the receiver answered %ld", status);
	return false;
}

/* Try the first event if it is due; on failure it waits, doubling, until given up. */
static void send_due(struct nxd_notify *n, int64_t now)
{
	struct event *e = &n->q[n->head];

	if (!n->len || e->next_ms > now)
		return;
	if (post(n, e->body)) {
		atomic_fetch_add(&n->sent, 1);
	} else if (++e->attempts < NXD_NOTIFY_ATTEMPTS) {
		atomic_fetch_add(&n->retries, 1);
		e->next_ms = wall_ms() + ((int64_t)NXD_NOTIFY_BACKOFF_MS << (e->attempts - 1));
		return;
	} else {
		atomic_fetch_add(&n->failed, 1);
		log_warn("notify: gave up on an event after %d attempts: %s does not take it",
			 NXD_NOTIFY_ATTEMPTS, n->url);
	}
	free(e->body);
	n->head = (n->head + 1) % NXD_NOTIFY_QUEUE;
	n->len--;
}

/* Sleep until DEADLINE_MS (wall clock) or a stop; true to go on. */
static bool nap(struct nxd_notify *n, int64_t deadline_ms)
{
	struct timespec ts = { deadline_ms / 1000, (deadline_ms % 1000) * 1000000 };
	bool go;

	pthread_mutex_lock(&n->lock);
	if (!n->stop)
		pthread_cond_timedwait(&n->wake, &n->lock, &ts);
	go = !n->stop;
	pthread_mutex_unlock(&n->lock);
	return go;
}

static void *notify_main(void *arg)
{
	struct nxd_notify *n = arg;
	int64_t next_poll = 0, until;

	do {
		int64_t now = wall_ms();

		if (now >= next_poll) {
			find_new_groups(n);
			find_rate_jumps(n, now);
			next_poll = now + NXD_NOTIFY_POLL_MS;
		}
		send_due(n, now);
		until = next_poll;
		if (n->len && n->q[n->head].next_ms < until)
			until = n->q[n->head].next_ms;
	} while (nap(n, until));
	return NULL;
}

/* ---- start and stop ------------------------------------------------------------------ */

static int setup_curl(struct nxd_notify *n)
{
	if (!(n->curl = curl_easy_init()))
		return -1;
	curl_easy_setopt(n->curl, CURLOPT_URL, n->url);
	curl_easy_setopt(n->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(n->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(n->curl, CURLOPT_TIMEOUT_MS, (long)NXD_NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(n->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)NXD_NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(n->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(n->curl, CURLOPT_USERAGENT, "netoopsd");
	return 0;
}

struct nxd_notify *notify_start(const struct nxd_config *cfg)
{
	struct nxd_notify *n = calloc(1, sizeof(*n));
	char err[4400] = "";

	if (!n || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("notify: cannot start: out of memory");
		free(n);
		return NULL;
	}
	snprintf(n->url, sizeof(n->url), "%s", cfg->notify);
	if (gethostname(n->collector, sizeof(n->collector) - 1) < 0)
		snprintf(n->collector, sizeof(n->collector), "netoopsd");
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if (!(n->store = nx_store_open(cfg->db, NX_STORE_READONLY, err, sizeof(err))) ||
	    (n->last_group = nx_store_max_group_id(n->store)) < 0 || setup_curl(n) < 0 ||
	    pthread_create(&n->thread, NULL, notify_main, n) != 0) {
		log_err("notify: cannot start: %s", err[0] ? err : n->store ?
			nx_store_error(n->store) : "no thread");
		curl_easy_cleanup(n->curl);
		nx_store_close(n->store);
		free(n);
		return NULL;
	}
	log_info("notify: new groups and rate jumps are posted to %s", n->url);
	return n;
}

void notify_counters(struct nxd_notify *n, struct nxd_notify_counters *out)
{
	*out = (struct nxd_notify_counters){ 0 };
	if (!n)
		return;
	out->sent = atomic_load(&n->sent);
	out->retries = atomic_load(&n->retries);
	out->failed = atomic_load(&n->failed);
	out->dropped = atomic_load(&n->dropped);
}

void notify_stop(struct nxd_notify *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	for (; n->len; n->len--, n->head = (n->head + 1) % NXD_NOTIFY_QUEUE)
		free(n->q[n->head].body);
	curl_easy_cleanup(n->curl);
	nx_store_close(n->store);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->wake);
	free(n);
	curl_global_cleanup();
}

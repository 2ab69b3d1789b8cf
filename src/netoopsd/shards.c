/* The receive threads: opening each shard's sockets and reassembly, summing the shards' counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "netoopsd/auth.h"
#include "netoopsd/log.h"
#include "netoopsd/loop.h"
#include "netoopsd/shards.h"

unsigned shards_count(const struct nxd_config *cfg)
{
	long cpus;

	if (cfg->receive_threads)
		return cfg->receive_threads;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > NXD_MAX_SHARDS ? NXD_MAX_SHARDS : (unsigned)cpus;
}

/*
 * A 1/SHARDS share of the reassembly bounds (a quarter of max-memory is for
 * the queue). One dump may still take a quarter of the whole reassembly
 * bound, as with one thread, as long as that fits in the shard's share.
 */
static struct nx_reasm *new_reasm(const struct nxd_config *cfg, unsigned shards)
{
	size_t dumps = cfg->max_dumps / shards, all = cfg->max_memory - cfg->max_memory / 4;
	struct nx_reasm_limits lim = {
		.max_bytes = all / shards,
		.max_dump_bytes = all / 4 < all / shards ? all / 4 : all / shards,
		.max_dumps = dumps ? dumps : 1,
		.quiet_ms = cfg->quiet_ms,
		.netconsole_quiet_ms = cfg->netconsole_quiet_ms,
	};

	/* A secret hash key: senders cannot aim their dumps at one bucket. */
	if (getrandom(&lim.hash_seed, sizeof(lim.hash_seed), 0) != sizeof(lim.hash_seed))
		log_warn("getrandom failed; reassembly hash key is not secret");
	return nx_reasm_new(&lim);
}

/* Listen address A on every shard, in shard order, then shard the group. */
static int open_address(struct nxd_shards *g, size_t a)
{
	const struct nxd_config *cfg = g->loop[0]->cfg;
	uint32_t seed = 0;
	char msg[512];

	for (unsigned s = 0; s < g->n; s++) {
		struct nxd_loop *l = g->loop[s];

		if (listener_open(&l->listeners[a], &cfg->listen[a], cfg->rcvbuf, g->n > 1,
				  msg, sizeof(msg)) < 0) {
			log_err("%s", msg);
			return -1;
		}
		l->n_listeners++;
		l->counters.rx.overflow_unmeasured += !l->listeners[a].ovfl_measured;
	}
	/* A secret seed: senders cannot pick host names that all land in one shard. */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		log_warn("getrandom failed; the shard hash seed is not secret");
	if (g->n > 1 && listener_shard(&g->loop[0]->listeners[a], g->n, seed, msg,
				       sizeof(msg)) < 0) {
		log_err("%s", msg);
		return -1;
	}
	log_info("listening on %s (receive buffer %d bytes, %u receive thread%s)",
		 cfg->listen[a].text, listener_rcvbuf(&g->loop[0]->listeners[a]), g->n,
		 g->n > 1 ? "s, datagrams sharded by dump" : "");
	return 0;
}

static int new_shards(struct nxd_shards *g, struct nxd_loop *first)
{
	for (unsigned s = 0; s < g->n; s++) {
		struct nxd_loop *l = s ? calloc(1, sizeof(*l)) : first;

		if (!l)
			return -1;
		g->loop[s] = l;
		l->cfg = first->cfg;
		l->shard = s;
		l->group = g;
		for (size_t a = 0; a < NXD_MAX_LISTEN; a++)
			l->listeners[a].fd = -1;
		if (!(l->reasm = new_reasm(l->cfg, g->n)))
			return -1;
	}
	return 0;
}

int shards_open(struct nxd_shards *g, struct nxd_loop *first)
{
	memset(g, 0, sizeof(*g));
	g->n = shards_count(first->cfg);
	g->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&g->lock, NULL);
	if (g->stop_fd < 0 || new_shards(g, first) < 0) {
		log_err("cannot start %u receive thread(s): %s", g->n, strerror(errno));
		goto fail;
	}
	for (size_t a = 0; a < first->cfg->n_listen; a++)
		if (open_address(g, a) < 0)
			goto fail;
	return 0;
fail:
	shards_close(g);
	return -1;
}

int shards_open_auth(struct nxd_shards *g, struct nx_store *store)
{
	const struct nxd_config *cfg = g->loop[0]->cfg;
	char msg[4400];

	for (unsigned s = 0; s < g->n; s++) {
		struct nxd_loop *l = g->loop[s];

		if (!(l->auth = nxd_auth_new(&cfg->auth, msg, sizeof(msg)))) {
			log_err("%s", msg);
			return -1;
		}
		if (cfg->auth.mode != NXD_AUTH_OFF && nxd_auth_load_marks(l->auth, store) < 0) {
			log_err("database %s: %s", cfg->db, nx_store_error(store));
			return -1;
		}
	}
	return 0;
}

void shards_close(struct nxd_shards *g)
{
	for (unsigned s = 0; s < g->n; s++) {
		struct nxd_loop *l = g->loop[s];

		if (!l)
			continue;
		for (size_t a = 0; a < l->n_listeners; a++)
			listener_close(&l->listeners[a]);
		l->n_listeners = 0;
		nx_reasm_free(l->reasm);
		l->reasm = NULL;
		nxd_auth_free(l->auth);
		l->auth = NULL;
		if (s)
			free(l);
		g->loop[s] = NULL;
	}
	if (g->stop_fd >= 0)
		close(g->stop_fd);
	g->stop_fd = -1;
	pthread_mutex_destroy(&g->lock);
}

/* TO += FROM, field by field, for counter structs made only of uint64_t. */
static void add_u64s(void *to, const void *from, size_t bytes)
{
	uint64_t *t = to;
	const uint64_t *f = from;

	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		t[i] += f[i];
}

_Static_assert(sizeof(struct nx_reasm_stats) % sizeof(uint64_t) == 0, "reasm stats: uint64_t only");
_Static_assert(sizeof(struct nxd_rx_counters) % sizeof(uint64_t) == 0, "rx counters: uint64_t only");
_Static_assert(sizeof(struct nxd_auth_counters) % sizeof(uint64_t) == 0,
	       "auth counters: uint64_t only");

/* Called locked. */
static void sum(struct nxd_shards *g, struct nxd_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned s = 0; s < g->n; s++) {
		const struct nxd_counters *c = &g->snap[s];

		add_u64s(&out->reasm, &c->reasm, sizeof(c->reasm));
		add_u64s(&out->rx, &c->rx, sizeof(c->rx));
		add_u64s(&out->auth, &c->auth, sizeof(c->auth));
		out->queue_waits += c->queue_waits;
		out->noise.sampled += c->noise.sampled;
		out->noise.aggregated += c->noise.aggregated;
		out->noise.dropped += c->noise.dropped;
	}
	out->started_ms = g->snap[0].started_ms;
}

void shards_publish(struct nxd_shards *g, const struct nxd_loop *l)
{
	struct nxd_counters total;

	pthread_mutex_lock(&g->lock);
	g->snap[l->shard] = l->counters;
	sum(g, &total);
	sink_update_counters(l->sink, &total);
	pthread_mutex_unlock(&g->lock);
}

void shards_total(struct nxd_shards *g, struct nxd_counters *out)
{
	pthread_mutex_lock(&g->lock);
	sum(g, out);
	pthread_mutex_unlock(&g->lock);
}

/* Reassembly: decode each datagram, place it in its dump or stream, hand out finished dumps. */
#include "core/reasm/reasm_int.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BYTES	(256u << 20)
#define DEFAULT_MAX_DUMPS	65536
#define DEFAULT_QUIET_MS	10000
#define DEFAULT_NC_QUIET_MS	5000
/* Dumps remembered by admission as seen once (direct-mapped; a power of two). */
#define SEEN_SLOTS		65536
/* A chatty console is cut into chunks of at most this much (crash reports are far smaller). */
#define NC_CHUNK_MAX		(4u << 20)

struct nx_reasm {
	struct nx_reasm_limits lim;
	struct nx_table table;
	struct nx_age_list lists[NX_L_COUNT];
	size_t bytes;				/* charged by all entries */
	size_t live;				/* dumps and streams (not done) */
	struct nx_reasm_stats st;
	struct nx_dump **ready;			/* finished, FIFO from ready_head */
	size_t ready_head, ready_n, ready_cap;
	nx_reasm_trust_fn trusted;		/* admission (nx_reasm_set_admission) */
	void *trust_ctx;
	uint64_t *seen;				/* SEEN_SLOTS key hashes seen once; 0 = free */
	bool feeding_auth;			/* the datagram being fed was authenticated */
};

/* ---- finished dumps ---- */

struct nx_dump *nx_dump_alloc(const struct nx_entry *e, size_t text_len)
{
	struct nx_dump *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->text = malloc(text_len + 1);
	if (!d->text) {
		free(d);
		return NULL;
	}
	d->text_len = text_len;
	d->text[0] = '\0';
	d->format = e->format;
	memcpy(d->source, e->source, sizeof(d->source));
	d->first_ms = e->first_ms;
	d->last_ms = e->last_ms;
	d->authenticated = e->accepted > 0 && !e->unauthenticated;
	strcpy(d->reason, "unknown");
	return d;
}

void nx_dump_free(struct nx_dump *d)
{
	if (!d)
		return;
	free(d->text);
	free(d->missing);
	free(d);
}

void nx_reasm_ready(struct nx_reasm *r, struct nx_dump *d)
{
	if (r->ready_head + r->ready_n == r->ready_cap) {
		if (r->ready_head) {
			memmove(r->ready, r->ready + r->ready_head, r->ready_n * sizeof(*r->ready));
			r->ready_head = 0;
		} else {
			size_t cap = r->ready_cap ? r->ready_cap * 2 : 64;
			struct nx_dump **v = realloc(r->ready, cap * sizeof(*v));

			if (!v) {	/* cannot queue it: count it as lost */
				r->st.over_limit++;
				nx_dump_free(d);
				return;
			}
			r->ready = v;
			r->ready_cap = cap;
		}
	}
	r->ready[r->ready_head + r->ready_n++] = d;
	if (d->complete)
		r->st.complete++;
	else
		r->st.incomplete++;
}

struct nx_dump *nx_reasm_next(struct nx_reasm *r)
{
	if (r->ready_n == 0)
		return NULL;
	r->ready_n--;
	return r->ready[r->ready_head++];
}

/* ---- lifecycle ---- */

struct nx_reasm *nx_reasm_new(const struct nx_reasm_limits *limits)
{
	struct nx_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (limits)
		r->lim = *limits;
	if (!r->lim.max_bytes)
		r->lim.max_bytes = DEFAULT_MAX_BYTES;
	if (!r->lim.max_dumps)
		r->lim.max_dumps = DEFAULT_MAX_DUMPS;
	if (!r->lim.quiet_ms)
		r->lim.quiet_ms = DEFAULT_QUIET_MS;
	if (!r->lim.netconsole_quiet_ms)
		r->lim.netconsole_quiet_ms = DEFAULT_NC_QUIET_MS;
	if (!r->lim.max_dump_bytes || r->lim.max_dump_bytes > r->lim.max_bytes)
		r->lim.max_dump_bytes = r->lim.max_bytes / 4;
	if (nx_table_init(&r->table, r->lim.hash_seed)) {
		free(r);
		return NULL;
	}
	return r;
}

static void entry_destroy(struct nx_reasm *r, struct nx_entry *e)
{
	nx_table_remove(&r->table, e);
	nx_list_unlink(&r->lists[e->list], e);
	if (e->list != NX_L_DONE)
		r->live--;
	r->bytes -= e->mem;
	nx_dstate_free(e->dump);
	nx_stream_free(e->stream);
	free(e);
}

void nx_reasm_free(struct nx_reasm *r)
{
	if (!r)
		return;
	for (int l = 0; l < NX_L_COUNT; l++)
		while (r->lists[l].head)
			entry_destroy(r, r->lists[l].head);
	nx_table_free(&r->table);
	while (r->ready_n)
		nx_dump_free(nx_reasm_next(r));
	free(r->ready);
	free(r->seen);
	free(r);
}

static size_t entry_mem(const struct nx_entry *e)
{
	if (e->stream)
		return sizeof(*e) + nx_stream_mem(e->stream);
	return sizeof(*e) + (e->dump ? nx_dstate_mem(e->dump) : 0);
}

static void recharge(struct nx_reasm *r, struct nx_entry *e)
{
	size_t m = entry_mem(e);

	r->bytes = r->bytes - e->mem + m;
	e->mem = m;
}

static void move_to(struct nx_reasm *r, struct nx_entry *e, enum nx_list l)
{
	nx_list_unlink(&r->lists[e->list], e);
	e->list = (uint8_t)l;
	nx_list_push(&r->lists[l], e);
}

/* Emit whatever E holds (incomplete unless all arrived) and forget it. */
static void close_entry(struct nx_reasm *r, struct nx_entry *e)
{
	if (e->list != NX_L_DONE) {
		if (e->stream) {
			if (nx_stream_close(r, e->stream, e))
				r->st.over_limit++;
		} else if (e->dump) {
			struct nx_dump *d = nx_dstate_emit(e->dump, e);

			if (d)
				nx_reasm_ready(r, d);
			else
				r->st.over_limit++;
		}
	}
	entry_destroy(r, e);
}

/* A finished dump stays as a small "done" entry that absorbs its later copies. */
static void finish_dump(struct nx_reasm *r, struct nx_entry *e)
{
	struct nx_dump *d = nx_dstate_emit(e->dump, e);

	if (d)
		nx_reasm_ready(r, d);
	else
		r->st.over_limit++;
	nx_dstate_retire(e->dump);
	move_to(r, e, NX_L_DONE);
	r->live--;
	recharge(r, e);
}

static bool is_stream_list(int l)
{
	return l == NX_L_STREAM_NEW || l == NX_L_STREAM_EST;
}

static uint32_t quiet_of(const struct nx_reasm *r, int l)
{
	return is_stream_list(l) ? r->lim.netconsole_quiet_ms : r->lim.quiet_ms;
}

/* ---- the memory bound ---- */

/* Entries looked at, least recently active first, to pick the one with the least progress. */
#define VICTIM_WINDOW 8

/*
 * Among the VICTIM_WINDOW least recently active entries of L (KEEP spared),
 * the one with the fewest datagrams (the oldest of those): a dump that has
 * made progress outlives fakes of two datagrams that came after it.
 */
static struct nx_entry *least_progress(const struct nx_age_list *l, const struct nx_entry *keep)
{
	struct nx_entry *best = NULL, *e = l->head;

	for (int i = 0; e && i < VICTIM_WINDOW; e = e->next, i++)
		if (e != keep && (!best || e->accepted < best->accepted))
			best = e;
	return best;
}

/*
 * Who goes first at the bound: entries with a single datagram, then done
 * entries (only when bytes are short: they hold no text, but losing one lets
 * the late copies of a finished dump come back as a second, incomplete dump),
 * then established ones; within a class the one with the least progress
 * among the least recently active (least_progress). KEEP (the entry being
 * fed) is spared.
 */
static struct nx_entry *victim(struct nx_reasm *r, const struct nx_entry *keep, bool done_too)
{
	static const int classes[][2] = {
		{ NX_L_DUMP_NEW, NX_L_STREAM_NEW },
		{ NX_L_DONE, NX_L_DONE },
		{ NX_L_DUMP_EST, NX_L_STREAM_EST },
	};

	for (size_t c = 0; c < 3; c++) {
		if (classes[c][0] == NX_L_DONE && !done_too)
			continue;
		struct nx_entry *a = least_progress(&r->lists[classes[c][0]], keep);
		struct nx_entry *b = least_progress(&r->lists[classes[c][1]], keep);

		if (a && b)
			return a->accepted != b->accepted ? (a->accepted < b->accepted ? a : b)
							  : (a->last_ms <= b->last_ms ? a : b);
		if (a || b)
			return a ? a : b;
	}
	return NULL;
}

static void evict(struct nx_reasm *r, struct nx_entry *e)
{
	if (e->list != NX_L_DONE)
		r->st.evicted++;
	close_entry(r, e);
}

/* Make room for NEED more bytes (and one more live entry if NEW_ENTRY). */
static bool make_room(struct nx_reasm *r, size_t need, bool new_entry, const struct nx_entry *keep)
{
	for (;;) {
		bool short_bytes = r->bytes + need > r->lim.max_bytes;
		bool short_slots = new_entry && r->live >= r->lim.max_dumps;
		struct nx_entry *v;

		if (!short_bytes && !short_slots)
			return true;
		v = victim(r, keep, short_bytes);
		if (!v)
			return false;
		evict(r, v);
	}
}

/* ---- feeding ---- */

struct key {
	uint8_t b[NX_KEY_MAX];
	size_t n;
};

static void key_add(struct key *k, const void *p, size_t n)
{
	if (k->n + n > sizeof(k->b))
		n = sizeof(k->b) - k->n;
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void key_str(struct key *k, const char *s)
{
	key_add(k, s, strlen(s) + 1);
}

/*
 * netoops v1 by what the sender says about itself (never the address: NAT,
 * QEMU); legacy v3 also by source, since its ids are weak; netconsole by source.
 */
static void make_key(struct key *k, const struct nx_packet *p, const char *source)
{
	uint8_t tag = (uint8_t)p->format;

	k->n = 0;
	key_add(k, &tag, 1);
	switch (p->format) {
	case NX_FMT_NETOOPS:
		key_str(k, p->host);
		key_str(k, p->boot);
		key_add(k, &p->dump, sizeof(p->dump));
		key_add(k, &p->time_usec, sizeof(p->time_usec));
		break;
	case NX_FMT_LEGACY_V3:
		key_str(k, source);
		key_str(k, p->boot);
		key_add(k, &p->dump, sizeof(p->dump));
		key_str(k, p->release);
		break;
	default:
		key_str(k, source);
		break;
	}
}

int nx_reasm_set_admission(struct nx_reasm *r, nx_reasm_trust_fn trusted, void *ctx)
{
	if (trusted && !r->seen && !(r->seen = calloc(SEEN_SLOTS, sizeof(*r->seen))))
		return -1;
	r->trusted = trusted;
	r->trust_ctx = ctx;
	return 0;
}

/* May the dump of P (key hash HASH) open an entry now? See nx_reasm_set_admission(). */
static bool admit(struct nx_reasm *r, const struct nx_packet *p, const char *source,
		  uint64_t hash)
{
	uint64_t *slot, mark = hash | 1;

	if (!r->trusted)
		return true;
	slot = &r->seen[(hash >> 17) & (SEEN_SLOTS - 1)];
	if (*slot == mark) {
		*slot = 0;
		return true;
	}
	if (r->trusted(r->trust_ctx, source, p->host))
		return true;
	*slot = mark;
	return false;
}

static struct nx_entry *entry_new(struct nx_reasm *r, const struct key *k, uint64_t hash,
				  const struct nx_packet *p, const char *source, uint64_t now)
{
	struct nx_entry *e = calloc(1, sizeof(*e));
	bool stream = p->format == NX_FMT_NC_EXTENDED || p->format == NX_FMT_NC_BASIC;

	if (!e)
		return NULL;
	memcpy(e->key, k->b, k->n);
	e->keylen = (uint8_t)k->n;
	e->hash = hash;
	e->format = p->format;
	strncpy(e->source, source, sizeof(e->source) - 1);
	e->first_ms = e->last_ms = now;
	if (stream)
		e->stream = nx_stream_new(p->format == NX_FMT_NC_EXTENDED,
					  r->lim.max_dump_bytes < NC_CHUNK_MAX ? r->lim.max_dump_bytes
									       : NC_CHUNK_MAX);
	else
		e->dump = nx_dstate_new(p, r->lim.max_dump_bytes);
	if ((!e->stream && !e->dump) || nx_table_insert(&r->table, e)) {
		nx_stream_free(e->stream);
		nx_dstate_free(e->dump);
		free(e);
		return NULL;
	}
	e->list = stream ? NX_L_STREAM_NEW : NX_L_DUMP_NEW;
	nx_list_push(&r->lists[e->list], e);
	r->live++;
	e->mem = entry_mem(e);
	r->bytes += e->mem;
	return e;
}

/* Bytes E may grow by when P is placed: exact for dumps, a bound for streams. */
static size_t growth(const struct nx_entry *e, const struct nx_packet *p)
{
	if (e->dump) {
		size_t after = nx_dstate_mem_after(e->dump, p), now = nx_dstate_mem(e->dump);

		return after > now ? after - now : 0;
	}
	return 2 * p->text_len + 2048;
}

static enum nx_place place(struct nx_reasm *r, struct nx_entry *e, const struct nx_packet *p,
			   uint64_t now)
{
	if (!make_room(r, growth(e, p), false, e))
		return NX_PLACE_FULL;
	if (e->stream)
		return nx_stream_feed(r, e->stream, e, p, now);

	uint32_t rec0, rej0, rec1, rej1;
	enum nx_place res;

	nx_dstate_fec_counts(e->dump, &rec0, &rej0);
	res = nx_dstate_place(e->dump, p);
	nx_dstate_fec_counts(e->dump, &rec1, &rej1);
	r->st.fec_recovered += rec1 - rec0;
	r->st.fec_rejected += rej1 - rej0;
	if (res == NX_PLACE_OK && p->kind == NX_KIND_PARITY)
		r->st.fec_parity++;
	return res;
}

static enum nx_feed_result count(struct nx_reasm *r, enum nx_place res)
{
	switch (res) {
	case NX_PLACE_OK:
		r->st.accepted++;
		return NX_FEED_ACCEPTED;
	case NX_PLACE_DUP:
		r->st.duplicates++;
		return NX_FEED_DUPLICATE;
	case NX_PLACE_BAD:
	case NX_PLACE_OTHER_DUMP:
		r->st.malformed++;
		return NX_FEED_MALFORMED;
	case NX_PLACE_FULL:
	case NX_PLACE_NOMEM:
		break;
	}
	r->st.over_limit++;
	return NX_FEED_OVER_LIMIT;
}

static enum nx_list promoted(enum nx_list l)
{
	if (l == NX_L_DUMP_NEW)
		return NX_L_DUMP_EST;
	if (l == NX_L_STREAM_NEW)
		return NX_L_STREAM_EST;
	return l;
}

/* After placing: age and promotion, completion, and the bound. */
static void settle(struct nx_reasm *r, struct nx_entry *e, enum nx_place res, uint64_t now)
{
	if (res == NX_PLACE_OK || res == NX_PLACE_DUP) {
		if (now > e->last_ms)
			e->last_ms = now;
		if (res == NX_PLACE_OK) {
			e->accepted++;
			e->unauthenticated |= !r->feeding_auth;
		}
		move_to(r, e, e->accepted >= 2 ? promoted(e->list) : (enum nx_list)e->list);
	}
	recharge(r, e);
	if (e->dump && e->list != NX_L_DONE && nx_dstate_complete(e->dump)) {
		finish_dump(r, e);
		return;
	}
	/* Streams grow by an estimate: enforce the bound after the fact too. */
	while (r->bytes > r->lim.max_bytes) {
		struct nx_entry *v = victim(r, e, true);

		if (!v) {
			evict(r, e);
			return;
		}
		evict(r, v);
	}
}

/* Drop done entries whose copies have stopped arriving. */
static void expire_done(struct nx_reasm *r, uint64_t now)
{
	struct nx_entry *e;

	while ((e = r->lists[NX_L_DONE].head) && e->last_ms + r->lim.quiet_ms <= now)
		entry_destroy(r, e);
}

static enum nx_feed_result feed_packet(struct nx_reasm *r, const struct nx_packet *p,
				       const char *source, uint64_t now)
{
	struct key k;

	make_key(&k, p, source);

	uint64_t hash = nx_table_hash(&r->table, k.b, k.n);
	struct nx_entry *e = nx_table_find(&r->table, k.b, k.n, hash);
	enum nx_place res;

	if (e && e->list == NX_L_DONE) {
		if (nx_dstate_check_done(e->dump, p) == NX_PLACE_DUP) {
			settle(r, e, NX_PLACE_DUP, now);
			return count(r, NX_PLACE_DUP);
		}
		entry_destroy(r, e);	/* legacy: the same ids, a new dump */
		e = NULL;
	}
	if (e) {
		res = place(r, e, p, now);
		if (res != NX_PLACE_OTHER_DUMP) {
			settle(r, e, res, now);
			return count(r, res);
		}
		close_entry(r, e);	/* legacy: a new dump took over the ids */
	}
	if (!admit(r, p, source, hash)) {
		r->st.shed++;
		return NX_FEED_SHED;
	}
	if (!make_room(r, sizeof(*e) + 4096, true, NULL))
		return count(r, NX_PLACE_FULL);
	e = entry_new(r, &k, hash, p, source, now);
	if (!e)
		return count(r, NX_PLACE_NOMEM);
	res = place(r, e, p, now);
	if (res != NX_PLACE_OK && e->accepted == 0) {
		entry_destroy(r, e);	/* nothing of it was usable */
		return count(r, res);
	}
	settle(r, e, res, now);
	return count(r, res);
}

enum nx_feed_result nx_reasm_feed(struct nx_reasm *r, const char *source,
				  const uint8_t *buf, size_t len, uint64_t now_ms)
{
	return nx_reasm_feed_auth(r, source, buf, len, now_ms, false);
}

enum nx_feed_result nx_reasm_feed_auth(struct nx_reasm *r, const char *source,
				       const uint8_t *buf, size_t len, uint64_t now_ms,
				       bool authenticated)
{
	struct nx_packet p;
	const char *why;

	r->feeding_auth = authenticated;
	r->st.datagrams++;
	expire_done(r, now_ms);
	if (nx_decode(buf, len, &p, &why)) {
		r->st.malformed++;
		return NX_FEED_MALFORMED;
	}
	enum nx_feed_result res = feed_packet(r, &p, source ? source : "", now_ms);

	if (res == NX_FEED_ACCEPTED)
		r->st.by_format[p.format]++;
	return res;
}

/* ---- time ---- */

void nx_reasm_expire(struct nx_reasm *r, uint64_t now_ms)
{
	for (int l = NX_L_DUMP_NEW; l <= NX_L_STREAM_EST; l++) {
		struct nx_entry *e;

		while ((e = r->lists[l].head) && e->last_ms + quiet_of(r, l) <= now_ms)
			close_entry(r, e);
	}
	expire_done(r, now_ms);
}

void nx_reasm_flush(struct nx_reasm *r, uint64_t now_ms)
{
	(void)now_ms;
	for (int l = 0; l < NX_L_COUNT; l++)
		while (r->lists[l].head)
			close_entry(r, r->lists[l].head);
}

int64_t nx_reasm_next_deadline(const struct nx_reasm *r, uint64_t now_ms)
{
	int64_t best = -1;

	for (int l = NX_L_DUMP_NEW; l <= NX_L_STREAM_EST; l++) {
		const struct nx_entry *e = r->lists[l].head;

		if (!e)
			continue;
		uint64_t due = e->last_ms + quiet_of(r, l);
		int64_t left = due > now_ms ? (int64_t)(due - now_ms) : 0;

		if (best < 0 || left < best)
			best = left;
	}
	return best;
}

const struct nx_reasm_stats *nx_reasm_stats(const struct nx_reasm *r)
{
	return &r->st;
}

size_t nx_reasm_bytes(const struct nx_reasm *r)
{
	return r->bytes;
}

size_t nx_reasm_pending(const struct nx_reasm *r)
{
	return r->live;
}

/* Replay marks: a keyed hash of (host, boot) -> newest dump stored, with LRU eviction. */
#include "core/auth/replay.h"

#include <stdlib.h>
#include <string.h>

#include "core/siphash.h"
#include "netoops/wire.h"

#define KEY_MAX (NETOOPS_MAX_HOST + 1 + NETOOPS_BOOT_ID_HEX)

struct mark {
	struct mark *hnext;		/* hash chain */
	struct mark *prev, *next;	/* LRU list, least recent first */
	uint32_t dump;			/* newest dump stored */
	bool live;			/* its copies may still arrive (marked in this run) */
	uint64_t last_ms;		/* its last datagram, when live */
	uint8_t keylen;
	char key[KEY_MAX];		/* host '\0' boot */
};

struct nx_replay {
	struct mark **bucket;
	size_t nbuckets, n, max;
	struct mark *head, *tail;
	uint32_t window_ms;
	uint64_t k0, k1;
};

struct nx_replay *nx_replay_new(size_t max, uint32_t window_ms, uint64_t seed)
{
	struct nx_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->max = max ? max : 1;
	r->nbuckets = 64;
	while (r->nbuckets < r->max && r->nbuckets < (1u << 20))
		r->nbuckets <<= 1;
	r->bucket = calloc(r->nbuckets, sizeof(*r->bucket));
	if (!r->bucket) {
		free(r);
		return NULL;
	}
	r->window_ms = window_ms;
	r->k0 = seed;
	r->k1 = seed ^ 0x6e65746f6f707321ull;
	return r;
}

void nx_replay_free(struct nx_replay *r)
{
	if (!r)
		return;
	for (struct mark *m = r->head, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	free(r->bucket);
	free(r);
}

static size_t make_key(const char *host, const char *boot, char *key)
{
	size_t h = strnlen(host, NETOOPS_MAX_HOST), b = strnlen(boot, NETOOPS_BOOT_ID_HEX);

	memcpy(key, host, h);
	key[h] = '\0';
	memcpy(key + h + 1, boot, b);
	return h + 1 + b;
}

static struct mark **slot(struct nx_replay *r, const char *key, size_t n)
{
	struct mark **p = &r->bucket[nx_siphash(r->k0, r->k1, key, n) & (r->nbuckets - 1)];

	while (*p && ((*p)->keylen != n || memcmp((*p)->key, key, n)))
		p = &(*p)->hnext;
	return p;
}

static void unlink_lru(struct nx_replay *r, struct mark *m)
{
	*(m->prev ? &m->prev->next : &r->head) = m->next;
	*(m->next ? &m->next->prev : &r->tail) = m->prev;
	m->prev = m->next = NULL;
}

static void push_lru(struct nx_replay *r, struct mark *m)
{
	m->prev = r->tail;
	*(r->tail ? &r->tail->next : &r->head) = m;
	r->tail = m;
}

static void forget_oldest(struct nx_replay *r)
{
	struct mark *m = r->head;

	unlink_lru(r, m);
	*slot(r, m->key, m->keylen) = m->hnext;
	free(m);
	r->n--;
}

int nx_replay_mark(struct nx_replay *r, const char *host, const char *boot, uint32_t dump,
		   uint64_t now_ms)
{
	char key[KEY_MAX];
	size_t n = make_key(host, boot, key);
	struct mark **p = slot(r, key, n), *m = *p;

	if (!m) {
		if (r->n >= r->max) {
			forget_oldest(r);
			p = slot(r, key, n);
		}
		if (!(m = calloc(1, sizeof(*m))))
			return -1;
		memcpy(m->key, key, n);
		m->keylen = (uint8_t)n;
		*p = m;
		r->n++;
	} else {
		unlink_lru(r, m);
		if (dump < m->dump) {
			push_lru(r, m);
			return 0;	/* an older dump finished late: the mark stays */
		}
	}
	m->dump = dump;
	m->live = now_ms != 0;
	m->last_ms = now_ms;
	push_lru(r, m);
	return 0;
}

bool nx_replay_check(struct nx_replay *r, const char *host, const char *boot, uint32_t dump,
		     uint64_t now_ms)
{
	char key[KEY_MAX];
	size_t n = make_key(host, boot, key);
	struct mark *m = *slot(r, key, n);

	if (!m || dump > m->dump)
		return false;
	if (dump < m->dump || !m->live || now_ms > m->last_ms + r->window_ms)
		return true;
	m->last_ms = now_ms;
	return false;
}

size_t nx_replay_count(const struct nx_replay *r)
{
	return r->n;
}

/* The reassembly table: entries by keyed hash (chained, doubling), and their age lists. */
#include "core/reasm/reasm_int.h"
#include "core/siphash.h"

#include <stdlib.h>
#include <string.h>

int nx_table_init(struct nx_table *t, uint64_t seed)
{
	t->nbuckets = 256;
	t->n = 0;
	t->k0 = seed ^ 0x6e65746f6f707364ull;
	t->k1 = (seed * 0x9e3779b97f4a7c15ull) ^ 0x7265617373656d62ull;
	t->bucket = calloc(t->nbuckets, sizeof(*t->bucket));
	return t->bucket ? 0 : -1;
}

void nx_table_free(struct nx_table *t)
{
	free(t->bucket);
	t->bucket = NULL;
}

uint64_t nx_table_hash(const struct nx_table *t, const uint8_t *key, size_t len)
{
	return nx_siphash(t->k0, t->k1, key, len);
}

struct nx_entry *nx_table_find(const struct nx_table *t, const uint8_t *key, size_t len,
			       uint64_t hash)
{
	for (struct nx_entry *e = t->bucket[hash & (t->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == hash && e->keylen == len && !memcmp(e->key, key, len))
			return e;
	return NULL;
}

static int grow(struct nx_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct nx_entry **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct nx_entry *e = t->bucket[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbuckets = nb;
	return 0;
}

int nx_table_insert(struct nx_table *t, struct nx_entry *e)
{
	/* Keep chains short: at most one entry per bucket on average. */
	if (t->n >= t->nbuckets && grow(t))
		return -1;
	struct nx_entry **b = &t->bucket[e->hash & (t->nbuckets - 1)];

	e->hnext = *b;
	*b = e;
	t->n++;
	return 0;
}

void nx_table_remove(struct nx_table *t, struct nx_entry *e)
{
	struct nx_entry **p = &t->bucket[e->hash & (t->nbuckets - 1)];

	while (*p && *p != e)
		p = &(*p)->hnext;
	if (*p) {
		*p = e->hnext;
		t->n--;
	}
}

size_t nx_table_mem(const struct nx_table *t)
{
	return t->nbuckets * sizeof(*t->bucket);
}

void nx_list_push(struct nx_age_list *l, struct nx_entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

void nx_list_unlink(struct nx_age_list *l, struct nx_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

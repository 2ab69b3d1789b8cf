/* A bounded two-class queue of finished dumps between the daemon's threads: real dumps first, noise never waits. */
#include <errno.h>

#include "netoopsd/queue.h"

/* The share of the bound noise samples may hold: 1/NOISE_SHARE. */
#define NOISE_SHARE 8

static void qlist_init(struct nxd_qlist *l, size_t max_bytes)
{
	l->head = NULL;
	l->tail = &l->head;
	l->bytes = 0;
	l->max_bytes = max_bytes;
}

void queue_init(struct nxd_queue *q, size_t max_bytes)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->space, NULL);
	qlist_init(&q->cls[NXD_Q_NOISE], max_bytes / NOISE_SHARE);
	qlist_init(&q->cls[NXD_Q_REAL], max_bytes - max_bytes / NOISE_SHARE);
	q->closed = false;
	q->wakeup = false;
}

void queue_destroy(struct nxd_queue *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
	pthread_cond_destroy(&q->space);
}

size_t queue_item_bytes(const struct nxd_item *it)
{
	return it->dump->text_len + sizeof(*it) + sizeof(*it->dump);
}

static struct nxd_qlist *class_of(struct nxd_queue *q, const struct nxd_item *it)
{
	return &q->cls[it->noise ? NXD_Q_NOISE : NXD_Q_REAL];
}

static void append(struct nxd_queue *q, struct nxd_item *it)
{
	struct nxd_qlist *l = class_of(q, it);

	it->next = NULL;
	*l->tail = it;
	l->tail = &it->next;
	l->bytes += queue_item_bytes(it);
}

/*
 * LIST's class is over its bound; called locked. A list with a real dump in
 * it waits for real room only, so noise never holds a real dump back (the
 * noise share may then overshoot by the noise of one list).
 */
static bool must_wait(const struct nxd_queue *q, const struct nxd_item *list)
{
	enum nxd_qclass c = NXD_Q_NOISE;

	for (; list; list = list->next)
		if (!list->noise)
			c = NXD_Q_REAL;
	return q->cls[c].bytes > q->cls[c].max_bytes;
}

bool queue_push(struct nxd_queue *q, struct nxd_item *list)
{
	bool waited = false;

	pthread_mutex_lock(&q->lock);
	while (must_wait(q, list) && !q->closed) {
		waited = true;
		pthread_cond_wait(&q->space, &q->lock);
	}
	while (list) {
		struct nxd_item *next = list->next;

		append(q, list);
		list = next;
	}
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return waited;
}

/* Append IT to its class unless that would pass the class's bound; never waits. */
static bool offer(struct nxd_queue *q, struct nxd_item *it)
{
	struct nxd_qlist *l = class_of(q, it);
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = l->bytes + queue_item_bytes(it) <= l->max_bytes;
	if (ok) {
		append(q, it);
		pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool queue_offer_noise(struct nxd_queue *q, struct nxd_item *it)
{
	it->noise = true;
	return offer(q, it);
}

bool queue_offer(struct nxd_queue *q, struct nxd_item *it)
{
	return offer(q, it);
}

/* Move the first items of L to *END, within the limits (N, BYTES so far); called locked. */
static struct nxd_item **unlink_class(struct nxd_qlist *l, struct nxd_item **end, size_t *n,
				      size_t *bytes, size_t max_items, size_t max_bytes)
{
	while (l->head && *n < max_items && (*n == 0 || *bytes < max_bytes)) {
		struct nxd_item *it = l->head;
		size_t b = queue_item_bytes(it);

		l->head = it->next;
		l->bytes -= b;
		*bytes += b;
		(*n)++;
		it->next = NULL;
		*end = it;
		end = &it->next;
	}
	if (!l->head)
		l->tail = &l->head;
	return end;
}

/* Real dumps first, then noise, within the limits; called locked. */
static struct nxd_item *unlink_front(struct nxd_queue *q, size_t max_items, size_t max_bytes)
{
	struct nxd_item *list = NULL, **end = &list;
	size_t n = 0, bytes = 0;

	for (int c = 0; c < NXD_Q_CLASSES; c++)
		end = unlink_class(&q->cls[c], end, &n, &bytes, max_items, max_bytes);
	pthread_cond_broadcast(&q->space);
	return list;
}

static bool empty(const struct nxd_queue *q)
{
	return !q->cls[NXD_Q_REAL].head && !q->cls[NXD_Q_NOISE].head;
}

struct nxd_item *queue_take(struct nxd_queue *q, size_t max_items, size_t max_bytes,
			    const struct timespec *deadline, bool *closed)
{
	struct nxd_item *list = NULL;
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	while (empty(q) && !q->closed && !q->wakeup && rc != ETIMEDOUT)
		rc = deadline ? pthread_cond_timedwait(&q->nonempty, &q->lock, deadline)
			      : pthread_cond_wait(&q->nonempty, &q->lock);
	if (!empty(q))
		list = unlink_front(q, max_items, max_bytes);
	*closed = q->closed && empty(q) && !list;
	q->wakeup = false;
	pthread_mutex_unlock(&q->lock);
	return list;
}

void queue_close(struct nxd_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_cond_broadcast(&q->space);
	pthread_mutex_unlock(&q->lock);
}

void queue_wake(struct nxd_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->wakeup = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_bytes(struct nxd_queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);	/* the classes' byte counts move under it */
	n = q->cls[NXD_Q_REAL].bytes + q->cls[NXD_Q_NOISE].bytes;
	pthread_mutex_unlock(&q->lock);
	return n;
}

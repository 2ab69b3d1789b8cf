/* A bounded queue of finished dumps between the daemon's threads. */
#include <errno.h>

#include "netoopsd/queue.h"

void queue_init(struct nxd_queue *q, size_t max_bytes)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->space, NULL);
	q->head = NULL;
	q->tail = &q->head;
	q->bytes = 0;
	q->max_bytes = max_bytes;
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

bool queue_push(struct nxd_queue *q, struct nxd_item *list)
{
	bool waited = false;

	pthread_mutex_lock(&q->lock);
	while (q->bytes > q->max_bytes && !q->closed) {
		waited = true;
		pthread_cond_wait(&q->space, &q->lock);
	}
	*q->tail = list;
	for (; list; list = list->next) {
		q->bytes += queue_item_bytes(list);
		q->tail = &list->next;
	}
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return waited;
}

/* Unlink the first items, within the limits; called locked. */
static struct nxd_item *unlink_front(struct nxd_queue *q, size_t max_items, size_t max_bytes)
{
	struct nxd_item *list = q->head, **end = &q->head;
	size_t n = 0, bytes = 0;

	while (*end && n < max_items && (n == 0 || bytes < max_bytes)) {
		bytes += queue_item_bytes(*end);
		n++;
		end = &(*end)->next;
	}
	q->head = *end;
	*end = NULL;
	if (!q->head)
		q->tail = &q->head;
	q->bytes -= bytes;
	pthread_cond_broadcast(&q->space);
	return list;
}

struct nxd_item *queue_take(struct nxd_queue *q, size_t max_items, size_t max_bytes,
			    const struct timespec *deadline, bool *closed)
{
	struct nxd_item *list = NULL;
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	while (!q->head && !q->closed && !q->wakeup && rc != ETIMEDOUT)
		rc = deadline ? pthread_cond_timedwait(&q->nonempty, &q->lock, deadline)
			      : pthread_cond_wait(&q->nonempty, &q->lock);
	if (q->head)
		list = unlink_front(q, max_items, max_bytes);
	*closed = q->closed && !q->head && !list;
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

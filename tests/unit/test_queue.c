/* netoopsd's two-class queue: real dumps taken first, noise bounded to its share and never waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The daemon's code is not in a library: compile it in, as it is. */
#include "netoopsd/queue.c"

#define TEXT 1000

static struct nxd_item *item(bool noise, int64_t tag)
{
	struct nxd_item *it = calloc(1, sizeof(*it));

	assert_non_null(it);
	it->dump = calloc(1, sizeof(*it->dump));
	assert_non_null(it->dump);
	it->dump->text_len = TEXT;
	it->noise = noise;
	it->id = tag;
	return it;
}

static void free_list(struct nxd_item *l)
{
	while (l) {
		struct nxd_item *next = l->next;

		free(l->dump);
		free(l);
		l = next;
	}
}

/* Take everything; the tags in order into OUT. */
static size_t take_all(struct nxd_queue *q, int64_t *out, size_t max)
{
	bool closed;
	size_t n = 0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	struct nxd_item *l = queue_take(q, 1000, 1u << 30, &now, &closed);

	for (struct nxd_item *it = l; it && n < max; it = it->next)
		out[n++] = it->id;
	free_list(l);
	return n;
}

static void test_real_before_noise(void **state)
{
	(void)state;
	struct nxd_queue q;
	int64_t got[8];

	queue_init(&q, 1u << 20);
	assert_true(queue_offer_noise(&q, item(true, 1)));
	assert_false(queue_push(&q, item(false, 2)));
	assert_true(queue_offer_noise(&q, item(true, 3)));
	assert_false(queue_push(&q, item(false, 4)));
	assert_int_equal(take_all(&q, got, 8), 4);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 4);
	assert_int_equal(got[2], 1);
	assert_int_equal(got[3], 3);
	queue_destroy(&q);
}

/* A batch limit takes the real dumps and leaves the noise for later. */
static void test_batch_limit_prefers_real(void **state)
{
	(void)state;
	struct nxd_queue q;
	bool closed;

	queue_init(&q, 1u << 20);
	for (int i = 0; i < 5; i++)
		assert_true(queue_offer_noise(&q, item(true, 100 + i)));
	for (int i = 0; i < 3; i++)
		queue_push(&q, item(false, i));
	struct nxd_item *l = queue_take(&q, 3, 1u << 30, NULL, &closed);
	int n = 0;

	for (struct nxd_item *it = l; it; it = it->next, n++)
		assert_false(it->noise);
	assert_int_equal(n, 3);
	free_list(l);
	l = queue_take(&q, 100, 1u << 30, NULL, &closed);
	n = 0;
	for (struct nxd_item *it = l; it; it = it->next, n++)
		assert_true(it->noise);
	assert_int_equal(n, 5);
	free_list(l);
	queue_destroy(&q);
}

/* Noise gets an eighth of the bound, refused beyond it; real dumps still get their share. */
static void test_noise_share_bounded(void **state)
{
	(void)state;
	struct nxd_queue q;
	size_t max = 64 * (TEXT + sizeof(struct nxd_item) + sizeof(struct nx_dump));
	size_t accepted = 0, refused = 0;
	int64_t got[200];

	queue_init(&q, max);
	for (int i = 0; i < 100; i++) {
		struct nxd_item *it = item(true, i);

		if (queue_offer_noise(&q, it)) {
			accepted++;
		} else {
			refused++;
			free_list(it);
		}
	}
	assert_int_equal(accepted, 8);
	assert_int_equal(refused, 92);
	assert_true(q.cls[NXD_Q_NOISE].bytes <= max / 8);
	/* the real share is untouched by the noise: 56 items fit without waiting */
	for (int i = 0; i < 56; i++)
		assert_false(queue_push(&q, item(false, 1000 + i)));
	assert_int_equal(take_all(&q, got, 200), 64);
	queue_destroy(&q);
}

/* Push real dumps until their share is exceeded (the next push would wait); how many. */
static size_t fill_real(struct nxd_queue *q)
{
	size_t n = 0;

	while (q->cls[NXD_Q_REAL].bytes <= q->cls[NXD_Q_REAL].max_bytes)
		assert_false(queue_push(q, item(false, (int64_t)n++)));
	return n;
}

/* Real dumps over their share: noise is still offered at once (it never waits). */
static void test_noise_never_waits(void **state)
{
	(void)state;
	struct nxd_queue q;
	int64_t got[64];

	queue_init(&q, 8 * (TEXT + sizeof(struct nxd_item) + sizeof(struct nx_dump)));
	size_t n = fill_real(&q);

	assert_true(queue_offer_noise(&q, item(true, 99)));
	assert_int_equal(take_all(&q, got, 64), n + 1);
	assert_int_equal(got[n], 99);
	queue_destroy(&q);
}

/* queue_offer: a real dump is queued while its share has room, refused (never waiting) after. */
static void test_offer_real_never_waits(void **state)
{
	(void)state;
	struct nxd_queue q;
	size_t one = TEXT + sizeof(struct nxd_item) + sizeof(struct nx_dump), accepted = 0;
	int64_t got[64];

	queue_init(&q, 8 * 8 * one);	/* real share: 56 items */
	for (int i = 0; i < 60; i++) {
		struct nxd_item *it = item(false, i);

		if (queue_offer(&q, it))
			accepted++;
		else
			free_list(it);
	}
	assert_int_equal(accepted, 56);
	assert_true(q.cls[NXD_Q_REAL].bytes <= q.cls[NXD_Q_REAL].max_bytes);
	assert_int_equal(q.cls[NXD_Q_NOISE].bytes, 0);
	assert_int_equal(take_all(&q, got, 64), 56);
	assert_int_equal(got[55], 55);
	queue_destroy(&q);
}

struct pusher {
	struct nxd_queue *q;
	bool waited;
};

static void *push_one(void *arg)
{
	struct pusher *p = arg;

	p->waited = queue_push(p->q, item(false, 7));
	return NULL;
}

/* Real dumps over their share: the pusher waits until the taker makes room. */
static void test_real_waits_for_room(void **state)
{
	(void)state;
	struct nxd_queue q;
	struct pusher p = { .q = &q };
	pthread_t th;
	int64_t got[64];
	size_t n;

	queue_init(&q, 8 * (TEXT + sizeof(struct nxd_item) + sizeof(struct nx_dump)));
	size_t before = fill_real(&q);

	assert_int_equal(pthread_create(&th, NULL, push_one, &p), 0);
	usleep(200000);		/* time to reach the wait */
	n = take_all(&q, got, 64);		/* the pusher was blocked: only the first ones */
	pthread_join(th, NULL);
	assert_int_equal(n, before);
	assert_true(p.waited);
	assert_int_equal(take_all(&q, got, 64), 1);
	assert_int_equal(got[0], 7);
	queue_destroy(&q);
}

/* A mixed list (the analysis thread's batches) waits for real room only, never for noise. */
static void test_mixed_list_ignores_noise_bound(void **state)
{
	(void)state;
	struct nxd_queue q;
	int64_t got[64];
	size_t n = 0;

	queue_init(&q, 64 * (TEXT + sizeof(struct nxd_item) + sizeof(struct nx_dump)));
	while (q.cls[NXD_Q_NOISE].bytes <= q.cls[NXD_Q_NOISE].max_bytes)
		assert_false(queue_push(&q, item(true, (int64_t)n++)));	/* noise over its share */
	struct nxd_item *mixed = item(true, 100);

	mixed->next = item(false, 101);
	assert_false(queue_push(&q, mixed));
	assert_int_equal(take_all(&q, got, 64), n + 2);
	assert_int_equal(got[0], 101);		/* the real dump first */
	queue_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_before_noise),
		cmocka_unit_test(test_batch_limit_prefers_real),
		cmocka_unit_test(test_noise_share_bounded),
		cmocka_unit_test(test_noise_never_waits),
		cmocka_unit_test(test_offer_real_never_waits),
		cmocka_unit_test(test_real_waits_for_room),
		cmocka_unit_test(test_mixed_list_ignores_noise_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

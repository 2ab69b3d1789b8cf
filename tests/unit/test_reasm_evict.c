/* Who is evicted at the reassembly bound: fakes with fewer datagrams go before a real dump that has made progress, or has finished. */
#include "test_reasm_util.h"

#define SRC "127.0.0.1:2004"

/* Fakes of two datagrams (parts 0 and 1 of a 4-part dump), one host each. */
static void feed_fake(struct nx_reasm *r, int i, uint64_t now)
{
	char buf[200];

	for (int part = 0; part < 2; part++) {
		int n = snprintf(buf, sizeof(buf), "NETOOPS1 fake%d " BOOT_A " 1 oops r 1.000000 "
				 "%d/4 %d/8 1/1\nab", i, part, part * 2);

		assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, now),
				 NX_FEED_ACCEPTED);
	}
}

/*
 * A real dump sends half of its datagrams, then pauses while 5000 fakes of two
 * datagrams each arrive (all newer than it), at a bound of 20 partial dumps;
 * then the rest comes. The real dump is never evicted: it comes out whole.
 */
enum bound { BY_SLOTS, BY_BYTES };

static void real_dump_outlives_fakes(enum bound bound)
{
	struct nx_reasm_limits lim = { .max_bytes = 64u << 20, .max_dumps = 20,
				       .quiet_ms = 600000 };
	size_t len, real = 0, fakes = 0;
	char *text = make_log(32 * 1024, 9, &len);
	struct nx_enc_netoops id = v1_id("real", BOOT_A, 1);
	struct nx_dgrams good;
	struct nx_reasm *r;
	struct nx_dump *d;

	if (bound == BY_BYTES) {
		lim.max_dumps = 100000;
		lim.max_bytes = 256 * 1024;
	}
	r = nx_reasm_new(&lim);
	id.copies = 1;
	good = encode_v1(&id, text, len);
	for (size_t i = 0; i < good.n / 2; i++)
		nx_reasm_feed(r, SRC, good.v[i].data, good.v[i].len, 1);
	for (int i = 0; i < 5000; i++)
		feed_fake(r, i, 2 + (uint64_t)i);
	for (size_t i = good.n / 2; i < good.n; i++)
		nx_reasm_feed(r, SRC, good.v[i].data, good.v[i].len, 10000);
	while ((d = nx_reasm_next(r))) {
		if (!strcmp(d->host, "real")) {
			real++;
			assert_true(d->complete);
			assert_int_equal(d->text_len, len);
			assert_memory_equal(d->text, text, len);
		} else {
			fakes++;
			assert_false(d->complete);
		}
		nx_dump_free(d);
	}
	assert_int_equal(real, 1);
	assert_int_equal(fakes, nx_reasm_stats(r)->evicted);
	/* every fake accounted for (evicted, or still held), and the bound really bit */
	assert_int_equal(fakes + nx_reasm_pending(r), 5000);
	assert_true(fakes >= 4000);
	nx_reasm_free(r);
	nx_dgrams_free(&good);
	free(text);
}

static void test_outlives_fakes_at_max_dumps(void **state)
{
	(void)state;
	real_dump_outlives_fakes(BY_SLOTS);
}

static void test_outlives_fakes_at_max_bytes(void **state)
{
	(void)state;
	real_dump_outlives_fakes(BY_BYTES);
}

/*
 * A real dump completes with its first pass; a flood of one-datagram fakes
 * fills the byte bound; then its second pass arrives. The fakes go, the done
 * record stays: the late copies are duplicates, not a second (incomplete) dump.
 */
static void test_done_record_outlives_fakes(void **state)
{
	(void)state;
	struct nx_reasm_limits lim = { .max_bytes = 256 * 1024, .quiet_ms = 600000 };
	size_t len, real = 0;
	char *text = make_log(16 * 1024, 11, &len);
	struct nx_enc_netoops id = v1_id("real", BOOT_A, 1);
	struct nx_dgrams good = encode_v1(&id, text, len);	/* two passes */
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d;
	char buf[200];

	for (size_t i = 0; i < good.n / 2; i++)
		nx_reasm_feed(r, SRC, good.v[i].data, good.v[i].len, 1);
	assert_int_equal(nx_reasm_stats(r)->complete, 1);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(buf, sizeof(buf), "NETOOPS1 fake%d " BOOT_A " 1 oops r 1.000000 "
				 "0/1000 0/2000 1/1\nab", i);

		nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, 2);
	}
	assert_true(nx_reasm_stats(r)->evicted > 4000);
	for (size_t i = good.n / 2; i < good.n; i++)
		assert_int_equal(nx_reasm_feed(r, SRC, good.v[i].data, good.v[i].len, 3),
				 NX_FEED_DUPLICATE);
	nx_reasm_flush(r, 4);
	while ((d = nx_reasm_next(r))) {
		real += !strcmp(d->host, "real");
		nx_dump_free(d);
	}
	assert_int_equal(real, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&good);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outlives_fakes_at_max_dumps),
		cmocka_unit_test(test_outlives_fakes_at_max_bytes),
		cmocka_unit_test(test_done_record_outlives_fakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

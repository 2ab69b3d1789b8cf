/* Hostile input: lying lengths, huge claims, empty and overlapping data, a million fake senders. */
#include "test_reasm_util.h"

#define SRC "127.0.0.1:2004"

static enum nx_feed_result feed_str(struct nx_reasm *r, const char *s, uint64_t now)
{
	return nx_reasm_feed(r, SRC, (const uint8_t *)s, strlen(s), now);
}

static void test_siphash_reference_vector(void **state)
{
	(void)state;
	uint8_t in[15];

	for (int i = 0; i < 15; i++)
		in[i] = (uint8_t)i;
	/* SipHash-2-4 paper, key 00..0f, 15-byte message */
	assert_int_equal(nx_siphash(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, in, 15),
			 0xa129ca6149be45e5ull);
}

static void test_lying_lengths_are_malformed(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	uint8_t leg[NETOOPS_V3_DATAGRAM_X86_64] = { 3, 0, 0, 0, 0x84, 0x01 };	/* data_offset 388 */

	/* text longer than the total it claims */
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/1 0/3 1/1\nabcd", 1),
			 NX_FEED_MALFORMED);
	/* offset past total */
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/1 9/3 1/1\n", 1),
			 NX_FEED_MALFORMED);
	/* legacy: count huge, count zero, length not matching data_offset */
	leg[12] = 0xff, leg[13] = 0xff, leg[14] = 0xff, leg[15] = 0xff;
	assert_int_equal(nx_reasm_feed(r, SRC, leg, sizeof(leg), 1), NX_FEED_MALFORMED);
	memset(leg + 12, 0, 4);
	assert_int_equal(nx_reasm_feed(r, SRC, leg, sizeof(leg), 1), NX_FEED_MALFORMED);
	leg[12] = 1;
	assert_int_equal(nx_reasm_feed(r, SRC, leg, sizeof(leg) - 100, 1), NX_FEED_MALFORMED);
	/* netconsole fragment running past its total */
	assert_int_equal(feed_str(r, "6,1,1,-,ncfrag=5/6;abc", 1), NX_FEED_MALFORMED);
	assert_int_equal(nx_reasm_stats(r)->malformed, 6);
	assert_int_equal(nx_reasm_pending(r), 0);
	assert_int_equal(nx_reasm_bytes(r), 0);
	nx_reasm_free(r);
}

static void test_huge_claims_allocate_nothing_up_front(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	char buf[200];

	/* 65535 parts of a 32 MiB dump, and the last part first */
	int n = snprintf(buf, sizeof(buf),
			 "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 65534/65535 0/33554432 1/8\nab");

	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, 1), NX_FEED_ACCEPTED);
	n = snprintf(buf, sizeof(buf),
		     "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/65535 33554430/33554432 1/8\nyz");
	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, 1), NX_FEED_ACCEPTED);
	/* bookkeeping for what arrived, not for what was claimed */
	assert_true(nx_reasm_bytes(r) < 16 * 1024);
	/* same for a legacy dump claiming the largest packet count */
	uint8_t leg[NETOOPS_V3_DATAGRAM_X86_64] = { 3, 0, 0, 0, 0x84, 0x01 };
	uint32_t count = NX_LEGACY_MAX_PACKETS;

	memcpy(leg + 12, &count, 4);
	leg[16] = 5;
	leg[388] = 'x';
	assert_int_equal(nx_reasm_feed(r, SRC, leg, sizeof(leg), 1), NX_FEED_ACCEPTED);
	assert_true(nx_reasm_bytes(r) < 32 * 1024);
	nx_reasm_flush(r, 2);

	struct nx_dump *d[3];

	assert_int_equal(drain_ready(r, d, 3), 2);
	if (d[0]->format != NX_FMT_NETOOPS) {
		struct nx_dump *t = d[0];

		d[0] = d[1];
		d[1] = t;
	}
	assert_string_equal(d[0]->text, "abyz");
	assert_int_equal(d[0]->n_missing, 1);
	assert_int_equal(d[0]->missing[0].start, 2);
	assert_int_equal(d[0]->missing[0].end, 33554430);
	assert_int_equal(d[1]->format, NX_FMT_LEGACY_V3);
	assert_string_equal(d[1]->text, "x");
	free_dumps(d, 2);
	nx_reasm_free(r);
}

static void test_empty_datagrams_counted(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);

	for (int i = 0; i < 100; i++)
		assert_int_equal(nx_reasm_feed(r, SRC, (const uint8_t *)"", 0, 1), NX_FEED_MALFORMED);
	assert_int_equal(nx_reasm_stats(r)->malformed, 100);
	assert_int_equal(nx_reasm_stats(r)->datagrams, 100);
	assert_int_equal(nx_reasm_pending(r), 0);
	nx_reasm_flush(r, 2);
	assert_null(nx_reasm_next(r));
	nx_reasm_free(r);
}

static void test_overlapping_parts_rejected(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	struct nx_dump *d[2];

	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 1/3 0/6 1/1\nab", 1),
			 NX_FEED_ACCEPTED);
	/* part 2 claims bytes that part 1 holds */
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 2/3 1/6 1/1\nXX", 1),
			 NX_FEED_MALFORMED);
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 2/3 0/6 1/1\nXXXXXX", 1),
			 NX_FEED_MALFORMED);
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/3 4/6 1/1\nef", 1),
			 NX_FEED_ACCEPTED);
	assert_int_equal(feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 2/3 2/6 1/1\ncd", 1),
			 NX_FEED_ACCEPTED);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_string_equal(d[0]->text, "abcdef");
	free_dumps(d, 1);

	/* netconsole fragments that overlap */
	assert_int_equal(feed_str(r, "6,1,1,-,ncfrag=0/10;abcde", 1), NX_FEED_ACCEPTED);
	assert_int_equal(feed_str(r, "6,1,1,-,ncfrag=3/10;XXXX", 1), NX_FEED_MALFORMED);
	assert_int_equal(feed_str(r, "6,1,1,-,ncfrag=0/12;abcde", 1), NX_FEED_MALFORMED);
	assert_int_equal(feed_str(r, "6,1,1,-,ncfrag=5/10;fghi\n", 1), NX_FEED_ACCEPTED);
	nx_reasm_flush(r, 2);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_string_equal(d[0]->text, "[    0.000001] abcdefghi\n");
	free_dumps(d, 1);
	nx_reasm_free(r);
}

/* Every part arrived, but together they do not cover the total they claim: not complete. */
static void test_parts_that_do_not_cover_total(void **state)
{
	(void)state;
	struct nx_reasm_limits lim = { .quiet_ms = 100 };
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/2 4/10 1/1\nab", 1);
	feed_str(r, "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 1/2 0/10 1/1\ncd", 1);
	assert_null(nx_reasm_next(r));
	nx_reasm_expire(r, 101);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_false(d[0]->complete);
	assert_int_equal(d[0]->parts_received, 2);
	assert_string_equal(d[0]->text, "cdab");
	assert_int_equal(d[0]->n_missing, 2);
	assert_int_equal(d[0]->missing[0].start, 2);
	assert_int_equal(d[0]->missing[0].end, 4);
	assert_int_equal(d[0]->missing[1].start, 6);
	assert_int_equal(d[0]->missing[1].end, 10);
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_per_dump_bound(void **state)
{
	(void)state;
	struct nx_reasm_limits lim = { .max_bytes = 1 << 20, .max_dump_bytes = 5000 };
	size_t len;
	char *text = make_log(20000, 1, &len);
	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	for (size_t i = 0; i < l.n / 2; i++)
		nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 1);
	assert_true(nx_reasm_stats(r)->over_limit > 0);
	nx_reasm_flush(r, 2);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_false(d[0]->complete);
	assert_true(d[0]->text_len <= 5000);
	/* what it kept is the newest text, the end of the log */
	assert_memory_equal(d[0]->text + d[0]->text_len - 100, text + len - 100, 100);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

/*
 * A million fake senders, each one datagram of a dump that never completes,
 * plus random garbage, with one real dump interleaved (its datagrams a
 * thousand fakes apart; its last part only after all the fakes): memory
 * stays under the bound throughout, every fake is accounted for, and the
 * real dump, established early, survives the flood and comes out whole.
 */
static void check_good(struct nx_dump *d, const char *text, size_t len)
{
	assert_true(d->complete);
	assert_int_equal(d->text_len, len);
	assert_memory_equal(d->text, text, len);
}

static void test_million_fake_senders(void **state)
{
	(void)state;
	enum { FAKES = 1000000, SPACING = 1000 };
	struct nx_reasm_limits lim = {
		.max_bytes = 8u << 20, .max_dumps = 5000, .quiet_ms = 60000,
	};
	size_t len;
	char *text = make_log(64 * 1024, 42, &len);
	struct nx_enc_netoops id = v1_id("real", BOOT_A, 1);
	struct nx_dgrams good = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	size_t parts = good.n / 2, next_good = 0, emitted = 0, good_found = 0;
	size_t max_bytes_seen = 0;
	uint32_t x = 12345;
	char buf[256];
	struct nx_dump *d;

	id.copies = 1;
	for (size_t i = 0; i < FAKES; i++) {
		int n = snprintf(buf, sizeof(buf),
				 "NETOOPS1 fake%zu %032zx %zu oops r 1.000000 0/2 8/16 1/1\n12345678",
				 i, i, i % 7 + 1);

		nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, i / 1000);
		if (i % 10 == 0) {	/* and garbage: a broken header, binary noise */
			x = x * 1103515245u + 12345u;
			for (int k = 0; k < 64; k++)
				buf[k] = (char)(x >> (k % 24));
			buf[20] = 0;
			assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, 64, i / 1000),
					 NX_FEED_MALFORMED);
			memcpy(buf, "NETOOPS1 ", 9);
			assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, 64, i / 1000),
					 NX_FEED_MALFORMED);
		}
		if (next_good + 1 < parts && i % SPACING == 0) {
			assert_int_equal(nx_reasm_feed(r, SRC, good.v[next_good].data,
						       good.v[next_good].len, i / 1000),
					 NX_FEED_ACCEPTED);
			next_good++;
		}
		if (nx_reasm_bytes(r) > max_bytes_seen)
			max_bytes_seen = nx_reasm_bytes(r);
		while ((d = nx_reasm_next(r))) {
			assert_string_not_equal(d->host, "real");
			emitted++;
			nx_dump_free(d);
		}
	}
	/* the last part, then the whole second pass */
	for (size_t i = parts - 1; i < good.n; i++)
		nx_reasm_feed(r, SRC, good.v[i].data, good.v[i].len, FAKES / 1000);
	while ((d = nx_reasm_next(r))) {
		if (!strcmp(d->host, "real")) {
			good_found++;
			check_good(d, text, len);
		}
		nx_dump_free(d);
	}
	assert_int_equal(good_found, 1);
	assert_true(max_bytes_seen <= lim.max_bytes);
	assert_true(nx_reasm_pending(r) <= lim.max_dumps);

	const struct nx_reasm_stats *st = nx_reasm_stats(r);

	/* nothing silently dropped: every fake was flushed (emitted) or is still held */
	assert_int_equal(st->evicted + nx_reasm_pending(r), FAKES);
	assert_int_equal(emitted, st->evicted);
	assert_int_equal(st->malformed, FAKES / 10 * 2);
	assert_int_equal(st->complete, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&good);
	free(text);
}

static void test_many_fake_netconsole_sources(void **state)
{
	(void)state;
	struct nx_reasm_limits lim = { .max_bytes = 4u << 20, .max_dumps = 1000 };
	struct nx_reasm *r = nx_reasm_new(&lim);
	char src[64];
	size_t emitted = 0;
	struct nx_dump *d;

	for (int i = 0; i < 200000; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.%d:6665", i >> 16, (i >> 8) & 255, i & 255);
		nx_reasm_feed(r, src, (const uint8_t *)"x\n", 2, (uint64_t)i);
		assert_true(nx_reasm_bytes(r) <= lim.max_bytes);
		while ((d = nx_reasm_next(r))) {
			emitted++;
			nx_dump_free(d);
		}
	}
	assert_true(nx_reasm_pending(r) <= 1000);
	assert_int_equal(emitted + nx_reasm_pending(r), 200000);
	assert_int_equal(nx_reasm_stats(r)->evicted, emitted);
	nx_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_reference_vector),
		cmocka_unit_test(test_lying_lengths_are_malformed),
		cmocka_unit_test(test_huge_claims_allocate_nothing_up_front),
		cmocka_unit_test(test_empty_datagrams_counted),
		cmocka_unit_test(test_overlapping_parts_rejected),
		cmocka_unit_test(test_parts_that_do_not_cover_total),
		cmocka_unit_test(test_per_dump_bound),
		cmocka_unit_test(test_million_fake_senders),
		cmocka_unit_test(test_many_fake_netconsole_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

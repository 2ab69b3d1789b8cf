/* Parity recovery in reassembly: every erasure pattern a block can survive, bursts, reordering and hostile parity. */
#include "test_reasm_util.h"

#include <netoops/wire_fec.h>

static struct nx_reasm *new_reasm(void)
{
	struct nx_reasm_limits lim = { .max_bytes = 64u << 20, .max_dumps = 64, .quiet_ms = 1000,
				       .netconsole_quiet_ms = 1000 };
	struct nx_reasm *r = nx_reasm_new(&lim);

	assert_non_null(r);
	return r;
}

struct sent {
	struct nx_dgrams l;
	char *text;
	size_t len;
	uint32_t parts;
};

static struct sent encode(size_t size, uint32_t pct, unsigned seed)
{
	struct sent s = { .l = { 0 } };
	struct nx_enc_netoops id = v1_id("fec", BOOT_A, seed);

	s.text = make_log(size, seed, &s.len);
	id.copies = 1;
	id.fec_pct = pct;
	s.parts = (uint32_t)nx_encode_netoops(&id, s.text, s.len, nx_dgrams_append, &s.l);
	assert_true(s.parts > 0);
	return s;
}

static void sent_free(struct sent *s)
{
	nx_dgrams_free(&s->l);
	free(s->text);
}

/*
 * Feed the datagrams whose bit in LOST is clear, then let the dump expire;
 * returns the one dump (caller frees).
 */
static struct nx_dump *deliver(const struct sent *s, const uint8_t *lost, struct nx_reasm *r)
{
	struct nx_dump *d[2];

	for (size_t i = 0; i < s->l.n; i++)
		if (!lost || !lost[i])
			nx_reasm_feed(r, "10.0.0.1:2004", s->l.v[i].data, s->l.v[i].len, 10);
	nx_reasm_expire(r, 100000);
	assert_int_equal(drain_ready(r, d, 2), 1);
	return d[0];
}

static bool is_exact(const struct nx_dump *d, const struct sent *s)
{
	return d->complete && d->text_len == s->len && !memcmp(d->text, s->text, s->len);
}

/* The bytes of a dump that is not complete are the sender's bytes where they are present. */
static void assert_no_forged_bytes(const struct nx_dump *d, const struct sent *s)
{
	size_t at = 0, m = 0;

	for (uint32_t off = 0; off < s->len;) {
		if (m < d->n_missing && d->missing[m].start == off) {
			off = d->missing[m++].end;
			continue;
		}
		uint32_t end = m < d->n_missing ? d->missing[m].start : (uint32_t)s->len;

		assert_memory_equal(d->text + at, s->text + off, end - off);
		at += end - off;
		off = end;
	}
}

/* A block of k = parts, m parity: every pattern of up to m losses among all k + m datagrams. */
static void test_every_erasure_pattern_of_a_small_block(void **state)
{
	(void)state;
	struct sent s = encode(10 * 1024, 50, 1);
	size_t n = s.l.n, patterns = 0;
	uint32_t m = (uint32_t)(n - s.parts);
	uint8_t *lost = calloc(n, 1);

	assert_true(n <= 20 && m >= 4);
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		uint32_t nl = (uint32_t)__builtin_popcount(mask);

		if (nl > m + 1)
			continue;
		for (size_t i = 0; i < n; i++)
			lost[i] = mask >> i & 1;

		struct nx_reasm *r = new_reasm();
		struct nx_dump *d = deliver(&s, lost, r);
		uint32_t data_lost = (uint32_t)__builtin_popcount(mask & ((1u << s.parts) - 1));

		if (nl <= m) {
			if (!is_exact(d, &s))
				fail_msg("pattern %#x (%u lost) not recovered", mask, nl);
		} else {
			/* one loss too many: recovered only if it lost no data at all */
			assert_int_equal(d->complete, data_lost == 0);
			assert_no_forged_bytes(d, &s);
		}
		assert_int_equal(nx_reasm_stats(r)->fec_rejected, 0);
		nx_dump_free(d);
		nx_reasm_free(r);
		patterns++;
	}
	assert_true(patterns > 5000);
	free(lost);
	sent_free(&s);
}

/* A 1 MiB dump in 7 interleaved blocks: a burst of 50 consecutive datagrams costs little. */
static void test_bursts_are_spread_over_blocks(void **state)
{
	(void)state;
	struct sent s = encode(1024 * 1024, 25, 2);
	uint8_t *lost = calloc(s.l.n, 1);

	assert_true(netoops_fec_blocks(s.parts) >= 7);
	for (size_t start = 0; start + 50 <= s.l.n; start += 97) {
		memset(lost, 0, s.l.n);
		memset(lost + start, 1, 50);	/* and a second burst in the parity */
		memset(lost + s.parts + (start % (s.l.n - s.parts - 40)), 1, 40);

		struct nx_reasm *r = new_reasm();
		struct nx_dump *d = deliver(&s, lost, r);

		if (!is_exact(d, &s))
			fail_msg("bursts at %zu not recovered", start);
		assert_true(nx_reasm_stats(r)->fec_recovered > 0 || start >= s.parts);
		nx_dump_free(d);
		nx_reasm_free(r);
	}
	free(lost);
	sent_free(&s);
}

/* Parity first, shuffled, duplicated: the dump is opened by parity and still exact. */
static void test_reordered_and_duplicated(void **state)
{
	(void)state;
	struct sent s = encode(64 * 1024, 30, 3);
	struct nx_reasm *r = new_reasm();
	struct nx_dump *d[2];
	size_t fed = 0;

	shuffle(&s.l, 7);
	for (size_t i = 0; i < s.l.n; i++) {
		if (i % 5 == 0)
			continue;	/* 20 % lost */
		nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[i].data, s.l.v[i].len, 10);
		nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[i].data, s.l.v[i].len, 10);
		fed++;
	}
	assert_int_equal(drain_ready(r, d, 2), 1);	/* complete before the quiet period */
	assert_true(is_exact(d[0], &s));
	assert_true(nx_reasm_stats(r)->duplicates >= fed);
	assert_int_equal(nx_reasm_stats(r)->fec_rejected, 0);
	nx_dump_free(d[0]);
	nx_reasm_free(r);
	sent_free(&s);
}

/* Flip one byte of every parity payload: the rebuilt block fails its CRC; nothing forged is kept. */
static void test_corrupt_parity_is_rejected(void **state)
{
	(void)state;
	struct sent s = encode(16 * 1024, 50, 4);
	uint8_t *lost = calloc(s.l.n, 1);

	for (size_t i = s.parts; i < s.l.n; i++)
		s.l.v[i].data[s.l.v[i].len - 3] ^= 0x5a;
	lost[0] = lost[2] = 1;

	struct nx_reasm *r = new_reasm();
	struct nx_dump *d = deliver(&s, lost, r);

	assert_false(d->complete);
	assert_true(nx_reasm_stats(r)->fec_rejected >= 1);
	assert_int_equal(nx_reasm_stats(r)->fec_recovered, 0);
	assert_no_forged_bytes(d, &s);
	nx_dump_free(d);
	nx_reasm_free(r);
	free(lost);
	sent_free(&s);
}

/* Replace the 8 hex digits at the dump-CRC field (the last field before '\n' or " "). */
static void forge_dcrc(struct nx_dgram *g)
{
	char *nl = memchr(g->data, '\n', g->len);

	assert_non_null(nl);
	memcpy(nl - 8, "00000000", 8);
}

/* Consistent parity whose dump CRC is not the text's: the recovered dump is not declared complete. */
static void test_dump_crc_is_verified(void **state)
{
	(void)state;
	struct sent s = encode(16 * 1024, 50, 5);
	uint8_t *lost = calloc(s.l.n, 1);

	for (size_t i = s.parts; i < s.l.n; i++)
		forge_dcrc(&s.l.v[i]);
	lost[1] = 1;

	struct nx_reasm *r = new_reasm();
	struct nx_dump *d = deliver(&s, lost, r);

	assert_false(d->complete);
	assert_true(nx_reasm_stats(r)->fec_recovered >= 1);
	assert_true(nx_reasm_stats(r)->fec_rejected >= 1);
	nx_dump_free(d);
	nx_reasm_free(r);
	free(lost);
	sent_free(&s);
}

/* Parity that disagrees with the dump (another block count) is malformed; later parity is a duplicate. */
static void test_inconsistent_and_late_parity(void **state)
{
	(void)state;
	struct sent s = encode(8 * 1024, 50, 6);
	struct nx_reasm *r = new_reasm();
	struct nx_dump *d[2];

	for (size_t i = 0; i < s.parts; i++)
		nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[i].data, s.l.v[i].len, 10);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(is_exact(d[0], &s));
	nx_dump_free(d[0]);
	for (size_t i = s.parts; i < s.l.n; i++)
		assert_int_equal(nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[i].data, s.l.v[i].len, 20),
				 NX_FEED_DUPLICATE);
	nx_reasm_free(r);

	/* a parity that says the dump has another total, before its text */
	r = new_reasm();
	char *g = (char *)s.l.v[s.parts + 1].data;
	char *slash = strstr(g, " 0/1 ");	/* block/blocks of a one-block dump */

	assert_non_null(slash);
	nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[s.parts].data, s.l.v[s.parts].len, 10);
	memcpy(slash, " 0/2 ", 5);
	assert_int_equal(nx_reasm_feed(r, "10.0.0.1:2004", s.l.v[s.parts + 1].data,
				       s.l.v[s.parts + 1].len, 10), NX_FEED_MALFORMED);
	nx_reasm_free(r);
	sent_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_erasure_pattern_of_a_small_block),
		cmocka_unit_test(test_bursts_are_spread_over_blocks),
		cmocka_unit_test(test_reordered_and_duplicated),
		cmocka_unit_test(test_corrupt_parity_is_rejected),
		cmocka_unit_test(test_dump_crc_is_verified),
		cmocka_unit_test(test_inconsistent_and_late_parity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

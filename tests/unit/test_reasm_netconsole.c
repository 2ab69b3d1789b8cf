/* Reassembly tests for netconsole streams: order by seq, fragments, continuations, crash cuts. */
#include "test_reasm_util.h"

#define SRC "192.0.2.7:6665"

static const struct nx_reasm_limits lim = {
	.max_bytes = 64u << 20, .max_dumps = 10000, .quiet_ms = 5000, .netconsole_quiet_ms = 2000,
};

static struct nx_dgrams encode_ext(const char *text, size_t len, uint64_t seq)
{
	struct nx_enc_netconsole id = { .first_seq = seq, .release = "6.12.0-1-amd64" };
	struct nx_dgrams l = { 0 };

	assert_true(nx_encode_nc_extended(&id, text, len, nx_dgrams_append, &l) > 0);
	return l;
}

static void feed_all(struct nx_reasm *r, const char *src, const struct nx_dgrams *l, uint64_t now)
{
	for (size_t i = 0; i < l->n; i++)
		nx_reasm_feed(r, src, l->v[i].data, l->v[i].len, now);
}

static void feed_str(struct nx_reasm *r, const char *s, uint64_t now)
{
	nx_reasm_feed(r, SRC, (const uint8_t *)s, strlen(s), now);
}

static void test_ext_cut_after_oops(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(20000, 1, &len);
	const char *after = "[  999.000000] life goes on\n";
	struct nx_dgrams l = encode_ext(text, len, 5000);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];

	feed_all(r, SRC, &l, 100);
	/* the oops ended; a panic might still follow: nothing yet */
	assert_null(nx_reasm_next(r));
	struct nx_dgrams tail = encode_ext(after, strlen(after), 5000 + l.n);

	feed_all(r, SRC, &tail, 150);
	assert_int_equal(drain_ready(r, d, 4), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->format, NX_FMT_NC_EXTENDED);
	assert_int_equal(d[0]->text_len, len);
	assert_memory_equal(d[0]->text, text, len);	/* stamps rebuilt exactly */
	assert_string_equal(d[0]->reason, "oops");
	assert_string_equal(d[0]->release, "6.12.0-1-amd64");
	assert_string_equal(d[0]->source, SRC);
	assert_int_equal(d[0]->first_ms, 100);
	assert_int_equal(d[0]->parts, 0);
	free_dumps(d, 1);
	/* the rest of the stream comes out when it has been quiet */
	assert_int_equal(nx_reasm_next_deadline(r, 150), 2000);
	nx_reasm_expire(r, 2149);
	assert_null(nx_reasm_next(r));
	nx_reasm_expire(r, 2150);
	assert_int_equal(drain_ready(r, d, 4), 1);
	assert_string_equal(d[0]->text, after);
	assert_string_equal(d[0]->reason, "unknown");
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	nx_dgrams_free(&tail);
	free(text);
}

static void test_ext_oops_then_panic_is_one_chunk(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(3000, 2, &len);
	const char *panic = "[  100.000000] Kernel panic - not syncing: Fatal exception\n"
			    "[  100.000100] Kernel Offset: disabled\n"
			    "[  100.000200] ---[ end Kernel panic - not syncing: Fatal exception ]---\n";
	size_t all_len = len + strlen(panic);
	char *all = malloc(all_len + 1);

	memcpy(all, text, len);
	strcpy(all + len, panic);

	struct nx_dgrams l = encode_ext(all, all_len, 1);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];

	feed_all(r, SRC, &l, 10);
	/* no timer needed: the panic's end line closes the report */
	assert_int_equal(drain_ready(r, d, 4), 1);
	assert_int_equal(d[0]->text_len, all_len);
	assert_memory_equal(d[0]->text, all, all_len);
	assert_string_equal(d[0]->reason, "panic");
	free_dumps(d, 1);
	nx_reasm_flush(r, 20);
	assert_null(nx_reasm_next(r));
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(all);
	free(text);
}

/* Swap neighbours and repeat some datagrams: the seq order wins. */
static void test_ext_reordered_and_duplicated(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(30000, 3, &len);
	struct nx_dgrams l = encode_ext(text, len, 1);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];

	for (size_t i = 0; i + 1 < l.n; i += 2) {
		struct nx_dgram t = l.v[i];

		l.v[i] = l.v[i + 1];
		l.v[i + 1] = t;
	}
	for (size_t i = 0; i < l.n; i++) {
		nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 10);
		if (i % 5 == 0)
			assert_int_equal(nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 10),
					 NX_FEED_DUPLICATE);
	}
	nx_reasm_expire(r, 10 + lim.netconsole_quiet_ms);
	assert_int_equal(drain_ready(r, d, 4), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->text_len, len);
	assert_memory_equal(d[0]->text, text, len);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

static void test_ext_fragments_merged(void **state)
{
	(void)state;
	char text[6000];
	size_t n = (size_t)snprintf(text, sizeof(text), "[    1.000000] first\n[    2.000000] ");

	for (size_t i = 0; i < 4000; i++)
		text[n++] = (char)('a' + i % 26);
	text[n++] = '\n';

	struct nx_dgrams l = encode_ext(text, n, 1);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	assert_true(l.n >= 6);
	/* fragments out of order: last first */
	for (size_t i = l.n; i-- > 1;)
		nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 10);
	nx_reasm_feed(r, SRC, l.v[0].data, l.v[0].len, 10);
	nx_reasm_flush(r, 11);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->text_len, n);
	assert_memory_equal(d[0]->text, text, n);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
}

/* A record with a fragment missing comes out with what arrived, marked incomplete. */
static void test_ext_lost_fragment(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	feed_str(r, "6,1,1000000,-;whole\n", 1);
	feed_str(r, "6,2,2000000,-,ncfrag=0/12;abcd", 1);
	feed_str(r, "6,2,2000000,-,ncfrag=8/12;ijk\n", 1);	/* 4..8 never comes */
	nx_reasm_expire(r, 1 + lim.netconsole_quiet_ms);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_false(d[0]->complete);
	assert_string_equal(d[0]->text, "[    1.000000] whole\n[    2.000000] abcdijk\n");
	assert_int_equal(d[0]->n_missing, 1);
	assert_int_equal(d[0]->missing[0].start, strlen("[    1.000000] whole\n"));
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_ext_lost_record_marks_gap(void **state)
{
	(void)state;
	const char *lines[] = { "[    1.000000] one\n", "[    2.000000] two\n",
				"[    3.000000] three\n", "[    4.000000] four\n" };
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	for (int i = 0; i < 4; i++) {
		struct nx_dgrams l = encode_ext(lines[i], strlen(lines[i]), 10 + (uint64_t)i);

		if (i != 2)
			feed_all(r, SRC, &l, 10);
		nx_dgrams_free(&l);
	}
	nx_reasm_expire(r, 10 + lim.netconsole_quiet_ms);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_false(d[0]->complete);
	assert_string_equal(d[0]->text, "[    1.000000] one\n[    2.000000] two\n[    4.000000] four\n");
	assert_int_equal(d[0]->n_missing, 1);
	/* netconsole cannot know the lost length: the range marks where it was */
	assert_int_equal(d[0]->missing[0].start, strlen("[    1.000000] one\n[    2.000000] two\n"));
	assert_int_equal(d[0]->missing[0].end, d[0]->missing[0].start);
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_ext_continuation_and_escapes(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	feed_str(r, "4,11,1500000,-;tab\\x09in \\x5c text\n", 1);
	feed_str(r, "4,10,1000000,c;Modules linked in: foo", 1);	/* arrives late */
	feed_str(r, "4,12,1600000,c;cont start", 1);
	feed_str(r, "4,13,1600001,c; more", 1);
	feed_str(r, "4,14,1600002,-; end\n DEVICE=+x\n", 1);
	nx_reasm_flush(r, 2);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_string_equal(d[0]->text,
			    "[    1.000000] Modules linked in: foo"
			    "tab\tin \\ text\n"
			    "[    1.600000] cont start more end\n");
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_ext_sender_restart(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[3];

	feed_str(r, "6,90000,5000000,-;before reboot\n", 1);
	feed_str(r, "6,90001,5000001,-;still before\n", 1);
	feed_str(r, "6,1,1000,-;after reboot\n", 2);
	feed_str(r, "6,2,2000,-;booting\n", 2);
	assert_int_equal(drain_ready(r, d, 3), 1);	/* the old boot's chunk closed */
	assert_string_equal(d[0]->text, "[    5.000000] before reboot\n[    5.000001] still before\n");
	free_dumps(d, 1);
	nx_reasm_flush(r, 3);
	assert_int_equal(drain_ready(r, d, 3), 1);
	assert_string_equal(d[0]->text, "[    0.001000] after reboot\n[    0.002000] booting\n");
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_basic_per_source_in_arrival_order(void **state)
{
	(void)state;
	size_t la, lb;
	char *a = make_log(5000, 4, &la);
	char *b = make_log(5000, 5, &lb);
	struct nx_enc_netconsole id = { 0 };
	struct nx_dgrams da = { 0 }, db = { 0 };
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];

	nx_encode_nc_basic(&id, a, la, nx_dgrams_append, &da);
	nx_encode_nc_basic(&id, b, lb, nx_dgrams_append, &db);
	for (size_t i = 0; i < da.n || i < db.n; i++) {
		if (i < da.n)
			nx_reasm_feed(r, "10.0.0.1:6665", da.v[i].data, da.v[i].len, 5);
		if (i < db.n)
			nx_reasm_feed(r, "10.0.0.2:6665", db.v[i].data, db.v[i].len, 5);
	}
	nx_reasm_expire(r, 5 + lim.netconsole_quiet_ms);
	assert_int_equal(drain_ready(r, d, 4), 2);
	for (int i = 0; i < 2; i++) {
		bool first = !strcmp(d[i]->source, "10.0.0.1:6665");

		assert_int_equal(d[i]->format, NX_FMT_NC_BASIC);
		assert_int_equal(d[i]->text_len, first ? la : lb);
		assert_memory_equal(d[i]->text, first ? a : b, d[i]->text_len);
		assert_string_equal(d[i]->reason, "oops");
		assert_true(d[i]->complete);
	}
	free_dumps(d, 2);
	nx_reasm_free(r);
	nx_dgrams_free(&da);
	nx_dgrams_free(&db);
	free(a);
	free(b);
}

static void test_basic_line_split_over_datagrams(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	feed_str(r, "[    1.000000] ---[ end tr", 1);
	feed_str(r, "ace 0000000000000000 ]---\n", 1);
	assert_null(nx_reasm_next(r));
	feed_str(r, "[    2.000000] next\n", 1);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_string_equal(d[0]->text, "[    1.000000] ---[ end trace 0000000000000000 ]---\n");
	free_dumps(d, 1);
	nx_reasm_free(r);
}

/* A console that never goes quiet is cut at the size bound, and nothing is lost. */
static void test_chatty_stream_cut_at_bound(void **state)
{
	(void)state;
	struct nx_reasm_limits small = lim;
	struct nx_reasm *r;
	struct nx_dump *d[64];
	size_t len, n, at = 0;
	char *text = make_log(50000, 6, &len);
	struct nx_enc_netconsole id = { 0 };
	struct nx_dgrams l = { 0 };

	small.max_dump_bytes = 8000;
	r = nx_reasm_new(&small);
	nx_encode_nc_basic(&id, text, len, nx_dgrams_append, &l);
	for (size_t i = 0; i < l.n; i++)
		nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, i);	/* 1 ms apart */
	assert_true(nx_reasm_stats(r)->over_limit == 0);
	nx_reasm_flush(r, l.n);
	n = drain_ready(r, d, 64);
	assert_true(n >= 6);
	for (size_t i = 0; i < n; i++) {
		assert_true(d[i]->text_len <= 8000);
		assert_memory_equal(d[i]->text, text + at, d[i]->text_len);
		at += d[i]->text_len;
	}
	assert_int_equal(at, len);
	free_dumps(d, n);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext_cut_after_oops),
		cmocka_unit_test(test_ext_oops_then_panic_is_one_chunk),
		cmocka_unit_test(test_ext_reordered_and_duplicated),
		cmocka_unit_test(test_ext_fragments_merged),
		cmocka_unit_test(test_ext_lost_fragment),
		cmocka_unit_test(test_ext_lost_record_marks_gap),
		cmocka_unit_test(test_ext_continuation_and_escapes),
		cmocka_unit_test(test_ext_sender_restart),
		cmocka_unit_test(test_basic_per_source_in_arrival_order),
		cmocka_unit_test(test_basic_line_split_over_datagrams),
		cmocka_unit_test(test_chatty_stream_cut_at_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

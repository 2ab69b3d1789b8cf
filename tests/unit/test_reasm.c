/* Reassembly tests: netoops v1 and legacy v3 dumps through loss, duplication, reordering, time. */
#include "test_reasm_util.h"

#define SRC "127.0.0.1:2004"

static const struct nx_reasm_limits lim = {
	.max_bytes = 64u << 20, .max_dumps = 10000, .quiet_ms = 5000, .netconsole_quiet_ms = 2000,
};

static void feed_all(struct nx_reasm *r, const struct nx_dgrams *l, uint64_t now)
{
	for (size_t i = 0; i < l->n; i++)
		nx_reasm_feed(r, SRC, l->v[i].data, l->v[i].len, now);
}

static void test_v1_complete_in_order(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(64 * 1024, 1, &len);
	struct nx_enc_netoops id = v1_id("web-17", BOOT_A, 3);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];
	size_t parts = l.n / 2;

	for (size_t i = 0; i < parts; i++) {
		assert_int_equal(nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 100), NX_FEED_ACCEPTED);
		/* nothing comes out before the last part */
		assert_true(i + 1 == parts || nx_reasm_next(r) == NULL);
	}
	assert_int_equal(drain_ready(r, d, 4), 1);
	/* the second pass is all duplicates, and does not make a second dump */
	for (size_t i = parts; i < l.n; i++)
		assert_int_equal(nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 200),
				 NX_FEED_DUPLICATE);
	nx_reasm_expire(r, 1000000);
	assert_null(nx_reasm_next(r));

	assert_true(d[0]->complete);
	assert_int_equal(d[0]->format, NX_FMT_NETOOPS);
	assert_int_equal(d[0]->text_len, len);
	assert_memory_equal(d[0]->text, text, len);
	assert_int_equal(d[0]->text[len], '\0');
	assert_string_equal(d[0]->host, "web-17");
	assert_string_equal(d[0]->boot, BOOT_A);
	assert_string_equal(d[0]->reason, "oops");
	assert_string_equal(d[0]->release, "6.1.0-27-amd64");
	assert_string_equal(d[0]->source, SRC);
	assert_int_equal(d[0]->dump, 3);
	assert_int_equal(d[0]->parts, parts);
	assert_int_equal(d[0]->parts_received, parts);
	assert_int_equal(d[0]->n_missing, 0);
	assert_int_equal(d[0]->time_usec, 1764288000123456ull);

	const struct nx_reasm_stats *st = nx_reasm_stats(r);

	assert_int_equal(st->datagrams, l.n);
	assert_int_equal(st->accepted, parts);
	assert_int_equal(st->duplicates, parts);
	assert_int_equal(st->complete, 1);
	assert_int_equal(st->incomplete, 0);
	assert_int_equal(st->by_format[NX_FMT_NETOOPS], parts);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

static void test_v1_second_copy_fills_loss(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(32 * 1024, 2, &len);
	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	for (size_t i = 0; i < l.n; i++)
		if (i >= l.n / 2 || i % 3 != 0)	/* pass 1 loses every third */
			nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, i);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_memory_equal(d[0]->text, text, len);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

static void test_v1_lost_part_times_out_with_missing_range(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(20000, 3, &len);
	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	size_t parts = l.n / 2, lost = 4;
	struct nx_packet p;
	struct nx_dump *d[2];

	assert_int_equal(nx_decode(l.v[lost].data, l.v[lost].len, &p, NULL), 0);
	for (size_t i = 0; i < l.n; i++)
		if (i % parts != lost)
			nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 1000);
	assert_null(nx_reasm_next(r));
	assert_int_equal(nx_reasm_next_deadline(r, 1000), 5000);
	assert_int_equal(nx_reasm_next_deadline(r, 4000), 2000);
	nx_reasm_expire(r, 5999);		/* not yet quiet for 5 s */
	assert_null(nx_reasm_next(r));
	nx_reasm_expire(r, 6000);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_int_equal(nx_reasm_next_deadline(r, 6000), -1);

	assert_false(d[0]->complete);
	assert_int_equal(d[0]->parts_received, parts - 1);
	assert_int_equal(d[0]->n_missing, 1);
	assert_int_equal(d[0]->missing[0].start, p.offset);
	assert_int_equal(d[0]->missing[0].end, p.offset + p.text_len);
	/* the text is what arrived, in order: the original without the lost range */
	assert_int_equal(d[0]->text_len, len - p.text_len);
	assert_memory_equal(d[0]->text, text, p.offset);
	assert_memory_equal(d[0]->text + p.offset, text + p.offset + p.text_len,
			    len - p.offset - p.text_len);
	assert_int_equal(nx_reasm_stats(r)->incomplete, 1);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

static void test_v1_reordered_and_duplicated(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(100000, 4, &len);
	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	shuffle(&l, 7);
	feed_all(r, &l, 10);
	feed_all(r, &l, 20);			/* and everything once more */
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->text_len, len);
	assert_memory_equal(d[0]->text, text, len);
	assert_int_equal(nx_reasm_stats(r)->duplicates, l.n + l.n / 2);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

/* 300 hosts, all from one address (QEMU), interleaved at random: every dump whole. */
static void test_v1_many_senders_one_address(void **state)
{
	(void)state;
	enum { HOSTS = 300 };
	struct nx_dgrams all = { 0 };
	char *texts[HOSTS];
	size_t lens[HOSTS];

	for (unsigned h = 0; h < HOSTS; h++) {
		char host[32];
		struct nx_enc_netoops id = v1_id(host, h % 2 ? BOOT_A : BOOT_B, 1 + h % 3);

		snprintf(host, sizeof(host), "guest%u", h / 6);	/* hosts share names: boot/dump differ */
		texts[h] = make_log(3000 + h * 13, h, &lens[h]);
		assert_true(nx_encode_netoops(&id, texts[h], lens[h], nx_dgrams_append, &all) > 0);
	}
	shuffle(&all, 99);

	struct nx_reasm *r = nx_reasm_new(&lim);
	static struct nx_dump *d[HOSTS + 1];

	feed_all(r, &all, 5);
	assert_int_equal(drain_ready(r, d, HOSTS + 1), HOSTS);
	for (size_t i = 0; i < HOSTS; i++) {
		unsigned h;

		assert_true(d[i]->complete);
		/* find it by its text: the log names its host number in every line */
		char *nl = strstr(d[i]->text, "host");

		assert_non_null(nl);
		assert_int_equal(sscanf(nl, "host%u", &h), 1);
		assert_true(h < HOSTS);
		assert_int_equal(d[i]->text_len, lens[h]);
		assert_memory_equal(d[i]->text, texts[h], lens[h]);
	}
	assert_int_equal(nx_reasm_stats(r)->complete, HOSTS);
	free_dumps(d, HOSTS);
	for (unsigned h = 0; h < HOSTS; h++)
		free(texts[h]);
	nx_reasm_free(r);
	nx_dgrams_free(&all);
}

static void test_v1_inconsistent_datagram_is_malformed(void **state)
{
	(void)state;
	const char *a = "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 1/2 0/4 1/1\nab";
	const char *b = "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/2 2/5 1/1\ncde";	/* total */
	const char *c = "NETOOPS1 h " BOOT_A " 1 panic r 1.000000 0/2 2/4 1/1\ncd";	/* reason */
	const char *ok = "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 0/2 2/4 1/1\ncd";
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)a, strlen(a), 1), NX_FEED_ACCEPTED);
	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)b, strlen(b), 1), NX_FEED_MALFORMED);
	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)c, strlen(c), 1), NX_FEED_MALFORMED);
	assert_null(nx_reasm_next(r));
	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)ok, strlen(ok), 1), NX_FEED_ACCEPTED);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_string_equal(d[0]->text, "abcd");
	assert_int_equal(nx_reasm_stats(r)->malformed, 2);
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_v1_flush_emits_partial(void **state)
{
	(void)state;
	const char *a = "NETOOPS1 h " BOOT_A " 1 oops r 1.000000 1/3 0/6 1/1\nab";
	const char *b = "NETOOPS1 g " BOOT_A " 1 oom r 1.000000 0/3 4/6 1/1\nef";
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[3];

	nx_reasm_feed(r, SRC, (uint8_t *)a, strlen(a), 1);
	nx_reasm_feed(r, SRC, (uint8_t *)b, strlen(b), 2);
	assert_int_equal(nx_reasm_pending(r), 2);
	nx_reasm_flush(r, 3);
	assert_int_equal(nx_reasm_pending(r), 0);
	assert_int_equal(nx_reasm_bytes(r), 0);
	assert_int_equal(drain_ready(r, d, 3), 2);
	assert_false(d[0]->complete);
	assert_string_equal(d[0]->text, "ab");
	assert_int_equal(d[0]->n_missing, 1);
	assert_int_equal(d[0]->missing[0].start, 2);
	assert_int_equal(d[0]->missing[0].end, 6);
	assert_string_equal(d[1]->reason, "oom");
	assert_int_equal(d[1]->n_missing, 1);
	assert_int_equal(d[1]->missing[0].start, 0);
	assert_int_equal(d[1]->missing[0].end, 4);
	free_dumps(d, 2);
	nx_reasm_free(r);
}

/* A dump with no text at all (T = 0) is one empty part, complete on arrival. */
static void test_v1_empty_dump(void **state)
{
	(void)state;
	const char *a = "NETOOPS1 h " BOOT_A " 1 test r 1.000000 0/1 0/0 1/2\n";
	const char *b = "NETOOPS1 h " BOOT_A " 1 test r 1.000000 0/1 0/0 2/2\n";
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[2];

	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)a, strlen(a), 1), NX_FEED_ACCEPTED);
	assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)b, strlen(b), 1), NX_FEED_DUPLICATE);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->text_len, 0);
	assert_string_equal(d[0]->text, "");
	assert_string_equal(d[0]->reason, "test");
	free_dumps(d, 1);
	nx_reasm_free(r);
}

static void test_eviction_at_max_dumps(void **state)
{
	(void)state;
	struct nx_reasm_limits small = lim;
	struct nx_reasm *r;
	struct nx_dump *d[8];
	char buf[200];

	small.max_dumps = 3;
	r = nx_reasm_new(&small);
	for (int h = 0; h < 5; h++) {
		int n = snprintf(buf, sizeof(buf),
				 "NETOOPS1 h%d " BOOT_A " 1 oops r 1.000000 0/2 2/4 1/1\ncd", h);

		assert_int_equal(nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, 10 + h),
				 NX_FEED_ACCEPTED);
		assert_true(nx_reasm_pending(r) <= 3);
	}
	/* the two oldest were flushed incomplete and counted */
	assert_int_equal(nx_reasm_stats(r)->evicted, 2);
	assert_int_equal(drain_ready(r, d, 8), 2);
	assert_string_equal(d[0]->host, "h0");
	assert_string_equal(d[1]->host, "h1");
	assert_false(d[0]->complete);
	free_dumps(d, 2);
	nx_reasm_flush(r, 100);
	assert_int_equal(drain_ready(r, d, 8), 3);
	free_dumps(d, 3);
	nx_reasm_free(r);
}

static void test_eviction_at_max_bytes(void **state)
{
	(void)state;
	struct nx_reasm_limits small = lim;
	size_t len;
	char *text = make_log(200000, 5, &len);
	struct nx_reasm *r;
	struct nx_dump *d[64];
	size_t got = 0;

	small.max_bytes = 300000;
	small.max_dump_bytes = 250000;
	r = nx_reasm_new(&small);
	for (uint32_t k = 1; k <= 6; k++) {
		struct nx_enc_netoops id = v1_id("big", BOOT_A, k);
		struct nx_dgrams l = encode_v1(&id, text, len);

		/* all but the last part: each dump stays partial */
		for (size_t i = 0; i + 1 < l.n / 2; i++) {
			nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, k);
			assert_true(nx_reasm_bytes(r) <= small.max_bytes);
		}
		got += drain_ready(r, d + got, 64 - got);
		nx_dgrams_free(&l);
	}
	assert_true(nx_reasm_stats(r)->evicted >= 4);
	assert_int_equal(nx_reasm_stats(r)->over_limit, 0);
	assert_int_equal(got, nx_reasm_stats(r)->evicted);
	for (size_t i = 0; i < got; i++) {
		assert_false(d[i]->complete);
		assert_true(d[i]->text_len > 0);	/* flushed with what it had */
	}
	free_dumps(d, got);
	nx_reasm_free(r);
	free(text);
}

/* ---- legacy v3 ---- */

static struct nx_dgrams encode_legacy(const struct nx_enc_legacy *id, const char *t, size_t n)
{
	struct nx_dgrams l = { 0 };

	assert_true(nx_encode_legacy_v3(id, t, n, nx_dgrams_append, &l) > 0);
	return l;
}

static void test_legacy_three_passes_one_dump(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(30000, 6, &len);
	struct nx_enc_legacy id = { .dump_id = 512, .boot_id = 7, .release = "2.6.32-279.el6.x86_64",
				    .split = 10000 };
	struct nx_dgrams l = encode_legacy(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d[4];

	feed_all(r, &l, 10);
	nx_reasm_expire(r, 100000);
	assert_int_equal(drain_ready(r, d, 4), 1);
	assert_true(d[0]->complete);
	assert_int_equal(d[0]->format, NX_FMT_LEGACY_V3);
	assert_int_equal(d[0]->text_len, len);
	assert_memory_equal(d[0]->text, text, len);
	assert_string_equal(d[0]->reason, "oops");
	assert_string_equal(d[0]->boot, "7");
	assert_int_equal(d[0]->dump, 512);
	assert_string_equal(d[0]->release, "2.6.32-279.el6.x86_64");
	assert_int_equal(nx_reasm_stats(r)->duplicates, 2 * (l.n / 3));
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

static void test_legacy_loss_in_every_pass(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(8000, 7, &len);
	struct nx_enc_legacy id = { .dump_id = 1 };
	struct nx_dgrams l = encode_legacy(&id, text, len);
	struct nx_reasm *r = nx_reasm_new(&lim);
	size_t count = l.n / 3;
	struct nx_dump *d[2];

	for (size_t i = 0; i < l.n; i++)
		if (i % count != 0)		/* packet 0, the newest, never arrives */
			nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 10);
	assert_null(nx_reasm_next(r));
	nx_reasm_expire(r, 10 + lim.quiet_ms);
	assert_int_equal(drain_ready(r, d, 2), 1);
	assert_false(d[0]->complete);
	assert_int_equal(d[0]->parts_received, count - 1);
	assert_int_equal(d[0]->n_missing, 1);
	assert_int_equal(d[0]->missing[0].start, (count - 1) * 1024);
	assert_int_equal(d[0]->missing[0].end, count * 1024);
	assert_memory_equal(d[0]->text, text, (count - 1) * 1024);
	free_dumps(d, 1);
	nx_reasm_free(r);
	nx_dgrams_free(&l);
	free(text);
}

/* Two legacy dumps with the same ids (texts of sizes LA and LB), and a reassembler. */
struct two {
	char *a, *b;
	size_t la, lb;
	struct nx_dgrams da, db;
	struct nx_reasm *r;
	struct nx_dump *d[4];
	size_t n;
};

static void two_init(struct two *t, const struct nx_enc_legacy *id, size_t la, size_t lb,
		     unsigned seed)
{
	t->a = make_log(la, seed, &t->la);
	t->b = make_log(lb, seed + 1, &t->lb);
	t->da = encode_legacy(id, t->a, t->la);
	t->db = encode_legacy(id, t->b, t->lb);
	t->r = nx_reasm_new(&lim);
}

static void two_flush(struct two *t)
{
	nx_reasm_flush(t->r, 1000);
	t->n = drain_ready(t->r, t->d, 4);
}

static void two_free(struct two *t)
{
	free_dumps(t->d, t->n);
	nx_reasm_free(t->r);
	nx_dgrams_free(&t->da);
	nx_dgrams_free(&t->db);
	free(t->a);
	free(t->b);
}

/* Two dumps in one second share dump_id: the second must not vanish as "duplicates". */
static void test_legacy_dump_id_repeats(void **state)
{
	(void)state;
	struct nx_enc_legacy id = { .dump_id = 33, .boot_id = 1 };
	struct two t;

	two_init(&t, &id, 5000, 5000, 8);
	assert_int_equal(t.da.n, t.db.n);	/* same packet_count too */
	feed_all(t.r, &t.da, 10);
	feed_all(t.r, &t.db, 11);
	two_flush(&t);
	assert_int_equal(t.n, 2);
	assert_true(t.d[0]->complete && t.d[1]->complete);
	assert_memory_equal(t.d[0]->text, t.a, t.la);
	assert_memory_equal(t.d[1]->text, t.b, t.lb);
	two_free(&t);
}

/* The same, while the first dump is still incomplete: a changed chunk starts the next. */
static void test_legacy_dump_id_repeats_before_complete(void **state)
{
	(void)state;
	struct nx_enc_legacy id = { .dump_id = 33, .passes = 1 };
	struct two t;

	two_init(&t, &id, 5000, 5000, 20);
	assert_int_equal(t.da.n, t.db.n);
	for (size_t i = 0; i + 1 < t.da.n; i++)	/* the first loses its oldest packet */
		nx_reasm_feed(t.r, SRC, t.da.v[i].data, t.da.v[i].len, 10);
	feed_all(t.r, &t.db, 11);
	two_flush(&t);
	assert_int_equal(t.n, 2);
	assert_false(t.d[0]->complete);
	assert_memory_equal(t.d[0]->text, t.a + 1024, t.la - 1024);
	assert_true(t.d[1]->complete);
	assert_int_equal(t.d[1]->text_len, t.lb);
	assert_memory_equal(t.d[1]->text, t.b, t.lb);
	two_free(&t);
}

static void test_legacy_count_change_starts_new_dump(void **state)
{
	(void)state;
	struct nx_enc_legacy id = { .dump_id = 33, .passes = 1 };
	struct two t;

	two_init(&t, &id, 6000, 9000, 10);
	assert_int_not_equal(t.da.n, t.db.n);
	for (size_t i = 0; i + 1 < t.da.n; i++)	/* first dump loses its oldest packet */
		nx_reasm_feed(t.r, SRC, t.da.v[i].data, t.da.v[i].len, 10);
	feed_all(t.r, &t.db, 11);
	two_flush(&t);
	assert_int_equal(t.n, 2);
	assert_false(t.d[0]->complete);
	assert_true(t.d[1]->complete);
	assert_memory_equal(t.d[1]->text, t.b, t.lb);
	two_free(&t);
}

static void test_legacy_sources_kept_apart(void **state)
{
	(void)state;
	struct nx_enc_legacy id = { .dump_id = 5 };	/* boot_id 0 on both: nobody set it */
	struct two t;

	two_init(&t, &id, 3000, 3000, 12);
	for (size_t i = 0; i < t.da.n; i++) {
		nx_reasm_feed(t.r, "10.0.0.1:2004", t.da.v[i].data, t.da.v[i].len, 1);
		nx_reasm_feed(t.r, "10.0.0.2:2004", t.db.v[i].data, t.db.v[i].len, 1);
	}
	two_flush(&t);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.d[0]->source, "10.0.0.1:2004");
	assert_memory_equal(t.d[0]->text, t.a, t.la);
	assert_string_equal(t.d[1]->source, "10.0.0.2:2004");
	assert_memory_equal(t.d[1]->text, t.b, t.lb);
	two_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_complete_in_order),
		cmocka_unit_test(test_v1_second_copy_fills_loss),
		cmocka_unit_test(test_v1_lost_part_times_out_with_missing_range),
		cmocka_unit_test(test_v1_reordered_and_duplicated),
		cmocka_unit_test(test_v1_many_senders_one_address),
		cmocka_unit_test(test_v1_inconsistent_datagram_is_malformed),
		cmocka_unit_test(test_v1_flush_emits_partial),
		cmocka_unit_test(test_v1_empty_dump),
		cmocka_unit_test(test_eviction_at_max_dumps),
		cmocka_unit_test(test_eviction_at_max_bytes),
		cmocka_unit_test(test_legacy_three_passes_one_dump),
		cmocka_unit_test(test_legacy_loss_in_every_pass),
		cmocka_unit_test(test_legacy_dump_id_repeats),
		cmocka_unit_test(test_legacy_dump_id_repeats_before_complete),
		cmocka_unit_test(test_legacy_count_change_starts_new_dump),
		cmocka_unit_test(test_legacy_sources_kept_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

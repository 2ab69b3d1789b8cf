/* Admission under a flood: one-datagram fakes shed before they cost an entry; real dumps, trusted or not, come out whole. */
#include "test_reasm_util.h"

#define SRC "127.0.0.1:2004"

/* The caller's idea of an established sender: here, host "known" only. */
static bool trust_known(void *ctx, const char *source, const char *host)
{
	size_t *calls = ctx;

	(*calls)++;
	assert_string_equal(source, SRC);
	return strcmp(host, "known") == 0;
}

static enum nx_feed_result feed_fake(struct nx_reasm *r, int i)
{
	char buf[200];
	int n = snprintf(buf, sizeof(buf), "NETOOPS1 fake%d " BOOT_A " 1 oops r 1.000000 "
			 "0/1000 0/2000 1/1\nab", i);

	return nx_reasm_feed(r, SRC, (uint8_t *)buf, (size_t)n, 1);
}

/* Feed all of L; returns the dump of HOST that came out (NULL if none). */
static struct nx_dump *feed_dump(struct nx_reasm *r, const struct nx_dgrams *l, const char *host)
{
	struct nx_dump *d, *found = NULL;

	for (size_t i = 0; i < l->n; i++)
		nx_reasm_feed(r, SRC, l->v[i].data, l->v[i].len, 2);
	while ((d = nx_reasm_next(r))) {
		if (!found && !strcmp(d->host, host))
			found = d;
		else
			nx_dump_free(d);
	}
	return found;
}

static void test_fakes_shed_without_entries(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	size_t calls = 0;

	assert_int_equal(nx_reasm_set_admission(r, trust_known, &calls), 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(feed_fake(r, i), NX_FEED_SHED);
	assert_int_equal(nx_reasm_stats(r)->shed, 10000);
	assert_int_equal(nx_reasm_pending(r), 0);
	assert_int_equal(nx_reasm_stats(r)->accepted, 0);
	assert_int_equal(calls, 10000);
	/* admission off: a fake opens its entry again */
	assert_int_equal(nx_reasm_set_admission(r, NULL, NULL), 0);
	assert_int_equal(feed_fake(r, 0), NX_FEED_ACCEPTED);
	assert_int_equal(nx_reasm_pending(r), 1);
	nx_reasm_free(r);
}

/* A trusted sender's dump of one copy loses nothing. */
static void test_trusted_sender_admitted_at_once(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	size_t len, calls = 0;
	char *text = make_log(20000, 3, &len);
	struct nx_enc_netoops id = v1_id("known", BOOT_A, 1);
	struct nx_dgrams l;
	struct nx_dump *d;

	id.copies = 1;
	l = encode_v1(&id, text, len);
	nx_reasm_set_admission(r, trust_known, &calls);
	d = feed_dump(r, &l, "known");
	assert_non_null(d);
	assert_true(d->complete);
	assert_memory_equal(d->text, text, len);
	assert_int_equal(nx_reasm_stats(r)->shed, 0);
	nx_dump_free(d);
	nx_dgrams_free(&l);
	nx_reasm_free(r);
	free(text);
}

/*
 * A new sender's dump of two copies, interleaved with fakes: its first
 * datagram is shed, its second opens the entry, the second pass brings the
 * first part back: complete.
 */
static void test_new_sender_loses_only_the_first_datagram(void **state)
{
	(void)state;
	struct nx_reasm *r = nx_reasm_new(NULL);
	size_t len, calls = 0;
	char *text = make_log(20000, 4, &len);
	struct nx_enc_netoops id = v1_id("newcomer", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct nx_dump *d = NULL, *x;

	size_t accepted = 0;

	nx_reasm_set_admission(r, trust_known, &calls);
	for (size_t i = 0; i < l.n; i++) {
		enum nx_feed_result res;

		assert_int_equal(feed_fake(r, (int)i), NX_FEED_SHED);
		res = nx_reasm_feed(r, SRC, l.v[i].data, l.v[i].len, 2);
		if (i == 0)
			assert_int_equal(res, NX_FEED_SHED);
		else
			assert_true(res == NX_FEED_ACCEPTED || res == NX_FEED_DUPLICATE);
		accepted += res == NX_FEED_ACCEPTED;
	}
	assert_int_equal(accepted, l.n / 2);	/* every part once */
	while ((x = nx_reasm_next(r))) {
		if (!strcmp(x->host, "newcomer"))
			d = x;
		else
			nx_dump_free(x);
	}
	assert_non_null(d);
	assert_true(d->complete);
	assert_memory_equal(d->text, text, len);
	assert_int_equal(nx_reasm_stats(r)->shed, l.n + 1);	/* every fake, and part 0 */
	nx_dump_free(d);
	nx_dgrams_free(&l);
	nx_reasm_free(r);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fakes_shed_without_entries),
		cmocka_unit_test(test_trusted_sender_admitted_at_once),
		cmocka_unit_test(test_new_sender_loses_only_the_first_datagram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

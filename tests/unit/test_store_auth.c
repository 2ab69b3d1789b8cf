/* Unit tests of what the store keeps for authentication (store_auth.c), on real SQLite, and of
 * reassembly's authenticated flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/decode/encode.h"
#include "store_fixture.h"

#define BOOT1 "00000000000000000000000000000001"
#define BOOT2 "00000000000000000000000000000002"

static void add(struct nx_store *s, const char *host, const char *boot, uint32_t dump,
		bool authenticated, int64_t at)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = dump, .complete = true,
			     .authenticated = authenticated, .text = "text", .text_len = 4 };

	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.boot, sizeof(d.boot), "%s", boot);
	snprintf(d.reason, sizeof(d.reason), "oops");
	snprintf(d.source, sizeof(d.source), "127.0.0.1:1");
	assert_int_equal(nx_store_begin(s), 0);
	assert_true(nx_store_add_dump(s, &d, at, NULL) > 0);
	assert_int_equal(nx_store_commit(s), 0);
}

struct seen {
	char line[8][128];
	size_t n;
};

static int collect(void *ctx, const char *host, const char *boot, uint32_t dump)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	snprintf(s->line[s->n++], sizeof(s->line[0]), "%s %s %u", host, boot, dump);
	return 0;
}

static void marks_are_the_newest_authenticated_dumps(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 };

	add(f->s, "a", BOOT1, 1, true, 100);
	add(f->s, "a", BOOT1, 3, true, 300);
	add(f->s, "a", BOOT1, 7, false, 400);		/* unauthenticated: no mark */
	add(f->s, "b", BOOT2, 2, true, 200);
	add(f->s, "c", BOOT1, 9, false, 500);
	assert_int_equal(nx_store_auth_marks(f->s, 10, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.line[0], "b " BOOT2 " 2");	/* least recent first */
	assert_string_equal(s.line[1], "a " BOOT1 " 3");
	memset(&s, 0, sizeof(s));
	assert_int_equal(nx_store_auth_marks(f->s, 1, collect, &s), 0);	/* the newest only */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.line[0], "a " BOOT1 " 3");
}

static void list_and_show_carry_the_flag(void **state)
{
	struct fixture *f = *state;
	json_t *rows;

	add(f->s, "a", BOOT1, 1, true, 100);
	add(f->s, "a", BOOT1, 2, false, 200);
	rows = nx_store_list(f->s, &(struct nx_store_filter){ 0 });
	assert_int_equal(json_array_size(rows), 2);
	assert_true(json_is_true(json_object_get(json_array_get(rows, 0), "authenticated")));
	assert_true(json_is_false(json_object_get(json_array_get(rows, 1), "authenticated")));
	json_decref(rows);
}

/* Reassembly: a dump is authenticated only when every datagram placed in it was. */
static void reasm_flag_needs_every_datagram(void **state)
{
	char text[2048] = "";
	struct nx_reasm_limits lim = { .max_bytes = 1 << 20, .max_dumps = 16, .quiet_ms = 100,
				       .netconsole_quiet_ms = 100 };
	struct nx_dgrams l = { 0 };
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_enc_netoops id = { .host = "h", .boot = BOOT1, .reason = "oops",
				     .release = "6.1", .copies = 1, .max_datagram = 300 };
	struct nx_dump *d;

	(void)state;
	assert_non_null(r);
	for (int i = 0; i < 30; i++)	/* 30 records of 32 bytes: several parts of 300 */
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "[%5d.000000] record %8d\n", i, i);
	for (uint32_t dump = 1; dump <= 2; dump++) {
		id.dump = dump;
		l.n = 0;
		assert_true(nx_encode_netoops(&id, text, strlen(text), nx_dgrams_append, &l) > 2);
		for (size_t i = 0; i < l.n; i++)
			assert_int_equal(nx_reasm_feed_auth(r, "x:1", l.v[i].data, l.v[i].len, 1,
							    dump == 1 || i > 0),
					 NX_FEED_ACCEPTED);
		nx_dgrams_free(&l);
		memset(&l, 0, sizeof(l));
		assert_non_null(d = nx_reasm_next(r));
		assert_true(d->complete);
		assert_int_equal(d->authenticated, dump == 1);
		nx_dump_free(d);
	}
	nx_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(marks_are_the_newest_authenticated_dumps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(list_and_show_carry_the_flag, setup, teardown),
		cmocka_unit_test(reasm_flag_needs_every_datagram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

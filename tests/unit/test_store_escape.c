/* The store's JSON keeps every field of a dump whose bytes are not UTF-8 (real SQLite file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store_fixture.h"

/* A dump with an invalid byte (E9), a NUL, ESC and C1 in its text, names and report. */
static const char TEXT[] = "Comm: ins\xe9mod\n\x1b]0;owned\x07 nul\0inside \xc2\x9b end\n";

static struct nx_frame frames[] = {
	{ .func = "init_module", .offset = 0x10, .size = 0x20, .module = "cr\xe9sh",
	  .reliable = true, .section = NX_SECT_TASK },
	{ .func = "do_one_initcall", .offset = 0x4a, .size = 0x200, .reliable = true,
	  .section = NX_SECT_TASK },
};

static struct nx_module modules[] = { { .name = "cr\xe9sh", .taints = "O\xff" } };

static struct nx_report report = {
	.title = "BUG in cr\xe9sh \x1b[2J", .class = "BUG", .type = "bug", .primary = true,
	.kernel = "6.1.0-\xe9", .taint = "G\xe9", .cpu = 0, .pid = 180, .comm = "ins\xe9mod",
	.hardware = "QEMU \xff", .die_counter = 1, .panic_msg = "Fatal \xe9", .rip_func = "x\xe9",
	.frames = frames, .n_frames = 2, .modules = modules, .n_modules = 1,
	.signature = "v1:abc", .start = 0, .end = 10,
};

/* The shared fixture's fresh store, with the hostile dump stored in it. */
static int setup_dump(void **state)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = 3, .complete = true, .parts = 1,
			     .parts_received = 1, .text = (char *)TEXT,
			     .text_len = sizeof(TEXT) - 1 };
	struct nx_report_set set = { .reports = &report, .n = 1 };
	struct fixture *f;

	setup(state);
	f = *state;
	snprintf(d.host, sizeof(d.host), "web-1");
	snprintf(d.source, sizeof(d.source), "10.0.0.7:2004");
	snprintf(d.reason, sizeof(d.reason), "oops");
	snprintf(d.release, sizeof(d.release), "6.1.0-27-amd64");
	assert_int_equal(nx_store_begin(f->s), 0);
	f->id = nx_store_add_dump(f->s, &d, 1764288000000, &set);
	assert_true(f->id > 0);
	assert_int_equal(nx_store_commit(f->s), 0);
	return 0;
}

static void assert_str(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("key '%s' is missing or not a string", key);
	assert_string_equal(json_string_value(v), want);
}

static void dump_keeps_every_field(void **state)
{
	struct fixture *f = *state;
	json_t *d = nx_store_show(f->s, f->id), *r, *fr;

	assert_non_null(d);
	assert_str(d, "text", "Comm: ins\\xe9mod\n\x1b]0;owned\x07 nul\\x00inside \xc2\x9b end\n");
	assert_int_equal(json_integer_value(json_object_get(d, "text_len")), sizeof(TEXT) - 1);
	assert_str(d, "title", "BUG in cr\\xe9sh \x1b[2J");
	assert_str(d, "kernel", "6.1.0-\\xe9");
	r = json_array_get(json_object_get(d, "reports"), 0);
	assert_non_null(r);
	assert_str(r, "title", "BUG in cr\\xe9sh \x1b[2J");
	assert_str(r, "comm", "ins\\xe9mod");
	assert_str(r, "taint", "G\\xe9");
	assert_str(r, "hardware", "QEMU \\xff");
	assert_str(r, "panic_msg", "Fatal \\xe9");
	assert_str(r, "rip", "x\\xe9");
	assert_int_equal(json_array_size(json_object_get(r, "frames")), 2);
	fr = json_array_get(json_object_get(r, "frames"), 0);
	assert_str(fr, "func", "init_module");
	assert_str(fr, "module", "cr\\xe9sh");
	fr = json_array_get(json_object_get(r, "modules"), 0);
	assert_str(fr, "name", "cr\\xe9sh");
	assert_str(fr, "taints", "O\\xff");
	json_decref(d);
}

static void list_and_groups_keep_fields(void **state)
{
	struct fixture *f = *state;
	struct nx_store_filter all = { 0 };
	json_t *l = nx_store_list(f->s, &all), *g = nx_store_groups(f->s), *k;

	assert_non_null(l);
	assert_non_null(g);
	assert_str(json_array_get(l, 0), "title", "BUG in cr\\xe9sh \x1b[2J");
	assert_str(json_array_get(l, 0), "kernel", "6.1.0-\\xe9");
	assert_str(json_array_get(g, 0), "title", "BUG in cr\\xe9sh \x1b[2J");
	k = json_object_get(json_array_get(g, 0), "kernels");
	assert_int_equal(json_array_size(k), 1);
	assert_string_equal(json_string_value(json_array_get(k, 0)), "6.1.0-\\xe9");
	json_decref(l);
	json_decref(g);
}

/* The database itself holds the bytes as received. */
static void database_keeps_raw_bytes(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT text, title FROM dumps", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), sizeof(TEXT) - 1);
	assert_memory_equal(sqlite3_column_blob(st, 0), TEXT, sizeof(TEXT) - 1);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), report.title);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dump_keeps_every_field, setup_dump, teardown),
		cmocka_unit_test_setup_teardown(list_and_groups_keep_fields, setup_dump, teardown),
		cmocka_unit_test_setup_teardown(database_keeps_raw_bytes, setup_dump, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

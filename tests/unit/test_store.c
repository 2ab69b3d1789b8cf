/* Unit tests of the SQLite report store: schema, dumps, reports, groups, queries, durability. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"

static struct nx_dump make_dump(const char *host, const char *reason, const char *text)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = 3, .complete = true,
			     .parts = 2, .parts_received = 2, .time_usec = 1764288000123456ull,
			     .first_ms = 100, .last_ms = 150 };

	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.source, sizeof(d.source), "10.0.0.7:2004");
	snprintf(d.boot, sizeof(d.boot), "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4");
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	snprintf(d.release, sizeof(d.release), "6.1.0-27-amd64");
	d.text = (char *)text;
	d.text_len = strlen(text);
	return d;
}

static struct nx_frame frames[] = {
	{ .func = "init_module", .offset = 0x10, .size = 0x20, .module = "crash",
	  .reliable = true, .section = NX_SECT_TASK },
	{ .func = "do_one_initcall", .offset = 0x4a, .size = 0x200, .reliable = false,
	  .section = NX_SECT_TASK },
};

static struct nx_module modules[] = { { .name = "crash", .taints = "OE" } };

static struct nx_report make_report(const char *title, const char *sig, const char *kernel)
{
	return (struct nx_report){
		.title = (char *)title, .class = "divide error", .type = "divide",
		.primary = true, .kernel = (char *)kernel, .taint = "G OE", .taint_mask = 0x3000,
		.cpu = 0, .pid = 180, .comm = "insmod", .hardware = "QEMU Standard PC",
		.die_counter = 1, .rip_func = "init_module", .frames = frames, .n_frames = 2,
		.modules = modules, .n_modules = 1, .signature = (char *)sig,
		.start = 0, .end = 10,
	};
}

static int64_t add(struct nx_store *s, const struct nx_dump *d, int64_t when,
		   struct nx_report *r, size_t n)
{
	struct nx_report_set set = { .reports = r, .n = n };
	int64_t id;

	assert_int_equal(nx_store_begin(s), 0);
	id = nx_store_add_dump(s, d, when, n ? &set : NULL);
	assert_true(id > 0);
	assert_int_equal(nx_store_commit(s), 0);
	return id;
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_schema_is_versioned_and_reopens(void **state)
{
	struct fixture *f = *state;
	char err[512];
	struct nx_store *again;

	assert_int_equal(user_version(f->path), NX_STORE_SCHEMA_VERSION);
	again = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(again);
	nx_store_close(again);
	assert_int_equal(user_version(f->path), NX_STORE_SCHEMA_VERSION);
}

/* A version-1 database (no text_len column) is migrated and keeps its dumps. */
static void test_version_1_database_is_migrated(void **state)
{
	struct fixture *f = *state;
	struct nx_dump d = make_dump("old-host", "oops", "twelve bytes");
	char err[512];
	sqlite3 *db;
	json_t *rows;

	add(f->s, &d, 1000, NULL, 0);
	nx_store_close(f->s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP INDEX dumps_auth_marks;"	/* step 4 -> 5 */
				      "ALTER TABLE dumps DROP COLUMN authenticated;"
				      "ALTER TABLE dumps DROP COLUMN text_codec;"	/* 3 -> 4 */
				      "DROP INDEX dumps_unanalysed;"
				      "ALTER TABLE reports DROP COLUMN alt_title;"
				      "ALTER TABLE dumps DROP COLUMN analysis_error;"
				      "ALTER TABLE dumps DROP COLUMN analysis;"
				      "ALTER TABLE dumps DROP COLUMN text_len;"
				      "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(user_version(f->path), 1);
	f->s = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(user_version(f->path), NX_STORE_SCHEMA_VERSION);
	rows = nx_store_list(f->s, &(struct nx_store_filter){ 0 });
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "text_len")), 12);
	json_decref(rows);
}

static void test_newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
}

static void test_missing_database_says_what_to_fix(void **state)
{
	struct fixture *f = *state;
	char err[512] = "", path[160];

	snprintf(path, sizeof(path), "%s/absent.db", f->dir);
	assert_null(nx_store_open(path, NX_STORE_EXISTING, err, sizeof(err)));
	assert_non_null(strstr(err, "--db"));
	assert_int_equal(access(path, F_OK), -1);
}

static void test_dump_with_reports_round_trips(void **state)
{
	struct fixture *f = *state;
	const char *text = "[  1.0] divide error: 0000 [#1] SMP\n[  1.1] more\n";
	struct nx_dump d = make_dump("web-17", "oops", text);
	struct nx_report r[2] = {
		make_report("divide error in init_module", "v1:aaaa", "6.1.0-27-amd64"),
		make_report("WARNING in foo", "v1:bbbb", "6.1.0-27-amd64"),
	};
	int64_t id;
	json_t *v, *rep, *fr;

	r[1].alt_title = "stall in foo";
	id = add(f->s, &d, 1764288001000, r, 2);
	v = nx_store_show(f->s, id);

	assert_non_null(v);
	assert_int_equal(json_integer_value(json_object_get(v, "id")), id);
	assert_string_equal(json_string_value(json_object_get(v, "host")), "web-17");
	assert_string_equal(json_string_value(json_object_get(v, "reason")), "oops");
	assert_string_equal(json_string_value(json_object_get(v, "title")),
			    "divide error in init_module");
	assert_string_equal(json_string_value(json_object_get(v, "type")), "divide");
	assert_string_equal(json_string_value(json_object_get(v, "text")), text);
	assert_true(json_is_true(json_object_get(v, "complete")));
	assert_string_equal(json_string_value(json_object_get(v, "format")), nx_format_name(NX_FMT_NETOOPS));
	assert_int_equal(json_integer_value(json_object_get(v, "dump_no")), 3);
	assert_int_equal(json_integer_value(json_object_get(v, "dump_time_us")), 1764288000123456ll);
	assert_int_equal(json_array_size(json_object_get(v, "reports")), 2);
	rep = json_array_get(json_object_get(v, "reports"), 0);
	assert_true(json_is_true(json_object_get(rep, "is_primary")));
	assert_string_equal(json_string_value(json_object_get(rep, "comm")), "insmod");
	assert_int_equal(json_integer_value(json_object_get(rep, "pid")), 180);
	assert_int_equal(json_integer_value(json_object_get(rep, "taint_mask")), 0x3000);
	fr = json_array_get(json_object_get(rep, "frames"), 1);
	assert_string_equal(json_string_value(json_object_get(fr, "func")), "do_one_initcall");
	assert_false(json_is_true(json_object_get(fr, "reliable")));
	assert_true(json_is_null(json_object_get(fr, "module")));
	assert_int_equal(json_integer_value(json_object_get(fr, "size")), 0x200);
	rep = json_array_get(json_object_get(rep, "modules"), 0);
	assert_string_equal(json_string_value(json_object_get(rep, "taints")), "OE");
	rep = json_array_get(json_object_get(v, "reports"), 1);
	assert_false(json_is_true(json_object_get(rep, "is_primary")));
	assert_string_equal(json_string_value(json_object_get(rep, "title")), "WARNING in foo");
	assert_string_equal(json_string_value(json_object_get(rep, "alt_title")), "stall in foo");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(v, "reports"), 0),
						 "alt_title")));
	json_decref(v);
}

static void test_dump_without_report_is_listed(void **state)
{
	struct fixture *f = *state;
	struct nx_dump t = make_dump("lab-1", "test", "[ 5.0] netoops: test dump\n");
	struct nx_dump p = make_dump("", "panic", "nothing recognisable\n");
	json_t *rows;

	add(f->s, &t, 1000, NULL, 0);
	add(f->s, &p, 2000, NULL, 0);
	rows = nx_store_list(f->s, &(struct nx_store_filter){ 0 });
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "title")),
			    "test dump from lab-1");
	/* No host name in the packets: filed under the sender's address. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "host")),
			    "10.0.0.7");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(rows, 1), "title")),
			       "panic dump from 10.0.0.7"));
	assert_true(json_is_null(json_object_get(json_array_get(rows, 0), "type")));
	json_decref(rows);
}

static void test_incomplete_dump_keeps_missing_ranges(void **state)
{
	struct fixture *f = *state;
	struct nx_dump d = make_dump("db-2", "panic", "tail only\n");
	struct nx_range miss[2] = { { 0, 1144 }, { 2288, 3432 } };
	json_t *v, *m;
	int64_t id;

	d.complete = false;
	d.parts = 4;
	d.parts_received = 2;
	d.missing = miss;
	d.n_missing = 2;
	id = add(f->s, &d, 5000, NULL, 0);
	v = nx_store_show(f->s, id);
	assert_false(json_is_true(json_object_get(v, "complete")));
	assert_int_equal(json_integer_value(json_object_get(v, "parts_received")), 2);
	m = json_object_get(v, "missing");
	assert_int_equal(json_array_size(m), 2);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(m, 1), 0)), 2288);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(m, 1), 1)), 3432);
	json_decref(v);
}

static json_t *group_with(json_t *groups, const char *sig)
{
	size_t i;
	json_t *g;

	json_array_foreach(groups, i, g)
		if (strcmp(json_string_value(json_object_get(g, "signature")), sig) == 0)
			return g;
	fail_msg("no group %s", sig);
	return NULL;
}

static void test_groups_count_hosts_and_kernels(void **state)
{
	struct fixture *f = *state;
	struct nx_report a = make_report("BUG in x", "v1:1111", "6.1.0");
	struct nx_report b = make_report("BUG in x", "v1:1111", "6.12.0");
	struct nx_report c = make_report("WARNING in y", "v1:2222", "6.1.0");
	struct nx_dump h1 = make_dump("h1", "oops", "x\n"), h2 = make_dump("h2", "oops", "x\n");
	json_t *groups, *g;

	add(f->s, &h1, 1000, &a, 1);
	add(f->s, &h2, 3000, &b, 1);
	add(f->s, &h1, 2000, &a, 1);
	add(f->s, &h2, 4000, &c, 1);
	groups = nx_store_groups(f->s);
	assert_int_equal(json_array_size(groups), 2);
	/* Ordered by count: the biggest group first. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(groups, 0), "signature")),
			    "v1:1111");
	g = group_with(groups, "v1:1111");
	assert_int_equal(json_integer_value(json_object_get(g, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(g, "hosts")), 2);
	assert_int_equal(json_integer_value(json_object_get(g, "first_seen_ms")), 1000);
	assert_int_equal(json_integer_value(json_object_get(g, "last_seen_ms")), 3000);
	assert_int_equal(json_array_size(json_object_get(g, "kernels")), 2);
	assert_string_equal(json_string_value(json_object_get(g, "first_seen")),
			    "1970-01-01T00:00:01.000Z");
	g = group_with(groups, "v1:2222");
	assert_int_equal(json_integer_value(json_object_get(g, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(g, "hosts")), 1);
	json_decref(groups);
}

static size_t list_count(struct nx_store *s, struct nx_store_filter flt)
{
	json_t *rows = nx_store_list(s, &flt);
	size_t n;

	assert_non_null(rows);
	n = json_array_size(rows);
	json_decref(rows);
	return n;
}

static void test_list_filters(void **state)
{
	struct fixture *f = *state;
	struct nx_report a = make_report("BUG in x", "v1:1111", "6.1.0");
	struct nx_report c = make_report("WARNING in y", "v1:2222", "6.1.0");
	struct nx_dump h1 = make_dump("h1", "oops", "x\n"), h2 = make_dump("h2", "panic", "x\n");
	json_t *groups;
	char gid[32];

	add(f->s, &h1, 1000, &a, 1);
	add(f->s, &h2, 3000, &a, 1);
	add(f->s, &h2, 5000, &c, 1);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ 0 }), 3);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .host = "h2" }), 2);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .host = "nope" }), 0);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .reason = "oops" }), 1);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .since_ms = 3000 }), 2);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .group = "v1:1111" }), 2);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .limit = 1 }), 1);
	/* --limit keeps the newest */
	json_t *newest = nx_store_list(f->s, &(struct nx_store_filter){ .limit = 2 });
	assert_int_equal(json_integer_value(json_object_get(json_array_get(newest, 0), "received_ms")), 3000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(newest, 1), "received_ms")), 5000);
	json_decref(newest);
	groups = nx_store_groups(f->s);
	snprintf(gid, sizeof(gid), "%lld",
		 (long long)json_integer_value(json_object_get(group_with(groups, "v1:2222"), "id")));
	json_decref(groups);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .group = gid }), 1);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .group = gid, .host = "h1" }), 0);
}

static void test_rollback_stores_nothing(void **state)
{
	struct fixture *f = *state;
	struct nx_dump d = make_dump("h1", "oops", "x\n");

	assert_int_equal(nx_store_begin(f->s), 0);
	assert_true(nx_store_add_dump(f->s, &d, 1, NULL) > 0);
	nx_store_rollback(f->s);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ 0 }), 0);
	assert_null(nx_store_show(f->s, 1));
	assert_string_equal(nx_store_error(f->s), "");
}

static void test_counters_saved_and_replaced(void **state)
{
	struct fixture *f = *state;
	struct nx_counter c1[] = { { "malformed", 3 }, { "stored", 1 } };
	struct nx_counter c2[] = { { "malformed", 7 } };
	json_t *v;

	assert_int_equal(nx_store_save_counters(f->s, c1, 2, 100), 0);
	assert_int_equal(nx_store_save_counters(f->s, c2, 1, 200), 0);
	v = nx_store_counters(f->s);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "counters"),
							    "malformed")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "counters"),
							    "stored")), 1);
	assert_int_equal(json_integer_value(json_object_get(v, "updated_ms")), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "stored"),
							    "dumps")), 0);
	json_decref(v);
}

/* A committed dump survives its writer being killed without any cleanup. */
static void test_committed_dump_survives_sigkill(void **state)
{
	struct fixture *f = *state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		struct nx_store *s = nx_store_open(f->path, NX_STORE_CREATE, err, sizeof(err));
		struct nx_dump d = make_dump("victim", "panic", "last words\n");

		if (!s || nx_store_begin(s) < 0 || nx_store_add_dump(s, &d, 9, NULL) < 0 ||
		    nx_store_commit(s) < 0)
			_exit(1);
		/* Uncommitted work must vanish. */
		nx_store_begin(s);
		nx_store_add_dump(s, &d, 10, NULL);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	nx_store_close(f->s);
	char err[512];
	f->s = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .host = "victim" }), 1);
}

static void test_text_with_nul_bytes_is_kept_whole(void **state)
{
	struct fixture *f = *state;
	static const char raw[] = "before\0after\n";
	struct nx_dump d = make_dump("h", "oops", "");
	json_t *v;
	int64_t id;

	d.text = (char *)raw;
	d.text_len = sizeof(raw) - 1;
	id = add(f->s, &d, 1, NULL, 0);
	v = nx_store_show(f->s, id);
	assert_int_equal(json_integer_value(json_object_get(v, "text_len")), sizeof(raw) - 1);
	json_decref(v);
}

/* A lock held by another connection is reported as busy, and is gone once released. */
static void test_lock_held_elsewhere_is_busy_then_clears(void **state)
{
	struct fixture *f = *state;
	struct nx_dump d = make_dump("locked", "oops", "text\n");
	sqlite3 *other;

	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	nx_store_set_busy_wait(f->s, 50);
	assert_int_equal(nx_store_begin(f->s), -1);
	assert_true(nx_store_busy(f->s));
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(nx_store_begin(f->s), 0);
	assert_false(nx_store_busy(f->s));
	assert_true(nx_store_add_dump(f->s, &d, 5, NULL) > 0);
	assert_int_equal(nx_store_commit(f->s), 0);
	assert_int_equal(list_count(f->s, (struct nx_store_filter){ .host = "locked" }), 1);
}

/* A data error is not mistaken for a lock (it is not retried forever). */
static void test_data_error_is_not_busy(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(nx_store_begin(f->s), 0);
	assert_int_equal(nx_store_begin(f->s), -1);	/* nested BEGIN: an error */
	assert_false(nx_store_busy(f->s));
	nx_store_rollback(f->s);
}

/* The daemon's files are 0640 even under umask 000, 0600 under 077. */
static void test_created_files_are_0640_at_most(void **state)
{
	struct fixture *f = *state;
	static const struct { mode_t umask, want; } cases[] = { { 0, 0640 }, { 022, 0640 },
								 { 077, 0600 } };
	char path[160], wal[170], err[512];
	struct stat sb;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mode_t old = umask(cases[i].umask);
		struct nx_store *s;

		snprintf(path, sizeof(path), "%s/mode%zu.db", f->dir, i);
		snprintf(wal, sizeof(wal), "%s-wal", path);
		s = nx_store_open(path, NX_STORE_CREATE, err, sizeof(err));
		umask(old);
		assert_non_null(s);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, cases[i].want);
		assert_int_equal(stat(wal, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, cases[i].want);
		nx_store_close(s);
	}
}

/* A directory given as the database is refused with what to write instead. */
static void test_directory_as_database_is_refused(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";

	assert_null(nx_store_open(f->dir, NX_STORE_CREATE, err, sizeof(err)));
	assert_non_null(strstr(err, "is a directory"));
	assert_non_null(strstr(err, "reports.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_is_versioned_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_1_database_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_database_says_what_to_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_with_reports_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_without_report_is_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_dump_keeps_missing_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_count_hosts_and_kernels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_saved_and_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_committed_dump_survives_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_with_nul_bytes_is_kept_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_held_elsewhere_is_busy_then_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_error_is_not_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_files_are_0640_at_most, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_as_database_is_refused, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

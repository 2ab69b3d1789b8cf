/* Unit tests of analysis status in the store: the version 2 -> 3 migration, selecting dumps to
 * reanalyse, and replacing a dump's reports with group counts moved (real SQLite files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"

/* A report with signature SIG (title from it), the only field grouping looks at. */
static struct nx_report report(const char *sig, const char *kernel)
{
	return (struct nx_report){ .title = (char *)sig, .class = "BUG", .type = "bug",
				   .kernel = (char *)kernel, .cpu = -1, .pid = -1,
				   .signature = (char *)sig, .start = 0, .end = 4 };
}

/* Store a dump from HOST at WHEN with reports SIGS[0..N) and status AN (NULL: ok). */
static int64_t add(struct fixture *f, const char *host, int64_t when, const char *const *sigs,
		   size_t n, const struct nx_analysis *an)
{
	struct nx_report r[4];
	struct nx_report_set set = { r, n };
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = 1, .complete = true,
			     .text = "BUG: x", .text_len = 6 };
	int64_t id;

	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.source, sizeof(d.source), "10.0.0.1:2004");
	snprintf(d.reason, sizeof(d.reason), "oops");
	snprintf(d.release, sizeof(d.release), "6.1.0");
	for (size_t i = 0; i < n; i++)
		r[i] = report(sigs[i], "6.1.0");
	assert_int_equal(nx_store_begin(f->s), 0);
	id = nx_store_add_dump_status(f->s, &d, when, an ? NULL : &set, an);
	assert_true(id > 0);
	assert_int_equal(nx_store_commit(f->s), 0);
	return id;
}

static const struct nx_analysis crashed = { NX_ANALYSIS_FAILED,
					    "worker killed by signal 11 (SIGSEGV)" };

/* SELECT returning one integer (or -1 when no row). */
static long long sql_int(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static long long group_count(struct fixture *f, const char *sig)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count FROM groups WHERE signature = '%s'", sig);
	return sql_int(f, sql);
}

static json_t *show(struct fixture *f, int64_t id)
{
	json_t *d = nx_store_show(f->s, id);

	assert_non_null(d);
	return d;
}

/* A version-2 file (no analysis columns) is migrated: its dumps count as analysed. */
static void version_2_database_is_migrated(void **state)
{
	struct fixture *f = *state;
	static const char *const sig[] = { "v1:aa" };
	int64_t id = add(f, "old", 1000, sig, 1, NULL);
	char err[512];
	sqlite3 *db;
	json_t *d;

	nx_store_close(f->s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP INDEX dumps_auth_marks;"	/* step 4 -> 5 */
				      "ALTER TABLE dumps DROP COLUMN authenticated;"
				      "ALTER TABLE dumps DROP COLUMN text_codec;"	/* 3 -> 4 */
				      "DROP INDEX dumps_unanalysed;"
				      "ALTER TABLE reports DROP COLUMN alt_title;"
				      "ALTER TABLE dumps DROP COLUMN analysis_error;"
				      "ALTER TABLE dumps DROP COLUMN analysis;"
				      "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sql_int(f, "PRAGMA user_version"), 2);
	f->s = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(sql_int(f, "PRAGMA user_version"), NX_STORE_SCHEMA_VERSION);
	d = show(f, id);
	assert_string_equal(json_string_value(json_object_get(d, "analysis")), "ok");
	assert_true(json_is_null(json_object_get(d, "analysis_error")));
	json_decref(d);
	/* The column takes only the three states. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE dumps SET analysis = 'maybe'", NULL, NULL,
					  NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Failed and not-analysed dumps are stored with their reason, shown by list and show. */
static void status_is_stored_and_shown(void **state)
{
	struct fixture *f = *state;
	int64_t bad = add(f, "h", 1, NULL, 0, &crashed);
	int64_t empty = add(f, "h", 2, NULL, 0, NULL);
	struct nx_dump plain = { .text = "x", .text_len = 1 };
	int64_t never;
	json_t *rows, *d;

	/* add() with AN NULL passes a set of 0 reports: analysed, nothing found. */
	d = show(f, empty);
	assert_string_equal(json_string_value(json_object_get(d, "analysis")), "ok");
	json_decref(d);
	/* The old entry point without a set: analysed, nothing found (as before schema 3). */
	assert_int_equal(nx_store_begin(f->s), 0);
	never = nx_store_add_dump(f->s, &plain, 3, NULL);
	assert_int_equal(nx_store_commit(f->s), 0);
	d = show(f, bad);
	assert_string_equal(json_string_value(json_object_get(d, "analysis")), "failed");
	assert_string_equal(json_string_value(json_object_get(d, "analysis_error")),
			    crashed.error);
	assert_string_equal(json_string_value(json_object_get(d, "title")),
			    "oops dump from h, not analysed");
	json_decref(d);
	add(f, "h", 4, NULL, 0, &(struct nx_analysis){ NX_ANALYSIS_NONE, "worker restarting" });
	assert_int_equal(nx_store_reanalyse_count(f->s, NX_PICK_FAILED), 2);
	rows = nx_store_list(f->s, &(struct nx_store_filter){ 0 });
	assert_int_equal(json_array_size(rows), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 3),
							      "analysis")), "none");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 3),
							      "analysis_error")), "worker restarting");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 2),
							      "analysis")), "ok");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 2), "id")), never);
	json_decref(rows);
}

/* Each pick selects by condition, in id order, after a given id. */
static void picks_select_by_condition(void **state)
{
	struct fixture *f = *state;
	char now[32], before[32];
	const char *const current[] = { now }, *const old[] = { before, now },
		*const unversioned[] = { "cc" };
	int64_t ok, outdated, bad, odd, ids[8];

	snprintf(now, sizeof(now), "v%d:aa", NX_SIGNATURE_VERSION);
	snprintf(before, sizeof(before), "v%d:bb", NX_SIGNATURE_VERSION - 1);
	ok = add(f, "h", 1, current, 1, NULL);
	outdated = add(f, "h", 2, old, 2, NULL);
	bad = add(f, "h", 3, NULL, 0, &crashed);
	odd = add(f, "h", 4, unversioned, 1, NULL);
	assert_int_equal(nx_store_reanalyse_count(f->s, NX_PICK_ALL), 4);
	assert_int_equal(nx_store_reanalyse_count(f->s, NX_PICK_FAILED), 1);
	assert_int_equal(nx_store_reanalyse_ids(f->s, NX_PICK_FAILED, 0, ids, 8), 1);
	assert_int_equal(ids[0], bad);
	assert_int_equal(nx_store_reanalyse_count(f->s, NX_PICK_NEEDED), 3);
	assert_int_equal(nx_store_reanalyse_ids(f->s, NX_PICK_NEEDED, 0, ids, 8), 3);
	assert_int_equal(ids[0], outdated);
	assert_int_equal(ids[1], bad);
	assert_int_equal(ids[2], odd);
	/* Resuming after an id, and a small page. */
	assert_int_equal(nx_store_reanalyse_ids(f->s, NX_PICK_NEEDED, outdated, ids, 1), 1);
	assert_int_equal(ids[0], bad);
	assert_int_equal(nx_store_reanalyse_ids(f->s, NX_PICK_ALL, odd, ids, 8), 0);
	assert_int_equal(nx_store_reanalyse_ids(f->s, NX_PICK_ALL, 0, ids, 8), 4);
	assert_int_equal(ids[0], ok);
}

/* Replacing reports moves group counts; an emptied group disappears with its hosts. */
static void replacing_moves_group_counts(void **state)
{
	struct fixture *f = *state;
	static const char *const aa[] = { "v1:aa" }, *const aa_bb[] = { "v1:aa", "v1:bb" };
	int64_t a = add(f, "ha", 100, aa, 1, NULL);
	int64_t b = add(f, "hb", 200, aa_bb, 2, NULL);
	struct nx_report r[2] = { report("v1:cc", "6.12.0"), report("v1:bb", NULL) };
	struct nx_report_set set = { r, 2 };
	struct nx_analysis ok = { NX_ANALYSIS_OK, "" };
	json_t *d;

	assert_int_equal(group_count(f, "v1:aa"), 2);
	assert_int_equal(group_count(f, "v1:bb"), 1);
	/* Dump b: aa+bb -> cc+bb. */
	assert_int_equal(nx_store_replace_reports(f->s, b, &set, &ok), 0);
	assert_int_equal(group_count(f, "v1:aa"), 1);
	assert_int_equal(group_count(f, "v1:bb"), 1);
	assert_int_equal(group_count(f, "v1:cc"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM group_hosts h JOIN groups g"
				 " ON g.id = h.group_id WHERE g.signature = 'v1:aa'"), 1);
	assert_int_equal(sql_int(f, "SELECT last_seen_ms FROM groups WHERE signature = 'v1:aa'"),
			 100);
	d = show(f, b);
	assert_string_equal(json_string_value(json_object_get(d, "title")), "v1:cc");
	assert_string_equal(json_string_value(json_object_get(d, "kernel")), "6.12.0");
	assert_int_equal(json_integer_value(json_object_get(d, "n_reports")), 2);
	assert_int_equal(json_array_size(json_object_get(d, "reports")), 2);
	json_decref(d);
	/* A failed reanalysis of dump a leaves its reports and status alone. */
	assert_int_equal(nx_store_replace_reports(f->s, a, NULL, &crashed), 0);
	assert_int_equal(group_count(f, "v1:aa"), 1);
	d = show(f, a);
	assert_string_equal(json_string_value(json_object_get(d, "analysis")), "ok");
	assert_int_equal(json_array_size(json_object_get(d, "reports")), 1);
	json_decref(d);
	/* Analysed again with nothing found: group aa is gone with its host. */
	assert_int_equal(nx_store_replace_reports(f->s, a, &(struct nx_report_set){ 0 }, &ok), 0);
	assert_int_equal(group_count(f, "v1:aa"), -1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM group_hosts WHERE host = 'ha'"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM groups"), 2);
	d = show(f, a);
	assert_string_equal(json_string_value(json_object_get(d, "title")),
			    "oops dump from ha, no crash report found");
	assert_int_equal(json_integer_value(json_object_get(d, "n_reports")), 0);
	json_decref(d);
	/* Replacing with the same reports again leaves the counts as they are. */
	assert_int_equal(nx_store_replace_reports(f->s, b, &set, &ok), 0);
	assert_int_equal(group_count(f, "v1:bb"), 1);
	assert_int_equal(group_count(f, "v1:cc"), 1);
	assert_int_equal(nx_store_replace_reports(f->s, 999, &set, &ok), 1);
}

/* A failed dump that fails again gets the new reason; one analysed later loses its mark. */
static void failed_dump_keeps_the_latest_reason(void **state)
{
	struct fixture *f = *state;
	int64_t id = add(f, "h", 1, NULL, 0, &crashed);
	struct nx_analysis hung = { NX_ANALYSIS_FAILED, "analysis took over 100 ms: worker killed" };
	struct nx_report r[1] = { report("v1:dd", NULL) };
	struct nx_analysis ok = { NX_ANALYSIS_OK, "" };
	json_t *d;

	assert_int_equal(nx_store_replace_reports(f->s, id, NULL, &hung), 0);
	d = show(f, id);
	assert_string_equal(json_string_value(json_object_get(d, "analysis_error")), hung.error);
	json_decref(d);
	assert_int_equal(nx_store_replace_reports(f->s, id, &(struct nx_report_set){ r, 1 }, &ok), 0);
	d = show(f, id);
	assert_string_equal(json_string_value(json_object_get(d, "analysis")), "ok");
	assert_true(json_is_null(json_object_get(d, "analysis_error")));
	assert_string_equal(json_string_value(json_object_get(d, "title")), "v1:dd");
	json_decref(d);
	assert_int_equal(nx_store_reanalyse_count(f->s, NX_PICK_FAILED), 0);
}

static void text_is_read_back(void **state)
{
	struct fixture *f = *state;
	int64_t id = add(f, "h", 1, NULL, 0, &crashed);
	size_t len = 0;
	char *t = nx_store_dump_text(f->s, id, &len);

	assert_non_null(t);
	assert_int_equal(len, 6);
	assert_string_equal(t, "BUG: x");
	free(t);
	assert_null(nx_store_dump_text(f->s, id + 1, &len));
	assert_string_equal(nx_store_error(f->s), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(version_2_database_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(status_is_stored_and_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(picks_select_by_condition, setup, teardown),
		cmocka_unit_test_setup_teardown(replacing_moves_group_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_dump_keeps_the_latest_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(text_is_read_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

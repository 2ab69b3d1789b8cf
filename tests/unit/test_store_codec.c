/* Compressed stored text (text_codec.c): what is read is what was received, old rows stay readable, damaged rows are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "analyse_helpers.h"
#include "store/store.h"
#include "store/text_codec.h"
#include "store_fixture.h"

/* A 128 KiB dump as netoops sends one: a real 6.1 boot log's backlog and its oops. */
static char *real_dump(size_t *len)
{
	size_t n = 0, one;
	char *log = slurp("tests/unit/data/analyse/vm-6.1-null-dump.txt", &one);
	char *buf = malloc(128 << 10);

	assert_non_null(buf);
	while (n + one <= (128u << 10)) {
		memcpy(buf + n, log, one);
		n += one;
	}
	free(log);
	*len = n;
	return buf;
}

/* SQL's integer answer about dump ID (?1), read as SQLite holds it. */
static int64_t sql_int(struct fixture *f, const char *sql, int64_t id)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* One statement SQL on the file, ?1 bound to BLOB[0..N) when given. */
static void sql_exec(struct fixture *f, const char *sql, const void *blob, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (blob)
		sqlite3_bind_blob(st, 1, blob, (int)n, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Several statements of SQL on the file. */
static void sql_script(struct fixture *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Every reader of the store gets the bytes received: the raw text, show's "text", reanalysis. */
static void assert_reads_back(struct fixture *f, int64_t id, const char *text, size_t len)
{
	size_t got = 0;
	char *t = nx_store_text(f->s, id, &got);
	json_t *d = nx_store_show(f->s, id), *want = nx_store_json_text(text, len);

	assert_non_null(t);
	assert_int_equal(got, len);
	assert_memory_equal(t, text, len);
	assert_int_equal(t[len], '\0');
	free(t);
	t = nx_store_dump_text(f->s, id, &got);
	assert_non_null(t);
	assert_int_equal(got, len);
	assert_memory_equal(t, text, len);
	free(t);
	assert_non_null(d);
	assert_true(json_equal(json_object_get(d, "text"), want));
	assert_int_equal(json_integer_value(json_object_get(d, "text_len")), (json_int_t)len);
	assert_null(json_object_get(d, "text_codec"));	/* the API does not change */
	json_decref(d);
	json_decref(want);
	assert_int_equal(nx_store_text_len(f->s, id), (int64_t)len);
}

/* A kernel log is stored as one zstd frame, several times smaller, and read back as sent. */
static void log_is_stored_compressed(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *text = real_dump(&len);
	int64_t id = fixture_add_text(f->s, text, len);

	assert_int_equal(sql_int(f, "SELECT text_codec = 'zstd' FROM dumps WHERE id = ?1", id), 1);
	assert_true(sql_int(f, "SELECT length(CAST(text AS BLOB)) FROM dumps WHERE id = ?1", id) <
		    (int64_t)len / 4);
	assert_reads_back(f, id, text, len);
	free(text);
}

/* Bytes as they come: NUL, control bytes, invalid UTF-8, every byte value; and the empty text. */
static void odd_bytes_read_back(void **state)
{
	struct fixture *f = *state;
	static const char odd[] = "nul \0 ctl \001\037 invalid utf-8 \xff\xc3( end";
	char buf[4096 + sizeof(odd)];
	size_t n = 0;

	for (int r = 0; r < 16; r++)
		for (int c = 0; c < 256; c++)
			buf[n++] = (char)c;
	memcpy(buf + n, odd, sizeof(odd) - 1);
	n += sizeof(odd) - 1;
	assert_reads_back(f, fixture_add_text(f->s, buf, n), buf, n);
	assert_reads_back(f, fixture_add_text(f->s, "", 0), "", 0);
	/* too small to shrink: stored as it is */
	assert_reads_back(f, fixture_add_text(f->s, "x\n", 2), "x\n", 2);
	assert_int_equal(sql_int(f, "SELECT text_codec = 'none' FROM dumps WHERE id = ?1", 3), 1);
}

/* Random bytes do not get smaller: stored as they are, codec none. */
static void incompressible_text_is_stored_as_is(void **state)
{
	struct fixture *f = *state;
	char buf[8192];
	uint32_t x = 12345;
	int64_t id;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (char)(x >> 24);
	}
	id = fixture_add_text(f->s, buf, sizeof(buf));
	assert_int_equal(sql_int(f, "SELECT text_codec = 'none' FROM dumps WHERE id = ?1", id), 1);
	assert_int_equal(sql_int(f, "SELECT length(CAST(text AS BLOB)) FROM dumps WHERE id = ?1", id),
			 (int64_t)sizeof(buf));
	assert_reads_back(f, id, buf, sizeof(buf));
}

/* What is stored stays stored: rows of a version-3 database (the text as received, no codec
 * column) read back unchanged after the migration, next to new compressed rows. */
static void old_rows_stay_readable(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *text = real_dump(&len), err[512];
	int64_t old = fixture_add_text(f->s, "placeholder", 11), fresh;

	nx_store_close(f->s);
	f->s = NULL;
	/* the row as version 3 wrote it: TEXT bytes, and no text_codec column */
	sql_exec(f, "UPDATE dumps SET text = CAST(?1 AS TEXT), text_len = length(?1)", text, len);
	sql_script(f, UNDO_SCHEMA_TO(3));
	f->s = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(sql_int(f, "SELECT text_codec = 'none' FROM dumps WHERE id = ?1", old), 1);
	assert_reads_back(f, old, text, len);
	fresh = fixture_add_text(f->s, text, len);
	assert_int_equal(sql_int(f, "SELECT text_codec = 'zstd' FROM dumps WHERE id = ?1", fresh), 1);
	assert_reads_back(f, fresh, text, len);
	assert_reads_back(f, old, text, len);
	free(text);
}

/* A row damaged on disk, or written by another program: an error saying so, never a crash,
 * never more memory than the row's length allows. */
static void damaged_rows_are_errors(void **state)
{
	static const struct {
		const char *sql;	/* ?1: the blob below */
		const char *says;
	} harm[] = {
		{ "UPDATE dumps SET text = substr(text, 1, length(text) / 2)", "damaged" },
		{ "UPDATE dumps SET text = ?1", "damaged" },
		{ "UPDATE dumps SET text_len = text_len + 1", "damaged" },
		{ "UPDATE dumps SET text_len = 4000000000", "damaged" },
		{ "UPDATE dumps SET text_len = -5", "damaged" },
		{ "UPDATE dumps SET text_codec = 'lz4'", "unknown codec" },
	};
	static const char garbage[] = "\x28\xb5\x2f\xfd not a zstd frame at all";
	struct fixture *f = *state;
	size_t len;
	char *text = real_dump(&len);

	for (size_t i = 0; i < sizeof(harm) / sizeof(harm[0]); i++) {
		int64_t id = fixture_add_text(f->s, text, len);
		size_t got;

		sql_exec(f, "DELETE FROM dumps WHERE id <> (SELECT max(id) FROM dumps)", NULL, 0);
		sql_exec(f, harm[i].sql, garbage, sizeof(garbage) - 1);
		assert_null(nx_store_text(f->s, id, &got));
		if (!strstr(nx_store_error(f->s), harm[i].says))
			fail_msg("%s: %s", harm[i].sql, nx_store_error(f->s));
		assert_null(nx_store_show(f->s, id));
		assert_non_null(strstr(nx_store_error(f->s), harm[i].says));
		assert_null(nx_store_dump_text(f->s, id, &got));
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(log_is_stored_compressed, setup, teardown),
		cmocka_unit_test_setup_teardown(odd_bytes_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(incompressible_text_is_stored_as_is, setup, teardown),
		cmocka_unit_test_setup_teardown(old_rows_stay_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_rows_are_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

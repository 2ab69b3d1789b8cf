/* The unit tests' store fixture: a fresh SQLite file in a scratch directory, per test. */
#ifndef NX_TEST_STORE_FIXTURE_H
#define NX_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "tmpdir.h"

/*
 * SQL undoing one migration step (src/store/schema.c), for the tests that take a store back
 * to an old version and let nx_store_open() migrate it again: UNDO_SCHEMA_N undoes the step
 * N-1 -> N; UNDO_SCHEMA_TO(N) all steps after version N, newest first.
 */
#define UNDO_SCHEMA_7							\
	"DROP TRIGGER group_hosts_added; DROP TRIGGER group_hosts_removed;"	\
	"DROP INDEX groups_hosts; DROP INDEX reports_group_dump; DROP INDEX groups_first_seen;" \
	"DROP INDEX groups_last_seen; DROP INDEX group_kernels_kernel;"	\
	"DROP INDEX dumps_time_reason; DROP INDEX dumps_host_time; DROP INDEX dumps_reason;" \
	"DROP INDEX dumps_complete; DROP INDEX reports_dump_group;"	\
	"ALTER TABLE groups DROP COLUMN hosts;"
#define UNDO_SCHEMA_6 "DROP TABLE inventories; DROP INDEX symbolized_retry; DROP TABLE symbolized;"
#define UNDO_SCHEMA_5 "DROP INDEX dumps_auth_marks; ALTER TABLE dumps DROP COLUMN authenticated;"
#define UNDO_SCHEMA_4 "ALTER TABLE dumps DROP COLUMN text_codec; DROP TABLE noise_sources;"
#define UNDO_SCHEMA_3							\
	"DROP INDEX dumps_unanalysed; ALTER TABLE reports DROP COLUMN alt_title;"	\
	"ALTER TABLE dumps DROP COLUMN analysis_error; ALTER TABLE dumps DROP COLUMN analysis;"
#define UNDO_SCHEMA_2 "ALTER TABLE dumps DROP COLUMN text_len;"
#define UNDO_TO_6 UNDO_SCHEMA_7
#define UNDO_TO_5 UNDO_TO_6 UNDO_SCHEMA_6
#define UNDO_TO_4 UNDO_TO_5 UNDO_SCHEMA_5
#define UNDO_TO_3 UNDO_TO_4 UNDO_SCHEMA_4
#define UNDO_TO_2 UNDO_TO_3 UNDO_SCHEMA_3
#define UNDO_TO_1 UNDO_TO_2 UNDO_SCHEMA_2
#define UNDO_SCHEMA_TO(n) UNDO_TO_##n "PRAGMA user_version = " #n
_Static_assert(NX_STORE_SCHEMA_VERSION == 7, "a new schema step needs its UNDO_SCHEMA_N here");

struct fixture {
	char dir[64], path[128];
	struct nx_store *s;
	int64_t id;	/* a dump the test's own setup stored, if any */
};

/* cmocka setup: a new store at <scratch dir>/store.db, opened as the daemon opens it. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[4400];

	assert_non_null(f);
	tmpdir_make(f->dir, sizeof(f->dir), "nx-store");
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	f->s = nx_store_open(f->path, NX_STORE_CREATE, err, sizeof(err));
	assert_non_null(f->s);
	*state = f;
	return 0;
}

/* Store TEXT[0..LEN) as a complete netoops dump from 10.0.0.1 in its own transaction; its id. */
static inline int64_t fixture_add_text(struct nx_store *s, const char *text, size_t len)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .complete = true, .text = (char *)text,
			     .text_len = len };
	int64_t id;

	snprintf(d.source, sizeof(d.source), "10.0.0.1:6666");
	snprintf(d.reason, sizeof(d.reason), "oops");
	assert_int_equal(nx_store_begin(s), 0);
	id = nx_store_add_dump(s, &d, 1000, NULL);
	assert_true(id > 0);
	assert_int_equal(nx_store_commit(s), 0);
	return id;
}

/* cmocka teardown: close the store (if a test left it open) and remove the directory. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	nx_store_close(f->s);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

#endif

/* The unit tests' store fixture: a fresh SQLite file in a scratch directory, per test. */
#ifndef NX_TEST_STORE_FIXTURE_H
#define NX_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "tmpdir.h"

/* SQL taking a current database back to schema version 3 (undoing migration step 3 -> 4). */
#define UNDO_SCHEMA_4							\
	"DROP TRIGGER group_hosts_added; DROP TRIGGER group_hosts_removed;"	\
	"DROP INDEX groups_hosts; DROP INDEX reports_group_dump; DROP INDEX groups_first_seen;" \
	"DROP INDEX groups_last_seen; DROP INDEX group_kernels_kernel;"	\
	"DROP INDEX dumps_time_reason; DROP INDEX dumps_host_time; DROP INDEX dumps_reason;" \
	"DROP INDEX dumps_complete; DROP INDEX reports_dump_group;"	\
	"ALTER TABLE groups DROP COLUMN hosts;"

struct fixture {
	char dir[64], path[128];
	struct nx_store *s;
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

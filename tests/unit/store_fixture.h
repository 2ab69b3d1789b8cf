/* The unit tests' store fixture: a fresh SQLite file in a scratch directory, per test. */
#ifndef NX_TEST_STORE_FIXTURE_H
#define NX_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "tmpdir.h"

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

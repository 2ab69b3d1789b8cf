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

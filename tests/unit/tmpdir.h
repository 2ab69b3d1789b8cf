/* A scratch directory for unit tests on real files: made under /tmp, removed with its contents. */
#ifndef NX_TEST_TMPDIR_H
#define NX_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

/* Make /tmp/PREFIX-XXXXXX into DIR (LEN bytes); fails the test if it cannot. */
static inline void tmpdir_make(char *dir, size_t len, const char *prefix)
{
	snprintf(dir, len, "/tmp/%s-XXXXXX", prefix);
	assert_non_null(mkdtemp(dir));
}

/* Remove DIR and everything in it. */
static inline void tmpdir_remove(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif

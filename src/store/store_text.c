/* A dump's stored text on its own: its length, or its bytes as received, unpacked (the raw HTTP answer, show, reanalysis). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* Step ST (bound to one dump id): 1 with a row, 0 without, -1 on error (recorded as WHAT). */
static int one_row(struct nx_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	s->err[0] = '\0';
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(s, what);
}

static sqlite3_stmt *prepare_id(struct nx_store *s, const char *sql, int64_t id, const char *what)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, what);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, id);
	return st;
}

int64_t nx_store_text_len(struct nx_store *s, int64_t id)
{
	sqlite3_stmt *st = prepare_id(s, "SELECT text_len FROM dumps WHERE id = ?1", id,
				      "reading a dump's length");
	int64_t len = -1;

	if (st && one_row(s, st, "reading a dump's length") == 1)
		len = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return len;
}

char *nx_store_text(struct nx_store *s, int64_t id, size_t *len)
{
	sqlite3_stmt *st = prepare_id(s, "SELECT text, text_len, text_codec FROM dumps WHERE id = ?1",
				      id, "reading a dump's text");
	char *copy = NULL;

	if (st && one_row(s, st, "reading a dump's text") == 1) {
		copy = nx_text_unpack((const char *)sqlite3_column_text(st, 2),
				      sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
				      sqlite3_column_int64(st, 1), len, s->err, sizeof(s->err));
	}
	sqlite3_finalize(st);
	return copy;
}

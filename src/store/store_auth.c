/* What the store keeps for authentication: the authenticated flag, and replay marks from it. */
#include <string.h>

#include "store/store_int.h"

int store_mark_authenticated(struct nx_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE dumps SET authenticated = 1 WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return store_fail(s, "marking a dump authenticated");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "marking a dump authenticated");
}

/* The newest MAX (host, boot) pairs, oldest of them first, so the newest end up most recent. */
static const char SQL_MARKS[] =
	"SELECT host, boot, dump_no FROM ("
	" SELECT host, boot, max(dump_no) AS dump_no, max(received_ms) AS at FROM dumps"
	" WHERE authenticated = 1 AND format = 'netoops' GROUP BY host, boot"
	" ORDER BY at DESC LIMIT ?1) ORDER BY at";

int nx_store_auth_marks(struct nx_store *s, size_t max, nx_store_mark_fn mark, void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, SQL_MARKS, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "reading replay marks");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 0);
		const char *boot = (const char *)sqlite3_column_text(st, 1);
		sqlite3_int64 dump = sqlite3_column_int64(st, 2);

		if (host && boot && dump > 0 && dump <= UINT32_MAX &&
		    mark(ctx, host, boot, (uint32_t)dump) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "reading replay marks");
}

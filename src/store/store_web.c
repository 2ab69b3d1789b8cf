/* Queries for the dashboard and /metrics: groups paged by cursor, a group, a host, timelines. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* One bound parameter: text when TEXT is set (NULL and !IS_INT: SQL NULL), else INT. */
struct web_bind {
	const char *text;
	int64_t num;
	bool is_int;
};

#define B_INT(v)	((struct web_bind){ .num = (v), .is_int = true })
#define B_TEXT(v)	((struct web_bind){ .text = (v) })

/* SQL with B[0..N) bound as ?1..?N, every row as JSON; NULL (error set, WHAT) on failure. */
static json_t *web_rows(struct nx_store *s, const char *sql, const struct web_bind *b, int n,
			const char *what)
{
	sqlite3_stmt *st;
	json_t *rows;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, what);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (b[i].is_int)
			sqlite3_bind_int64(st, i + 1, b[i].num);
		else
			store_bind_text(st, i + 1, b[i].text);
	}
	rows = store_rows_json(s, st);
	sqlite3_finalize(st);
	return rows;
}

/* ---- /metrics ---------------------------------------------------------- */

static const char SQL_GROUP_COUNTS[] =
	"SELECT id, count FROM groups WHERE last_seen_ms >= ?1"
	" ORDER BY last_seen_ms DESC LIMIT ?2";

json_t *nx_store_group_counts(struct nx_store *s, int64_t since_ms, int64_t max)
{
	const struct web_bind b[] = { B_INT(since_ms), B_INT(max) };

	return web_rows(s, SQL_GROUP_COUNTS, b, 2, "counting groups");
}

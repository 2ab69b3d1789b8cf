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

/* ---- groups, sorted, filtered and paged by cursor ---------------------- */

/* The sort keys (integer columns of GROUP_ROWS): names as the API takes them. */
static const char *const sort_columns[NX_GROUP_SORT_COUNT] = {
	[NX_GROUP_SORT_COUNT_] = "count", [NX_GROUP_SORT_HOSTS] = "hosts",
	[NX_GROUP_SORT_FIRST] = "first_seen_ms", [NX_GROUP_SORT_LAST] = "last_seen_ms",
};

/*
 * Every group matching ?1 title text, ?2 kernel, ?3 reason, ?4 seen since, ?5 until (0: none),
 * with at least ?9 reports and ?10 hosts (?6..?8 are the page's: cursor and limit).
 */
#define GROUP_ROWS							\
	"SELECT g.id, g.signature, g.title, g.type, g.count, g.hosts,"	\
	" g.first_seen_ms, " ISO_MS("g.first_seen_ms") " AS first_seen,"	\
	" g.last_seen_ms, " ISO_MS("g.last_seen_ms") " AS last_seen"	\
	" FROM groups g"						\
	" WHERE (?1 IS NULL OR instr(lower(g.title), lower(?1)) > 0)"	\
	"  AND (?2 IS NULL OR g.id IN (SELECT k.group_id FROM group_kernels k"	\
	"       WHERE k.kernel = ?2))"					\
	"  AND (?3 IS NULL OR g.id IN (SELECT r.group_id FROM dumps d JOIN reports r" \
	"       ON r.dump_id = d.id WHERE d.reason = ?3))"		\
	"  AND g.last_seen_ms >= ?4 AND (?5 = 0 OR g.first_seen_ms <= ?5)"	\
	"  AND g.count >= ?9 AND g.hosts >= ?10"

/* A decimal number of digits only at *P, up to END_CHAR; -1 if none or over INT64_MAX. */
static int64_t cursor_part(const char **p, char end_char)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != end_char)
		return -1;
	*p = s + (end_char != '\0');
	return v;
}

int nx_store_parse_cursor(const char *text, struct nx_cursor *c)
{
	int64_t k = cursor_part(&text, '_'), id = k < 0 ? -1 : cursor_part(&text, '\0');

	if (id <= 0)
		return -1;
	c->key = k;
	c->id = id;
	c->set = true;
	return 0;
}

/*
 * ROWS were asked for one more than LIMIT: when that one came, there is a next page. It is
 * dropped, and the last row kept is returned (the position of the next page); else NULL.
 */
static const json_t *trim_page(json_t *rows, int64_t limit)
{
	if ((int64_t)json_array_size(rows) <= limit)
		return NULL;
	json_array_remove(rows, (size_t)limit);
	return json_array_get(rows, (size_t)limit - 1);
}

/* The page's "next": its last row's key and id, when there are more rows. */
static json_t *next_cursor(json_t *rows, const char *key, int64_t limit)
{
	const json_t *last = trim_page(rows, limit);
	char buf[48];

	if (!last)
		return json_null();
	snprintf(buf, sizeof(buf), "%lld_%lld",
		 (long long)json_integer_value(json_object_get(last, key)),
		 (long long)json_integer_value(json_object_get(last, "id")));
	return json_string(buf);
}

json_t *nx_store_group_page(struct nx_store *s, const struct nx_group_query *q)
{
	const char *col = sort_columns[q->sort];
	const char *dir = q->asc ? "ASC" : "DESC";
	const char cmp = q->asc ? '>' : '<';
	const struct web_bind b[] = {
		B_TEXT(q->text), B_TEXT(q->kernel), B_TEXT(q->reason), B_INT(q->since_ms),
		B_INT(q->until_ms), q->cursor.set ? B_INT(q->cursor.key) : B_TEXT(NULL),
		B_INT(q->cursor.id), B_INT(q->limit + 1), B_INT(q->min_count), B_INT(q->min_hosts),
	};
	char sql[2048];
	json_t *rows, *total, *out;

	snprintf(sql, sizeof(sql), "SELECT * FROM (%s) WHERE ?6 IS NULL OR %s %c ?6"
		 " OR (%s = ?6 AND id %c ?7) ORDER BY %s %s, id %s LIMIT ?8",
		 GROUP_ROWS, col, cmp, col, cmp, col, dir, dir);
	if (!(rows = web_rows(s, sql, b, 10, "paging groups")))
		return NULL;
	if (!(total = web_rows(s, "SELECT count(*) AS n FROM (" GROUP_ROWS ")", b, 10,
			       "counting groups"))) {
		json_decref(rows);
		return NULL;
	}
	out = json_pack("{s:o, s:O, s:o}", "next", next_cursor(rows, col, q->limit),
			"total", json_object_get(json_array_get(total, 0), "n"), "groups", rows);
	json_decref(total);
	return out;
}

/* ---- one group ---------------------------------------------------------- */

static const char SQL_GROUP[] =
	"SELECT g.id, g.signature,"
	" CASE WHEN instr(g.signature, ':') > 0"
	"  THEN substr(g.signature, 1, instr(g.signature, ':') - 1) END AS signature_version,"
	" g.title, g.type, g.count, g.hosts,"
	" g.first_seen_ms, " ISO_MS("g.first_seen_ms") " AS first_seen,"
	" g.last_seen_ms, " ISO_MS("g.last_seen_ms") " AS last_seen,"
	" (SELECT max(r.dump_id) FROM reports r WHERE r.group_id = g.id) AS latest_dump,"
	" (SELECT min(r.dump_id) FROM reports r WHERE r.group_id = g.id) AS first_dump"
	" FROM groups g WHERE g.id = ?1";

/* The hosts a group hit most, with how often and when last. */
static const char SQL_GROUP_TOP_HOSTS[] =
	"SELECT d.host, count(DISTINCT d.id) AS dumps, max(d.received_ms) AS last_ms"
	" FROM reports r JOIN dumps d ON d.id = r.dump_id WHERE r.group_id = ?1"
	" GROUP BY d.host ORDER BY dumps DESC, last_ms DESC LIMIT 100";

static const char SQL_GROUP_KERNEL_ROWS[] =
	"SELECT kernel FROM group_kernels WHERE group_id = ?1 ORDER BY kernel";

/* The rows' only column COL as a plain array (consumes ROWS). */
static json_t *column_values(json_t *rows, const char *col)
{
	json_t *a = json_array(), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		json_array_append(a, json_object_get(r, col));
	json_decref(rows);
	return a;
}

/* The first row of ROWS (consumed), NULL with an empty error when there is none. */
static json_t *only_row(struct nx_store *s, json_t *rows)
{
	json_t *row = rows ? json_incref(json_array_get(rows, 0)) : NULL;

	if (rows && !row)
		s->err[0] = '\0';
	json_decref(rows);
	return row;
}

/* Add KEY: the rows of SQL for ID to OBJ (consumed on failure); OBJ or NULL. */
static json_t *with_rows(struct nx_store *s, json_t *obj, const char *key, const char *sql,
			 const struct web_bind *b, int n)
{
	json_t *rows = obj ? web_rows(s, sql, b, n, key) : NULL;

	if (!rows) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, key, rows);
	return obj;
}

json_t *nx_store_group(struct nx_store *s, int64_t id)
{
	const struct web_bind b[] = { B_INT(id) };
	json_t *g = only_row(s, web_rows(s, SQL_GROUP, b, 1, "reading a group")), *k;

	if (!g || !(g = with_rows(s, g, "top_hosts", SQL_GROUP_TOP_HOSTS, b, 1)))
		return NULL;
	if (!(k = web_rows(s, SQL_GROUP_KERNEL_ROWS, b, 1, "reading a group's kernels"))) {
		json_decref(g);
		return NULL;
	}
	json_object_set_new(g, "kernels", column_values(k, "kernel"));
	return g;
}

/* ---- dumps of a group or a host, newest first, paged ---------------------- */

#define DUMP_COLUMNS							\
	"d.id, d.received_ms, " ISO_MS("d.received_ms") " AS received, d.host, d.reason,"	\
	" d.release, d.complete, d.title, d.type, d.kernel, d.n_reports, d.text_len,"	\
	" d.analysis,"							\
	" (SELECT r2.group_id FROM reports r2 WHERE r2.dump_id = d.id AND r2.is_primary)"	\
	"   AS group_id"

static const char SQL_GROUP_DUMPS[] =
	"SELECT DISTINCT " DUMP_COLUMNS " FROM reports r JOIN dumps d ON d.id = r.dump_id"
	" WHERE r.group_id = ?1 AND r.dump_id < ?2 ORDER BY r.dump_id DESC LIMIT ?3";

static const char SQL_HOST_DUMPS[] =
	"SELECT " DUMP_COLUMNS " FROM dumps d"
	" WHERE d.host = ?1 AND d.id < ?2 ORDER BY d.id DESC LIMIT ?3";

json_t *nx_store_dump_page(struct nx_store *s, int64_t group_id, const char *host,
			   int64_t before_id, int64_t limit)
{
	const struct web_bind b[] = {
		host ? B_TEXT(host) : B_INT(group_id), B_INT(before_id > 0 ? before_id : INT64_MAX),
		B_INT(limit + 1),
	};
	json_t *rows = web_rows(s, host ? SQL_HOST_DUMPS : SQL_GROUP_DUMPS, b, 3, "paging dumps");
	const json_t *last = rows ? trim_page(rows, limit) : NULL;

	if (!rows)
		return NULL;
	return json_pack("{s:o, s:o}", "next", last ? json_incref(json_object_get(last, "id")) :
			 json_null(), "reports", rows);
}

/* ---- one host ---------------------------------------------------------------- */

static const char SQL_HOST[] =
	"SELECT host, count(*) AS dumps, sum(reason <> 'test') AS crashes,"
	" min(received_ms) AS first_ms, " ISO_MS("min(received_ms)") " AS first_heard,"
	" max(received_ms) AS last_ms, " ISO_MS("max(received_ms)") " AS last_heard"
	" FROM dumps WHERE host = ?1 GROUP BY host";

static const char SQL_HOST_KERNELS[] =
	"SELECT release, count(*) AS dumps, max(received_ms) AS last_ms,"
	" " ISO_MS("max(received_ms)") " AS last FROM dumps WHERE host = ?1"
	" GROUP BY release ORDER BY last_ms DESC LIMIT 100";

static const char SQL_HOST_GROUPS[] =
	"SELECT g.id, g.title, g.count, count(DISTINCT d.id) AS here"
	" FROM dumps d JOIN reports r ON r.dump_id = d.id JOIN groups g ON g.id = r.group_id"
	" WHERE d.host = ?1 GROUP BY g.id ORDER BY here DESC, g.id LIMIT 100";

json_t *nx_store_host(struct nx_store *s, const char *host)
{
	const struct web_bind b[] = { B_TEXT(host) };
	json_t *h = only_row(s, web_rows(s, SQL_HOST, b, 1, "reading a host"));

	if (!h || !(h = with_rows(s, h, "kernels", SQL_HOST_KERNELS, b, 1)))
		return NULL;
	return with_rows(s, h, "groups", SQL_HOST_GROUPS, b, 1);
}

/* ---- crashes over time -------------------------------------------------------- */

/* Dumps (test dumps aside) per bucket: ?1 host or NULL, ?2 from, ?3 until, ?4 bucket. */
static const char SQL_TIMELINE[] =
	"SELECT (received_ms - ?2) / ?4 AS b, count(*) AS n FROM dumps"
	" WHERE received_ms >= ?2 AND received_ms < ?3 AND reason <> 'test'"
	"  AND (?1 IS NULL OR host = ?1) GROUP BY b";

/* The dumps of group ?1 per bucket. */
static const char SQL_GROUP_TIMELINE[] =
	"SELECT (d.received_ms - ?2) / ?4 AS b, count(DISTINCT d.id) AS n"
	" FROM reports r JOIN dumps d ON d.id = r.dump_id"
	" WHERE r.group_id = ?1 AND d.received_ms >= ?2 AND d.received_ms < ?3 GROUP BY b";

json_t *nx_store_timeline(struct nx_store *s, const struct nx_timeline_query *q)
{
	int64_t n = (q->until_ms - q->from_ms + q->bucket_ms - 1) / q->bucket_ms;
	const struct web_bind b[] = {
		q->host || !q->group_id ? B_TEXT(q->host) : B_INT(q->group_id), B_INT(q->from_ms),
		B_INT(q->until_ms), B_INT(q->bucket_ms),
	};
	json_t *rows, *counts, *r;
	size_t i;

	rows = web_rows(s, q->group_id && !q->host ? SQL_GROUP_TIMELINE : SQL_TIMELINE, b, 4,
			"counting crashes over time");
	if (!rows)
		return NULL;
	counts = json_array();
	for (int64_t k = 0; k < n; k++)
		json_array_append_new(counts, json_integer(0));
	json_array_foreach(rows, i, r) {
		json_int_t k = json_integer_value(json_object_get(r, "b"));

		if (k >= 0 && k < n)
			json_array_set(counts, (size_t)k, json_object_get(r, "n"));
	}
	json_decref(rows);
	return json_pack("{s:I, s:I, s:I, s:o}", "from_ms", (json_int_t)q->from_ms, "until_ms",
			 (json_int_t)q->until_ms, "bucket_ms", (json_int_t)q->bucket_ms,
			 "counts", counts);
}

/* ---- the overview ---------------------------------------------------------------- */

static const char SQL_NEW_GROUPS[] =
	"SELECT id, title, type, count, hosts, first_seen_ms,"
	" " ISO_MS("first_seen_ms") " AS first_seen"
	" FROM groups g WHERE first_seen_ms >= ?1 ORDER BY first_seen_ms DESC, id DESC LIMIT 20";

static const char SQL_NEW_COUNTS[] =
	"SELECT (SELECT count(*) FROM groups WHERE first_seen_ms >= ?1) AS day,"
	" (SELECT count(*) FROM groups WHERE first_seen_ms >= ?2) AS week,"
	" (SELECT count(DISTINCT host) FROM dumps WHERE received_ms >= ?1) AS hosts_day";

static const char SQL_TOP_BY_HOSTS[] =
	"SELECT id, title, type, count, hosts, last_seen_ms, " ISO_MS("last_seen_ms") " AS last_seen"
	" FROM groups ORDER BY hosts DESC, id DESC LIMIT 10";

json_t *nx_store_overview(struct nx_store *s, int64_t now_ms)
{
	const struct web_bind b[] = { B_INT(now_ms - 86400000LL), B_INT(now_ms - 7 * 86400000LL) };
	json_t *o = with_rows(s, json_object(), "new_groups", SQL_NEW_GROUPS, b, 1);
	json_t *counts;

	if (!(o = with_rows(s, o, "top_by_hosts", SQL_TOP_BY_HOSTS, b, 0)))
		return NULL;
	if (!(counts = only_row(s, web_rows(s, SQL_NEW_COUNTS, b, 2, "counting new groups")))) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "recent", counts);
	return o;
}

/* ---- what webhooks announce (netoopsd/notify.c) ------------------------------------ */

static const char SQL_GROUPS_AFTER[] =
	"SELECT id, signature, title, type, count, hosts, first_seen_ms,"
	" " ISO_MS("first_seen_ms") " AS first_seen FROM groups WHERE id > ?1 ORDER BY id LIMIT ?2";

json_t *nx_store_groups_after(struct nx_store *s, int64_t after_id, int64_t max)
{
	const struct web_bind b[] = { B_INT(after_id), B_INT(max) };

	return web_rows(s, SQL_GROUPS_AFTER, b, 2, "reading new groups");
}

/* Groups seen since ?1 (an hour ago): their dumps since then, and in the day before ?2..?1. */
static const char SQL_GROUP_RATES[] =
	"SELECT g.id, g.signature, g.title, g.type, g.count, g.hosts,"
	" (SELECT count(DISTINCT d.id) FROM reports r JOIN dumps d ON d.id = r.dump_id"
	"   WHERE r.group_id = g.id AND d.received_ms >= ?1) AS last_hour,"
	" (SELECT count(DISTINCT d.id) FROM reports r JOIN dumps d ON d.id = r.dump_id"
	"   WHERE r.group_id = g.id AND d.received_ms >= ?2 AND d.received_ms < ?1) AS day_before"
	" FROM groups g WHERE g.last_seen_ms >= ?1 ORDER BY g.last_seen_ms DESC LIMIT ?3";

json_t *nx_store_group_rates(struct nx_store *s, int64_t now_ms, int64_t max)
{
	const struct web_bind b[] = { B_INT(now_ms - 3600000LL), B_INT(now_ms - 25 * 3600000LL),
				      B_INT(max) };

	return web_rows(s, SQL_GROUP_RATES, b, 3, "reading group rates");
}

int64_t nx_store_max_group_id(struct nx_store *s)
{
	json_t *r = only_row(s, web_rows(s, "SELECT coalesce(max(id), 0) AS m FROM groups", NULL,
					 0, "reading the groups"));
	int64_t m = r ? json_integer_value(json_object_get(r, "m")) : -1;

	json_decref(r);
	return m;
}

/* Reading the store: dumps, reports, groups and counters as JSON values. */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

#define ISO_MS(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

/* Columns that hold booleans or JSON text rather than plain values. */
static const char *const bool_columns[] = { "complete", "corrupted", "is_primary", NULL };
static const char *const json_columns[] = { "missing", "frames", "modules", "kernels", NULL };

static bool named(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static json_t *column_json(sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);
	const char *text;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		if (named(bool_columns, name))
			return json_boolean(sqlite3_column_int(st, i));
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	default:
		text = (const char *)sqlite3_column_text(st, i);
		if (named(json_columns, name)) {
			json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
			return v ? v : json_null();
		}
		return json_stringn(text, (size_t)sqlite3_column_bytes(st, i));
	}
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();

	for (int i = 0; i < sqlite3_column_count(st); i++)
		json_object_set_new(o, sqlite3_column_name(st, i), column_json(st, i));
	return o;
}

/* Every row of ST (already bound) as an array; NULL on error. */
static json_t *rows_json(struct nx_store *s, sqlite3_stmt *st)
{
	json_t *a = json_array();
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	if (rc != SQLITE_DONE) {
		store_fail(s, "reading the database");
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *query(struct nx_store *s, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	json_t *rows;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "querying the database");
		return NULL;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, id);
	rows = rows_json(s, st);
	sqlite3_finalize(st);
	return rows;
}

/* The newest LIMIT matching dumps, oldest first. */
static const char SQL_LIST[] =
	"SELECT * FROM ("
	"SELECT d.id, d.received_ms, " ISO_MS("d.received_ms") " AS received,"
	" d.host, d.source, d.format, d.reason, d.release, d.complete, d.title, d.type,"
	" d.kernel, d.n_reports, d.text_len, d.analysis, d.analysis_error,"
	" (SELECT r.group_id FROM reports r WHERE r.dump_id = d.id AND r.is_primary)"
	"   AS group_id"
	" FROM dumps d"
	" WHERE (?1 IS NULL OR d.host = ?1)"
	"  AND (?2 IS NULL OR d.reason = ?2)"
	"  AND d.received_ms >= ?3"
	"  AND (?4 IS NULL OR EXISTS (SELECT 1 FROM reports r JOIN groups g"
	"       ON r.group_id = g.id WHERE r.dump_id = d.id"
	"       AND (g.signature = ?4 OR CAST(g.id AS TEXT) = ?4)))"
	" ORDER BY d.id DESC LIMIT ?5) ORDER BY id";

json_t *nx_store_list(struct nx_store *s, const struct nx_store_filter *f)
{
	sqlite3_stmt *st;
	json_t *rows;

	if (sqlite3_prepare_v2(s->db, SQL_LIST, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "listing dumps");
		return NULL;
	}
	store_bind_text(st, 1, f->host);
	store_bind_text(st, 2, f->reason);
	sqlite3_bind_int64(st, 3, f->since_ms);
	store_bind_text(st, 4, f->group);
	sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
	rows = rows_json(s, st);
	sqlite3_finalize(st);
	return rows;
}

static const char SQL_SHOW_DUMP[] =
	"SELECT id, " ISO_MS("received_ms") " AS received, received_ms, host, source,"
	" format, boot, dump_no, reason, release,"
	" CASE WHEN dump_time_us > 0 THEN"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', dump_time_us / 1e6, 'unixepoch') END AS dump_time,"
	" dump_time_us, receive_span_ms, complete, parts, parts_received, missing,"
	" title, type, kernel, n_reports, text_len, analysis, analysis_error, text"
	" FROM dumps WHERE id = ?1";

static const char SQL_SHOW_REPORTS[] =
	"SELECT r.seq, r.is_primary, r.title, r.class, r.type, r.corrupted, r.kernel,"
	" r.taint, r.taint_mask, r.cpu, r.pid, r.comm, r.hardware, r.die_counter,"
	" r.panic_msg, r.rip, r.signature, r.group_id, g.count AS group_count,"
	" r.text_start, r.text_end, r.frames, r.modules"
	" FROM reports r LEFT JOIN groups g ON g.id = r.group_id"
	" WHERE r.dump_id = ?1 ORDER BY r.seq";

json_t *nx_store_show(struct nx_store *s, int64_t id)
{
	json_t *rows, *dump, *reports;

	rows = query(s, SQL_SHOW_DUMP, id);
	if (!rows)
		return NULL;
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		s->err[0] = '\0';
		return NULL;
	}
	dump = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	reports = query(s, SQL_SHOW_REPORTS, id);
	if (!reports) {
		json_decref(dump);
		return NULL;
	}
	json_object_set_new(dump, "reports", reports);
	return dump;
}

static const char SQL_GROUPS[] =
	"SELECT g.id, g.signature, g.title, g.type, g.count,"
	" (SELECT count(*) FROM group_hosts h WHERE h.group_id = g.id) AS hosts,"
	" " ISO_MS("g.first_seen_ms") " AS first_seen, g.first_seen_ms,"
	" " ISO_MS("g.last_seen_ms") " AS last_seen, g.last_seen_ms,"
	" (SELECT json_group_array(k.kernel) FROM group_kernels k"
	"   WHERE k.group_id = g.id) AS kernels"
	" FROM groups g ORDER BY g.count DESC, g.last_seen_ms DESC";

json_t *nx_store_groups(struct nx_store *s)
{
	return query(s, SQL_GROUPS, 0);
}

static const char SQL_TOTALS[] =
	"SELECT (SELECT count(*) FROM dumps) AS dumps,"
	" (SELECT count(*) FROM dumps WHERE complete) AS dumps_complete,"
	" (SELECT count(*) FROM reports) AS reports,"
	" (SELECT count(*) FROM groups) AS groups";

json_t *nx_store_counters(struct nx_store *s)
{
	json_t *rows, *out, *counters = json_object(), *v;
	size_t i;

	rows = query(s, "SELECT name, value, updated_ms FROM counters ORDER BY name", 0);
	if (!rows) {
		json_decref(counters);
		return NULL;
	}
	out = json_object();
	json_array_foreach(rows, i, v) {
		json_int_t when = json_integer_value(json_object_get(v, "updated_ms"));

		json_object_set(counters, json_string_value(json_object_get(v, "name")),
				json_object_get(v, "value"));
		if (when > json_integer_value(json_object_get(out, "updated_ms")))
			json_object_set_new(out, "updated_ms", json_integer(when));
	}
	json_decref(rows);
	json_object_set_new(out, "counters", counters);
	rows = query(s, SQL_TOTALS, 0);
	if (!rows) {
		json_decref(out);
		return NULL;
	}
	json_object_set(out, "stored", json_array_get(rows, 0));
	json_decref(rows);
	return out;
}

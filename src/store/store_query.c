/* Reading the store: dumps, reports, groups and counters as JSON values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "store/store_int.h"

#define ISO_MS(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

/* Columns that hold booleans or JSON text rather than plain values. */
static const char *const bool_columns[] = { "complete", "corrupted", "is_primary", "authenticated",
					    NULL };
static const char *const json_columns[] = { "missing", "frames", "modules", NULL };

json_t *nx_store_json_text(const char *s, size_t len)
{
	json_t *v;
	char *e;

	if (!s)
		return json_null();
	if (nx_escape_clean(s, len, NX_ESC_JSON))
		return json_stringn(s, len);
	e = nx_escape_dup(s, len, NX_ESC_JSON, &len);
	v = e ? json_stringn(e, len) : NULL;
	free(e);
	return v ? v : json_string("");	/* out of memory: keep the key */
}

json_t *nx_store_json_cstr(const char *s)
{
	return nx_store_json_text(s, s ? strlen(s) : 0);
}

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
		return nx_store_json_text(text, (size_t)sqlite3_column_bytes(st, i));
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
	" d.kernel, d.n_reports, d.text_len, d.analysis, d.analysis_error, d.authenticated,"
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
	" title, type, kernel, n_reports, text_len, analysis, analysis_error, authenticated"
	" FROM dumps WHERE id = ?1";

static const char SQL_SHOW_REPORTS[] =
	"SELECT r.seq, r.is_primary, r.title, r.class, r.type, r.corrupted, r.kernel,"
	" r.taint, r.taint_mask, r.cpu, r.pid, r.comm, r.hardware, r.die_counter,"
	" r.panic_msg, r.rip, r.signature, r.group_id, g.count AS group_count,"
	" r.text_start, r.text_end, r.frames, r.modules, r.alt_title"
	" FROM reports r LEFT JOIN groups g ON g.id = r.group_id"
	" WHERE r.dump_id = ?1 ORDER BY r.seq";

/* "text": dump ID's text, unpacked (stored compressed or not); 0 or -1. */
static int add_text(struct nx_store *s, json_t *dump, int64_t id)
{
	size_t len = 0;
	char *text = nx_store_text(s, id, &len);

	if (!text) {
		if (!s->err[0])	/* deleted in between */
			snprintf(s->err, sizeof(s->err), "dump %lld vanished while read", (long long)id);
		return -1;
	}
	json_object_set_new(dump, "text", nx_store_json_text(text, len));
	free(text);
	return 0;
}

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
	if (add_text(s, dump, id) < 0) {
		json_decref(dump);
		return NULL;
	}
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
	" " ISO_MS("g.last_seen_ms") " AS last_seen, g.last_seen_ms"
	" FROM groups g ORDER BY g.count DESC, g.last_seen_ms DESC";

/* Each kernel a plain column, escaped like every other text (json_group_array would copy
 * invalid UTF-8 into JSON text that cannot be parsed). */
static const char SQL_GROUP_KERNELS[] =
	"SELECT kernel FROM group_kernels WHERE group_id = ?1 ORDER BY kernel";

/* Add "kernels": [...] to each group of GROUPS; 0 or -1. */
static int add_kernels(struct nx_store *s, json_t *groups)
{
	json_t *g;
	size_t i;

	json_array_foreach(groups, i, g) {
		json_t *rows = query(s, SQL_GROUP_KERNELS,
				     json_integer_value(json_object_get(g, "id")));
		json_t *kernels = json_array(), *k;
		size_t j;

		if (!rows) {
			json_decref(kernels);
			return -1;
		}
		json_array_foreach(rows, j, k)
			json_array_append(kernels, json_object_get(k, "kernel"));
		json_decref(rows);
		json_object_set_new(g, "kernels", kernels);
	}
	return 0;
}

json_t *nx_store_groups(struct nx_store *s)
{
	json_t *groups = query(s, SQL_GROUPS, 0);

	if (groups && add_kernels(s, groups) < 0) {
		json_decref(groups);
		return NULL;
	}
	return groups;
}

static const char SQL_TOTALS[] =
	"SELECT (SELECT count(*) FROM dumps) AS dumps,"
	" (SELECT count(*) FROM dumps WHERE complete) AS dumps_complete,"
	" (SELECT count(*) FROM reports) AS reports,"
	" (SELECT count(*) FROM groups) AS groups";

/* The heaviest sources of noise of the last interval that had some (triage.h). */
static const char SQL_NOISE[] =
	"SELECT source, fragments, over_estimate, interval_ms, " ISO_MS("updated_ms") " AS updated"
	" FROM noise_sources ORDER BY rank";

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
	rows = query(s, SQL_NOISE, 0);
	if (!rows) {
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, "noise_sources", rows);
	return out;
}

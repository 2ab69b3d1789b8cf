/* Symbolization results and boot inventories in the store (tables symbolized, inventories). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static sqlite3_stmt *prepare(struct nx_store *s, const char *sql, const char *what)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, what);
		return NULL;
	}
	return st;
}

/* Step ST to the end, collecting column 0 into IDS[*n..MAX). 0 or -1. */
static int collect_ids(struct nx_store *s, sqlite3_stmt *st, int64_t *ids, int max, int *n)
{
	int rc;

	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n < max && rc != SQLITE_DONE)
		return store_fail(s, "finding reports to symbolize");
	return 0;
}

int nx_store_sym_pending(struct nx_store *s, int64_t *after_id, int64_t now_ms,
			 int64_t *ids, int max)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	/* never tried: above the high-water mark, by primary key; the rest by the retry index */
	st = prepare(s, "SELECT r.id FROM reports r WHERE r.id > ?1 AND NOT EXISTS"
		     " (SELECT 1 FROM symbolized y WHERE y.report_id = r.id)"
		     " ORDER BY r.id LIMIT ?2", "finding reports to symbolize");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, *after_id);
	sqlite3_bind_int(st, 2, max);
	rc = collect_ids(s, st, ids, max, &n);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	if (n)
		*after_id = ids[n - 1];
	st = prepare(s, "SELECT report_id FROM symbolized WHERE state = 'retry'"
		     " AND next_try_ms <= ?1 ORDER BY next_try_ms LIMIT ?2",
		     "finding reports to symbolize again");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int(st, 2, max - n);
	rc = max - n > 0 ? collect_ids(s, st, ids, max, &n) : 0;
	sqlite3_finalize(st);
	return rc < 0 ? -1 : n;
}

int nx_store_sym_reports(struct nx_store *s, int64_t dump_id, int64_t *ids, int max)
{
	sqlite3_stmt *st = prepare(s, "SELECT id FROM reports WHERE dump_id = ?1 ORDER BY seq",
				   "listing a dump's reports");
	int n = 0, rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, dump_id);
	rc = collect_ids(s, st, ids, max, &n);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : n;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t ? t : "");
}

static const char SQL_JOB[] =
	"SELECT r.dump_id, d.host, d.boot, coalesce(r.kernel, d.release), r.frames,"
	" r.text_start, r.text_end,"
	" (SELECT attempts FROM symbolized y WHERE y.report_id = r.id)"
	" FROM reports r JOIN dumps d ON d.id = r.dump_id WHERE r.id = ?1";

/* The report's own bytes of its dump's text into J. */
static int job_text(struct nx_store *s, struct nx_store_sym_job *j, int64_t start, int64_t end)
{
	size_t len = 0;
	char *all = nx_store_text(s, j->dump_id, &len);

	if (!all)
		return -1;
	if (start < 0 || end < start || (size_t)end > len)
		start = 0, end = (int64_t)len;
	j->len = (size_t)(end - start);
	memmove(all, all + start, j->len);
	all[j->len] = '\0';
	j->text = all;
	return 0;
}

int nx_store_sym_job(struct nx_store *s, int64_t id, struct nx_store_sym_job *j)
{
	sqlite3_stmt *st = prepare(s, SQL_JOB, "reading a report to symbolize");
	int rc;

	memset(j, 0, sizeof(*j));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 1 : store_fail(s, "reading a report to symbolize");
	}
	j->report_id = id;
	j->dump_id = sqlite3_column_int64(st, 0);
	j->host = col_dup(st, 1);
	j->boot = col_dup(st, 2);
	j->release = col_dup(st, 3);
	j->frames = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
	j->attempts = sqlite3_column_int(st, 7);
	int64_t start = sqlite3_column_int64(st, 5), end = sqlite3_column_int64(st, 6);

	sqlite3_finalize(st);
	if (!j->host || !j->boot || !j->release || !j->frames || job_text(s, j, start, end) < 0) {
		nx_store_sym_job_free(j);
		snprintf(s->err, sizeof(s->err), "report %lld: cannot be read for symbolization",
			 (long long)id);
		return -1;
	}
	return 0;
}

void nx_store_sym_job_free(struct nx_store_sym_job *j)
{
	free(j->host);
	free(j->boot);
	free(j->release);
	free(j->text);
	json_decref(j->frames);
	memset(j, 0, sizeof(*j));
}

int nx_store_sym_save(struct nx_store *s, int64_t id, const json_t *result, int64_t now_ms,
		      int64_t next_try_ms)
{
	const char *state = json_string_value(json_object_get(result, "state"));
	char *text = json_dumps(result, JSON_COMPACT);
	sqlite3_stmt *st;
	int rc;

	if (!text || !state) {
		free(text);
		snprintf(s->err, sizeof(s->err), "symbolization result without a state");
		return -1;
	}
	st = prepare(s, "INSERT INTO symbolized (report_id, state, guilty_file, result, attempts,"
		     " updated_ms, next_try_ms) SELECT ?1, ?2, ?3, ?4, 1, ?5, ?6"
		     " WHERE EXISTS (SELECT 1 FROM reports WHERE id = ?1)"
		     " ON CONFLICT (report_id) DO UPDATE SET state = ?2, guilty_file = ?3,"
		     " result = ?4, attempts = attempts + 1, updated_ms = ?5, next_try_ms = ?6",
		     "saving a symbolization");
	if (!st) {
		free(text);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	store_bind_text(st, 3, json_string_value(json_object_get(result, "guilty_file")));
	store_bind_text(st, 4, text);
	sqlite3_bind_int64(st, 5, now_ms);
	if (strcmp(state, "retry") == 0)
		sqlite3_bind_int64(st, 6, next_try_ms);
	rc = sqlite3_step(st);
	free(text);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "saving a symbolization");
	return sqlite3_changes(s->db) ? 0 : 1;
}

int nx_store_inventory_put(struct nx_store *s, const char *host, const char *boot,
			   const char *name, const char *build_id, int64_t now_ms)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO inventories (host, boot, name, build_id,"
				   " received_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
				   " ON CONFLICT DO UPDATE SET build_id = ?4, received_ms = ?5",
				   "saving an inventory");
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, host);
	store_bind_text(st, 2, boot);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, build_id);
	sqlite3_bind_int64(st, 5, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "saving an inventory");
}

json_t *nx_store_inventory(struct nx_store *s, const char *host, const char *boot)
{
	sqlite3_stmt *st = prepare(s, "SELECT name, build_id FROM inventories"
				   " WHERE host = ?1 AND boot = ?2", "reading an inventory");
	json_t *o = json_object();
	int rc;

	if (!st || !o) {
		sqlite3_finalize(st);
		json_decref(o);
		return NULL;
	}
	store_bind_text(st, 1, host);
	store_bind_text(st, 2, boot);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
				    json_string((const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(o);
		store_fail(s, "reading an inventory");
		return NULL;
	}
	return o;
}

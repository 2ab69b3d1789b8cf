/* Re-analysing stored dumps: which need it, and replacing a dump's reports and group counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static const char *const analysis_names[] = {
	[NX_ANALYSIS_OK] = "ok", [NX_ANALYSIS_FAILED] = "failed", [NX_ANALYSIS_NONE] = "none",
};

const char *nx_analysis_name(enum nx_analysis_state state)
{
	return (unsigned)state < sizeof(analysis_names) / sizeof(analysis_names[0]) ?
	       analysis_names[state] : "none";
}

const char *nx_store_unanalysed_title(const struct nx_dump *d, char *buf, size_t len)
{
	char host[NX_SOURCE_MAX + NX_HOST_MAX];

	snprintf(buf, len, "%s dump from %s, not analysed", d->reason[0] ? d->reason : "unknown",
		 nx_store_dump_host(d, host, sizeof(host)));
	return buf;
}

/*
 * Which dumps each pick selects (dumps d). A signature's version is its
 * prefix, "v1:..." (core/signature.c); one without a version counts as old.
 */
static const char *const pick_where[] = {
	[NX_PICK_NEEDED] =
		"(d.analysis <> 'ok' OR EXISTS (SELECT 1 FROM reports r WHERE r.dump_id = d.id"
		" AND r.signature IS NOT NULL AND (r.signature NOT GLOB 'v[0-9]*:*' OR"
		" CAST(substr(r.signature, 2, instr(r.signature, ':') - 2) AS INTEGER) < :version)))",
	[NX_PICK_FAILED] = "d.analysis <> 'ok'",
	[NX_PICK_ALL] = "1",
};

static sqlite3_stmt *pick_stmt(struct nx_store *s, const char *fmt, enum nx_reanalyse_pick pick)
{
	char sql[1024];
	sqlite3_stmt *st;
	int version;

	snprintf(sql, sizeof(sql), fmt, pick_where[pick]);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "selecting dumps to reanalyse");
		return NULL;
	}
	version = sqlite3_bind_parameter_index(st, ":version");
	if (version)
		sqlite3_bind_int(st, version, NX_SIGNATURE_VERSION);
	return st;
}

int64_t nx_store_reanalyse_count(struct nx_store *s, enum nx_reanalyse_pick pick)
{
	sqlite3_stmt *st = pick_stmt(s, "SELECT count(*) FROM dumps d WHERE %s", pick);
	int64_t n = -1;

	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_fail(s, "counting dumps to reanalyse");
	sqlite3_finalize(st);
	return n;
}

int nx_store_reanalyse_ids(struct nx_store *s, enum nx_reanalyse_pick pick, int64_t after_id,
			   int64_t *ids, int max)
{
	/* Named parameters only: a numbered one would share its index with :version. */
	sqlite3_stmt *st = pick_stmt(s, "SELECT d.id FROM dumps d WHERE d.id > :after AND %s"
				     " ORDER BY d.id LIMIT :max", pick);
	int n = 0, rc = SQLITE_DONE;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":after"), after_id);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":max"), max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	if (n < max && rc != SQLITE_DONE)
		n = store_fail(s, "selecting dumps to reanalyse");
	sqlite3_finalize(st);
	return n;
}

char *nx_store_dump_text(struct nx_store *s, int64_t id, size_t *len)
{
	return nx_store_text(s, id, len);
}

/* ---- replacing one dump's reports ------------------------------------------------------ */

/* The dump's identity, as far as titles and groups need it. */
struct dump_row {
	struct nx_dump d;	/* host, source, reason, release */
	int64_t received_ms;
};

static void copy_column(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* 0, 1 when there is no such dump, -1. */
static int read_row(struct nx_store *s, int64_t id, struct dump_row *row)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT host, source, reason, release, received_ms"
			       " FROM dumps WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "reading a dump");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(row, 0, sizeof(*row));
		copy_column(row->d.host, sizeof(row->d.host), st, 0);
		copy_column(row->d.source, sizeof(row->d.source), st, 1);
		copy_column(row->d.reason, sizeof(row->d.reason), st, 2);
		copy_column(row->d.release, sizeof(row->d.release), st, 3);
		row->received_ms = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : store_fail(s, "reading a dump");
}

/* Run SQL with ?1 bound to ID (statements that return no rows). */
static int exec_with_id(struct nx_store *s, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "reanalysing");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "reanalysing");
}

/* The groups dump ID's reports are counted in now; *N of them, malloc'd (NULL when none). */
static int64_t *groups_of(struct nx_store *s, int64_t id, size_t *n, int *rc)
{
	sqlite3_stmt *st;
	int64_t *g = NULL, *more;
	size_t cap = 0;
	int step;

	*n = 0;
	*rc = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT group_id FROM reports"
			       " WHERE dump_id = ?1 AND group_id IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
		*rc = store_fail(s, "reading a dump's groups");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			more = realloc(g, cap * sizeof(*g));
			if (!more) {
				*rc = -1;
				snprintf(s->err, sizeof(s->err), "out of memory");
				break;
			}
			g = more;
		}
		g[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (*rc == 0 && step != SQLITE_DONE)
		*rc = store_fail(s, "reading a dump's groups");
	sqlite3_finalize(st);
	return g;
}

/* Group ?1 as its remaining reports make it: count, hosts, kernels, seen times; gone if empty. */
static const char *const settle_group_sql[] = {
	"DELETE FROM group_hosts WHERE group_id = ?1 AND host NOT IN (SELECT d.host"
	" FROM reports r JOIN dumps d ON d.id = r.dump_id WHERE r.group_id = ?1)",
	"DELETE FROM group_kernels WHERE group_id = ?1 AND kernel NOT IN (SELECT r.kernel"
	" FROM reports r WHERE r.group_id = ?1 AND r.kernel IS NOT NULL)",
	"UPDATE groups SET count = (SELECT count(*) FROM reports WHERE group_id = ?1),"
	" first_seen_ms = coalesce((SELECT min(d.received_ms) FROM reports r JOIN dumps d"
	"   ON d.id = r.dump_id WHERE r.group_id = ?1), first_seen_ms),"
	" last_seen_ms = coalesce((SELECT max(d.received_ms) FROM reports r JOIN dumps d"
	"   ON d.id = r.dump_id WHERE r.group_id = ?1), last_seen_ms)"
	" WHERE id = ?1",
	"DELETE FROM groups WHERE id = ?1 AND count = 0",
};

static int settle_group(struct nx_store *s, int64_t group)
{
	for (size_t i = 0; i < sizeof(settle_group_sql) / sizeof(settle_group_sql[0]); i++)
		if (exec_with_id(s, settle_group_sql[i], group) < 0)
			return -1;
	return 0;
}

static int update_dump(struct nx_store *s, int64_t id, const struct dump_row *row,
		       const struct nx_report_set *set, const struct nx_analysis *an)
{
	const struct nx_report *primary = set && set->n ? &set->reports[0] : NULL;
	char title[256];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE dumps SET title = ?2, type = ?3, kernel = ?4,"
			       " n_reports = ?5, analysis = ?6, analysis_error = ?7 WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "updating a dump");
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, primary && primary->title ? primary->title :
			nx_store_empty_title(&row->d, title, sizeof(title)));
	store_bind_text(st, 3, primary ? primary->type : NULL);
	store_bind_text(st, 4, primary && primary->kernel ? primary->kernel :
			row->d.release[0] ? row->d.release : NULL);
	sqlite3_bind_int64(st, 5, set ? (sqlite3_int64)set->n : 0);
	store_bind_text(st, 6, nx_analysis_name(an->state));
	store_bind_text(st, 7, an->state == NX_ANALYSIS_OK ? NULL : an->error);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "updating a dump");
}

/* A failed reanalysis only updates a failed dump's reason; an analysed dump keeps its reports. */
static int record_failure(struct nx_store *s, int64_t id, const struct nx_analysis *an)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE dumps SET analysis = ?2, analysis_error = ?3"
			       " WHERE id = ?1 AND analysis <> 'ok'", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "updating a dump");
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, nx_analysis_name(an->state));
	store_bind_text(st, 3, an->error);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "updating a dump");
}

static int replace(struct nx_store *s, int64_t id, const struct nx_report_set *set,
		   const struct nx_analysis *an)
{
	struct dump_row row;
	int64_t *old;
	size_t n_old;
	int rc = read_row(s, id, &row);

	if (rc != 0)
		return rc;
	if (an->state != NX_ANALYSIS_OK)
		return record_failure(s, id, an);
	old = groups_of(s, id, &n_old, &rc);
	if (rc == 0)
		rc = exec_with_id(s, "DELETE FROM reports WHERE dump_id = ?1", id);
	if (rc == 0)
		rc = store_add_reports(s, id, row.d.host, row.received_ms, set);
	for (size_t i = 0; rc == 0 && i < n_old; i++)
		rc = settle_group(s, old[i]);
	if (rc == 0)
		rc = update_dump(s, id, &row, set, an);
	free(old);
	return rc;
}

static int busy_or_fail(struct nx_store *s)
{
	int code = sqlite3_errcode(s->db);

	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? NX_STORE_BUSY : -1;
}

int nx_store_replace_reports(struct nx_store *s, int64_t id, const struct nx_report_set *set,
			     const struct nx_analysis *an)
{
	int rc;

	if (nx_store_begin(s) < 0)
		return busy_or_fail(s);
	rc = replace(s, id, set, an);
	if (rc == 0 && nx_store_commit(s) == 0)
		return 0;
	if (rc == 0)
		rc = busy_or_fail(s);
	nx_store_rollback(s);
	return rc;
}

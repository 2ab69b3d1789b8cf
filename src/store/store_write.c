/* Writing to the store: a received dump, its analysed reports, groups, counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static const char *const section_names[] = {
	[NX_SECT_NONE] = "", [NX_SECT_TASK] = "TASK", [NX_SECT_IRQ] = "IRQ",
	[NX_SECT_SOFTIRQ] = "SOFTIRQ", [NX_SECT_NMI] = "NMI",
	[NX_SECT_EXCEPTION] = "EOE", [NX_SECT_OTHER] = "OTHER",
};

const char *nx_store_dump_host(const struct nx_dump *d, char *buf, size_t len)
{
	const char *src = d->source[0] ? d->source : "unknown";
	const char *colon = strrchr(src, ':');
	const char *close = strchr(src, ']');

	if (d->host[0])
		snprintf(buf, len, "%s", d->host);
	else if (src[0] == '[' && close)	/* "[v6addr]:port" */
		snprintf(buf, len, "%.*s", (int)(close - src - 1), src + 1);
	else if (colon && colon == strchr(src, ':'))	/* "v4addr:port" */
		snprintf(buf, len, "%.*s", (int)(colon - src), src);
	else
		snprintf(buf, len, "%s", src);
	return buf;
}

const char *nx_store_empty_title(const struct nx_dump *d, char *buf, size_t len)
{
	char host[NX_SOURCE_MAX + NX_HOST_MAX];

	nx_store_dump_host(d, host, sizeof(host));
	if (strcmp(d->reason, NETOOPS_REASON_TEST) == 0)
		snprintf(buf, len, "test dump from %s", host);
	else
		snprintf(buf, len, "%s dump from %s, no crash report found",
			 d->reason[0] ? d->reason : "unknown", host);
	return buf;
}

static char *json_text(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);

	json_decref(v);
	return s;
}

static char *missing_json(const struct nx_dump *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->n_missing; i++)
		json_array_append_new(a, json_pack("[II]", (json_int_t)d->missing[i].start,
						   (json_int_t)d->missing[i].end));
	return json_text(a);
}

static json_t *frame_json(const struct nx_frame *f)
{
	unsigned sect = f->section < sizeof(section_names) / sizeof(section_names[0]) ?
			f->section : NX_SECT_OTHER;

	/* Names from the network: escaped (core/escape.h), or json_pack drops the frame. */
	return json_pack("{s:o, s:I, s:I, s:o, s:b, s:s}",
			 "func", nx_store_json_cstr(f->func), "offset", (json_int_t)f->offset,
			 "size", (json_int_t)f->size, "module", nx_store_json_cstr(f->module),
			 "reliable", f->reliable, "section", section_names[sect]);
}

static char *frames_json(const struct nx_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_frames; i++)
		json_array_append_new(a, frame_json(&r->frames[i]));
	return json_text(a);
}

static char *modules_json(const struct nx_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_modules; i++)
		json_array_append_new(a, json_pack("{s:o, s:o}",
				      "name", nx_store_json_cstr(r->modules[i].name),
				      "taints", nx_store_json_cstr(r->modules[i].taints)));
	return json_text(a);
}

static const char SQL_INSERT_DUMP[] =
	"INSERT INTO dumps (format, host, source, boot, dump_no, reason, release,"
	" dump_time_us, received_ms, receive_span_ms, complete, parts, parts_received,"
	" missing, title, type, kernel, n_reports, text, text_len, analysis, analysis_error,"
	" text_codec)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* Bind D's text at COL as stored (compressed when that makes it smaller), its codec's name
 * at CODEC_COL. The bytes bound stay valid until the next text is packed. */
static void bind_text_packed(struct nx_store *s, sqlite3_stmt *st, int col, int codec_col,
			     const struct nx_dump *d)
{
	const void *bytes;
	size_t n;
	enum nx_text_codec c;

	if (!s->packer)
		s->packer = nx_text_packer_new();	/* NULL: stored uncompressed */
	c = nx_text_pack(s->packer, d->text ? d->text : "", d->text ? d->text_len : 0, &bytes, &n);
	if (c == NX_CODEC_NONE)
		sqlite3_bind_text(st, col, bytes, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_blob(st, col, bytes, (int)n, SQLITE_STATIC);
	store_bind_text(st, codec_col, nx_text_codec_names[c]);
}

static int64_t insert_dump(struct nx_store *s, const struct nx_dump *d, int64_t received_ms,
			   const struct nx_report *primary, size_t n_reports,
			   const struct nx_analysis *an)
{
	sqlite3_stmt *st = store_stmt(s, ST_INSERT_DUMP, SQL_INSERT_DUMP);
	char host[NX_SOURCE_MAX + NX_HOST_MAX], title[256];
	char *missing;
	int rc;

	if (!st)
		return -1;
	missing = missing_json(d);
	nx_store_dump_host(d, host, sizeof(host));
	store_bind_text(st, 1, nx_format_name(d->format));
	store_bind_text(st, 2, host);
	store_bind_text(st, 3, d->source);
	store_bind_text(st, 4, d->boot);
	sqlite3_bind_int64(st, 5, d->dump);
	store_bind_text(st, 6, d->reason[0] ? d->reason : "unknown");
	store_bind_text(st, 7, d->release);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)d->time_usec);
	sqlite3_bind_int64(st, 9, received_ms);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)(d->last_ms - d->first_ms));
	sqlite3_bind_int(st, 11, d->complete);
	sqlite3_bind_int64(st, 12, d->parts);
	sqlite3_bind_int64(st, 13, d->parts_received);
	store_bind_text(st, 14, missing ? missing : "[]");
	store_bind_text(st, 15, primary && primary->title ? primary->title :
			an->state != NX_ANALYSIS_OK ? nx_store_unanalysed_title(d, title, sizeof(title)) :
			nx_store_empty_title(d, title, sizeof(title)));
	store_bind_text(st, 16, primary ? primary->type : NULL);
	store_bind_text(st, 17, primary && primary->kernel ? primary->kernel :
			d->release[0] ? d->release : NULL);
	sqlite3_bind_int64(st, 18, (sqlite3_int64)n_reports);
	bind_text_packed(s, st, 19, 23, d);
	sqlite3_bind_int64(st, 20, d->text ? (sqlite3_int64)d->text_len : 0);
	store_bind_text(st, 21, nx_analysis_name(an->state));
	store_bind_text(st, 22, an->state == NX_ANALYSIS_OK ? NULL : an->error);
	rc = sqlite3_step(st);
	free(missing);
	if (rc != SQLITE_DONE)
		return store_fail(s, "storing a dump");
	return sqlite3_last_insert_rowid(s->db);
}

static const char SQL_UPSERT_GROUP[] =
	"INSERT INTO groups (signature, title, type, first_seen_ms, last_seen_ms, count)"
	" VALUES (?1, ?2, ?3, ?4, ?4, 1)"
	" ON CONFLICT (signature) DO UPDATE SET"
	"  first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),"
	"  last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),"
	"  count = count + 1"
	" RETURNING id";

static int add_to_set(struct nx_store *s, enum nx_stmt id, const char *sql,
		      int64_t group, const char *value)
{
	sqlite3_stmt *st = store_stmt(s, id, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, group);
	store_bind_text(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "updating a group");
	return 0;
}

/* Count report R (seen at WHEN on HOST) in its group; the group id, 0 if none, -1. */
static int64_t count_in_group(struct nx_store *s, const struct nx_report *r,
			      const char *host, int64_t when)
{
	sqlite3_stmt *st;
	int64_t group;

	if (!r->signature || !r->signature[0])
		return 0;
	st = store_stmt(s, ST_UPSERT_GROUP, SQL_UPSERT_GROUP);
	if (!st)
		return -1;
	store_bind_text(st, 1, r->signature);
	store_bind_text(st, 2, r->title ? r->title : "untitled");
	store_bind_text(st, 3, r->type);
	sqlite3_bind_int64(st, 4, when);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, "updating a group");
	group = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (add_to_set(s, ST_INSERT_GROUP_HOST,
		       "INSERT OR IGNORE INTO group_hosts VALUES (?, ?)", group, host) < 0)
		return -1;
	if (r->kernel && add_to_set(s, ST_INSERT_GROUP_KERNEL,
				    "INSERT OR IGNORE INTO group_kernels VALUES (?, ?)",
				    group, r->kernel) < 0)
		return -1;
	return group;
}

static const char SQL_INSERT_REPORT[] =
	"INSERT INTO reports (dump_id, seq, is_primary, title, class, type, corrupted,"
	" kernel, taint, taint_mask, cpu, pid, comm, hardware, die_counter, panic_msg,"
	" rip, frames, modules, signature, group_id, text_start, text_end, alt_title)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static void bind_optional_int(sqlite3_stmt *st, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int(st, col, v);
}

static int insert_report(struct nx_store *s, int64_t dump_id, size_t seq,
			 const struct nx_report *r, int64_t group)
{
	sqlite3_stmt *st = store_stmt(s, ST_INSERT_REPORT, SQL_INSERT_REPORT);
	char *frames, *modules;
	int rc;

	if (!st)
		return -1;
	frames = frames_json(r);
	modules = modules_json(r);
	sqlite3_bind_int64(st, 1, dump_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int(st, 3, seq == 0);
	store_bind_text(st, 4, r->title ? r->title : "untitled");
	store_bind_text(st, 5, r->class);
	store_bind_text(st, 6, r->type);
	sqlite3_bind_int(st, 7, r->corrupted);
	store_bind_text(st, 8, r->kernel);
	store_bind_text(st, 9, r->taint);
	sqlite3_bind_int64(st, 10, r->taint_mask);
	bind_optional_int(st, 11, r->cpu);
	bind_optional_int(st, 12, r->pid);
	store_bind_text(st, 13, r->comm);
	store_bind_text(st, 14, r->hardware);
	sqlite3_bind_int(st, 15, r->die_counter);
	store_bind_text(st, 16, r->panic_msg);
	store_bind_text(st, 17, r->rip_func);
	store_bind_text(st, 18, frames ? frames : "[]");
	store_bind_text(st, 19, modules ? modules : "[]");
	store_bind_text(st, 20, r->signature);
	if (group > 0)
		sqlite3_bind_int64(st, 21, group);
	sqlite3_bind_int64(st, 22, (sqlite3_int64)r->start);
	sqlite3_bind_int64(st, 23, (sqlite3_int64)r->end);
	store_bind_text(st, 24, r->alt_title);
	rc = sqlite3_step(st);
	free(frames);
	free(modules);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "storing a report");
}

int store_add_reports(struct nx_store *s, int64_t dump_id, const char *host, int64_t when,
		      const struct nx_report_set *set)
{
	for (size_t i = 0; set && i < set->n; i++) {
		int64_t group = count_in_group(s, &set->reports[i], host, when);

		if (group < 0 || insert_report(s, dump_id, i, &set->reports[i], group) < 0)
			return -1;
	}
	return 0;
}

int64_t nx_store_add_dump(struct nx_store *s, const struct nx_dump *d,
			  int64_t received_ms, const struct nx_report_set *set)
{
	return nx_store_add_dump_status(s, d, received_ms, set, NULL);
}

int64_t nx_store_add_dump_status(struct nx_store *s, const struct nx_dump *d,
				 int64_t received_ms, const struct nx_report_set *set,
				 const struct nx_analysis *an)
{
	static const struct nx_analysis ok = { NX_ANALYSIS_OK, "" };
	size_t n = set ? set->n : 0;
	char host[NX_SOURCE_MAX + NX_HOST_MAX];
	int64_t id;

	id = insert_dump(s, d, received_ms, n ? &set->reports[0] : NULL, n,
			 an ? an : &ok);
	if (id < 0 || (d->authenticated && store_mark_authenticated(s, id) < 0))
		return -1;
	nx_store_dump_host(d, host, sizeof(host));
	return store_add_reports(s, id, host, received_ms, set) < 0 ? -1 : id;
}

int nx_store_save_noise(struct nx_store *s, const struct nx_noise_source *v, size_t n,
			int64_t interval_ms, int64_t now_ms)
{
	sqlite3_stmt *st;

	if (store_exec(s, "DELETE FROM noise_sources") < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO noise_sources VALUES (?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "saving noise sources");
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		store_bind_text(st, 2, v[i].source);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)v[i].fragments);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)v[i].over_estimate);
		sqlite3_bind_int64(st, 5, interval_ms);
		sqlite3_bind_int64(st, 6, now_ms);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_fail(s, "saving noise sources");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int nx_store_save_counters(struct nx_store *s, const struct nx_counter *c,
			   size_t n, int64_t now_ms)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO counters VALUES (?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "saving counters");
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		store_bind_text(st, 1, c[i].name);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)c[i].value);
		sqlite3_bind_int64(st, 3, now_ms);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_fail(s, "saving counters");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* The report store: SQLite behind a small API; the only module that includes sqlite3.h. */
#ifndef NX_STORE_H
#define NX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/analyse/analyse.h"
#include "core/reasm/reasm.h"

/*
 * Layout (see docs/netoopsd.md, "Schema"): one row in `dumps` per received
 * dump (its raw text, completeness, missing ranges, identity), one row in
 * `reports` per crash report analysed from it, `groups` keyed by the
 * reports' grouping signature, and `counters` with the daemon's counters.
 * The schema version is PRAGMA user_version; nx_store_open() migrates.
 */

#define NX_STORE_SCHEMA_VERSION 7

struct nx_store;

enum nx_store_mode {
	NX_STORE_CREATE,	/* the daemon: create the file (0640) if needed, migrate,
				   and prove it can be written */
	NX_STORE_EXISTING,	/* netoopsctl: the file must exist; migrate if older */
	NX_STORE_READONLY,	/* netoopsd's HTTP API: must exist and be current; no writes */
};

/*
 * Open (and migrate) the database at PATH. On failure returns NULL and
 * writes a message saying what to fix into ERR.
 */
struct nx_store *nx_store_open(const char *path, enum nx_store_mode mode,
			       char *err, size_t errlen);
void nx_store_close(struct nx_store *s);

/* The last error message of S (valid until the next call on S). */
const char *nx_store_error(const struct nx_store *s);

/*
 * True when the last failure was SQLITE_BUSY / SQLITE_LOCKED: another
 * process holds the database lock. Worth retrying once it is released.
 */
bool nx_store_busy(const struct nx_store *s);

/* How long one statement waits for a lock held elsewhere before failing busy. */
void nx_store_set_busy_wait(struct nx_store *s, int ms);

/*
 * ON (the default): every commit is fsync'ed (synchronous=FULL), so it
 * survives a power failure. Off: synchronous=NORMAL, which survives a
 * crash of the process only. 0 or -1.
 */
int nx_store_set_fsync(struct nx_store *s, bool on);

/* Transactions: writers batch many dumps into one; 0 or -1. */
int nx_store_begin(struct nx_store *s);
int nx_store_commit(struct nx_store *s);
void nx_store_rollback(struct nx_store *s);

/*
 * Store dump D, received at wall-clock RECEIVED_MS, with the crash reports
 * SET analysed from its text (SET may be NULL or empty: the dump is still
 * stored, titled from its reason). Updates groups. Returns the new dump id,
 * or -1. Call inside a transaction.
 */
int64_t nx_store_add_dump(struct nx_store *s, const struct nx_dump *d,
			  int64_t received_ms, const struct nx_report_set *set);

/* Whether a dump's text was analysed (the `analysis` column, schema version 3). */
enum nx_analysis_state {
	NX_ANALYSIS_OK,		/* "ok": analysed; its reports are stored */
	NX_ANALYSIS_FAILED,	/* "failed": the analysis crashed, hung or ran out of memory */
	NX_ANALYSIS_NONE,	/* "none": not attempted (no analysis worker could be had) */
};

#define NX_ANALYSIS_ERROR_MAX 160

struct nx_analysis {
	enum nx_analysis_state state;
	char error[NX_ANALYSIS_ERROR_MAX];	/* why, when not ok ("worker killed by ...") */
};

/* "ok", "failed", "none". */
const char *nx_analysis_name(enum nx_analysis_state state);

/*
 * nx_store_add_dump() with the analysis status AN (NULL: ok, as
 * nx_store_add_dump() stores every dump). Dumps that are not ok are stored
 * titled "... not analysed"; they are what `netoopsctl reanalyze --failed`
 * picks up.
 */
int64_t nx_store_add_dump_status(struct nx_store *s, const struct nx_dump *d,
				 int64_t received_ms, const struct nx_report_set *set,
				 const struct nx_analysis *an);

/* ---- authentication (store_auth.c) ---- */

/* Called with each replay mark: the newest authenticated dump of (HOST, BOOT). 0 or -1 (stop). */
typedef int (*nx_store_mark_fn)(void *ctx, const char *host, const char *boot, uint32_t dump);

/*
 * The replay marks of the MAX most recently received (host, boot) pairs,
 * least recent first, to MARK(CTX, ...). 0, or -1 (error, or MARK stopped).
 */
int nx_store_auth_marks(struct nx_store *s, size_t max, nx_store_mark_fn mark, void *ctx);

/* ---- reanalysis (store_reanalyse.c, netoopsctl reanalyze) ---- */

enum nx_reanalyse_pick {
	NX_PICK_NEEDED,		/* not analysed ok, or a report's signature older than
				 * NX_SIGNATURE_VERSION */
	NX_PICK_FAILED,		/* not analysed ok */
	NX_PICK_ALL,
};

/* How many dumps PICK selects; -1 on error. */
int64_t nx_store_reanalyse_count(struct nx_store *s, enum nx_reanalyse_pick pick);

/*
 * The ids of up to MAX dumps after AFTER_ID that PICK selects, ascending,
 * into IDS. Returns how many, or -1.
 */
int nx_store_reanalyse_ids(struct nx_store *s, enum nx_reanalyse_pick pick, int64_t after_id,
			   int64_t *ids, int max);

/* Dump ID's text (malloc'd, NUL-terminated) and *LEN; NULL with an empty error if absent. */
char *nx_store_dump_text(struct nx_store *s, int64_t id, size_t *len);

#define NX_STORE_BUSY (-2)

/*
 * Replace dump ID's reports by SET (NULL: none), analysed ok, in one short
 * transaction of its own: group counts move (a group left with no report
 * disappears), the dump's title, type and kernel follow its new primary
 * report. When AN is not ok, only a dump that is not ok either gets AN's
 * status and reason: reports analysed before are never lost to a failed
 * reanalysis. Returns 0, 1 when the dump no longer exists, NX_STORE_BUSY
 * when the database stayed locked, or -1.
 */
int nx_store_replace_reports(struct nx_store *s, int64_t id, const struct nx_report_set *set,
			     const struct nx_analysis *an);

/* The title of a dump whose analysis failed or was not attempted. Returns BUF. */
const char *nx_store_unanalysed_title(const struct nx_dump *d, char *buf, size_t len);

/* The host a dump is filed under: its own name, else the sender's IP. Returns BUF. */
const char *nx_store_dump_host(const struct nx_dump *d, char *buf, size_t len);

/* The title a dump gets when no crash report was found in it. Returns BUF. */
const char *nx_store_empty_title(const struct nx_dump *d, char *buf, size_t len);

/* One named counter value, as saved by the daemon. */
struct nx_counter {
	const char *name;
	uint64_t value;
};

/* One source of noise (one-datagram fragments from senders never seen whole) in an interval. */
struct nx_noise_source {
	char source[64];	/* the sender's address, without the port */
	uint64_t fragments;	/* its fragments (an over-estimate by at most over_estimate) */
	uint64_t over_estimate;	/* 0: exact; else the count it inherited (Space-Saving) */
};

/* Replace the saved noise sources with V[0..N) (heaviest first) of an interval of
 * INTERVAL_MS, stamped NOW_MS. 0 or -1. */
int nx_store_save_noise(struct nx_store *s, const struct nx_noise_source *v, size_t n,
			int64_t interval_ms, int64_t now_ms);

/* Replace the saved counters with C[0..N), stamped NOW_MS. 0 or -1. */
int nx_store_save_counters(struct nx_store *s, const struct nx_counter *c,
			   size_t n, int64_t now_ms);

/* Filters of nx_store_list(); NULL / 0 fields do not filter. */
struct nx_store_filter {
	const char *host;
	const char *reason;
	const char *group;	/* group id or signature */
	int64_t since_ms;	/* received at or after */
	int64_t limit;		/* 0: no limit */
};

/*
 * Queries. Each returns a new JSON value owned by the caller (json_decref),
 * or NULL with nx_store_error() set. nx_store_show() returns NULL with an
 * empty error when ID does not exist.
 */
json_t *nx_store_list(struct nx_store *s, const struct nx_store_filter *f);
json_t *nx_store_show(struct nx_store *s, int64_t id);
json_t *nx_store_groups(struct nx_store *s);
json_t *nx_store_counters(struct nx_store *s);

/*
 * S[0..LEN) (bytes from the network) as a JSON string, escaped by the one convention of
 * core/escape.h (invalid UTF-8 and NUL as \xNN): never NULL, no field is ever dropped.
 * A NULL S gives JSON null.
 */
json_t *nx_store_json_text(const char *s, size_t len);

/* The same for a C string S (NULL: JSON null). */
json_t *nx_store_json_cstr(const char *s);

/*
 * A `since` filter: "90s", "30m", "2h", "7d" before NOW_MS; "@EPOCH";
 * "YYYY-MM-DD[THH:MM[:SS]][Z]" UTC. Milliseconds since the epoch, or -1.
 */
int64_t nx_store_parse_since(const char *s, int64_t now_ms);

/*
 * A dump's text alone (store_text.c). nx_store_text_len() returns its length
 * in bytes; nx_store_text() a malloc'd copy of the bytes as received (NUL
 * added, *LEN its length), uncompressed whatever its codec (text_codec.h).
 * Both fail (-1 / NULL) with an empty nx_store_error() when ID does not
 * exist; nx_store_text() with the reason when the stored text is damaged.
 */
int64_t nx_store_text_len(struct nx_store *s, int64_t id);
char *nx_store_text(struct nx_store *s, int64_t id, size_t *len);

/* ---- symbolization (store_sym.c; docs/symbolize.md) ---- */

/* One report to symbolize: what the symbolizer needs of it. */
struct nx_store_sym_job {
	int64_t report_id, dump_id;
	int attempts;		/* symbolizations tried before */
	char *host, *boot, *release;
	json_t *frames;		/* the stored frames */
	char *text;		/* the report's bytes of the dump text, NUL-terminated */
	size_t len;
};

/*
 * Up to MAX reports to symbolize into IDS: those after *AFTER_ID never tried
 * (*AFTER_ID advances), then those in state retry due at NOW_MS. How many, or -1.
 */
int nx_store_sym_pending(struct nx_store *s, int64_t *after_id, int64_t now_ms,
			 int64_t *ids, int max);

/* Load report ID into J; 0, 1 when it no longer exists, -1. Free with nx_store_sym_job_free. */
int nx_store_sym_job(struct nx_store *s, int64_t id, struct nx_store_sym_job *j);
void nx_store_sym_job_free(struct nx_store_sym_job *j);

/* The report ids of dump DUMP_ID, in order, into IDS (MAX); how many, or -1. */
int nx_store_sym_reports(struct nx_store *s, int64_t dump_id, int64_t *ids, int max);

/*
 * Save RESULT (nx_sym_report()'s object) for report ID at NOW_MS; state
 * retry is tried again at NEXT_TRY_MS. 0, 1 when the report is gone, -1.
 */
int nx_store_sym_save(struct nx_store *s, int64_t id, const json_t *result, int64_t now_ms,
		      int64_t next_try_ms);

/* Record that boot (HOST, BOOT) runs NAME (vmlinux, or a module) with BUILD_ID; 0 or -1. */
int nx_store_inventory_put(struct nx_store *s, const char *host, const char *boot,
			   const char *name, const char *build_id, int64_t now_ms);

/* The build IDs of boot (HOST, BOOT) as {name: hex}; NULL with an error on failure. */
json_t *nx_store_inventory(struct nx_store *s, const char *host, const char *boot);

/* ---- the dashboard and /metrics (store_web.c) ---- */

/* [{id, count}] of the MAX groups last seen most recently, at or after SINCE_MS. */
json_t *nx_store_group_counts(struct nx_store *s, int64_t since_ms, int64_t max);

/* A page position: after the row with sort key KEY and id ID (SET false: the first page). */
struct nx_cursor {
	int64_t key, id;
	bool set;
};

/* "KEY_ID", as a page's "next" gives it, into *C; 0 or -1. */
int nx_store_parse_cursor(const char *text, struct nx_cursor *c);

enum nx_group_sort {
	NX_GROUP_SORT_COUNT_, NX_GROUP_SORT_HOSTS, NX_GROUP_SORT_FIRST, NX_GROUP_SORT_LAST,
	NX_GROUP_SORT_COUNT
};

/* Filters (NULL / 0: none), order and page of nx_store_group_page(). */
struct nx_group_query {
	enum nx_group_sort sort;
	bool asc;
	const char *text;		/* in the title, case-insensitive (ASCII) */
	const char *kernel;		/* one of the group's kernel releases */
	const char *reason;		/* one of its dumps' reasons */
	int64_t since_ms, until_ms;	/* seen in [since, until]: last >= since, first <= until */
	int64_t min_count, min_hosts;	/* at least this many reports, hosts */
	struct nx_cursor cursor;
	int64_t limit;			/* > 0 */
};

/* {"groups": [...], "next": cursor or null, "total": matching groups}. */
json_t *nx_store_group_page(struct nx_store *s, const struct nx_group_query *q);

/* One group with its kernels and the hosts it hit most; NULL, empty error, if absent. */
json_t *nx_store_group(struct nx_store *s, int64_t id);

/*
 * {"reports": [dumps of group GROUP_ID, or of HOST when not NULL, newest first, ids below
 * BEFORE_ID (0: from the newest)], "next": the id to pass as BEFORE_ID, or null}.
 */
json_t *nx_store_dump_page(struct nx_store *s, int64_t group_id, const char *host,
			   int64_t before_id, int64_t limit);

/* One host: its dumps, when first and last heard, its kernels and groups; NULL if unknown. */
json_t *nx_store_host(struct nx_store *s, const char *host);

/* Dumps per bucket of [FROM, UNTIL): of the fleet, one host, or one group (GROUP_ID > 0). */
struct nx_timeline_query {
	int64_t from_ms, until_ms, bucket_ms;
	const char *host;
	int64_t group_id;
};

/* {"from_ms", "until_ms", "bucket_ms", "counts": [n per bucket]} (test dumps not counted). */
json_t *nx_store_timeline(struct nx_store *s, const struct nx_timeline_query *q);

/* Groups new in the last day, the groups hitting most hosts, recent totals. */
json_t *nx_store_overview(struct nx_store *s, int64_t now_ms);

/* Up to MAX groups with an id above AFTER_ID, oldest first (new groups, for webhooks). */
json_t *nx_store_groups_after(struct nx_store *s, int64_t after_id, int64_t max);

/* The highest group id (0: none), or -1. */
int64_t nx_store_max_group_id(struct nx_store *s);

/*
 * The MAX groups seen most recently within the hour before NOW_MS, each with "last_hour"
 * (its dumps in that hour) and "day_before" (in the 24 hours before it): rate jumps.
 */
json_t *nx_store_group_rates(struct nx_store *s, int64_t now_ms, int64_t max);

#endif

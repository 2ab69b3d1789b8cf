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

#define NX_STORE_SCHEMA_VERSION 5

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

#endif

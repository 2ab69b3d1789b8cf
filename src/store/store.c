/* Opening, closing and transactions of the SQLite report store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"

int store_fail(struct nx_store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

const char *nx_store_error(const struct nx_store *s)
{
	return s->err;
}

int store_exec(struct nx_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(s->err, sizeof(s->err), "%s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

sqlite3_stmt *store_stmt(struct nx_store *s, enum nx_stmt id, const char *sql)
{
	sqlite3_stmt **st = &s->stmt[id];

	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return *st;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		store_fail(s, "preparing a statement");
		*st = NULL;
	}
	return *st;
}

int store_bind_text(sqlite3_stmt *st, int col, const char *text)
{
	if (!text)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
}

/*
 * WAL lets netoopsctl read while the daemon writes. synchronous=FULL makes
 * a committed transaction durable across power loss, not only kill -9; the
 * daemon commits once per batch, so the fsync is paid per batch, not per
 * report.
 */
static int configure(struct nx_store *s)
{
	sqlite3_busy_timeout(s->db, 5000);
	/*
	 * Dumps are tens to hundreds of KiB of text: big pages write one in a
	 * few system calls instead of dozens (takes effect when the file is new).
	 */
	if (store_exec(s, "PRAGMA page_size = 65536") < 0 ||
	    store_exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL") < 0 ||
	    store_exec(s, "PRAGMA foreign_keys = ON") < 0)
		return -1;
	return 0;
}

static int check_exists(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) == 0)
		return 0;
	snprintf(err, errlen, "no database at %s: give the --db path netoopsd writes to", path);
	return -1;
}

struct nx_store *nx_store_open(const char *path, enum nx_store_mode mode,
			       char *err, size_t errlen)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct nx_store *s;

	if (mode != NX_STORE_CREATE && check_exists(path, err, errlen) < 0)
		return NULL;
	if (mode == NX_STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (mode == NX_STORE_READONLY)
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto close;
	}
	if (configure(s) < 0 || store_migrate(s) < 0) {
		snprintf(err, errlen, "database %s: %s", path, s->err);
		goto close;
	}
	return s;
close:
	nx_store_close(s);
	return NULL;
}

void nx_store_close(struct nx_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

int nx_store_begin(struct nx_store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int nx_store_commit(struct nx_store *s)
{
	return store_exec(s, "COMMIT");
}

void nx_store_rollback(struct nx_store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Opening, closing and transactions of the SQLite report store. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "store/file.h"
#include "store/store_int.h"

/* Another connection holds the lock we need: worth waiting for, not an error in the data. */
static bool is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int store_fail(struct nx_store *s, const char *what)
{
	s->busy = is_busy(sqlite3_errcode(s->db));
	snprintf(s->err, sizeof(s->err), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

bool nx_store_busy(const struct nx_store *s)
{
	return s->busy;
}

void nx_store_set_busy_wait(struct nx_store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

int nx_store_set_fsync(struct nx_store *s, bool on)
{
	return store_exec(s, on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

const char *nx_store_error(const struct nx_store *s)
{
	return s->err;
}

int store_exec(struct nx_store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	s->busy = is_busy(rc);
	if (rc == SQLITE_OK)
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
 * a committed transaction durable across power loss, not only kill -9 (the
 * WAL is fsync'ed at every commit); the daemon commits once per batch, so
 * the fsync is paid per batch, not per report.
 */
static int configure(struct nx_store *s)
{
	sqlite3_busy_timeout(s->db, 5000);
	/*
	 * Texts are stored compressed (text_codec.h: a 128 KiB dump is 15-25 KiB):
	 * SQLite's own 4 KiB pages, because every page a commit touches (the
	 * indexes' too) is written whole to the WAL and again at the checkpoint;
	 * 64 KiB pages wrote 35 % more per dump (bench/README.md, "Store cost").
	 * Takes effect when the file is new.
	 */
	if (store_exec(s, "PRAGMA page_size = 4096") < 0 ||
	    store_exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(s, "PRAGMA synchronous = FULL") < 0 ||
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

static bool writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

/* Why PATH cannot be written, as what to fix; into ERR after WHY. */
static void explain_unwritable(const char *path, const char *why, char *err, size_t errlen)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : ".";
	unsigned uid = (unsigned)geteuid();
	struct statvfs vfs;

	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		snprintf(err, errlen, "cannot write database %s (%s): it is on a read-only file "
			 "system; mount it read-write or give a --db path on a writable one",
			 path, why);
	else if (access(path, F_OK) == 0 && !writable(path))
		snprintf(err, errlen, "cannot write database %s (%s): the file is not writable "
			 "by uid %u; chown it to the user netoopsd runs as (or chmod u+w)",
			 path, why, uid);
	else if (!writable(dir))
		snprintf(err, errlen, "cannot write database %s (%s): its directory %s is not "
			 "writable by uid %u, and SQLite creates %s-wal and %s-shm there; make "
			 "the directory writable by the user netoopsd runs as", path, why, dir,
			 uid, path, path);
	else
		snprintf(err, errlen, "cannot write database %s (%s): make it, its -wal and "
			 "-shm files and its directory writable by uid %u, or give another --db",
			 path, why, uid);
	free(copy);
}

/* The last failure was about permissions, not about the data. */
static bool cannot_write(sqlite3 *db)
{
	int rc = sqlite3_errcode(db) & 0xff;

	return rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM;
}

/* The daemon's file: created 0640 (NX_FILE_MODE), and never a directory. */
static int create_file(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	bool created;
	int fd;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--db %s is a directory: give the path of a database file, "
			 "e.g. %s/reports.db", path, path);
		return -1;
	}
	fd = nx_file_open_durable(path, O_RDWR, &created);
	if (fd < 0) {
		explain_unwritable(path, strerror(errno), err, errlen);
		return -1;
	}
	close(fd);
	return 0;
}

/* Why opening failed, as what to fix; UNWRITABLE: a matter of permissions or mounts. */
static void explain_failure(const struct nx_store *s, const char *path, bool unwritable,
			    char *err, size_t errlen)
{
	if (s->busy)
		snprintf(err, errlen, "database %s is locked by another process (%s): end its "
			 "transaction (e.g. a sqlite3 shell after BEGIN) and start again", path,
			 s->err);
	else if (unwritable)
		explain_unwritable(path, s->err, err, errlen);
	else
		snprintf(err, errlen, "database %s: %s", path, s->err);
}

/*
 * A real write, before anyone is told the collector is ready: BEGIN
 * IMMEDIATE takes the write lock and opens (creates) the WAL and its
 * shared-memory file. Then the directory is synced, so that the new files'
 * names survive a power failure.
 */
static int probe_write(struct nx_store *s, const char *path, char *err, size_t errlen)
{
	if (store_exec(s, "BEGIN IMMEDIATE") < 0 || store_exec(s, "ROLLBACK") < 0) {
		explain_failure(s, path, true, err, errlen);
		return -1;
	}
	if (nx_file_sync_dir(path) < 0) {
		snprintf(err, errlen, "cannot sync the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_handle(struct nx_store *s, const char *path, enum nx_store_mode mode,
		       char *err, size_t errlen)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (mode == NX_STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (mode == NX_STORE_READONLY)
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		return -1;
	}
	if (mode == NX_STORE_CREATE && sqlite3_db_readonly(s->db, "main") == 1) {
		explain_unwritable(path, "opened read-only", err, errlen);
		return -1;
	}
	if (configure(s) < 0 || store_migrate(s) < 0) {
		explain_failure(s, path, mode == NX_STORE_CREATE && cannot_write(s->db),
				err, errlen);
		return -1;
	}
	return mode == NX_STORE_CREATE ? probe_write(s, path, err, errlen) : 0;
}

struct nx_store *nx_store_open(const char *path, enum nx_store_mode mode,
			       char *err, size_t errlen)
{
	struct nx_store *s;

	if (mode != NX_STORE_CREATE && check_exists(path, err, errlen) < 0)
		return NULL;
	if (mode == NX_STORE_CREATE && create_file(path, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (open_handle(s, path, mode, err, errlen) < 0) {
		nx_store_close(s);
		return NULL;
	}
	return s;
}

void nx_store_close(struct nx_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	nx_text_packer_free(s->packer);
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

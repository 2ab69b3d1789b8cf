/* Versioned schema migrations, keyed by PRAGMA user_version. */
#include <stdio.h>

#include "store/store_int.h"

/*
 * migrations[i] takes the schema from version i to i + 1. Never edit a
 * released step: append a new one and bump NX_STORE_SCHEMA_VERSION.
 */
static const char *const migrations[NX_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: dumps, their analysed reports, groups, counters. */
	"CREATE TABLE dumps ("
	"  id INTEGER PRIMARY KEY,"
	"  format TEXT NOT NULL,"		/* netoops, legacy-v3, netconsole-... */
	"  host TEXT NOT NULL,"			/* from the packets, or the source */
	"  source TEXT NOT NULL,"		/* sender address ip:port */
	"  boot TEXT NOT NULL,"
	"  dump_no INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  release TEXT NOT NULL,"
	"  dump_time_us INTEGER NOT NULL,"	/* sender clock, 0 unknown */
	"  received_ms INTEGER NOT NULL,"	/* our clock, last datagram */
	"  receive_span_ms INTEGER NOT NULL,"	/* first to last datagram */
	"  complete INTEGER NOT NULL,"
	"  parts INTEGER NOT NULL,"
	"  parts_received INTEGER NOT NULL,"
	"  missing TEXT NOT NULL,"		/* JSON [[start,end],...] */
	"  title TEXT NOT NULL,"		/* primary report's, or describes the dump */
	"  type TEXT,"				/* primary report's type */
	"  kernel TEXT,"
	"  n_reports INTEGER NOT NULL,"
	"  text TEXT NOT NULL"
	");"
	"CREATE INDEX dumps_received ON dumps(received_ms);"
	"CREATE INDEX dumps_host ON dumps(host, received_ms);"
	"CREATE TABLE groups ("
	"  id INTEGER PRIMARY KEY,"
	"  signature TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  type TEXT,"
	"  first_seen_ms INTEGER NOT NULL,"
	"  last_seen_ms INTEGER NOT NULL,"
	"  count INTEGER NOT NULL"
	");"
	"CREATE TABLE group_hosts ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id),"
	"  host TEXT NOT NULL,"
	"  PRIMARY KEY (group_id, host)) WITHOUT ROWID;"
	"CREATE TABLE group_kernels ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id),"
	"  kernel TEXT NOT NULL,"
	"  PRIMARY KEY (group_id, kernel)) WITHOUT ROWID;"
	"CREATE TABLE reports ("
	"  id INTEGER PRIMARY KEY,"
	"  dump_id INTEGER NOT NULL REFERENCES dumps(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"		/* 0 = primary */
	"  is_primary INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  class TEXT,"
	"  type TEXT,"
	"  corrupted INTEGER NOT NULL,"
	"  kernel TEXT,"
	"  taint TEXT,"
	"  taint_mask INTEGER NOT NULL,"
	"  cpu INTEGER,"
	"  pid INTEGER,"
	"  comm TEXT,"
	"  hardware TEXT,"
	"  die_counter INTEGER NOT NULL,"
	"  panic_msg TEXT,"
	"  rip TEXT,"
	"  frames TEXT NOT NULL,"		/* JSON array */
	"  modules TEXT NOT NULL,"		/* JSON array */
	"  signature TEXT,"
	"  group_id INTEGER REFERENCES groups(id),"
	"  text_start INTEGER NOT NULL,"
	"  text_end INTEGER NOT NULL"
	");"
	"CREATE INDEX reports_dump ON reports(dump_id);"
	"CREATE INDEX reports_group ON reports(group_id);"
	"CREATE TABLE counters ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 1 -> 2: the text's length as a column, so listing does not read every text. */
	"ALTER TABLE dumps ADD COLUMN text_len INTEGER NOT NULL DEFAULT 0;"
	"UPDATE dumps SET text_len = length(CAST(text AS BLOB));",

	/* 2 -> 3: whether each dump was analysed, and why not (the analysis worker, reanalyze). */
	"ALTER TABLE dumps ADD COLUMN analysis TEXT NOT NULL DEFAULT 'ok'"
	"  CHECK (analysis IN ('ok', 'failed', 'none'));"
	"ALTER TABLE dumps ADD COLUMN analysis_error TEXT;"	/* NULL when ok */
	"CREATE INDEX dumps_unanalysed ON dumps(id) WHERE analysis <> 'ok';"
	/* and each report's alternative title (syzbot's ALT:, e.g. "stall in X"; NULL if none) */
	"ALTER TABLE reports ADD COLUMN alt_title TEXT;",

	/* 3 -> 4: how the text is stored (text_codec.h): 'none' the bytes as received (every
	 * row written before), 'zstd' one zstd frame of text_len bytes, */
	"ALTER TABLE dumps ADD COLUMN text_codec TEXT NOT NULL DEFAULT 'none';"
	/* and the heaviest sources of noise of the last interval that had some (rank 0 the
	 * heaviest; at most NXD_NOISE_TOP rows, replaced at each save) */
	"CREATE TABLE IF NOT EXISTS noise_sources ("
	"  rank INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  fragments INTEGER NOT NULL,"
	"  over_estimate INTEGER NOT NULL,"
	"  interval_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL"
	");",
	/* 4 -> 5: whether every datagram of a dump had a valid MAC (auth), and the replay marks'
	 * index: the newest authenticated dump per (host, boot) (docs/protocol.md). */
	"ALTER TABLE dumps ADD COLUMN authenticated INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX dumps_auth_marks ON dumps(host, boot, dump_no) WHERE authenticated = 1;",
};

static int user_version(struct nx_store *s, int *version)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "reading the schema version");
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_fail(s, "reading the schema version");
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int apply(struct nx_store *s, int from)
{
	char sql[64];

	if (store_exec(s, migrations[from]) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
	return store_exec(s, sql);
}

static int refuse_newer(struct nx_store *s, int version)
{
	snprintf(s->err, sizeof(s->err),
		 "database schema version %d is newer than this program's (%d): "
		 "use a newer netoops", version, NX_STORE_SCHEMA_VERSION);
	return -1;
}

int store_migrate(struct nx_store *s)
{
	int version = 0;

	/* Up to date: no write needed, so read-only users can query. */
	if (user_version(s, &version) < 0)
		return -1;
	if (version == NX_STORE_SCHEMA_VERSION)
		return 0;
	if (version > NX_STORE_SCHEMA_VERSION)
		return refuse_newer(s, version);
	/* IMMEDIATE: two processes opening a fresh file must not both migrate. */
	if (store_exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (user_version(s, &version) < 0)
		goto rollback;
	if (version > NX_STORE_SCHEMA_VERSION) {
		refuse_newer(s, version);
		goto rollback;
	}
	for (; version < NX_STORE_SCHEMA_VERSION; version++)
		if (apply(s, version) < 0)
			goto rollback;
	return store_exec(s, "COMMIT");
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

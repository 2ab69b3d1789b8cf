/* Private parts of the store shared by its files: the handle and SQL helpers. */
#ifndef NX_STORE_INT_H
#define NX_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"
#include "store/text_codec.h"

enum nx_stmt {
	ST_INSERT_DUMP,
	ST_INSERT_REPORT,
	ST_UPSERT_GROUP,
	ST_INSERT_GROUP_HOST,
	ST_INSERT_GROUP_KERNEL,
	ST_COUNT
};

struct nx_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];	/* prepared once, on first use */
	char err[512];
	bool busy;			/* the last error: another connection holds the lock */
	struct nx_text_packer *packer;	/* compresses stored texts; made at the first write */
};

/* Record the database's current error, prefixed by WHAT; returns -1. */
int store_fail(struct nx_store *s, const char *what);
/* Dump ID's every datagram had a valid MAC (store_auth.c). 0 or -1. */
int store_mark_authenticated(struct nx_store *s, int64_t id);

/* The prepared statement ID (SQL given at first use), reset; NULL on error. */
sqlite3_stmt *store_stmt(struct nx_store *s, enum nx_stmt id, const char *sql);

/* Run SQL that returns no rows; 0 or -1. */
int store_exec(struct nx_store *s, const char *sql);

/* Bring the schema up to NX_STORE_SCHEMA_VERSION (schema.c); 0 or -1. */
int store_migrate(struct nx_store *s);

/*
 * Insert SET as the reports of dump DUMP_ID (from HOST, received at WHEN),
 * counting each in its group (store_write.c; reanalysis uses it too). 0 or -1.
 */
int store_add_reports(struct nx_store *s, int64_t dump_id, const char *host, int64_t when,
		      const struct nx_report_set *set);

/* Bind a C string, NULL binding SQL NULL. */
int store_bind_text(sqlite3_stmt *st, int col, const char *text);

#endif

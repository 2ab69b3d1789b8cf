/* Optional outputs after a dump is stored: the flat append file and syslog forwarding. */
#ifndef NXD_OUTPUTS_H
#define NXD_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/analyse/analyse.h"
#include "core/reasm/reasm.h"
#include "netoopsd/config.h"

/* What an output needs to know about one stored dump. */
struct nxd_stored {
	int64_t id;				/* dump id in the database */
	const struct nx_dump *dump;
	const struct nx_report_set *reports;	/* may be NULL or empty */
	const char *title;			/* primary title, or the empty-dump title */
	int64_t received_ms;			/* wall clock */
};

/* ---- append.c: each complete dump as readable text, like the seed's /var/log/oops */

struct nxd_append;

/*
 * Open PATH for appending (created 0640, its directory synced); FSYNC:
 * append_sync() also fdatasyncs. NULL with MSG set when it cannot be opened.
 */
struct nxd_append *append_open(const char *path, bool fsync, char *msg, size_t msglen);
/* Reopen (after log rotation, on SIGHUP); keeps the old file on failure. 0 or -1. */
int append_reopen(struct nxd_append *a);
/*
 * Append S if its dump is complete, into the buffer: 1 written, 0 skipped
 * (incomplete), -1 on a write error. It counts as appended only once
 * append_sync() has returned 0.
 */
int append_write(struct nxd_append *a, const struct nxd_stored *s);
/* Flush what append_write() buffered and fdatasync it (one sync per batch); 0 or -1. */
int append_sync(struct nxd_append *a);
void append_close(struct nxd_append *a);

/* ---- syslog_fwd.c: each stored dump as one RFC 5424 message over UDP */

struct nxd_syslog;

struct nxd_syslog *syslog_open(const struct nxd_addr *to, char *msg, size_t msglen);
/* Send S; 0 or -1. */
int syslog_send(struct nxd_syslog *l, const struct nxd_stored *s);
void syslog_close(struct nxd_syslog *l);

/* Format S as an RFC 5424 message into BUF (at most LEN bytes); returns its length. */
size_t syslog_format(const struct nxd_stored *s, char *buf, size_t len);

/* "2026-11-28T01:02:03.456Z" */
void format_time_ms(int64_t ms, char *buf, size_t len);

#endif

/* Optional outputs after a dump is stored: the flat append file and syslog forwarding. */
#ifndef NXD_OUTPUTS_H
#define NXD_OUTPUTS_H

#include <stdint.h>

#include "core/analyse.h"
#include "core/reasm.h"
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

/* Open PATH for appending; NULL with MSG set when it cannot be opened. */
struct nxd_append *append_open(const char *path, char *msg, size_t msglen);
/* Reopen (after log rotation, on SIGHUP); keeps the old file on failure. 0 or -1. */
int append_reopen(struct nxd_append *a);
/* Append S if its dump is complete. 0, or -1 on a write error. */
int append_write(struct nxd_append *a, const struct nxd_stored *s);
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

/* netoopsd's configuration: defaults, the config file and command-line options. */
#ifndef NXD_CONFIG_H
#define NXD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "netoopsd/auth.h"

#define NXD_DEFAULT_CONFIG	"/etc/netoops/netoopsd.conf"
#define NXD_MAX_LISTEN		16
#define NXD_MAX_BATCH_SETTING	1024	/* recvmmsg batch at most */
#define NXD_CONFIG_LINE_MAX	8192	/* bytes in one config file line, at most */
#define NXD_CONFIG_FILE_MAX	(1 << 20)	/* bytes in the config file, at most */

struct nxd_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];		/* as the user wrote it, for messages */
};

struct nxd_config {
	struct nxd_addr listen[NXD_MAX_LISTEN];
	size_t n_listen;
	bool listen_from_cli;		/* --listen replaces the file's list */
	char db[4096];
	char append_file[4096];		/* "" = off */
	struct nxd_addr syslog;		/* len 0 = off */
	struct nxd_addr http;		/* the read-only query API; len 0 = off */
	size_t max_memory;		/* reassembly bound, bytes */
	size_t max_dumps;		/* partial dumps at once */
	uint32_t quiet_ms;		/* incomplete after this long without news */
	uint32_t netconsole_quiet_ms;
	uint32_t rcvbuf;		/* SO_RCVBUF(FORCE) bytes */
	uint32_t stats_interval_ms;	/* counters saved to the DB this often */
	uint32_t batch;			/* recvmmsg batch size */
	uint32_t analysis_timeout_ms;	/* the analysis worker's deadline per dump */
	char analysis_user[64];		/* the analysis worker's user, when started as root */
	uint32_t db_fsync;		/* 1: commits and the append file fsync'ed; 0: not */
	uint32_t stop_wait_ms;		/* at a stop, how long to wait out a locked database */
	struct nxd_auth_config auth;	/* auth, fleet-key, auth-exempt, replay-window-ms */
	bool verbose;
	uint32_t receive_threads;	/* receive loops (SO_REUSEPORT); 0: one per online CPU */
};

/* Fill C with the settings table's defaults. */
void config_defaults(struct nxd_config *c);

struct option;
/* The settings as getopt_long options, at most CAP: each takes a value; val is its short
 * option letter, or 0 (getopt_long then returns 0 and the index names the setting). */
size_t config_longopts(struct option *out, size_t cap);
/* --help lines of every setting, from the table. */
void config_usage(FILE *f);

/*
 * Set KEY (an option's long name, or a config file key: the same names)
 * to VALUE. Returns NULL, or a message saying what is wrong.
 */
const char *config_set(struct nxd_config *c, const char *key, const char *value,
		       char *msg, size_t msglen);

/*
 * Read `key = value` lines from PATH (a regular file of at most NXD_CONFIG_FILE_MAX bytes):
 * config_parse_text() on its contents. Returns 0, or -1 with MSG set.
 */
int config_load(struct nxd_config *c, const char *path, bool must_exist,
		char *msg, size_t msglen);

/*
 * The config file syntax on TEXT[0..N) (NAME for messages): a UTF-8 byte order mark at the
 * start is skipped; '#' at the start of a line or after a space or tab starts a comment;
 * blank lines are ignored; a line over NXD_CONFIG_LINE_MAX bytes or with a NUL is refused,
 * naming its number. Returns 0, or -1 with MSG "NAME:LINE: what is wrong".
 */
int config_parse_text(struct nxd_config *c, const char *name, const char *text, size_t n,
		      char *msg, size_t msglen);

/*
 * Parse "ADDR:PORT", "[V6]:PORT", "ADDR" or "[V6]" (PORT defaults to DEFPORT). Returns 0,
 * NX_PARSE_RANGE (core/numparse.h) for a port out of 1..65535, else NX_PARSE_SYNTAX.
 */
int config_parse_addr(const char *text, uint16_t defport, struct nxd_addr *out);

/* Final checks once everything is set; NULL or a message. */
const char *config_check(struct nxd_config *c, char *msg, size_t msglen);

#endif

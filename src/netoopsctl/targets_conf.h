/* The persisted target list, /etc/netoops/targets.conf: one "NAME HOST[:PORT] [key=PATH]" per line. */
#ifndef NXCTL_TARGETS_CONF_H
#define NXCTL_TARGETS_CONF_H

#include <stddef.h>

#include "netoopsctl/configfs.h"

#define NX_TARGETS_CONF_DEFAULT "/etc/netoops/targets.conf"
#define NX_CONF_MAX_TARGETS 64
#define NX_HOST_TEXT_MAX 255
#define NX_KEY_PATH_MAX 255

struct nx_conf_target {
	char name[NX_TARGET_NAME_MAX + 1];
	char host[NX_HOST_TEXT_MAX + 1];	/* address or DNS name, without brackets */
	unsigned int port;
	char key[NX_KEY_PATH_MAX + 1];		/* absolute path of the host key file; "" none */
};

struct nx_conf {
	struct nx_conf_target t[NX_CONF_MAX_TARGETS];
	int n;
};

/* The file to use: $NETOOPS_TARGETS_CONF, else the default. */
const char *nx_conf_path(void);

/*
 * Split "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" (a bare IPv6 address has
 * no port). PORT defaults to 2004. Returns 0, or -1 with ERR saying why.
 */
int nx_endpoint_parse(const char *text, char *host, size_t hostlen, unsigned int *port,
		      char *err, size_t errlen);

/* A key file path targets.conf can carry: absolute, no blanks or '#'. 0, or -1 + ERR. */
int nx_conf_key_ok(const char *path, char *err, size_t errlen);

/* Load PATH (a missing file is an empty list). 0, or -1 + ERR naming the line. */
int nx_conf_load(const char *path, struct nx_conf *c, char *err, size_t errlen);

/* Replace PATH atomically with C, creating its directory. 0, or -1 + ERR. */
int nx_conf_save(const char *path, const struct nx_conf *c, char *err, size_t errlen);

/* Add or replace the entry named T->name. 0, or -1 when the list is full. */
int nx_conf_set(struct nx_conf *c, const struct nx_conf_target *t);

/* Remove the entry NAME. 1 if it was there, 0 if not. */
int nx_conf_del(struct nx_conf *c, const char *name);

#endif

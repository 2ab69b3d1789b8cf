/* The module's configuration files: configfs targets and the sysfs knobs under /sys/kernel/netoops. */
#ifndef NXCTL_CONFIGFS_H
#define NXCTL_CONFIGFS_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define NX_TARGET_NAME_MAX 64

/* What a target is told: the values written to its configfs attributes, as text. */
struct nx_target_cfg {
	char name[NX_TARGET_NAME_MAX + 1];
	char dev_name[IF_NAMESIZE];
	char local_ip[INET6_ADDRSTRLEN];
	char remote_ip[INET6_ADDRSTRLEN];
	char remote_mac[18];		/* "aa:bb:cc:dd:ee:ff" */
	unsigned int local_port, remote_port;
};

/* What a target reports: its configuration, state and counters. */
struct nx_target_state {
	struct nx_target_cfg cfg;
	bool enabled;
	char local_mac[18];
	unsigned long long dumps_sent, datagrams_sent, transmit_errors;
};

/* A target name configfs and the config file both accept. */
bool nx_target_name_ok(const char *name);

/* Check the module is loaded and configfs mounted (mounting it if needed). 0 or -1 + ERR. */
int nx_cfs_ready(char *err, size_t errlen);

/*
 * Create or update target C->name and enable it. An enabled target whose
 * attributes already match is left alone (*CHANGED = false); otherwise it is
 * disabled, rewritten and enabled again. 0 or -1 + ERR saying what to fix.
 */
int nx_cfs_apply(const struct nx_target_cfg *c, bool *changed, char *err, size_t errlen);

/* Read one target. 0, or -1 + ERR. */
int nx_cfs_read(const char *name, struct nx_target_state *s, char *err, size_t errlen);

/* Disable and remove one target. 0, or -1 + ERR. */
int nx_cfs_remove(const char *name, char *err, size_t errlen);

/* The names of all targets, sorted; returns the count (up to MAX) or -1 + ERR. */
int nx_cfs_names(char (*names)[NX_TARGET_NAME_MAX + 1], int max, char *err, size_t errlen);

/* Write VALUE to /sys/kernel/netoops/KNOB. 0, or -1 + ERR. */
int nx_sysfs_write(const char *knob, const char *value, char *err, size_t errlen);

#endif

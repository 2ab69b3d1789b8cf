/* netoopsctl's sub-commands: one file each, dispatched from main.c. */
#ifndef NXCTL_COMMANDS_H
#define NXCTL_COMMANDS_H

#include <stdbool.h>

/* Options given before the command name; a command may also accept them after it. */
struct ctl_opts {
	const char *db;		/* --db PATH: read the store directly */
	const char *daemon;	/* --daemon HOST:PORT: ask netoopsd's HTTP API instead */
	bool json;		/* --json */
};

/* Each returns the process exit status: 0 ok, 1 failure, 2 usage error. */
int cmd_analyze(struct ctl_opts *o, int argc, char **argv);	/* analyze.c */
int cmd_list(struct ctl_opts *o, int argc, char **argv);	/* query.c */
int cmd_show(struct ctl_opts *o, int argc, char **argv);	/* query.c */
int cmd_groups(struct ctl_opts *o, int argc, char **argv);	/* query.c */
int cmd_stats(struct ctl_opts *o, int argc, char **argv);	/* query.c */
int cmd_reanalyze(struct ctl_opts *o, int argc, char **argv);	/* reanalyze.c */
int cmd_target(struct ctl_opts *o, int argc, char **argv);	/* target.c */
int cmd_boot_id(struct ctl_opts *o, int argc, char **argv);	/* trigger.c */
int cmd_test(struct ctl_opts *o, int argc, char **argv);	/* trigger.c */
int cmd_key(struct ctl_opts *o, int argc, char **argv);		/* key.c */

#endif

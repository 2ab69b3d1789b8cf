/* netoopsctl's symbolization options (--debuginfo, --debuginfod) and how symbolized traces print. */
#ifndef NXCTL_SYMOPTS_H
#define NXCTL_SYMOPTS_H

#include <getopt.h>
#include <stdbool.h>

#include <jansson.h>

#include "symbolize/sym.h"

enum { NXCTL_OPT_DEBUGINFO = 2000, NXCTL_OPT_DEBUGINFOD, NXCTL_OPT_SYM_TIMEOUT };

/* The long options every symbolizing command takes; end a command's table with them. */
#define NXCTL_SYM_OPTIONS \
	{ "debuginfo", required_argument, NULL, NXCTL_OPT_DEBUGINFO }, \
	{ "debuginfod", no_argument, NULL, NXCTL_OPT_DEBUGINFOD }, \
	{ "sym-timeout-ms", required_argument, NULL, NXCTL_OPT_SYM_TIMEOUT }

struct nxctl_sym {
	struct nx_sym_conf conf;
	bool wanted;		/* a --debuginfo or --debuginfod was given */
};

void nxctl_sym_defaults(struct nxctl_sym *o);

/* Option C (with ARG) if it is one of NXCTL_SYM_OPTIONS: 1 taken, 0 not ours, -1 bad (said). */
int nxctl_sym_option(struct nxctl_sym *o, int c, const char *arg);

/* A symbolizer for O; NULL with a message on stderr. */
struct nx_sym *nxctl_sym_open(const struct nxctl_sym *o);

/* Print SYM (nx_sym_report()'s object) as an indented trace: file:line, inlined calls below. */
void nxctl_print_symbolized(const json_t *sym);

#endif

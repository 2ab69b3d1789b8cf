/* netoopsctl: parse global options and dispatch to a sub-command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsd/analyst.h"

struct command {
	const char *name;
	int (*run)(struct ctl_opts *o, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "analyze", cmd_analyze, "analyze FILE... [--json] [--debuginfo DIR]   find and analyse crash reports in files" },
	{ "list",    cmd_list,    "list [--host H] [--since T] [--group G] [--reason R]   list reports" },
	{ "show",    cmd_show,    "show ID                   one report: fields, call trace, full text" },
	{ "groups",  cmd_groups,  "groups                    report groups: count, first/last seen, hosts" },
	{ "stats",   cmd_stats,   "stats                     the collector's receive and loss counters" },
	{ "reanalyze", cmd_reanalyze, "reanalyze [ID... | --all | --failed]   analyse stored dumps again (isolated)" },
	{ "inventory", cmd_inventory, "inventory [--to HOST:PORT]   send this boot's build IDs (default: to every target's collector)" },
	{ "symbolize", cmd_symbolize, "symbolize ID... --debuginfo DIR | --debuginfod   file:line for stored traces" },
	{ "target",  cmd_target,  "target add|list|del|apply|watch ...   this kernel's netoops targets" },
	{ "boot-id", cmd_boot_id, "boot-id                   write this boot's id into the module" },
	{ "test",    cmd_test,    "test [--db PATH | --collector HOST:PORT]   send a test dump (and wait until stored)" },
	{ "key",     cmd_key,     "key new|derive|install ...   fleet and host keys for authenticated dumps" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: netoopsctl [--db PATH | --daemon HOST:PORT] [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].summary);
	fprintf(f, "\nSee netoopsctl(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "daemon", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { .db = getenv("NETOOPS_DB"), .daemon = getenv("NETOOPS_DAEMON") };
	int c;

	if (argc > 1 && strcmp(argv[1], NXD_ANALYST_ARG) == 0)
		return nxd_analyst_worker_main(argc, argv);	/* for reanalyze */
	/* '+': stop at the command name; its own options are parsed by the command. */
	while ((c = getopt_long(argc, argv, "+hj", longopts, NULL)) != -1) {
		switch (c) {
		/* The last of --db and --daemon wins; either beats the environment. */
		case 'd': o.db = optarg; o.daemon = NULL; break;
		case 'D':
			if (nxctl_check_daemon("--daemon", optarg) < 0)
				return 2;
			o.daemon = optarg;
			o.db = NULL;
			break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* let the command run getopt afresh */
			return commands[i].run(&o, argc, argv);
		}
	}
	fprintf(stderr, "netoopsctl: unknown command '%s'\n",
		nxctl_tty_str(argv[optind], NX_ESC_LINE));
	usage(stderr);
	return 2;
}

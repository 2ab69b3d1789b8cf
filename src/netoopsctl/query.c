/* TEMPORARY placeholder: replaced by the real query implementation. */
#include <stdio.h>
#include "netoopsctl/commands.h"

int cmd_list(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_list: not implemented yet\n");
	return 1;
}

int cmd_show(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_show: not implemented yet\n");
	return 1;
}

int cmd_groups(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_groups: not implemented yet\n");
	return 1;
}

int cmd_stats(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_stats: not implemented yet\n");
	return 1;
}

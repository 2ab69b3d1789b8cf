/* TEMPORARY placeholder: replaced by the real analyze implementation. */
#include <stdio.h>
#include "netoopsctl/commands.h"

int cmd_analyze(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_analyze: not implemented yet\n");
	return 1;
}

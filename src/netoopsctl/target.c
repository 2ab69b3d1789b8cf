/* TEMPORARY placeholder: replaced by the real target implementation. */
#include <stdio.h>
#include "netoopsctl/commands.h"

int cmd_target(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_target: not implemented yet\n");
	return 1;
}

int cmd_boot_id(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_boot_id: not implemented yet\n");
	return 1;
}

int cmd_test(struct ctl_opts *o, int argc, char **argv)
{
	(void)o; (void)argc; (void)argv;
	fprintf(stderr, "netoopsctl: cmd_test: not implemented yet\n");
	return 1;
}

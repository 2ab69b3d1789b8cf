/* Unit tests of netoopsd's settings and config file (src/netoopsd/config.c) on real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/netoopsd/config.c"
#include "../../src/netoopsd/auth_config.c"
#include "tmpdir.h"

static char msg[9000];

static int parse(struct nxd_config *c, const char *text, size_t n)
{
	config_defaults(c);
	msg[0] = '\0';
	return config_parse_text(c, "t.conf", text, n, msg, sizeof(msg));
}

#define PARSE(c, lit) parse(c, lit, sizeof(lit) - 1)

static void overflowing_sizes_refused(void **state)
{
	struct nxd_config c;

	(void)state;
	config_defaults(&c);
	assert_non_null(config_set(&c, "rcvbuf", "18014398509481992K", msg, sizeof(msg)));
	assert_string_equal(msg, "rcvbuf: 18014398509481992K is out of range (4K to 1G bytes)");
	assert_int_equal(c.rcvbuf, 64 << 20);
	assert_non_null(config_set(&c, "max-memory", "17179869185G", msg, sizeof(msg)));
	assert_string_equal(msg, "max-memory: 17179869185G is out of range (1M to 1T bytes)");
	assert_int_equal(c.max_memory, 256u << 20);
	assert_non_null(config_set(&c, "batch", "-5", msg, sizeof(msg)));
	assert_non_null(config_set(&c, "max-dumps", "99999999999999999999", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "out of range (1 to 10000000)"));
	assert_null(config_set(&c, "max-memory", "1T", msg, sizeof(msg)));
	assert_true(c.max_memory == 1ull << 40);
	assert_null(config_set(&c, "rcvbuf", "1G", msg, sizeof(msg)));
	assert_int_equal(c.rcvbuf, 1u << 30);
}

static void ports_refused_over_65535(void **state)
{
	struct nxd_config c;

	(void)state;
	config_defaults(&c);
	assert_non_null(config_set(&c, "listen", "127.0.0.1:70000", msg, sizeof(msg)));
	assert_string_equal(msg, "listen: '127.0.0.1:70000': the port must be 1 to 65535");
	assert_non_null(config_set(&c, "http", "[::1]:65536", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "the port must be 1 to 65535"));
	assert_non_null(config_set(&c, "syslog", "127.0.0.1:x", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "is not HOST:PORT"));
	assert_null(config_set(&c, "listen", "[::1]:65535", msg, sizeof(msg)));
	assert_int_equal(c.n_listen, 1);
}

static void long_paths_refused(void **state)
{
	struct nxd_config c;
	char path[5000];

	(void)state;
	config_defaults(&c);
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_non_null(config_set(&c, "db", path, msg, sizeof(msg)));
	assert_string_equal(msg, "db: the path is longer than 4095 bytes");
	assert_string_equal(c.db, "");
}

static void comments_and_bom(void **state)
{
	struct nxd_config c;

	(void)state;
	assert_int_equal(PARSE(&c, "\xef\xbb\xbf# netoopsd\n"
				   "db = /var/lib/a#b.db   # the database\n"
				   "  # indented\n\n"
				   "rcvbuf = 1M\t# a tab before\r\n"
				   "batch=8#\n"), -1);
	assert_string_equal(msg, "t.conf:6: batch: '8#' is not a whole number; write e.g. 256 "
			    "(1 to 1024)");
	assert_string_equal(c.db, "/var/lib/a#b.db");
	assert_int_equal(c.rcvbuf, 1 << 20);
	assert_int_equal(PARSE(&c, "\xef\xbb\xbf" "db = x # comment"), 0);	/* no final \n */
	assert_string_equal(c.db, "x");
}

static void bad_lines_named(void **state)
{
	struct nxd_config c;
	char *big = malloc(NXD_CONFIG_LINE_MAX + 100);

	(void)state;
	assert_int_equal(PARSE(&c, "db = x\nqiet-ms = 5\n"), -1);
	assert_string_equal(msg, "t.conf:2: unknown setting 'qiet-ms' (see netoopsd(8))");
	assert_int_equal(PARSE(&c, "db = x\n\nlisten\n"), -1);
	assert_string_equal(msg, "t.conf:3: expected 'key = value', got 'listen'");
	assert_int_equal(PARSE(&c, "db = x\ndb = a\0b\n"), -1);
	assert_string_equal(msg, "t.conf:2: the line holds a NUL byte (not a text file?)");
	/* A line over the limit is refused, not split into two settings. */
	memcpy(big, "db = ", 5);
	memset(big + 5, 'a', NXD_CONFIG_LINE_MAX);
	big[NXD_CONFIG_LINE_MAX + 5] = '\n';
	assert_int_equal(parse(&c, big, NXD_CONFIG_LINE_MAX + 6), -1);
	assert_string_equal(msg, "t.conf:1: the line is longer than 8192 bytes");
	/* At the limit it is a line like any other (here: a path too long for db). */
	memset(big + 5, 'a', NXD_CONFIG_LINE_MAX - 5);
	assert_int_equal(parse(&c, big, NXD_CONFIG_LINE_MAX), -1);
	assert_string_equal(msg, "t.conf:1: db: the path is longer than 4095 bytes");
	free(big);
}

struct dir {
	char path[64];
};

static int mkdir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	tmpdir_make(d->path, sizeof(d->path), "nx-config");
	*state = d;
	return 0;
}

static int mkdir_teardown(void **state)
{
	struct dir *d = *state;

	tmpdir_remove(d->path);
	free(d);
	return 0;
}

static int load(struct nxd_config *c, const char *path)
{
	config_defaults(c);
	msg[0] = '\0';
	return config_load(c, path, true, msg, sizeof(msg));
}

static void files_that_are_not_config(void **state)
{
	struct dir *d = *state;
	struct nxd_config c;
	char path[128], want[300];
	FILE *f;

	assert_int_equal(load(&c, d->path), -1);	/* a directory */
	snprintf(want, sizeof(want), "config file %s is not a regular file (", d->path);
	assert_non_null(strstr(msg, want));
	assert_int_equal(load(&c, "/dev/zero"), -1);	/* would never end */
	assert_non_null(strstr(msg, "config file /dev/zero is not a regular file ("));
	assert_int_equal(load(&c, "/dev/null"), 0);	/* no settings: the usual idiom */
	snprintf(path, sizeof(path), "%s/fifo", d->path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(load(&c, path), -1);		/* no writer: must not block */
	assert_non_null(strstr(msg, "is not a regular file"));
	snprintf(path, sizeof(path), "%s/big.conf", d->path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < NXD_CONFIG_FILE_MAX / 16 + 1; i++)
		fputs("# a comment ...\n", f);
	fclose(f);
	assert_int_equal(load(&c, path), -1);
	assert_non_null(strstr(msg, "is larger than 1048576 bytes"));
	config_defaults(&c);
	assert_int_equal(config_load(&c, "/nonexistent/netoopsd.conf", false, msg, sizeof(msg)), 0);
	assert_int_equal(load(&c, "/nonexistent/netoopsd.conf"), -1);
}

static void a_real_file(void **state)
{
	struct dir *d = *state;
	struct nxd_config c;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/netoopsd.conf", d->path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\xef\xbb\xbflisten = 127.0.0.1:2004 # v4\nlisten = [::1]:2004\n"
	      "db = /tmp/x.db\nmax-memory = 2G  # twice the default\n", f);
	fclose(f);
	assert_int_equal(load(&c, path), 0);
	assert_int_equal(c.n_listen, 2);
	assert_string_equal(c.listen[0].text, "127.0.0.1:2004");
	assert_string_equal(c.db, "/tmp/x.db");
	assert_true(c.max_memory == 2ull << 30);
}

/* The table's defaults are the documented ones; every row is a long option and in --help. */
static void one_table_for_defaults_options_and_help(void **state)
{
	struct nxd_config c;
	struct option opts[64];
	size_t n = config_longopts(opts, 64);
	char *help = NULL;
	size_t hl = 0;
	FILE *f = open_memstream(&help, &hl);

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.max_memory, 256u << 20);
	assert_int_equal(c.max_dumps, 100000);
	assert_int_equal(c.quiet_ms, 10000);
	assert_int_equal(c.rcvbuf, 64u << 20);
	assert_int_equal(c.batch, 256);
	assert_int_equal(c.db_fsync, 1);
	assert_string_equal(c.analysis_user, "nobody");
	assert_int_equal(c.n_listen, 0);	/* config_check() adds 0.0.0.0:2004 */
	assert_int_equal(n, N_SETTINGS);
	config_usage(f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		char want[96];

		assert_int_equal(opts[i].has_arg, required_argument);
		snprintf(want, sizeof(want), "--%s %s", opts[i].name, settings[i].arg);
		if (!strstr(help, want))
			fail_msg("--help lacks '%s'", want);
		if (settings[i].dflt &&
		    config_set(&c, opts[i].name, settings[i].dflt, msg, sizeof(msg)))
			fail_msg("%s: default '%s' refused: %s", opts[i].name, settings[i].dflt,
				 msg);
	}
	assert_non_null(strstr(help, "  -l, --listen ADDR:PORT"));
	free(help);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_table_for_defaults_options_and_help),
		cmocka_unit_test(overflowing_sizes_refused),
		cmocka_unit_test(ports_refused_over_65535),
		cmocka_unit_test(long_paths_refused),
		cmocka_unit_test(comments_and_bom),
		cmocka_unit_test(bad_lines_named),
		cmocka_unit_test_setup_teardown(files_that_are_not_config, mkdir_setup,
						mkdir_teardown),
		cmocka_unit_test_setup_teardown(a_real_file, mkdir_setup, mkdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* netoopsctl's targets.conf and HOST[:PORT] parsing: accepted forms, refusals, save/load round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file under test is not in a library (netoopsctl links its objects directly). */
#include "../../src/netoopsctl/ctlutil.c"
#include "../../src/netoopsctl/configfs.c"
#include "../../src/netoopsctl/targets_conf.c"

static void endpoint_ok(const char *text, const char *host, unsigned int port)
{
	char h[NX_HOST_TEXT_MAX + 1], err[256];
	unsigned int p;

	if (nx_endpoint_parse(text, h, sizeof(h), &p, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", text, err);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void endpoint_bad(const char *text, const char *why)
{
	char h[NX_HOST_TEXT_MAX + 1], err[256];
	unsigned int p;

	if (nx_endpoint_parse(text, h, sizeof(h), &p, err, sizeof(err)) == 0)
		fail_msg("'%s' accepted as host '%s' port %u", text, h, p);
	if (!strstr(err, why))
		fail_msg("'%s': message '%s' lacks '%s'", text, err, why);
}

static void test_endpoint_forms(void **state)
{
	(void)state;
	endpoint_ok("192.0.2.1", "192.0.2.1", 2004);
	endpoint_ok("192.0.2.1:520", "192.0.2.1", 520);
	endpoint_ok("collector.example.org:65535", "collector.example.org", 65535);
	endpoint_ok("2001:db8::1", "2001:db8::1", 2004);
	endpoint_ok("[2001:db8::1]", "2001:db8::1", 2004);
	endpoint_ok("[2001:db8::1]:1", "2001:db8::1", 1);
	endpoint_ok("fe80::1", "fe80::1", 2004);
}

static void test_endpoint_refused(void **state)
{
	char longhost[400];

	(void)state;
	endpoint_bad("192.0.2.1:0", "bad port");
	endpoint_bad("192.0.2.1:65536", "bad port");
	endpoint_bad("192.0.2.1:", "bad port");
	endpoint_bad("192.0.2.1:-5", "bad port");
	endpoint_bad("192.0.2.1:52x", "bad port");
	endpoint_bad("[2001:db8::1]:abc", "bad port");
	endpoint_bad("[2001:db8::1", "write [IPV6]:PORT");
	endpoint_bad("[2001:db8::1]x", "write [IPV6]:PORT");
	endpoint_bad("", "bad address");
	endpoint_bad(":520", "bad address");
	endpoint_bad("[]:520", "bad address");
	memset(longhost, 'a', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	endpoint_bad(longhost, "bad address");
}

static void test_target_names(void **state)
{
	(void)state;
	assert_true(nx_target_name_ok("target1"));
	assert_true(nx_target_name_ok("web-17.eu_west"));
	assert_false(nx_target_name_ok(""));
	assert_false(nx_target_name_ok("."));
	assert_false(nx_target_name_ok(".."));
	assert_false(nx_target_name_ok(".hidden"));
	assert_false(nx_target_name_ok("a/b"));
	assert_false(nx_target_name_ok("a b"));
	assert_false(nx_target_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));	/* 65 */
}

static char *tmp_conf(const char *content)
{
	static char path[64];
	FILE *f;
	int fd;

	strcpy(path, "/tmp/nx-targets-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(content, f);
	fclose(f);
	return path;
}

static void test_load_save_round_trip(void **state)
{
	static struct nx_conf c, again;
	char err[256], *path;

	(void)state;
	path = tmp_conf("# comment\n\n  main 192.0.2.10   # trailing comment\n"
			"lab\t[2001:db8::10]:520\r\nweb collector.example.org:9999\n");
	assert_int_equal(nx_conf_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.t[0].name, "main");
	assert_string_equal(c.t[0].host, "192.0.2.10");
	assert_int_equal(c.t[0].port, 2004);
	assert_string_equal(c.t[1].host, "2001:db8::10");
	assert_int_equal(c.t[1].port, 520);
	assert_int_equal(nx_conf_del(&c, "main"), 1);
	assert_int_equal(nx_conf_del(&c, "main"), 0);
	assert_int_equal(nx_conf_save(path, &c, err, sizeof(err)), 0);
	assert_int_equal(nx_conf_load(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.n, 2);
	assert_string_equal(again.t[0].name, "lab");
	assert_string_equal(again.t[0].host, "2001:db8::10");
	assert_int_equal(again.t[0].port, 520);
	assert_string_equal(again.t[1].host, "collector.example.org");
	assert_int_equal(again.t[1].port, 9999);
	assert_string_equal(again.t[1].key, "");
	unlink(path);
}

/* The host key file of a target travels as key=PATH and comes back. */
static void test_key_round_trip(void **state)
{
	static struct nx_conf c, again;
	char err[256], *path;

	(void)state;
	path = tmp_conf("main 192.0.2.10 key=/etc/netoops/host.key\nlab 192.0.2.11:520\n");
	assert_int_equal(nx_conf_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.t[0].key, "/etc/netoops/host.key");
	assert_string_equal(c.t[1].key, "");
	assert_int_equal(nx_conf_save(path, &c, err, sizeof(err)), 0);
	assert_int_equal(nx_conf_load(path, &again, err, sizeof(err)), 0);
	assert_string_equal(again.t[0].key, "/etc/netoops/host.key");
	assert_int_equal(again.t[0].port, 2004);
	assert_string_equal(again.t[1].key, "");
	unlink(path);
}

static void test_set_replaces_by_name(void **state)
{
	static struct nx_conf c;
	struct nx_conf_target t = { .name = "a", .host = "192.0.2.1", .port = 1 };

	(void)state;
	c.n = 0;
	assert_int_equal(nx_conf_set(&c, &t), 0);
	t.port = 2;
	assert_int_equal(nx_conf_set(&c, &t), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].port, 2);
	for (int i = 1; i < NX_CONF_MAX_TARGETS; i++) {
		snprintf(t.name, sizeof(t.name), "t%d", i);
		assert_int_equal(nx_conf_set(&c, &t), 0);
	}
	strcpy(t.name, "one-too-many");
	assert_int_equal(nx_conf_set(&c, &t), -1);
}

static void load_bad(const char *content, const char *why)
{
	static struct nx_conf c;
	char err[256], *path = tmp_conf(content);

	if (nx_conf_load(path, &c, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", content);
	unlink(path);
	if (!strstr(err, why))
		fail_msg("message '%s' lacks '%s'", err, why);
}

static void test_load_errors_name_the_line(void **state)
{
	static struct nx_conf c;
	char err[256];

	(void)state;
	load_bad("ok 192.0.2.1\nbroken\n", ":2: expected 'NAME HOST[:PORT] [key=PATH]'");
	load_bad("a 192.0.2.1 key=relative/k\n", ":1: bad key file 'relative/k'");
	load_bad("a 192.0.2.1 key=/etc/k extra\n", ":1: expected");
	load_bad("a 192.0.2.1 kee=/etc/k\n", ":1: expected");
	load_bad("a 192.0.2.1 extra\n", ":1: expected");
	load_bad("\n\nbad/name 192.0.2.1\n", ":3: bad target name 'bad/name'");
	load_bad("a 192.0.2.1:99999\n", ":1: bad port");
	assert_int_equal(nx_conf_load("/nonexistent/targets.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_forms),
		cmocka_unit_test(test_endpoint_refused),
		cmocka_unit_test(test_target_names),
		cmocka_unit_test(test_load_save_round_trip),
		cmocka_unit_test(test_key_round_trip),
		cmocka_unit_test(test_set_replaces_by_name),
		cmocka_unit_test(test_load_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

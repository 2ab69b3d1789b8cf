/* Unit tests of what netoopsd makes of a stored dump: the RFC 5424 message and the append file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The daemon's output code is not in a library: compile it in, as it is. */
#include "netoopsd/append.c"
#include "netoopsd/log.c"
#include "netoopsd/syslog_fwd.c"

static const char text[] =
	"[  1.000000] boot noise\n"
	"[  2.000000] divide error: 0000 [#1] SMP\n"
	"[  2.000100] RIP: 0010:init_module+0x14/0x1000 [crash]\n";

static struct nx_dump dump(const char *host, const char *reason, bool complete)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = 3, .complete = complete,
			     .text = (char *)text, .text_len = sizeof(text) - 1 };

	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.source, sizeof(d.source), "10.0.0.7:2004");
	snprintf(d.boot, sizeof(d.boot), "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4");
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	snprintf(d.release, sizeof(d.release), "6.1.0-27-amd64");
	return d;
}

static struct nx_report report(void)
{
	return (struct nx_report){ .title = "divide error in init_module", .type = "divide",
		.kernel = "6.1.0-27-amd64", .signature = "v1:ab\"c]d\\e", .cpu = -1, .pid = -1,
		.start = 24, .end = sizeof(text) - 1 };
}

static void test_syslog_message_is_rfc5424(void **state)
{
	struct nx_dump d = dump("web-17", "oops", true);
	struct nx_report r = report();
	struct nx_report_set set = { .reports = &r, .n = 1 };
	struct nxd_stored s = { .id = 42, .dump = &d, .reports = &set, .title = r.title,
				.received_ms = 1764291723456 };
	char buf[SYSLOG_MAX + 1];
	size_t n = syslog_format(&s, buf, SYSLOG_MAX);

	(void)state;
	buf[n] = '\0';
	/* <kern.crit>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG */
	assert_memory_equal(buf, "<2>1 2025-11-28T01:02:03.456Z web-17 netoops - oops [netoops@32473 id=\"42\"",
			    strlen("<2>1 2025-11-28T01:02:03.456Z web-17 netoops - oops [netoops@32473 id=\"42\""));
	assert_non_null(strstr(buf, " complete=\"1\""));
	assert_non_null(strstr(buf, " type=\"divide\""));
	/* '"', ']' and '\' escaped inside a parameter value (RFC 5424 6.3.3) */
	assert_non_null(strstr(buf, " signature=\"v1:ab\\\"c\\]d\\\\e\"] divide error in init_module\n"));
	/* the message ends with the report's own lines, not the boot noise before it */
	assert_non_null(strstr(buf, "init_module\n[  2.000000] divide error: 0000 [#1] SMP\n"));
	assert_null(strstr(buf, "boot noise"));
	assert_int_equal(n, strlen(buf));
}

static void test_syslog_test_dump_is_notice_and_host_falls_back(void **state)
{
	struct nx_dump d = dump("", "test", true);
	struct nxd_stored s = { .id = 1, .dump = &d, .title = "test dump from 10.0.0.7",
				.received_ms = 0 };
	char buf[512];
	size_t n = syslog_format(&s, buf, sizeof(buf) - 1);

	(void)state;
	buf[n] = '\0';
	assert_memory_equal(buf, "<5>1 1970-01-01T00:00:00.000Z 10.0.0.7 netoops - test [",
			    strlen("<5>1 1970-01-01T00:00:00.000Z 10.0.0.7 netoops - test ["));
	assert_non_null(strstr(buf, "] test dump from 10.0.0.7"));
	assert_null(strstr(buf, "type="));
}

static void test_syslog_message_is_bounded(void **state)
{
	static char big[100000];
	struct nx_dump d = dump("h", "panic", false);
	struct nx_report r = report();
	struct nx_report_set set = { .reports = &r, .n = 1 };
	struct nxd_stored s = { .id = 7, .dump = &d, .reports = &set, .title = r.title };
	char buf[SYSLOG_MAX];
	size_t n;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	d.text = big;
	d.text_len = sizeof(big) - 1;
	r.start = 0;
	r.end = d.text_len;
	n = syslog_format(&s, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf) - 1);
	assert_non_null(memmem(buf, n, "complete=\"0\"", 12));
	/* a report range that lies outside the text is ignored, not followed */
	r.end = d.text_len + 1000;
	n = syslog_format(&s, buf, sizeof(buf));
	assert_true(n < 400);
}

#define KERNEL_SD	"kernel=\"6.1\\\\x1b[0m\""
#define TITLE_LINE	"] divide error in f\\x1b[2J\\xc2\\x85\n"
#define BODY_LINE	"divide error: \\x1b]0;owned\\x07 \\xc2\\x9b2J \\x7f\\xe9\n"

/* Bytes from the network reach the syslog receiver escaped: no control byte but the newlines
 * (and tabs) of the report's own lines, valid UTF-8 (core/escape.h). */
static void test_syslog_message_escapes_control_bytes(void **state)
{
	static const char hostile[] = "[ 1.0] divide error: \x1b]0;owned\x07 \xc2\x9b" "2J \x7f\xe9\n"
				      "[ 1.1] RIP: 0010:f\x1b[31m+0x1/0x2\n";
	struct nx_dump d = dump("h\x1bost", "oops", true);
	struct nx_report r = report();
	struct nx_report_set set = { .reports = &r, .n = 1 };
	struct nxd_stored s = { .id = 9, .dump = &d, .reports = &set,
				.title = "divide error in f\x1b[2J\xc2\x85" };
	char buf[SYSLOG_MAX];
	size_t n;

	(void)state;
	d.text = (char *)hostile;
	d.text_len = sizeof(hostile) - 1;
	r.start = 0;
	r.end = d.text_len;
	r.kernel = "6.1\x1b[0m";
	n = syslog_format(&s, buf, sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		assert_false((c < 0x20 && c != '\n') || c == 0x7f);
		assert_false(c == 0xc2 && i + 1 < n && (unsigned char)buf[i + 1] >= 0x80 &&
			     (unsigned char)buf[i + 1] <= 0x9f);
	}
	assert_true(nx_escape_clean(buf, n, 0));	/* valid UTF-8, no NUL */
	/* an SD-PARAM: escaped, then its '\' doubled (RFC 5424) */
	assert_non_null(memmem(buf, n, KERNEL_SD, strlen(KERNEL_SD)));
	assert_non_null(memmem(buf, n, TITLE_LINE, strlen(TITLE_LINE)));
	assert_non_null(memmem(buf, n, BODY_LINE, strlen(BODY_LINE)));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_append_file_takes_complete_dumps_only(void **state)
{
	char path[] = "/tmp/nx-append-XXXXXX", msg[256];
	int fd = mkstemp(path);
	struct nx_dump good = dump("web-17", "oops", true), partial = dump("db-2", "panic", false);
	struct nx_report r = report();
	struct nx_report_set set = { .reports = &r, .n = 1 };
	struct nxd_stored s1 = { .id = 1, .dump = &good, .reports = &set, .title = r.title },
			  s2 = { .id = 2, .dump = &partial, .title = "partial" };
	struct nxd_append *a;
	char *out;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	a = append_open(path, true, msg, sizeof(msg));
	assert_non_null(a);
	assert_int_equal(append_write(a, &s1), 1);
	assert_int_equal(append_write(a, &s2), 0);
	/* after rotation, SIGHUP's reopen writes to a new file at the old path */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(append_reopen(a), 0);
	assert_int_equal(append_write(a, &s1), 1);
	assert_int_equal(append_sync(a), 0);
	append_close(a);
	out = slurp(path);
	unlink(path);
	assert_non_null(strstr(out, "==== netoops report 1: divide error in init_module ====\n"
				    "host: web-17  source: 10.0.0.7:2004  reason: oops"));
	assert_non_null(strstr(out, "----\n[  1.000000] boot noise\n"));
	assert_non_null(strstr(out, "[crash]\n==== end of netoops report 1 ====\n"));
	assert_null(strstr(out, "db-2"));
}

static void test_append_open_failure_says_why(void **state)
{
	char msg[256] = "";

	(void)state;
	assert_null(append_open("/nonexistent-dir/oops.log", true, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "/nonexistent-dir/oops.log"));
	assert_non_null(strstr(msg, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_message_is_rfc5424),
		cmocka_unit_test(test_syslog_test_dump_is_notice_and_host_falls_back),
		cmocka_unit_test(test_syslog_message_is_bounded),
		cmocka_unit_test(test_syslog_message_escapes_control_bytes),
		cmocka_unit_test(test_append_file_takes_complete_dumps_only),
		cmocka_unit_test(test_append_open_failure_says_why),
	};

	return cmocka_run_group_tests_name("store-outputs", tests, NULL, NULL);
}

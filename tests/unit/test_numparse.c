/* Unit tests of core/numparse: counts, sizes, seconds and ports as both programs parse them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/numparse.h"

typedef int parser(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Every one of BAD[0..N) is refused by PARSE as not a WHAT at all (not as out of range). */
static void refuses(parser *parse, const char *what, const char *const *bad, size_t n)
{
	uint64_t v;

	for (size_t i = 0; i < n; i++) {
		if (parse(bad[i], 0, UINT64_MAX, &v) != NX_PARSE_SYNTAX)
			fail_msg("'%s' was not refused as %s", bad[i], what);
	}
}

#define REFUSES(parse, what, ...) do { \
	static const char *const bad_[] = { __VA_ARGS__ }; \
	refuses(parse, what, bad_, sizeof(bad_) / sizeof(bad_[0])); \
} while (0)

static uint64_t size_of(const char *s)
{
	uint64_t v = 0;

	assert_int_equal(nx_parse_size(s, 0, UINT64_MAX, &v), NX_PARSE_OK);
	return v;
}

static void sizes(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(size_of("4096"), 4096);
	assert_int_equal(size_of("64M"), 64ull << 20);
	assert_int_equal(size_of("64m"), 64ull << 20);
	assert_int_equal(size_of("64MiB"), 64ull << 20);
	assert_int_equal(size_of("64MB"), 64ull << 20);
	assert_int_equal(size_of("1gb"), 1ull << 30);
	assert_int_equal(size_of("2T"), 2ull << 40);
	assert_int_equal(size_of("10B"), 10);
	assert_int_equal(size_of("16777215T"), 16777215ull << 40);
	/* The overflows of the old parser: 2^54+8 K wrapped to 8 KiB, 2^34+1 G to 1 GiB. */
	assert_int_equal(nx_parse_size("18014398509481992K", 0, UINT64_MAX, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_size("17179869185G", 0, UINT64_MAX, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_size("16777216T", 0, UINT64_MAX, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_size("99999999999999999999", 0, UINT64_MAX, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_size("2G", 4096, 1u << 30, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_size("4095", 4096, 1u << 30, &v), NX_PARSE_RANGE);
	assert_int_equal(v, 7);		/* untouched on failure */
	REFUSES(nx_parse_size, "a size", "", "M", "-1M", "+1M", " 1M", "1M ", "1 M", "1Mi", "1iB",
		"1X", "0x10", "1.5G", "1MBB", "1K1");
}

static void counts(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(nx_parse_uint("0", 0, 10, &v), NX_PARSE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(nx_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), NX_PARSE_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(nx_parse_uint("18446744073709551616", 0, UINT64_MAX, &v),
			 NX_PARSE_RANGE);
	assert_int_equal(nx_parse_uint("11", 1, 10, &v), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_uint("0", 1, 10, &v), NX_PARSE_RANGE);
	REFUSES(nx_parse_uint, "a count", "", "-5", "+5", "abc", "5x", " 5", "5 ", "0x5", "5.0");
}

static void seconds(void **state)
{
	uint64_t ms = 0;

	(void)state;
	assert_int_equal(nx_parse_seconds("30", 0, UINT64_MAX, &ms), NX_PARSE_OK);
	assert_int_equal(ms, 30000);
	assert_int_equal(nx_parse_seconds("0.5", 0, UINT64_MAX, &ms), NX_PARSE_OK);
	assert_int_equal(ms, 500);
	assert_int_equal(nx_parse_seconds("1.25", 0, UINT64_MAX, &ms), NX_PARSE_OK);
	assert_int_equal(ms, 1250);
	assert_int_equal(nx_parse_seconds("2.001", 0, UINT64_MAX, &ms), NX_PARSE_OK);
	assert_int_equal(ms, 2001);
	assert_int_equal(nx_parse_seconds("0.05", 100, 1000, &ms), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_seconds("18446744073709552", 0, UINT64_MAX, &ms),
			 NX_PARSE_RANGE);
	REFUSES(nx_parse_seconds, "seconds", "", "abc", "-1", "1.", ".5", "1.2345", "1e3", "1s",
		"1,5", "inf", "nan");
}

static void ports(void **state)
{
	uint16_t p = 0;

	(void)state;
	assert_int_equal(nx_parse_port("1", &p), NX_PARSE_OK);
	assert_int_equal(p, 1);
	assert_int_equal(nx_parse_port("65535", &p), NX_PARSE_OK);
	assert_int_equal(p, 65535);
	assert_int_equal(nx_parse_port("65536", &p), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_port("70000", &p), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_port("0", &p), NX_PARSE_RANGE);
	assert_int_equal(nx_parse_port("-1", &p), NX_PARSE_SYNTAX);
	assert_int_equal(nx_parse_port("", &p), NX_PARSE_SYNTAX);
	assert_int_equal(nx_parse_port("80x", &p), NX_PARSE_SYNTAX);
	assert_int_equal(p, 65535);
}

static void messages_give_the_range(void **state)
{
	const struct nx_num rcvbuf = { "rcvbuf", NX_NUM_SIZE, 4096, 1u << 30, "64M" };
	const struct nx_num limit = { "--limit", NX_NUM_COUNT, 1, 1000, "100" };
	const struct nx_num timeout = { "--timeout", NX_NUM_SECONDS, 100, 3600000, "30" };
	const struct nx_num port = { "--daemon 'x:70000'", NX_NUM_PORT, 0, 0, "2080" };
	char msg[256];
	uint64_t v;

	(void)state;
	assert_int_equal(nx_parse_num(&rcvbuf, "18014398509481992K", &v, msg, sizeof(msg)),
			 NX_PARSE_RANGE);
	assert_string_equal(msg, "rcvbuf: 18014398509481992K is out of range (4K to 1G bytes)");
	assert_int_equal(nx_parse_num(&rcvbuf, "lots", &v, msg, sizeof(msg)), NX_PARSE_SYNTAX);
	assert_string_equal(msg, "rcvbuf: 'lots' is not a size (a number, then K, M, G or T); "
			    "write e.g. 64M (4K to 1G bytes)");
	assert_int_equal(nx_parse_num(&limit, "-5", &v, msg, sizeof(msg)), NX_PARSE_SYNTAX);
	assert_string_equal(msg, "--limit: '-5' is not a whole number; write e.g. 100 (1 to 1000)");
	assert_int_equal(nx_parse_num(&timeout, "0.05", &v, msg, sizeof(msg)), NX_PARSE_RANGE);
	assert_string_equal(msg, "--timeout: 0.05 is out of range (0.1 to 3600 seconds)");
	assert_int_equal(nx_parse_num(&port, "70000", &v, msg, sizeof(msg)), NX_PARSE_RANGE);
	assert_string_equal(msg, "--daemon 'x:70000': 70000 is out of range (1 to 65535)");
	/* The text quoted in a message is escaped: no control byte reaches the terminal. */
	assert_int_equal(nx_parse_num(&limit, "\x1b[2J", &v, msg, sizeof(msg)), NX_PARSE_SYNTAX);
	assert_non_null(strstr(msg, "'\\x1b[2J'"));
	assert_int_equal(nx_parse_num(&timeout, "2.5", &v, msg, sizeof(msg)), NX_PARSE_OK);
	assert_int_equal(v, 2500);
}

static void formats_sizes(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(nx_format_size(1ull << 40, buf, sizeof(buf)), "1T");
	assert_string_equal(nx_format_size(3ull << 30, buf, sizeof(buf)), "3G");
	assert_string_equal(nx_format_size(1536ull << 10, buf, sizeof(buf)), "1536K");
	assert_string_equal(nx_format_size(4096, buf, sizeof(buf)), "4K");
	assert_string_equal(nx_format_size(1000, buf, sizeof(buf)), "1000");
	assert_string_equal(nx_format_size(0, buf, sizeof(buf)), "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(counts),
		cmocka_unit_test(seconds),
		cmocka_unit_test(ports),
		cmocka_unit_test(messages_give_the_range),
		cmocka_unit_test(formats_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

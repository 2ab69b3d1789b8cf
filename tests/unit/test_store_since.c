/* nx_store_parse_since(): the `since` formats netoopsctl list and the HTTP API share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

#define NOW_MS	1795833723456LL		/* 2026-11-28T02:42:03.456Z, a fixed clock */

static void relative_to_now(void **state)
{
	(void)state;
	assert_int_equal(nx_store_parse_since("90s", NOW_MS), NOW_MS - 90000);
	assert_int_equal(nx_store_parse_since("30m", NOW_MS), NOW_MS - 1800000);
	assert_int_equal(nx_store_parse_since("2h", NOW_MS), NOW_MS - 7200000);
	assert_int_equal(nx_store_parse_since("7d", NOW_MS), NOW_MS - 7 * 86400000LL);
	assert_int_equal(nx_store_parse_since("0s", NOW_MS), NOW_MS);
	/* further back than 1970 is 1970, and no overflow (fuzz_http found 303333333333d) */
	assert_int_equal(nx_store_parse_since("303333333333d", NOW_MS), 0);
	assert_int_equal(nx_store_parse_since("999999999999s", NOW_MS), 0);
}

static void absolute(void **state)
{
	(void)state;
	assert_int_equal(nx_store_parse_since("@1795833723", NOW_MS), 1795833723000LL);
	assert_int_equal(nx_store_parse_since("2026-11-28", NOW_MS), 1795824000000LL);
	assert_int_equal(nx_store_parse_since("2026-11-28T01:22", NOW_MS), 1795828920000LL);
	assert_int_equal(nx_store_parse_since("2026-11-28 01:22:03Z", NOW_MS), 1795828923000LL);
}

static void refused(void **state)
{
	static const char *const bad[] = {
		"", "soon", "30", "30x", "2h ", "-5m", "@", "@12a", "@-1", "2026-13-01",
		"2026-11-28T", "2026-11-28T01:22:03+02:00", "99999999999999999999s",
		"1000000000000d",	/* would overflow the milliseconds */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nx_store_parse_since(bad[i], NOW_MS) != -1)
			fail_msg("'%s' accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relative_to_now),
		cmocka_unit_test(absolute),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

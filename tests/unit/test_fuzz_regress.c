/* Every regression seed in tests/fuzz/regress/<target>/ replayed through its fuzz target's
 * own checks (the target's file is compiled in here under another name). */
#include <dirent.h>

#include "analyse_helpers.h"

#define LLVMFuzzerTestOneInput fuzz_analyse_one
#define check analyse_check
#include "../fuzz/fuzz_analyse.c"
#undef check
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_decode_one
#define check decode_check
#include "../fuzz/fuzz_decode.c"
#undef check
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_reasm_one
#include "../fuzz/fuzz_reasm.c"
#undef LLVMFuzzerTestOneInput

/* Feeds every file of tests/fuzz/regress/TARGET to ONE; returns how many there were. */
static size_t replay(const char *target, int (*one)(const uint8_t *, size_t))
{
	char dir[256], path[512];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "tests/fuzz/regress/%s", target);
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		char *buf;
		size_t len = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = slurp(path, &len);
		print_message("replaying %s\n", path);
		assert_int_equal(one((const uint8_t *)buf, len), 0);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void analyse_seeds(void **state)
{
	(void)state;
	assert_true(replay("fuzz_analyse", fuzz_analyse_one) >= 2);	/* at least the two heap overflows */
}

static void decode_seeds(void **state)
{
	(void)state;
	replay("fuzz_decode", fuzz_decode_one);
}

static void reasm_seeds(void **state)
{
	(void)state;
	assert_true(replay("fuzz_reasm", fuzz_reasm_one) >= 1);	/* a part longer than the parity shard */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(analyse_seeds),
		cmocka_unit_test(decode_seeds),
		cmocka_unit_test(reasm_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

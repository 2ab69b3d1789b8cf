/* nx_store_text() and nx_store_text_len(): a dump's stored bytes, whatever they are, on SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"
#include "store_fixture.h"

static void bytes_as_stored(void **state)
{
	static const char odd[] = "nul \0 ctl \001\037 invalid utf-8 \xff\xc3( quote \" end";
	struct fixture *f = *state;
	int64_t id = fixture_add_text(f->s, odd, sizeof(odd) - 1), empty = fixture_add_text(f->s, "", 0);
	size_t len = 99;
	char *t = nx_store_text(f->s, id, &len);

	assert_non_null(t);
	assert_int_equal(len, sizeof(odd) - 1);
	assert_memory_equal(t, odd, len);
	assert_int_equal(t[len], '\0');
	free(t);
	assert_int_equal(nx_store_text_len(f->s, id), sizeof(odd) - 1);
	t = nx_store_text(f->s, empty, &len);
	assert_non_null(t);
	assert_int_equal(len, 0);
	free(t);
	assert_int_equal(nx_store_text_len(f->s, empty), 0);
}

static void missing_id_is_not_an_error(void **state)
{
	struct fixture *f = *state;
	size_t len;

	fixture_add_text(f->s, "x\n", 2);
	assert_null(nx_store_text(f->s, 424242, &len));
	assert_string_equal(nx_store_error(f->s), "");
	assert_int_equal(nx_store_text_len(f->s, 424242), -1);
	assert_string_equal(nx_store_error(f->s), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bytes_as_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_id_is_not_an_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of netoopsd's authentication settings (src/netoopsd/auth_config.c): values and messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/netoopsd/auth_config.c"

static void modes_and_messages(void **state)
{
	struct nxd_auth_config c = { 0 };
	char msg[512];

	(void)state;
	assert_true(auth_config_owns("auth") && auth_config_owns("fleet-key") &&
		    auth_config_owns("auth-exempt") && auth_config_owns("replay-window-ms"));
	assert_false(auth_config_owns("db"));
	assert_null(auth_config_set(&c, "auth", "required", msg, sizeof(msg)));
	assert_int_equal(c.mode, NXD_AUTH_REQUIRED);
	assert_non_null(auth_config_set(&c, "auth", "yes", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "off, optional or required"));
	/* Required without a key: the message says which setting to add. */
	assert_non_null(auth_config_check(&c, 10000, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "fleet-key = PATH"));
	assert_null(auth_config_set(&c, "fleet-key", "/etc/netoops/fleet.key", msg, sizeof(msg)));
	assert_null(auth_config_check(&c, 10000, msg, sizeof(msg)));
	assert_int_equal(c.replay_window_ms, 5000);		/* half of quiet-ms */
	assert_null(auth_config_set(&c, "replay-window-ms", "2000", msg, sizeof(msg)));
	assert_int_equal(c.replay_window_ms, 2000);
	assert_non_null(auth_config_set(&c, "replay-window-ms", "5", msg, sizeof(msg)));
}

static void exempt_networks(void **state)
{
	struct nxd_auth_config c = { 0 };
	char msg[512];

	(void)state;
	assert_null(auth_config_set(&c, "auth-exempt", "10.1.0.0/16", msg, sizeof(msg)));
	assert_null(auth_config_set(&c, "auth-exempt", "fd00::/8", msg, sizeof(msg)));
	assert_null(auth_config_set(&c, "auth-exempt", "192.0.2.7", msg, sizeof(msg)));
	assert_int_equal(c.n_exempt, 3);
	assert_int_equal(c.exempt[0].family, AF_INET);
	assert_int_equal(c.exempt[0].prefix, 16);
	assert_int_equal(c.exempt[1].family, AF_INET6);
	assert_int_equal(c.exempt[1].prefix, 8);
	assert_int_equal(c.exempt[2].prefix, 32);
	static const char *const bad[] = { "10.1.0.0/33", "fd00::/129", "host.example", "/8", "",
					   "10.0.0.0/", "10.0.0.0/-1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!auth_config_set(&c, "auth-exempt", bad[i], msg, sizeof(msg)))
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(msg, "ADDR/PREFIX"));
	}
	assert_int_equal(c.n_exempt, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes_and_messages),
		cmocka_unit_test(exempt_networks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

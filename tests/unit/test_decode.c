/* Decoder tests: each format, and the malformed variants each decoder must refuse. */
#include "test_reasm_util.h"

#define HDR_HEAD "NETOOPS1 web-17 " BOOT_A " 3 oops 6.1.0-27-amd64 1764288000.123456 "

static int dec(const char *s, struct nx_packet *p)
{
	const char *why = NULL;
	int rc = nx_decode((const uint8_t *)s, strlen(s), p, &why);

	if (rc)
		assert_non_null(why);	/* every refusal says why */
	return rc;
}

static void test_v1_valid(void **state)
{
	(void)state;
	struct nx_packet p;
	const char *d = HDR_HEAD "1/47 63180/64410 2/2 foo_1=bar\n[  412.1] divide error\n";

	assert_int_equal(dec(d, &p), 0);
	assert_int_equal(p.format, NX_FMT_NETOOPS);
	assert_string_equal(p.host, "web-17");
	assert_string_equal(p.boot, BOOT_A);
	assert_int_equal(p.dump, 3);
	assert_string_equal(p.reason, "oops");
	assert_string_equal(p.release, "6.1.0-27-amd64");
	assert_int_equal(p.time_usec, 1764288000123456ull);
	assert_int_equal(p.part, 1);
	assert_int_equal(p.parts, 47);
	assert_int_equal(p.offset, 63180);
	assert_int_equal(p.total, 64410);
	assert_int_equal(p.copy, 2);
	assert_int_equal(p.copies, 2);
	assert_int_equal(p.text_len, strlen("[  412.1] divide error\n"));
	assert_memory_equal(p.text, "[  412.1] divide error\n", p.text_len);
}

static void test_v1_malformed_variants(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"NETOOPS2 web-17 " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx",	/* version */
		"NETOOPS1",							/* truncated */
		"NETOOPS1 web-17 " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1",	/* no \n */
		"NETOOPS1 web!17 " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx",	/* host */
		"NETOOPS1  " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx",	/* empty host */
		"NETOOPS1 h 0F3C5E0B8E9A4D7CB1F2A9D8C7E6B5A4 3 oops r 1.000000 0/1 0/1 1/1\nx",
		"NETOOPS1 h 0f3c 3 oops r 1.000000 0/1 0/1 1/1\nx",		/* short boot */
		"NETOOPS1 h " BOOT_A " 0 oops r 1.000000 0/1 0/1 1/1\nx",	/* dump 0 */
		"NETOOPS1 h " BOOT_A " 03 oops r 1.000000 0/1 0/1 1/1\nx",	/* leading zero */
		"NETOOPS1 h " BOOT_A " 4294967296 oops r 1.000000 0/1 0/1 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 crash r 1.000000 0/1 0/1 1/1\nx",	/* reason */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.12345 0/1 0/1 1/1\nx",	/* 5 digits */
		"NETOOPS1 h " BOOT_A " 3 oops r -1.000000 0/1 0/1 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 01.000000 0/1 0/1 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 1/1 0/1 1/1\nx",	/* P == N */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/0 0/1 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/65536 0/1 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/33554433 1/1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 1/1 1/1\nx",	/* O+len > T */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/0 1/1\nx",	/* text > T */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 0/2\nx",	/* copy 0 */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 3/2\nx",	/* C > K */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/9\nx",	/* K > 8 */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1 Foo=1\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1 foo\nx",
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1 \nx",	/* trailing space */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1\nx",		/* missing field */
		"NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/\nx",
	};
	struct nx_packet p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec(bad[i], &p) != -1)
			fail_msg("accepted bad datagram %zu: %s", i, bad[i]);
	}
	/* the same header made right is accepted: the variants above fail for their flaw */
	assert_int_equal(dec("NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx", &p), 0);
	assert_int_equal(dec("NETOOPS1 h " BOOT_A " 4294967295 shutdown r 0.000000 0/65535 "
			     "33554431/33554432 8/8\nx", &p), 0);
}

static void test_v1_over_1400_bytes(void **state)
{
	(void)state;
	char d[1500];
	int n = snprintf(d, sizeof(d), "NETOOPS1 h " BOOT_A " 3 oops r 1.000000 0/1 0/2000 1/1\n");
	struct nx_packet p;

	memset(d + n, 'a', sizeof(d) - (size_t)n);
	assert_int_equal(nx_decode((uint8_t *)d, 1400, &p, NULL), 0);
	assert_int_equal(nx_decode((uint8_t *)d, 1401, &p, NULL), -1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static size_t legacy(uint8_t *b, uint16_t doff, uint32_t count, uint32_t no)
{
	memset(b, 0, NETOOPS_V3_DATAGRAM_X86_64);
	put16(b, 3);
	put16(b + 2, 4242);
	put16(b + 4, doff);
	put16(b + 6, 2);
	put16(b + 10, 1);
	put32(b + 12, count);
	put32(b + 16, no);
	put32(b + 20, 99);
	memcpy(b + doff, "<4>[ 1.0] hi\n", 13);
	return (size_t)doff + 1024;
}

static void test_legacy_valid_layouts(void **state)
{
	(void)state;
	static const uint16_t offs[] = { 388, 288, 256, 88, 84 };
	uint8_t b[NETOOPS_V3_DATAGRAM_X86_64];
	struct nx_packet p;

	for (size_t i = 0; i < 5; i++) {
		size_t n = legacy(b, offs[i], 10, 0);

		assert_int_equal(nx_decode(b, n, &p, NULL), 0);
		assert_int_equal(p.format, NX_FMT_LEGACY_V3);
		assert_int_equal(p.dump, 4242);
		assert_string_equal(p.boot, "99");
		assert_int_equal(p.parts, 10);
		assert_int_equal(p.part, 0);
		assert_int_equal(p.offset, 9 * 1024);	/* packet 0 is the newest chunk */
		assert_int_equal(p.text_len, 13);	/* trailing NULs stripped */
		assert_int_equal(p.legacy_type, 1);
	}
}

static void test_legacy_release_not_terminated(void **state)
{
	(void)state;
	uint8_t b[NETOOPS_V3_DATAGRAM_X86_64];
	struct nx_packet p;
	size_t n = legacy(b, 388, 1, 0);

	memset(b + 24, 'r', 64);		/* fills the field: no NUL */
	b[24 + 3] = 0x01;			/* unprintable -> '_' */
	assert_int_equal(nx_decode(b, n, &p, NULL), 0);
	assert_int_equal(strlen(p.release), 64);
	assert_int_equal(p.release[3], '_');
	memset(b + 388, 0, 1024);		/* all padding */
	assert_int_equal(nx_decode(b, n, &p, NULL), 0);
	assert_int_equal(p.text_len, 0);
}

static void test_legacy_malformed(void **state)
{
	(void)state;
	uint8_t b[NETOOPS_V3_DATAGRAM_X86_64];
	struct nx_packet p;

	assert_int_equal(nx_decode(b, legacy(b, 388, 10, 0) - 1, &p, NULL), -1);	/* length */
	legacy(b, 388, 10, 0);
	put16(b + 4, 288);				/* data_offset disagrees with length */
	assert_int_equal(nx_decode(b, 1412, &p, NULL), -1);
	put16(b + 4, 100);
	assert_int_equal(nx_decode(b, 1124, &p, NULL), -1);
	assert_int_equal(nx_decode(b, legacy(b, 388, 0, 0), &p, NULL), -1);	/* count 0 */
	assert_int_equal(nx_decode(b, legacy(b, 388, 10, 10), &p, NULL), -1);	/* no == count */
	assert_int_equal(nx_decode(b, legacy(b, 388, NX_LEGACY_MAX_PACKETS + 1, 0), &p, NULL), -1);
	assert_int_equal(nx_decode(b, legacy(b, 388, 0xffffffffu, 5), &p, NULL), -1);
	assert_int_equal(nx_decode(b, 10, &p, NULL), -1);	/* version 3, truncated */
	assert_int_equal(nx_decode(b, legacy(b, 388, NX_LEGACY_MAX_PACKETS, 0), &p, NULL), 0);
}

static void test_nc_extended(void **state)
{
	(void)state;
	struct nx_packet p;

	assert_int_equal(dec("6,416,1758426,-;the message\n SUBSYSTEM=net\n", &p), 0);
	assert_int_equal(p.format, NX_FMT_NC_EXTENDED);
	assert_int_equal(p.nc_level, 6);
	assert_int_equal(p.nc_seq, 416);
	assert_int_equal(p.nc_usec, 1758426);
	assert_int_equal(p.nc_flag, '-');
	assert_false(p.nc_frag);
	assert_int_equal(p.text_len, strlen("the message\n SUBSYSTEM=net\n"));

	assert_int_equal(dec("6.4.0,14,444,501151268,c,caller=T12,ncfrag=16/31; the 2nd chunk.", &p), 0);
	assert_int_equal(p.format, NX_FMT_NC_EXTENDED);
	assert_string_equal(p.release, "6.4.0");
	assert_int_equal(p.nc_level, 6);
	assert_true(p.nc_cont);
	assert_true(p.nc_frag);
	assert_int_equal(p.nc_frag_off, 16);
	assert_int_equal(p.nc_frag_total, 31);
}

static void test_nc_extended_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"6,416,1758426,-,ncfrag=31/31;x",		/* offset not inside */
		"6,416,1758426,-,ncfrag=30/31;xx",		/* runs past total */
		"6,416,1758426,-,ncfrag=0/0;",
		"6,416,1758426,-,ncfrag=0/65537;x",		/* huge total */
		"6,416,1758426,-,ncfrag=0/10,ncfrag=0/10;x",	/* twice */
		"6,416,1758426,-,ncfrag=0;x",
		"6,416,1758426,-,junk;x",			/* option without '=' */
	};
	struct nx_packet p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dec(bad[i], &p) != -1)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(dec("", &p), -1);		/* empty datagram */
	/* binary noise is not somebody's console */
	assert_int_equal(nx_decode((const uint8_t *)"ab\0cd", 5, &p, NULL), -1);
	assert_int_equal(dec("\x01\x02\x03\x04\x05\x06\x07\x08" "abcdef", &p), -1);
	assert_int_equal(dec("\x1b[1mbold\x1b[0m console text with colours", &p), 0);
}

static void test_nc_basic_fallbacks(void **state)
{
	(void)state;
	static const char *const basic[] = {
		"[   12.345678] plain console text\n",
		"6,416,1758426,x;bad flag",
		"6,416,1758426,-",			/* no ';' */
		"6,416;short",
		"6,4\n16,1758426,-;newline in header",
		"\x04 mostly text after one control byte",
	};
	struct nx_packet p;

	for (size_t i = 0; i < sizeof(basic) / sizeof(basic[0]); i++) {
		assert_int_equal(dec(basic[i], &p), 0);
		assert_int_equal(p.format, NX_FMT_NC_BASIC);
		assert_int_equal(p.text_len, strlen(basic[i]));
	}
}

static void test_unescape(void **state)
{
	(void)state;
	char out[32];
	const char *in = "a\\x5cb\\x09c\\xZZ\\x4";
	size_t n = nx_nc_unescape((const uint8_t *)in, strlen(in), out);

	assert_int_equal(n, strlen("a\\b\tc\\xZZ\\x4"));
	assert_memory_equal(out, "a\\b\tc\\xZZ\\x4", n);
}

static void test_over_64k_is_malformed(void **state)
{
	(void)state;
	size_t n = NX_DATAGRAM_MAX + 1;
	uint8_t *b = malloc(n);
	struct nx_packet p;

	memset(b, 'a', n);
	assert_int_equal(nx_decode(b, n, &p, NULL), -1);
	assert_int_equal(nx_decode(b, n - 1, &p, NULL), 0);
	free(b);
}

static void test_format_names(void **state)
{
	(void)state;
	assert_string_equal(nx_format_name(NX_FMT_NETOOPS), "netoops");
	assert_string_equal(nx_format_name(NX_FMT_LEGACY_V3), "legacy-v3");
	assert_string_equal(nx_format_name(NX_FMT_NC_EXTENDED), "netconsole-extended");
	assert_string_equal(nx_format_name(NX_FMT_NC_BASIC), "netconsole");
	assert_string_equal(nx_format_name(NX_FORMAT_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_valid),
		cmocka_unit_test(test_v1_malformed_variants),
		cmocka_unit_test(test_v1_over_1400_bytes),
		cmocka_unit_test(test_legacy_valid_layouts),
		cmocka_unit_test(test_legacy_release_not_terminated),
		cmocka_unit_test(test_legacy_malformed),
		cmocka_unit_test(test_nc_extended),
		cmocka_unit_test(test_nc_extended_malformed),
		cmocka_unit_test(test_nc_basic_fallbacks),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_over_64k_is_malformed),
		cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

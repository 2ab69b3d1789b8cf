/* Unit tests of core/escape: the one convention for JSON and terminal text, and its inverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/escape.h"

/* IN[0..LEN) escaped by FLAGS must be exactly WANT. */
static void expect(const char *in, size_t len, unsigned flags, const char *want)
{
	size_t n;
	char *out = nx_escape_dup(in, len, flags, &n);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(nx_escape(in, len, flags, NULL, 0), n);
	assert_true(nx_escape_clean(in, len, flags) == (n == len && memcmp(in, out, n) == 0));
	free(out);
}

#define EXPECT(lit, flags, want) expect(lit, sizeof(lit) - 1, flags, want)

static void valid_utf8_passes(void **state)
{
	(void)state;
	EXPECT("plain text", NX_ESC_JSON, "plain text");
	EXPECT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa5", NX_ESC_LINE,
	       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa5");
	EXPECT("a\\b \\x \\xg1 \\", NX_ESC_LINE, "a\\b \\x \\xg1 \\");	/* no "\xHH" */
	EXPECT("\x1b[31m\x7f\xc2\x9b", NX_ESC_JSON, "\x1b[31m\x7f\xc2\x9b");	/* JSON's job */
	EXPECT("", NX_ESC_TEXT, "");
}

static void invalid_bytes_become_hex(void **state)
{
	(void)state;
	EXPECT("ins\xe9mod", NX_ESC_JSON, "ins\\xe9mod");
	EXPECT("nul\0inside", NX_ESC_JSON, "nul\\x00inside");
	EXPECT("\xc0\xaf", NX_ESC_JSON, "\\xc0\\xaf");			/* overlong '/' */
	EXPECT("\xe0\x80\xaf", NX_ESC_JSON, "\\xe0\\x80\\xaf");		/* overlong */
	EXPECT("\xed\xa0\x80", NX_ESC_JSON, "\\xed\\xa0\\x80");		/* a surrogate */
	EXPECT("\xf4\x90\x80\x80", NX_ESC_JSON, "\\xf4\\x90\\x80\\x80");	/* over U+10FFFF */
	EXPECT("\xf0\x9f\x92", NX_ESC_JSON, "\\xf0\\x9f\\x92");		/* cut short */
	EXPECT("\xe2\x82x", NX_ESC_JSON, "\\xe2\\x82x");
	EXPECT("\xff\xfe", NX_ESC_JSON, "\\xff\\xfe");
	EXPECT("\xef\xbf\xbf\xf4\x8f\xbf\xbf", NX_ESC_JSON, "\xef\xbf\xbf\xf4\x8f\xbf\xbf");
}

static void controls_for_terminals(void **state)
{
	(void)state;
	EXPECT("a\x1b]0;owned\x07z", NX_ESC_LINE, "a\\x1b]0;owned\\x07z");
	EXPECT("\x1b[2J\x7f\x01\r", NX_ESC_LINE, "\\x1b[2J\\x7f\\x01\\x0d");
	EXPECT("csi \xc2\x9b, nel \xc2\x85, nbsp \xc2\xa0", NX_ESC_LINE,
	       "csi \\xc2\\x9b, nel \\xc2\\x85, nbsp \xc2\xa0");
	EXPECT("a\tb\nc", NX_ESC_LINE, "a\\x09b\\x0ac");
	EXPECT("a\tb\nc\x1b", NX_ESC_TEXT, "a\tb\nc\\x1b");
	/* Text escaped already (from JSON): its backslashes stay as they are. */
	EXPECT("ins\\xe9mod \x1b", NX_ESC_CONTROL, "ins\\xe9mod \\x1b");
}

static void backslash_x_is_marked(void **state)
{
	(void)state;
	EXPECT("\\x41", NX_ESC_JSON, "\\x5cx41");
	EXPECT("\\xE9\\", NX_ESC_LINE, "\\x5cxE9\\");
	EXPECT("\\x41", NX_ESC_CONTROL, "\\x41");
}

static void truncation_keeps_whole_escapes(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(nx_escape("ab\x1b" "cd", 5, NX_ESC_LINE, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "ab\\x1bc");
	assert_int_equal(nx_escape("abcdef\x1b", 7, NX_ESC_LINE, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "abcdef");		/* not "abcdef\" */
	assert_int_equal(nx_escape("abcde\xe2\x82\xac", 8, NX_ESC_LINE, buf, 8), 8);
	assert_string_equal(buf, "abcde");		/* not half a character */
	assert_int_equal(nx_escape("xyz", 3, NX_ESC_LINE, buf, 1), 3);
	assert_string_equal(buf, "");
}

/* Deterministic pseudo-random bytes, biased towards the interesting ones. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned char some_byte(void)
{
	static const unsigned char pick[] = { 0, '\\', 'x', 'a', 'F', '4', 0x1b, 0x7f, '\n', '\t',
					       0xc2, 0x9b, 0xe2, 0x82, 0xac, 0xf0, 0xed, 0xff };

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng & 1 ? pick[(rng >> 8) % sizeof(pick)] : (unsigned char)(rng >> 16);
}

static void assert_safe(const char *s, size_t n, unsigned flags)
{
	for (size_t i = 0; i < n;) {
		size_t k = nx_utf8_char((const unsigned char *)s + i, n - i);
		unsigned char c = (unsigned char)s[i];

		assert_true(k > 0);			/* valid UTF-8 */
		assert_true(c != 0);
		if (flags & NX_ESC_CONTROL) {
			unsigned char next = k == 2 ? (unsigned char)s[i + 1] : 0;

			assert_false(c == 0x7f || (c == 0xc2 && next < 0xa0));
			assert_true(c >= 0x20 || ((flags & NX_ESC_KEEP_NL_TAB) &&
						  (c == '\n' || c == '\t')));
		}
		i += k;
	}
}

static void round_trip(void **state)
{
	static const unsigned modes[] = { NX_ESC_JSON, NX_ESC_LINE, NX_ESC_TEXT };
	char in[64], back[256];

	(void)state;
	for (int t = 0; t < 20000; t++) {
		size_t len = (size_t)(some_byte() % sizeof(in)), n;
		unsigned flags = modes[t % 3];

		for (size_t i = 0; i < len; i++)
			in[i] = (char)some_byte();
		char *out = nx_escape_dup(in, len, flags, &n);

		assert_non_null(out);
		assert_int_equal(strlen(out), n);
		assert_safe(out, n, flags);
		assert_true(n <= sizeof(back));
		assert_int_equal(nx_unescape(out, n, back), len);
		assert_memory_equal(back, in, len);
		free(out);
	}
}

static void json_text_for_terminals(void **state)
{
	const char json[] = "{\"t\":\"a\x7f\xc2\x9b\xc2\xa0\\u001b\"}";
	size_t n;
	char *out = nx_json_tty(json, sizeof(json) - 1, &n);

	(void)state;
	assert_string_equal(out, "{\"t\":\"a\\u007f\\u009b\xc2\xa0\\u001b\"}");
	assert_int_equal(n, strlen(out));
	free(out);
	/* Each DEL grows six-fold (found by fuzz_escape: the buffer was sized three-fold). */
	out = nx_json_tty("\x7f\x7f\x7f\x7f", 4, &n);
	assert_string_equal(out, "\\u007f\\u007f\\u007f\\u007f");
	assert_int_equal(n, 24);
	free(out);
}

static void writes_to_a_file(void **state)
{
	char big[10000], got[40001];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = i % 3 ? '\x1b' : (char)0xe2;	/* many escapes over the 4 KiB pieces */
	big[sizeof(big) - 3] = (char)0xe2, big[sizeof(big) - 2] = (char)0x82;
	big[sizeof(big) - 1] = (char)0xac;
	assert_int_equal(nx_escape_write(f, big, sizeof(big), NX_ESC_TEXT), 0);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	char *want = nx_escape_dup(big, sizeof(big), NX_ESC_TEXT, NULL);
	assert_string_equal(got, want);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_utf8_passes),
		cmocka_unit_test(invalid_bytes_become_hex),
		cmocka_unit_test(controls_for_terminals),
		cmocka_unit_test(backslash_x_is_marked),
		cmocka_unit_test(truncation_keeps_whole_escapes),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(json_text_for_terminals),
		cmocka_unit_test(writes_to_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

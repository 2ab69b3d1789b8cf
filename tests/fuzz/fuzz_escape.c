/* libFuzzer target: the escaping of core/escape.h: safe output, reversible, cut only whole. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* An independent UTF-8 decoder: the code point at P (N bytes), its length in *K; -1 if invalid. */
static long decode(const unsigned char *p, size_t n, size_t *k)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp;

	*k = p[0] < 0x80 ? 1 : (p[0] >> 5) == 6 ? 2 : (p[0] >> 4) == 14 ? 3 :
	     (p[0] >> 3) == 30 ? 4 : 0;
	if (*k == 0 || *k > n)
		return -1;
	cp = *k == 1 ? p[0] : p[0] & (0x7f >> *k);
	for (size_t i = 1; i < *k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min[*k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return cp;
}

/* OUT[0..N) is valid UTF-8 without NUL and, with NX_ESC_CONTROL, without control characters. */
static void check_safe(const char *out, size_t n, unsigned flags)
{
	for (size_t i = 0, k; i < n; i += k) {
		long cp = decode((const unsigned char *)out + i, n - i, &k);

		CHECK(cp > 0);
		if (flags & NX_ESC_CONTROL) {
			bool kept = (flags & NX_ESC_KEEP_NL_TAB) && (cp == '\n' || cp == '\t');

			CHECK(kept || !(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)));
		}
	}
}

static void one_mode(const char *in, size_t len, unsigned flags, char *back)
{
	size_t n, cut;
	char *out = nx_escape_dup(in, len, flags, &n), *part;

	if (!out)
		return;
	CHECK(strlen(out) == n);
	check_safe(out, n, flags);
	CHECK(nx_escape_clean(in, len, flags) == (n == len && memcmp(in, out, n) == 0));
	if (flags & NX_ESC_RAW) {	/* reversible */
		CHECK(nx_unescape(out, n, back) == len);
		CHECK(memcmp(back, in, len) == 0);
	}
	/* A cut output is a prefix of the whole one, and still safe. */
	cut = len ? (unsigned char)in[0] % (n + 2) : 0;
	part = malloc(cut + 1);
	if (part) {
		CHECK(nx_escape(in, len, flags, part, cut + 1) == n);
		CHECK(strlen(part) <= cut && memcmp(part, out, strlen(part)) == 0);
		check_safe(part, strlen(part), flags);
		free(part);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = { NX_ESC_JSON, NX_ESC_LINE, NX_ESC_TEXT, NX_ESC_CONTROL,
					  NX_ESC_CONTROL | NX_ESC_KEEP_NL_TAB };
	char *back = malloc(size + 1), *j;
	size_t n;

	if (!back)
		return 0;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		one_mode((const char *)data, size, modes[m], back);
	/* JSON text made terminal-safe: no raw DEL or C1 left, the rest unchanged in length. */
	j = nx_json_tty((const char *)data, size, &n);
	if (j) {
		const unsigned char *u = (const unsigned char *)j;

		for (size_t i = 0; i < n; i++)
			CHECK(u[i] != 0x7f && !(u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
						u[i + 1] <= 0x9f));
		CHECK(n >= size);
		free(j);
	}
	free(back);
	return 0;
}

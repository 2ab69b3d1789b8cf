/* Escaping bytes from the network for JSON and terminals: one convention, one function. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"

static bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t nx_utf8_char(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && cont(p[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* E0: no overlong forms (A0..BF); ED: no surrogates (80..9F). */
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && p[1] >= lo && p[1] <= hi && cont(p[2]) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* F0: no overlong forms (90..BF); F4: at most U+10FFFF (80..8F). */
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && p[1] >= lo && p[1] <= hi && cont(p[2]) && cont(p[3]) ? 4 : 0;
	}
	return 0;
}

static bool hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* "\xHH" at P (N bytes left): what nx_unescape() turns into one byte. */
static bool escape_at(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == '\\' && p[1] == 'x' && hex(p[2]) && hex(p[3]);
}

/* An ASCII byte C (at P, N bytes left) that FLAGS escape. */
static bool escape_ascii(const unsigned char *p, size_t n, unsigned flags)
{
	unsigned char c = p[0];

	if (c == 0)
		return true;
	if ((flags & NX_ESC_RAW) && c == '\\')
		return escape_at(p, n);
	if (!(flags & NX_ESC_CONTROL) || (c >= 0x20 && c != 0x7f))
		return false;
	return !((flags & NX_ESC_KEEP_NL_TAB) && (c == '\n' || c == '\t'));
}

/*
 * The next unit at P (N > 0 bytes left): an ASCII byte, a whole UTF-8 character or one
 * invalid byte. Returns its length; *ESC tells whether each of its bytes is escaped.
 */
static size_t next_unit(const unsigned char *p, size_t n, unsigned flags, bool *esc)
{
	size_t k;

	if (p[0] < 0x80) {
		*esc = escape_ascii(p, n, flags);
		return 1;
	}
	k = nx_utf8_char(p, n);
	if (k == 0) {
		*esc = true;
		return 1;
	}
	/* C1 controls: U+0080..U+009F, C2 80..C2 9F; a terminal may act on them like ESC. */
	*esc = (flags & NX_ESC_CONTROL) && k == 2 && p[0] == 0xc2 && p[1] <= 0x9f;
	return k;
}

/* Write the unit P[0..K) to OUT, each byte as \xNN when ESC; returns the bytes written. */
static size_t put_unit(const unsigned char *p, size_t k, bool esc, char *out)
{
	static const char digits[] = "0123456789abcdef";

	if (!esc) {
		memcpy(out, p, k);
		return k;
	}
	for (size_t j = 0; j < k; j++) {
		out[4 * j] = '\\';
		out[4 * j + 1] = 'x';
		out[4 * j + 2] = digits[p[j] >> 4];
		out[4 * j + 3] = digits[p[j] & 15];
	}
	return 4 * k;
}

size_t nx_escape(const char *in, size_t len, unsigned flags, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, need = 0, used = 0;
	bool full = cap == 0;

	while (i < len) {
		bool esc;
		size_t k = next_unit(p + i, len - i, flags, &esc), w = esc ? 4 * k : k;

		if (!full && used + w < cap)
			used += put_unit(p + i, k, esc, out + used);
		else
			full = true;
		need += w;
		i += k;
	}
	if (cap)
		out[used] = '\0';
	return need;
}

bool nx_escape_clean(const char *in, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0;

	while (i < len) {
		bool esc;

		i += next_unit(p + i, len - i, flags, &esc);
		if (esc)
			return false;
	}
	return true;
}

char *nx_escape_dup(const char *in, size_t len, unsigned flags, size_t *outlen)
{
	size_t need = nx_escape(in, len, flags, NULL, 0);
	char *out = malloc(need + 1);

	if (!out)
		return NULL;
	nx_escape(in, len, flags, out, need + 1);
	if (outlen)
		*outlen = need;
	return out;
}

size_t nx_unescape(const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;

	while (i < len) {
		if (escape_at(p + i, len - i)) {
			out[o++] = (char)(hexval(p[i + 2]) << 4 | hexval(p[i + 3]));
			i += 4;
		} else {
			out[o++] = in[i++];
		}
	}
	return o;
}

int nx_escape_write(FILE *f, const char *in, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)in;
	char buf[4096];
	size_t i = 0, used = 0;

	while (i < len) {
		bool esc;
		size_t k = next_unit(p + i, len - i, flags, &esc);

		if (used + 4 * k > sizeof(buf)) {
			fwrite(buf, 1, used, f);
			used = 0;
		}
		used += put_unit(p + i, k, esc, buf + used);
		i += k;
	}
	fwrite(buf, 1, used, f);
	return ferror(f) ? -1 : 0;
}

char *nx_json_tty(const char *json, size_t len, size_t *outlen)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)json;
	/* DEL (1 byte) becomes 6, a C1 control (2 bytes) 6 too. */
	char *out = len <= (SIZE_MAX - 1) / 6 ? malloc(6 * len + 1) : NULL, *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		bool c1 = p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f;
		unsigned char c = c1 ? p[++i] : p[i];

		if (c1 || c == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = digits[c >> 4];
			o[5] = digits[c & 15];
			o += 6;
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	if (outlen)
		*outlen = (size_t)(o - out);
	return out;
}

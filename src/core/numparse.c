/* Numbers from options and config files: counts, sizes, seconds, ports; one parser each. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/escape.h"
#include "core/numparse.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Leading digits of *SP into *V (*SP moved past them); SYNTAX if none, RANGE on overflow. */
static int leading_digits(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	bool over = false;

	if (!digit(*s))
		return NX_PARSE_SYNTAX;
	for (*v = 0; digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*v > (UINT64_MAX - d) / 10)
			over = true;
		else
			*v = *v * 10 + d;
	}
	*sp = s;
	return over ? NX_PARSE_RANGE : NX_PARSE_OK;
}

/* The end of a parse: the rest must be empty, then V must lie in [MIN, MAX]. */
static int finish(int rc, const char *rest, uint64_t v, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	if (rc == NX_PARSE_SYNTAX || *rest)
		return NX_PARSE_SYNTAX;
	if (rc == NX_PARSE_RANGE || v < min || v > max)
		return NX_PARSE_RANGE;
	*out = v;
	return NX_PARSE_OK;
}

int nx_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int rc = leading_digits(&s, &v);

	return finish(rc, s, v, min, max, out);
}

static unsigned unit_shift(char c)
{
	switch (c | 0x20) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	default: return 0;
	}
}

int nx_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int rc = leading_digits(&s, &v);
	unsigned shift;

	if (rc == NX_PARSE_SYNTAX)
		return rc;
	if ((shift = unit_shift(*s)) != 0) {
		s++;
		if ((*s | 0x20) == 'i' && (s[1] | 0x20) == 'b')
			s++;
		if (v > UINT64_MAX >> shift)
			rc = NX_PARSE_RANGE;
		v <<= shift;
	}
	if ((*s | 0x20) == 'b')
		s++;
	return finish(rc, s, v, min, max, out);
}

int nx_parse_seconds(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out_ms)
{
	uint64_t sec = 0, frac = 0;
	int rc = leading_digits(&s, &sec), n = 0;

	if (rc == NX_PARSE_SYNTAX)
		return rc;
	if (*s == '.') {
		for (s++; digit(*s) && n < 3; s++, n++)
			frac = frac * 10 + (uint64_t)(*s - '0');
		if (n == 0)
			return NX_PARSE_SYNTAX;
		for (; n < 3; n++)
			frac *= 10;
	}
	if (sec > (UINT64_MAX - frac) / 1000)
		rc = NX_PARSE_RANGE;
	return finish(rc, s, sec * 1000 + frac, min_ms, max_ms, out_ms);
}

int nx_parse_port(const char *s, uint16_t *out)
{
	uint64_t v;
	int rc = nx_parse_uint(s, 1, 65535, &v);

	if (rc == NX_PARSE_OK)
		*out = (uint16_t)v;
	return rc;
}

const char *nx_format_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "TGMK";
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned shift = 40 - 10 * i;

		if (v && v % (1ull << shift) == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(v >> shift), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* V in the unit of KIND, for a message. Returns BUF. */
static const char *format_value(enum nx_num_kind kind, uint64_t v, char *buf, size_t len)
{
	if (kind == NX_NUM_SIZE)
		return nx_format_size(v, buf, len);
	if (kind != NX_NUM_SECONDS) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
	} else {
		unsigned ms = (unsigned)(v % 1000), digits = 3;

		for (; digits && ms % 10 == 0; digits--)	/* 0.100 -> 0.1, 2.000 -> 2 */
			ms /= 10;
		snprintf(buf, len, digits ? "%llu.%0*u" : "%llu", (unsigned long long)(v / 1000),
			 (int)digits, ms);
	}
	return buf;
}

static int parse_kind(const struct nx_num *n, const char *text, uint64_t *out)
{
	uint16_t port;
	int rc;

	switch (n->kind) {
	case NX_NUM_SIZE:
		return nx_parse_size(text, n->min, n->max, out);
	case NX_NUM_SECONDS:
		return nx_parse_seconds(text, n->min, n->max, out);
	case NX_NUM_PORT:
		if ((rc = nx_parse_port(text, &port)) == NX_PARSE_OK)
			*out = port;
		return rc;
	default:
		return nx_parse_uint(text, n->min, n->max, out);
	}
}

int nx_parse_num(const struct nx_num *n, const char *text, uint64_t *out,
		 char *msg, size_t msglen)
{
	static const char *const what[] = {
		[NX_NUM_COUNT] = "a whole number",
		[NX_NUM_SIZE] = "a size (a number, then K, M, G or T)",
		[NX_NUM_SECONDS] = "a number of seconds",
		[NX_NUM_PORT] = "a port",
	};
	static const char *const unit[] = {
		[NX_NUM_COUNT] = "", [NX_NUM_SIZE] = " bytes", [NX_NUM_SECONDS] = " seconds",
		[NX_NUM_PORT] = "",
	};
	uint64_t min = n->kind == NX_NUM_PORT ? 1 : n->min;
	uint64_t max = n->kind == NX_NUM_PORT ? 65535 : n->max;
	char quoted[100], lo[32], hi[32];
	int rc = parse_kind(n, text, out);

	if (rc == NX_PARSE_OK)
		return rc;
	nx_escape(text, strlen(text), NX_ESC_LINE, quoted, sizeof(quoted));
	format_value(n->kind, min, lo, sizeof(lo));
	format_value(n->kind, max, hi, sizeof(hi));
	if (rc == NX_PARSE_SYNTAX)
		snprintf(msg, msglen, "%s: '%s' is not %s; write e.g. %s (%s to %s%s)", n->name,
			 quoted, what[n->kind], n->example ? n->example : lo, lo, hi,
			 unit[n->kind]);
	else
		snprintf(msg, msglen, "%s: %s is out of range (%s to %s%s)", n->name, quoted,
			 lo, hi, unit[n->kind]);
	return rc;
}

/* Line normalisation: strip syslog, kmsg/netconsole, <N>, [timestamp] and [caller] prefixes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

#define NX_HOST_NAME_MAX 64	/* Linux HOST_NAME_MAX: a longer "host" is not a kernel's */

struct cursor {
	const char *p, *end;
};

static bool digits(struct cursor *c, size_t min, size_t max, unsigned long *val)
{
	size_t n = 0;
	unsigned long v = 0;

	while (c->p < c->end && isdigit((unsigned char)*c->p) && n < max) {
		v = v * 10 + (unsigned long)(*c->p - '0');
		c->p++;
		n++;
	}
	if (val)
		*val = v;
	return n >= min;
}

static bool lit(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static void spaces(struct cursor *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

/* "** 5 printk messages dropped ** " */
static bool strip_dropped(struct cursor *c)
{
	struct cursor t = *c;
	static const char tail[] = " printk messages dropped **";

	if (!lit(&t, '*') || !lit(&t, '*') || !lit(&t, ' ') || !digits(&t, 1, 12, NULL))
		return false;
	if ((size_t)(t.end - t.p) < sizeof(tail) - 1 || memcmp(t.p, tail, sizeof(tail) - 1))
		return false;
	t.p += sizeof(tail) - 1;
	spaces(&t);
	*c = t;
	return true;
}

static uint32_t caller_id(char kind, unsigned long id)
{
	return (uint32_t)(id & 0x7fffffff) * 2 + (kind == 'T' ? 1 : 2);
}

/* /dev/kmsg and extended netconsole: "[release,]level,seq,usec,flags[,k=v...];text" */
static bool strip_kmsg(struct cursor *c, int *level, uint32_t *caller)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct cursor t = *c;
		unsigned long lv;

		if (attempt == 1) {	/* netconsole "+r": a release token first */
			while (t.p < t.end && *t.p != ',' && *t.p != ';' && *t.p != ' ')
				t.p++;
			if (!lit(&t, ','))
				return false;
		}
		if (!digits(&t, 1, 4, &lv) || !lit(&t, ',') || !digits(&t, 1, 20, NULL) ||
		    !lit(&t, ',') || !digits(&t, 1, 20, NULL) || !lit(&t, ','))
			continue;
		const char *fields = t.p;

		while (t.p < t.end && *t.p != ';' && *t.p != ' ')
			t.p++;
		if (!lit(&t, ';'))
			continue;
		for (const char *k = fields; k + 8 < t.p; k++) {	/* ",caller=T123" */
			if (memcmp(k, "caller=", 7) == 0 && (k[7] == 'T' || k[7] == 'C')) {
				struct cursor n = { k + 8, t.p };
				unsigned long id;

				if (digits(&n, 1, 10, &id))
					*caller = caller_id(k[7], id);
				break;
			}
		}
		*level = (int)(lv & 7);
		*c = t;
		return true;
	}
	return false;
}

static bool is_month(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	switch (p[0]) {	/* every line is asked: most start with no month's letter */
	case 'J': case 'F': case 'M': case 'A': case 'S': case 'O': case 'N': case 'D':
		break;
	default:
		return false;
	}
	for (int i = 0; i < 12; i++)
		if (p[0] == months[3 * i] && p[1] == months[3 * i + 1] && p[2] == months[3 * i + 2])
			return true;
	return false;
}

static bool clock_hms(struct cursor *t)
{
	if (!digits(t, 2, 2, NULL) || !lit(t, ':') || !digits(t, 2, 2, NULL) || !lit(t, ':') ||
	    !digits(t, 2, 2, NULL))
		return false;
	if (lit(t, '.') || lit(t, ','))
		digits(t, 1, 9, NULL);
	return true;
}

/* "Nov 19 12:34:38" or "2023-11-19T12:34:38.123+01:00" */
static bool syslog_date(struct cursor *t)
{
	if (t->end - t->p >= 16 && is_month(t->p) && t->p[3] == ' ') {
		t->p += 4;
		spaces(t);
		if (!digits(t, 1, 2, NULL) || !lit(t, ' '))
			return false;
		return clock_hms(t);
	}
	if (!digits(t, 4, 4, NULL) || !lit(t, '-') || !digits(t, 2, 2, NULL) || !lit(t, '-') ||
	    !digits(t, 2, 2, NULL) || !(lit(t, 'T') || lit(t, ' ')) || !clock_hms(t))
		return false;
	if (lit(t, 'Z'))
		return true;
	if (lit(t, '+') || lit(t, '-')) {
		digits(t, 2, 2, NULL);
		lit(t, ':');
		digits(t, 2, 2, NULL);
	}
	return true;
}

/* Syslog/journal prefix "DATE host tag: ". Returns 1 stripped, 0 absent, -1 foreign line. */
static int strip_syslog(struct cursor *c)
{
	struct cursor t = *c;
	const char *host, *tag;

	if (!syslog_date(&t) || !lit(&t, ' '))
		return 0;
	host = t.p;
	while (t.p < t.end && *t.p != ' ')
		t.p++;
	if (t.p == host || !lit(&t, ' '))
		return 0;
	tag = t.p;
	while (t.p < t.end && *t.p != ':' && *t.p != ' ')
		t.p++;
	if (!lit(&t, ':'))
		return 0;
	if ((size_t)(t.p - 1 - tag) != 6 || memcmp(tag, "kernel", 6) != 0)
		return -1;
	if ((size_t)(tag - 1 - host) > NX_HOST_NAME_MAX)
		return -1;
	lit(&t, ' ');
	*c = t;
	return 1;
}

/* dmesg -x: "kern  :warn  : " (facility and level names, padded) */
static bool strip_dmesg_x(struct cursor *c, int *level)
{
	static const char *const levels[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
	};
	struct cursor t = *c;
	const char *lv;

	if (t.end - t.p < 12 || memcmp(t.p, "kern ", 5) != 0)
		return false;
	t.p += 4;
	spaces(&t);
	if (!lit(&t, ':'))
		return false;
	lv = t.p;
	while (t.p < t.end && isalpha((unsigned char)*t.p))
		t.p++;
	for (int i = 0; i < 8; i++) {
		if ((size_t)(t.p - lv) == strlen(levels[i]) && memcmp(lv, levels[i], (size_t)(t.p - lv)) == 0) {
			spaces(&t);
			if (!lit(&t, ':'))
				return false;
			lit(&t, ' ');
			*level = i;
			*c = t;
			return true;
		}
	}
	return false;
}

static bool strip_level(struct cursor *c, int *level)
{
	struct cursor t = *c;
	unsigned long lv;

	if (!lit(&t, '<') || !digits(&t, 1, 3, &lv) || !lit(&t, '>'))
		return false;
	*level = (int)(lv & 7);
	*c = t;
	return true;
}

/* "[  123.456789]" optionally followed by "[ T123]" / "[    C0]"; or dmesg -T dates. */
static bool strip_timestamp(struct cursor *c, uint32_t *caller)
{
	struct cursor t = *c;

	if (!lit(&t, '['))
		return false;
	spaces(&t);
	if (t.end - t.p >= 8 && is_month(t.p + 4) && isalpha((unsigned char)t.p[0])) {
		const char *close = memchr(t.p, ']', (size_t)(t.end - t.p));

		if (!close || close - t.p > 30)
			return false;
		t.p = close + 1;
	} else if (!digits(&t, 1, 12, NULL) || !lit(&t, '.') || !digits(&t, 1, 9, NULL) ||
		   !lit(&t, ']')) {
		return false;
	}
	struct cursor u = t;

	if (lit(&u, '[')) {
		char kind;
		unsigned long id;

		spaces(&u);
		kind = u.p < u.end ? *u.p : 0;
		if ((lit(&u, 'T') || lit(&u, 'C')) && digits(&u, 1, 10, &id) && lit(&u, ']')) {
			*caller = caller_id(kind, id);
			t = u;
		}
	}
	lit(&t, ' ');
	*c = t;
	return true;
}

struct builder {
	struct nx_lines *out;
	const char *text;	/* the input: line I's text is at the same offset in out->buf */
	size_t cap_lines;
	size_t max_lines;	/* NX_LINES_MAX of the text: memory stays O(text) */
	bool full;		/* max_lines reached: the rest of the text is not split */
	bool in_kmsg;		/* previous record came with a kmsg header */
};

static bool push_line(struct builder *b, size_t off, size_t len, size_t rs, size_t re, int lv,
		      uint32_t caller, bool ready)
{
	if (b->out->n >= b->max_lines) {
		b->full = true;
		return true;
	}
	if (b->out->n == b->cap_lines) {
		size_t cap = b->cap_lines ? b->cap_lines * 2 : 256;

		if (cap > b->max_lines)
			cap = b->max_lines;
		struct nx_line *v = realloc(b->out->v, cap * sizeof(*v));

		if (!v)
			return false;
		b->out->v = v;
		b->cap_lines = cap;
	}
	b->out->v[b->out->n++] = (struct nx_line){
		.s = (const char *)(uintptr_t)off, .len = len,
		.raw_start = rs, .raw_end = re, .level = lv, .caller = caller,
		.ready = ready, .hot = ready,
	};
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Copy one record's text to its own place in the line buffer (the raw offset of its first
 * byte: a record's text never grows, so records never overlap), undoing kmsg "\xNN" escapes;
 * "\x0a" starts a new line. */
static bool emit(struct builder *b, const char *p, const char *end, bool unescape,
		 size_t rs, size_t re, int level, uint32_t caller)
{
	size_t start = (size_t)(p - b->text);
	char *dst = b->out->buf + start;

	while (p < end) {
		int hi, lo;

		if (unescape && p[0] == '\\' && end - p >= 4 && p[1] == 'x' &&
		    (hi = hexval((unsigned char)p[2])) >= 0 && (lo = hexval((unsigned char)p[3])) >= 0) {
			char ch = (char)(hi * 16 + lo);

			p += 4;
			if (ch == '\n') {
				*dst++ = '\0';
				if (!push_line(b, start, (size_t)(dst - b->out->buf) - 1 - start,
					       rs, re, level, caller, true))
					return false;
				start = (size_t)(dst - b->out->buf);
				continue;
			}
			*dst++ = ch ? ch : ' ';
			continue;
		}
		*dst++ = *p ? *p : ' ';
		p++;
	}
	*dst = '\0';
	return push_line(b, start, (size_t)(dst - b->out->buf) - start, rs, re, level, caller, true);
}

/* A record whose text is the raw bytes [P, END) as they are (no NUL, no escape to undo) is
 * not copied now: most of a dump is backlog that no report reaches (nx_lines_ready()). */
static bool defer(struct builder *b, const char *p, const char *end, bool kmsg, size_t rs,
		  size_t re, int level, uint32_t caller)
{
	size_t n = (size_t)(end - p);

	if (memchr(p, '\0', n) || (kmsg && memchr(p, '\\', n)))
		return emit(b, p, end, kmsg, rs, re, level, caller);
	if (!push_line(b, (size_t)(p - b->text), n, rs, re, level, caller, false))
		return false;
	if (!b->full)
		b->out->v[b->out->n - 1].hot = nx_header_candidate(p, n);
	return true;
}

static bool one_line(struct builder *b, size_t rs, size_t re)
{
	struct cursor c = { b->text + rs, b->text + re };
	int level = -1;
	uint32_t caller = 0;
	bool kmsg = false;

	while (c.end > c.p && (c.end[-1] == '\r' || c.end[-1] == '\n'))
		c.end--;
	if (b->in_kmsg && c.p < c.end && *c.p == ' ' && memchr(c.p, '=', (size_t)(c.end - c.p)))
		return true;	/* kmsg dictionary continuation "KEY=value" */
	for (int i = 0; i < 6; i++) {
		int sys;

		if (strip_dropped(&c) || strip_level(&c, &level) || strip_timestamp(&c, &caller) ||
		    strip_dmesg_x(&c, &level))
			continue;
		if (!kmsg && strip_kmsg(&c, &level, &caller)) {
			kmsg = true;
			continue;
		}
		sys = strip_syslog(&c);
		if (sys < 0)
			return true;	/* another program's line, or not this kernel's */
		if (sys == 0)
			break;
	}
	b->in_kmsg = kmsg;
	return defer(b, c.p, c.end, kmsg, rs, re, level, caller);
}

bool nx_lines_split(struct nx_lines *out, const char *text, size_t len)
{
	struct builder b = { .out = out, .text = text, .max_lines = NX_LINES_MAX(len) };
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->text = text;
	out->buf = malloc(len + 2);
	if (!out->buf)
		return false;
	while (pos < len && !b.full) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;

		if (!one_line(&b, pos, end)) {
			nx_lines_free(out);
			return false;
		}
		pos = end;
	}
	for (size_t i = 0; i < out->n; i++)
		out->v[i].s = out->buf + (uintptr_t)out->v[i].s;
	return true;
}

void nx_lines_ready(struct nx_lines *L, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < L->n; i++) {
		struct nx_line *l = &L->v[i];

		if (l->ready)
			continue;
		memcpy((char *)l->s, L->text + (l->s - L->buf), l->len);
		((char *)l->s)[l->len] = '\0';
		l->ready = true;
		nx_analyse_line_texts++;
	}
}

void nx_lines_free(struct nx_lines *l)
{
	free(l->buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Call-trace lines of every generation and architecture, into struct nx_frame. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

#define MAX_FRAMES 256		/* a trace longer than this is recursion noise */

static bool name_char(int c)
{
	return c > ' ' && c != '+' && c != '(' && c != ')' && c != '[' && c != ']' && c < 127;
}

static const char *hex_number(const char *p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *start;

	if (end - p < 3 || p[0] != '0' || p[1] != 'x')
		return NULL;
	p += 2;
	start = p;
	while (p < end && nx_ishex((unsigned char)*p)) {
		int c = tolower((unsigned char)*p);

		x = x * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
		p++;
	}
	if (p == start)
		return NULL;
	*v = x;
	return p;
}

void nx_frame_clear(struct nx_frame *f)
{
	free(f->func);
	free(f->module);
	memset(f, 0, sizeof(*f));
}

/* "func+0x1/0x2 [mod buildid]" or (BARE_OK) "func". Trailing text is ignored. */
bool nx_parse_symbol(const char *s, size_t len, bool bare_ok, struct nx_frame *f, bool *oom)
{
	const char *p = s, *end = s + len, *name = s, *q;

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	while (p < end && name_char((unsigned char)*p))
		p++;
	if (p == name)
		return false;
	const char *name_end = p;

	if (!isalpha((unsigned char)*name) && *name != '_' && *name != '.' && *name != '$')
		return false;	/* "0xffffffffa02fefff": an address, not a symbol */
	if (p < end && *p == '+') {
		if (!(q = hex_number(p + 1, end, &f->offset)))
			return false;
		p = q;
		if (p < end && *p == '/') {
			if (!(q = hex_number(p + 1, end, &f->size)))
				return false;
			p = q;
		}
	} else if (!bare_ok) {
		return false;
	}
	f->func = nx_strndup(name, (size_t)(name_end - name), oom);
	if (end - p >= 3 && p[0] == ' ' && p[1] == '[' && p[2] != '<') {
		const char *m = p + 2, *me = m;

		while (me < end && *me != ']' && *me != ' ')
			me++;
		if (me < end && me > m)
			f->module = nx_strndup(m, (size_t)(me - m), oom);
	}
	if (f->module) {	/* " [mod]" then maybe " (unreliable)": look right after it */
		const char *close = memchr(p, ']', (size_t)(end - p));

		p = close ? close + 1 : end;
	}
	if ((size_t)(end - p) >= 13 && memcmp(p, " (unreliable)", 13) == 0)
		f->reliable = false;	/* powerpc; only here, or a long line costs n^2 */
	return f->func != NULL;
}

static bool push(struct nx_frames *fs, struct nx_frame *f)
{
	if (fs->n >= MAX_FRAMES) {
		nx_frame_clear(f);
		return true;
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		struct nx_frame *v = realloc(fs->v, cap * sizeof(*v));

		if (!v) {
			nx_frame_clear(f);
			fs->oom = true;
			return false;
		}
		fs->v = v;
		fs->cap = cap;
	}
	f->section = fs->section;
	fs->v[fs->n++] = *f;
	return true;
}

/* "<IRQ>", "</TASK>", "<EOI>", "<<EOE>>", "<#DF>": returns length consumed, 0 if none. */
static size_t section_marker(struct nx_frames *fs, const char *p, const char *end)
{
	static const struct { const char *tag; enum nx_section sect; } tags[] = {
		{ "<IRQ>", NX_SECT_IRQ }, { "<TASK>", NX_SECT_TASK }, { "<NMI>", NX_SECT_NMI },
		{ "<SOFTIRQ>", NX_SECT_SOFTIRQ }, { "<#DF>", NX_SECT_EXCEPTION },
		{ "<#MC>", NX_SECT_EXCEPTION }, { "<#VC>", NX_SECT_EXCEPTION },
		{ "<EXC>", NX_SECT_EXCEPTION }, { "<EOI>", NX_SECT_TASK },
		{ "<<EOE>>", NX_SECT_TASK }, { "<EOE>", NX_SECT_TASK },
	};
	const char *close;

	if (p >= end || *p != '<')
		return 0;
	close = memchr(p, '>', (size_t)(end - p));
	if (!close || close - p > 12)
		return 0;
	if (close + 1 < end && close[1] == '>')
		close++;
	if (p[1] == '/') {	/* closing a nested stack: back to the task's */
		fs->section = NX_SECT_TASK;
		return (size_t)(close + 1 - p);
	}
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t k = strlen(tags[i].tag);

		if ((size_t)(close + 1 - p) == k && memcmp(p, tags[i].tag, k) == 0) {
			fs->section = tags[i].sect;
			return k;
		}
	}
	if (isalpha((unsigned char)p[1]) || p[1] == '#') {
		fs->section = NX_SECT_OTHER;
		return (size_t)(close + 1 - p);
	}
	return 0;
}

/* arm: after "(func+0x1/0x2)", " from [<..>] (caller+0x..)": kept as the outermost caller. */
static void arm_caller(struct nx_frames *fs, const char *close, const char *end)
{
	const char *from = close + 1, *open, *name;
	size_t n;

	fs->arm_caller[0] = '\0';
	if (end - from < 7 || memcmp(from, " from ", 6) != 0 ||
	    !(open = memchr(from, '(', (size_t)(end - from))))
		return;
	name = open + 1;
	n = strcspn(name, "+)");
	if (!isalpha((unsigned char)*name) && *name != '_')
		return;	/* "(0xffffffff)": no symbol */
	if (name + n <= end && n > 0 && n < sizeof(fs->arm_caller))
		memcpy(fs->arm_caller, name, n), fs->arm_caller[n] = '\0';
}

/* One frame after its "[<addr>] " or "[sp] [addr] " prefix; "? " marks unreliable. */
static enum nx_trace_line symbol_frame(struct nx_frames *fs, const char *p, const char *end)
{
	struct nx_frame f;
	bool reliable = true;

	if (end - p >= 2 && p[0] == '?' && p[1] == ' ') {
		reliable = false;
		p += 2;
	}
	if (p < end && *p == '(') {	/* arm: "(func+0x1/0x2) from [<..>] (caller)" */
		const char *close = memchr(p, ')', (size_t)(end - p));

		if (!close || !nx_parse_symbol(p + 1, (size_t)(close - p - 1), true, &f, &fs->oom))
			return fs->oom ? NX_TL_OTHER : NX_TL_NOISE;
		arm_caller(fs, close, end);
	} else if (!nx_parse_symbol(p, (size_t)(end - p), false, &f, &fs->oom)) {
		return (fs->oom || !(p < end && p[0] == '0' && p[1] == 'x')) ? NX_TL_OTHER : NX_TL_NOISE;
	}
	f.reliable = f.reliable && reliable;
	return push(fs, &f) ? NX_TL_FRAMES : NX_TL_OTHER;
}

/* "[<ffffffff81234567>] " (x86/s390/arm/riscv) or "[c0000000fe2afc30] " (powerpc) */
static const char *bracket_addr(const char *p, const char *end)
{
	const char *q = p + 1;
	bool angle;

	if (p >= end || *p != '[')
		return NULL;
	angle = q < end && *q == '<';
	if (angle)
		q++;
	const char *digits = q;

	while (q < end && nx_ishex((unsigned char)*q))
		q++;
	if (q - digits < 6)
		return NULL;
	if (angle && !(q < end && *q++ == '>'))
		return NULL;
	if (!(q < end && *q++ == ']'))
		return NULL;
	while (q < end && *q == ' ')
		q++;
	return q;
}

/* powerpc xmon: "[sp] c000000000432060 .func+0x.." -> skip the bare pc */
static const char *xmon_pc(const char *q, const char *end)
{
	const char *t = q;

	while (t < end && nx_ishex((unsigned char)*t))
		t++;
	if (t - q >= 8 && t < end && *t == ' ')
		return t + 1;
	return q;
}

static bool arm_registers(const char *p, const char *end)
{
	/* " r7:df912310 r6:df912140" between arm frames */
	return end - p > 3 && p[0] == 'r' && isdigit((unsigned char)p[1]) &&
	       (p[2] == ':' || (isdigit((unsigned char)p[2]) && p[3] == ':'));
}

bool nx_is_trace_header(const char *s)
{
	const char *t = nx_skip_spaces(s);

	return nx_starts(t, "Call Trace:") || nx_starts(t, "Call trace:") ||
	       nx_starts(t, "Backtrace:") || nx_starts(t, "stack backtrace:") ||
	       nx_starts(t, "Call Trace") || nx_starts(t, "Stack trace:") ||
	       nx_starts(t, "Trace:") || nx_starts(t, "backtrace:") ||
	       nx_starts(t, "backtrace (crc ");	/* kmemleak */
}

/* Frames after "[<addr>] " (several per line in 2.6) or "[sp] [pc] " (powerpc). */
static enum nx_trace_line bracketed_frames(struct nx_frames *fs, const char *q, const char *end)
{
	const char *r = bracket_addr(q, end);
	enum nx_trace_line res;

	q = r ? r : xmon_pc(q, end);
	res = symbol_frame(fs, q, end);
	/* 2.6-era x86 put several frames on one line (arm's " from [<" is the caller) */
	for (const char *more = strstr(q, " [<"); res == NX_TL_FRAMES && more && more < end &&
	     *q != '(' && fs->n < MAX_FRAMES; more = strstr(more + 3, " [<")) {
		const char *r2 = bracket_addr(more + 1, end);

		if (r2)
			symbol_frame(fs, r2, end);
	}
	return res;
}

/* What may follow a frame's symbol: " [mod buildid]", " [inline]", and the source position
 * symbolised traces add (" mm/slub.c:4951", " fs/dcache.c:1436:2"). */
static bool frame_tail_ok(const char *t, const char *end)
{
	while (t < end) {
		const char *tok;

		while (t < end && *t == ' ')
			t++;
		if (t == end)
			break;
		if (*t == '[') {
			const char *close = memchr(t, ']', (size_t)(end - t));

			if (!close)
				return false;
			t = close + 1;
			continue;
		}
		for (tok = t; t < end && *t != ' '; t++)
			;
		const char *colon = memchr(tok, ':', (size_t)(t - tok));

		if (!colon || colon == tok || !isdigit((unsigned char)colon[1]))
			return false;
	}
	return true;
}

/* A frame alone on its line: "[? ]func+0x1/0x2[ [mod]][ file.c:1]", an inlined one
 * ("func file.c:1 [inline]", from symbolised traces), or an address-only one. */
static enum nx_trace_line bare_frame(struct nx_frames *fs, const char *p, const char *end,
				     enum nx_trace_line res)
{
	struct nx_frame f;
	bool reliable = !(end - p >= 2 && p[0] == '?' && p[1] == ' ');
	bool inlined = end - p > 9 && memcmp(end - 9, " [inline]", 9) == 0;
	const char *tail;

	if (!reliable)
		p += 2;
	if (p[0] == '0' && p[1] == 'x' && !memchr(p, ' ', (size_t)(end - p)))
		return NX_TL_NOISE;	/* "0xfdc88c28" (slab), "? 0xffffffffc046f000" (init) */
	if (!nx_parse_symbol(p, (size_t)(end - p), inlined, &f, &fs->oom))
		return res;
	for (tail = p; tail < end && *tail != ' '; tail++)
		;
	if (!frame_tail_ok(tail, end)) {
		nx_frame_clear(&f);	/* more than a frame on the line */
		return res;
	}
	f.reliable = reliable;
	f.inlined = inlined;
	return push(fs, &f) ? NX_TL_FRAMES : NX_TL_OTHER;
}

enum nx_trace_line nx_frames_parse_line(struct nx_frames *fs, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	enum nx_trace_line res = NX_TL_OTHER;
	size_t k;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return NX_TL_OTHER;
	if (nx_is_trace_header(p))
		return NX_TL_HEADER;
	if (nx_starts(p, "--- Exception:") || nx_starts(p, "--- interrupt:")) {
		fs->section = NX_SECT_EXCEPTION;
		return NX_TL_MARKER;
	}
	if (nx_starts(p, "LR = ") || arm_registers(p, end) || nx_starts(p, "=====") ||
	    (p[0] == '(' && p[1] == '['))
		return NX_TL_NOISE;
	while ((k = section_marker(fs, p, end)) != 0) {
		res = NX_TL_MARKER;
		p += k;
		while (p < end && *p == ' ')
			p++;
	}
	if (p == end)
		return res;
	if ((q = bracket_addr(p, end)) != NULL)
		return bracketed_frames(fs, q, end);
	return bare_frame(fs, p, end, res);
}

/* Encoding and validating decoding of analysis results (struct nx_report_set) as bytes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/report_wire.h"

#define NULL_STR 0xffffffffu

/* The report's strings, in wire order; REQUIRED ones are never NULL from nx_analyse()
 * (the invariants tests/fuzz/fuzz_analyse.c checks). */
static const struct {
	size_t offset;
	bool required;
} report_strings[] = {
	{ offsetof(struct nx_report, title), true },
	{ offsetof(struct nx_report, class), true },
	{ offsetof(struct nx_report, type), true },
	{ offsetof(struct nx_report, kernel), false },
	{ offsetof(struct nx_report, taint), false },
	{ offsetof(struct nx_report, comm), false },
	{ offsetof(struct nx_report, hardware), false },
	{ offsetof(struct nx_report, panic_msg), false },
	{ offsetof(struct nx_report, rip_func), false },
	{ offsetof(struct nx_report, signature), true },
	{ offsetof(struct nx_report, alt_title), false },
};

#define N_REPORT_STRINGS (sizeof(report_strings) / sizeof(report_strings[0]))
/* The fewest bytes one element can take: counts are checked against the bytes left. */
#define MIN_REPORT_BYTES (N_REPORT_STRINGS * 4 + 1 + 4 + 3 * 4 + 2 * 8 + 2 * 4)
#define MIN_FRAME_BYTES (2 * 4 + 2 * 8 + 2)
#define MIN_MODULE_BYTES (2 * 4)

static char **report_string(struct nx_report *r, size_t i)
{
	return (char **)((char *)r + report_strings[i].offset);
}

/* ---- encoding ----------------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void put(struct wbuf *b, const void *data, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (n > b->cap - b->n) {
		size_t cap = b->cap * 2 + n;
		uint8_t *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

static void put_le(struct wbuf *b, uint64_t v, size_t bytes)
{
	uint8_t le[8];

	for (size_t i = 0; i < bytes; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	put(b, le, bytes);
}

static void put_str(struct wbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (s && n >= NULL_STR) {
		b->oom = true;	/* cannot happen for analysed text; refuse rather than cut */
		return;
	}
	put_le(b, s ? n : NULL_STR, 4);
	put(b, s, n);
}

static void put_frame(struct wbuf *b, const struct nx_frame *f)
{
	put_str(b, f->func);
	put_str(b, f->module);
	put_le(b, f->offset, 8);
	put_le(b, f->size, 8);
	put_le(b, f->reliable, 1);
	put_le(b, (uint64_t)f->section, 1);
}

static void put_report(struct wbuf *b, const struct nx_report *r)
{
	for (size_t i = 0; i < N_REPORT_STRINGS; i++)
		put_str(b, *report_string((struct nx_report *)r, i));
	put_le(b, (uint64_t)(r->corrupted | r->primary << 1), 1);
	put_le(b, r->taint_mask, 4);
	put_le(b, (uint32_t)r->cpu, 4);
	put_le(b, (uint32_t)r->pid, 4);
	put_le(b, (uint32_t)r->die_counter, 4);
	put_le(b, r->start, 8);
	put_le(b, r->end, 8);
	put_le(b, r->n_frames, 4);
	for (size_t i = 0; i < r->n_frames; i++)
		put_frame(b, &r->frames[i]);
	put_le(b, r->n_modules, 4);
	for (size_t i = 0; i < r->n_modules; i++) {
		put_str(b, r->modules[i].name);
		put_str(b, r->modules[i].taints);
	}
}

uint8_t *nx_report_wire_encode(const struct nx_report_set *set, size_t *len)
{
	struct wbuf b = { 0 };
	size_t n = set ? set->n : 0;

	put(&b, "NXRW", 4);
	put_le(&b, NX_WIRE_VERSION, 1);
	put_le(&b, n, 4);
	for (size_t i = 0; i < n; i++)
		put_report(&b, &set->reports[i]);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

/* ---- decoding ----------------------------------------------------------------------- */

struct rbuf {
	const uint8_t *p;
	size_t left;
	size_t text_len;
	char *err;
	size_t errlen;
	bool bad;	/* ERR is set; everything after is ignored */
};

static bool fail(struct rbuf *b, const char *why)
{
	if (!b->bad)
		snprintf(b->err, b->errlen, "%s", why);
	b->bad = true;
	return false;
}

static uint64_t get_le(struct rbuf *b, size_t bytes)
{
	uint64_t v = 0;

	if (b->bad || b->left < bytes) {
		fail(b, "truncated");
		return 0;
	}
	for (size_t i = 0; i < bytes; i++)
		v |= (uint64_t)b->p[i] << (8 * i);
	b->p += bytes;
	b->left -= bytes;
	return v;
}

/* A count of elements of at least MIN_BYTES each that still fit in what is left. */
static size_t get_count(struct rbuf *b, size_t min_bytes)
{
	uint64_t n = get_le(b, 4);

	if (n > b->left / min_bytes)
		fail(b, "a count larger than the bytes that follow");
	return b->bad ? 0 : (size_t)n;
}

static char *get_str(struct rbuf *b, bool required)
{
	uint64_t n = get_le(b, 4);
	char *s;

	if (b->bad)
		return NULL;
	if (n == NULL_STR) {
		if (required)
			fail(b, "a required string is missing");
		return NULL;
	}
	if (n > b->left)
		return fail(b, "a string longer than the bytes that follow"), NULL;
	if (memchr(b->p, '\0', (size_t)n))
		return fail(b, "a NUL byte inside a string"), NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return fail(b, "out of memory"), NULL;
	memcpy(s, b->p, (size_t)n);
	s[n] = '\0';
	b->p += n;
	b->left -= (size_t)n;
	return s;
}

static int32_t get_int(struct rbuf *b, int32_t min)
{
	int32_t v = (int32_t)(uint32_t)get_le(b, 4);

	if (v < min)
		fail(b, "a number out of range");
	return v;
}

static void get_frame(struct rbuf *b, struct nx_frame *f)
{
	uint64_t reliable, section;

	f->func = get_str(b, true);
	if (f->func && !f->func[0])
		fail(b, "a frame without a function");
	f->module = get_str(b, false);
	f->offset = get_le(b, 8);
	f->size = get_le(b, 8);
	reliable = get_le(b, 1);
	section = get_le(b, 1);
	if (reliable > 1 || section > NX_SECT_OTHER)
		fail(b, "a frame flag out of range");
	f->reliable = reliable;
	f->section = (enum nx_section)section;
}

/* An array for a count of elements of at least MIN_BYTES each; NULL when empty or refused. */
static void *get_array(struct rbuf *b, size_t min_bytes, size_t elem_size, size_t *n)
{
	void *v;

	*n = get_count(b, min_bytes);
	if (!*n)
		return NULL;
	v = calloc(*n, elem_size);
	if (!v)
		fail(b, "out of memory");
	return v;
}

static void get_frames(struct rbuf *b, struct nx_report *r)
{
	size_t n;

	r->frames = get_array(b, MIN_FRAME_BYTES, sizeof(*r->frames), &n);
	for (; r->frames && r->n_frames < n && !b->bad; r->n_frames++)
		get_frame(b, &r->frames[r->n_frames]);
}

static void get_modules(struct rbuf *b, struct nx_report *r)
{
	size_t n;

	r->modules = get_array(b, MIN_MODULE_BYTES, sizeof(*r->modules), &n);
	for (; r->modules && r->n_modules < n && !b->bad; r->n_modules++) {
		r->modules[r->n_modules].name = get_str(b, true);
		r->modules[r->n_modules].taints = get_str(b, true);
	}
}

static void get_report(struct rbuf *b, struct nx_report *r, bool first)
{
	uint64_t flags;

	for (size_t i = 0; i < N_REPORT_STRINGS; i++)
		*report_string(r, i) = get_str(b, report_strings[i].required);
	flags = get_le(b, 1);
	if (flags > 3)
		fail(b, "report flags out of range");
	r->corrupted = flags & 1;
	r->primary = flags >> 1 & 1;
	if (r->primary != first)
		fail(b, "the primary report is not the first");
	r->taint_mask = (uint32_t)get_le(b, 4);
	r->cpu = get_int(b, -1);
	r->pid = get_int(b, -1);
	r->die_counter = get_int(b, 0);
	r->start = (size_t)get_le(b, 8);
	r->end = (size_t)get_le(b, 8);
	if (!b->bad && (r->start >= r->end || r->end > b->text_len))
		fail(b, "a report's byte range is outside the text");
	get_frames(b, r);
	get_modules(b, r);
}

static void check_header(struct rbuf *b)
{
	if (b->left < 5 || memcmp(b->p, "NXRW", 4) != 0) {
		fail(b, "not a report set");
		return;
	}
	b->p += 4;
	b->left -= 4;
	if (get_le(b, 1) != NX_WIRE_VERSION)
		fail(b, "unknown report set version");
}

struct nx_report_set *nx_report_wire_decode(const uint8_t *buf, size_t len, size_t text_len,
					    char *err, size_t errlen)
{
	struct rbuf b = { buf, len, text_len, err, errlen, false };
	struct nx_report_set *set;
	size_t n;

	if (len > NX_WIRE_MAX(text_len))
		return fail(&b, "larger than any analysis of the text"), NULL;
	check_header(&b);
	n = get_count(&b, MIN_REPORT_BYTES);
	set = b.bad ? NULL : calloc(1, sizeof(*set));
	if (set && n && !(set->reports = calloc(n, sizeof(*set->reports))))
		fail(&b, "out of memory");
	for (; set && set->reports && set->n < n && !b.bad; set->n++)
		get_report(&b, &set->reports[set->n], set->n == 0);
	if (!b.bad && b.left)
		fail(&b, "bytes after the last report");
	if (!b.bad && set)
		return set;
	if (!b.bad)
		fail(&b, "out of memory");
	nx_report_set_free(set);
	return NULL;
}

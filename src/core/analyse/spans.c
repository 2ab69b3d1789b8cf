/* Report extents: which lines open, join and close each report (pass 1 of nx_analyse). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

#define MAX_REPORTS 4096	/* per text; beyond this a log is a storm, not a report */
#define CUT_HERE_REACH 4	/* "cut here" belongs to a header at most this many lines on */
#define ATTACH_REACH 24		/* die lines and upgrades join a header this close (arm64 prints
				 * ~10 lines of abort info in between, other CPUs more) */
#define PANIC_REACH 40		/* a panic this close after a report is its tail */
#define MERGE_REACH 20		/* same-class headers (MCE, RCU) this close are one report */

struct finder {
	struct nx_span *v;
	size_t n, cap;
	size_t cut;			/* last "cut here" line + 1, 0 when none */
	uint32_t caller;		/* caller id of the line being classified */
	bool oom;
};

static struct nx_span *current(struct finder *f)
{
	return f->n && f->v[f->n - 1].open ? &f->v[f->n - 1] : NULL;
}

static void close_span(struct finder *f, size_t end)
{
	struct nx_span *s = current(f);

	if (s) {
		s->open = false;
		if (s->end < end)
			s->end = end;
	}
}

static void open_span(struct finder *f, size_t i, const struct nx_header *h, uint32_t caller)
{
	size_t start = i;

	if (f->cut && i - (f->cut - 1) <= CUT_HERE_REACH &&
	    (f->n == 0 || f->cut - 1 >= f->v[f->n - 1].hdr + 1))
		start = f->cut - 1;
	close_span(f, start);
	if (f->n == MAX_REPORTS)
		return;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct nx_span *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			f->oom = true;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct nx_span){
		.start = start, .hdr = i, .end = i + 1, .last_active = i, .h = *h, .open = true,
		.caller = caller,
	};
}

static bool panic_is_consequence(const char *s)
{
	static const char *const msgs[] = {
		"Fatal exception", "panic_on_warn", "hung_task: blocked tasks",
		"softlockup: hung tasks", "Hard LOCKUP", "hard LOCKUP", "Out of memory",
		"Aiee, killing interrupt handler", "Attempted to kill the idle task",
		"Fatal machine check", "Machine check", "Unable to continue", "rcu_stall",
		"RCU Stall",
	};

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strstr(s, msgs[i]))
			return true;
	return false;
}

static const char *panic_type(const char *s)
{
	if (strstr(s, "Out of memory") || strstr(s, "out of memory"))
		return "oom";
	if (strstr(s, "hung_task"))
		return "hang";
	if (strstr(s, "LOCKUP") || strstr(s, "softlockup"))
		return "lockup";
	if (strstr(s, "achine check"))
		return "mce";
	return "panic";
}

static void on_panic(struct finder *f, size_t i, const char *line, struct nx_header *h)
{
	struct nx_span *s = f->n ? &f->v[f->n - 1] : NULL;

	if (s && (i - s->last_active <= PANIC_REACH ||
		  (panic_is_consequence(line) && i - s->hdr <= s->h.cap))) {
		s->open = true;	/* the panic is the tail of this report */
		s->last_active = i;
		if (s->end < i + 1)
			s->end = i + 1;
		return;
	}
	h->type = panic_type(line);
	/* "Fatal exception" alone: the oops it summarises is lost */
	h->needs_stack = panic_is_consequence(line) && strstr(line, "Fatal exception");
	open_span(f, i, h, f->caller);
}

bool nx_reportish(const char *s)
{
	const char *t = nx_skip_spaces(s);
	size_t k = 0;

	if (strstr(t, "+0x") || nx_is_trace_header(t))
		return true;
	while (k < 8 && (isupper((unsigned char)t[k]) || isdigit((unsigned char)t[k]) ||
			 (k && t[k] == ' ')))
		k++;
	return k >= 2 && t[k] == ':';	/* register dumps: "RAX:", "Code:", "GPR00:" */
}

/* A die line or a hard-LOCKUP line joins the report just opened, else opens its own. */
static void on_joiner(struct finder *f, struct nx_span *s, size_t i, const struct nx_header *h)
{
	if (s && !s->trace_seen && i - s->hdr <= ATTACH_REACH &&
	    (h->role == NX_ROLE_UPGRADE || !s->has_die)) {
		if (h->role == NX_ROLE_UPGRADE) {
			memcpy(s->h.class, h->class, sizeof(h->class));
			s->h.type = h->type;
		} else {
			s->has_die = true;
			s->h.die_counter = h->die_counter;
		}
		s->last_active = i;
		return;
	}
	open_span(f, i, h, f->caller);
	if (h->role == NX_ROLE_DIE && (s = current(f)))
		s->has_die = true;
}

/* "oom-kill:..." then "Out of memory: Killed process ...": the end of an OOM report. */
static void on_victim(struct finder *f, size_t i, const struct nx_header *h)
{
	struct nx_span *s = f->n ? &f->v[f->n - 1] : NULL;

	if (s && strcmp(s->h.type, "oom") == 0 && (s->open || i - s->last_active <= 10)) {
		s->open = true;
		s->last_active = i;
	} else {
		open_span(f, i, h, f->caller);
	}
	close_span(f, i + 1);
}

static void find_line(struct finder *f, struct nx_lines *L, size_t i)
{
	const struct nx_line *l = &L->v[i];
	struct nx_header h;
	struct nx_span *s = current(f);

	nx_analyse_line_visits++;
	if (s && i - s->hdr > s->h.cap)
		close_span(f, i), s = NULL;
	f->caller = l->caller;
	if (!l->hot && !s)
		return;	/* backlog: no header, no report to extend; its text is never read */
	nx_lines_ready(L, i, i + 1);
	if (l->hot)
		nx_header_classify(l->s, l->len, &h);
	else
		h.role = NX_ROLE_NONE;	/* no key: what nx_header_classify() would say */
	if (h.role != NX_ROLE_NONE && s && s->caller && l->caller && l->caller != s->caller)
		return;	/* another CPU's report printed into this one: syzbot keeps the first */
	switch (h.role) {
	case NX_ROLE_NONE:
		if (s && nx_is_trace_header(l->s))
			s->trace_seen = true;
		if (s && nx_reportish(l->s))
			s->last_active = i;
		return;
	case NX_ROLE_END:
		if (s) {
			s->last_active = i;
			close_span(f, i + 1);
		}
		return;
	case NX_ROLE_CUT:
		f->cut = i + 1;
		return;
	case NX_ROLE_PANIC:
		on_panic(f, i, l->s, &h);
		return;
	case NX_ROLE_DIE:
	case NX_ROLE_UPGRADE:
		on_joiner(f, s, i, &h);
		return;
	case NX_ROLE_VICTIM:
		on_victim(f, i, &h);
		return;
	case NX_ROLE_START:
		if (s && s->h.same_class_merges && strcmp(s->h.class, h.class) == 0 &&
		    i - s->last_active <= MERGE_REACH)
			s->last_active = i;
		else
			open_span(f, i, &h, f->caller);
		return;
	}
}

bool nx_find_spans(struct nx_lines *L, struct nx_span **spans, size_t *n)
{
	struct finder f = { 0 };

	for (size_t i = 0; i < L->n && !f.oom; i++) {
		if (f.n == MAX_REPORTS && !current(&f))
			break;	/* a storm: nothing more opens, nothing is left to close */
		find_line(&f, L, i);
	}
	close_span(&f, L->n);
	if (f.oom) {
		free(f.v);
		return false;
	}
	for (size_t k = 0; k < f.n; k++)	/* "cut here" and what precedes a header */
		nx_lines_ready(L, f.v[k].start, f.v[k].end);
	*spans = f.v;
	*n = f.n;
	return true;
}

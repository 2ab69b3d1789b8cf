/* nx_analyse(): find every crash report in a kernel log and fill struct nx_report. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

#define TRACE_GAP 60		/* frames must follow "Call Trace:" within this many lines (other
				 * tasks, even a fuzzer, print into a console log meanwhile) */
#define TRACE_FOREIGN 10	/* other lines tolerated between two frames of a trace */

_Thread_local uint64_t nx_analyse_line_visits;
_Thread_local uint64_t nx_analyse_line_texts;

/* "RIP: 0010:f+0x1/0x2", "Code: 48 8b", "RAX: 0000", "CR2: ...": a register dump line */
static bool register_line(const char *s)
{
	const char *t = nx_skip_spaces(s);
	size_t k = 0;

	if (!isupper((unsigned char)*t))
		return false;
	while (k < 8 && (isalnum((unsigned char)t[k]) || t[k] == '_'))
		k++;
	return t[k] == ':' && (t[k + 1] == ' ' || t[k + 1] == '\0');
}

/* ---- pass 2: one report from its lines ---- */

struct builder {
	struct nx_report *r;
	struct nx_extra x;
	struct nx_frames fs;
	int trace_state;		/* 0 before, 1 after a trace header, 2 in frames, 3 done */
	size_t gap;
	size_t foreign;			/* consecutive foreign lines inside the trace */
	bool lockdep_ready;		/* lockdep: "stack backtrace:" seen */
	bool has_header;		/* the report has a trace header at all */
	bool has_lockdep_bt;		/* lockdep report with its "stack backtrace:" */
	bool modules_done;
};

/* An RCU stall prints the grace-period kthread's stack before the stalled CPU's: a later
 * trace replaces one that held no interrupt (the stall is seen from the timer interrupt). */
static bool restart_stall_trace(struct builder *b)
{
	if (strcmp(b->r->type, "rcu-stall") != 0)
		return false;
	for (size_t i = 0; i < b->fs.n; i++)
		if (b->fs.v[i].section == NX_SECT_IRQ)
			return false;
	for (size_t i = 0; i < b->fs.n; i++)
		nx_frame_clear(&b->fs.v[i]);
	b->fs.n = 0;
	b->fs.section = NX_SECT_NONE;
	b->trace_state = 1;
	b->gap = 0;
	return true;
}

/* An empty line or a section title ("Allocated by task 1:", "Memory state around the
 * buggy address:"): the trace is over, whatever follows. */
static bool section_end(const struct nx_line *l)
{
	const char *t = nx_skip_spaces(l->s);
	size_t n = strlen(t);

	return n == 0 || (t[n - 1] == ':' && isupper((unsigned char)t[0]));
}

static bool trace_line(struct builder *b, const struct nx_line *l)
{
	enum nx_trace_line t;
	bool lockdep = b->has_lockdep_bt;

	if (b->trace_state == 3)
		return false;
	if (b->trace_state == 0) {
		if (lockdep && !b->lockdep_ready) {
			b->lockdep_ready = strstr(l->s, "stack backtrace:") != NULL;
			if (b->lockdep_ready)
				b->trace_state = 1;
			return b->lockdep_ready;
		}
		if (nx_is_trace_header(l->s)) {
			b->trace_state = 1;
			return true;
		}
		if (b->has_header)
			return false;
	}
	t = nx_frames_parse_line(&b->fs, l->s, l->len);
	if (b->trace_state == 0) {
		if (t == NX_TL_FRAMES)
			b->trace_state = 2;
		return t == NX_TL_FRAMES;
	}
	if (b->trace_state == 1) {
		if (t == NX_TL_FRAMES)
			b->trace_state = 2;
		else if (++b->gap > TRACE_GAP)
			b->trace_state = 3;
		return true;
	}
	if (t == NX_TL_OTHER && register_line(l->s))
		return true;	/* registers of an exception frame inside the trace */
	if (t == NX_TL_OTHER && ++b->foreign <= TRACE_FOREIGN && !section_end(l))
		return false;	/* another task's line printed into the trace */
	if (t == NX_TL_HEADER && restart_stall_trace(b))
		return true;
	if (t == NX_TL_OTHER || t == NX_TL_HEADER) {
		b->trace_state = 3;
		return false;
	}
	b->foreign = 0;
	return true;
}

/* The function a WARN or sanitizer header names: "at f.c:1 fn+0x1/0x2", "in fn+0x..". */
static void header_function(struct builder *b, const struct nx_line *l, const struct nx_line *next)
{
	const char *s = l->s, *p;
	struct nx_frame f;

	if ((p = strstr(s, "KASAN: ")) || (p = strstr(s, "KFENCE: ")) || (p = strstr(s, "KMSAN: "))) {
		p = strstr(p, " in ");
		if (p && nx_parse_symbol(p + 4, strlen(p + 4), false, &f, &b->x.oom))
			goto found;
		return;
	}
	if (!nx_starts(nx_skip_spaces(s), "WARNING: ") || !(p = strstr(s, " at ")))
		return;
	p += 4;
	size_t tok = strcspn(p, " ,");

	if (memchr(p, ':', tok) && !memchr(p, '+', tok)) {	/* "file.c:123" first */
		p += tok;
		p = nx_skip_spaces(p);
	}
	if (*p) {
		bool bare = p[strcspn(p, " (+")] == '(';

		if (nx_parse_symbol(p, strlen(p), bare, &f, &b->x.oom))
			goto found;
		return;
	}
	/* "WARNING: at f.c:467" then "generic_get_mtrr+0x11e/0x140() (Not tainted)" */
	if (next && nx_parse_symbol(nx_skip_spaces(next->s), strlen(nx_skip_spaces(next->s)), false,
				    &f, &b->x.oom))
		goto found;
	return;
found:
	b->x.header_func = f.func;
	f.func = NULL;
	nx_frame_clear(&f);
}

/* A function named after MARKER on line S ("at: [<..>] fn+0x..", "caller is fn+0x..",
 * "last function: fn"), into *OUT unless already set. */
static void named_function(struct builder *b, const char *s, const char *marker, bool bare,
			   char **out)
{
	const char *p = *out ? NULL : strstr(s, marker);
	struct nx_frame f;

	if (!p)
		return;
	p = nx_skip_spaces(p + strlen(marker));
	if (p[0] == '[' && p[1] == '<' && strchr(p, ']'))
		p = nx_skip_spaces(strchr(p, ']') + 1);
	if (nx_parse_symbol(p, strlen(p), bare, &f, &b->x.oom)) {
		*out = f.func;
		f.func = NULL;
		nx_frame_clear(&f);
	}
}

/* "RIP: 0010:fn+0x1/0x2" or "pc : fn+0x.." inside the trace: an exception frame's. */
static void trace_rip(struct builder *b, const char *s)
{
	const char *t = nx_skip_spaces(s), *p;
	struct nx_frame f;
	bool irq = b->fs.section == NX_SECT_IRQ || b->fs.section == NX_SECT_NMI ||
		   b->fs.section == NX_SECT_SOFTIRQ;

	if (b->trace_state != 2 || (b->x.trace_rip && b->x.n_rips == NX_RIPS_MAX))
		return;
	if (t[0] == 'R' && strncmp(t, "RIP: ", 5) == 0 && (p = strchr(t + 5, ':')))
		p++;
	else if (t[0] == 'p' && strncmp(t, "pc : ", 5) == 0)
		p = t + 5;
	else
		return;
	if (!nx_parse_symbol(p, strlen(p), false, &f, &b->x.oom))
		return;
	if (!b->x.trace_rip && !irq) {	/* an interrupt's own frame is not what it interrupted */
		b->x.trace_rip = nx_strndup(f.func, strlen(f.func), &b->x.oom);
		b->x.trace_rip_frame = b->fs.n;
	}
	if (b->x.n_rips < NX_RIPS_MAX) {
		b->x.rip_at[b->x.n_rips] = f.func;
		b->x.rip_frame[b->x.n_rips++] = b->fs.n;
		f.func = NULL;
	}
	nx_frame_clear(&f);
}

/* lockdep's "... which became HARDIRQ-irq-safe at:" and the stack that follows it */
static void became_stack(struct builder *b, const char *s)
{
	const char *t = nx_skip_spaces(s);
	struct nx_frame f = { 0 };

	if (b->x.in_became) {
		if (b->x.n_became < NX_BECAME_MAX &&
		    nx_parse_symbol(t, strlen(t), false, &f, &b->x.oom) && !strchr(t, ' ')) {
			b->x.became[b->x.n_became++] = f.func;
			f.func = NULL;
			nx_frame_clear(&f);
			return;
		}
		if (f.func)
			nx_frame_clear(&f);
		b->x.in_became = false;
	}
	if (b->x.n_became == 0 && strstr(t, "which became ") && strstr(t, " at:"))
		b->x.in_became = true;
}

/* The lines that name a culprit outside the trace. */
static void culprit_lines(struct builder *b, const char *s, bool lockdep)
{
	if (b->x.frames & NX_FR_BECAME)
		became_stack(b, s);
	if (lockdep && !b->x.at_func[1] && strstr(s, "at: ")) {
		if (!b->x.at_func[0])
			named_function(b, s, "at: ", false, &b->x.at_func[0]);
		else if (*nx_skip_spaces(s) != '#')	/* not the list of held locks */
			named_function(b, s, "at: ", false, &b->x.at_func[1]);
	}
	if (b->x.frames & NX_FR_CALLER)
		named_function(b, s, "caller is ", false, &b->x.caller_func);
	if (b->x.frames & NX_FR_LASTFN)
		named_function(b, s, "last function: ", true, &b->x.last_func);
	trace_rip(b, s);
}

static void free_report(struct nx_report *r)
{
	free(r->title);
	free(r->alt_title);
	free(r->class);
	free(r->type);
	free(r->kernel);
	free(r->taint);
	free(r->comm);
	free(r->hardware);
	free(r->panic_msg);
	free(r->rip_func);
	for (size_t i = 0; i < r->n_frames; i++)
		nx_frame_clear(&r->frames[i]);
	free(r->frames);
	for (size_t i = 0; i < r->n_modules; i++) {
		free(r->modules[i].name);
		free(r->modules[i].taints);
	}
	free(r->modules);
	free(r->signature);
	memset(r, 0, sizeof(*r));
}

static size_t scan_lines(struct builder *b, const struct nx_lines *L, const struct nx_span *sp)
{
	size_t last = sp->hdr;
	bool lockdep = strcmp(sp->h.type, "lockdep") == 0;

	for (size_t i = sp->start; i < sp->end; i++) {
		nx_analyse_line_visits += 2;	/* this pre-scan and the loop below */
		if (i > sp->hdr && nx_is_trace_header(L->v[i].s))
			b->has_header = true;
		if (lockdep && strstr(L->v[i].s, "stack backtrace:"))
			b->has_lockdep_bt = true;
	}
	uint32_t caller = L->v[sp->hdr].caller;

	for (size_t i = sp->start; i < sp->end; i++) {
		const struct nx_line *l = &L->v[i];
		struct nx_header h;
		bool used = false;

		if (caller && l->caller && l->caller != caller)
			continue;	/* another task or CPU printing in between */
		if (!b->modules_done && strstr(l->s, "Modules linked in:")) {
			size_t n = nx_modules_parse(b->r, &L->v[i], sp->end - i, &b->x.oom);

			b->modules_done = true;
			last = i + n - 1 > last ? i + n - 1 : last;
			i += n - 1;
			continue;
		}
		culprit_lines(b, l->s, lockdep);
		/* the report's own RIP comes before its trace; one inside is an exception frame's */
		b->x.rip_closed = b->trace_state >= 2;
		used |= nx_fields_parse_line(b->r, &b->x, l->s);
		if (i >= sp->hdr)
			used |= trace_line(b, l);
		nx_header_classify(l->s, l->len, &h);
		used |= h.role != NX_ROLE_NONE || nx_reportish(l->s);
		if (used && i > last)
			last = i;
	}
	return last + 1;
}

/* The 2016 header "KASAN: kind in f+0x1/0x2 at addr ffff.." as printed, offsets cut. */
static void kasan_verbatim(char *class, size_t cap, const char *hdr)
{
	const char *p = strstr(hdr, "KASAN: ");
	size_t n = 0;

	for (; p && *p && n + 1 < cap; p++) {
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x') {
			p += strcspn(p, " ") - 1;	/* "+0x1d/0x40" */
			continue;
		}
		class[n++] = *p;
	}
	class[n] = '\0';
}

/* KASAN names the access on the next line: "KASAN: use-after-free Read" (syzbot's titles).
 * A 2016 report cut before that line is titled by its header as printed, and has no
 * culprit (true returned). */
static bool kasan_access(char *class, size_t cap, const struct nx_lines *L, const struct nx_span *sp)
{
	if (strncmp(class, "KASAN: ", 7) != 0)
		return false;
	for (size_t i = sp->hdr + 1; i < sp->end && i <= sp->hdr + 6; i++) {
		const char *t = nx_skip_spaces(L->v[i].s);
		size_t n = strlen(class);

		if ((nx_starts(t, "Read of size") || nx_starts(t, "Read at addr")) && n + 5 < cap)
			memcpy(class + n, " Read", 6);
		else if ((nx_starts(t, "Write of size") || nx_starts(t, "Write at addr")) &&
			 n + 6 < cap)
			memcpy(class + n, " Write", 7);
		else
			continue;
		return false;
	}
	if (!strstr(L->v[sp->hdr].s, " at addr "))
		return false;
	kasan_verbatim(class, cap, L->v[sp->hdr].s);
	return true;
}

#define REPORT_ITEMS 8	/* a report's own fields, counted like 8 frames against NX_ITEMS_MAX */

/* Keep as many frames and modules as the text's item budget has left (frames first). */
static void spend_budget(struct nx_report *r, size_t *budget)
{
	size_t left = *budget - REPORT_ITEMS;
	size_t nf = r->n_frames < left ? r->n_frames : left;
	size_t nm = r->n_modules < left - nf ? r->n_modules : left - nf;

	while (r->n_frames > nf)
		nx_frame_clear(&r->frames[--r->n_frames]);
	while (r->n_modules > nm) {
		r->n_modules--;
		free(r->modules[r->n_modules].name);
		free(r->modules[r->n_modules].taints);
	}
	if (nf == 0) {
		free(r->frames);
		r->frames = NULL;
	} else {	/* the frame array grew by doubling: give back the unused part */
		struct nx_frame *v = realloc(r->frames, nf * sizeof(*v));

		r->frames = v ? v : r->frames;
	}
	if (nm == 0) {
		free(r->modules);
		r->modules = NULL;
	}
	*budget = left - nf - nm;
}

static bool build(struct nx_report *r, const struct nx_lines *L, const struct nx_span *sp,
		  size_t *budget)
{
	char class[NX_CLASS_MAX];

	struct builder b = { .r = r };
	size_t last;

	memset(r, 0, sizeof(*r));
	r->cpu = r->pid = -1;
	r->type = (char *)sp->h.type;
	b.x.frames = sp->h.frames;
	b.x.skip = sp->h.skip;
	b.x.suffix = sp->h.suffix;
	b.x.header_line = L->v[sp->hdr].s;
	b.x.needs_stack = sp->h.needs_stack;
	if (b.x.frames & NX_FR_HEADER)
		header_function(&b, &L->v[sp->hdr], sp->hdr + 1 < sp->end ? &L->v[sp->hdr + 1] : NULL);
	last = scan_lines(&b, L, sp);
	memcpy(class, sp->h.class, sizeof(class));
	bool cut = kasan_access(class, sizeof(class), L, sp);

	r->class = nx_strndup(class, strlen(class), &b.x.oom);
	r->die_counter = sp->h.die_counter;
	r->frames = b.fs.v;
	r->n_frames = b.fs.n;
	r->corrupted = (sp->h.needs_stack && r->n_frames == 0) || cut;
	if (cut)
		b.x.frames = 0;	/* the header as printed is the title */
	spend_budget(r, budget);
	r->start = L->v[sp->start].raw_start;
	r->end = L->v[last - 1].raw_end;
	if (b.fs.arm_caller[0])
		b.x.outer_caller = b.fs.arm_caller;
	if (r->class) {
		r->title = nx_title(r, &b.x, &r->alt_title, &b.x.oom);
		r->signature = nx_signature(r, &b.x.oom);
	}
	r->type = nx_strndup(sp->h.type, strlen(sp->h.type), &b.x.oom);
	free(b.x.header_func);
	free(b.x.invoker);
	free(b.x.victim);
	free(b.x.at_func[0]);
	free(b.x.at_func[1]);
	for (size_t i = 0; i < b.x.n_became; i++)
		free(b.x.became[i]);
	free(b.x.caller_func);
	free(b.x.last_func);
	free(b.x.trace_rip);
	for (size_t i = 0; i < b.x.n_rips; i++)
		free(b.x.rip_at[i]);
	if (b.fs.oom || b.x.oom || !r->type) {
		free_report(r);
		return false;
	}
	return true;
}

struct nx_report_set *nx_analyse(const char *text, size_t len)
{
	struct nx_lines L;
	struct nx_span *spans = NULL;
	size_t n = 0;
	bool oom = false;
	size_t budget = NX_ITEMS_MAX(text ? len : 0);
	struct nx_report_set *set = calloc(1, sizeof(*set));

	if (!set || !nx_lines_split(&L, text ? text : "", text ? len : 0)) {
		free(set);
		return NULL;
	}
	oom = !nx_find_spans(&L, &spans, &n);
	if (!oom && n && !(set->reports = calloc(n, sizeof(*set->reports))))
		oom = true;
	for (size_t i = 0; i < n && !oom && budget >= REPORT_ITEMS; i++) {
		if (!build(&set->reports[set->n], &L, &spans[i], &budget))
			oom = true;
		else
			set->reports[set->n].primary = set->n == 0, set->n++;
	}
	free(spans);
	nx_lines_free(&L);
	if (oom) {
		nx_report_set_free(set);
		return NULL;
	}
	return set;
}

void nx_report_set_free(struct nx_report_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free_report(&set->reports[i]);
	free(set->reports);
	free(set);
}

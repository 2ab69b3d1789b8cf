/* Analyser internals shared by analyse.c, lines.c, headers.c, frames.c, fields.c, ... */
#ifndef NX_ANALYSE_INT_H
#define NX_ANALYSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyse/analyse.h"

/* ---- lines.c: the text as kernel log lines, per-line prefixes removed ---- */

struct nx_line {
	const char *s;			/* normalised text, NUL-terminated, no '\n' */
	size_t len;
	size_t raw_start, raw_end;	/* byte range of the source line in the input */
	int level;			/* printk level, -1 when unknown */
	uint32_t caller;		/* CONFIG_PRINTK_CALLER: T<id> = 2id+1, C<id> = 2id+2; 0 none */
	bool ready;			/* S holds the text (else only its place: nx_lines_ready()) */
	bool hot;			/* holds a header's key (nx_header_candidate()), or ready */
};

struct nx_lines {
	const char *text;		/* the input */
	char *buf;			/* storage for every line's text */
	struct nx_line *v;
	size_t n;
};

/* Split TEXT into kernel log lines; false only on ENOMEM. Only the prefixes are parsed: the
 * text of a line that holds no header's key is copied when a report reaches it. */
bool nx_lines_split(struct nx_lines *out, const char *text, size_t len);
/* Make the text of lines [FROM, TO) readable (S). */
void nx_lines_ready(struct nx_lines *L, size_t from, size_t to);
void nx_lines_free(struct nx_lines *l);

/* ---- headers.c: which lines open, extend or close a report ---- */

enum nx_role {
	NX_ROLE_NONE,
	NX_ROLE_START,		/* opens a report (may merge into the one just opened) */
	NX_ROLE_DIE,		/* "xxx: 0000 [#1]": joins a fresh report, else opens one */
	NX_ROLE_UPGRADE,	/* reclassifies a fresh report (hard LOCKUP inside a WARN) */
	NX_ROLE_VICTIM,		/* OOM kill line: joins an OOM report, else opens one */
	NX_ROLE_PANIC,		/* "Kernel panic - not syncing: ..." */
	NX_ROLE_CUT,		/* "------------[ cut here ]------------" */
	NX_ROLE_END,		/* "---[ end trace ... ]---" and friends */
};

#define NX_CLASS_MAX 160

/* Where a kind's culprit function may come from, tried in this order (title.c). */
#define NX_FR_HEADER 0x01	/* the header line: "WARNING: ... at f.c:1 fn+0x..", "KASAN: .. in fn" */
#define NX_FR_RIP 0x02		/* the report's RIP/PC */
#define NX_FR_AT 0x04		/* lockdep's first "at: fn+0x.." lines */
#define NX_FR_CALLER 0x08	/* "caller is fn+0x.." */
#define NX_FR_LASTFN 0x10	/* workqueue "last function: fn" */
#define NX_FR_TRACE 0x20	/* the call trace, reliable frames in order */
#define NX_FR_STALL 0x40	/* stalls: the interrupted stack, by its dispatch anchor */
#define NX_FR_HUNG 0x80		/* hung tasks: the waiting skipped, common waits bucketed */
#define NX_FR_BECAME 0x100	/* lockdep irq order: the stack after "which became ... at:" */
#define NX_BECAME_MAX 16
#define NX_RIPS_MAX 8

struct nx_header {
	enum nx_role role;
	char class[NX_CLASS_MAX];	/* syzbot's name: "kernel BUG", "possible deadlock", ... */
	const char *type;		/* static: "bug", "warning", ... */
	unsigned frames;		/* NX_FR_* culprit sources; 0: the title is the class */
	const char *const *skip;	/* the kind's own skipped frame patterns, or NULL */
	const char *suffix;		/* appended to the culprit ("/usb_submit_urb"), or NULL */
	bool needs_stack;		/* a report of this class without a culprit is corrupted */
	bool same_class_merges;		/* consecutive headers of this class form one report */
	int die_counter;		/* from "[#N]", 0 when absent */
	size_t cap;			/* at most this many lines after the header */
};

/* Classify one normalised line. */
void nx_header_classify(const char *s, size_t len, struct nx_header *h);
/* False when the LEN bytes at S (a line without NUL) cannot be a header of any kind: they
 * hold no kind's key (nx_header_classify() would find NX_ROLE_NONE). */
bool nx_header_candidate(const char *s, size_t len);

/* ---- spans.c: pass 1, the extent of each report ---- */

struct nx_span {
	size_t start, hdr, end;		/* lines [start, end); hdr is the header line */
	size_t last_active;		/* last line that looked like part of a report */
	struct nx_header h;		/* class and type, after joins and upgrades */
	bool trace_seen, has_die, open;
	uint32_t caller;		/* the header line's printk caller id, 0 when none */
};

/* Every report's extent in L, in order, every line inside one ready; false only on ENOMEM. */
bool nx_find_spans(struct nx_lines *L, struct nx_span **spans, size_t *n);
/* Frames, trace headers and register dumps: lines that belong to some report. */
bool nx_reportish(const char *s);

/* ---- frames.c: call-trace lines ---- */

enum nx_trace_line {
	NX_TL_OTHER,		/* not part of a trace */
	NX_TL_FRAMES,		/* one or more frames were appended */
	NX_TL_MARKER,		/* section marker, no frame: "<IRQ>", "</TASK>" */
	NX_TL_NOISE,		/* tolerated inside a trace: register lines, address-only frames */
	NX_TL_HEADER,		/* "Call Trace:", "Backtrace:", "stack backtrace:" */
};

struct nx_frames {
	struct nx_frame *v;
	size_t n, cap;
	enum nx_section section;	/* section of the next frame */
	char arm_caller[64];		/* arm: the caller after " from " on the last frame line */
	bool oom;
};

/* Parse one line in a trace; appends frames to F. */
enum nx_trace_line nx_frames_parse_line(struct nx_frames *f, const char *s, size_t len);
/* True when S looks like a trace header ("Call Trace:" ...). */
bool nx_is_trace_header(const char *s);
/* Parse "func+0x1/0x2 [mod]" (also "func" alone when BARE_OK) into F. */
bool nx_parse_symbol(const char *s, size_t len, bool bare_ok, struct nx_frame *f, bool *oom);
void nx_frame_clear(struct nx_frame *f);

/* ---- fields.c / taint.c / modules.c: the report's attributes ---- */

/* What a report's lines say beyond struct nx_report, used for its title. */
struct nx_extra {
	unsigned frames;	/* NX_FR_* of the report's kind */
	const char *const *skip;	/* and its own skip list */
	const char *suffix;	/* and the title's suffix after the culprit */
	bool needs_stack;
	const char *header_line;	/* the report's header line, normalised */
	char *header_func;	/* function named by the header line (WARN, KASAN) */
	char *at_func[2];	/* lockdep: the first two "at: func+0x.." */
	char *became[NX_BECAME_MAX];	/* lockdep: the stack after "which became ... at:" */
	size_t n_became;
	bool in_became;
	char *caller_func;	/* "caller is func+0x.." */
	char *last_func;	/* "last function: func" */
	char *trace_rip;	/* first RIP/PC printed inside the trace outside an interrupt */
	size_t trace_rip_frame;	/* frames before it */
	char *rip_at[NX_RIPS_MAX];	/* every RIP/PC inside the trace (exception frames) */
	size_t rip_frame[NX_RIPS_MAX];	/* frames before each */
	size_t n_rips;
	const char *outer_caller;	/* arm: the outermost caller, printed only after " from " */
	char *invoker;		/* OOM: the task that invoked the OOM killer */
	char *victim;		/* OOM: the task killed */
	bool memcg;		/* OOM: a memory cgroup's limit, not the whole machine */
	bool cpu_line_seen;	/* the first "CPU: .. PID: .." line wins */
	bool old_pid_line;	/* parsing a "Pid: N, comm: X" line (RHEL 6 adds the machine) */
	bool rip_closed;	/* the trace is over: later RIP/PC lines are other dumps' */
	bool oom;		/* ENOMEM while filling */
};

/* Look at one line of a report and fill whatever it states. Returns true when
 * the line was recognised as a report line (used to find the report's end). */
bool nx_fields_parse_line(struct nx_report *r, struct nx_extra *x, const char *s);
/* Taint flags "P        W  O" -> mask; letters copied with space runs collapsed. */
uint32_t nx_taint_mask(const char *letters, size_t len);
char *nx_taint_letters(const char *letters, size_t len);
/* Parse "Modules linked in: ..." and its continuation lines; returns lines used. */
size_t nx_modules_parse(struct nx_report *r, const struct nx_line *lines, size_t n, bool *oom);

/* ---- title.c: culprit function and title ---- */

/* True when the frame name (base name, LEN bytes) belongs to the reporting, locking,
 * scheduling, allocation or library machinery, globally or for the kind's list KIND_SKIP. */
bool nx_is_machinery(const char *name, size_t len, const char *const *kind_skip);
/* Base name of a frame's function as syzbot prints it: leading '.' and ".isra.0"-style
 * suffixes cut, one syscall-wrapper prefix ("SyS_", "__x64_", "__do_sys_") stripped. */
size_t nx_base_name(const char *func, const char **start);

/* The title (normalised: addresses ADDR, numbers NUM) and, in *ALT, the alternative title
 * syzbot also knows the bug by (NULL when none). Sets r->corrupted when the kind needs a
 * culprit and none was found ("<class> in corrupted"). */
char *nx_title(struct nx_report *r, const struct nx_extra *x, char **alt, bool *oom);
/* Variable data of a title replaced in place: hex addresses -> ADDR, numbers -> NUM. */
char *nx_title_normalise(const char *s, bool *oom);

/* ---- signature.c ---- */

/* "v2:<hex>" from type and title (docs/analysis.md, section 6). */
char *nx_signature(const struct nx_report *r, bool *oom);

/* Lines visited by nx_analyse() in this thread: lets tests prove the work is linear. */
extern _Thread_local uint64_t nx_analyse_line_visits;
/* Deferred lines whose text was copied (nx_lines_ready()): proves the backlog is not parsed. */
extern _Thread_local uint64_t nx_analyse_line_texts;

/* ---- strutil.c: small string helpers ---- */

char *nx_strndup(const char *s, size_t n, bool *oom);
char *nx_strdup_range(const char *from, const char *to, bool *oom);
const char *nx_memmem(const char *h, size_t hl, const char *n);
bool nx_starts(const char *s, const char *prefix);
const char *nx_skip_spaces(const char *s);
bool nx_ishex(int c);

#endif

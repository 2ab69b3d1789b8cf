/* Report headers: one table of crash kinds (the lines that start each, its class, type, title
 * and culprit rules); the prefilter that dismisses ordinary lines is derived from the table. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

/* Line caps: how far after its header a report may reach. */
#define CAP_OOPS 400
#define CAP_LONG 4000	/* hung tasks, OOM task lists, RCU stalls */

/* Kind flags. */
#define KF_STACK 0x01	/* a report of this kind without a culprit frame is corrupted */
#define KF_LONG 0x02	/* CAP_LONG lines */
#define KF_MERGE 0x04	/* consecutive headers of this kind form one report */
#define KF_START 0x08	/* the key opens the line (after spaces, or a timestamp: line_start()) */
#define KF_BUG 0x10	/* the key follows "BUG: " */
#define KF_NUM 0x20	/* the key is followed by '#' or a digit (a line without cannot match) */

/* Culprit sources (title.c), common sets. */
#define FR_OOPS (NX_FR_HEADER | NX_FR_RIP | NX_FR_TRACE)
#define FR_LOCKDEP (NX_FR_AT | NX_FR_TRACE)

struct kind;
typedef bool matcher(const char *line, const char *at, const struct kind *k, struct nx_header *h);

/* One crash kind. The header line contains KEY; MATCH (when set) confirms it and may refine
 * class, culprit sources and skip list. CLASS is syzbot's name for the kind: titles are
 * "CLASS in CULPRIT" (docs/analysis.md, section 2). */
struct kind {
	const char *key;
	matcher *match;
	enum nx_role role;
	const char *class, *type;
	unsigned flags, frames;
	const char *const *skip;	/* frame patterns of this kind's own machinery */
};

static const char *const skip_spin[] = { "spin_", "rwlock_", "_raw_read", "_raw_write", NULL };
static const char *const skip_preempt[] = { "preempt", "this_cpu", "smp_processor_id", NULL };
static const char *const skip_rcu[] = { "rcu", "lockdep", NULL };
static const char *const skip_leak[] = {
	"kmemleak", "mmap", "kmalloc", "kmem", "slab", "alloc", "create_object", "idr_get",
	"list_lru_init", "kasprintf", "kvasprintf", "pcpu_create", "strdup", "strndup", "kmemdup",
	"krealloc", "vmalloc", "vzalloc", "kvmalloc", "kzalloc", "kcalloc", "new_inode",
	"skb_clone", "__skb", "sock_alloc", NULL,
};
static const char *const skip_page[] = { "free_unref", "free_pages", "free_page", "put_page",
					 "folio_put", "folios_put", "release_pages", "bad_page",
					 "folio_batch", "pagevec", "lru_add", "add_lru", NULL };
static const char *const skip_ubsan[] = { "ubsan", NULL };
static const char *const skip_sched[] = { "schedule", NULL };
static const char *const skip_lockbug[] = { "lock_sock", NULL };
static const char *const skip_odebug[] = { "^debug_", "init_timer", "^__init_work", NULL };

/* Set H from kind K (class overridable by the matcher afterwards). */
static void set_kind(struct nx_header *h, const struct kind *k)
{
	size_t n = k->class ? strlen(k->class) : 0;

	n = n < sizeof(h->class) ? n : sizeof(h->class) - 1;
	h->role = k->role;
	memcpy(h->class, k->class ? k->class : "", n);	/* not snprintf: every header, twice */
	h->class[n] = '\0';
	h->type = k->type;
	h->needs_stack = (k->flags & KF_STACK) != 0;
	h->same_class_merges = (k->flags & KF_MERGE) != 0;
	h->cap = (k->flags & KF_LONG) ? CAP_LONG : CAP_OOPS;
	h->frames = k->frames;
	h->skip = k->skip;
}

/* AT opens the kernel line T: at its start, or right after a printk timestamp (and caller
 * id) glued to other console text ("login: [   35.184476] BUG: ..." on a serial console). */
static bool line_start(const char *t, const char *at)
{
	const char *p = at;

	if (at == t)
		return true;
	for (int group = 0; group < 2; group++) {	/* "[   35.184476]" then "[T3344]" */
		const char *close = p - 1, *open;

		while (close > t && close[-1] == ' ')
			close--;
		if (close <= t || close[-1] != ']')
			return group > 0;
		for (open = close - 1; open > t && open[-1] != '[' && close - open < 20; open--)
			;
		if (open <= t || open[-1] != '[')
			return group > 0;
		for (const char *q = open; q < close - 1; q++)
			if (!isdigit((unsigned char)*q) && *q != '.' && *q != ' ' && *q != 'T' &&
			    *q != 'C')
				return group > 0;
		p = open - 1;
	}
	return true;
}

/* Copy at most N bytes of S into the class, trimming trailing spaces. */
static void class_n(struct nx_header *h, const char *s, size_t n)
{
	if (n > 120)
		n = 120;
	while (n && s[n - 1] == ' ')
		n--;
	snprintf(h->class, sizeof(h->class), "%.*s", (int)n, s);
}

/* "INFO: ", "WARNING: " or "BUG: " before AT on the line: the tag lockdep printed. */
static const char *lockdep_tag(const char *line, const char *at)
{
	static const char *const tags[] = { "INFO: ", "WARNING: ", "BUG: " };

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *t = strstr(line, tags[i]);

		if (t && t < at)
			return tags[i];
	}
	return NULL;
}

/* Lockdep banners, old ("[ INFO: ... ]") and new ("WARNING: ...") alike. */
static bool m_lockdep(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *tag = lockdep_tag(line, at);

	if (!tag)
		return false;
	set_kind(h, k);
	if (k->class[0] == ':')	/* the class keeps the tag: "BUG: bad unlock balance" */
		snprintf(h->class, sizeof(h->class), "%.*s%s", (int)strlen(tag) - 2, tag, k->class);
	return true;
}

/* "BUG: KASAN: use-after-free in foo+0x1/0x2", "UBSAN: shift-out-of-bounds in f.c:1:2",
 * "UBSAN: Undefined behaviour in f.c:1:2" (syzbot: "UBSAN: undefined-behaviour"). */
static bool m_sanitizer(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *in = strstr(at, " in "), *on = strstr(at, " on address");
	size_t n = in ? (size_t)(in - at) : on ? (size_t)(on - at) : strcspn(at, ":[(");

	(void)line;
	if (n <= strlen(k->key) - 1)
		n = strlen(at);
	set_kind(h, k);
	class_n(h, at, n);
	if (strcmp(h->class, "UBSAN: Undefined behaviour") == 0)
		snprintf(h->class, sizeof(h->class), "UBSAN: undefined-behaviour");
	if (!in && on)	/* "KASAN: null-ptr-deref on address": syzbot names no function */
		h->frames = 0, h->needs_stack = false;
	if (in && strstr(in, " / ")) {	/* "KCSAN: data-race in f / g": both, as printed */
		class_n(h, at, strlen(at));
		h->frames = 0, h->needs_stack = false;
	}
	return true;
}

/* "BUG: MAX_LOCKDEP_KEYS too low!": lockdep ran out of a table; the title is the line. */
static bool m_too_low(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *end = strstr(at, " too low!");

	if (!line_start(nx_skip_spaces(line), at) || !end || end[9] != '\0')
		return false;
	set_kind(h, k);
	class_n(h, at, (size_t)(end - at) + 9);
	return true;
}

/* The faulting address after "address"/"at", to tell NULL dereferences apart. */
static bool fault_address(const char *s, unsigned long long *addr)
{
	const char *p = strstr(s, "address");

	p = p ? p + 7 : strstr(s, " at ");
	if (!p)
		return false;
	while (*p == ' ' || *p == ':' || (p[0] == 'a' && p[1] == 't' && p[2] == ' '))
		p += (*p == 'a') ? 3 : 1;
	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	if (!nx_ishex((unsigned char)*p))
		return false;
	*addr = strtoull(p, NULL, 16);
	return true;
}

static void null_deref(struct nx_header *h, const struct kind *k)
{
	set_kind(h, k);
	snprintf(h->class, sizeof(h->class),
		 "BUG: unable to handle kernel NULL pointer dereference");
	h->type = "null-deref";
}

/* "BUG: unable to handle kernel paging request at", arm/ppc "Unable to handle kernel ...",
 * x86 since 4.19 "BUG: unable to handle page fault for address", "BUG: kernel NULL pointer
 * dereference, address: 0000000000000008": NULL when the address is below 0x1000. */
static bool m_fault(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	static const char *const pagings[] = {
		"paging request", "pointer dereference", "access", "execute", "write", "read",
	};
	unsigned long long addr;
	const char *what = nx_skip_spaces(at + strlen(k->key));
	bool known = k->key[0] != 'n';	/* not the generic "nable to handle kernel" */

	if (strstr(at, "NULL pointer dereference"))
		return null_deref(h, k), true;
	for (size_t i = 0; !known && i < sizeof(pagings) / sizeof(pagings[0]); i++)
		known = nx_starts(what, pagings[i]);
	if (known) {
		if (fault_address(line, &addr) && addr < 0x1000)
			return null_deref(h, k), true;
		set_kind(h, k);
		return true;
	}
	if (*what != '\0')
		return false;
	set_kind(h, k);	/* "BUG: unable to handle kernel" cut short: syzbot's title too */
	snprintf(h->class, sizeof(h->class), "BUG: unable to handle kernel");
	h->frames = 0;
	h->needs_stack = false;
	return true;
}

/* "BUG: " opens the line; the key comes later ("BUG: TASK stack guard page was hit at") */
static bool m_bug_line(const char *line, const char *at, const struct kind *k,
		       struct nx_header *h)
{
	(void)at;
	if (!nx_starts(line, "BUG: "))
		return false;
	set_kind(h, k);
	return true;
}

/* "INFO: task X:PID blocked for more than N seconds", "... blocked in I/O wait for more" */
static bool m_hung(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	(void)line;
	if (!strstr(at, " blocked ") || !strstr(at, " for more than "))
		return false;
	set_kind(h, k);
	return true;
}

static bool m_rcu(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	(void)at;
	if (!strstr(line, "rcu_") && !strstr(line, "rcu:"))
		return false;
	set_kind(h, k);
	return true;
}

/* Source files whose WARN()/BUG() is a checker of its own: syzbot names the check. */
static const struct {
	const char *file, *warn_class, *bug_class;
	const char *const *skip;
	const char *suffix;	/* after the culprit: the checker's name */
} checker_files[] = {
	{ "lib/refcount.c", "WARNING: refcount bug", NULL, NULL, NULL },
	{ "lib/debugobjects.c", "WARNING: ODEBUG bug", NULL, skip_odebug, NULL },
	{ "lib/kobject.c", "WARNING: kobject bug", NULL, NULL, NULL },
	{ "kernel/locking/lockdep.c", "WARNING: locking bug", NULL, skip_lockbug, NULL },
	{ "mm/slab_common.c", "WARNING: kmalloc bug", NULL, NULL, NULL },
	{ "mm/util.c", "WARNING: kmalloc bug", NULL, NULL, NULL },
	{ "mm/vmalloc.c", "WARNING: zero-size vmalloc", NULL, NULL, NULL },
	{ "mm/usercopy.c", "BUG: bad usercopy", "BUG: bad usercopy", NULL, NULL },
	{ "lib/list_debug.c", NULL, "BUG: corrupted list", NULL, NULL },
	{ "fs/proc/generic.c", "WARNING: proc registration bug", NULL, NULL, NULL },
	/* an URB the driver got wrong: "WARNING in <driver function>/usb_submit_urb" */
	{ "drivers/usb/core/urb.c", "WARNING", NULL, NULL, "/usb_submit_urb" },
};

/* The checker file named right after " at " in AT, or -1. */
static int checker_file(const char *at)
{
	const char *p = strstr(at, " at ");

	p = p ? p + 4 : at;
	for (size_t i = 0; i < sizeof(checker_files) / sizeof(checker_files[0]); i++) {
		size_t n = strlen(checker_files[i].file);

		if (strncmp(p, checker_files[i].file, n) == 0 && p[n] == ':')
			return (int)i;
	}
	return -1;
}

/* "kernel BUG at mm/slub.c:1", "kernel BUG at lib/list_debug.c:51!" -> "BUG: corrupted list" */
static bool m_kernel_bug(const char *line, const char *at, const struct kind *k,
			 struct nx_header *h)
{
	int c = checker_file(at);

	(void)line;
	set_kind(h, k);
	if (c >= 0 && checker_files[c].bug_class)
		snprintf(h->class, sizeof(h->class), "%s", checker_files[c].bug_class);
	return true;
}

/* WARN(): "WARNING: at f.c:1 fn()", "WARNING: CPU: 0 PID: 1 at f.c:1 fn+0x..",
 * and the 2025 form "WARNING: f.c:1 at fn+0x../0x.., CPU#1: comm/pid". */
static bool m_warning(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *p = at + 9;
	int c;

	(void)line;
	if (!nx_starts(p, "at ") && !nx_starts(p, "CPU: ")) {
		const char *sp = strchr(p, ' ');
		const char *colon = strchr(p, ':');

		if (!sp || !colon || colon > sp || !isdigit((unsigned char)colon[1]) ||
		    !nx_starts(sp, " at "))
			return false;
		c = checker_file(p - 4);	/* the file comes first */
	} else {
		c = checker_file(at);
	}
	set_kind(h, k);
	if (c >= 0 && checker_files[c].warn_class) {
		snprintf(h->class, sizeof(h->class), "%s", checker_files[c].warn_class);
		h->skip = checker_files[c].skip;
		h->suffix = checker_files[c].suffix;
	}
	return true;
}

/* Name of an x86 die() string or arch equivalent -> class and type. */
static void die_class(const char *name, size_t n, bool internal, struct nx_header *h)
{
	static const char *const map[][3] = {
		{ "general protection fault", "general protection fault", "gpf" },
		{ "divide error", "divide error", "divide" },
		{ "divide_error", "divide error", "divide" },
		{ "invalid opcode", "invalid opcode", "invalid-opcode" },
		{ "Oops - undefined instruction", "invalid opcode", "invalid-opcode" },
		{ "Oops - BUG", "kernel BUG", "bug" },
		{ "Exception in kernel mode", "kernel BUG", "bug" },
		{ "illegal operation", "kernel BUG", "bug" },
		{ "Kernel access of bad area", "BUG: unable to handle kernel paging request", "paging" },
		{ "Machine check", "machine check", "mce" },
		{ "double fault", "double fault", "other" },
		{ "stack segment", "stack segment fault", "other" },
		{ "int3", "int3", "other" },
		{ "Oops", "BUG: unable to handle kernel paging request", "paging" },
	};

	h->role = NX_ROLE_DIE;
	h->cap = CAP_OOPS;
	h->frames = FR_OOPS;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t k = strlen(map[i][0]);

		if (n >= k && memcmp(name, map[i][0], k) == 0) {
			snprintf(h->class, sizeof(h->class), "%s", map[i][1]);
			h->type = map[i][2];
			h->needs_stack = map[i][2][0] != 'm';
			return;
		}
	}
	h->type = "other";
	h->needs_stack = true;
	if (internal)	/* arm "Internal error: synchronous external abort: 96000010 [#1]" */
		snprintf(h->class, sizeof(h->class), "Internal error");
	else
		class_n(h, name, n < 100 ? n : 100);
}

/* "Oops: general protection fault, ...: 0000 [#1] SMP", "Internal error: Oops: 805 [#1]",
 * "Oops: Kernel access of bad area, sig: 11 [#1]", "double fault: 0000 [1] PREEMPT" */
static bool m_die(const char *s, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *br = strstr(s, " [#");
	const char *p, *name, *end;
	bool internal = false;
	int counter;

	(void)at, (void)k;
	if (!br) {
		br = strstr(s, " [");
		if (!br || !isdigit((unsigned char)br[2]))
			return false;
		counter = atoi(br + 2);
	} else {
		if (!isdigit((unsigned char)br[3]))
			return false;
		counter = atoi(br + 3);
	}
	/* before " [#": ": HEX" or ", sig: N" */
	p = br;
	while (p > s && nx_ishex((unsigned char)p[-1]))
		p--;
	if (p == br || p - s < 2 || br - p > (br[2] == '#' ? 16 : 4))
		return false;
	if (p[-1] == ' ' && p[-2] == ':')
		end = p - 2;
	else
		return false;
	if (end - s >= 5 && memcmp(end - 5, ", sig", 5) == 0)
		end -= 5;
	name = nx_skip_spaces(s);
	for (;;) {
		if (nx_starts(name, "Oops: ") && name + 6 <= end)
			name += 6;
		else if (nx_starts(name, "Internal error: ") && name + 16 <= end)
			name += 16, internal = true;
		else
			break;
	}
	if (name >= end) {
		name = "Oops";
		end = name + 4;
	}
	/* "general protection fault, probably for non-canonical address 0x...": cut at ',' */
	const char *comma = memchr(name, ',', (size_t)(end - name));

	die_class(name, (size_t)((comma ? comma : end) - name), internal, h);
	h->die_counter = counter;
	return true;
}

/* Generic "BUG: what happened at/in ..." -> "BUG: what happened"; a "key:value" word
 * ("mm:ffff88005fac4300") is variable data and goes too. */
static bool m_bug(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *p = at;
	size_t n = 5, word = 5;

	if (!line_start(nx_skip_spaces(line), p))
		return false;
	while (p[n]) {
		if (p[n] == ' ')
			word = n;
		if (p[n] == ':' && n > word + 1 && p[n + 1] && p[n + 1] != ' ') {
			n = word;
			break;
		}
		if (p[n] == ',' || p[n] == ':' || p[n] == '!' || p[n] == '[' || p[n] == '{' ||
		    nx_starts(p + n, " at ") || nx_starts(p + n, " in ") ||
		    nx_starts(p + n, " (") || nx_starts(p + n, " - ") || nx_starts(p + n, " on "))
			break;
		/* stop before numbers and addresses: they differ between occurrences */
		if (p[n] == ' ' && (isdigit((unsigned char)p[n + 1]) || nx_starts(p + n + 1, "0x")))
			break;
		n++;
	}
	if (n == 5)
		return false;
	set_kind(h, k);
	if (strstr(p, "lockup"))
		h->type = "lockup";
	class_n(h, p, n);
	return true;
}

/* "BUG: using __this_cpu_read() in preemptible [00000000] code: comm/pid" */
static bool m_preemptible(const char *line, const char *at, const struct kind *k,
			  struct nx_header *h)
{
	const char *what = at + 11, *close = strstr(what, " in preemptible");

	(void)line;
	if (!close || close - what > 60)
		return false;
	set_kind(h, k);
	snprintf(h->class, sizeof(h->class), "BUG: using %.*s in preemptible code",
		 (int)(close - what), what);
	return true;
}

/* SLUB: "BUG kmalloc-64 (Not tainted): Poison overwritten" -> "BUG: Poison overwritten" */
static bool m_slab(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	const char *p = at, *close, *msg;
	size_t name;

	if (p != nx_skip_spaces(line) || (name = strcspn(p + 4, " :")) == 0)
		return false;
	if (nx_starts(p + 4 + name, ": ")) {	/* "BUG sas_task: Objects remaining ..." */
		msg = p + 4 + name + 2;
	} else {				/* "BUG kmalloc-64 (Not tainted): Poison ..." */
		if (!nx_starts(p + 4 + name, " (") || !(close = strstr(p, "): ")))
			return false;
		if (!strstr(p, "tainted") && !strstr(p, "Tainted"))
			return false;
		msg = close + 3;
	}
	char buf[NX_CLASS_MAX];

	set_kind(h, k);
	snprintf(buf, sizeof(buf), "BUG: %.*s", (int)strcspn(msg, "0123456789("), msg);
	class_n(h, buf, strlen(buf));
	return true;
}

static bool m_at_start(const char *line, const char *at, const struct kind *k, struct nx_header *h)
{
	if (!line_start(nx_skip_spaces(line), at))
		return false;
	set_kind(h, k);
	return true;
}

#define LOCKDEP(key, class, flags, frames, skip) \
	{ key, m_lockdep, NX_ROLE_START, class, "lockdep", flags, frames, skip }
#define ST KF_STACK

/* In priority order: the first kind whose key occurs and whose matcher agrees wins. */
static const struct kind kinds[] = {
	{ "---[ end trace", m_at_start, NX_ROLE_END, "", "", 0, 0, NULL },
	{ "---[ end Kernel panic", m_at_start, NX_ROLE_END, "", "", 0, 0, NULL },
	{ "------------[ cut here ]------------", NULL, NX_ROLE_CUT, "", "", 0, 0, NULL },
	{ "Kernel panic - not syncing", NULL, NX_ROLE_PANIC, "kernel panic", "panic", 0,
	  NX_FR_TRACE, skip_sched },
	/* lockdep: a class starting with ':' keeps the printed tag ("BUG", "WARNING") */
	LOCKDEP("possible recursive locking detected", "possible deadlock", ST, FR_LOCKDEP, NULL),
	LOCKDEP("possible circular locking dependency detected", "possible deadlock", ST,
		FR_LOCKDEP, NULL),
	LOCKDEP("possible irq lock inversion dependency detected", "possible deadlock", ST,
		NX_FR_BECAME | FR_LOCKDEP, NULL),
	LOCKDEP("lock order detected", "possible deadlock", ST, NX_FR_BECAME | FR_LOCKDEP, NULL),
	LOCKDEP("inconsistent lock state", "inconsistent lock state", ST, FR_LOCKDEP, NULL),
	LOCKDEP("suspicious RCU usage", "WARNING: suspicious RCU usage", ST, NX_FR_TRACE, skip_rcu),
	LOCKDEP("suspicious rcu_dereference_check() usage", "WARNING: suspicious RCU usage", ST,
		NX_FR_TRACE, skip_rcu),
	LOCKDEP("bad unlock balance detected", ": bad unlock balance", ST, FR_LOCKDEP, NULL),
	/* lockdep_sys_exit() prints held locks but never a stack */
	LOCKDEP("lock held when returning to user space", ": lock held when returning to user space",
		0, NX_FR_AT, NULL),
	LOCKDEP("held lock freed", ": held lock freed", ST, FR_LOCKDEP, NULL),
	LOCKDEP("nested lock was not taken", ": nested lock was not taken", ST, FR_LOCKDEP, NULL),
	LOCKDEP("still has locks held", ": still has locks held", ST, FR_LOCKDEP, NULL),
	LOCKDEP("trying to register non-static key", "INFO: trying to register non-static key", ST,
		NX_FR_TRACE, NULL),
	LOCKDEP("Invalid wait context", ": Invalid wait context", ST, NX_FR_TRACE, NULL),
	/* sanitizers */
	{ "KASAN: ", m_sanitizer, NX_ROLE_START, NULL, "sanitizer", ST | KF_BUG, FR_OOPS, NULL },
	{ "KFENCE: ", m_sanitizer, NX_ROLE_START, NULL, "sanitizer", ST | KF_BUG, FR_OOPS, NULL },
	{ "KMSAN: ", m_sanitizer, NX_ROLE_START, NULL, "sanitizer", ST | KF_BUG, FR_OOPS, NULL },
	{ "KCSAN: ", m_sanitizer, NX_ROLE_START, NULL, "sanitizer", ST | KF_BUG, FR_OOPS, NULL },
	{ "UBSAN: ", m_sanitizer, NX_ROLE_START, NULL, "sanitizer", ST | KF_START, NX_FR_TRACE,
	  skip_ubsan },
	/* faults */
	{ "nable to handle kernel", m_fault, NX_ROLE_START,
	  "BUG: unable to handle kernel paging request", "paging", ST, FR_OOPS, NULL },
	{ "BUG: unable to handle page fault", m_fault, NX_ROLE_START,
	  "BUG: unable to handle kernel paging request", "paging", ST, FR_OOPS, NULL },
	{ "BUG: kernel NULL pointer dereference", m_fault, NX_ROLE_START,
	  "BUG: unable to handle kernel NULL pointer dereference", "null-deref", ST, FR_OOPS, NULL },
	{ "Unhandled fault: ", m_at_start, NX_ROLE_START, "Unhandled fault", "paging", ST, FR_OOPS,
	  NULL },
	/* lockups, stalls, hangs */
	{ "BUG: soft lockup", NULL, NX_ROLE_START, "BUG: soft lockup", "lockup", ST,
	  NX_FR_STALL, NULL },
	{ "Watchdog detected hard LOCKUP", NULL, NX_ROLE_UPGRADE, "watchdog: hard LOCKUP",
	  "lockup", ST, NX_FR_STALL, NULL },
	{ "INFO: task ", m_hung, NX_ROLE_START, "INFO: task hung", "hang", ST | KF_LONG,
	  NX_FR_HUNG, NULL },
	{ "detected stall", m_rcu, NX_ROLE_START, "INFO: rcu detected stall", "rcu-stall",
	  ST | KF_LONG | KF_MERGE, NX_FR_STALL, skip_rcu },
	{ "detected expedited stall", m_rcu, NX_ROLE_START, "INFO: rcu detected stall",
	  "rcu-stall", ST | KF_LONG | KF_MERGE, NX_FR_STALL, skip_rcu },
	/* traps, BUG(), WARN() */
	{ "PANIC: double fault", NULL, NX_ROLE_START, "PANIC: double fault", "other", ST,
	  FR_OOPS, NULL },
	{ "kernel BUG at ", m_kernel_bug, NX_ROLE_START, "kernel BUG", "bug", ST, FR_OOPS, NULL },
	{ "Kernel BUG at ", m_kernel_bug, NX_ROLE_START, "kernel BUG", "bug", ST, FR_OOPS, NULL },
	{ ": page allocation failure: ", NULL, NX_ROLE_START, "page allocation failure",
	  "warning", ST, NX_FR_TRACE, NULL },
	{ " [", m_die, NX_ROLE_DIE, NULL, NULL, KF_NUM, FR_OOPS, NULL },
	/* syzbot names a WARN by its RIP or trace, never by the header (that is the checker) */
	{ "WARNING: ", m_warning, NX_ROLE_START, "WARNING", "warning", ST | KF_START,
	  NX_FR_RIP | NX_FR_TRACE, NULL },
	/* out of memory, machine checks */
	{ " invoked oom-killer: ", NULL, NX_ROLE_START, "out of memory", "oom", KF_LONG, 0, NULL },
	{ "Out of memory: Kill", NULL, NX_ROLE_VICTIM, "out of memory", "oom", KF_LONG, 0, NULL },
	{ "out of memory: Kill", NULL, NX_ROLE_VICTIM, "out of memory", "oom", KF_LONG, 0, NULL },
	{ "Out of memory and no killable", NULL, NX_ROLE_VICTIM, "out of memory", "oom", KF_LONG,
	  0, NULL },
	{ "oom-kill:", m_at_start, NX_ROLE_VICTIM, "out of memory", "oom", KF_LONG, 0, NULL },
	{ "Machine Check Exception:", NULL, NX_ROLE_START, "machine check", "mce", KF_MERGE, 0,
	  NULL },
	{ "Machine check events logged", NULL, NX_ROLE_START, "machine check", "mce", KF_MERGE, 0,
	  NULL },
	{ "[Hardware Error]: CPU ", NULL, NX_ROLE_START, "machine check", "mce", KF_MERGE, 0, NULL },
	{ "Fatal machine check", NULL, NX_ROLE_START, "machine check", "mce", KF_MERGE, 0, NULL },
	/* the other BUG: reports */
	{ "BUG: using ", m_preemptible, NX_ROLE_START, NULL, "bug", ST | KF_START,
	  NX_FR_CALLER | NX_FR_TRACE, skip_preempt },
	{ "BUG: memory leak", m_at_start, NX_ROLE_START, "memory leak", "leak", ST | KF_MERGE,
	  NX_FR_TRACE, skip_leak },
	/* kmemleak's own report, printed without syzbot's "BUG: memory leak" line */
	{ "unreferenced object 0x", m_at_start, NX_ROLE_START, "memory leak", "leak",
	  ST | KF_MERGE, NX_FR_TRACE, skip_leak },
	{ "BUG: workqueue leaked lock or atomic", m_at_start, NX_ROLE_START,
	  "BUG: workqueue leaked lock or atomic", "bug", ST, NX_FR_LASTFN, NULL },
	{ "BUG: workqueue lockup", m_at_start, NX_ROLE_START, "BUG: workqueue lockup", "lockup",
	  0, 0, NULL },
	/* a stack overflow: the recursion is named by what entered it, like a stall */
	{ "stack guard page was hit", m_bug_line, NX_ROLE_START, "BUG: stack guard page was hit",
	  "other", ST, NX_FR_STALL, NULL },
	{ "BUG: scheduling while atomic", m_bug, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE,
	  skip_sched },
	{ "BUG: spinlock ", m_bug, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE, skip_spin },
	{ "BUG: rwlock ", m_bug, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE, skip_spin },
	{ "BUG: Bad page state", m_bug, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE, skip_page },
	{ "BUG: MAX_", m_too_low, NX_ROLE_START, NULL, "lockdep", 0, 0, NULL },
	/* a device's references never dropped: one bug whatever the device ("DEV") */
	{ "unregister_netdevice: waiting for ", m_at_start, NX_ROLE_START,
	  "unregister_netdevice: waiting for DEV to become free", "hang", 0, 0, NULL },
	{ "BUG: Bad rss-counter state", m_at_start, NX_ROLE_START, "BUG: Bad rss-counter state",
	  "bug", 0, 0, NULL },
	{ "BUG ", m_slab, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE, NULL },
	{ "BUG: ", m_bug, NX_ROLE_START, NULL, "bug", ST, NX_FR_TRACE, NULL },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* ---- the prefilter, derived from the keys: one byte lookup per position of a line ---- */

static struct {
	uint64_t any[65536 / 64];	/* bit per bigram that starts some key: fits L1 */
	uint64_t both[65536 / 64];	/* ... or is some key's second and third byte */
	unsigned char first[65536];	/* bigram -> 1 + first kind whose key starts with it */
	unsigned char next[N_KINDS];	/* 1 + next kind with the same bigram, 0 at the end */
	unsigned char len[N_KINDS];
} filter;
static pthread_once_t filter_once = PTHREAD_ONCE_INIT;

_Static_assert(N_KINDS <= 64, "one bit per kind in find_keys()");

static unsigned bigram(const char *s)
{
	return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static void filter_build(void)
{
	for (size_t i = N_KINDS; i-- > 0;) {
		unsigned b = bigram(kinds[i].key);

		filter.len[i] = (unsigned char)strlen(kinds[i].key);
		if (filter.len[i] < (kinds[i].flags & KF_NUM ? 2 : 3))
			abort();	/* the table breaks nx_header_candidate()'s skip: fix the key */
		filter.next[i] = filter.first[b];
		filter.first[b] = (unsigned char)(i + 1);
		filter.any[b / 64] |= (uint64_t)1 << (b % 64);
		filter.both[b / 64] |= (uint64_t)1 << (b % 64);
		for (unsigned c = 0; c < 11; c++) {	/* the byte after the key: '#', digits */
			b = (unsigned)(unsigned char)kinds[i].key[1] << 8 |
			    (unsigned char)(kinds[i].key[2] ? kinds[i].key[2] : "#0123456789"[c]);
			filter.both[b / 64] |= (uint64_t)1 << (b % 64);
			if (kinds[i].key[2])
				break;
		}
	}
}

static bool in_set(const uint64_t *set, unsigned b)
{
	return set[b / 64] >> (b % 64) & 1;
}

/* Where each kind's key first occurs in T: bit i of the result set, AT[i] filled. */
static uint64_t find_keys(const char *t, const char **at)
{
	uint64_t found = 0;

	for (const char *p = t; p[0] && p[1]; p++) {
		unsigned b = bigram(p);

		if (!(filter.any[b / 64] >> (b % 64) & 1))
			continue;
		for (unsigned k = filter.first[b]; k; k = filter.next[k - 1]) {
			size_t i = k - 1, n = filter.len[i];

			if (found >> i & 1 || (n > 2 && p[2] != kinds[i].key[2]) ||
			    strncmp(p, kinds[i].key, n) != 0)
				continue;
			at[i] = p;
			found |= (uint64_t)1 << i;
		}
	}
	return found;
}

/* Every key is 3 bytes or more (" [" with KF_NUM): the bigram at P + 1 is either the start or
 * the second and third byte of a key at P, or neither and no key starts at P or P + 1. */
bool nx_header_candidate(const char *s, size_t len)
{
	pthread_once(&filter_once, filter_build);
	for (const char *p = s, *end = s + len; p + 2 < end;) {
		if (!in_set(filter.both, bigram(p + 1))) {
			p += 2;
			continue;
		}
		for (unsigned k = in_set(filter.any, bigram(p)) ? filter.first[bigram(p)] : 0; k;
		     k = filter.next[k - 1]) {
			size_t i = k - 1, n = filter.len[i];

			if ((size_t)(end - p) < n || memcmp(p, kinds[i].key, n) != 0)
				continue;
			if (!(kinds[i].flags & KF_NUM) ||
			    ((size_t)(end - p) > n && (p[n] == '#' || isdigit((unsigned char)p[n]))))
				return true;
		}
		p++;
	}
	return false;
}

/* "[? ]func+0x1/0x2...": a frame line, which no header is (most lines of a report). */
static bool frame_line(const char *t)
{
	const char *p = t + (t[0] == '?' && t[1] == ' ' ? 2 : 0);

	if (!isalpha((unsigned char)*p) && *p != '_' && *p != '.')
		return false;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
		p++;
	return p[0] == '+' && p[1] == '0' && p[2] == 'x';
}

void nx_header_classify(const char *s, size_t len, struct nx_header *h)
{
	const char *t = nx_skip_spaces(s), *at[N_KINDS];
	uint64_t found;

	memset(h, 0, sizeof(*h));
	pthread_once(&filter_once, filter_build);
	if (len < 4 || frame_line(t) || !(found = find_keys(t, at)))
		return;
	for (size_t i = 0; i < N_KINDS; i++) {
		const struct kind *k = &kinds[i];

		if (!(found >> i & 1))
			continue;
		if ((k->flags & KF_START) && !line_start(t, at[i]))
			continue;
		if ((k->flags & KF_BUG) && (at[i] < t + 5 || memcmp(at[i] - 5, "BUG: ", 5) != 0))
			continue;
		if (k->match ? k->match(t, at[i], k, h) : (set_kind(h, k), true))
			return;
		memset(h, 0, sizeof(*h));
	}
}

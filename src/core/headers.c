/* Report headers: which lines start a crash report, and their class and type. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse_int.h"

/* Line caps: how far after its header a report may reach. */
#define CAP_OOPS 400
#define CAP_LONG 4000	/* hung tasks, OOM task lists, RCU stalls */

static void set(struct nx_header *h, enum nx_role role, const char *class, const char *type,
		bool needs_stack)
{
	h->role = role;
	snprintf(h->class, sizeof(h->class), "%s", class);
	h->type = type;
	h->needs_stack = needs_stack;
	h->cap = CAP_OOPS;
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

static bool page_fault(const char *s, struct nx_header *h)
{
	static const char *const nulls[] = {
		"BUG: unable to handle kernel NULL pointer dereference",
		"BUG: kernel NULL pointer dereference",
		"Unable to handle kernel NULL pointer dereference",
	};
	static const char *const pagings[] = {
		"BUG: unable to handle kernel paging request",
		"BUG: unable to handle page fault",
		"BUG: unable to handle kernel",
		"Unable to handle kernel paging request",
		"Unable to handle kernel pointer dereference",
		"Unable to handle kernel access",
	};
	unsigned long long addr;

	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strstr(s, nulls[i]))
			goto null_deref;
	for (size_t i = 0; i < sizeof(pagings) / sizeof(pagings[0]); i++) {
		if (!strstr(s, pagings[i]))
			continue;
		if (fault_address(s, &addr) && addr < 0x1000)
			goto null_deref;
		set(h, NX_ROLE_START, "BUG: unable to handle kernel paging request", "paging", true);
		return true;
	}
	return false;
null_deref:
	set(h, NX_ROLE_START, "BUG: unable to handle kernel NULL pointer dereference",
	    "null-deref", true);
	return true;
}

/* Lockdep banners, old ("[ INFO: ... ]") and new ("WARNING: ..."), one class each. */
static bool lockdep(const char *s, struct nx_header *h)
{
	static const char *const banners[][2] = {
		{ "possible recursive locking detected", NULL },
		{ "possible circular locking dependency detected", NULL },
		{ "inconsistent lock state", NULL },
		{ "suspicious RCU usage", NULL },
		{ "suspicious rcu_dereference_check() usage", "suspicious RCU usage" },
		{ "bad unlock balance detected", NULL },
		{ "lock held when returning to user space", NULL },
		{ "possible irq lock inversion dependency detected", NULL },
		{ "lock order detected", "irq lock order violation detected" },
		{ "held lock freed", NULL },
		{ "nested lock was not taken", NULL },
	};
	const char *tag = strstr(s, "INFO: ");

	if (!tag)
		tag = strstr(s, "WARNING: ");
	if (!tag)
		tag = strstr(s, "BUG: ");
	if (!tag)
		return false;
	for (size_t i = 0; i < sizeof(banners) / sizeof(banners[0]); i++) {
		if (!strstr(tag, banners[i][0]))
			continue;
		/* lockdep_sys_exit() prints held locks but never a stack */
		set(h, NX_ROLE_START, "", "lockdep", !strstr(banners[i][0], "returning to user"));
		snprintf(h->class, sizeof(h->class), "WARNING: %s",
			 banners[i][1] ? banners[i][1] : banners[i][0]);
		return true;
	}
	return false;
}

/* "BUG: KASAN: use-after-free in foo+0x1/0x2", "UBSAN: shift-out-of-bounds in f.c:1:2" */
static bool sanitizer(const char *s, struct nx_header *h)
{
	static const char *const tools[] = { "KASAN: ", "KFENCE: ", "KMSAN: ", "KCSAN: ", "UBSAN: " };

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		const char *p = strstr(s, tools[i]);
		const char *in;
		size_t n;

		if (!p || (i < 4 && (p < s + 5 || memcmp(p - 5, "BUG: ", 5) != 0)))
			continue;
		if (i == 4 && p != s)
			continue;
		in = strstr(p, " in ");
		n = in ? (size_t)(in - p) : strcspn(p, ":[(");
		if (in == NULL && n == strlen(tools[i]) - 1)
			n = strlen(p);
		set(h, NX_ROLE_START, "", "sanitizer", true);
		snprintf(h->class, sizeof(h->class), "%.*s", (int)(n < 120 ? n : 120), p);
		return true;
	}
	return false;
}

/* Name of an x86 die() string or arch equivalent -> class and type. */
static void die_class(const char *name, size_t n, struct nx_header *h)
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

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t k = strlen(map[i][0]);

		if (n >= k && memcmp(name, map[i][0], k) == 0) {
			set(h, NX_ROLE_DIE, map[i][1], map[i][2], map[i][2][0] != 'm');
			return;
		}
	}
	set(h, NX_ROLE_DIE, "", "other", true);
	snprintf(h->class, sizeof(h->class), "%.*s", (int)(n < 100 ? n : 100), name);
}

/* "Oops: general protection fault, ...: 0000 [#1] SMP", "Internal error: Oops: 805 [#1]",
 * "Oops: Kernel access of bad area, sig: 11 [#1]", "double fault: 0000 [1] PREEMPT" */
static bool die_line(const char *s, struct nx_header *h)
{
	const char *br = strstr(s, " [#");
	const char *p, *name, *end;
	int counter;

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
			name += 16;
		else
			break;
	}
	if (name >= end) {
		name = "Oops";
		end = name + 4;
	}
	/* "general protection fault, probably for non-canonical address 0x...": cut at ',' */
	const char *comma = memchr(name, ',', (size_t)(end - name));

	die_class(name, (size_t)((comma ? comma : end) - name), h);
	h->die_counter = counter;
	return true;
}

/* WARN(): "WARNING: at f.c:1 fn()", "WARNING: CPU: 0 PID: 1 at f.c:1 fn+0x..",
 * and the 2025 form "WARNING: f.c:1 at fn+0x../0x.., CPU#1: comm/pid". */
static bool warning(const char *s, struct nx_header *h)
{
	const char *p = nx_skip_spaces(s);

	if (!nx_starts(p, "WARNING: "))
		return false;
	p += 9;
	if (!nx_starts(p, "at ") && !nx_starts(p, "CPU: ")) {
		const char *sp = strchr(p, ' ');
		const char *colon = strchr(p, ':');

		if (!sp || !colon || colon > sp || !isdigit((unsigned char)colon[1]) ||
		    !nx_starts(sp, " at "))
			return false;
	}
	set(h, NX_ROLE_START, "WARNING", "warning", true);
	return true;
}

/* Generic "BUG: what happened at/in ..." -> "BUG: what happened". */
static bool generic_bug(const char *s, struct nx_header *h)
{
	const char *p = nx_skip_spaces(s);
	size_t n;

	if (!nx_starts(p, "BUG: "))
		return false;
	n = 5;
	while (p[n]) {
		if (p[n] == ',' || p[n] == ':' || p[n] == '!' || p[n] == '[' ||
		    nx_starts(p + n, " at ") || nx_starts(p + n, " in ") ||
		    nx_starts(p + n, " (") || nx_starts(p + n, " - ") || nx_starts(p + n, " on ") ||
		    nx_starts(p + n, " suspected"))
			break;
		/* stop before numbers and addresses: they differ between occurrences */
		if (p[n] == ' ' && (isdigit((unsigned char)p[n + 1]) || nx_starts(p + n + 1, "0x")))
			break;
		n++;
	}
	if (n == 5)
		return false;
	set(h, NX_ROLE_START, "", strstr(p, "lockup") ? "lockup" : "bug", true);
	snprintf(h->class, sizeof(h->class), "%.*s", (int)(n < 120 ? n : 120), p);
	return true;
}

/* SLUB: "BUG kmalloc-64 (Not tainted): Poison overwritten" -> "BUG: Poison overwritten" */
static bool slab_bug(const char *s, struct nx_header *h)
{
	const char *p = nx_skip_spaces(s), *close, *msg;

	size_t name;

	if (!nx_starts(p, "BUG ") || (name = strcspn(p + 4, " :")) == 0)
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
	set(h, NX_ROLE_START, "", "bug", true);
	snprintf(h->class, sizeof(h->class), "BUG: %.*s", (int)strcspn(msg, "0123456789("), msg);
	/* trim the trailing space left by the cut */
	for (size_t n = strlen(h->class); n && h->class[n - 1] == ' '; n--)
		h->class[n - 1] = '\0';
	return true;
}

static bool oom(const char *s, struct nx_header *h)
{
	if (strstr(s, " invoked oom-killer: ")) {
		set(h, NX_ROLE_START, "out of memory", "oom", false);
		h->cap = CAP_LONG;
		return true;
	}
	if (strstr(s, "Out of memory: Kill") || strstr(s, "out of memory: Kill") ||
	    nx_starts(nx_skip_spaces(s), "oom-kill:") || strstr(s, "Out of memory and no killable")) {
		set(h, NX_ROLE_VICTIM, "out of memory", "oom", false);
		h->cap = CAP_LONG;
		return true;
	}
	return false;
}

static bool lockups_and_stalls(const char *s, struct nx_header *h)
{
	if (strstr(s, "BUG: soft lockup")) {
		set(h, NX_ROLE_START, "BUG: soft lockup", "lockup", true);
		return true;
	}
	if (strstr(s, "Watchdog detected hard LOCKUP")) {
		set(h, NX_ROLE_UPGRADE, "watchdog: hard LOCKUP", "lockup", true);
		return true;
	}
	if (strstr(s, "INFO: task ") && strstr(s, " blocked for more than ")) {
		set(h, NX_ROLE_START, "INFO: task hung", "hang", true);
		h->cap = CAP_LONG;
		return true;
	}
	if ((strstr(s, "rcu_") || strstr(s, "rcu:")) &&
	    (strstr(s, "detected stall") || strstr(s, "self-detected stall"))) {
		set(h, NX_ROLE_START, "INFO: rcu detected stall", "rcu-stall", true);
		h->same_class_merges = true;
		h->cap = CAP_LONG;
		return true;
	}
	return false;
}

static bool machine_check(const char *s, struct nx_header *h)
{
	if (strstr(s, "Machine Check Exception:") || strstr(s, "Machine check events logged") ||
	    strstr(s, "[Hardware Error]: CPU ") || strstr(s, "Fatal machine check")) {
		set(h, NX_ROLE_START, "machine check", "mce", false);
		h->same_class_merges = true;
		return true;
	}
	return false;
}

/* Keywords every header contains one of: one pass over the line decides which of the
 * (costlier) matchers below can possibly fire. Most log lines have none. */
enum {
	K_BUG = 1 << 0, K_INFO = 1 << 1, K_WARN = 1 << 2, K_SAN = 1 << 3, K_KFENCE = 1 << 4,
	K_UNABLE = 1 << 5, K_LOCKUP = 1 << 6, K_RCU = 1 << 7, K_PANIC = 1 << 8,
	K_ALLOC = 1 << 9, K_BRACKET = 1 << 10, K_OOM = 1 << 11, K_MACHINE = 1 << 12,
	K_DASH = 1 << 13, K_KPANIC = 1 << 14,
};

#define AT(p, w) (strncmp((p), (w), sizeof(w) - 1) == 0)

static unsigned keywords(const char *s)
{
	unsigned f = 0;

	for (const char *p = s; *p; p++) {
		switch (*p) {
		case 'B': f |= (p[1] == 'U' && p[2] == 'G') ? K_BUG : 0; break;
		case 'I': f |= (p[1] == 'N' && AT(p, "INFO: ")) ? K_INFO : 0; break;
		case 'W': f |= (p[1] == 'A' && AT(p, "WARNING: ")) ? K_WARN : 0; break;
		case 'S': f |= (p[1] == 'A' && AT(p, "SAN: ")) ? K_SAN : 0; break;
		case 'K':
			f |= (p[1] == 'F' && AT(p, "KFENCE: ")) ? K_KFENCE : 0;
			f |= (p[1] == 'e' && AT(p, "Kernel panic")) ? K_KPANIC : 0;
			break;
		case 'n': f |= (p[1] == 'a' && AT(p, "nable to handle")) ? K_UNABLE : 0; break;
		case 'L': f |= (p[1] == 'O' && AT(p, "LOCKUP")) ? K_LOCKUP : 0; break;
		case 'r': f |= (p[1] == 'c' && p[2] == 'u') ? K_RCU : 0; break;
		case 'P': f |= (p[1] == 'A' && AT(p, "PANIC")) ? K_PANIC : 0; break;
		case 'a':
			f |= (p[1] == 'l' && AT(p, "allocation failure")) ? K_ALLOC : 0;
			f |= (p[1] == 'c' && AT(p, "achine")) ? K_MACHINE : 0;
			break;
		case ' ': f |= p[1] == '[' ? K_BRACKET : 0; break;
		case 'o':
			f |= ((p[1] == 'o' && p[2] == 'm') || (p[1] == 'f' && AT(p, "of memory"))) ?
			     K_OOM : 0;
			break;
		case 'H': f |= (p[1] == 'a' && AT(p, "Hardware Error")) ? K_MACHINE : 0; break;
		case '-': f |= (p[1] == '-' || p[1] == '[') ? K_DASH : 0; break;
		default: break;
		}
	}
	return f;
}

static bool markers(const char *t, unsigned k, struct nx_header *h)
{
	if ((k & K_DASH) && (nx_starts(t, "---[ end trace") || nx_starts(t, "---[ end Kernel panic")))
		h->role = NX_ROLE_END;
	else if ((k & K_DASH) && strstr(t, "------------[ cut here ]------------"))
		h->role = NX_ROLE_CUT;
	else if ((k & K_KPANIC) && strstr(t, "Kernel panic - not syncing"))
		set(h, NX_ROLE_PANIC, "kernel panic", "panic", false);
	return h->role != NX_ROLE_NONE;
}

void nx_header_classify(const char *s, size_t len, struct nx_header *h)
{
	const char *t = nx_skip_spaces(s);
	unsigned k;

	memset(h, 0, sizeof(*h));
	if (len < 4 || !(k = keywords(t)) || markers(t, k, h))
		return;
	if (((k & (K_INFO | K_WARN | K_BUG)) && lockdep(t, h)) ||
	    ((k & (K_SAN | K_KFENCE)) && sanitizer(t, h)) ||
	    ((k & (K_BUG | K_UNABLE)) && page_fault(t, h)) ||
	    ((k & (K_BUG | K_LOCKUP | K_INFO | K_RCU)) && lockups_and_stalls(t, h)))
		return;
	if ((k & K_PANIC) && strstr(t, "PANIC: double fault")) {	/* kernel stack overflow */
		set(h, NX_ROLE_START, "double fault", "other", true);
		return;
	}
	if ((k & K_BUG) && (strstr(t, "kernel BUG at ") || strstr(t, "Kernel BUG at "))) {
		set(h, NX_ROLE_START, "kernel BUG", "bug", true);
		return;
	}
	if ((k & K_ALLOC) && strstr(t, ": page allocation failure: ")) {
		set(h, NX_ROLE_START, "page allocation failure", "warning", true);
		return;
	}
	if (((k & K_BRACKET) && die_line(t, h)) || ((k & K_WARN) && warning(t, h)) ||
	    ((k & K_OOM) && oom(t, h)) || ((k & K_MACHINE) && machine_check(t, h)) ||
	    ((k & K_BUG) && (slab_bug(t, h) || generic_bug(t, h))))
		return;
	memset(h, 0, sizeof(*h));
}

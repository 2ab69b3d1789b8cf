/* Report attributes: CPU/PID/Comm/taint/release lines, hardware, RIP/PC, panic message. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

/* "G", "OE", and RHEL's "--------------" / "O--------------" padding */
static bool is_taint_token(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("GPFSRMBUDAWCIOELKXTNJ-", p[i]) || p[i] == '\0')
			return false;
	return n > 0 && n <= 40;
}

/* At "Not tainted" or "Tainted: ..."; fills taint and returns what follows. */
static const char *parse_taint(struct nx_report *r, struct nx_extra *x, const char *p)
{
	const char *q, *last;

	if (nx_starts(p, "Not tainted")) {
		if (!r->taint)
			r->taint = nx_strndup("", 0, &x->oom);
		return p + 11;
	}
	if (!nx_starts(p, "Tainted: "))
		return NULL;
	p += 9;
	q = last = p;
	for (;;) {	/* tokens made of taint letters; the release follows */
		const char *t = q;

		while (*t == ' ')
			t++;
		size_t n = strcspn(t, " )");

		if (!is_taint_token(t, n))
			break;
		q = last = t + n;
	}
	if (!r->taint) {
		size_t n = (size_t)(last - p) < NX_FIELD_MAX ? (size_t)(last - p) : NX_FIELD_MAX;

		r->taint = nx_taint_letters(p, n);
		if (!r->taint)
			x->oom = true;
		r->taint_mask = nx_taint_mask(p, n);
	}
	return last;
}

/* The release after the taint: "6.1.0-13-amd64 #1" or "(2.6.27.9-159.fc10.i686 #1)".
 * RHEL 6 appends the machine: "2.6.32-279.el6.x86_64 #1 VMware, Inc. VMware ..." */
static void parse_release(struct nx_report *r, struct nx_extra *x, const char *p)
{
	size_t n;
	bool paren;

	p = nx_skip_spaces(p);
	paren = *p == '(';
	p += paren;
	n = strcspn(p, " )");
	if (n && !r->kernel)
		r->kernel = nx_strndup(p, n, &x->oom);
	p += n;
	if (paren || !nx_starts(p, " #"))
		return;
	p += 2 + strspn(p + 2, "0123456789");
	if (*p == ' ' && p[1] && p[1] != ' ' && !r->hardware && x->old_pid_line)
		r->hardware = nx_strndup(p + 1, strlen(p + 1), &x->oom);
}

static int number_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	if (!p)
		return -1;
	p += strlen(key);
	p = nx_skip_spaces(p);
	return isdigit((unsigned char)*p) ? atoi(p) : -1;
}

/* "CPU: 1 UID: 0 PID: 5827 Comm: syz 187 Not tainted 6.14.0 #0 PREEMPT(full)" and
 * "Pid: 737, comm: modprobe Not tainted 3.2.2-1.fc16.x86_64 #1" */
static bool cpu_line(struct nx_report *r, struct nx_extra *x, const char *t)
{
	const char *comm, *anchor, *a;
	bool modern = nx_starts(t, "CPU: ") && strstr(t, " PID: ") && strstr(t, " Comm: ");
	bool old = nx_starts(t, "Pid: ") && strstr(t, ", comm: ");

	if (!modern && !old)
		return false;
	if (x->cpu_line_seen)
		return true;
	x->cpu_line_seen = true;
	/* a header's own task (hung task, soft lockup, WARN) wins over the reporter's */
	bool task_known = r->comm != NULL;

	if (modern) {
		if (r->cpu < 0 && !task_known)
			r->cpu = number_after(t, "CPU: ");
		if (!task_known)
			r->pid = number_after(t, " PID: ");
		comm = strstr(t, " Comm: ") + 7;
	} else {
		if (!task_known)
			r->pid = number_after(t, "Pid: ");
		comm = strstr(t, ", comm: ") + 8;
	}
	anchor = strstr(comm, " Not tainted");
	a = strstr(comm, " Tainted: ");
	if (!anchor || (a && a < anchor))
		anchor = a;
	a = strstr(comm, " Kdump: ");
	if (a && (!anchor || a < anchor))
		anchor = a;
	if (!anchor)
		return true;
	if (!task_known)
		r->comm = nx_strdup_range(comm, anchor, &x->oom);
	anchor++;
	if (nx_starts(anchor, "Kdump: loaded "))
		anchor += 14;
	x->old_pid_line = old;
	if ((a = parse_taint(r, x, anchor)) != NULL)
		parse_release(r, x, a);
	x->old_pid_line = false;
	return true;
}

/* Lockdep's banner line "3.5.0-rc5 #2 Not tainted" / "2.6.33.1-19.fc13.x86_64 #1" */
static bool release_line(struct nx_report *r, struct nx_extra *x, const char *t)
{
	size_t n = strcspn(t, " ");
	const char *rest = t + n;

	if (nx_starts(t, "Not tainted ") || nx_starts(t, "Tainted: ")) {	/* hung task */
		const char *after = parse_taint(r, x, t);

		if (after && strstr(after, " #"))
			parse_release(r, x, after);
		return true;
	}
	if (n < 3 || !nx_starts(rest, " #") || !isdigit((unsigned char)rest[2]) ||
	    !memchr(t, '.', n) || !isalnum((unsigned char)t[0]))
		return false;
	if (!r->kernel)
		r->kernel = nx_strndup(t, n, &x->oom);
	rest += 2;
	while (isdigit((unsigned char)*rest))
		rest++;
	parse_taint(r, x, nx_skip_spaces(rest));
	return true;
}

/* "EIP: 0060:[<c022a7b5>] Not tainted VLI", "REGS: .. TRAP: 0700 Not tainted (3.10.0)",
 * "EFLAGS: 00010202   (3.10.0-327.28.2.el7.x86_64 #1)" */
static bool old_taint_lines(struct nx_report *r, struct nx_extra *x, const char *t)
{
	const char *p;

	if (nx_starts(t, "EIP: ") || nx_starts(t, "REGS: ") || nx_starts(t, "EFLAGS: ")) {
		if ((p = strstr(t, "Not tainted")) || (p = strstr(t, "Tainted: "))) {
			const char *rest = parse_taint(r, x, p);
			const char *paren = rest ? strchr(rest, '(') : NULL;

			if (paren)
				parse_release(r, x, paren);
		} else if (nx_starts(t, "EFLAGS: ") && (p = strchr(t, '(')) && strstr(p, " #")) {
			parse_release(r, x, p);
		}
		if ((p = strstr(t, " CPU: ")) && r->cpu < 0)
			r->cpu = atoi(p + 6);
		return nx_starts(t, "EIP: ") || nx_starts(t, "REGS: ");
	}
	return false;
}

/* First kernel RIP/PC/NIP/EIP/PSW function. */
static bool rip_line(struct nx_report *r, struct nx_extra *x, const char *t)
{
	static const char *const prefixes[] = {
		"RIP: ", "RIP  ", "EIP: ", "EIP is at ", "IP: ", "IP is at ", "pc : ", "PC is at ",
		"NIP [", "NIP: ", "epc : ", "Krnl PSW : ", "ERA: ", "PC: ", "pc: ",
	};
	const char *p = NULL;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !p; i++)
		if (nx_starts(t, prefixes[i]))
			p = t + strlen(prefixes[i]) - (prefixes[i][4] == '[' ? 1 : 0);
	if (!p)
		return false;
	if (x->rip_closed)
		return true;
	for (int tok = 0; tok < 6 && *p && !r->rip_func; tok++) {
		struct nx_frame f;
		size_t n;

		p = nx_skip_spaces(p);
		if (p[0] == '0' && p[1] == '0' && isdigit((unsigned char)p[2]) && p[4] == ':')
			p += 5;	/* "0010:" code segment */
		if (*p == '(')
			p++;
		if (nx_parse_symbol(p, strlen(p), false, &f, &x->oom)) {
			r->rip_func = f.func;
			f.func = NULL;
			nx_frame_clear(&f);
			break;
		}
		n = strcspn(p, " ");
		p += n;
	}
	return true;
}

/* Header-line facts: soft lockup "[comm:pid]", hung task "task comm:pid blocked",
 * WARN "CPU: 0 PID: 1 at" / "CPU#1: comm/pid", OOM invoker and victim. */
static void header_facts(struct nx_report *r, struct nx_extra *x, const char *t)
{
	const char *p, *q;

	if ((p = strstr(t, "soft lockup - CPU#")) && (q = strrchr(t, '[')) && strchr(q, ':')) {
		const char *colon = strrchr(q, ':');

		r->cpu = atoi(p + 18);
		if (!r->comm)
			r->comm = nx_strdup_range(q + 1, colon, &x->oom);
		r->pid = atoi(colon + 1);
	} else if ((p = strstr(t, "INFO: task ")) && (q = strstr(p, " blocked for more than "))) {
		const char *colon = q;

		while (colon > p && *colon != ':')
			colon--;
		if (colon > p + 11 && !r->comm) {
			r->comm = nx_strdup_range(p + 11, colon, &x->oom);
			r->pid = atoi(colon + 1);
		}
	} else if (nx_starts(t, "WARNING: ") && (p = strstr(t, ", CPU#"))) {
		const char *slash = strrchr(p, '/');

		r->cpu = atoi(p + 6);
		q = strchr(p, ':');
		if (q && slash && slash > q && !r->comm) {
			r->comm = nx_strdup_range(q + 2, slash, &x->oom);
			r->pid = atoi(slash + 1);
		}
	} else if (nx_starts(t, "WARNING: CPU: ")) {
		r->cpu = number_after(t, "CPU: ");
		r->pid = number_after(t, " PID: ");
	}
	/* a container hitting its limit is not the machine running out of memory */
	if (strstr(t, "Memory cgroup out of memory") || strstr(t, "constraint=CONSTRAINT_MEMCG"))
		x->memcg = true;
	if ((p = strstr(t, " invoked oom-killer: ")) && !x->invoker) {
		x->invoker = nx_strdup_range(t, p, &x->oom);
	} else if (((p = strstr(t, "Killed process ")) || (p = strstr(t, "Kill process "))) &&
		   (q = strchr(p, '(')) && strchr(q, ')') && !x->victim) {
		x->victim = nx_strndup(q + 1, strcspn(q + 1, ")"), &x->oom);
	} else if ((p = strstr(t, ",task=")) && !x->victim) {
		x->victim = nx_strndup(p + 6, strcspn(p + 6, ","), &x->oom);
	}
}

/* "Tainted: [W]=WARN, [O]=OOT_MODULE" (6.x prints it under the CPU line) */
static bool verbose_taint(struct nx_report *r, struct nx_extra *x, const char *t)
{
	char letters[24];
	size_t n = 0;

	if (!nx_starts(t, "Tainted: ["))
		return false;
	if (r->taint)
		return true;
	for (const char *p = t; (p = strchr(p, '[')) && n < sizeof(letters) - 1; p++)
		if (p[1] && p[2] == ']')
			letters[n++] = p[1];
	r->taint = nx_strndup(letters, n, &x->oom);
	r->taint_mask = nx_taint_mask(letters, n);
	return true;
}

static bool simple_lines(struct nx_report *r, struct nx_extra *x, const char *t)
{
	const char *p;

	if (nx_starts(t, "Hardware name: ")) {
		if (!r->hardware)
			r->hardware = nx_strndup(t + 15, strlen(t + 15), &x->oom);
		return true;
	}
	if ((p = strstr(t, "Kernel panic - not syncing")) && !nx_starts(t, "---[")) {
		p += 26;
		if (*p == ':')
			p++;
		p = nx_skip_spaces(p);
		if (!r->panic_msg)
			r->panic_msg = nx_strndup(p, strlen(p), &x->oom);
		return true;
	}
	if (nx_starts(t, "Process ") && (p = strstr(t, " (pid: "))) {	/* i386, arm */
		if (!r->comm)
			r->comm = nx_strdup_range(t + 8, p, &x->oom);
		if (r->pid < 0)
			r->pid = atoi(p + 7);
		return true;
	}
	if (nx_starts(t, "TASK = ") && (p = strchr(t, '[')) && strchr(t, '\'')) {	/* powerpc */
		const char *c = strchr(t, '\'');
		const char *ce = strchr(c + 1, '\'');

		if (r->pid < 0)
			r->pid = atoi(p + 1);
		if (ce && !r->comm)
			r->comm = nx_strdup_range(c + 1, ce, &x->oom);
		if ((p = strstr(t, " CPU: ")) && r->cpu < 0)
			r->cpu = atoi(p + 6);
		return true;
	}
	if ((nx_starts(t, "CPU:") || nx_starts(t, "CPU ")) && r->cpu < 0 &&
	    isdigit((unsigned char)*nx_skip_spaces(t + 4)) && strlen(t) < 12) {
		r->cpu = atoi(nx_skip_spaces(t + 4));	/* "CPU:    0", "CPU 0 " */
		return true;
	}
	return verbose_taint(r, x, t);
}

bool nx_fields_parse_line(struct nx_report *r, struct nx_extra *x, const char *s)
{
	const char *t = nx_skip_spaces(s);
	const char *p;

	header_facts(r, x, t);
	if (cpu_line(r, x, t) || simple_lines(r, x, t))
		return true;
	bool rip = rip_line(r, x, t);

	if (old_taint_lines(r, x, t) || rip)
		return true;
	if (!r->kernel && release_line(r, x, t))
		return true;
	/* old WARN: "WARNING: at f.c:1 fn() (Not tainted)" / "fn+0x1/0x2() (Tainted: P)" */
	if ((p = strstr(t, "(Not tainted)")) || (p = strstr(t, "(Tainted: ")))
		parse_taint(r, x, p + 1);
	return false;
}

/* The analyser field by field and format by format: fixtures from real VMs and from
 * oops-formats.md (tests/unit/data/analyse/README.md), and inline texts for each rule. */
#include "analyse_helpers.h"

#define DATA "tests/unit/data/analyse/"

static struct nx_report_set *analyse_fixture(const char *name, char **text, size_t *len)
{
	char path[512];
	struct nx_report_set *set;

	snprintf(path, sizeof(path), DATA "%s", name);
	*text = slurp(path, len);
	set = nx_analyse(*text, *len);
	assert_non_null(set);
	check_invariants(name, set, *len);
	return set;
}

struct fixture {
	const char *file;
	size_t count;
	const char *title, *type, *kernel, *taint;
	uint32_t mask;
	int cpu, pid;
	const char *comm;
	int die;
	const char *panic, *rip;
	size_t modules;
};

static const struct fixture fixtures[] = {
	{ "vm-6.1-divide-serial.log", 1, "divide error in crash_divide", "divide", "6.1.0-56-amd64",
	  "G OE", 0x3000, 1, 114, "insmod", 1, NULL, "crash_divide", 11 },
	{ "vm-6.1-divide-dump.txt", 1, "divide error in crash_divide", "divide", "6.1.0-56-amd64",
	  "G OE", 0x3000, 1, 114, "insmod", 1, NULL, "crash_divide", 11 },
	{ "vm-6.1-null-serial.log", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in crash_null", "null-deref",
	  "6.1.0-56-amd64", "G OE", 0x3000, 1, 115, "insmod", 1, NULL, "crash_null", 11 },
	{ "vm-6.1-null-dump.txt", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in crash_null", "null-deref",
	  "6.1.0-56-amd64", "G OE", 0x3000, 1, 115, "insmod", 1, NULL, "crash_null", 11 },
	{ "vm-6.1-bug-serial.log", 1, "kernel BUG in netoops_crashtest_init", "bug",
	  "6.1.0-56-amd64", "G OE", 0x3000, 1, 115, "insmod", 1, NULL, "netoops_crashtest_init",
	  11 },
	{ "vm-6.1-panic-serial.log", 1, "kernel panic: netoops_crashtest: panic() on request",
	  "panic", "6.1.0-56-amd64", "G OE", 0x3000, 1, 115, "insmod", 0,
	  "netoops_crashtest: panic() on request", NULL, 0 },
	{ "vm-6.12-warn-serial.log", 1, "WARNING in netoops_crashtest_init", "warning",
	  "6.12.95+deb12-amd64", "G OE", 0x3000, 1, 158, "insmod", 0, "kernel: panic_on_warn set ...",
	  "netoops_crashtest_init", 6 },
	{ "vm-6.12-oom-serial.log", 1, "OOM kill of tail", "oom", "6.12.95+deb12-amd64", "G OE",
	  0x3000, 0, 162, "tail", 0, NULL, NULL, 0 },
	{ "vm-6.12-null-serial.log", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in crash_null", "null-deref",
	  "6.12.95+deb12-amd64", "G OE", 0x3000, 1, 161, "insmod", 1, NULL, "crash_null", 6 },
	/* 7.2 prints the late-2025 WARNING form and PREEMPT(lazy) on the CPU line */
	{ "vm-7.2-warn-serial.log", 1, "WARNING in netoops_crashtest_init", "warning",
	  "7.2.13+deb14-amd64", "G OE", 0x3000, 0, 124, "insmod", 0, "kernel: panic_on_warn set ...",
	  "netoops_crashtest_init", 6 },
	{ "vm-7.2-null-serial.log", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in crash_null", "null-deref",
	  "7.2.13+deb14-amd64", "G OE", 0x3000, 0, 123, "insmod", 1, NULL, "crash_null", 6 },
	{ "vm-7.2-bug-serial.log", 1, "kernel BUG in netoops_crashtest_init", "bug",
	  "7.2.13+deb14-amd64", "G OE", 0x3000, 0, 125, "insmod", 1, NULL, "netoops_crashtest_init",
	  6 },
	{ "vm-7.2-divide-serial.log", 1, "divide error in netoops_crashtest_init", "divide",
	  "7.2.13+deb14-amd64", "G OE", 0x3000, 0, 126, "insmod", 1, NULL, "netoops_crashtest_init",
	  6 },
	/* the OOM kill, then the dying task's own page allocation failure */
	{ "vm-7.2-oom-serial.log", 2, "OOM kill of tail", "oom", "7.2.13+deb14-amd64", "G OE",
	  0x3000, 1, 125, "tail", 0, NULL, NULL, 0 },
	/* a real oops 7.2 hit while booting (before the panic test ran): int3 in the scheduler,
	 * an exception frame's registers in the middle of its trace */
	{ "vm-7.2-panic-serial.log", 1, "int3 in ktime_get_real_ts64", "other", "7.2.13+deb14-amd64",
	  "", 0, 0, 98, "cryptomgr_test", 1, "Fatal exception in interrupt", "ktime_get_real_ts64", 0 },
	/* QEMU starved of CPU: 6.1 panicked while booting, before any test ran */
	{ "vm-6.1-boot-panic-serial.log", 1,
	  "kernel panic: IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  "
	  "Then try booting with the 'noapic' option.", "panic", "6.1.0-56-amd64", "", 0, 0, 0,
	  "swapper/0", 0, "IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  "
	  "Then try booting with the 'noapic' option.", NULL, 0 },
	{ "doc-null-deref-6.14.txt", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in ext4_readdir", "null-deref",
	  "6.14.0-syzkaller-12456-gacc4d5ff0b61", "G W O", 0x1200, 1, 5827, "syz-executor187", 1,
	  "Fatal exception", "ext4_readdir", 5 },
	{ "doc-gpf-kasan-2024.txt", 1, "general protection fault in find_get_entry", "gpf",
	  "syzkaller", "G L", 0x4000, 0, 10040, "kworker/u8:0", 1, NULL, "find_get_entry", 0 },
	/* syzbot names the caller of mark_buffer_dirty(), whose WARN checks its caller */
	{ "doc-warn-2025.txt", 1, "WARNING in __block_commit_write", "warning", "6.18.0-rc5", "P OE",
	  0x3001, 1, 6181, "syz.0.52", 0, NULL, "mark_buffer_dirty", 12 },
	/* syzbot's bucket for every stall in a cross-CPU call */
	{ "doc-softlockup.txt", 1, "BUG: soft lockup in smp_call_function", "lockup",
	  "6.1.0-13-amd64", "G O", 0x1000, 1, 4588, "syz-executor4", 0, NULL,
	  "smp_call_function_many_cond", 1 },
	{ "doc-hung-task.txt", 1, "INFO: task hung in jbd2_journal_commit_transaction", "hang",
	  "6.12.9-amd64", "", 0, -1, 312, "jbd2/sda1-8", 0, "hung_task: blocked tasks", NULL, 0 },
	/* syzbot: the frame the dispatch (vfs_write) called names a stall, not the spinning RIP */
	{ "doc-rcu-stall.txt", 1, "INFO: rcu detected stall in spinmod_write", "rcu-stall",
	  "7.2.0-1-amd64", "G OE", 0x3000, 0, 913, "spin", 0, NULL, "spin_forever", 0 },
	{ "doc-oom.txt", 1, "OOM kill of stress", "oom", "6.12.9-amd64", "", 0, 1, 22104, "stress",
	  0, NULL, NULL, 0 },
	{ "doc-panic-init.txt", 1, "kernel panic: Attempted to kill init!", "panic",
	  "6.1.0-13-amd64", "", 0, 0, 1, "init", 0, "Attempted to kill init! exitcode=0x0000000b",
	  NULL, 0 },
	{ "doc-divzero-rhel6.txt", 1, "divide error in init_module", "divide",
	  "2.6.32-279.el6.x86_64", "P", 0x1, 1, 1877, "insmod", 1, NULL, "init_module", 17 },
};

static void fixtures_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *x = &fixtures[i];
		char *text;
		size_t len;
		struct nx_report_set *set = analyse_fixture(x->file, &text, &len);
		const struct nx_report *r = &set->reports[0];

		if (set->n != x->count)
			fail_msg("%s: %zu reports", x->file, set->n);
		if (strcmp(r->title, x->title) || strcmp(r->type, x->type))
			fail_msg("%s: '%s' [%s]", x->file, r->title, r->type);
		if (!r->kernel || strcmp(r->kernel, x->kernel))
			fail_msg("%s: kernel %s", x->file, r->kernel);
		if (!r->taint || strcmp(r->taint, x->taint) || r->taint_mask != x->mask)
			fail_msg("%s: taint '%s' %#x", x->file, r->taint, r->taint_mask);
		if (r->cpu != x->cpu || r->pid != x->pid || !r->comm || strcmp(r->comm, x->comm))
			fail_msg("%s: cpu %d pid %d comm %s", x->file, r->cpu, r->pid, r->comm);
		if (r->die_counter != x->die)
			fail_msg("%s: die %d", x->file, r->die_counter);
		if ((x->panic == NULL) != (r->panic_msg == NULL) ||
		    (x->panic && strcmp(x->panic, r->panic_msg)))
			fail_msg("%s: panic '%s'", x->file, r->panic_msg);
		if ((x->rip == NULL) != (r->rip_func == NULL) || (x->rip && strcmp(x->rip, r->rip_func)))
			fail_msg("%s: rip '%s'", x->file, r->rip_func);
		if (r->n_modules != x->modules)
			fail_msg("%s: %zu modules", x->file, r->n_modules);
		assert_false(r->corrupted);
		assert_non_null(r->hardware);
		if (set->n > 1 && strcmp(set->reports[1].title, "page allocation failure in do_anonymous_page"))
			fail_msg("%s: second report '%s'", x->file, set->reports[1].title);
		nx_report_set_free(set);
		free(text);
	}
}

static const struct nx_frame *find_frame(const struct nx_report *r, const char *func)
{
	for (size_t i = 0; i < r->n_frames; i++)
		if (strcmp(r->frames[i].func, func) == 0)
			return &r->frames[i];
	fail_msg("no frame %s", func);
	return NULL;
}

static void frames_offsets_sections_reliability(void **state)
{
	char *text;
	size_t len;
	struct nx_report_set *set = analyse_fixture("doc-softlockup.txt", &text, &len);
	const struct nx_report *r = &set->reports[0];
	const struct nx_frame *f;

	(void)state;
	assert_int_equal(r->n_frames, 14);
	f = find_frame(r, "watchdog_timer_fn");
	assert_false(f->reliable);
	assert_int_equal(f->section, NX_SECT_IRQ);
	assert_int_equal(f->offset, 0x1b5);
	assert_int_equal(f->size, 0x210);
	f = find_frame(r, "flush_tlb_kernel_range");
	assert_true(f->reliable);
	assert_int_equal(f->section, NX_SECT_TASK);
	assert_null(f->module);
	nx_report_set_free(set);
	free(text);

	set = analyse_fixture("doc-hung-task.txt", &text, &len);
	r = &set->reports[0];
	assert_int_equal(r->n_frames, 11);	/* the hung task's, not khungtaskd's */
	f = find_frame(r, "kjournald2");
	assert_string_equal(f->module, "jbd2");
	assert_int_equal(f->offset, 0xab);
	nx_report_set_free(set);
	free(text);
}

static void trace_goes_on_past_exception_registers(void **state)
{
	char *text;
	size_t len;
	struct nx_report_set *set = analyse_fixture("vm-7.2-panic-serial.log", &text, &len);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	assert_int_equal(r->n_frames, 24);	/* __schedule ... up to ret_from_fork_asm */
	assert_string_equal(r->frames[r->n_frames - 1].func, "ret_from_fork_asm");
	find_frame(r, "mul_n");			/* after the "RIP: 0010:mpihelp_add_n" dump */
	assert_string_equal(r->rip_func, "ktime_get_real_ts64");	/* not the inner RIP */
	nx_report_set_free(set);
	free(text);
	set = analyse_fixture("vm-7.2-test-serial.log", &text, &len);
	assert_int_equal(set->n, 0);	/* a whole boot log and a test dump: no crash */
	nx_report_set_free(set);
	free(text);
}

static void frames_old_generations(void **state)
{
	/* 2.6-era: "[<addr>]" frames, "<IRQ>"/"<EOI>" on the frame line, exception stacks */
	static const char text[] =
		"BUG: unable to handle kernel paging request at ffff88002bde1e40\n"
		"IP: [<ffffffff82d4e304>] __memset+0x24/0x30\n"
		"Oops: 0002 [#3] SMP\n"
		"Pid: 8003, comm: Xorg Tainted: G      D (2.6.27.9-159.fc10.x86_64 #1)\n"
		"Call Trace:\n"
		" <IRQ>  [<ffffffff81584ca7>] ip_local_deliver+0x47/0x80\n"
		" [<ffffffff81584d11>] ? ip_rcv_finish.isra.2+0x31/0x90\n"
		" <EOI>  [<ffffffffa044ff36>] rt2800pci_rxdone_tasklet+0x16/0x90 [rt2800pci]\n"
		" <<EOE>>  [<ffffffff810944f0>] account_idle_ticks+0x90/0xa0\n"
		"---[ end trace 6aa35cf5a5d5b1b2 ]---\n";
	struct nx_report_set *set = analyse_str(text);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	check_invariants("old", set, strlen(text));
	assert_int_equal(set->n, 1);
	assert_int_equal(r->die_counter, 3);
	assert_string_equal(r->kernel, "2.6.27.9-159.fc10.x86_64");
	assert_string_equal(r->comm, "Xorg");
	assert_int_equal(r->pid, 8003);
	assert_string_equal(r->taint, "G D");
	assert_int_equal(r->taint_mask, 1u << 7);
	assert_string_equal(r->rip_func, "__memset");
	assert_int_equal(r->n_frames, 4);
	assert_int_equal(r->frames[0].section, NX_SECT_IRQ);
	assert_false(r->frames[1].reliable);
	assert_string_equal(r->frames[1].func, "ip_rcv_finish.isra.2");
	assert_int_equal(r->frames[2].section, NX_SECT_TASK);
	assert_string_equal(r->frames[2].module, "rt2800pci");
	/* __memset is infrastructure, ip_local_deliver the first reliable frame */
	assert_string_equal(r->title, "BUG: unable to handle kernel paging request in ip_local_deliver");
	assert_string_equal(r->type, "paging");
	nx_report_set_free(set);
}

static void frames_arm_ppc_s390(void **state)
{
	static const char arm64[] =
		"[   12.100000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008\n"
		"[   12.100010] Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP\n"
		"[   12.100020] Modules linked in: crashme(O)\n"
		"[   12.100030] CPU: 2 UID: 0 PID: 311 Comm: insmod Tainted: G           O       6.12.9-arm64 #1 Debian 6.12.9-1\n"
		"[   12.100040] Hardware name: linux,dummy-virt (DT)\n"
		"[   12.100050] pc : crash_it+0x1c/0x40 [crashme]\n"
		"[   12.100060] lr : do_one_initcall+0x60/0x2d8\n"
		"[   12.100070] Call trace:\n"
		"[   12.100080]  crash_it+0x1c/0x40 [crashme]\n"
		"[   12.100085]  crash_init+0x10/0x20 [crashme 0f1e2d3c4b5a69788796a5b4c3d2e1f001234567]\n"
		"[   12.100090]  do_one_initcall+0x60/0x2d8\n"
		"[   12.100100]  do_init_module+0x60/0x218\n"
		"[   12.100110]  el0t_64_sync+0x190/0x198\n"
		"[   12.100120] Code: d2800001 f9400021 (b9400820) d65f03c0\n"
		"[   12.100130] ---[ end trace 0000000000000000 ]---\n";
	static const char ppc[] =
		"Unable to handle kernel paging request for data at address 0x00000000\n"
		"Oops: Kernel access of bad area, sig: 11 [#1]\n"
		"NIP [d0000000000b5004] .init_module+0x4/0x40 [foo]\n"
		"Call Trace:\n"
		"[c0006c005e443c90] [c0000000000adcbc] .sys_init_module+0x1668/0x184c (unreliable)\n"
		"[c0006c005e443e30] [c000000000008548] syscall_exit+0x0/0x40\n";
	struct nx_report_set *set = analyse_str(arm64);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	assert_int_equal(set->n, 1);
	assert_string_equal(r->title,
			    "BUG: unable to handle kernel NULL pointer dereference in crash_it");
	assert_int_equal(r->die_counter, 1);
	assert_string_equal(r->rip_func, "crash_it");
	assert_int_equal(r->n_frames, 5);
	assert_string_equal(r->frames[1].module, "crashme");	/* build id dropped */
	assert_string_equal(r->frames[0].module, "crashme");
	assert_string_equal(r->modules[0].name, "crashme");
	assert_string_equal(r->modules[0].taints, "O");
	nx_report_set_free(set);

	set = analyse_str(ppc);
	r = &set->reports[0];
	assert_int_equal(set->n, 1);
	assert_string_equal(r->type, "null-deref");	/* address 0: a NULL dereference */
	assert_string_equal(r->rip_func, ".init_module");
	assert_string_equal(r->title,
			    "BUG: unable to handle kernel NULL pointer dereference in init_module");
	assert_false(r->frames[0].reliable);
	nx_report_set_free(set);
}

static char *prefixed(const char *text, const char *(*prefix)(size_t i, char *buf))
{
	size_t cap = strlen(text) * 3 + 4096, n = 0, i = 0;
	char *out = malloc(cap), buf[128];

	assert_non_null(out);
	for (const char *p = text; *p; i++) {
		size_t l = strcspn(p, "\n");

		n += (size_t)snprintf(out + n, cap - n, "%s%.*s\n", prefix(i, buf), (int)l, p);
		p += l + (p[l] == '\n');
	}
	return out;
}

static const char *no_prefix(size_t i, char *b) { (void)i; (void)b; return ""; }
static const char *ts_prefix(size_t i, char *b) { sprintf(b, "[%5zu.%06zu] ", i, i * 7); return b; }
static const char *caller_prefix(size_t i, char *b) { sprintf(b, "[  %zu.5][ T5827] ", i); return b; }
static const char *level_prefix(size_t i, char *b) { sprintf(b, "<4>[  %zu.1] ", i); return b; }
static const char *syslog_prefix(size_t i, char *b) { sprintf(b, "Nov 28 01:02:%02zu web-7 kernel: [ %zu.2] ", i % 60, i); return b; }
static const char *iso_prefix(size_t i, char *b) { sprintf(b, "2026-11-28T01:02:03.%06zu+00:00 web-7 kernel: ", i); return b; }
static const char *kmsg_prefix(size_t i, char *b) { sprintf(b, "4,%zu,%zu,-;", 100 + i, 89205390 + i); return b; }
static const char *dmesg_x_prefix(size_t i, char *b) { sprintf(b, "kern  :warn  : [%zu.5] ", i); return b; }
static const char *netcon_prefix(size_t i, char *b) { sprintf(b, "6.14.0,4,%zu,%zu,-,caller=T5827;", 100 + i, 5 + i); return b; }

/* The same report under every per-line prefix: same title, frames and signature. */
static void prefixes_do_not_matter(void **state)
{
	const char *(*const prefixes[])(size_t, char *) = {
		no_prefix, ts_prefix, caller_prefix, level_prefix, syslog_prefix, iso_prefix,
		kmsg_prefix, netcon_prefix, dmesg_x_prefix,
	};
	char *base, *text;
	size_t len;
	struct nx_report_set *ref;

	(void)state;
	base = slurp(DATA "doc-gpf-kasan-2024.txt", &len);
	ref = analyse_str(base);
	assert_int_equal(ref->n, 1);
	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		struct nx_report_set *set;

		text = prefixed(base, prefixes[k]);
		set = analyse_str(text);
		check_invariants("prefixed", set, strlen(text));
		if (set->n != 1)
			fail_msg("prefix form %zu: %zu reports", k, set->n);
		assert_string_equal(set->reports[0].title, ref->reports[0].title);
		assert_string_equal(set->reports[0].signature, ref->reports[0].signature);
		assert_string_equal(set->reports[0].comm, "kworker/u8:0");
		assert_int_equal(set->reports[0].n_frames, ref->reports[0].n_frames);
		nx_report_set_free(set);
		free(text);
	}
	nx_report_set_free(ref);
	free(base);
}

/* CONFIG_PRINTK_CALLER: another CPU's lines inside the report are not part of it. */
static void interleaved_callers_are_filtered(void **state)
{
	static const char text[] =
		"[   89.205390][ T5827] BUG: kernel NULL pointer dereference, address: 0000000000000010\n"
		"[   89.205422][ T5827] Oops: Oops: 0000 [#1] SMP PTI\n"
		"[   89.205431][ T5827] CPU: 1 UID: 0 PID: 5827 Comm: a Not tainted 6.14.0 #0\n"
		"[   89.205431][    C0] CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Tainted: G W 6.14.0 #0\n"
		"[   89.205455][ T5827] RIP: 0010:foo_read+0x2b6/0x2c00 [foo]\n"
		"[   89.205535][ T5827] Call Trace:\n"
		"[   89.205538][ T5827]  <TASK>\n"
		"[   89.205578][ T5827]  vfs_read+0x2b6/0x610\n"
		"[   89.205580][    C0] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex\n"
		"[   89.205589][ T5827]  ksys_read+0x13c/0x2a0\n"
		"[   89.205640][ T5827]  </TASK>\n";
	struct nx_report_set *set = analyse_str(text);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	assert_int_equal(set->n, 1);
	assert_int_equal(r->n_frames, 2);	/* the trace goes on past the foreign line */
	assert_int_equal(r->pid, 5827);
	assert_string_equal(r->taint, "");	/* CPU 0's "Tainted: G W" is not ours */
	assert_string_equal(r->title,
			    "BUG: unable to handle kernel NULL pointer dereference in foo_read");
	nx_report_set_free(set);
}

static void kasan_access_in_class(void **state)
{
	static const char text[] =
		"BUG: KASAN: slab-use-after-free in ext4_xattr_set_entry+0x2a8/0x1c90\n"
		"Read of size 4 at addr ffff8880241c3f3c by task syz-executor/5134\n"
		"\n"
		"CPU: 0 PID: 5134 Comm: syz-executor Not tainted 6.8.0-rc1-syzkaller #0\n"
		"Call Trace:\n"
		" <TASK>\n"
		" dump_stack_lvl+0x125/0x1b0\n"
		" print_report+0xc4/0x620\n"
		" kasan_report+0xda/0x110\n"
		" ext4_xattr_set_entry+0x2a8/0x1c90\n"
		" ext4_xattr_block_set+0x6e6/0x3290\n"
		" </TASK>\n"
		"\n"
		"Allocated by task 5134:\n"
		" kasan_save_stack+0x33/0x50\n"
		" __kmalloc+0x1f4/0x440\n";
	struct nx_report_set *set = analyse_str(text);

	(void)state;
	assert_int_equal(set->n, 1);
	assert_string_equal(set->reports[0].title,
			    "KASAN: slab-use-after-free Read in ext4_xattr_set_entry");
	assert_string_equal(set->reports[0].type, "sanitizer");
	assert_int_equal(set->reports[0].n_frames, 5);	/* the first stack only */
	nx_report_set_free(set);
}

static void kmsg_escapes_and_dictionary(void **state)
{
	static const char text[] =
		"4,500,1000,-;------------[ cut here ]------------\n"
		"4,501,1001,-;WARNING: CPU: 3 PID: 77 at net/core/dev.c:3300 skb_warn_bad_offload+0x99/0xb0\n"
		" SUBSYSTEM=net\n"
		" DEVICE=n2\n"
		"4,502,1002,-;Modules linked in: a\\x5cb c\n"
		"4,503,1003,-;CPU: 3 PID: 77 Comm: my \\x22prog\\x22 Not tainted 6.12.9 #1\\x0aHardware name: Foo Bar\n"
		"4,504,1004,-;Call Trace:\n"
		"4,505,1005,c; <TASK>\n"
		"4,506,1006,-; skb_warn_bad_offload+0x99/0xb0\n"
		"4,507,1007,-; __skb_gso_segment+0x10b/0x120\n"
		"4,508,1008,-; </TASK>\n";
	struct nx_report_set *set = analyse_str(text);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	check_invariants("kmsg", set, strlen(text));
	assert_int_equal(set->n, 1);
	assert_string_equal(r->comm, "my \"prog\"");	/* \x22 undone, and spaces in Comm */
	assert_string_equal(r->hardware, "Foo Bar");	/* \x0a split the record */
	assert_int_equal(r->cpu, 3);
	assert_int_equal(r->n_frames, 2);
	assert_string_equal(r->title, "WARNING in skb_warn_bad_offload");	/* as the header says */
	nx_report_set_free(set);
}

/* Ordinary log lines, the module's backlog, lookalikes: no report. */
static void no_report_in_ordinary_logs(void **state)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"[    0.000000] Linux version 6.1.0-13-amd64\n[    1.0] EDAC DEBUG: x\n[ 2.0] ODEBUG: 213 active objects replaced\n",
		"Oops: efitime: can't read time!\n",
		"traps: chrome[2979] trap invalid opcode ip:55911b28dba3 sp:7ffea558a3e0 error:0\n",
		"Nov  9 10:19:35 ohm openvpn[1118]: WARNING: Make sure you understand --tls-remote\n",
		"Call Trace:\n [<ffffffff81662d11>] dump_stack+0x45/0x56\n [<ffffffff810691dd>] warn_slowpath_common+0x7d/0xa0\n",
		"ALSA sound/core/pcm_lib.c:181: BUG: pcmC0D0p:0, pos = 0x4000\n",
		"mce: CPU0: Thermal monitoring enabled (TM1)\nWARNING: this is not a kernel warning\n",
		"audit: type=1400 apparmor=\"DENIED\" operation=\"open\" name=\"/proc/1/oom_score_adj\"\n",
		"Spectre V2 : WARNING: Unprivileged eBPF is enabled with eIBRS on, data leaks possible\n",
		"traps: a.out[77] general protection fault ip:7f1 sp:7ffd error:0 in libc.so.6[7f3b+15]\n",
		"[Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode\n",
		"WARNING: The mand mount option has been deprecated\n",
		"EXT4-fs error (device sda1): ext4_find_entry:1463: inode #2: comm ls: reading directory\n",
		"a.out[1234]: segfault at 0 ip 000055d5 sp 00007ffd error 4 in a.out[55d5+1000]\n",
		"Oops#1 Part1\n<6>[    0.000000] Linux version 6.1.0-13-amd64\n",	/* pstore header */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct nx_report_set *set = analyse_str(texts[i]);

		if (set->n)
			fail_msg("text %zu: %zu reports ('%s')", i, set->n, set->reports[0].title);
		nx_report_set_free(set);
	}
}

static void oom_forms(void **state)
{
	static const char memcg[] =
		"[ 77.1] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
		"[ 77.2] memory: usage 524288kB, limit 524288kB, failcnt 1\n"
		"[ 77.3] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,task=java,pid=9,uid=0\n"
		"[ 77.4] Memory cgroup out of memory: Killed process 9 (java) total-vm:1kB\n";
	static const char old[] =	/* 3.x: "Kill process ... or sacrifice child", no header kept */
		"Out of memory: Kill process 812 (mysqld) score 900 or sacrifice child\n"
		"Killed process 812 (mysqld) total-vm:2130188kB, anon-rss:1966080kB\n";
	static const char invoker_only[] =
		"stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0\n"
		"CPU: 1 PID: 22104 Comm: stress Not tainted 6.12.9-amd64 #1\n";
	struct nx_report_set *a = analyse_str(memcg), *b = analyse_str(old);
	struct nx_report_set *c = analyse_str(invoker_only);

	(void)state;
	assert_int_equal(a->n, 1);
	assert_string_equal(a->reports[0].title, "OOM kill of java (memory cgroup)");
	assert_int_equal(b->n, 1);
	assert_string_equal(b->reports[0].title, "OOM kill of mysqld");
	assert_string_equal(b->reports[0].type, "oom");
	assert_int_equal(c->n, 1);
	assert_string_equal(c->reports[0].title, "out of memory: stress");
	assert_false(c->reports[0].corrupted);	/* an OOM report needs no stack */
	nx_report_set_free(a);
	nx_report_set_free(b);
	nx_report_set_free(c);
}

/* A pstore file (/sys/fs/pstore/dmesg-ramoops-0): "Panic#1 Part1", then "<N>[ts] " lines. */
static void pstore_dump(void **state)
{
	static const char text[] =
		"Panic#1 Part1\n"
		"<6>[  201.000001] sysrq: Trigger a crash\n"
		"<0>[  201.000010] Kernel panic - not syncing: sysrq triggered crash\n"
		"<4>[  201.000020] CPU: 0 PID: 4952 Comm: bash Kdump: loaded Not tainted 6.1.0-13-amd64 #1 Debian 6.1.55-1\n"
		"<4>[  201.000030] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)\n"
		"<4>[  201.000040] Call Trace:\n"
		"<4>[  201.000041]  <TASK>\n"
		"<4>[  201.000042]  dump_stack_lvl+0x44/0x5c\n"
		"<4>[  201.000043]  panic+0x118/0x2f4\n"
		"<4>[  201.000044]  sysrq_handle_crash+0x16/0x20\n"
		"<4>[  201.000045]  __handle_sysrq.cold+0x43/0x11b\n"
		"<4>[  201.000046]  </TASK>\n";
	struct nx_report_set *set = analyse_str(text);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	assert_int_equal(set->n, 1);
	assert_string_equal(r->title, "kernel panic: sysrq triggered crash");
	assert_string_equal(r->comm, "bash");	/* "Kdump: loaded" is not part of it */
	assert_string_equal(r->taint, "");
	assert_string_equal(r->kernel, "6.1.0-13-amd64");
	assert_int_equal(r->n_frames, 4);
	assert_string_equal(r->frames[3].func, "__handle_sysrq.cold");
	nx_report_set_free(set);
}

static void all_taint_letters(void **state)
{
	static const char text[] =
		"kernel BUG at drivers/x.c:1!\n"
		"invalid opcode: 0000 [#2] PREEMPT SMP\n"
		"CPU: 3 UID: 1000 PID: 9 Comm: a b  c Tainted: PFSRMBUDAWCIOELKXTNJ 7.2.0-rc1 #1 PREEMPT_{RT,(full)}\n"
		"RIP: 0010:x_probe.cold+0x1/0x2 [x]\n"
		"Call Trace:\n <TASK>\n x_init+0x1/0x2 [x]\n </TASK>\n";
	struct nx_report_set *set = analyse_str(text);
	const struct nx_report *r = &set->reports[0];

	(void)state;
	assert_int_equal(set->n, 1);
	assert_int_equal(r->taint_mask, 0xfffff);	/* P=bit 0 ... J=bit 19 */
	assert_string_equal(r->taint, "PFSRMBUDAWCIOELKXTNJ");
	assert_string_equal(r->comm, "a b  c");
	assert_int_equal(r->pid, 9);
	assert_int_equal(r->die_counter, 2);
	assert_string_equal(r->kernel, "7.2.0-rc1");
	assert_string_equal(r->title, "kernel BUG in x_probe");	/* ".cold" cut */
	nx_report_set_free(set);
}

static void titles_skip_infrastructure(void **state)
{
	static const char warn[] =
		"WARNING: CPU: 0 PID: 1 at lib/list_debug.c:62 __list_del_entry+0xf4/0x100\n"
		"Call Trace:\n"
		" dump_stack+0x41/0x52\n"
		" __warn+0x8b/0xc0\n"
		" ? report_bug+0x1/0x2\n"
		" ? my_driver_fn+0x1/0x2\n"
		" __list_del_entry+0xf4/0x100\n"
		" _raw_spin_lock_irqsave+0x1/0x2\n"
		" kmalloc_trace+0x1/0x2\n"
		" memcpy_orig+0x1/0x2\n"
		" cgroup_exit.part.0+0x33/0x100\n"
		" __x64_sys_exit_group+0x16/0x20\n";
	static const char sys[] =
		"Oops: general protection fault, probably for non-canonical address 0xdffffc0000000004: 0000 [#1] SMP\n"
		"RIP: 0010:memset_orig+0x1/0x2\n"
		"Call Trace:\n"
		" <TASK>\n"
		" __se_sys_mremap.cold+0x25fa/0x2c00\n"
		" do_syscall_64+0x1/0x2\n"
		" </TASK>\n";
	static const char atomic[] =
		"BUG: scheduling while atomic: NetworkManager/1109/0x00000003\n"
		"Call Trace:\n"
		" [<ffffffff81601f85>] __schedule_bug+0x4d/0x59\n"
		" [<ffffffff81601f86>] __schedule+0x8f6/0x940\n"
		" [<ffffffff81601f87>] schedule+0x29/0x70\n"
		" [<ffffffff81601f88>] do_nanosleep+0x9b/0x120\n";
	static const char stack_overflow[] =
		"PANIC: double fault, error_code: 0x0\n"
		"RIP: 0010:recurse_forever+0x8/0x20 [deep]\n"
		"Call Trace:\n"
		" <#DF>\n"
		" recurse_forever+0x8/0x20 [deep]\n";
	struct nx_report_set *set = analyse_str(warn);

	(void)state;
	assert_string_equal(set->reports[0].title, "WARNING in cgroup_exit");
	nx_report_set_free(set);
	set = analyse_str(atomic);
	assert_string_equal(set->reports[0].title, "BUG: scheduling while atomic in do_nanosleep");
	assert_string_equal(set->reports[0].type, "bug");
	nx_report_set_free(set);
	set = analyse_str(stack_overflow);
	/* syzbot's name for the stack overflow the kernel reports as "PANIC: double fault" */
	assert_string_equal(set->reports[0].title, "PANIC: double fault in recurse_forever");
	assert_int_equal(set->reports[0].frames[0].section, NX_SECT_EXCEPTION);
	nx_report_set_free(set);
	set = analyse_str(sys);
	/* syzbot strips one wrapper prefix: "__se_sys_mremap" -> "sys_mremap" */
	assert_string_equal(set->reports[0].title, "general protection fault in sys_mremap");
	nx_report_set_free(set);
}

static const char gpf_template[] =
	"[%s] general protection fault: 0000 [#%d] SMP\n"
	"[%s] CPU: %d PID: %d Comm: %s Tainted: %s %s #1\n"
	"[%s] RIP: 0010:[<%s>]  [<%s>] %s+0x%x/0x200\n"
	"[%s] Call Trace:\n"
	"[%s]  [<%s>] pagecache_get_page+0x%x/0x300\n"
	"[%s]  [<%s>] shmem_getpage_gfp+0x2a6/0x1ad0\n"
	"[%s]  [<%s>] ? vfs_read+0x%x/0x100\n"
	"[%s]  [<%s>] shmem_fault+0x1f8/0x7b0\n";

static struct nx_report_set *gpf(const char *ts, int die, int cpu, int pid, const char *comm,
				 const char *taint, const char *ver, const char *addr,
				 const char *fn, int off)
{
	char text[2048];

	snprintf(text, sizeof(text), gpf_template, ts, die, ts, cpu, pid, comm, taint, ver, ts, addr,
		 addr, fn, off, ts, ts, addr, off, ts, addr, ts, addr, off, ts, addr);
	return analyse_str(text);
}

/* Signatures ignore offsets, addresses, PIDs, CPUs, timestamps, version, taint, die count. */
static void signature_ignores_noise(void **state)
{
	struct nx_report_set *a = gpf("  1.0", 1, 0, 100, "cat", "G", "3.15.10-201.fc20.x86_64",
				      "ffffffff8115c5a0", "find_get_entry", 0x10);
	struct nx_report_set *b = gpf("999.9", 2, 7, 31337, "cp", "P  W  O", "6.12.9-amd64",
				      "ffffffff9999aaaa", "find_get_entry", 0x99);
	struct nx_report_set *c = gpf("  1.0", 1, 0, 100, "cat", "G", "3.15.10-201.fc20.x86_64",
				      "ffffffff8115c5a0", "find_lock_entry", 0x10);

	(void)state;
	assert_string_equal(a->reports[0].title, "general protection fault in find_get_entry");
	assert_string_equal(a->reports[0].signature, b->reports[0].signature);
	assert_string_not_equal(a->reports[0].signature, c->reports[0].signature);
	assert_int_equal(b->reports[0].taint_mask, (1u << 0) | (1u << 9) | (1u << 12));
	{	/* no culprit (every frame is the timer interrupt's): syzbot's "in corrupted",
		 * one bucket, never mixed with whole reports */
		struct nx_report_set *x = analyse_str("BUG: soft lockup detected on CPU#0!\n"
						      " [<c014e31b>] softlockup_tick+0xbb/0x100\n"
						      " [<c01290e2>] update_process_times+0x32/0x80\n");
		struct nx_report_set *y = analyse_str("BUG: soft lockup detected on CPU#1!\n"
						      " [<c014e31b>] softlockup_tick+0xbb/0x100\n"
						      " [<c01290e2>] tick_sched_timer+0x32/0x80\n");

		assert_string_equal(x->reports[0].title, "BUG: soft lockup in corrupted");
		assert_true(x->reports[0].corrupted);
		assert_string_equal(x->reports[0].title, y->reports[0].title);
		assert_string_equal(x->reports[0].signature, y->reports[0].signature);
		nx_report_set_free(x);
		nx_report_set_free(y);
	}
	nx_report_set_free(a);
	nx_report_set_free(b);
	nx_report_set_free(c);
}

static void corrupted_reports(void **state)
{
	static const char lost_stack[] =
		"general protection fault: 0000 [#1] SMP\n"
		"CPU: 0 PID: 1 Comm: x Not tainted 6.1.0 #1\n"
		"RIP: 0010:foo+0x1/0x2\n"
		"Call Trace:\n";
	static const char lost_stack2[] =
		"general protection fault: 0000 [#1] SMP\n"
		"CPU: 1 PID: 2 Comm: y Not tainted 6.1.0 #1\n"
		"RIP: 0010:bar+0x1/0x2\n";
	static const char summary_panic[] =
		"Kernel panic - not syncing: Fatal exception\n"
		"Kernel Offset: disabled\n";
	struct nx_report_set *a = analyse_str(lost_stack), *b = analyse_str(lost_stack2);
	struct nx_report_set *c = analyse_str(summary_panic);

	(void)state;
	assert_true(a->reports[0].corrupted);
	assert_true(b->reports[0].corrupted);
	/* one bucket for the class: never grouped with whole reports of foo or bar */
	assert_string_equal(a->reports[0].signature, b->reports[0].signature);
	assert_int_equal(c->n, 1);
	assert_true(c->reports[0].corrupted);
	assert_string_equal(c->reports[0].panic_msg, "Fatal exception");
	nx_report_set_free(a);
	nx_report_set_free(b);
	nx_report_set_free(c);
}

/* Several oopses in one dump: all found, the first primary, the panic kept with its oops. */
static void several_reports_and_panic_tail(void **state)
{
	char *one, *text;
	size_t len;
	struct nx_report_set *set;

	(void)state;
	one = slurp(DATA "doc-warn-2025.txt", &len);
	text = malloc(3 * len + 200);
	assert_non_null(text);
	snprintf(text, 3 * len + 200, "%s%s%s%s", one, one,
		 "[  205.1] Kernel panic - not syncing: panic_on_warn set ...\n", one);
	set = analyse_str(text);
	check_invariants("three", set, strlen(text));
	assert_int_equal(set->n, 3);
	assert_true(set->reports[0].primary);
	assert_null(set->reports[0].panic_msg);
	assert_string_equal(set->reports[1].panic_msg, "panic_on_warn set ...");
	assert_string_equal(set->reports[0].signature, set->reports[2].signature);
	/* the "cut here" line opens each report */
	assert_memory_equal(text + set->reports[1].start, "<4>[  204.773111] ---", 21);
	nx_report_set_free(set);
	free(text);
	free(one);
}

/* Cost grows with the crash, not the log: a 128 KiB dump that is a real boot log's backlog
 * repeated, then its oops, is analysed as the oops alone is, and of the backlog only the lines
 * that hold a header's key are copied and classified (89 of 1889 lines here, the report's ~50
 * included). */
static void backlog_is_not_parsed(void **state)
{
	size_t len, n = 0, cut, lines = 0;
	char *log = slurp(DATA "vm-6.1-null-dump.txt", &len), *dump = malloc(128 << 10);
	struct nx_report_set *one, *set;

	(void)state;
	assert_non_null(dump);
	one = nx_analyse(log, len);
	assert_non_null(one);
	assert_int_equal(one->n, 1);
	cut = one->reports[0].start;
	while (n + cut + (len - cut) < (128u << 10)) {
		memcpy(dump + n, log, cut);
		n += cut;
	}
	memcpy(dump + n, log + cut, len - cut);
	n += len - cut;
	for (size_t i = 0; i < n; i++)
		lines += dump[i] == '\n';
	nx_analyse_line_texts = 0;
	set = nx_analyse(dump, n);
	assert_non_null(set);
	assert_int_equal(set->n, 1);
	assert_string_equal(set->reports[0].title, one->reports[0].title);
	assert_string_equal(set->reports[0].signature, one->reports[0].signature);
	assert_int_equal(set->reports[0].end - set->reports[0].start,
			 one->reports[0].end - one->reports[0].start);
	assert_int_equal(set->reports[0].n_frames, one->reports[0].n_frames);
	assert_true(lines > 1000);
	if (nx_analyse_line_texts > 100)
		fail_msg("%llu of %zu lines copied", (unsigned long long)nx_analyse_line_texts, lines);
	nx_report_set_free(set);
	nx_report_set_free(one);
	free(dump);
	free(log);
}

/* Linear work: a 1 MiB backlog and thousands of oopses visit each line a bounded number of times. */
static void analysis_is_linear(void **state)
{
	char *one, *big;
	size_t len, cap = 4u << 20, n = 0, lines = 0;
	struct nx_report_set *set;

	(void)state;
	big = malloc(cap);
	assert_non_null(big);
	while (n < (1u << 20)) {
		n += (size_t)snprintf(big + n, cap - n,
				      "[%8zu.000000] usb 1-1: new high-speed USB device number %zu using xhci_hcd\n",
				      lines, lines);
		lines++;
	}
	nx_analyse_line_visits = 0;
	set = nx_analyse(big, n);
	assert_non_null(set);
	assert_int_equal(set->n, 0);
	assert_true(nx_analyse_line_visits <= 4 * lines);
	nx_report_set_free(set);

	one = slurp(DATA "doc-warn-2025.txt", &len);
	n = lines = 0;
	while (n + len < cap - 1) {
		memcpy(big + n, one, len);
		n += len;
		lines += 20;
	}
	nx_analyse_line_visits = 0;
	set = nx_analyse(big, n);
	assert_non_null(set);
	assert_int_equal(set->n, n / len > 4096 ? 4096 : n / len);	/* MAX_REPORTS */
	assert_true(nx_analyse_line_visits <= 4 * lines);
	nx_report_set_free(set);
	free(one);
	free(big);
}

/* Hostile shapes: one 2 MiB line of frames, one of header words. A per-line cost that grew
 * with the square of the line would take minutes here instead of milliseconds. */
static void huge_lines(void **state)
{
	static const char frame[] = " [<ffffffff81000000>] f+0x1/0x2 [m]";
	static const char word[] = "BUG: WARNING: INFO: [#1] rcu oom ";
	size_t cap = 2u << 20, n;
	char *text = malloc(cap + 64);
	struct nx_report_set *set;

	(void)state;
	assert_non_null(text);
	n = (size_t)sprintf(text, "kernel BUG at x.c:1!\nCall Trace:\n");
	while (n + sizeof(frame) < cap)
		n += (size_t)sprintf(text + n, "%s", frame);
	text[n++] = '\n';
	set = nx_analyse(text, n);
	assert_non_null(set);
	assert_int_equal(set->n, 1);
	assert_int_equal(set->reports[0].n_frames, 256);	/* capped */
	nx_report_set_free(set);
	for (n = 0; n + sizeof(word) < cap; n += sizeof(word) - 1)
		memcpy(text + n, word, sizeof(word) - 1);
	set = nx_analyse(text, n);
	assert_non_null(set);
	check_invariants("huge", set, n);
	nx_report_set_free(set);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures_fields),
		cmocka_unit_test(frames_offsets_sections_reliability),
		cmocka_unit_test(frames_old_generations),
		cmocka_unit_test(trace_goes_on_past_exception_registers),
		cmocka_unit_test(frames_arm_ppc_s390),
		cmocka_unit_test(prefixes_do_not_matter),
		cmocka_unit_test(kmsg_escapes_and_dictionary),
		cmocka_unit_test(interleaved_callers_are_filtered),
		cmocka_unit_test(kasan_access_in_class),
		cmocka_unit_test(no_report_in_ordinary_logs),
		cmocka_unit_test(all_taint_letters),
		cmocka_unit_test(pstore_dump),
		cmocka_unit_test(oom_forms),
		cmocka_unit_test(titles_skip_infrastructure),
		cmocka_unit_test(signature_ignores_noise),
		cmocka_unit_test(corrupted_reports),
		cmocka_unit_test(several_reports_and_panic_tail),
		cmocka_unit_test(analysis_is_linear),
		cmocka_unit_test(backlog_is_not_parsed),
		cmocka_unit_test(huge_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

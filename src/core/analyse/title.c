/* The culprit function (skipping the kernel's own machinery, the way syzbot picks its
 * "guilty" frame) and the report title in syzbot's convention, normalised. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

/*
 * Frames that report, trap, lock, schedule, allocate, copy or walk lists: never the culprit.
 * A pattern matches anywhere in the base name; "^" anchors it at the start, "$" at the end.
 * This is syzbot's list (syzkaller pkg/report/linux.go, skipPatterns) with its regular
 * expressions spelled out, plus the entry code every stack ends in.
 */
static const char *const machinery[] = {
	/* sanitizers and fault injection */
	"__sanitizer", "__asan", "kasan", "hwasan", "__msan", "kmsan", "kcsan", "ubsan",
	"check_memory_region", "check_heap_object", "check_object", "read_word_at_a_time",
	"print_address_description", "should_fail", "fault_inject", "__stack_chk_fail",
	"__fortify", "fortify_", "assertfail", "^__assert_fail", "^skb_put$", "^skb_push$",
	"^skb_over_panic", "^skb_under_panic",
	/* reporting, traps and faults */
	"panic", "invalid_op", "report_bug", "fixup_bug", "print_report", "print_usage_bug",
	"do_error", "_trap$", "^do_trap", "do_user_addr_fault", "exc_page_fault", "page_fault",
	"do_general_protection", "general_protection", "exc_general_protection",
	"handle_mm_fault", "__do_kernel_fault", "do_kern_addr_fault", "no_context", "bad_area",
	"fixup_exception", "notify_die", "^die$", "^__die", "^oops_", "^__warn", "warn_slowpath",
	"^warn_", "^__report_bug", "dump_stack", "show_stack", "show_trace", "show_regs",
	"dump_backtrace", "unwind_backtrace", "dump_header", "printk", "^_printk",
	"^bust_spinlocks", "^__schedule_bug", "^print_", "^dump_page", "^bad_page", "^exc_",
	"^asm_exc_", "^handle_bug", "^do_invalid_op", "^do_divide_error", "^do_int3",
	"^do_debug", "^error_code", "^divide_error", "^do_nmi", "^default_do_nmi", "^nmi_handle",
	"^end_repeat_nmi", "^do_machine_check", "program_check", "^do_undefinstr",
	"do_translation_fault", "do_mem_abort", "^do_tag_check_fault", "^do_tag_recovery", "el1_abort", "el1h_64_sync", "el1_sync",
	"el1_da", "el1_dbg", "^el0_", "^el1_", "bug_handler", "^do_bug", "__do_page_fault",
	"^do_page_fault", "print_tainted", "^get_taint$", "__phys_addr", "debug_object", "debug_print_object", "debug_check_object",
	"timer_is_static_object", "work_is_static_object", "imbalance_bug", "print_unlock",
	"^spin_dump", "^spin_bug",
	/* locking */
	"lockdep", "__might_fault", "might_fault", "__might_sleep", "___might_sleep",
	"__might_resched", "might_sleep", "bh_enable", "bh_disable", "perf_trace",
	"lock_acquire", "lock_release", "lock_class", "mark_lock", "held_locks", "raw_spin_rq",
	"spin_lock", "spin_trylock", "spin_unlock", "read_lock", "read_trylock", "write_lock",
	"write_trylock", "read_unlock", "write_unlock", "^down$", "down_read", "down_write",
	"down_trylock", "up_read", "up_write", "^mutex_", "^__mutex_", "^rt_mutex_",
	"owner_on_cpu", "osq_lock", "osq_unlock", "^lock_acquired", "^lock_contended",
	"^check_prev_add", "^check_prevs_add", "^validate_chain", "^check_deadlock",
	"debug_check_no_locks", "trace_hardirqs", "trace_softirqs",
	"^rwsem_", "^__rwsem", "call_rwsem", "queued_spin_lock_slowpath", "queued_read_lock",
	"queued_write_lock", "^_atomic_dec_and", "^atomic_dec_and",
	/* atomics, bit operations, refcounts, wakeups */
	"atomic_dec", "atomic_inc", "atomic_read", "atomic_set", "atomic_or", "atomic_xor",
	"atomic_and", "atomic_add", "atomic_sub", "atomic_fetch", "atomic_xchg",
	"atomic_cmpxchg", "atomic_try", "atomic64_", "set_bit", "clear_bit", "change_bit",
	"test_bit", "test_and_", "__wake_up", "^refcount_", "^__refcount", "^kref_",
	"ref_tracker", "seqprop_assert",
	/* memory and string helpers, user copies, formatting */
	"memcpy", "memcmp", "memset", "memchr", "memmove", "memdup", "strcmp", "strncmp",
	"strcpy", "strlcpy", "strncpy", "strscpy", "strlen", "strstr", "strnstr", "strnlen",
	"strchr", "strrchr", "strcat", "strncat", "strlcat", "strsep", "strcasecmp", "strdup",
	"strndup", "copy_to_user", "copy_from_user", "copy_to_iter", "copy_from_iter",
	"copy_page_to_iter", "copy_page_from_iter", "copy_folio_to_iter", "^copyin$",
	"^copyout$", "copy_user", "rep_movs", "put_user", "get_user", "string", "pointer",
	"snprintf", "scnprintf", "kasprintf", "kvasprintf", "va_format", "dev_info",
	"dev_notice", "dev_warn", "dev_err", "dev_alert", "dev_crit", "dev_emerg",
	"_indirect_thunk_", "^__x86_return_thunk",
	/* MMIO and port accessors: the driver calling them is the bug */
	"^__raw_readb", "^__raw_readw", "^__raw_readl", "^__raw_readq", "^__raw_writeb",
	"^__raw_writew", "^__raw_writel", "^__raw_writeq", "^logic_in", "^logic_out", "^ioread",
	"^iowrite",
	/* allocators */
	"^kmalloc", "^__kmalloc", "^___kmalloc", "^kmem_cache_", "^__kmem_cache", "^kfree",
	"^__kfree", "^kzalloc", "^kcalloc", "^krealloc", "^kvmalloc", "^kvzalloc", "^kvfree",
	"^__slab", "^___slab", "^slab_", "^__alloc_pages", "^alloc_pages", "^__get_free_pages",
	"^get_zeroed_page", "^vmalloc", "^__vmalloc", "^vzalloc", "^new_slab", "^allocate_slab",
	"^__free_pages", "^free_pages", "^__alloc_frozen_pages", "^alloc_frozen_pages",
	"^vma_alloc_folio", "^folio_alloc", "^__folio_alloc", "^alloc_pages_mpol",
	"^kmalloc_order", "^kmalloc_large", "^__kmalloc_large", "^___kmalloc_large",
	/* lists, trees, arrays, hash tables */
	"list_add", "list_del", "list_replace", "list_move", "list_splice", "^__list_",
	"^rb_", "^__rb_", "^klist_", "xas_start", "xas_load", "xas_find", "find_lock_entries",
	"rhashtable_lookup", "ida_free",
	/* timers, work queues, completion, device model: the callers are the bug */
	"del_timer", "lock_timer_base", "__timer_delete_sync", "sk_stop_timer_sync",
	"__mod_timer", "^flush_work$", "^__flush_work", "__cancel_work_timer", "cancel_work_sync",
	"try_to_grab_pending", "drain_workqueue", "destroy_workqueue",
	"queue_work", "insert_work", "__queue_delayed_work", "queue_delayed_work_on",
	"finish_wait", "^wait_for_completion", "^complete$", "^complete_all$", "kthread_stop", "kobject_", "add_uevent_var", "get_device_parent",
	"device_add", "device_del", "^device_remove_file", "^device_create_file", "device_unregister", "device_destroy", "device_release",
	"devres_release_all", "hwrng_unregister", "i2c_del_adapter", "__unregister_client",
	"device_for_each_child", "rollback_registered", "unregister_netdev", "sysfs_remove",
	"__usb_create_hcd", "usb_add_hcd", "usb_hcd_submit_urb", "usb_submit_urb",
	"usb_kill_urb", "usb_kill_anchored_urbs", "^put_device$", "^lock_page", "^unlock_page",
	"stack_trace_consume_entry", "arch_stack_walk", "stack_trace_save", "^walk_stackframe",
	"^unwind_frame",
	"truncate_inode_pages_range", "cleanup_srcu_struct", "extract_user_to_sg",
	"extract_iter_to_sg", "drop_nlink", "fast_dput", "^dput$", "^iput$",
	/* buffer and checksum helpers: a WARN or fault there is the caller's misuse or buffer */
	"^mark_buffer_dirty$", "^crc_itu_t", "^crc16$", "^crc32", "^__crc32", "^crc_ccitt",
	"^csum_partial",
	/* interrupts, timers and watchdogs that report stalls */
	"^oom_kill_process", "^out_of_memory", "^check_panic_on_oom", "^watchdog_overflow",
	"perf_event_overflow", "^intel_pmu_handle_irq", "^perf_event_nmi_handler",
	"^watchdog_timer_fn", "^softlockup_tick", "^rcu_dump_cpu_stacks", "^check_cpu_stall",
	"^rcu_sched_clock_irq", "^rcu_pending", "^rcu_check_callbacks", "^update_process_times",
	"^tick_sched", "^tick_do_broadcast", "^tick_handle", "^tick_periodic",
	"^hrtimer_interrupt", "^__hrtimer_run_queues", "^__run_hrtimer", "^timer_interrupt",
	"^handle_IRQ_event", "^handle_edge_irq", "^handle_irq", "^do_IRQ", "^common_interrupt",
	"^ret_from_intr", "apic_timer_interrupt", "^local_apic_timer_interrupt", "^sysvec_",
	"^asm_sysvec_", "^__sysvec", "^irq_exit", "^__irq_exit", "^nmi_cpu_backtrace",
	"^nmi_trigger_cpumask_backtrace", "^arch_trigger_cpumask_backtrace", "^trigger_",
	"^sched_show_task", "^_sched_show_task", "^show_state",
	/* entry points: every stack ends there */
	"^entry_", "^do_syscall", "^system_call", "^syscall_", "^sysenter_", "^ret_from_fork",
	"^ret_fast_syscall", "^ret_from_syscall", "^kernel_thread_helper", "^x64_sys_call",
	"^do_fast_syscall", "^__do_fast_syscall", "^int_check_syscall_exit_work", "^sysc_",
	"^retint_", "^ia32_sysenter", "^cpu_startup_entry", "^start_secondary",
	"^invoke_syscall", "^el0_svc",
	NULL,
};

/* Syscall wrappers: each prefix is stripped once, in this order (syzbot's convention:
 * "__x64_sys_rmdir" -> "sys_rmdir", "SyS_rmdir" -> "rmdir", "__do_sys_foo" -> "foo"). */
static const char *const strip_prefixes[] = {
	"SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "__s390x_", "__s390_",
	"__riscv_", "____sys_", "___sys_", "__sys_", "__se_", "__se_sys_", "__do_sys_",
	"compat_SYSC_", "compat_SyS_", "ksys_", NULL,
};

size_t nx_base_name(const char *func, const char **start)
{
	const char *p = func;
	size_t n;

	while (*p == '.')
		p++;
	n = strcspn(p, ".");
	for (int i = 0; strip_prefixes[i]; i++) {
		size_t k = strlen(strip_prefixes[i]);

		if (n > k && strncmp(p, strip_prefixes[i], k) == 0) {
			p += k;
			n -= k;
		}
	}
	*start = p;
	return n;
}

/* Pattern P ("^" start, "$" end, else anywhere) against NAME of LEN bytes. */
static bool pattern_matches(const char *p, const char *name, size_t len)
{
	bool start = *p == '^';
	size_t k;
	bool end;

	p += start;
	k = strlen(p);
	end = k && p[k - 1] == '$';
	k -= end;
	if (k > len)
		return false;
	if (start)
		return memcmp(name, p, k) == 0 && (!end || k == len);
	if (end)
		return memcmp(name + len - k, p, k) == 0;
	for (size_t i = 0; i + k <= len; i++)
		if (memcmp(name + i, p, k) == 0)
			return true;
	return false;
}

static bool in_list(const char *const *list, const char *name, size_t len)
{
	for (int i = 0; list && list[i]; i++)
		if (pattern_matches(list[i], name, len))
			return true;
	return false;
}

/* machinery[] indexed by the two bytes each pattern starts with: a name is checked in one
 * pass over its positions instead of one search per pattern. */
#define N_MACHINERY (sizeof(machinery) / sizeof(machinery[0]) - 1)
#define PAT_START 1
#define PAT_END 2

static struct {
	unsigned short first[65536];	/* bigram -> 1 + first pattern starting with it */
	unsigned short next[N_MACHINERY];
	unsigned char len[N_MACHINERY], flags[N_MACHINERY];
	const char *text[N_MACHINERY];
} mach;
static pthread_once_t mach_once = PTHREAD_ONCE_INIT;

static unsigned bigram(const char *s)
{
	return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static void mach_build(void)
{
	for (size_t i = N_MACHINERY; i-- > 0;) {
		const char *p = machinery[i];
		size_t k;

		mach.flags[i] = *p == '^' ? PAT_START : 0;
		p += *p == '^';
		k = strlen(p);
		if (k && p[k - 1] == '$')
			mach.flags[i] |= PAT_END, k--;
		mach.text[i] = p;
		mach.len[i] = (unsigned char)k;
		mach.next[i] = mach.first[bigram(p)];
		mach.first[bigram(p)] = (unsigned short)(i + 1);
	}
}

static bool in_machinery(const char *name, size_t len)
{
	pthread_once(&mach_once, mach_build);
	for (size_t pos = 0; pos + 1 < len; pos++) {
		for (unsigned k = mach.first[bigram(name + pos)]; k; k = mach.next[k - 1]) {
			size_t i = k - 1, n = mach.len[i];

			if (((mach.flags[i] & PAT_START) && pos != 0) || pos + n > len ||
			    ((mach.flags[i] & PAT_END) && pos + n != len))
				continue;
			if (memcmp(name + pos, mach.text[i], n) == 0)
				return true;
		}
	}
	return false;
}

bool nx_is_machinery(const char *name, size_t len, const char *const *kind_skip)
{
	return in_machinery(name, len) || in_list(kind_skip, name, len);
}

/* Usable as a culprit: the raw (unstripped) name is not machinery. */
static bool usable(const char *func, const struct nx_extra *x)
{
	const char *p = func;
	size_t n;

	if (!func)
		return false;
	while (*p == '.')
		p++;
	n = strcspn(p, ".");
	return n > 0 && !nx_is_machinery(p, n, x->skip);
}

/* ---- stalls and hangs: where the CPU or task was stuck, grouped by a stable frame ---- */

/* Frames that dispatch work or enter the kernel: the frame called by one names the stall
 * (syzkaller's linuxStallAnchorFrames). */
static const char *const stall_anchors[] = {
	"^__do_softirq", "^handle_softirqs", "^call_timer_fn", "^__run_timers",
	"^run_timer_softirq", "^tasklet_action", "^net_rx_action", "^__hrtimer_run_queues",
	"^hrtimer_run_softirq", "^__netif_receive_skb",
	"^netif_receive_skb", "^process_backlog", "^process_one_work",
	"^worker_thread", "^kthread", "^ret_from_fork", "^ret_fast_syscall", "^ret_from_syscall",
	"^__sys_trace_return", "^task_work_run", "exit_to_usermode_loop",
	"^exit_to_user_mode", "^do_syscall_", "^__do_fast_syscall",
	"^do_fast_syscall", "^entry_", "^sysenter_", "^system_call", "^sysc_", "^tracesys",
	"^el0_svc", "^invoke_syscall", "^smp_call_function",
	/* highly multiplexed syscalls and messages: the handler below names the stall */
	"^vfs_ioctl", "^do_vfs_ioctl", "^ksys_ioctl", "sys_ioctl", "SyS_ioctl", "compat_ioctl",
	"^netlink_rcv_skb", "^netlink_unicast", "^netlink_sendmsg", "^rtnetlink_rcv_msg",
	"^nfnetlink_rcv", "^genl_rcv_msg", "^genl_family_rcv_msg", "^sock_ioctl", "^sock_do_ioctl", "^blkdev_ioctl", "^compat_blkdev_ioctl",
	"^sock_sendmsg", "^__sock_sendmsg", "^sock_recvmsg", "^sock_write_iter",
	"^sock_read_iter", "^__vfs_write", "^vfs_write", "^__vfs_read", "^vfs_read",
	"^new_sync_write", "^new_sync_read", "^__sys_connect", "^__sys_setsockopt",
	"^__sys_getsockopt", "^sock_setsockopt", "^__sys_bind", "^__sys_accept",
	NULL,
};

/* Interrupt entries: the frames after one are the interrupted context's (arm, old x86). */
static const char *const irq_entries[] = {
	"apic_timer_interrupt", "^__irq_svc", "^__irq_usr", "^el1_irq", "^el1h_64_irq",
	"^call_on_irq_stack", NULL,
};

static bool name_in(const char *const *list, const char *func);

/* The stack in the order syzbot reads it: for a stall, the interrupted context. Sets
 * *SEEN when the text shows the interrupt (a RIP inside the trace, an <IRQ> section, an
 * interrupt entry frame). */
static size_t stall_frames(const struct nx_report *r, const struct nx_extra *x,
			   const char **out, size_t cap, bool *seen)
{
	size_t n = 0, from = 0, entry = 0;

	for (size_t i = 0; i < x->n_rips && !n; i++) {
		size_t k = x->rip_frame[i];

		if (k > 0 && k <= r->n_frames && name_in(irq_entries, r->frames[k - 1].func)) {
			out[n++] = x->rip_at[i];	/* the registers the interrupt saved */
			entry = k;
		}
	}
	for (size_t i = 0; i < r->n_frames && !entry; i++)
		if (name_in(irq_entries, r->frames[i].func))
			entry = i + 1;	/* the timer interrupt's entry: what follows it stalled */
	*seen = true;
	if (entry) {
		from = entry;
		if (!n && r->rip_func)
			out[n++] = r->rip_func;	/* printed before the trace */
	} else if (x->trace_rip) {
		out[n++] = x->trace_rip;
		from = x->trace_rip_frame;
	} else {
		if (r->rip_func)
			out[n++] = r->rip_func;
		for (size_t i = 0; i < r->n_frames; i++)
			if (r->frames[i].section == NX_SECT_IRQ)
				from = i + 1;	/* after the interrupt: the interrupted stack */
		*seen = from > 0;
	}
	for (size_t i = from; i < r->n_frames && n < cap; i++)
		if (r->frames[i].reliable && !r->frames[i].inlined)
			out[n++] = r->frames[i].func;
	if (x->outer_caller && n < cap)
		out[n++] = x->outer_caller;
	return n;
}

static bool name_in(const char *const *list, const char *func)
{
	const char *p = func;

	while (*p == '.')
		p++;
	return in_list(list, p, strcspn(p, "."));
}

/* The frame called by the first dispatch anchor (the top frame when none qualifies). */
static const char *stall_culprit(const struct nx_report *r, const struct nx_extra *x)
{
	const char *v[260], *prev = NULL;
	bool seen;
	size_t n = stall_frames(r, x, v, sizeof(v) / sizeof(v[0]), &seen);
	const char *first = NULL;

	if (!seen && strcmp(r->type, "rcu-stall") == 0)
		return NULL;	/* only blocked tasks' stacks: not where the CPU stalled */
	for (size_t i = 0; i < n; i++) {
		if (name_in(stall_anchors, v[i])) {
			if (strstr(v[i], "smp_call_function"))
				return "smp_call_function";
			if (prev)
				return prev;
			if (usable(v[i], x))
				return v[i];	/* the first frame is the dispatch itself */
			continue;
		}
		if (!usable(v[i], x))
			continue;
		prev = v[i];
		if (!first)
			first = v[i];
	}
	return first;
}

/* Hung tasks: waits on RCU and the RTNL are one bucket each; else the first frame that
 * is not waiting (syzkaller's linuxHangTaskFrameExtractor). */
static const char *hung_culprit(const struct nx_report *r, const struct nx_extra *x)
{
	static const char *const waiting[] = {
		"sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait",
		"synchronize", "context_switch", "__switch_to", "cancel_delayed_work",
		"rcu_barrier", NULL,
	};

	for (size_t i = 0; i < r->n_frames; i++) {
		const char *f = r->frames[i].func;

		if (!r->frames[i].reliable)
			continue;
		if (strstr(f, "rtnl_lock"))
			return "rtnl_lock";
		if (strstr(f, "synchronize_rcu") || strstr(f, "synchronize_srcu") ||
		    strstr(f, "synchronize_net") || strstr(f, "synchronize_sched"))
			return "synchronize_rcu";
	}
	for (size_t i = 0; i < r->n_frames; i++)
		if (r->frames[i].reliable && !r->frames[i].inlined &&
		    !name_in(waiting, r->frames[i].func) && usable(r->frames[i].func, x))
			return r->frames[i].func;
	return NULL;
}

/* The culprit from the kind's sources, in order; NULL when none qualifies. */
static const char *culprit(const struct nx_report *r, const struct nx_extra *x)
{
	unsigned fr = x->frames;

	if ((fr & NX_FR_HEADER) && usable(x->header_func, x))
		return x->header_func;
	if ((fr & NX_FR_RIP) && usable(r->rip_func ? r->rip_func : x->trace_rip, x))
		return r->rip_func ? r->rip_func : x->trace_rip;	/* panic_on_warn: in the trace */
	for (size_t i = 0; (fr & NX_FR_BECAME) && i < x->n_became; i++)
		if (usable(x->became[i], x))
			return x->became[i];
	for (int i = 0; (fr & NX_FR_AT) && i < 2; i++)
		if (usable(x->at_func[i], x))
			return x->at_func[i];
	if ((fr & NX_FR_CALLER) && usable(x->caller_func, x))
		return x->caller_func;
	if ((fr & NX_FR_LASTFN) && usable(x->last_func, x))
		return x->last_func;
	if (fr & NX_FR_TRACE) {
		for (size_t i = 0; i < r->n_frames; i++)
			if (r->frames[i].reliable && !r->frames[i].inlined &&
			    usable(r->frames[i].func, x))
				return r->frames[i].func;
		if (usable(x->outer_caller, x))
			return x->outer_caller;	/* arm: the last line's " from " caller */
	}
	if (fr & NX_FR_STALL)
		return stall_culprit(r, x);
	if (fr & NX_FR_HUNG)
		return hung_culprit(r, x);
	return NULL;
}

/* ---- the title ---- */

static char *format(bool *oom, const char *fmt, const char *a, int bn, const char *b)
{
	int n = snprintf(NULL, 0, fmt, a, bn, b);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;

	if (!s) {
		*oom = true;
		return NULL;
	}
	snprintf(s, (size_t)n + 1, fmt, a, bn, b);
	return s;
}

/* Panic messages that carry a function or variable data: syzbot's names for them. */
static const struct {
	const char *prefix, *title;
	unsigned frames;	/* "<title> in <function after the prefix, or from these>" */
} panics[] = {
	{ "stack-protector: Kernel stack is corrupted in: ", "kernel panic: stack is corrupted",
	  NX_FR_TRACE },
	/* the task's stack overflowed where it was stuck: a stall's culprit */
	{ "corrupted stack end detected inside scheduler", "kernel panic: corrupted stack end",
	  NX_FR_STALL },
	{ "Fatal exception", "kernel panic: Fatal exception", 0 },
};

/* "kernel panic: Attempted to kill init!" (the exit code differs between occurrences) */
static char *panic_title(const struct nx_report *r, const struct nx_extra *x, bool *oom)
{
	const char *msg = r->panic_msg ? r->panic_msg : "", *ec = strstr(msg, " exitcode=");
	size_t n = ec ? (size_t)(ec - msg) : strlen(msg);

	for (size_t i = 0; i < sizeof(panics) / sizeof(panics[0]); i++) {
		size_t k = strlen(panics[i].prefix);
		const char *fn = NULL, *b;
		size_t bn;

		if (strncmp(msg, panics[i].prefix, k) != 0)
			continue;
		if (panics[i].frames) {
			struct nx_extra y = *x;

			y.frames = panics[i].frames;
			fn = msg[k] ? msg + k : culprit(r, &y);
		}
		if (!fn)
			return format(oom, "%s%.*s", panics[i].title, 0, "");
		bn = nx_base_name(fn, &b);
		if (strcspn(b, "+ ") < bn)
			bn = strcspn(b, "+ ");
		return format(oom, "%s in %.*s", panics[i].title, (int)bn, b);
	}
	while (n && (msg[n - 1] == ' ' || msg[n - 1] == '\n'))
		n--;
	return format(oom, "kernel panic: %s%.*s", "", (int)n, msg);
}

static char *oom_title(const struct nx_extra *x, bool *oom)
{
	if (x->victim)
		return format(oom, x->memcg ? "OOM kill of %s%.*s (memory cgroup)" :
			      "OOM kill of %s%.*s", "", (int)strlen(x->victim), x->victim);
	if (x->invoker)
		return format(oom, "out of memory: %s%.*s", "", (int)strlen(x->invoker),
			      x->invoker);
	return format(oom, "out of memory%s%.*s", "", 0, "");
}

/* syzbot's alternative names: stalls and hangs by their frame, whatever the detector. */
static char *alt_title(const struct nx_report *r, const char *fn, size_t n, bool *oom)
{
	const char *kind = strcmp(r->type, "hang") == 0 ? "hang" :
			   (strcmp(r->type, "rcu-stall") == 0 || strcmp(r->type, "lockup") == 0) ?
			   "stall" : strcmp(r->type, "paging") == 0 || strcmp(r->type, "null-deref") == 0 ?
			   "bad-access" : NULL;

	if (!kind || !fn)
		return NULL;
	return format(oom, "%s in %.*s", kind, (int)n, fn);
}

static char *raw_title(struct nx_report *r, const struct nx_extra *x, char **alt, bool *oom)
{
	const char *fn, *b;
	size_t n;

	if (strcmp(r->type, "oom") == 0 && strcmp(r->class, "out of memory") == 0)
		return oom_title(x, oom);
	if (strcmp(r->class, "kernel panic") == 0)
		return panic_title(r, x, oom);
	if (x->frames == 0)
		return format(oom, "%s%.*s", r->class, 0, "");
	fn = culprit(r, x);
	if (!fn && (strcmp(r->class, "possible deadlock") == 0 ||
		    strcmp(r->class, "inconsistent lock state") == 0) &&
	    r->n_frames == 0 && !x->at_func[0] && x->header_line) {
		/* cut before the locks that name it: syzbot titles the banner as printed */
		const char *h = nx_skip_spaces(x->header_line);
		size_t hn = strlen(h);

		h += nx_starts(h, "[ ") ? 2 : 0;
		hn = strlen(h);
		while (hn && (h[hn - 1] == ' ' || h[hn - 1] == ']' || h[hn - 1] == '!'))
			hn--;
		r->corrupted = true;
		return format(oom, "%s%.*s", "", (int)hn, h);
	}
	if (!fn) {
		if (!x->needs_stack)
			return format(oom, "%s%.*s", r->class, 0, "");
		r->corrupted = true;
		return format(oom, "%s in corrupted%.*s", r->class, 0, "");
	}
	n = nx_base_name(fn, &b);
	*alt = alt_title(r, b, n, oom);
	if (x->suffix) {
		char *t = format(oom, "%s in %.*s", r->class, (int)n, b), *u;

		u = t ? format(oom, "%s%.*s", t, (int)strlen(x->suffix), x->suffix) : NULL;
		free(t);
		return u;
	}
	return format(oom, "%s in %.*s", r->class, (int)n, b);
}

static bool ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Hex of 6+ digits or 0x.. -> ADDR, other numbers -> NUM, unless part of an identifier
 * ("i2c_transfer", "ipv6") or a function name's digits. */
char *nx_title_normalise(const char *s, bool *oom)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len * 3 + 1);	/* "0" -> "NUM": at most 3 bytes per byte */

	if (!out) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len;) {
		size_t j = i;
		bool start = i == 0 || !ident((unsigned char)s[i - 1]);
		bool digit = false;

		if (start && s[i] == '0' && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2])) {
			for (j = i + 2; isxdigit((unsigned char)s[j]); j++)
				;
		} else if (start && isxdigit((unsigned char)s[i])) {
			for (; isxdigit((unsigned char)s[j]); j++)
				digit |= isdigit((unsigned char)s[j]) != 0;
			if (!digit || ident((unsigned char)s[j]) ||
			    (j - i < 6 && strspn(s + i, "0123456789") != j - i))
				j = i;
		}
		if (j == i) {
			out[o++] = s[i++];
			continue;
		}
		bool addr = j - i >= 6 || s[i + 1] == 'x';

		memcpy(out + o, addr ? "ADDR" : "NUM", addr ? 4 : 3);
		o += addr ? 4 : 3;
		i = j;
	}
	out[o] = '\0';
	return out;
}

/* Cut S to NX_TITLE_MAX bytes, not inside a UTF-8 character (normalising can grow a title). */
static char *cap_title(char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n <= NX_TITLE_MAX)
		return s;
	n = NX_TITLE_MAX;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
	return s;
}

char *nx_title(struct nx_report *r, const struct nx_extra *x, char **alt, bool *oom)
{
	char *raw, *t;

	*alt = NULL;
	raw = raw_title(r, x, alt, oom);
	if (!raw)
		return NULL;
	t = cap_title(nx_title_normalise(raw, oom));
	free(raw);
	if (*alt) {
		raw = *alt;
		*alt = cap_title(nx_title_normalise(raw, oom));
		free(raw);
	}
	return t;
}

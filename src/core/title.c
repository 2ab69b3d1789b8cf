/* The guilty function (skipping unreliable and infrastructure frames) and the report title. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse_int.h"

/* Frames that report, trap, lock, allocate or copy: never the culprit (prefix match). */
static const char *const infrastructure[] = {
	/* reporting: WARN, BUG, die, printk, stack dumping */
	"__warn", "warn_slowpath", "warn_alloc", "report_bug", "handle_bug", "__report_bug",
	"dump_stack", "__dump_stack", "show_stack", "show_trace", "show_registers", "show_regs",
	"dump_backtrace", "unwind_backtrace", "dump_header", "printk", "vprintk", "_printk",
	"__printk", "early_printk", "panic", "vpanic", "nmi_panic", "die", "__die", "oops_",
	"bust_spinlocks", "__schedule_bug", "print_", "__print", "dump_page", "bad_page",
	"__schedule", "schedule", "preempt_schedule",	/* where "scheduling while atomic" is caught */
	/* traps and faults */
	"exc_", "asm_exc_", "do_error_trap", "do_trap", "do_invalid_op", "do_divide_error",
	"do_general_protection", "do_int3", "do_debug", "error_code", "invalid_op",
	"divide_error", "general_protection", "page_fault", "do_page_fault", "__do_page_fault",
	"do_user_addr_fault", "do_kern_addr_fault", "kernelmode_fixup_or_oops", "page_fault_oops",
	"no_context", "__bad_area", "bad_area", "fixup_exception", "notify_die",
	"atomic_notifier_call_chain", "__atomic_notifier_call_chain", "notifier_call_chain",
	"do_nmi", "default_do_nmi", "nmi_handle", "end_repeat_nmi", "machine_check",
	"do_machine_check", "program_check", "do_undefinstr", "do_translation_fault", "do_mem_abort",
	"__do_kernel_fault", "el1_", "el0_", "bug_handler", "do_bug",
	/* might_sleep and lock plumbing */
	"__might_sleep", "___might_sleep", "__might_resched", "__might_fault", "might_fault",
	"lock_acquire", "__lock_acquire", "lock_release", "__lock_release", "lock_acquired",
	"lock_contended", "_raw_spin", "__raw_spin", "_raw_read", "__raw_read", "_raw_write",
	"__raw_write", "do_raw_spin", "do_raw_read", "do_raw_write", "_spin_", "__spin_lock",
	"spin_lock", "spin_unlock", "mutex_lock", "__mutex_lock", "mutex_unlock",
	"__mutex_unlock", "mutex_trylock", "down_read", "down_write", "up_read", "up_write",
	"rwsem_", "__rwsem", "lockdep_", "mark_lock", "mark_held_locks", "trace_hardirqs",
	"check_prev_add", "check_prevs_add", "validate_chain", "check_deadlock",
	"debug_check_no_locks", "lock_is_held", "rcu_lockdep_current_cpu_online",
	"debug_lockdep_rcu_enabled", "lockdep_rcu_suspicious",
	/* allocators */
	"kmalloc", "__kmalloc", "kmem_cache_alloc", "kmem_cache_free", "kmem_cache_zalloc",
	"kfree", "__kfree", "kzalloc", "kcalloc", "krealloc", "kvmalloc", "kvzalloc", "kvfree",
	"__slab", "___slab", "slab_", "__alloc_pages", "alloc_pages", "__get_free_pages",
	"get_zeroed_page", "vmalloc", "__vmalloc", "vzalloc", "kmalloc_order", "new_slab",
	"allocate_slab", "__free_pages", "free_pages", "__alloc_frozen_pages",
	"alloc_frozen_pages", "vma_alloc_folio", "folio_alloc", "__folio_alloc", "alloc_pages_mpol",
	/* mem and str helpers, user copies */
	"memcpy", "__memcpy", "memset", "__memset", "memmove", "__memmove", "memcmp", "__memcmp",
	"memchr", "strcpy", "strncpy", "strlcpy", "strscpy", "strcat", "strncat", "strlcat",
	"strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strchr", "strrchr", "strstr",
	"strsep", "copy_user", "_copy_to_user", "_copy_from_user", "__copy_to_user",
	"__copy_from_user", "copy_to_user", "copy_from_user", "rep_movs", "__memcpy_",
	/* sanitizers, debug lists, refcounts, fault injection */
	"kasan_", "__kasan_", "check_memory_region", "kmsan_", "__msan_", "ubsan_", "__ubsan_",
	"kcsan_", "__tsan_", "kfence_", "__kfence_", "__asan_", "__list_add", "__list_del",
	"list_del", "list_add", "__list_", "refcount_", "__refcount", "should_fail",
	"fault_inject", "__stack_chk_fail",
	/* OOM and watchdog plumbing */
	"oom_kill_process", "out_of_memory", "check_panic_on_oom", "watchdog_overflow",
	"__perf_event_overflow", "perf_event_overflow", "intel_pmu_handle_irq",
	"perf_event_nmi_handler", "watchdog_timer_fn", "softlockup_tick", "rcu_dump_cpu_stacks",
	"check_cpu_stall", "rcu_sched_clock_irq", "rcu_pending", "rcu_check_callbacks",
	"update_process_times", "tick_sched", "tick_do_broadcast", "tick_handle",
	"tick_periodic", "hrtimer_interrupt", "__hrtimer_run_queues", "__run_hrtimer",
	"timer_interrupt", "handle_IRQ_event", "handle_edge_irq", "handle_irq", "do_IRQ",
	"common_interrupt", "ret_from_intr", "apic_timer_interrupt", "smp_apic_timer_interrupt",
	"local_apic_timer_interrupt", "sysvec_", "asm_sysvec_", "__sysvec", "irq_exit",
	"__irq_exit", "nmi_cpu_backtrace", "nmi_trigger_cpumask_backtrace",
	"arch_trigger_cpumask_backtrace", "trigger_", "sched_show_task", "show_state",
	/* entry points: everything starts there */
	"entry_SYSCALL", "entry_", "do_syscall", "system_call", "syscall_", "sysenter_",
	"ret_from_fork", "ret_fast_syscall", "ret_from_syscall", "kernel_thread_helper",
	"x64_sys_call", "do_fast_syscall", "int_check_syscall_exit_work", "sysc_", "retint_",
	"ia32_sysenter", "cpu_startup_entry", "start_secondary",
	NULL,
};

/* Additionally skipped for hangs: the waiting, not the culprit. */
static const char *const waiting[] = {
	"schedule", "__schedule", "io_schedule", "preempt_schedule", "_cond_resched",
	"__cond_resched", "wait_for_", "__wait_for", "wait_on_", "__wait_on", "out_of_line_wait",
	"bit_wait", "__wait_", "wait_", "do_wait_for_common", "__flush_work", "flush_work",
	"rt_mutex", "__rt_mutex", "mutex_", "__mutex", "down", "__down", "prepare_to_wait",
	"finish_wait", "freezable_schedule", "do_nanosleep", "hrtimer_nanosleep", "futex_wait",
	"folio_wait", "__folio_lock", "__lock_page", "usleep_range", "msleep", "synchronize_",
	"__synchronize_", "rcu_barrier", "kthread", "worker_thread", "process_one_work",
	"smpboot_thread_fn", "rescuer_thread", "__percpu_down",
	NULL,
};

static const char *const syscall_prefixes[] = {
	"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_", "__s390_sys_",
	"__riscv_sys_", "__x64_compat_sys_", "__ia32_compat_sys_", "__x32_compat_sys_",
	"__se_compat_sys_", "__do_compat_sys_", "compat_sys_", "__se_sys_", "__do_sys_", "SyS_",
	"ksys_", "sys_", NULL,
};

size_t nx_base_name(const char *func, const char **start)
{
	const char *p = func;
	size_t n;

	while (*p == '.')
		p++;
	n = strcspn(p, ".");
	for (int i = 0; syscall_prefixes[i]; i++) {
		size_t k = strlen(syscall_prefixes[i]);

		if (n > k && strncmp(p, syscall_prefixes[i], k) == 0) {
			p += k;
			n -= k;
			break;
		}
	}
	*start = p;
	return n;
}

static bool in_list(const char *const *list, const char *name, size_t len)
{
	for (int i = 0; list[i]; i++) {
		size_t k = strlen(list[i]);

		if (len >= k && memcmp(name, list[i], k) == 0)
			return true;
	}
	return false;
}

bool nx_is_infrastructure(const char *name, size_t len, const char *type)
{
	if (in_list(infrastructure, name, len))
		return true;
	return type && strcmp(type, "hang") == 0 && in_list(waiting, name, len);
}

static bool skip(const char *func, const char *type)
{
	const char *b;
	size_t n;

	if (!func)
		return true;
	n = nx_base_name(func, &b);
	return n == 0 || nx_is_infrastructure(b, n, type);
}

/* The RIP/PC names the culprit for faults, traps, BUG(), WARN() and soft lockups;
 * a "BUG: sleeping function called ..." or a hang has no register dump of its own. */
static bool rip_counts(const struct nx_report *r)
{
	static const char *const types[] = {
		"null-deref", "paging", "gpf", "divide", "invalid-opcode", "other", "lockup",
		"rcu-stall", "warning", NULL,
	};

	if (strcmp(r->type, "bug") == 0)
		return strcmp(r->class, "kernel BUG") == 0;
	for (int i = 0; types[i]; i++)
		if (strcmp(r->type, types[i]) == 0)
			return true;
	return false;
}

long nx_guilty_frame(const struct nx_report *r, const char *header_func, bool *use_rip)
{
	*use_rip = false;
	if (header_func && !skip(header_func, r->type))
		return -2;	/* the header's own function */
	if (r->rip_func && rip_counts(r) && !skip(r->rip_func, r->type)) {
		*use_rip = true;
		return -1;
	}
	for (size_t i = 0; i < r->n_frames; i++)
		if (r->frames[i].reliable && !skip(r->frames[i].func, r->type))
			return (long)i;
	return -3;	/* nothing qualifies */
}

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

/* "kernel panic: Attempted to kill init!" (the exit code differs between occurrences) */
static char *panic_title(const char *msg, bool *oom)
{
	size_t n = strlen(msg);
	const char *ec = strstr(msg, " exitcode=");

	if (ec)
		n = (size_t)(ec - msg);
	while (n && (msg[n - 1] == ' ' || msg[n - 1] == '\n'))
		n--;
	return format(oom, "kernel panic: %s%.*s", "", (int)n, msg);
}

char *nx_title(const struct nx_report *r, const struct nx_extra *x, bool *oom)
{
	bool use_rip;
	long g;
	const char *fn = NULL, *b;
	size_t n;

	if (strcmp(r->type, "oom") == 0 && strcmp(r->class, "out of memory") == 0) {
		if (x->victim)
			return format(oom, x->memcg ? "OOM kill of %s%.*s (memory cgroup)" :
				      "OOM kill of %s%.*s", "", (int)strlen(x->victim), x->victim);
		if (x->invoker)
			return format(oom, "out of memory: %s%.*s", "", (int)strlen(x->invoker),
				      x->invoker);
		return format(oom, "out of memory%s%.*s", "", 0, "");
	}
	if (strcmp(r->class, "kernel panic") == 0)
		return panic_title(r->panic_msg ? r->panic_msg : "", oom);
	if (strcmp(r->type, "mce") == 0)
		return format(oom, "%s%.*s", r->class, 0, "");
	g = nx_guilty_frame(r, x->header_func, &use_rip);
	if (g == -2)
		fn = x->header_func;
	else if (g == -1)
		fn = r->rip_func;
	else if (g >= 0)
		fn = r->frames[g].func;
	if (!fn)
		return format(oom, "%s%.*s", r->class, 0, "");
	n = nx_base_name(fn, &b);
	return format(oom, "%s in %.*s", r->class, (int)n, b);
}

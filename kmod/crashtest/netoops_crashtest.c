// SPDX-License-Identifier: GPL-2.0
/* netoops_crashtest.ko: crashes the kernel on purpose, in the way mode= asks, to test netoops. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>

static char *mode = "divide";
module_param(mode, charp, 0400);
MODULE_PARM_DESC(mode, "divide (the seed's test), null, bug, panic, warn, timer, nested, rqlock, slow");

static unsigned int slow_ms = 150;
module_param(slow_ms, uint, 0400);
MODULE_PARM_DESC(slow_ms, "slow: delay per datagram of netoops' dump, in ms");

/*
 * Read through READ_ONCE(): with a constant divisor gcc emits ud2 (the oops
 * then reads "invalid opcode", as the seed's 1/0 does today), and with a
 * constant dividend of 1 it computes 1/x without dividing.
 */
static int one = 1;
static int zero;
static int *null_ptr;

static noinline int crash_null(void)
{
	return READ_ONCE(*READ_ONCE(null_ptr));
}

static struct timer_list crash_timer;

/* Runs in softirq context: an oops here is "Fatal exception in interrupt". */
static void crash_timer_fn(struct timer_list *t)
{
	pr_emerg("oops in a timer callback\n");
	crash_null();
}

/*
 * nested: a fault inside netoops' own dump. A kprobe on netoops_tx_send()
 * dereferences NULL on the fourth datagram of the dump of a first oops;
 * netoops must neither recurse nor hang.
 */
static unsigned int nested_calls;

static int nested_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (++nested_calls == 4)
		crash_null();
	return 0;
}

/* nested and slow: a kprobe inside netoops' dump, on every datagram. */
static struct kprobe dump_probe = {
	.symbol_name = "netoops_tx_send",
};

/* Arms @p for mode @what; the error says why it could not be. */
static int crash_probe(struct kprobe *p, const char *what)
{
	int err = register_kprobe(p);

	if (err)
		pr_err("%s: cannot probe %s (%d)%s\n", what, p->symbol_name, err,
		       p == &dump_probe ? "; load netoops.ko first" : "");
	return err;
}

/* Arms dump_probe with @pre, then oopses: the oops dump runs into @pre. */
static int crash_in_dump(kprobe_pre_handler_t pre, const char *what)
{
	int err;

	dump_probe.pre_handler = pre;
	err = crash_probe(&dump_probe, what);
	return err ? err : crash_null();
}

/*
 * slow: an oops whose dump crawls, as over a slow or congested path. A
 * kprobe on netoops_tx_send() waits slow_ms before every datagram; with
 * preemption off for the whole oops dump, a dump longer than the RCU stall
 * timeout must still not be reported as an RCU stall or a lockup.
 */
static int slow_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 until = ktime_get_mono_fast_ns() + (u64)slow_ms * NSEC_PER_MSEC;

	pr_emerg_once("slow: %u ms before every datagram\n", slow_ms);
	/* by the clock, not mdelay(): under QEMU's TCG the delay loop runs fast or slow */
	while (ktime_get_mono_fast_ns() < until)
		cpu_relax();
	return 0;
}

/*
 * rqlock: an oops with this CPU's runqueue lock held, in process context. A
 * kprobe on dequeue_task_fair() (called through the scheduling class, so
 * never inlined, with the runqueue locked) faults when this module's own
 * task goes to sleep. A dump that wakes ksoftirqd from here deadlocks.
 */
static struct task_struct *rqlock_task;

static int rqlock_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (current == READ_ONCE(rqlock_task) && in_task())
		crash_null();
	return 0;
}

static struct kprobe rqlock_probe = {
	.symbol_name = "dequeue_task_fair",
	.pre_handler = rqlock_pre,
};

static int crash_rqlock(void)
{
	int err = crash_probe(&rqlock_probe, "rqlock");

	if (err)
		return err;
	WRITE_ONCE(rqlock_task, current);
	msleep(100);	/* dequeued: the probe fires */
	WRITE_ONCE(rqlock_task, NULL);
	unregister_kprobe(&rqlock_probe);
	pr_err("rqlock: the probe did not fire\n");
	return -EAGAIN;
}

/* Returns only if the kernel survived (WARN() without panic_on_warn). */
static __always_inline int crash(void)
{
	if (!strcmp(mode, "divide")) {
		/* in the init function's call chain, as the seed's test */
		pr_info("init_module() called %d\n", READ_ONCE(one) / READ_ONCE(zero));
	} else if (!strcmp(mode, "null")) {
		pr_info("read %d\n", crash_null());
	} else if (!strcmp(mode, "bug")) {
		BUG();
	} else if (!strcmp(mode, "panic")) {
		panic("netoops_crashtest: panic() on request");
	} else if (!strcmp(mode, "nested")) {
		pr_info("read %d\n", crash_in_dump(nested_pre, "nested"));
	} else if (!strcmp(mode, "slow")) {
		pr_info("read %d\n", crash_in_dump(slow_pre, "slow"));
	} else if (!strcmp(mode, "rqlock")) {
		return crash_rqlock();
	} else if (!strcmp(mode, "warn")) {
		WARN(1, "netoops_crashtest: WARN() on request\n");
	} else {
		pr_err("unknown mode '%s'\n", mode);
		return -EINVAL;
	}
	return -EAGAIN;
}

static int __init netoops_crashtest_init(void)
{
	pr_emerg("crashing the kernel, mode=%s\n", mode);
	if (strcmp(mode, "timer"))
		return crash();	/* still alive: do not stay loaded */
	timer_setup(&crash_timer, crash_timer_fn, 0);
	mod_timer(&crash_timer, jiffies + 1);
	return 0;
}

static void __exit netoops_crashtest_exit(void)
{
	timer_delete_sync(&crash_timer);
}

module_init(netoops_crashtest_init);
module_exit(netoops_crashtest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Crash the kernel on purpose to test netoops");


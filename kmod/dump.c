// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the dumps: kmsg dumper (the crash path), test dumps and OOM dumps. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kmsg_dump.h>
#include <linux/math64.h>
#include <linux/nmi.h>
#include <linux/oom.h>
#include <linux/rculist.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include "compat.h"
#include "netoops.h"

/* Give up on a target for the rest of a dump after this many failures in a row. */
#define DUMP_MAX_FAILS		16
/* Upper bound on the time one dump may take. */
#define DUMP_BUDGET_NS		(60ULL * NSEC_PER_SEC)
/* How long a crash waits for a dump running on another CPU to finish. */
#define DUMP_GUARD_WAIT_MS	1000
/* The OOM notifier runs before the OOM report is printed: wait for it. */
#define DUMP_OOM_DELAY_MS	1500

/*
 * The dump guard: the CPU that is dumping, DUMP_FREE, or DUMP_TASK for a
 * dump in process context. An atomic, not a lock: the crash path may only
 * try it, a CPU that faults inside its own dump must see that it already
 * owns it (no recursion), and panic() must be able to take it over from a
 * CPU it has stopped. It protects everything below it.
 */
#define DUMP_FREE	-1
#define DUMP_TASK	INT_MAX
static atomic_t dump_owner = ATOMIC_INIT(DUMP_FREE);
/*
 * When the guard was taken. A guard older than any dump can last was left
 * by a dump that faulted and never returned: it may be taken over, so one
 * fault does not silence netoops for the rest of the boot.
 */
static u64 dump_owner_since;
#define DUMP_STALE_NS		(DUMP_BUDGET_NS + 10ULL * NSEC_PER_SEC)

/* Set by a crash that finds a process-context dump in its way: that dump stops. */
static bool dump_abort;

static char *dump_buf;			/* preallocated; dump_bytes long */
static unsigned int dump_buf_size;
static struct netoops_frame dump_frame;
static char dump_hdr[NETOOPS_MAX_HEADER + 1];

static atomic_t dump_seq = ATOMIC_INIT(0);

/*
 * Takes the guard for @me if it is free, or if @stale_ok and it is stale.
 * @stale_ok only after a wait: the taker writes dump_owner_since right
 * after its cmpxchg, so the time read one wait later is its own.
 */
static bool dump_guard_try(int me, bool stale_ok)
{
	int owner = atomic_cmpxchg(&dump_owner, DUMP_FREE, me);

	if (owner != DUMP_FREE) {
		if (!stale_ok || ktime_get_mono_fast_ns() -
		    READ_ONCE(dump_owner_since) < DUMP_STALE_NS ||
		    atomic_cmpxchg(&dump_owner, owner, me) != owner)
			return false;
	}
	WRITE_ONCE(dump_owner_since, ktime_get_mono_fast_ns());
	WRITE_ONCE(dump_abort, false);
	return true;
}

static bool dump_guard_enter(enum netoops_reason reason)
{
	int cpu = raw_smp_processor_id();
	unsigned int waited;

	for (waited = 0; waited <= DUMP_GUARD_WAIT_MS; waited++) {
		if (dump_guard_try(cpu, waited ||
				   atomic_read(&dump_owner) == cpu))
			return true;
		if (atomic_read(&dump_owner) == cpu)
			return false;	/* a fault inside our own dump */
		if (atomic_read(&dump_owner) == DUMP_TASK)
			WRITE_ONCE(dump_abort, true);	/* a crash comes first */
		if (reason == NETOOPS_PANIC) {
			/* panic() has stopped the other CPUs: the owner too */
			atomic_set(&dump_owner, cpu);
			WRITE_ONCE(dump_owner_since, ktime_get_mono_fast_ns());
			WRITE_ONCE(dump_abort, false);
			return true;
		}
		mdelay(1);
	}
	return false;
}

/* The guard for process context: a dump elsewhere finishes in bounded time. */
static bool dump_guard_enter_task(void)
{
	unsigned int waited;

	for (waited = 0; waited < DUMP_GUARD_WAIT_MS; waited += 20) {
		if (dump_guard_try(DUMP_TASK, waited))
			return true;
		msleep(20);
	}
	return false;
}

static void dump_guard_exit(void)
{
	atomic_set(&dump_owner, DUMP_FREE);
}

/* Copies @src, replacing every byte that @ok rejects by '_'. */
static void dump_sanitize(char *dst, const char *src, size_t size,
			  bool (*ok)(char c))
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = ok(src[i]) ? src[i] : '_';
	if (!i)
		dst[i++] = '_';
	dst[i] = '\0';
}

static bool host_char_ok(char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static bool release_char_ok(char c)
{
	return c > ' ' && c < 0x7f;
}

/*
 * init_utsname(), not utsname(): the crashing task may be half torn down
 * (no nsproxy) and a container's host name is not the machine's.
 * ktime_get_real_fast_ns() never waits on the timekeeping seqlock.
 */
static void dump_identity(struct netoops_frame *f, enum netoops_reason reason)
{
	dump_sanitize(f->host, init_utsname()->nodename, sizeof(f->host),
		      host_char_ok);
	dump_sanitize(f->release, init_utsname()->release, sizeof(f->release),
		      release_char_ok);
	*bin2hex(f->boot, netoops_settings.boot_id,
		 sizeof(netoops_settings.boot_id)) = '\0';
	f->seq = atomic_inc_return(&dump_seq);
	if (!f->seq)		/* 0 is not a dump number; 2^32 dumps later */
		f->seq = atomic_inc_return(&dump_seq);
	f->reason = netoops_reason_name(reason);
	f->time_ns = ktime_get_real_fast_ns();
	f->copies = clamp_val(READ_ONCE(netoops_settings.copies), 1,
			      NETOOPS_MAX_COPIES);
}

/*
 * Readers of netoops_active: the crash path under rcu_read_lock(), process
 * context dumps under netoops_config_mutex (targets are only torn down
 * under it).
 */
#define for_each_active(nt) \
	list_for_each_entry_rcu(nt, &netoops_active, active, \
				lockdep_is_held(&netoops_config_mutex))

/*
 * One try again when the frame was not handed over at all (-EAGAIN means
 * netpoll deferred it: it may still leave). In process context, first let
 * the softirqs and netpoll's work run on this CPU.
 */
static int dump_send_one(struct netoops_target *nt, const char *hdr,
			 unsigned int hlen, const char *text,
			 unsigned int tlen, bool may_sleep)
{
	int err = netoops_tx_send(nt, hdr, hlen, text, tlen);

	if (!err || err == -EAGAIN)
		return err;
	if (may_sleep)
		cond_resched();
	return netoops_tx_send(nt, hdr, hlen, text, tlen);
}

/* One datagram to every target, so each gets the newest text first. */
static unsigned int dump_send(const char *hdr, unsigned int hlen,
			      const char *text, unsigned int tlen,
			      bool may_sleep)
{
	struct netoops_target *nt;
	unsigned int sent = 0;

	for_each_active(nt) {
		if (nt->fails >= DUMP_MAX_FAILS || READ_ONCE(nt->dev_gone))
			continue;
		if (dump_send_one(nt, hdr, hlen, text, tlen, may_sleep)) {
			nt->fails++;
			atomic_long_inc(&nt->transmit_errors);
		} else {
			nt->fails = 0;
			atomic_long_inc(&nt->datagrams_sent);
			sent++;
		}
	}
	return sent;
}

/* One pass over all parts, newest first. */
static unsigned int dump_pass(const struct netoops_frame *f, unsigned int copy,
			      u64 deadline, bool may_sleep)
{
	unsigned int end = f->total, start, part, hlen, sent = 0;

	for (part = 0; part < f->parts; part++) {
		start = netoops_frame_prev(f, end);
		hlen = netoops_frame_header(f, dump_hdr, sizeof(dump_hdr),
					    part, start, copy);
		sent += dump_send(dump_hdr, hlen, f->text + start, end - start,
				  may_sleep);
		end = start;
		touch_softlockup_watchdog();
		touch_nmi_watchdog();
		if (may_sleep)
			cond_resched();
		if (ktime_get_mono_fast_ns() > deadline || READ_ONCE(dump_abort))
			break;
	}
	return sent;
}

/* Sends one dump; the caller holds the guard. Returns datagrams sent. */
static unsigned int dump_run(enum netoops_reason reason, bool may_sleep)
{
	u64 deadline = ktime_get_mono_fast_ns() + DUMP_BUDGET_NS;
	struct netoops_frame *f = &dump_frame;
	struct netoops_target *nt;
	struct kmsg_dump_iter iter;
	unsigned int copy, sent = 0;
	size_t len = 0;

	kmsg_dump_rewind(&iter);
	kmsg_dump_get_buffer(&iter, false, dump_buf, dump_buf_size, &len);
	dump_identity(f, reason);
	netoops_frame_init(f, dump_buf, len);

	for_each_active(nt)
		nt->fails = 0;
	for (copy = 1; copy <= f->copies; copy++) {
		sent += dump_pass(f, copy, deadline, may_sleep);
		if (ktime_get_mono_fast_ns() > deadline || READ_ONCE(dump_abort))
			break;
	}
	for_each_active(nt) {
		if (nt->fails >= DUMP_MAX_FAILS || READ_ONCE(nt->dev_gone))
			continue;
		netoops_tx_flush(nt);
		atomic_long_inc(&nt->dumps_sent);
	}
	return sent;
}

static bool dump_reason_of(enum kmsg_dump_reason kreason,
			   enum netoops_reason *reason)
{
	switch (kreason) {
	case KMSG_DUMP_OOPS:
		*reason = NETOOPS_OOPS;
		return true;
	case KMSG_DUMP_PANIC:
		*reason = NETOOPS_PANIC;
		return true;
	case KMSG_DUMP_EMERG:
		*reason = NETOOPS_EMERG;
		return true;
	default:
		return false;
	}
}

/*
 * The crash path. No allocation, no sleeping, no lock that the crashed
 * context could hold: the targets are read under RCU, the buffers and skbs
 * were allocated beforehand, and the guard is only tried.
 */
void netoops_kmsg_dump(struct kmsg_dumper *dumper,
		       enum kmsg_dump_reason kreason)
{
	enum netoops_reason reason;

	if (!dump_reason_of(kreason, &reason) ||
	    !(READ_ONCE(netoops_settings.reasons) & BIT(reason)))
		return;
	if (list_empty_careful(&netoops_active) || !dump_guard_enter(reason))
		return;
	rcu_read_lock();
	dump_run(reason, false);
	rcu_read_unlock();
	dump_guard_exit();
}

static struct kmsg_dumper dump_dumper = {
	.dump = netoops_compat_dump,
	/* oops, panic, emerg; netoops_reasons filters */
	.max_reason = KMSG_DUMP_EMERG,
};

/* A dump from process context (test, OOM): it may sleep between datagrams. */
static int dump_process(enum netoops_reason reason)
{
	unsigned int sent;
	u64 start;
	int err = 0;

	mutex_lock(&netoops_config_mutex);
	if (list_empty(&netoops_active)) {
		pr_err("%s dump: no enabled target\n",
		       netoops_reason_name(reason));
		err = -ENOTCONN;
	} else if (!dump_guard_enter_task()) {
		pr_err("%s dump: another dump is in progress\n",
		       netoops_reason_name(reason));
		err = -EBUSY;
	} else {
		start = ktime_get_mono_fast_ns();
		sent = dump_run(reason, true);
		pr_info("%s dump %u: %u datagrams, %u bytes of log, %llu us\n",
			netoops_reason_name(reason), dump_frame.seq, sent,
			dump_frame.total,
			div_u64(ktime_get_mono_fast_ns() - start, NSEC_PER_USEC));
		dump_guard_exit();
		if (!sent) {
			pr_err("%s dump: no datagram could be sent, see transmit_errors\n",
			       netoops_reason_name(reason));
			err = -EIO;
		}
	}
	mutex_unlock(&netoops_config_mutex);
	return err;
}

int netoops_dump_test(void)
{
	return dump_process(NETOOPS_TEST);
}

/* Replaces the dump buffer; the old one is freed once no dump uses it. */
int netoops_dump_resize(unsigned int bytes)
{
	char *buf = vmalloc(bytes), *old;

	if (!buf)
		return -ENOMEM;
	if (!dump_guard_enter_task()) {
		vfree(buf);
		return -EBUSY;
	}
	old = dump_buf;
	dump_buf = buf;
	dump_buf_size = bytes;
	dump_guard_exit();
	vfree(old);
	return 0;
}

/*
 * OOM: upstream has no OOM dump reason. The OOM notifier chain runs in
 * out_of_memory() before the victim is chosen and the report printed, so
 * the dump is taken a moment later from a work item, on a WQ_MEM_RECLAIM
 * workqueue so that it runs under memory pressure.
 */
static struct workqueue_struct *dump_wq;
static unsigned long oom_last;		/* jiffies; under the kernel's oom_lock */
static bool oom_seen;

static void dump_oom_work(struct work_struct *work)
{
	dump_process(NETOOPS_OOM);
}

static DECLARE_DELAYED_WORK(oom_work, dump_oom_work);

static int dump_oom_notify(struct notifier_block *nb, unsigned long action,
			   void *freed)
{
	unsigned long interval = READ_ONCE(netoops_settings.oom_interval) * HZ;

	if (!READ_ONCE(netoops_settings.record_oom))
		return NOTIFY_DONE;
	if (oom_seen && time_before(jiffies, oom_last + interval))
		return NOTIFY_DONE;
	oom_seen = true;
	oom_last = jiffies;
	queue_delayed_work(dump_wq, &oom_work,
			   msecs_to_jiffies(DUMP_OOM_DELAY_MS));
	return NOTIFY_DONE;
}

static struct notifier_block dump_oom_nb = {
	.notifier_call = dump_oom_notify,
};

/*
 * Shutdown: kmsg_dump(KMSG_DUMP_SHUTDOWN) comes after device_shutdown(),
 * when the network card is already stopped. The reboot notifiers run
 * before it, in process context.
 */
static int dump_reboot_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	if (READ_ONCE(netoops_settings.reasons) & BIT(NETOOPS_SHUTDOWN))
		dump_process(NETOOPS_SHUTDOWN);
	return NOTIFY_DONE;
}

static struct notifier_block dump_reboot_nb = {
	.notifier_call = dump_reboot_notify,
};

int netoops_dump_init(void)
{
	int err;

	err = netoops_dump_resize(netoops_settings.dump_bytes);
	if (err)
		return err;
	dump_wq = alloc_workqueue("netoops", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!dump_wq) {
		err = -ENOMEM;
		goto free_buf;
	}
	err = register_oom_notifier(&dump_oom_nb);
	if (err)
		goto destroy_wq;
	err = register_reboot_notifier(&dump_reboot_nb);
	if (err)
		goto unregister_oom;
	err = kmsg_dump_register(&dump_dumper);
	if (err)
		goto unregister_reboot;
	return 0;

unregister_reboot:
	unregister_reboot_notifier(&dump_reboot_nb);
unregister_oom:
	unregister_oom_notifier(&dump_oom_nb);
destroy_wq:
	destroy_workqueue(dump_wq);
free_buf:
	vfree(dump_buf);
	dump_buf = NULL;
	return err;
}

void netoops_dump_exit(void)
{
	kmsg_dump_unregister(&dump_dumper);
	unregister_reboot_notifier(&dump_reboot_nb);
	unregister_oom_notifier(&dump_oom_nb);
	cancel_delayed_work_sync(&oom_work);
	destroy_workqueue(dump_wq);
	vfree(dump_buf);
	dump_buf = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the dumps: kmsg dumper (the crash path), test dumps and OOM dumps. */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kmsg_dump.h>
#include <linux/math64.h>
#include <linux/nmi.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <trace/events/oom.h>
#include "compat.h"
#include "netoops.h"

/* Give up on a target for the rest of a dump after this many failures in a row. */
#define DUMP_MAX_FAILS		16
/* Upper bound on the time one dump may take. */
#define DUMP_BUDGET_NS		(60ULL * NSEC_PER_SEC)
/* How long a crash waits for a dump running on another CPU to finish. */
#define DUMP_GUARD_WAIT_MS	1000
/* The victim is marked just before "Killed process" is logged: wait for it. */
#define DUMP_OOM_DELAY_MS	250

/*
 * The dump guard: DUMP_FREE, the CPU whose crash path is dumping, or the
 * CPU of a dump in process context with DUMP_TASK added (it runs with
 * migration disabled, so the CPU stays right). An atomic, not a lock: the
 * crash path may only try it, and a crash must be able to take it over from
 * an owner that will never give it back: a CPU that is offline (panic()
 * stopped it), or a process-context dump that this very crash interrupted
 * on this CPU. An owner that is online and dumping is waited for (1 s), never
 * taken from: two CPUs would share one set of skbs. It protects everything
 * below it, and the targets' skbs and spare queues.
 */
#define DUMP_FREE	-1
#define DUMP_TASK	0x100000
static atomic_t dump_owner = ATOMIC_INIT(DUMP_FREE);
/* Bumped whenever the guard changes hands: a dump that lost it stops. */
static atomic_t dump_gen = ATOMIC_INIT(0);
/*
 * Set while this CPU's crash path is inside a dump (preemption is off for
 * all of it): a fault inside the dump finds it and returns, no recursion.
 */
static DEFINE_PER_CPU(bool, dump_running);
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
static char dump_hdr[NETOOPS_MAX_DATAGRAM + 1];	/* header line, extensions included */
/* The dump's copy of the host key (auth.c), wiped after it; and the datagram encrypted. */
static struct netoops_auth_keys dump_keys;
static bool dump_sealed;
static u8 dump_ct[NETOOPS_MAX_DATAGRAM];

static atomic_t dump_seq = ATOMIC_INIT(0);

static bool dump_guard_stale(void)
{
	return ktime_get_mono_fast_ns() - READ_ONCE(dump_owner_since) >=
	       DUMP_STALE_NS;
}

/* Takes the guard for @me from @owner (DUMP_FREE, or an owner given up on). */
static bool dump_guard_take(int owner, int me)
{
	if (atomic_cmpxchg(&dump_owner, owner, me) != owner)
		return false;
	WRITE_ONCE(dump_owner_since, ktime_get_mono_fast_ns());
	WRITE_ONCE(dump_abort, false);
	atomic_inc(&dump_gen);
	return true;
}

/* May a crash on CPU @me take the guard from @owner? */
static bool dump_guard_orphaned(int owner, int me, bool stale_ok)
{
	int cpu = owner & ~DUMP_TASK;

	if (owner == (me | DUMP_TASK))
		return true;	/* the dump this crash interrupted */
	if (cpu >= 0 && cpu < nr_cpu_ids && !cpu_online(cpu))
		return true;	/* stopped by panic() */
	return stale_ok && dump_guard_stale();
}

/*
 * The crash path's guard; preemption is off, @me is this CPU. A fault inside
 * this CPU's own dump returns at once (no recursion), unless it ends in a
 * panic: the interrupted dump never resumes then, and the panic is sent.
 */
static bool dump_guard_enter(int me, enum netoops_reason reason)
{
	unsigned int waited;
	int owner;

	if (this_cpu_read(dump_running)) {
		if (reason != NETOOPS_PANIC && !dump_guard_stale())
			return false;	/* a fault inside our own dump */
		this_cpu_write(dump_running, false);
		if (atomic_read(&dump_owner) == me &&
		    dump_guard_take(me, me))
			return true;
	}
	for (waited = 0; waited <= DUMP_GUARD_WAIT_MS; waited++) {
		owner = atomic_read(&dump_owner);
		if (owner == DUMP_FREE && dump_guard_take(DUMP_FREE, me))
			return true;
		if (owner != DUMP_FREE && (owner & DUMP_TASK))
			WRITE_ONCE(dump_abort, true);	/* a crash comes first */
		/* stale only after a wait: the taker sets the time right after */
		if (owner != DUMP_FREE &&
		    dump_guard_orphaned(owner, me, waited > 0) &&
		    dump_guard_take(owner, me))
			return true;
		mdelay(1);
	}
	return false;
}

/* The guard for process context: a dump elsewhere finishes in bounded time. */
static bool dump_guard_enter_task(int me)
{
	unsigned int waited;
	int owner;

	for (waited = 0; waited < DUMP_GUARD_WAIT_MS; waited += 20) {
		owner = atomic_read(&dump_owner);
		if (owner == DUMP_FREE && dump_guard_take(DUMP_FREE, me))
			return true;
		if (owner != DUMP_FREE && waited && dump_guard_stale() &&
		    dump_guard_take(owner, me))
			return true;
		msleep(20);
	}
	return false;
}

/* Gives the guard back, unless a crash took it over meanwhile. */
static void dump_guard_exit(int me)
{
	atomic_cmpxchg(&dump_owner, me, DUMP_FREE);
}

/* A target's device is going away: a process-context dump stops at once. */
void netoops_dump_stop_task(void)
{
	int owner = atomic_read(&dump_owner);

	if (owner != DUMP_FREE && (owner & DUMP_TASK))
		WRITE_ONCE(dump_abort, true);
}

/* The identity fields of a new dump (the sender's fields: frame.c). */
static void dump_identity(struct netoops_frame *f, enum netoops_reason reason)
{
	netoops_frame_identify(f);
	f->seq = atomic_inc_return(&dump_seq);
	if (!f->seq)		/* 0 is not a dump number; 2^32 dumps later */
		f->seq = atomic_inc_return(&dump_seq);
	f->reason = netoops_reason_name(reason);
	f->copies = clamp_val(READ_ONCE(netoops_settings.copies), 1,
			      NETOOPS_MAX_COPIES);
}

/*
 * Readers of netoops_active: the crash path under rcu_read_lock(), process
 * context dumps under netoops_srcu (they sleep between datagrams); a target
 * is torn down only after both grace periods.
 */
#define for_each_active(nt) \
	list_for_each_entry_rcu(nt, &netoops_active, active, \
				srcu_read_lock_held(&netoops_srcu))

/*
 * The crash path reads the targets under RCU, one datagram at a time, and
 * never across dump_quiesce(); process context dumps hold netoops_srcu.
 */
static void dump_read_lock(bool may_sleep)
{
	if (!may_sleep)
		rcu_read_lock();
}

static void dump_read_unlock(bool may_sleep)
{
	if (!may_sleep)
		rcu_read_unlock();
}

/*
 * A crash-path dump runs with preemption off (and interrupts, where the
 * crash left them off) for as long as it takes. Between datagrams, holding no RCU reference of its
 * own, it reports a quiescent state, so that grace periods go on and no CPU
 * reports this one as stalled however long the dump takes. The crashed
 * context may have been inside an RCU read-side section: it never resumes
 * (the oops kills it, or a panic follows). Not from NMI (a panic: the other
 * CPUs are stopped, nobody waits for a grace period).
 *
 * Inside an (empty) read-side section of its own: the momentary quiescent
 * state then only counts this CPU's state (no locks), and never reports a
 * deferred one of this task, which takes RCU's node locks. With preemption
 * off, the rcu_read_unlock() defers that too (no lock, no wakeup).
 */
static void dump_quiesce(bool may_sleep)
{
	unsigned long flags;

	if (may_sleep || in_nmi())
		return;
	local_irq_save(flags);
	rcu_read_lock();
	netoops_rcu_momentary_qs();
	rcu_read_unlock();
	local_irq_restore(flags);
}

/*
 * An expedited grace period needs this CPU to answer an IPI, which waits
 * until interrupts are on again: RCU's stall warnings are switched off for
 * a crash-path dump and on again by an irq_work, which runs once this CPU
 * takes interrupts again (and so has answered the IPI). A panic switches
 * them off for good itself (rcu_panic()); netoops then changes nothing.
 */
static bool dump_stall_quiet;

static void dump_stall_restore(struct irq_work *work)
{
	if (READ_ONCE(dump_stall_quiet) &&
	    atomic_read(&dump_owner) == DUMP_FREE) {
		WRITE_ONCE(*netoops_rcu_stall_switch(), 0);
		WRITE_ONCE(dump_stall_quiet, false);
	}
}

static DEFINE_IRQ_WORK(dump_stall_work, dump_stall_restore);

static void dump_stall_begin(void)
{
	int *suppress = netoops_rcu_stall_switch();

	if (suppress && !READ_ONCE(*suppress)) {
		WRITE_ONCE(*suppress, 1);
		WRITE_ONCE(dump_stall_quiet, true);
	}
}

static void dump_stall_end(void)
{
	if (READ_ONCE(dump_stall_quiet))
		irq_work_queue(&dump_stall_work);
}

/* A target whose device is down or has no carrier is skipped, not retried. */
static bool dump_link_ok(const struct netoops_target *nt)
{
	return netif_running(nt->np.dev) && netif_carrier_ok(nt->np.dev);
}

/* The dump stops when its time is up or it has lost the guard. */
static bool dump_over(u64 deadline, int gen)
{
	return ktime_get_mono_fast_ns() > deadline || READ_ONCE(dump_abort) ||
	       atomic_read(&dump_gen) != gen;
}

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

	dump_read_lock(may_sleep);
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
	dump_read_unlock(may_sleep);
	return sent;
}

/*
 * After each datagram: the watchdogs, a quiescent state for RCU
 * (dump_quiesce()), a chance to reschedule, the budget.
 */
static bool dump_go_on(u64 deadline, int gen, bool may_sleep)
{
	touch_softlockup_watchdog();
	touch_nmi_watchdog();
	dump_quiesce(may_sleep);
	if (may_sleep)
		cond_resched();
	return !dump_over(deadline, gen);
}

/* One pass over all parts, newest first. */
static unsigned int dump_pass(const struct netoops_frame *f, unsigned int copy,
			      u64 deadline, int gen, bool may_sleep)
{
	unsigned int end = f->total, start, part, hlen, sent = 0;

	for (part = 0; part < f->parts; part++) {
		const char *text;

		start = netoops_frame_prev(f, end);
		text = f->text + start;
		hlen = netoops_frame_auth_header(f, dump_sealed ? &dump_keys : NULL,
						 dump_hdr, sizeof(dump_hdr),
						 part, start, copy, text,
						 end - start, dump_ct);
		if (dump_sealed && dump_keys.encrypt)
			text = (const char *)dump_ct;
		sent += dump_send(dump_hdr, hlen, text, end - start, may_sleep);
		end = start;
		if (!dump_go_on(deadline, gen, may_sleep))
			break;
	}
	return sent;
}

/* The parity datagrams after the passes (docs/protocol.md, "Parity"). */
static unsigned int dump_parity(const struct netoops_frame *f, u64 deadline,
				int gen, bool may_sleep)
{
	unsigned int plen, sent = 0;
	const char *payload;
	int hlen;

	while ((hlen = netoops_fec_next_datagram(f, dump_hdr, sizeof(dump_hdr),
						 &payload, &plen)) > 0) {
		/* sealed like the text datagrams: authentication covers every kind */
		if (dump_sealed) {
			hlen = netoops_auth_seal(&dump_keys, dump_hdr, hlen,
						 sizeof(dump_hdr), payload, plen,
						 dump_ct);
			if (dump_keys.encrypt)
				payload = (const char *)dump_ct;
		}
		hlen = netoops_frame_header_close(dump_hdr, sizeof(dump_hdr), hlen);
		sent += dump_send(dump_hdr, hlen, payload, plen, may_sleep);
		if (!dump_go_on(deadline, gen, may_sleep))
			break;
	}
	return sent;
}

/* Sends one dump; the caller holds the guard. Returns datagrams sent. */
static unsigned int dump_run(enum netoops_reason reason, bool may_sleep)
{
	u64 deadline = ktime_get_mono_fast_ns() + DUMP_BUDGET_NS;
	int gen = atomic_read(&dump_gen);
	struct netoops_frame *f = &dump_frame;
	struct netoops_target *nt;
	struct kmsg_dump_iter iter;
	unsigned int copy, sent = 0;
	size_t len = 0;
	u32 fec;

	kmsg_dump_rewind(&iter);
	kmsg_dump_get_buffer(&iter, false, dump_buf, dump_buf_size, &len);
	dump_identity(f, reason);
	dump_sealed = netoops_auth_snapshot(&dump_keys);
	f->ext_reserve = dump_sealed ? NETOOPS_AUTH_RESERVE(dump_keys.encrypt) : 0;
	fec = min_t(u32, READ_ONCE(netoops_settings.fec), NETOOPS_FEC_MAX_PCT);
	netoops_fec_prepare(f, len, fec);	/* its room counts ext_reserve */
	netoops_frame_init(f, dump_buf, len);
	netoops_fec_start(f, fec);

	dump_read_lock(may_sleep);
	for_each_active(nt)
		nt->fails = dump_link_ok(nt) ? 0 : DUMP_MAX_FAILS;
	dump_read_unlock(may_sleep);
	for (copy = 1; copy <= f->copies; copy++) {
		sent += dump_pass(f, copy, deadline, gen, may_sleep);
		if (dump_over(deadline, gen))
			break;
	}
	if (!dump_over(deadline, gen))
		sent += dump_parity(f, deadline, gen, may_sleep);
	dump_read_lock(may_sleep);
	for_each_active(nt) {
		if (nt->fails >= DUMP_MAX_FAILS || READ_ONCE(nt->dev_gone))
			continue;
		netoops_tx_flush(nt);
		atomic_long_inc(&nt->dumps_sent);
	}
	dump_read_unlock(may_sleep);
	memzero_explicit(&dump_keys, sizeof(dump_keys));
	memzero_explicit(dump_ct, sizeof(dump_ct));
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
 * The crash path. No sleeping, no allocation from NMI, and of the locks the
 * crashed context could hold only trylocks (docs/module.md, "How the crash
 * path stays safe"): the targets are read under RCU, the buffers and skbs
 * were allocated beforehand, and the guard is only tried. Preemption stays
 * off for the whole dump, so this CPU's flag and the guard stay right.
 */
void netoops_kmsg_dump(struct kmsg_dumper *dumper,
		       enum kmsg_dump_reason kreason)
{
	enum netoops_reason reason;
	int me;

	if (!dump_reason_of(kreason, &reason) ||
	    !(READ_ONCE(netoops_settings.reasons) & BIT(reason)) ||
	    list_empty_careful(&netoops_active))
		return;
	preempt_disable();
	me = smp_processor_id();
	if (dump_guard_enter(me, reason)) {
		this_cpu_write(dump_running, true);
		dump_stall_begin();
		dump_run(reason, false);
		this_cpu_write(dump_running, false);
		dump_guard_exit(me);
		dump_stall_end();
	}
	preempt_enable();
}

static struct kmsg_dumper dump_dumper = {
	.dump = netoops_compat_dump,
	/* oops, panic, emerg; netoops_reasons filters */
	.max_reason = KMSG_DUMP_EMERG,
};

/* Runs a dump with the guard held; the spare skbs are refilled after it. */
static unsigned int dump_process_run(enum netoops_reason reason)
{
	struct netoops_target *nt;
	unsigned int sent;
	int idx;

	idx = srcu_read_lock(&netoops_srcu);
	sent = dump_run(reason, true);
	for_each_active(nt)
		netoops_tx_refill(nt);
	srcu_read_unlock(&netoops_srcu, idx);
	return sent;
}

/*
 * A dump from process context (test, OOM, shutdown): it may sleep between
 * datagrams. It holds no configuration lock while it runs, so a device's
 * unregistration never waits for it: the netdevice notifier stops it.
 */
static int dump_process(enum netoops_reason reason)
{
	unsigned int sent;
	int err = 0, me;
	u64 start;

	if (list_empty_careful(&netoops_active)) {
		pr_err("%s dump: no enabled target\n",
		       netoops_reason_name(reason));
		return -ENOTCONN;
	}
	migrate_disable();
	me = raw_smp_processor_id() | DUMP_TASK;
	if (!dump_guard_enter_task(me)) {
		pr_err("%s dump: another dump is in progress\n",
		       netoops_reason_name(reason));
		err = -EBUSY;
	} else {
		start = ktime_get_mono_fast_ns();
		sent = dump_process_run(reason);
		pr_info("%s dump %u: %u datagrams, %u bytes of log, %llu us\n",
			netoops_reason_name(reason), dump_frame.seq, sent,
			dump_frame.total,
			div_u64(ktime_get_mono_fast_ns() - start, NSEC_PER_USEC));
		if (READ_ONCE(netoops_settings.fec))
			pr_info("%s dump %u: parity computed in %llu us\n",
				netoops_reason_name(reason), dump_frame.seq,
				div_u64(netoops_fec_last_ns(), NSEC_PER_USEC));
		dump_guard_exit(me);
		if (!sent) {
			pr_err("%s dump: no datagram could be sent, see transmit_errors\n",
			       netoops_reason_name(reason));
			err = -EIO;
		}
	}
	migrate_enable();
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
	int me;

	if (!buf)
		return -ENOMEM;
	migrate_disable();
	me = raw_smp_processor_id() | DUMP_TASK;
	if (!dump_guard_enter_task(me)) {
		migrate_enable();
		vfree(buf);
		return -EBUSY;
	}
	old = dump_buf;
	dump_buf = buf;
	dump_buf_size = bytes;
	dump_guard_exit(me);
	migrate_enable();
	vfree(old);
	return 0;
}

/*
 * OOM: upstream has no OOM dump reason. The dump hangs off the mark_victim
 * tracepoint, which mark_oom_victim() hits once the OOM killer has chosen a
 * victim, for a system-wide and for a memory cgroup OOM alike (the OOM
 * notifier chain runs at the top of every system-wide out_of_memory() call,
 * also when nothing is killed, and never for a memory cgroup). The probe runs
 * with the victim's task_lock held: it only queues the dump, which a work
 * item on a WQ_MEM_RECLAIM workqueue sends a moment later, once the
 * "Killed process" line that follows is in the log.
 */
static struct workqueue_struct *dump_wq;

static void dump_oom_work(struct work_struct *work)
{
	dump_process(NETOOPS_OOM);
}

static DECLARE_DELAYED_WORK(oom_work, dump_oom_work);

#ifdef CONFIG_TRACEPOINTS
static atomic_long_t oom_last;		/* jiffies of the last OOM dump queued */
static atomic_t oom_seen = ATOMIC_INIT(0);
static struct tracepoint *oom_tp;

/* At most one OOM dump per netoops_oom_interval, whichever CPU kills. */
static bool dump_oom_due(void)
{
	unsigned long interval = READ_ONCE(netoops_settings.oom_interval) * HZ;
	unsigned long last = atomic_long_read(&oom_last), now = jiffies;

	if (atomic_read(&oom_seen) && time_before(now, last + interval))
		return false;
	if (atomic_long_cmpxchg(&oom_last, last, now) != last)
		return false;	/* another CPU's victim is being dumped */
	atomic_set(&oom_seen, 1);
	return true;
}

/* The probe of trace_mark_victim(); its prototype is checked in dump_oom_attach(). */
static void dump_oom_victim(void *data, struct task_struct *task, uid_t uid)
{
	if (!READ_ONCE(netoops_settings.record_oom) || !dump_oom_due())
		return;
	queue_delayed_work(dump_wq, &oom_work,
			   msecs_to_jiffies(DUMP_OOM_DELAY_MS));
}

static void dump_oom_match(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "mark_victim"))
		*(struct tracepoint **)priv = tp;
}

/*
 * The tracepoint is not exported for register_trace_mark_victim(): it is
 * found by name. The build fails if its prototype is not the probe's.
 */
static int dump_oom_attach(void)
{
	struct tracepoint *tp = NULL;
	int err;

	BUILD_BUG_ON(!__same_type(&register_trace_mark_victim,
				  int (*)(void (*)(void *, struct task_struct *,
						   uid_t), void *)));
	for_each_kernel_tracepoint(dump_oom_match, &tp);
	if (!tp)
		return -ENOENT;
	err = tracepoint_probe_register(tp, dump_oom_victim, NULL);
	if (!err)
		oom_tp = tp;
	return err;
}

static void dump_oom_detach(void)
{
	if (!oom_tp)
		return;
	tracepoint_probe_unregister(oom_tp, dump_oom_victim, NULL);
	tracepoint_synchronize_unregister();
	oom_tp = NULL;
}
#else
/* Without CONFIG_TRACEPOINTS (tests/builtin's small kernel) there is none. */
static int dump_oom_attach(void)
{
	return -ENOENT;
}

static void dump_oom_detach(void)
{
}
#endif

static int dump_oom_init(void)
{
	int err = dump_oom_attach();

	if (err == -ENOENT) {
		pr_warn("no mark_victim tracepoint: netoops_record_oom has no effect\n");
		return 0;
	}
	return err;
}

static void dump_oom_exit(void)
{
	dump_oom_detach();
	cancel_delayed_work_sync(&oom_work);
}

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

	err = netoops_fec_init();
	if (err)
		return err;
	err = netoops_dump_resize(netoops_settings.dump_bytes);
	if (err)
		goto exit_fec;
	dump_wq = alloc_workqueue("netoops", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!dump_wq) {
		err = -ENOMEM;
		goto free_buf;
	}
	err = dump_oom_init();
	if (err)
		goto destroy_wq;
	err = register_reboot_notifier(&dump_reboot_nb);
	if (err)
		goto exit_oom;
	err = kmsg_dump_register(&dump_dumper);
	if (err)
		goto unregister_reboot;
	return 0;

unregister_reboot:
	unregister_reboot_notifier(&dump_reboot_nb);
exit_oom:
	dump_oom_exit();
destroy_wq:
	destroy_workqueue(dump_wq);
free_buf:
	vfree(dump_buf);
	dump_buf = NULL;
exit_fec:
	netoops_fec_exit();
	return err;
}

void netoops_dump_exit(void)
{
	kmsg_dump_unregister(&dump_dumper);
	irq_work_sync(&dump_stall_work);
	dump_stall_restore(&dump_stall_work);
	unregister_reboot_notifier(&dump_reboot_nb);
	dump_oom_exit();
	destroy_workqueue(dump_wq);
	vfree(dump_buf);
	dump_buf = NULL;
	netoops_fec_exit();
}

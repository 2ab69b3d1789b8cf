/* syzbot's titles rule by rule: kinds of the table, culprit frames, stalls and hangs,
 * corruption, normalisation, alternative titles, interleaved CPUs (texts from real formats). */
#include "analyse_helpers.h"

struct case_ {
	const char *what, *text, *title;
};

static void check_titles(const struct case_ *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct nx_report_set *set = analyse_str(c[i].text);

		check_invariants(c[i].what, set, strlen(c[i].text));
		if (set->n == 0)
			fail_msg("%s: no report", c[i].what);
		if (strcmp(set->reports[0].title, c[i].title) != 0)
			fail_msg("%s: '%s', expected '%s'", c[i].what, set->reports[0].title,
				 c[i].title);
		nx_report_set_free(set);
	}
}

/* One entry of the kinds table each: syzbot's name for the kind. */
static void kinds_named_as_syzbot(void **state)
{
	static const struct case_ c[] = {
		{ "circular locking",
		  "WARNING: possible circular locking dependency detected\n"
		  "4.15.0+ #221 Not tainted\n"
		  "syz-executor5/5807 is trying to acquire lock:\n"
		  " (sk_lock-AF_INET){+.+.}, at: [<0000000046bbd7df>] do_ip_setsockopt.isra.12+0x1d9/0x3210\n"
		  "but task is already holding lock:\n"
		  " (rtnl_mutex){+.+.}, at: [<00000000366b10e7>] rtnl_lock+0x17/0x20\n",
		  "possible deadlock in do_ip_setsockopt" },
		{ "old inconsistent lock state",
		  "[ INFO: inconsistent lock state ]\n"
		  "4.9.0+ #1 Not tainted\n"
		  "inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage.\n"
		  " (&(&hashinfo->ehash_locks[i])->rlock){+.?...}, at: [<ffffffff83a6a370>] inet_ehash_insert+0x240/0xad0\n",
		  "inconsistent lock state in inet_ehash_insert" },
		{ "irq lock order: the stack after 'which became'",
		  "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected\n"
		  "ffff8880120b9168 (&new->fa_lock){.?.+}-{2:2}, at: kill_fasync+0x14b/0x460\n"
		  "... which became HARDIRQ-irq-safe at:\n"
		  "  lock_acquire+0x29d/0x740\n"
		  "  _raw_spin_lock_irqsave+0x39/0x50\n"
		  "  input_event+0x7b/0xb0\n"
		  "  psmouse_report_standard_buttons+0x2c/0x80\n",
		  "possible deadlock in input_event" },
		{ "lockdep tag kept",
		  "[ BUG: lock held when returning to user space! ]\n"
		  "1 lock held by syz-executor/1:\n"
		  " #0:  (&fi->mutex){+.+.}, at: [<ffffffff81a1b2c3>] fuse_lock_inode+0x1c/0x30\n",
		  "BUG: lock held when returning to user space in fuse_lock_inode" },
		{ "old UBSAN",
		  "UBSAN: Undefined behaviour in drivers/misc/lkdtm/bugs.c:302:2\n"
		  "index 8 is out of range for type 'char [8]'\n"
		  "Call Trace:\n"
		  " dump_stack+0x8a/0xc0\n"
		  " ubsan_epilogue+0xd/0x3a\n"
		  " __ubsan_handle_out_of_bounds+0x8b/0xa0\n"
		  " lkdtm_ARRAY_BOUNDS+0x12a/0x150\n",
		  "UBSAN: undefined-behaviour in lkdtm_ARRAY_BOUNDS" },
		{ "KASAN on address",
		  "BUG: KASAN: null-ptr-deref on address           (null)\n"
		  "Read of size 8 by task syz-executor/1\n"
		  "Call Trace:\n"
		  " dump_stack+0x8a/0xc0\n"
		  " kasan_report+0x1/0x2\n"
		  " foo_bar+0x1/0x2\n",
		  "KASAN: null-ptr-deref Read" },
		{ "kmemleak",
		  "BUG: memory leak\n"
		  "unreferenced object 0xffff880039a55260 (size 64):\n"
		  "  comm \"syz-executor\", pid 1, jiffies 4294\n"
		  "  backtrace:\n"
		  "    [<0000000035ea9d4b>] kmemleak_alloc_recursive include/linux/kmemleak.h:43 [inline]\n"
		  "    [<0000000035ea9d4b>] slab_post_alloc_hook mm/slab.h:439 [inline]\n"
		  "    [<000000002af27d0e>] kmem_cache_alloc_trace+0x150/0x2b0 mm/slab.c:3618\n"
		  "    [<00000000a2c5b4a9>] kmalloc include/linux/slab.h:512 [inline]\n"
		  "    [<00000000a2c5b4a9>] do_ipv6_setsockopt.isra.9+0x1b3f/0x2950 net/ipv6/ipv6_sockglue.c:675\n"
		  "    [<000000006e2a4d22>] ipv6_setsockopt+0x9b/0x140 net/ipv6/ipv6_sockglue.c:917\n",
		  "memory leak in do_ipv6_setsockopt" },
		{ "this_cpu in preemptible code",
		  "BUG: using __this_cpu_read() in preemptible [00000000] code: syz/3344\n"
		  "caller is __this_cpu_preempt_check+0x1c/0x20\n"
		  "Call Trace:\n"
		  " dump_stack+0xc1/0x128\n"
		  " check_preemption_disabled+0x1d4/0x200\n"
		  " __this_cpu_preempt_check+0x1c/0x20\n"
		  " ipcomp_init_state+0x188/0x930\n",
		  "BUG: using __this_cpu_read() in preemptible code in ipcomp_init_state" },
		{ "workqueue leaked lock",
		  "BUG: workqueue leaked lock or atomic: kworker/0:0/0x00000000/4\n"
		  "     last function: addrconf_dad_work\n"
		  "Call Trace:\n"
		  " dump_stack+0x1/0x2\n"
		  " process_one_work+0x1/0x2\n",
		  "BUG: workqueue leaked lock or atomic in addrconf_dad_work" },
		{ "non-static key",
		  "INFO: trying to register non-static key.\n"
		  "the code is fine but needs lockdep annotation.\n"
		  "Call Trace:\n"
		  " dump_stack+0x1/0x2\n"
		  " register_lock_class+0x1/0x2\n"
		  " __lock_acquire+0x1/0x2\n"
		  " lock_acquire+0x1/0x2\n"
		  " _raw_spin_lock_bh+0x1/0x2\n"
		  " tcp_fastopen_reset_cipher+0x1/0x2\n",
		  "INFO: trying to register non-static key in tcp_fastopen_reset_cipher" },
		{ "refcount WARN, panic_on_warn: RIP inside the trace",
		  "WARNING: CPU: 0 PID: 28200 at lib/refcount.c:152 refcount_inc+0x47/0x50\n"
		  "Kernel panic - not syncing: panic_on_warn set ...\n"
		  "Call Trace:\n"
		  " dump_stack+0x194/0x257\n"
		  " panic+0x1e4/0x417\n"
		  " __warn+0x1c4/0x1d9\n"
		  " report_bug+0x211/0x2d0\n"
		  " fixup_bug+0x40/0x90\n"
		  " do_trap+0x260/0x390\n"
		  " do_error_trap+0x120/0x390\n"
		  " do_invalid_op+0x1b/0x20\n"
		  " invalid_op+0x1e/0x30\n"
		  "RIP: 0010:refcount_inc+0x47/0x50\n"
		  "RSP: 0018:ffff8801cb557928 EFLAGS: 00010282\n"
		  " dev_activate+0x1/0x2\n",
		  "WARNING: refcount bug in dev_activate" },
		{ "ODEBUG WARN",
		  "WARNING: CPU: 1 PID: 3502 at lib/debugobjects.c:291 debug_print_object+0x166/0x220\n"
		  "RIP: 0010:debug_print_object+0x166/0x220\n"
		  "Call Trace:\n"
		  " debug_check_no_obj_freed+0x3f7/0x9d0\n"
		  " kfree+0xbb/0x270\n"
		  " unreserve_psock+0x5a1/0x780\n",
		  "WARNING: ODEBUG bug in unreserve_psock" },
		{ "key:value data cut",
		  "BUG: Bad rss-counter state mm:ffff88005fac4300 idx:0 val:15\n",
		  "BUG: Bad rss-counter state" },
		{ "stack guard page of any stack",
		  "BUG: TASK stack guard page was hit at ffffc9000e4aff58 (stack is ffffc9000e4b0000..ffffc9000e4b8000)\n"
		  "RIP: 0010:rtnl_newlink+0x1/0x2\n"
		  "Call Trace:\n"
		  " rtnetlink_rcv_msg+0x1/0x2\n",
		  "BUG: stack guard page was hit in rtnl_newlink" },
		{ "list_debug BUG",
		  "kernel BUG at lib/list_debug.c:51!\n"
		  "invalid opcode: 0000 [#1] SMP KASAN\n"
		  "RIP: 0010:__list_del_entry_valid.cold+0xf/0x55\n"
		  "Call Trace:\n"
		  " ath9k_htc_wait_for_target+0x1/0x2\n",
		  "BUG: corrupted list in ath9k_htc_wait_for_target" },
		{ "stack protector panic",
		  "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: br_dev_xmit+0x12ec/0x1550\n",
		  "kernel panic: stack is corrupted in br_dev_xmit" },
		{ "panic message numbers",
		  "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n",
		  "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)" },
		{ "arm unhandled fault",
		  "Unhandled fault: page domain fault (0x01b) at 0x00000e30\n"
		  "Internal error: : 1b [#1] PREEMPT SMP ARM\n"
		  "PC is at __sanitizer_cov_trace_pc+0x4c/0x78\n"
		  "Backtrace: \n"
		  "[<802e12b8>] (trace_hardirqs_off) from [<80100a74>] (__dabt_svc+0x54/0xa0)\n"
		  "[<80100a74>] (__dabt_svc) from [<8030b0f4>] (vfs_read+0x10/0x20)\n",
		  "Unhandled fault in __dabt_svc" },
		{ "usb_submit_urb's WARN names its caller",
		  "WARNING: CPU: 0 PID: 12 at drivers/usb/core/urb.c:477 usb_submit_urb+0x119a/0x13c0\n"
		  "RIP: 0010:usb_submit_urb+0x119a/0x13c0\n"
		  "Call Trace:\n"
		  " submit_rx_urb+0x1/0x2\n",
		  "WARNING in submit_rx_urb/usb_submit_urb" },
		{ "2016 KASAN cut before the access line",
		  "BUG: KASAN: slab-out-of-bounds in native_queued_spin_lock_slowpath+0x5ab/0x610 at addr ffff8801c5a1e900\n"
		  "CPU: 0 PID: 6756 Comm: syz Tainted: G    B 4.4.105 #1\n",
		  "KASAN: slab-out-of-bounds in native_queued_spin_lock_slowpath at addr ADDR" },
		{ "circular locking cut after the banner",
		  "======================================================\n"
		  "WARNING: possible circular locking dependency detected\n"
		  "4.15.0-rc7+ #255 Not tainted\n"
		  "------------------------------------------------------\n",
		  "WARNING: possible circular locking dependency detected" },
		{ "kmemleak's own report",
		  "unreferenced object 0xc625e000 (size 2048):\n"
		  "  comm \"swapper\", pid 1, jiffies 4294937521\n"
		  "  backtrace:\n"
		  "    [<c00c89f0>] create_object+0x11c/0x200\n"
		  "    [<c00c6764>] __kmalloc_track_caller+0x138/0x178\n"
		  "    [<c01d78c0>] __alloc_skb+0x4c/0x100\n"
		  "    [<c0198b48>] eth_rx_fill+0xd8/0x3fc\n",
		  "memory leak in eth_rx_fill" },
		{ "header after a console prompt",
		  "syzkaller login: [   35.184476] BUG: using __this_cpu_read() in preemptible [00000000] code: syz/3344\n"
		  "[   35.193222] caller is __this_cpu_preempt_check+0x1c/0x20\n"
		  "[   35.193222] Call Trace:\n"
		  "[   35.193222]  check_preemption_disabled+0x1d4/0x200\n"
		  "[   35.193222]  ipcomp_init_state+0x188/0x930\n",
		  "BUG: using __this_cpu_read() in preemptible code in ipcomp_init_state" },
		{ "KCSAN: both functions",
		  "BUG: KCSAN: data-race in tick_nohz_idle_stop_tick / tick_nohz_next_event\n"
		  "Call Trace:\n"
		  " tick_nohz_idle_stop_tick+0x1/0x2\n",
		  "KCSAN: data-race in tick_nohz_idle_stop_tick / tick_nohz_next_event" },
		{ "lockdep out of keys",
		  "BUG: MAX_LOCKDEP_KEYS too low!\n"
		  "turning off the locking correctness validator.\n",
		  "BUG: MAX_LOCKDEP_KEYS too low!" },
		{ "bracketed lockdep wait context",
		  "=============================\n"
		  "[ BUG: Invalid wait context ]\n"
		  "Call Trace:\n"
		  " dump_stack+0x1/0x2\n"
		  " __lock_acquire+0x1/0x2\n"
		  " lock_acquire+0x1/0x2\n"
		  " _raw_spin_lock+0x1/0x2\n"
		  " nfc_alloc_send_skb+0x1/0x2\n",
		  "BUG: Invalid wait context in nfc_alloc_send_skb" },
		{ "device name normalised away",
		  "unregister_netdevice: waiting for lo to become free. Usage count = 2\n",
		  "unregister_netdevice: waiting for DEV to become free" },
		{ "PANIC: double fault",
		  "PANIC: double fault, error_code: 0x0\n"
		  "RIP: 0010:compat_sock_ioctl+0x1/0x2\n"
		  "Call Trace:\n"
		  " <#DF>\n"
		  " compat_sock_ioctl+0x1/0x2\n",
		  "PANIC: double fault in compat_sock_ioctl" },
	};

	(void)state;
	check_titles(c, sizeof(c) / sizeof(c[0]));
}

/* The culprit skips the kernel's machinery; names are cut and unwrapped as syzbot does. */
static void culprit_frames(void **state)
{
	static const struct case_ c[] = {
		{ "spin_dump",
		  "BUG: spinlock bad magic on CPU#0, syz/1\n"
		  "Call Trace:\n"
		  " dump_stack+0x1/0x2\n"
		  " spin_dump+0x1/0x2\n"
		  " spin_bug+0x1/0x2\n"
		  " do_raw_spin_lock+0x1/0x2\n"
		  " _raw_spin_lock_bh+0x1/0x2\n"
		  " tcp_nuke_addr+0x1/0x2\n",
		  "BUG: spinlock bad magic in tcp_nuke_addr" },
		{ "compiler suffixes",
		  "general protection fault: 0000 [#1] SMP\n"
		  "RIP: 0010:memset_orig+0x1/0x2\n"
		  "Call Trace:\n"
		  " __kasan_check_read+0x1/0x2\n"
		  " foo_helper.constprop.0.isra.0+0x1/0x2\n",
		  "general protection fault in foo_helper" },
		{ "syscall wrapper: one prefix",
		  "general protection fault: 0000 [#1] SMP\n"
		  "RIP: 0010:memset_orig+0x1/0x2\n"
		  "Call Trace:\n"
		  " __x64_sys_rmdir+0x36/0x40\n",
		  "general protection fault in sys_rmdir" },
		{ "old wrapper",
		  "general protection fault: 0000 [#1] SMP\n"
		  "RIP: 0010:memset_orig+0x1/0x2\n"
		  "Call Trace:\n"
		  " [<ffffffff81534d9a>] SyS_rmdir+0x1a/0x20\n",
		  "general protection fault in rmdir" },
		{ "inlined frames are never the culprit",
		  "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c:3108 __vmalloc_node_range+0x1036/0x1300 mm/vmalloc.c:3108\n"
		  "RIP: 0010:__vmalloc_node_range+0x1036/0x1300 mm/vmalloc.c:3108\n"
		  "Call Trace:\n"
		  " <TASK>\n"
		  " __vmalloc_node mm/vmalloc.c:3246 [inline]\n"
		  " vzalloc+0x6b/0x80 mm/vmalloc.c:3319\n"
		  " bpf_check_helper kernel/bpf/verifier.c:17250 [inline]\n"
		  " bpf_check+0x1b8/0xae50 kernel/bpf/verifier.c:17253\n",
		  "WARNING: zero-size vmalloc in bpf_check" },
		{ "foreign lines inside a trace",
		  "WARNING: CPU: 1 PID: 4183 at mm/util.c:403 kvmalloc_node+0xc3/0xd0\n"
		  "RIP: 0010:kvmalloc_node+0xc3/0xd0\n"
		  "Call Trace:\n"
		  " dump_stack+0x194/0x257\n"
		  "audit: type=1400 audit(1518457683.474:9): avc:  denied  { map_read } for  pid=4183\n"
		  " kvmalloc_node+0xc3/0xd0\n"
		  " cpu_map_update_elem+0x1/0x2\n",
		  "WARNING: kmalloc bug in cpu_map_update_elem" },
		{ "scheduling while atomic",
		  "BUG: scheduling while atomic: syz/1/0x00000002\n"
		  "Call Trace:\n"
		  " dump_stack+0x1/0x2\n"
		  " __schedule_bug+0x1/0x2\n"
		  " __schedule+0x1/0x2\n"
		  " schedule+0x1/0x2\n"
		  " simple_recursive_removal+0x1/0x2\n",
		  "BUG: scheduling while atomic in simple_recursive_removal" },
	};

	(void)state;
	check_titles(c, sizeof(c) / sizeof(c[0]));
}

/* Stalls by the frame their dispatch called; hangs with their common waits bucketed. */
static void stalls_and_hangs(void **state)
{
	static const struct case_ c[] = {
		{ "rcu stall: the interrupted stack",
		  "rcu: INFO: rcu_preempt self-detected stall on CPU\n"
		  "Call Trace:\n"
		  " <IRQ>\n"
		  " rcu_dump_cpu_stacks+0x1/0x2\n"
		  " rcu_sched_clock_irq+0x1/0x2\n"
		  " update_process_times+0x1/0x2\n"
		  " </IRQ>\n"
		  " <TASK>\n"
		  "RIP: 0010:hash_ipportnet4_add+0x1/0x2\n"
		  " ip_set_uadd+0x1/0x2\n"
		  " nfnetlink_rcv_msg+0x1/0x2\n"
		  " netlink_rcv_skb+0x1/0x2\n",
		  "INFO: rcu detected stall in ip_set_uadd" },
		{ "rcu stall: the grace-period kthread's stack first",
		  "INFO: rcu_sched self-detected stall on CPU\n"
		  "rcu_sched kthread starved for 10494 jiffies!\n"
		  "RCU grace-period kthread stack dump:\n"
		  "Call Trace:\n"
		  " __schedule+0x1/0x2\n"
		  " schedule_timeout+0x1/0x2\n"
		  " rcu_gp_kthread+0x1/0x2\n"
		  "NMI backtrace for cpu 1\n"
		  "Call Trace:\n"
		  " <IRQ>\n"
		  " dump_stack+0x1/0x2\n"
		  " </IRQ>\n"
		  "RIP: 0010:__sys_sendmmsg+0x1/0x2\n"
		  " __x64_sys_sendmmsg+0x9d/0x100\n"
		  " do_syscall_64+0x1/0x2\n",
		  "INFO: rcu detected stall in sys_sendmmsg" },
		{ "soft lockup in a cross-CPU call",
		  "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [syz:1]\n"
		  "RIP: 0010:smp_call_function_many_cond+0x1/0x2\n"
		  "Call Trace:\n"
		  " on_each_cpu_cond_mask+0x1/0x2\n",
		  "BUG: soft lockup in smp_call_function" },
		{ "stall: the registers the timer interrupt saved",
		  "INFO: rcu_sched self-detected stall on CPU\n"
		  "Call Trace:\n"
		  " <IRQ>\n"
		  " [<ffffffff8415f2a2>] dump_stack+0x14d/0x20b\n"
		  " [<ffffffff815a3ade>] rcu_dump_cpu_stacks+0x189/0x1d5\n"
		  " [<ffffffff842050f4>] smp_apic_timer_interrupt+0x144/0x5e0\n"
		  " [<ffffffff84201cbe>] apic_timer_interrupt+0x8e/0xa0\n"
		  " </IRQ>\n"
		  "RIP: 0010:rtc_timer_do_work+0x21a/0x650\n"
		  "RSP: 0018:ffff8801c83b7a68 EFLAGS: 00000293\n"
		  " [<ffffffff81411f96>] process_one_work+0x886/0x1650\n"
		  " [<ffffffff814133b3>] worker_thread+0x653/0x1150\n",
		  "INFO: rcu detected stall in rtc_timer_do_work" },
		{ "corrupted stack end: like a stall",
		  "Kernel panic - not syncing: corrupted stack end detected inside scheduler\n"
		  "Call Trace:\n"
		  " dump_stack+0x1d3/0x2c6\n"
		  " panic+0x2ad/0x55f\n"
		  " __schedule+0x1ec6/0x1ed0\n"
		  " rmap_walk+0x119/0x350\n"
		  " wb_workfn+0xd65/0x1790\n"
		  " process_one_work+0xc90/0x1c40\n",
		  "kernel panic: corrupted stack end in wb_workfn" },
		{ "arm stall after the interrupt entry",
		  "INFO: rcu_sched detected stalls on CPUs/tasks:\n"
		  "Backtrace: \n"
		  "[<8011218c>] (unwind_backtrace) from [<8010e300>] (show_stack+0x18/0x1c)\n"
		  "[<8017cd50>] (gic_handle_irq) from [<80101a0c>] (__irq_svc+0x6c/0x90)\n"
		  "[<80101a0c>] (__irq_svc) from [<80b2f268>] (_raw_spin_unlock_irqrestore+0x1c/0x20)\n"
		  "[<80b2f268>] (_raw_spin_unlock_irqrestore) from [<8016fb5c>] (prepare_to_wait_event+0x68/0x104)\n"
		  "[<8016fb5c>] (prepare_to_wait_event) from [<80292a90>] (ksys_mount+0x9c/0x100)\n"
		  "[<80292a90>] (ksys_mount) from [<80101000>] (ret_fast_syscall+0x0/0x54)\n",
		  "INFO: rcu detected stall in mount" },
		{ "hung task: not the waiting",
		  "INFO: task getty:2986 blocked for more than 120 seconds.\n"
		  "Call Trace:\n"
		  " [<ffffffff835bdeb4>] schedule+0x64/0x160\n"
		  " [<ffffffff835c9c1a>] schedule_timeout+0x2fa/0x5d0\n"
		  " [<ffffffff835cb4ec>] ldsem_down_write+0x1ac/0x357\n"
		  " [<ffffffff835cbdd2>] tty_ldisc_lock_pair_timeout+0xb2/0x160\n"
		  " [<ffffffff81f8b03f>] tty_ldisc_hangup+0x21f/0x720\n",
		  "INFO: task hung in tty_ldisc_hangup" },
		{ "hung task: one bucket for RCU waits",
		  "INFO: task kworker/1:2:100 blocked for more than 143 seconds.\n"
		  "Call Trace:\n"
		  " __schedule+0x1/0x2\n"
		  " schedule+0x1/0x2\n"
		  " synchronize_rcu_expedited+0x1/0x2\n"
		  " synchronize_net+0x1/0x2\n"
		  " rollback_registered_many+0x1/0x2\n",
		  "INFO: task hung in synchronize_rcu" },
	};

	(void)state;
	check_titles(c, sizeof(c) / sizeof(c[0]));
}

/* No culprit: "in corrupted", marked corrupted, one bucket per class; a culprit without a
 * stack keeps its name (syzbot's too) but is still corrupted. */
static void corrupted_titles(void **state)
{
	struct nx_report_set *a = analyse_str("WARNING: CPU: 3 PID: 1975 at fs/locks.c:241 "
					      "locks_free_lock_context+0x118/0x180()\n");
	struct nx_report_set *b = analyse_str("WARNING: CPU: 1 PID: 2 at fs/x.c:1 other+0x1/0x2\n");
	struct nx_report_set *c = analyse_str("general protection fault: 0000 [#1] SMP\n"
					      "RIP: 0010:drm_legacy_newctx+0x190/0x290\n");

	(void)state;
	assert_string_equal(a->reports[0].title, "WARNING in corrupted");
	assert_true(a->reports[0].corrupted);
	assert_string_equal(a->reports[0].signature, b->reports[0].signature);
	assert_string_equal(c->reports[0].title, "general protection fault in drm_legacy_newctx");
	assert_true(c->reports[0].corrupted);
	nx_report_set_free(a);
	nx_report_set_free(b);
	nx_report_set_free(c);
}

static void normalisation(void **state)
{
	static const char *const v[][2] = {
		{ "BUG: Dentry ffff880175978600 still", "BUG: Dentry ADDR still" },
		{ "at addr 0x1234", "at addr ADDR" },
		{ "unknown-block(0,0)", "unknown-block(NUM,NUM)" },
		{ "age=1 cpu=0 pid=6024", "age=NUM cpu=NUM pid=NUM" },
		{ "in ipv6_rcv", "in ipv6_rcv" },
		{ "in i2c_transfer", "in i2c_transfer" },
		{ "in cfg80211_wext_siwfreq", "in cfg80211_wext_siwfreq" },
		{ "error -12.", "error -NUM." },
		{ "in dead", "in dead" },	/* hex letters alone are a word */
	};
	bool oom = false;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *t = nx_title_normalise(v[i][0], &oom);

		assert_non_null(t);
		assert_string_equal(t, v[i][1]);
		free(t);
	}
	assert_false(oom);
}

/* The other names syzbot knows a bug by. */
static void alternative_titles(void **state)
{
	struct nx_report_set *s = analyse_str("watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n"
					      "RIP: 0010:d_walk+0x1/0x2\n"
					      "Call Trace:\n"
					      " __x64_sys_rmdir+0x36/0x40\n"
					      " do_syscall_64+0x1/0x2\n");
	struct nx_report_set *h = analyse_str("INFO: task a:1 blocked for more than 120 seconds.\n"
					      "Call Trace:\n"
					      " schedule+0x1/0x2\n"
					      " p9_fd_close+0x1/0x2\n");
	struct nx_report_set *w = analyse_str("WARNING: CPU: 0 PID: 1 at f.c:1 f+0x1/0x2\n"
					      "RIP: 0010:f+0x1/0x2\n"
					      "Call Trace:\n"
					      " g+0x1/0x2\n");

	(void)state;
	assert_string_equal(s->reports[0].title, "BUG: soft lockup in sys_rmdir");
	assert_string_equal(s->reports[0].alt_title, "stall in sys_rmdir");
	assert_string_equal(h->reports[0].alt_title, "hang in p9_fd_close");
	assert_null(w->reports[0].alt_title);
	nx_report_set_free(s);
	nx_report_set_free(h);
	nx_report_set_free(w);
}

/* Two CPUs print the same header at once ([T3083] and [T3080]): one report, the first's. */
static void interleaved_cpus(void **state)
{
	static const char text[] =
		"[   34.4][ T3083] Unable to handle kernel paging request at virtual address 00616161616161a1\n"
		"[   34.4][ T3083] Mem abort info:\n"
		"[   34.4][ T3080] Unable to handle kernel paging request at virtual address 00616161616161a1\n"
		"[   34.4][ T3080] Mem abort info:\n"
		"[   34.4][ T3083] Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP\n"
		"[   34.4][ T3083] pc : __kmem_cache_alloc_node+0x17c/0x350\n"
		"[   34.4][ T3080] pc : something_else+0x1/0x2\n"
		"[   34.4][ T3083] Call trace:\n"
		"[   34.4][ T3083]  __kmem_cache_alloc_node+0x17c/0x350\n"
		"[   34.4][ T3083]  simple_xattr_alloc+0x50/0x90\n";
	struct nx_report_set *set = analyse_str(text);

	(void)state;
	check_invariants("interleaved", set, strlen(text));
	assert_int_equal(set->n, 1);
	assert_string_equal(set->reports[0].title,
			    "BUG: unable to handle kernel paging request in simple_xattr_alloc");
	nx_report_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_named_as_syzbot),
		cmocka_unit_test(culprit_frames),
		cmocka_unit_test(stalls_and_hangs),
		cmocka_unit_test(corrupted_titles),
		cmocka_unit_test(normalisation),
		cmocka_unit_test(alternative_titles),
		cmocka_unit_test(interleaved_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

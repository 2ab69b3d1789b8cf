/* SPDX-License-Identifier: GPL-2.0 */
/* netoops.ko: every kernel-version difference the module depends on, and nothing else. */
#ifndef _NETOOPS_COMPAT_H
#define _NETOOPS_COMPAT_H

/*
 * The NETOOPS_HAVE_* macros come from probes of the kernel tree in Kbuild:
 * distribution kernels backport interfaces, so version numbers would lie.
 */

#include <linux/kmsg_dump.h>
#include <crypto/blake2s.h>
#include <crypto/chacha.h>

/* hex2bin() and mac_pton(): <linux/hex.h> since 6.x; 7.x kernel.h lacks them. */
#ifdef NETOOPS_HAVE_LINUX_HEX_H
#include <linux/hex.h>
#endif

/*
 * netpoll: 7.3 dropped the address fields of struct netpoll and
 * netpoll_setup() (netconsole took both over). netoops never needed them:
 * it builds its own frames, and target.c binds the device the way 7.3's
 * netconsole does, with what every supported kernel has (__netpoll_setup(),
 * netdev_hold(), netpoll_send_skb(), netpoll_poll_dev(), netpoll_cleanup()).
 */

/*
 * A quiescent state from a CPU that cannot schedule: rcu_momentary_eqs()
 * since 6.13 (Debian's 6.1 has the rename too), rcu_momentary_dyntick_idle()
 * before.
 */
#include <linux/rcupdate.h>
#ifdef NETOOPS_HAVE_RCU_MOMENTARY_EQS
#define netoops_rcu_momentary_qs()	rcu_momentary_eqs()
#else
#define netoops_rcu_momentary_qs()	rcu_momentary_dyntick_idle()
#endif

/*
 * RCU's stall warning switch (rcupdate.rcu_cpu_stall_suppress), exported
 * but declared only in kernel/rcu/rcu.h; an int on every supported kernel.
 * Tiny RCU (a uniprocessor kernel, tests/builtin) has no stall warnings.
 */
#ifdef CONFIG_RCU_STALL_COMMON
extern int rcu_cpu_stall_suppress;
static inline int *netoops_rcu_stall_switch(void)
{
	return &rcu_cpu_stall_suppress;
}
#else
static inline int *netoops_rcu_stall_switch(void)
{
	return NULL;
}
#endif

void netoops_kmsg_dump(struct kmsg_dumper *dumper,
		       enum kmsg_dump_reason reason);

/* 6.12 passes the reason inside struct kmsg_dump_detail. */
#ifdef NETOOPS_HAVE_KMSG_DUMP_DETAIL
static inline void netoops_compat_dump(struct kmsg_dumper *dumper,
				       struct kmsg_dump_detail *detail)
{
	netoops_kmsg_dump(dumper, detail->reason);
}
#else
static inline void netoops_compat_dump(struct kmsg_dumper *dumper,
				       enum kmsg_dump_reason reason)
{
	netoops_kmsg_dump(dumper, reason);
}
#endif

/*
 * lib/crypto (auth.c): 7.x renamed BLAKE2s's state struct blake2s_ctx (the
 * functions kept their names) and gave ChaCha a struct chacha_state where
 * 6.x passed a bare u32[16]. Both keep the 16 words in order.
 */
#ifdef NETOOPS_HAVE_BLAKE2S_CTX
#define netoops_blake2s_ctx blake2s_ctx
#else
#define netoops_blake2s_ctx blake2s_state
#endif

#ifdef NETOOPS_HAVE_CHACHA_STATE
#define netoops_chacha_state chacha_state
static inline void netoops_chacha20_block(struct netoops_chacha_state *st,
					  u8 *out)
{
	chacha_block_generic(st, out, 20);
}
#else
struct netoops_chacha_state {
	u32 x[16];
};

static inline void netoops_chacha20_block(struct netoops_chacha_state *st,
					  u8 *out)
{
	chacha_block_generic(st->x, out, 20);
}
#endif

#endif /* _NETOOPS_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* netoops.ko: every kernel-version difference the module depends on, and nothing else. */
#ifndef _NETOOPS_COMPAT_H
#define _NETOOPS_COMPAT_H

#include <linux/kmsg_dump.h>
#include <linux/version.h>

/* hex2bin() and mac_pton(): <linux/hex.h> where it exists; 7.x kernel.h lacks them. */
#if __has_include(<linux/hex.h>)
#include <linux/hex.h>
#endif

void netoops_kmsg_dump(struct kmsg_dumper *dumper,
		       enum kmsg_dump_reason reason);

/* 6.12 passes the reason inside struct kmsg_dump_detail. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
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

#endif /* _NETOOPS_COMPAT_H */

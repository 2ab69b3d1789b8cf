// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: the dump's identity as it travels; the framing itself is include/netoops/wire_frame.h. */

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include "compat.h"
#include "netoops.h"

/**
 * netoops_frame_identify() - the sender's fields of a dump's header
 * @f:		the dump
 *
 * Host name, release, boot id and wall-clock time, sanitised by the rules
 * the collector checks (wire_frame.h). init_utsname(), not utsname(): the
 * crashing task may be half torn down (no nsproxy) and a container's host
 * name is not the machine's. ktime_get_real_fast_ns() never waits on the
 * timekeeping seqlock.
 */
void netoops_frame_identify(struct netoops_frame *f)
{
	u32 nsec;

	netoops_frame_sanitize(f->host, init_utsname()->nodename,
			       sizeof(f->host), netoops_host_char_ok);
	netoops_frame_sanitize(f->release, init_utsname()->release,
			       sizeof(f->release), netoops_release_char_ok);
	*bin2hex(f->boot, netoops_settings.boot_id,
		 sizeof(netoops_settings.boot_id)) = '\0';
	f->sec = div_u64_rem(ktime_get_real_fast_ns(), NSEC_PER_SEC, &nsec);
	f->usec = nsec / NSEC_PER_USEC;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The few kernel names the shared wire code uses, mapped onto C11 userspace. */
#ifndef _NETOOPS_WIRE_SHIM_H
#define _NETOOPS_WIRE_SHIM_H

/*
 * include/netoops/wire_frame.h (and the FEC code next to it) is compiled
 * twice: into netoops.ko, and into netoopsd, netoopsctl and the tests. It
 * uses only these names: u8/u16/u32/u64, bool, size_t, memcpy/memset/strlen
 * and scnprintf (the kernel's snprintf that returns what it wrote, never more
 * than size - 1).
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* Formats are checked by the kernel build, where scnprintf() is __printf(3, 4). */
static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}
#endif

#endif /* _NETOOPS_WIRE_SHIM_H */

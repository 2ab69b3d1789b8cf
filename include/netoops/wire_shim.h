/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The few kernel names the shared wire code uses, mapped onto C11 userspace. */
#ifndef _NETOOPS_WIRE_SHIM_H
#define _NETOOPS_WIRE_SHIM_H

/*
 * include/netoops/wire_frame.h (and the FEC code next to it) is compiled
 * twice: into netoops.ko, and into netoopsd, netoopsctl and the tests. It
 * uses only these names: u8/u16/u32/u64, bool, size_t, memcpy/memset/strlen,
 * scnprintf (the kernel's snprintf that returns what it wrote, never more
 * than size - 1) and netoops_crc32() (CRC-32 as zlib's crc32(): ISO-HDLC,
 * reflected 0xedb88320; chained by passing the previous value, 0 to start).
 */
#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>

static inline u32 netoops_crc32(u32 crc, const void *buf, size_t len)
{
	return ~crc32_le(~crc, buf, len);
}
#else
#include <isa-l/crc.h>
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

/* ISA-L's reflected CRC-32 is zlib's (tests/unit/test_wire_fec.c checks the vector). */
static inline u32 netoops_crc32(u32 crc, const void *buf, size_t len)
{
	return crc32_gzip_refl(crc, buf, len);
}
#endif

#endif /* _NETOOPS_WIRE_SHIM_H */

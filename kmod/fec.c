// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: parity datagrams after the passes; the code itself is include/netoops/wire_fec.h. */

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/overflow.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include "netoops.h"

/*
 * Everything the encoder touches is allocated at module load: the field's
 * tables (66 KiB), the part bounds of the largest dump (256 KiB), one CRC
 * per block and one shard. The crash path only computes. All of it belongs
 * to the dump in progress (serialised by the dump guard in dump.c).
 */
static struct netoops_gf fec_gf;
static u32 *fec_bounds;
static u32 fec_bcrc[NETOOPS_FEC_MAX_BLOCKS];
static u8 fec_buf[NETOOPS_MAX_DATAGRAM];
static struct netoops_fec fec_state;
static u64 fec_ns;

int netoops_fec_init(void)
{
	fec_bounds = vmalloc(array_size(NETOOPS_MAX_PARTS + 1,
					sizeof(*fec_bounds)));
	if (!fec_bounds)
		return -ENOMEM;
	netoops_gf_init(&fec_gf);
	return 0;
}

void netoops_fec_exit(void)
{
	vfree(fec_bounds);
	fec_bounds = NULL;
}

/**
 * netoops_fec_start() - the parity of a framed dump
 * @f:		the dump, framed after netoops_fec_prepare() with @pct
 * @pct:	parity per 100 parts; 0 sends none
 */
void netoops_fec_start(const struct netoops_frame *f, u32 pct)
{
	u64 t0 = ktime_get_mono_fast_ns();

	fec_state = (struct netoops_fec){
		.gf = &fec_gf, .pct = f->parts ? pct : 0,
		.bounds = fec_bounds, .bcrc = fec_bcrc, .buf = fec_buf,
	};
	if (fec_state.pct)
		netoops_fec_begin(&fec_state, f);
	fec_ns = ktime_get_mono_fast_ns() - t0;
}

/**
 * netoops_fec_next_datagram() - the next parity datagram
 * @f:		the dump
 * @hdr:	its header line, without its final '\n' (the caller may still
 *		append per-datagram fields: the MAC, wire_auth.h)
 * @size:	size of @hdr
 * @payload:	set to its shard
 * @plen:	set to the shard's length
 *
 * Return: the open header's length, or 0 when all were made.
 */
int netoops_fec_next_datagram(const struct netoops_frame *f, char *hdr,
			      size_t size, const char **payload,
			      unsigned int *plen)
{
	u64 t0 = ktime_get_mono_fast_ns();
	int n = netoops_fec_next(&fec_state, f, hdr, size, true);

	*payload = (const char *)fec_state.buf;
	*plen = fec_state.shard;
	fec_ns += ktime_get_mono_fast_ns() - t0;
	return n;
}

/* Time spent computing the last dump's parity. */
u64 netoops_fec_last_ns(void)
{
	return fec_ns;
}

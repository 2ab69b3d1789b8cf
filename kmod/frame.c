// SPDX-License-Identifier: GPL-2.0
/* netoops.ko: cutting a dump's log text into datagrams, as docs/protocol.md says. */

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include "netoops.h"

/**
 * netoops_frame_header() - format the header line of one datagram
 * @f:		the dump
 * @buf:	where the line goes
 * @size:	size of @buf
 * @part:	index of the datagram in one pass (0 carries the newest text)
 * @offset:	where its text starts in the dump's text
 * @copy:	which pass (1..copies)
 *
 * Return: the length of the line, its final newline included.
 */
int netoops_frame_header(const struct netoops_frame *f, char *buf,
			 size_t size, unsigned int part, unsigned int offset,
			 unsigned int copy)
{
	u32 nsec;
	u64 sec = div_u64_rem(f->time_ns, NSEC_PER_SEC, &nsec);

	return scnprintf(buf, size,
			 "%s %s %s %u %s %s %llu.%06u %u/%u %u/%u %u/%u\n",
			 NETOOPS_MAGIC, f->host, f->boot, f->seq, f->reason,
			 f->release, sec, nsec / 1000,
			 part, f->parts, offset, f->total, copy, f->copies);
}

/**
 * netoops_frame_prev() - where the part that ends at @end starts
 * @f:		the dump
 * @end:	end of the part (the start of the next newer part)
 *
 * A part holds whole records (lines): it starts at the earliest line start
 * that still fits. Only when no line starts inside the window is a line
 * split, at the window's edge.
 */
unsigned int netoops_frame_prev(const struct netoops_frame *f,
				unsigned int end)
{
	unsigned int start, p;

	if (end <= f->cap)
		return 0;
	start = end - f->cap;
	for (p = start; p < end; p++)
		if (f->text[p - 1] == '\n')
			return p;
	return start;
}

/* The longest header this dump can have: its capacity is what is left. */
static unsigned int frame_capacity(struct netoops_frame *f)
{
	char line[NETOOPS_MAX_HEADER + 1];
	int len;

	f->parts = NETOOPS_MAX_PARTS;
	len = netoops_frame_header(f, line, sizeof(line),
				   NETOOPS_MAX_PARTS - 1, f->total, f->copies);
	return NETOOPS_MAX_DATAGRAM - len;
}

/**
 * netoops_frame_init() - size the parts of a dump
 * @f:		the dump, its identity fields (host .. copies) already set
 * @text:	the log text
 * @total:	its length, at most NETOOPS_MAX_DUMP
 *
 * Counts the parts by walking the text once the way the sender will; the
 * sender walks it again for every pass, so no table of offsets is needed.
 */
void netoops_frame_init(struct netoops_frame *f, const char *text,
			unsigned int total)
{
	unsigned int end = total, parts = 0;

	f->text = text;
	f->total = total;
	f->cap = frame_capacity(f);
	while (end > 0) {
		end = netoops_frame_prev(f, end);
		parts++;
	}
	f->parts = max(parts, 1U);
}

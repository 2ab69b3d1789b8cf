/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The netoops wire frame: header lines, cutting and charsets, one code for netoops.ko and userspace. */
#ifndef _NETOOPS_WIRE_FRAME_H
#define _NETOOPS_WIRE_FRAME_H

#include <netoops/wire.h>
#include <netoops/wire_shim.h>

/*
 * docs/protocol.md, "Datagram layout", as code. netoops.ko (kmod/dump.c,
 * kmod/frame.c) sends with these functions and the userspace encoder
 * (src/core/decode/encode.c) builds its datagrams with the same ones, so the
 * two cannot cut or format differently; the decoder checks the charsets
 * with the same predicates.
 *
 * A header line is built in two steps so that per-datagram extensions fit:
 * netoops_frame_header_open() writes the fields and the dump's own
 * extensions (@ext) without the final '\n'; a caller that adds an extension
 * computed per datagram (a MAC, say) appends it and then the '\n'
 * (netoops_frame_header_close()), having declared its length in
 * @ext_reserve, so that the text capacity of a part is computed from the
 * header really sent.
 */

/**
 * struct netoops_frame - one dump being cut into datagrams
 * @text:	the log text, oldest byte first
 * @total:	its length, at most NETOOPS_MAX_DUMP
 * @parts:	datagrams in one pass (set by netoops_frame_init())
 * @cap:	text bytes per datagram (set by netoops_frame_init())
 * @host:	sanitised host name (netoops_frame_sanitize())
 * @release:	sanitised kernel release
 * @boot:	boot id, 32 lowercase hex digits
 * @seq:	dump number, >= 1
 * @reason:	reason word (NETOOPS_REASON_*)
 * @sec:	wall-clock time of the dump, seconds
 * @usec:	and microseconds
 * @copies:	passes, 1..NETOOPS_MAX_COPIES
 * @max_datagram: UDP payload limit; 0 means NETOOPS_MAX_DATAGRAM
 * @ext:	extensions every datagram of the dump carries: "" or
 *		" key=value..." (NULL means "")
 * @ext_reserve: bytes of per-datagram extensions the caller appends itself
 * @cap_limit:	0, or a smaller text room another kind sent with the dump
 *		needs (parity: wire_fec.h)
 */
struct netoops_frame {
	const char *text;
	u32 total;
	u32 parts;
	u32 cap;
	char host[NETOOPS_MAX_HOST + 1];
	char release[NETOOPS_MAX_RELEASE + 1];
	char boot[NETOOPS_BOOT_ID_HEX + 1];
	u32 seq;
	const char *reason;
	u64 sec;
	u32 usec;
	u32 copies;
	u32 max_datagram;
	const char *ext;
	u32 ext_reserve;
	u32 cap_limit;
};

/* Host names travel as [A-Za-z0-9._-] (no locale: the kernel's isalnum() takes Latin-1). */
static inline bool netoops_host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Releases travel as printable ASCII except space. */
static inline bool netoops_release_char_ok(char c)
{
	return c > ' ' && c < 0x7f;
}

/*
 * Copies @src into @dst (@size bytes, at most @size - 1 characters kept),
 * every byte that @ok rejects sent as '_'; an empty @src becomes "_" (the
 * fields are never empty).
 */
static inline void netoops_frame_sanitize(char *dst, const char *src,
					  size_t size, bool (*ok)(char c))
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = ok(src[i]) ? src[i] : '_';
	if (!i)
		dst[i++] = '_';
	dst[i] = '\0';
}

static inline u32 netoops_frame_max_datagram(const struct netoops_frame *f)
{
	return f->max_datagram ? f->max_datagram : NETOOPS_MAX_DATAGRAM;
}

/*
 * The magic and identity fields 2..7 that every datagram kind starts with
 * ("Versioning and extensions"): @magic is NETOOPS_MAGIC or another kind's.
 * Return: the length written.
 */
static inline int netoops_frame_identity(const struct netoops_frame *f,
					 const char *magic, char *buf,
					 size_t size)
{
	return scnprintf(buf, size, "%s %s %s %u %s %s %llu.%06u", magic,
			 f->host, f->boot, f->seq, f->reason, f->release,
			 (unsigned long long)f->sec, f->usec);
}

/* Fields 1..10 of a text datagram's header (at most NETOOPS_MAX_HEADER - 1 bytes). */
static inline int netoops_frame_fields(const struct netoops_frame *f,
				       char *buf, size_t size, u32 part,
				       u32 offset, u32 copy)
{
	int n = netoops_frame_identity(f, NETOOPS_MAGIC, buf, size);

	return n + scnprintf(buf + n, size - n, " %u/%u %u/%u %u/%u", part,
			     f->parts, offset, f->total, copy, f->copies);
}

static inline const char *netoops_frame_ext(const struct netoops_frame *f)
{
	return f->ext ? f->ext : "";
}

/**
 * netoops_frame_header_open() - a text datagram's header line, unterminated
 * @f:		the dump
 * @buf:	where the line goes
 * @size:	size of @buf
 * @part:	index of the datagram in one pass (0 carries the newest text)
 * @offset:	where its text starts in the dump's text
 * @copy:	which pass (1..copies)
 *
 * Return: the length written: fields 1..10 and @f->ext, no '\n'.
 */
static inline int netoops_frame_header_open(const struct netoops_frame *f,
					    char *buf, size_t size, u32 part,
					    u32 offset, u32 copy)
{
	int n = netoops_frame_fields(f, buf, size, part, offset, copy);

	return n + scnprintf(buf + n, size - n, "%s", netoops_frame_ext(f));
}

/* Ends a header line of @len bytes in @buf (@size bytes); returns its length. */
static inline int netoops_frame_header_close(char *buf, size_t size, int len)
{
	return len + scnprintf(buf + len, size - len, "\n");
}

/* The whole header line of a text datagram, '\n' included. */
static inline int netoops_frame_header(const struct netoops_frame *f,
				       char *buf, size_t size, u32 part,
				       u32 offset, u32 copy)
{
	int n = netoops_frame_header_open(f, buf, size, part, offset, copy);

	return netoops_frame_header_close(buf, size, n);
}

/*
 * The text room every part of the dump has: what the longest header it can
 * have leaves, the reserved per-datagram extensions and the '\n' included,
 * at most @cap_limit. Return: the room, or 0 if the header leaves none.
 */
static inline u32 netoops_frame_capacity(struct netoops_frame *f)
{
	char line[NETOOPS_MAX_HEADER + 1];
	u32 max = netoops_frame_max_datagram(f), need;

	f->parts = NETOOPS_MAX_PARTS;
	need = netoops_frame_fields(f, line, sizeof(line),
				    NETOOPS_MAX_PARTS - 1, f->total,
				    f->copies);
	need += strlen(netoops_frame_ext(f)) + 1 + f->ext_reserve;
	if (need >= max || max > NETOOPS_MAX_DATAGRAM)
		return 0;
	if (f->cap_limit && f->cap_limit < max - need)
		return f->cap_limit;
	return max - need;
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
static inline u32 netoops_frame_prev(const struct netoops_frame *f, u32 end)
{
	u32 start, p;

	if (end <= f->cap)
		return 0;
	start = end - f->cap;
	for (p = start; p < end; p++)
		if (f->text[p - 1] == '\n')
			return p;
	return start;
}

/**
 * netoops_frame_init() - size the parts of a dump
 * @f:		the dump, its identity fields (host .. ext_reserve) already set
 * @text:	the log text
 * @total:	its length, at most NETOOPS_MAX_DUMP
 *
 * Counts the parts by walking the text once the way the sender will; the
 * sender walks it again for every pass, so no table of offsets is needed.
 *
 * Return: 0, or -1 (and no parts) when the header leaves no room or the
 * text needs more than NETOOPS_MAX_PARTS parts.
 */
static inline int netoops_frame_init(struct netoops_frame *f, const char *text,
				     u32 total)
{
	u32 end = total, parts = 0;

	f->text = text;
	f->total = total;
	f->cap = netoops_frame_capacity(f);
	f->parts = 0;
	if (!f->cap || total > NETOOPS_MAX_DUMP)
		return -1;
	while (end > 0) {
		end = netoops_frame_prev(f, end);
		if (++parts > NETOOPS_MAX_PARTS)
			return -1;
	}
	f->parts = parts ? parts : 1;
	return 0;
}

#endif /* _NETOOPS_WIRE_FRAME_H */

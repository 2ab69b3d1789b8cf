/* Userspace encoders of every format the collector reads: for tests, fuzz seeds and load generators. */
#ifndef NX_ENCODE_H
#define NX_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netoops/wire.h>
#include <netoops/wire_fec.h>
#include <netoops/wire_frame.h>

/*
 * Each encoder turns a kernel log text into the datagrams a sender would put
 * on the wire, in the order it would send them, and hands them one by one to
 * a callback (so a load generator can stream without storing) or collects
 * them into a list. Nothing here does I/O.
 */

/* Called once per datagram in send order; return non-zero to stop early. */
typedef int (*nx_emit_fn)(void *ctx, const uint8_t *dgram, size_t len);

/* A collected datagram list; free with nx_dgrams_free(). */
struct nx_dgram {
	uint8_t *data;
	size_t len;
};

struct nx_dgrams {
	struct nx_dgram *v;
	size_t n, cap;
};

void nx_dgrams_free(struct nx_dgrams *l);
/* An nx_emit_fn that appends to a struct nx_dgrams (ctx); returns -1 on ENOMEM. */
int nx_dgrams_append(void *ctx, const uint8_t *dgram, size_t len);

/* ---- this project's protocol, version 1 (docs/protocol.md) ---- */

struct nx_enc_netoops {
	const char *host;	/* sanitised like the kernel: bytes outside [A-Za-z0-9._-] -> '_' */
	const char *boot;	/* 32 lowercase hex digits */
	uint32_t dump;		/* >= 1 */
	const char *reason;	/* "oops", "panic", ... */
	const char *release;	/* sanitised: non-printable or space -> '_' */
	uint64_t time_usec;	/* wall-clock time of the dump */
	uint32_t copies;	/* passes, 1..8 (0 means 2, the module's default) */
	size_t max_datagram;	/* 0 means NETOOPS_MAX_DATAGRAM */
	const char *ext;	/* extensions on every datagram: NULL, or " key=value..." */
	uint32_t fec_pct;	/* parity per 100 parts after the passes (0: none), at most 100 */
};

/*
 * Frame TEXT (LEN bytes, the dump's text in log order) with netoops.ko's own
 * code (include/netoops/wire_frame.h, called as kmod/dump.c calls it): every
 * part has the room the longest possible header (extensions included)
 * leaves; going back from the end, a part starts at the earliest record
 * start inside its window (a record with no start inside the window is
 * split at the window's edge); part 0 holds the newest text; each pass
 * sends parts 0..N-1; with fec_pct, the parity datagrams (NETOOPSP) follow
 * the passes, made by the module's encoder (include/netoops/wire_fec.h).
 * Returns the number of parts N, or -1 on bad input
 * (text over NETOOPS_MAX_DUMP, more than NETOOPS_MAX_PARTS parts, bad id).
 */
int nx_encode_netoops(const struct nx_enc_netoops *id, const char *text, size_t len,
		      nx_emit_fn emit, void *ctx);

/* ---- legacy netoops v3 (RHEL 6 patch) ---- */

struct nx_enc_legacy {
	uint16_t dump_id;
	uint32_t boot_id;
	uint16_t type;		/* NETOOPS_V3_TYPE_DUMP or NETOOPS_V3_TYPE_SOFT */
	const char *release;	/* copied into the 64-byte field, NUL-padded (not terminated if 64) */
	uint16_t data_offset;	/* 388 (x86_64, 0 means this), 288 (i386), 84, 88 or 256 */
	uint32_t passes;	/* 0 means 3, like the patch */
	size_t split;		/* ring wrap point: 0 = one segment, else first segment's length */
};

/*
 * Frame TEXT the way the legacy patch did: the log as one or two segments
 * (split at SPLIT), each cut into 1024-byte chunks from its start, the last
 * chunk of a segment zero-padded; packet_no 0 is the newest chunk; the whole
 * sequence sent PASSES times. Returns the packet count per pass, or -1.
 */
int nx_encode_legacy_v3(const struct nx_enc_legacy *id, const char *text, size_t len,
			nx_emit_fn emit, void *ctx);

/* ---- netconsole ---- */

struct nx_enc_netconsole {
	uint64_t first_seq;	/* printk sequence number of the first record */
	uint64_t ts_usec;	/* timestamp of the first record; + 1000 per record */
	int level;		/* syslog prefix (facility << 3 | level); 0 means 4 */
	const char *release;	/* extended only: prepended "<release>," when non-NULL */
	const char *dict;	/* extended only: dictionary lines (" KEY=val\n"...) added to each record */
	size_t max_payload;	/* 0 means 1000, netconsole's MAX_PRINT_CHUNK */
};

/*
 * Extended format: one record per text line (a leading "[ sec.usec] " printk
 * stamp becomes the record's ts_usec; otherwise ts_usec + 1000 per record),
 * escaped like /dev/kmsg (bytes < 0x20, >= 0x7f and '\\' as \xNN), and
 * fragmented with ",ncfrag=<off>/<total>" when over max_payload.
 * Returns the number of records, or -1.
 */
int nx_encode_nc_extended(const struct nx_enc_netconsole *id, const char *text, size_t len,
			  nx_emit_fn emit, void *ctx);

/* Basic format: each line (with its '\n') as its own datagram, cut at max_payload. */
int nx_encode_nc_basic(const struct nx_enc_netconsole *id, const char *text, size_t len,
		       nx_emit_fn emit, void *ctx);

#endif

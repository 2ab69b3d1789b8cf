/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The netoops wire format, version 1: constants shared by netoops.ko and netoopsd. */
#ifndef _NETOOPS_WIRE_H
#define _NETOOPS_WIRE_H

/*
 * docs/protocol.md is the specification; this header only names its numbers
 * so that the kernel module and the collector cannot drift apart.
 *
 * A datagram is one ASCII header line, then text:
 *
 *   NETOOPS1 <host> <boot> <dump> <reason> <release> <sec>.<usec>
 *            <part>/<parts> <offset>/<total> <copy>/<copies>[ <key>=<value>...]\n
 *   <text bytes of the kernel log>
 *
 * (one line on the wire; wrapped here for reading). Part 0 carries the
 * newest text; <offset> places the text inside the dump.
 */

#define NETOOPS_MAGIC		"NETOOPS1"
#define NETOOPS_MAGIC_LEN	8

#define NETOOPS_DEFAULT_PORT	2004

/* Whole UDP payload: fits a 1500-byte MTU under IPv6 (40) + UDP (8) with room. */
#define NETOOPS_MAX_DATAGRAM	1400
/* The longest header a sender may emit (without extension fields). */
#define NETOOPS_MAX_HEADER	256

#define NETOOPS_MAX_HOST	64	/* [A-Za-z0-9._-], others sent as '_' */
#define NETOOPS_MAX_RELEASE	64	/* printable, no space; others as '_' */
#define NETOOPS_BOOT_ID_HEX	32	/* 128-bit id, lowercase hex */
#define NETOOPS_MAX_PARTS	65535
#define NETOOPS_MAX_DUMP	(32u << 20)	/* total text bytes of one dump */
#define NETOOPS_MAX_COPIES	8

/* Reasons, as they travel (lowercase words). */
#define NETOOPS_REASON_OOPS	"oops"
#define NETOOPS_REASON_PANIC	"panic"
#define NETOOPS_REASON_OOM	"oom"
#define NETOOPS_REASON_TEST	"test"
#define NETOOPS_REASON_EMERG	"emerg"
#define NETOOPS_REASON_SHUTDOWN	"shutdown"

/*
 * Legacy netoops "version 3" (the RHEL 6 patch), decoded by the collector
 * only. Little-endian, no magic; see docs/protocol.md, section "Legacy v3".
 */
#define NETOOPS_V3_VERSION		3
#define NETOOPS_V3_HDR_X86_64		388
#define NETOOPS_V3_HDR_I386		288
#define NETOOPS_V3_DATA_LEN		1024
#define NETOOPS_V3_DATAGRAM_X86_64	(NETOOPS_V3_HDR_X86_64 + NETOOPS_V3_DATA_LEN)
#define NETOOPS_V3_DATAGRAM_I386	(NETOOPS_V3_HDR_I386 + NETOOPS_V3_DATA_LEN)
#define NETOOPS_V3_OFF_VERSION		0
#define NETOOPS_V3_OFF_DUMP_ID		2
#define NETOOPS_V3_OFF_DATA_OFFSET	4
#define NETOOPS_V3_OFF_ARCH		6
#define NETOOPS_V3_OFF_ARCH_OFFSET	8
#define NETOOPS_V3_OFF_TYPE		10
#define NETOOPS_V3_OFF_PACKET_COUNT	12
#define NETOOPS_V3_OFF_PACKET_NO	16
#define NETOOPS_V3_OFF_BOOT_ID		20
#define NETOOPS_V3_OFF_RELEASE		24
#define NETOOPS_V3_RELEASE_LEN		64
#define NETOOPS_V3_OFF_USER_BLOB	88
#define NETOOPS_V3_USER_BLOB_LEN	128
#define NETOOPS_V3_TYPE_DUMP		1
#define NETOOPS_V3_TYPE_SOFT		3

#endif /* _NETOOPS_WIRE_H */

/* Reassembly: datagrams of any supported format in, whole dumps out; time is passed in. */
#ifndef NX_REASM_H
#define NX_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/decode/packet.h"

struct nx_reasm;

struct nx_reasm_limits {
	size_t max_bytes;		/* all partial dumps together (text + bookkeeping) */
	size_t max_dumps;		/* partial dumps held at once */
	uint32_t quiet_ms;		/* emit a dump incomplete after this long without news */
	uint32_t netconsole_quiet_ms;	/* cut a netconsole stream after this long */
	size_t max_dump_bytes;		/* text of one dump or stream chunk; 0: max_bytes / 4 */
	uint64_t hash_seed;		/* key of the table's hash (random in the daemon); 0 is valid */
};

/* A byte range [start, end) of a dump's text that never arrived. */
struct nx_range {
	uint32_t start, end;
};

/* One reassembled dump; owned by the caller once nx_reasm_next() returns it. */
struct nx_dump {
	enum nx_format format;
	char source[NX_SOURCE_MAX];		/* sender address as text, "ip:port" */
	char host[NX_HOST_MAX + 1];		/* from the packets; "" when the format has none */
	char boot[NX_BOOT_MAX + 1];		/* boot id as text; "" when none */
	uint32_t dump;				/* dump number (netoops), dump_id (legacy), 0 */
	char reason[NX_REASON_MAX + 1];		/* "oops", "panic", ...; "unknown" */
	char release[NX_RELEASE_MAX + 1];	/* kernel release; "" when unknown */
	uint64_t time_usec;			/* sender's dump time, 0 if unknown */
	uint64_t first_ms, last_ms;		/* receiver time of first and last datagram */
	bool complete;
	uint32_t parts, parts_received;		/* 0/0 for netconsole */
	char *text;				/* NUL-terminated, text_len bytes */
	size_t text_len;
	struct nx_range *missing;		/* byte ranges of text that are absent */
	size_t n_missing;
	bool authenticated;			/* every datagram placed had a valid MAC */
};

struct nx_reasm_stats {
	uint64_t datagrams;			/* fed in */
	uint64_t accepted;
	uint64_t duplicates;
	uint64_t malformed;			/* by any decoder, or inconsistent with its dump */
	uint64_t over_limit;			/* dropped: a limit would be exceeded */
	uint64_t evicted;			/* partial dumps flushed early at the memory bound */
	uint64_t shed;				/* first datagrams of new dumps dropped by admission */
	uint64_t complete;			/* dumps emitted complete */
	uint64_t incomplete;			/* dumps emitted incomplete (timeout or eviction) */
	uint64_t by_format[NX_FORMAT_COUNT];	/* accepted datagrams per format */
	uint64_t fec_parity;			/* parity datagrams accepted (also in accepted) */
	uint64_t fec_recovered;			/* parts rebuilt from parity */
	uint64_t fec_rejected;			/* rebuilt blocks or dumps that failed their CRC */
};

enum nx_feed_result {
	NX_FEED_ACCEPTED,
	NX_FEED_DUPLICATE,
	NX_FEED_MALFORMED,
	NX_FEED_OVER_LIMIT,
	NX_FEED_SHED,		/* a new dump's first datagram, dropped by admission */
};

struct nx_reasm *nx_reasm_new(const struct nx_reasm_limits *limits);
void nx_reasm_free(struct nx_reasm *r);

/* Decode one datagram from SOURCE ("ip:port") received at NOW_MS and place it. */
enum nx_feed_result nx_reasm_feed(struct nx_reasm *r, const char *source,
				  const uint8_t *buf, size_t len, uint64_t now_ms);

/*
 * nx_reasm_feed() of a datagram whose MAC the caller verified (AUTHENTICATED)
 * or not: a dump is authenticated when every datagram placed into it was.
 */
enum nx_feed_result nx_reasm_feed_auth(struct nx_reasm *r, const char *source,
				       const uint8_t *buf, size_t len, uint64_t now_ms,
				       bool authenticated);

/* Close every dump quiet since before NOW_MS - quiet; they become ready. */
void nx_reasm_expire(struct nx_reasm *r, uint64_t now_ms);

/* Close everything now (shutdown): all partial dumps become ready. */
void nx_reasm_flush(struct nx_reasm *r, uint64_t now_ms);

/*
 * Admission, for when the receiver falls behind a flood: while set, a
 * datagram that would open a new partial dump opens it only if TRUSTED(CTX,
 * SOURCE, HOST) says its sender is known, or when it is the second datagram
 * seen for that dump; the first is dropped and counted as `shed` (a sender's
 * redundancy pass brings it back). Fakes of one datagram each then cost no
 * entry. TRUSTED NULL: admit everything (the default). -1 on ENOMEM.
 */
typedef bool (*nx_reasm_trust_fn)(void *ctx, const char *source, const char *host);
int nx_reasm_set_admission(struct nx_reasm *r, nx_reasm_trust_fn trusted, void *ctx);

/* Next finished dump (complete or not), or NULL. Free with nx_dump_free(). */
struct nx_dump *nx_reasm_next(struct nx_reasm *r);
void nx_dump_free(struct nx_dump *d);

/* Milliseconds until the next expiry is due, or -1 if nothing is pending. */
int64_t nx_reasm_next_deadline(const struct nx_reasm *r, uint64_t now_ms);

const struct nx_reasm_stats *nx_reasm_stats(const struct nx_reasm *r);

/* Bytes held by partial dumps now (what limits.max_bytes bounds), and how many there are. */
size_t nx_reasm_bytes(const struct nx_reasm *r);
size_t nx_reasm_pending(const struct nx_reasm *r);

#endif

/* Numbers from options and config files: counts, sizes, seconds, ports; one parser each. */
#ifndef NX_NUMPARSE_H
#define NX_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Results: 0, or what is wrong. */
enum { NX_PARSE_OK = 0, NX_PARSE_SYNTAX = -1, NX_PARSE_RANGE = -2 };

/* Decimal digits only (no sign, space, "0x" or suffix), the value in [MIN, MAX]. */
int nx_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * A byte count: digits, then optionally K, M, G or T (powers of 1024), then optionally B or
 * iB, in any case ("4096", "64M", "64MiB", "1gb"); the value in [MIN, MAX]. No overflow:
 * a value that does not fit is out of range.
 */
int nx_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Seconds, with at most 3 decimals ("30", "0.5"), as milliseconds in [MIN_MS, MAX_MS]. */
int nx_parse_seconds(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out_ms);

/* A port number, 1 to 65535. */
int nx_parse_port(const char *s, uint16_t *out);

/* What a number is, for nx_parse_num(). */
enum nx_num_kind { NX_NUM_COUNT, NX_NUM_SIZE, NX_NUM_SECONDS, NX_NUM_PORT };

/* One numeric option or setting. */
struct nx_num {
	const char *name;		/* in messages: "--limit", "rcvbuf" */
	enum nx_num_kind kind;
	uint64_t min, max;		/* bytes for sizes, ms for seconds; unused for ports */
	const char *example;		/* a valid value for the message, e.g. "64M" */
};

/*
 * Parse TEXT as N says into *OUT. On failure returns NX_PARSE_SYNTAX or NX_PARSE_RANGE with
 * a message in MSG saying what to write instead, e.g. "rcvbuf: 18014398509481992K is out of
 * range (4K to 1G)".
 */
int nx_parse_num(const struct nx_num *n, const char *text, uint64_t *out,
		 char *msg, size_t msglen);

/* V bytes as the largest unit that divides it: "1G", "4K", "1000". Returns BUF. */
const char *nx_format_size(uint64_t v, char *buf, size_t len);

#endif

/* A byte encoding of an nx_report_set, for analysis results crossing a process boundary (pure code). */
#ifndef NX_REPORT_WIRE_H
#define NX_REPORT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "core/analyse/analyse.h"

/*
 * The analysis worker (src/netoopsd/analyst.c) sends its results to the
 * daemon in this encoding. The decoder treats its input as hostile: a
 * compromised worker must not crash the daemon or make it allocate much
 * more than the bytes it was sent (every count is checked against the bytes
 * left before anything is allocated) or hand it a report that breaks the
 * invariants nx_analyse() gives (strings without NUL bytes, titles, types
 * and frame functions present, byte ranges inside the analysed text).
 *
 * Layout, little endian: "NXRW", u8 version, u32 report count, then per
 * report its strings (u32 length + bytes; 0xffffffff = NULL), flags, taint
 * mask, cpu/pid/die counter, text range, frames and modules (docs/netoopsd.md,
 * "Fault containment").
 */

#define NX_WIRE_VERSION 1

/*
 * The largest reply the daemon reads for a text of TEXT_LEN bytes. Real
 * analyses encode to less than their text; the densest text the analyser's
 * caps allow (4096 reports, each with 1024 one-letter modules) to under 5
 * times its size (tests/unit/test_report_wire.c checks both); a reply beyond
 * this comes from a broken worker.
 */
#define NX_WIRE_MAX(text_len) ((size_t)(1u << 20) + 8 * (size_t)(text_len))

/*
 * Encode SET (NULL: no reports) into a new buffer; *LEN gets its size.
 * NULL only on ENOMEM.
 */
uint8_t *nx_report_wire_encode(const struct nx_report_set *set, size_t *len);

/*
 * Decode BUF[0..LEN) into a new set (free with nx_report_set_free()), for an
 * analysed text of TEXT_LEN bytes. NULL on malformed or oversized input
 * (ERR says why) or on ENOMEM.
 */
struct nx_report_set *nx_report_wire_decode(const uint8_t *buf, size_t len, size_t text_len,
					    char *err, size_t errlen);

#endif

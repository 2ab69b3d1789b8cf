/* Small helpers netoopsctl's commands share: error messages, monotonic time, terminal-safe text. */
#ifndef NXCTL_CTLUTIL_H
#define NXCTL_CTLUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/numparse.h"

/* Format a message into ERR (ERRLEN bytes), like snprintf. */
void nx_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Milliseconds of CLOCK_MONOTONIC. */
long long nx_now_ms(void);

void nx_sleep_ms(int ms);

/*
 * S[0..LEN) made safe to print, escaped by FLAGS of core/escape.h (NX_ESC_LINE for raw
 * bytes; NX_ESC_CONTROL for text that came as JSON, whose invalid bytes are escaped
 * already). The string stays valid for the next 15 calls; S NULL gives "-".
 */
const char *nxctl_tty(const char *s, size_t len, unsigned flags);

/* The same for a C string. */
const char *nxctl_tty_str(const char *s, unsigned flags);

/* V as JSON (json_dumps FLAGS) and a newline on stdout, DEL and C1 controls as \u00XX
 * (core/escape.h, nx_json_tty). 0, or -1 on error. */
int nxctl_print_json(json_t *v, size_t flags);

/* nx_parse_num() with its message on stderr ("netoopsctl: ..."); 0 or -1. */
int nxctl_parse_num(const struct nx_num *n, const char *text, uint64_t *out);

/* ADDR of an HTTP API option WHAT (e.g. "--daemon"): a port after it must be 1 to 65535.
 * 0, or -1 with a message on stderr. */
int nxctl_check_daemon(const char *what, const char *addr);

#endif

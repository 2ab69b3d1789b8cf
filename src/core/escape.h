/* Escaping bytes from the network for JSON and terminals: one convention, one function. */
#ifndef NX_ESCAPE_H
#define NX_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The convention (docs/netoopsd.md, "Escaping"): a byte that must not be shown as it is
 * becomes the four characters \xNN (NN lower-case hex), as the kernel's /dev/kmsg writes
 * unprintable bytes. Always escaped: a NUL and every byte that is not part of valid UTF-8
 * (overlong forms, surrogates and code points over U+10FFFF are invalid). The flags add:
 */
enum {
	/* The input is raw bytes: a '\' that starts "\xHH" becomes \x5c, so nx_unescape()
	 * gives the input back exactly. Leave it out for text that is escaped already. */
	NX_ESC_RAW = 1,
	/* Also escape C0 controls, DEL and C1 controls (U+0080..U+009F, both bytes). */
	NX_ESC_CONTROL = 2,
	/* With NX_ESC_CONTROL: keep '\n' and '\t' (multi-line text). */
	NX_ESC_KEEP_NL_TAB = 4,
};

#define NX_ESC_JSON	NX_ESC_RAW				/* a JSON string */
#define NX_ESC_LINE	(NX_ESC_RAW | NX_ESC_CONTROL)		/* one line on a terminal */
#define NX_ESC_TEXT	(NX_ESC_LINE | NX_ESC_KEEP_NL_TAB)	/* multi-line text */

/*
 * Escape IN[0..LEN) by FLAGS into OUT (CAP bytes, always NUL-terminated when CAP > 0;
 * cut before a whole escape or character that does not fit). Returns the length the whole
 * output needs (without the NUL), like snprintf. The output is valid UTF-8 without NUL.
 */
size_t nx_escape(const char *in, size_t len, unsigned flags, char *out, size_t cap);

/* The same into a new string (free() it); its length in *OUTLEN if not NULL. NULL: no memory. */
char *nx_escape_dup(const char *in, size_t len, unsigned flags, size_t *outlen);

/* Write IN[0..LEN) escaped by FLAGS to F, in pieces (no allocation). 0, or -1 on error. */
int nx_escape_write(FILE *f, const char *in, size_t len, unsigned flags);

/* True when nx_escape(IN, LEN, FLAGS) would return IN unchanged. */
bool nx_escape_clean(const char *in, size_t len, unsigned flags);

/* Undo the escapes: every "\xHH" becomes the byte HH. OUT has room for LEN bytes;
 * returns the output length (no NUL added). */
size_t nx_unescape(const char *in, size_t len, char *out);

/*
 * JSON text (as jansson writes it: C0 controls escaped already) with DEL and C1 controls
 * written \u007f, \u0080..\u009f too: the same values, safe on a terminal. A new string
 * (free() it), its length in *OUTLEN if not NULL; NULL when out of memory.
 */
char *nx_json_tty(const char *json, size_t len, size_t *outlen);

/* Length of the valid UTF-8 character at P (1 to 4 of the N bytes), or 0 if invalid. */
size_t nx_utf8_char(const unsigned char *p, size_t n);

#endif

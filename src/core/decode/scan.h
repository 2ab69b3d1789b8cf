/* Bounded scanning helpers shared by the decoders: strict decimal numbers and character classes. */
#ifndef NX_SCAN_H
#define NX_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Parse exactly N bytes at P as an unsigned decimal without sign or leading
 * zeros (except "0" itself), not above MAX. Returns false on any deviation.
 */
static inline bool nx_scan_dec(const uint8_t *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && p[0] == '0'))
		return false;
	if (n < 20) {		/* at most 19 digits: cannot overflow, no division per digit */
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return false;
			v = v * 10 + (unsigned)(p[i] - '0');
		}
		if (v > max)
			return false;
		*out = v;
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		unsigned d = p[i] - '0';

		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Like nx_scan_dec, but leading zeros are allowed (netconsole's numbers are plain %u). */
static inline bool nx_scan_dec_lax(const uint8_t *p, size_t n, uint64_t max, uint64_t *out)
{
	while (n > 1 && p[0] == '0') {
		p++;
		n--;
	}
	return nx_scan_dec(p, n, max, out);
}

static inline bool nx_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* printable ASCII except space */
static inline bool nx_is_graph(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/* Offset of the first byte C in [p, p + n), or n (memchr: the receive path's hottest scan). */
static inline size_t nx_scan_to(const uint8_t *p, size_t n, uint8_t c)
{
	const uint8_t *q = n ? memchr(p, c, n) : NULL;

	return q ? (size_t)(q - p) : n;
}

#endif

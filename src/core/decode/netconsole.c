/* Decoder for netconsole datagrams: the extended (/dev/kmsg-style) header, else basic plain text. */
#include "core/decode/packet.h"
#include "core/decode/scan.h"

#include <string.h>

/* ncrx's bound: the header ends with ';' within this many bytes. */
#define NC_HEADER_MAX 1024

struct cursor {
	const uint8_t *p;
	size_t n;		/* header length, up to (excluding) ';' */
	size_t pos;
};

/* The next ','-separated field of the header. */
static void next_field(struct cursor *c, const uint8_t **f, size_t *len)
{
	size_t end = c->pos + nx_scan_to(c->p + c->pos, c->n - c->pos, ',');

	*f = c->p + c->pos;
	*len = end - c->pos;
	c->pos = end + 1;
}

static bool more(const struct cursor *c)
{
	return c->pos <= c->n;
}

static bool all_digits(const uint8_t *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!nx_is_digit(f[i]))
			return false;
	return true;
}

/* "[release,]prefix,seq,ts,flag": false if this is not an extended header. */
static bool fixed_fields(struct cursor *c, struct nx_packet *out)
{
	const uint8_t *f;
	size_t n;
	uint64_t v;

	next_field(c, &f, &n);
	if (n > 0 && !all_digits(f, n)) {
		/* netconsole's "release" option prepends uname -r */
		if (n > NX_RELEASE_MAX || !more(c))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!nx_is_graph(f[i]))
				return false;
		memcpy(out->release, f, n);
		out->release[n] = '\0';
		next_field(c, &f, &n);
	}
	if (!more(c) || !nx_scan_dec_lax(f, n, 1023, &v))
		return false;
	out->nc_level = (int)(v & 7);
	next_field(c, &f, &n);
	if (!more(c) || !nx_scan_dec_lax(f, n, UINT64_MAX, &out->nc_seq))
		return false;
	next_field(c, &f, &n);
	if (!more(c) || !nx_scan_dec_lax(f, n, UINT64_MAX, &out->nc_usec))
		return false;
	next_field(c, &f, &n);
	if (n != 1 || (f[0] != '-' && f[0] != 'c' && f[0] != '+'))
		return false;
	out->nc_flag = (char)f[0];
	out->nc_cont = f[0] == 'c';
	return true;
}

#define BAD(msg) do { *why = "netconsole: " msg; return -1; } while (0)

/* Optional ",key=value" fields; only ncfrag matters here. */
static int options(struct cursor *c, struct nx_packet *out, const char **why)
{
	const uint8_t *f;
	size_t n;

	while (c->pos < c->n) {
		next_field(c, &f, &n);
		size_t eq = nx_scan_to(f, n, '=');

		if (eq == 0 || eq == n)
			BAD("bad header option");
		if (eq != 6 || memcmp(f, "ncfrag", 6))
			continue;	/* caller=, ncemg=, ... */
		if (out->nc_frag)
			BAD("duplicate ncfrag");

		const uint8_t *v = f + 7;
		size_t vn = n - 7, slash = nx_scan_to(v, vn, '/');
		uint64_t off, total;

		if (slash == vn || !nx_scan_dec_lax(v, slash, NX_NC_RECORD_MAX, &off) ||
		    !nx_scan_dec_lax(v + slash + 1, vn - slash - 1, NX_NC_RECORD_MAX, &total))
			BAD("bad ncfrag");
		if (total == 0 || off >= total)
			BAD("ncfrag offset outside the record");
		out->nc_frag = true;
		out->nc_frag_off = (uint32_t)off;
		out->nc_frag_total = (uint32_t)total;
	}
	return 0;
}

/*
 * Console output is text (UTF-8 allowed): no NUL, and few control bytes.
 * Binary noise is refused rather than stored as somebody's console.
 */
static bool looks_like_text(const uint8_t *p, size_t n)
{
	size_t ctl = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0)
			return false;
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t' && p[i] != '\r') || p[i] == 0x7f)
			ctl++;
	}
	return ctl * 8 <= n;
}

int nx_decode_netconsole(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (len == 0) {
		out->format = NX_FMT_NC_BASIC;
		BAD("empty datagram");
	}
	size_t semi = nx_scan_to(buf, len < NC_HEADER_MAX ? len : NC_HEADER_MAX, ';');
	struct cursor c = { .p = buf, .n = semi };

	if (semi < len && semi < NC_HEADER_MAX && !memchr(buf, '\n', semi) &&
	    fixed_fields(&c, out)) {
		out->format = NX_FMT_NC_EXTENDED;
		if (options(&c, out, why))
			return -1;
		out->text = buf + semi + 1;
		out->text_len = len - semi - 1;
		if (out->nc_frag &&
		    (uint64_t)out->nc_frag_off + out->text_len > out->nc_frag_total)
			BAD("ncfrag runs past its total");
		return 0;
	}
	memset(out, 0, sizeof(*out));
	out->format = NX_FMT_NC_BASIC;
	if (!looks_like_text(buf, len))
		BAD("binary datagram in no known format");
	out->text = buf;
	out->text_len = len;
	return 0;
}

static int hexval(uint8_t c)
{
	if (nx_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t nx_nc_unescape(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\\' && i + 3 < len && in[i + 1] == 'x' &&
		    hexval(in[i + 2]) >= 0 && hexval(in[i + 3]) >= 0) {
			out[o++] = (char)(hexval(in[i + 2]) << 4 | hexval(in[i + 3]));
			i += 3;
		} else {
			out[o++] = (char)in[i];
		}
	}
	return o;
}

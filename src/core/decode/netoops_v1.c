/* Decoder for this project's datagrams (docs/protocol.md): a strict header line, then text. */
#include "core/decode/packet.h"
#include "core/decode/scan.h"

#include <netoops/wire_fec.h>
#include <netoops/wire_frame.h>

#include <string.h>

/* A cursor over the header line: fields separated by single spaces. */
struct hdr {
	const uint8_t *p;
	size_t n, pos;
	bool last;		/* the field just taken ended the line */
};

/* Take the next field; false if the line ended before it. */
static bool field(struct hdr *h, const uint8_t **f, size_t *len)
{
	size_t i;

	if (h->last)
		return false;
	i = h->pos + nx_scan_to(h->p + h->pos, h->n - h->pos, ' ');
	*f = h->p + h->pos;
	*len = i - h->pos;
	h->last = i >= h->n;
	h->pos = i + 1;
	return *len > 0;
}

/* The charsets are the sender's own (include/netoops/wire_frame.h). */
static bool host_ok(const uint8_t *f, size_t n)
{
	if (n < 1 || n > NETOOPS_MAX_HOST)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!netoops_host_char_ok((char)f[i]))
			return false;
	return true;
}

static bool boot_ok(const uint8_t *f, size_t n)
{
	if (n != NETOOPS_BOOT_ID_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!nx_is_digit(f[i]) && !(f[i] >= 'a' && f[i] <= 'f'))
			return false;
	return true;
}

static bool reason_ok(const uint8_t *f, size_t n)
{
	static const char *const reasons[] = {
		NETOOPS_REASON_OOPS, NETOOPS_REASON_PANIC, NETOOPS_REASON_OOM,
		NETOOPS_REASON_TEST, NETOOPS_REASON_EMERG, NETOOPS_REASON_SHUTDOWN,
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strlen(reasons[i]) == n && !memcmp(reasons[i], f, n))
			return true;
	return false;
}

static bool release_ok(const uint8_t *f, size_t n)
{
	if (n < 1 || n > NETOOPS_MAX_RELEASE)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!netoops_release_char_ok((char)f[i]))
			return false;
	return true;
}

/* "<seconds>.<6 digits>" */
static bool time_ok(const uint8_t *f, size_t n, uint64_t *usec)
{
	uint64_t sec, frac;

	if (n < 8 || f[n - 7] != '.')
		return false;
	if (!nx_scan_dec(f, n - 7, UINT64_MAX / 1000000 - 1, &sec))
		return false;
	for (size_t i = n - 6; i < n; i++)
		if (!nx_is_digit(f[i]))
			return false;
	frac = 0;
	for (size_t i = n - 6; i < n; i++)
		frac = frac * 10 + (uint64_t)(f[i] - '0');
	*usec = sec * 1000000 + frac;
	return true;
}

/* "<a>/<b>" with a <= amax, b <= bmax */
static bool pair_ok(const uint8_t *f, size_t n, uint64_t amax, uint64_t bmax, uint32_t *a,
		    uint32_t *b)
{
	size_t slash = nx_scan_to(f, n, '/');
	uint64_t x, y;

	if (slash == n || !nx_scan_dec(f, slash, amax, &x) ||
	    !nx_scan_dec(f + slash + 1, n - slash - 1, bmax, &y))
		return false;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	return true;
}

static bool extension_ok(const uint8_t *f, size_t n)
{
	size_t eq = nx_scan_to(f, n, '=');

	if (eq == 0 || eq == n)
		return false;
	for (size_t i = 0; i < eq; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || nx_is_digit(f[i]) || f[i] == '_'))
			return false;
	for (size_t i = eq + 1; i < n; i++)
		if (!nx_is_graph(f[i]))
			return false;
	return true;
}

static void copy_field(char *dst, const uint8_t *f, size_t n)
{
	memcpy(dst, f, n);
	dst[n] = '\0';
}

#define BAD(msg) do { *why = "netoops: " msg; return -1; } while (0)

/* Identity fields 2..7: host boot dump reason release time. */
static int identity(struct hdr *h, struct nx_packet *out, const char **why)
{
	const uint8_t *f;
	size_t n;
	uint64_t v;

	if (!field(h, &f, &n) || !host_ok(f, n))
		BAD("bad host");
	copy_field(out->host, f, n);
	if (!field(h, &f, &n) || !boot_ok(f, n))
		BAD("bad boot id");
	copy_field(out->boot, f, n);
	if (!field(h, &f, &n) || !nx_scan_dec(f, n, UINT32_MAX, &v) || v == 0)
		BAD("bad dump number");
	out->dump = (uint32_t)v;
	if (!field(h, &f, &n) || !reason_ok(f, n))
		BAD("bad reason");
	copy_field(out->reason, f, n);
	if (!field(h, &f, &n) || !release_ok(f, n))
		BAD("bad release");
	copy_field(out->release, f, n);
	if (!field(h, &f, &n) || !time_ok(f, n, &out->time_usec))
		BAD("bad time");
	return 0;
}

/* Position fields 8..10: part/parts offset/total copy/copies. */
static int position(struct hdr *h, struct nx_packet *out, const char **why)
{
	const uint8_t *f;
	size_t n;

	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_MAX_PARTS, NETOOPS_MAX_PARTS, &out->part, &out->parts) ||
	    out->part >= out->parts)
		BAD("bad part/parts");
	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_MAX_DUMP, NETOOPS_MAX_DUMP, &out->offset, &out->total) ||
	    out->offset > out->total)
		BAD("bad offset/total");
	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_MAX_COPIES, NETOOPS_MAX_COPIES, &out->copy, &out->copies) ||
	    out->copy < 1 || out->copy > out->copies)
		BAD("bad copy/copies");
	return 0;
}

/* Extensions after the kind's own fields, up to the end of the line. */
static int extensions(struct hdr *h, const char **why)
{
	const uint8_t *f;
	size_t n;

	while (!h->last) {
		if (!field(h, &f, &n) || !extension_ok(f, n))
			BAD("bad extension field");
	}
	return 0;
}

/* Kind '1', the text datagram: fields 2..10, extensions, the dump's text. */
static int decode_text(const uint8_t *buf, size_t len, size_t eol, struct nx_packet *out,
		       const char **why)
{
	struct hdr h = { .p = buf, .n = eol, .pos = NETOOPS_MAGIC_LEN + 1 };

	/*
	 * The fields' own bounds keep the fixed header under 256 bytes (at
	 * most 248 with the longest host, release and time), so checking them
	 * is checking the header's length; extensions may follow.
	 */
	if (identity(&h, out, why) || position(&h, out, why) || extensions(&h, why))
		return -1;
	out->text = buf + eol + 1;
	out->text_len = len - eol - 1;
	if ((uint64_t)out->offset + out->text_len > out->total)
		BAD("text runs past total");
	return 0;
}

/* 8 lowercase hex digits. */
static bool crc_ok(const uint8_t *f, size_t n, uint32_t *v)
{
	uint32_t x = 0;

	if (n != 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (nx_is_digit(f[i]))
			x = x << 4 | (uint32_t)(f[i] - '0');
		else if (f[i] >= 'a' && f[i] <= 'f')
			x = x << 4 | (uint32_t)(f[i] - 'a' + 10);
		else
			return false;
	}
	*v = x;
	return true;
}

/*
 * The block structure must be one the code has: every block at most
 * NETOOPS_FEC_MAX_K data shards (this bounds the decoder's work), and k + m
 * Cauchy rows in the field.
 */
static bool blocks_ok(const struct nx_packet *p)
{
	if (p->fec_blocks < 1 || p->fec_blocks > p->parts || p->fec_block >= p->fec_blocks)
		return false;
	if (netoops_fec_k(p->parts, p->fec_blocks, 0) > NETOOPS_FEC_MAX_K)
		return false;
	uint32_t k = netoops_fec_k(p->parts, p->fec_blocks, p->fec_block);

	return p->fec_m >= 1 && p->fec_row < p->fec_m && k + p->fec_m <= NETOOPS_FEC_MAX_ROWS;
}

/* Fields 8..12 of a parity datagram: parts/total block/blocks row/m bcrc dcrc. */
static int parity_fields(struct hdr *h, struct nx_packet *out, const char **why)
{
	const uint8_t *f;
	size_t n;

	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_MAX_PARTS, NETOOPS_MAX_DUMP, &out->parts, &out->total) ||
	    out->parts == 0)
		BAD("parity: bad parts/total");
	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_MAX_PARTS, NETOOPS_MAX_PARTS, &out->fec_block, &out->fec_blocks))
		BAD("parity: bad block/blocks");
	if (!field(h, &f, &n) ||
	    !pair_ok(f, n, NETOOPS_FEC_MAX_ROWS, NETOOPS_FEC_MAX_ROWS, &out->fec_row, &out->fec_m))
		BAD("parity: bad row/m");
	if (!blocks_ok(out))
		BAD("parity: block structure outside the code");
	if (!field(h, &f, &n) || !crc_ok(f, n, &out->fec_bcrc))
		BAD("parity: bad block checksum");
	if (!field(h, &f, &n) || !crc_ok(f, n, &out->fec_dcrc))
		BAD("parity: bad dump checksum");
	return 0;
}

/* Kind 'P', a parity shard: identity, fields 8..12, extensions, the shard. */
static int decode_parity(const uint8_t *buf, size_t len, size_t eol, struct nx_packet *out,
			 const char **why)
{
	struct hdr h = { .p = buf, .n = eol, .pos = NETOOPS_MAGIC_LEN + 1 };

	out->kind = NX_KIND_PARITY;
	if (identity(&h, out, why) || parity_fields(&h, out, why) || extensions(&h, why))
		return -1;
	out->text = buf + eol + 1;
	out->text_len = len - eol - 1;
	if (out->text_len <= NETOOPS_FEC_PREFIX)
		BAD("parity: shard too short");
	return 0;
}

/*
 * The datagram kinds, by the byte after "NETOOPS" (docs/protocol.md,
 * "Versioning and extensions", registry). Any other byte is a kind or a
 * version this receiver does not know: malformed, never netconsole text.
 */
static const struct {
	char kind;
	int (*decode)(const uint8_t *buf, size_t len, size_t eol, struct nx_packet *out,
		      const char **why);
} kinds[] = {
	{ NETOOPS_MAGIC[NETOOPS_MAGIC_LEN - 1], decode_text },
	{ NETOOPS_FEC_MAGIC[NETOOPS_MAGIC_LEN - 1], decode_parity },
};

int nx_decode_netoops(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why)
{
	size_t k = 0;

	if (len < NETOOPS_MAGIC_LEN || memcmp(buf, "NETOOPS", NETOOPS_MAGIC_LEN - 1))
		return 1;
	memset(out, 0, sizeof(*out));
	out->format = NX_FMT_NETOOPS;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && kinds[k].kind != buf[NETOOPS_MAGIC_LEN - 1])
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0])) {
		if (nx_is_digit(buf[NETOOPS_MAGIC_LEN - 1]))
			BAD("unsupported protocol version");
		BAD("unknown datagram kind");
	}
	if (len > NETOOPS_MAX_DATAGRAM)
		BAD("datagram longer than 1400 bytes");
	if (len == NETOOPS_MAGIC_LEN || buf[NETOOPS_MAGIC_LEN] != ' ')
		BAD("no space after magic");

	size_t eol = nx_scan_to(buf, len, '\n');

	if (eol == len)
		BAD("header line not terminated");
	return kinds[k].decode(buf, len, eol, out, why);
}

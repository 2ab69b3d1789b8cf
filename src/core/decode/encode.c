/* Userspace encoders: kernel log text -> datagrams of each format, as their senders frame them. */
#include "core/decode/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nx_dgrams_free(struct nx_dgrams *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int nx_dgrams_append(void *ctx, const uint8_t *dgram, size_t len)
{
	struct nx_dgrams *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct nx_dgram *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	memcpy(copy, dgram, len);
	l->v[l->n].data = copy;
	l->v[l->n].len = len;
	l->n++;
	return 0;
}

/* ---- netoops v1 ---- */

static void sanitise(char *dst, size_t cap, const char *src, bool host)
{
	size_t i = 0;

	for (; src[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)src[i];
		bool ok = host ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
			       : (c > 0x20 && c < 0x7f);
		dst[i] = ok ? (char)c : '_';
	}
	dst[i] = '\0';
}

struct v1_ctx {
	char host[NETOOPS_MAX_HOST + 1];
	char release[NETOOPS_MAX_RELEASE + 1];
	const struct nx_enc_netoops *id;
	uint32_t copies;
	size_t max;
};

static int v1_header(const struct v1_ctx *c, char *out, size_t cap, uint32_t part, uint32_t parts,
		     uint32_t off, uint32_t total, uint32_t copy)
{
	const struct nx_enc_netoops *id = c->id;

	return snprintf(out, cap, "NETOOPS1 %s %s %u %s %s %llu.%06llu %u/%u %u/%u %u/%u\n",
			c->host, id->boot, id->dump, id->reason, c->release,
			(unsigned long long)(id->time_usec / 1000000),
			(unsigned long long)(id->time_usec % 1000000),
			part, parts, off, total, copy, c->copies);
}

/* Room for text: what the longest header this dump can have leaves (as netoops.ko computes it). */
static size_t v1_room(const struct v1_ctx *c, uint32_t total)
{
	char hdr[NETOOPS_MAX_HEADER * 2];
	int n = v1_header(c, hdr, sizeof(hdr), NETOOPS_MAX_PARTS - 1, NETOOPS_MAX_PARTS, total,
			  total, c->copies);

	return n > 0 && (size_t)n < c->max ? c->max - (size_t)n : 0;
}

/*
 * Where the part that ends at END starts, exactly as kmod/frame.c cuts: the
 * earliest record start inside the window of ROOM bytes before END; only if
 * no record starts there is a record split, at the window's edge.
 */
static size_t v1_prev(const char *text, size_t end, size_t room)
{
	if (end <= room)
		return 0;
	for (size_t p = end - room; p < end; p++)
		if (text[p - 1] == '\n')
			return p;
	return end - room;
}

/* Part start offsets newest first into STARTS (if non-NULL); returns the count. */
static size_t v1_cut(const char *text, size_t len, size_t room, uint32_t *starts, size_t max_parts)
{
	size_t end = len, n = 0;

	do {
		size_t start = v1_prev(text, end, room);

		if (n >= max_parts)
			return n + 1;
		if (starts)
			starts[n] = (uint32_t)start;
		n++;
		end = start;
	} while (end > 0);
	return n;
}

static bool v1_id_ok(const struct nx_enc_netoops *id)
{
	if (!id->host || !id->boot || !id->reason || !id->release || id->dump == 0)
		return false;
	if (strlen(id->boot) != NETOOPS_BOOT_ID_HEX || strlen(id->reason) > 15 || !*id->host ||
	    !*id->release)
		return false;
	return id->copies <= NETOOPS_MAX_COPIES;
}

int nx_encode_netoops(const struct nx_enc_netoops *id, const char *text, size_t len,
		      nx_emit_fn emit, void *ctx)
{
	struct v1_ctx c = { .id = id };

	if (!v1_id_ok(id) || len > NETOOPS_MAX_DUMP)
		return -1;
	sanitise(c.host, sizeof(c.host), id->host, true);
	sanitise(c.release, sizeof(c.release), id->release, false);
	c.copies = id->copies ? id->copies : 2;
	c.max = id->max_datagram ? id->max_datagram : NETOOPS_MAX_DATAGRAM;
	if (c.max > NETOOPS_MAX_DATAGRAM)
		return -1;

	size_t room = v1_room(&c, (uint32_t)len), n;

	if (room == 0)
		return -1;
	n = v1_cut(text, len, room, NULL, NETOOPS_MAX_PARTS);
	if (n > NETOOPS_MAX_PARTS)
		return -1;
	uint32_t *starts = malloc((n + 1) * sizeof(*starts));
	uint8_t *dg = malloc(c.max);
	int rc = (int)n;

	if (!starts || !dg) {
		rc = -1;
		goto out;
	}
	v1_cut(text, len, room, starts, n);
	for (uint32_t copy = 1; copy <= c.copies && rc >= 0; copy++) {
		for (size_t p = 0; p < n; p++) {
			uint32_t start = starts[p], end = p ? starts[p - 1] : (uint32_t)len;
			int h = v1_header(&c, (char *)dg, c.max, (uint32_t)p, (uint32_t)n, start,
					  (uint32_t)len, copy);

			memcpy(dg + h, text + start, end - start);
			if (emit(ctx, dg, (size_t)h + (end - start))) {
				rc = -1;
				break;
			}
		}
	}
out:
	free(starts);
	free(dg);
	return rc;
}

/* ---- legacy v3 ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static size_t chunks_of(size_t n)
{
	return (n + NETOOPS_V3_DATA_LEN - 1) / NETOOPS_V3_DATA_LEN;
}

static bool legacy_offset_ok(uint16_t off)
{
	return off == 388 || off == 288 || off == 84 || off == 88 || off == 256;
}

/* One packet: the header fields, then the chunk, zero-padded to 1024 bytes. */
static void legacy_packet(uint8_t *dg, const struct nx_enc_legacy *id, uint16_t doff,
			  size_t count, size_t no, const char *chunk, size_t n)
{
	memset(dg, 0, NETOOPS_V3_DATAGRAM_X86_64);
	put16(dg + NETOOPS_V3_OFF_VERSION, NETOOPS_V3_VERSION);
	put16(dg + NETOOPS_V3_OFF_DUMP_ID, id->dump_id);
	put16(dg + NETOOPS_V3_OFF_DATA_OFFSET, doff);
	put16(dg + NETOOPS_V3_OFF_ARCH, 2);
	put16(dg + NETOOPS_V3_OFF_ARCH_OFFSET, doff >= 388 ? 216 : 0);
	put16(dg + NETOOPS_V3_OFF_TYPE, id->type ? id->type : NETOOPS_V3_TYPE_DUMP);
	put32(dg + NETOOPS_V3_OFF_PACKET_COUNT, (uint32_t)count);
	put32(dg + NETOOPS_V3_OFF_PACKET_NO, (uint32_t)no);
	put32(dg + NETOOPS_V3_OFF_BOOT_ID, id->boot_id);
	if (id->release) {
		size_t room = doff - NETOOPS_V3_OFF_RELEASE, rl = strlen(id->release);

		if (room > NETOOPS_V3_RELEASE_LEN)
			room = NETOOPS_V3_RELEASE_LEN;
		memcpy(dg + NETOOPS_V3_OFF_RELEASE, id->release, rl < room ? rl : room);
	}
	memcpy(dg + doff, chunk, n);
}

int nx_encode_legacy_v3(const struct nx_enc_legacy *id, const char *text, size_t len,
			nx_emit_fn emit, void *ctx)
{
	uint16_t doff = id->data_offset ? id->data_offset : NETOOPS_V3_HDR_X86_64;
	uint32_t passes = id->passes ? id->passes : 3;
	size_t seg1 = id->split < len ? id->split : 0;
	size_t c1 = chunks_of(seg1), count = c1 + chunks_of(len - seg1);
	uint8_t dg[NETOOPS_V3_DATAGRAM_X86_64];

	if (!legacy_offset_ok(doff) || count == 0 || count > NETOOPS_MAX_DUMP / NETOOPS_V3_DATA_LEN)
		return -1;
	for (uint32_t pass = 0; pass < passes; pass++) {
		for (size_t no = 0; no < count; no++) {
			size_t chunk = count - 1 - no;	/* 0 = oldest */
			/* each segment is chunked from its own start */
			size_t from = chunk < c1 ? chunk * NETOOPS_V3_DATA_LEN
						 : seg1 + (chunk - c1) * NETOOPS_V3_DATA_LEN;
			size_t end = chunk < c1 ? seg1 : len;
			size_t n = end - from < NETOOPS_V3_DATA_LEN ? end - from : NETOOPS_V3_DATA_LEN;

			legacy_packet(dg, id, doff, count, no, text + from, n);
			if (emit(ctx, dg, (size_t)doff + NETOOPS_V3_DATA_LEN))
				return -1;
		}
	}
	return (int)count;
}

/* ---- netconsole ---- */

static size_t nc_max(const struct nx_enc_netconsole *id)
{
	return id->max_payload ? id->max_payload : 1000;
}

/* Parse a leading "[ 12.345678] " into microseconds; returns bytes consumed or 0. */
static size_t parse_stamp(const char *s, size_t n, uint64_t *usec)
{
	size_t i = 0;
	uint64_t sec = 0, frac = 0;
	int fd = 0;

	if (n < 4 || s[0] != '[')
		return 0;
	for (i = 1; i < n && s[i] == ' '; i++)
		;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9' && sec < 1000000000000ull; i++)
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	if (i >= n || s[i++] != '.')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9' && fd < 6; i++, fd++)
		frac = frac * 10 + (uint64_t)(s[i] - '0');
	if (fd != 6 || i + 1 >= n || s[i] != ']' || s[i + 1] != ' ')
		return 0;
	*usec = sec * 1000000 + frac;
	return i + 2;
}

static size_t escape(char *out, const char *in, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)sprintf(out + o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	return o;
}

static int nc_record(const struct nx_enc_netconsole *id, uint64_t seq, uint64_t ts,
		     const char *line, size_t n, nx_emit_fn emit, void *ctx)
{
	size_t max = nc_max(id), dict = id->dict ? strlen(id->dict) : 0;
	char hdr[160];
	int hl = snprintf(hdr, sizeof(hdr), "%s%s%d,%llu,%llu,-", id->release ? id->release : "",
			  id->release ? "," : "", id->level ? id->level : 4,
			  (unsigned long long)seq, (unsigned long long)ts);
	char *body = malloc(n * 4 + 1 + dict);
	char *dg = malloc(max + 64);
	int rc = -1;

	if (!body || !dg || hl <= 0 || (size_t)hl + 40 >= max)
		goto out;
	size_t bl = escape(body, line, n);

	body[bl++] = '\n';
	memcpy(body + bl, id->dict ? id->dict : "", dict);
	bl += dict;
	if ((size_t)hl + 1 + bl <= max) {
		memcpy(dg, hdr, (size_t)hl);
		dg[hl] = ';';
		memcpy(dg + hl + 1, body, bl);
		rc = emit(ctx, (uint8_t *)dg, (size_t)hl + 1 + bl) ? -1 : 0;
		goto out;
	}
	rc = 0;
	for (size_t off = 0; off < bl && rc == 0;) {
		int fl = snprintf(dg, max, "%s,ncfrag=%zu/%zu;", hdr, off, bl);
		size_t chunk = max - (size_t)fl;

		if (chunk > bl - off)
			chunk = bl - off;
		memcpy(dg + fl, body + off, chunk);
		rc = emit(ctx, (uint8_t *)dg, (size_t)fl + chunk) ? -1 : 0;
		off += chunk;
	}
out:
	free(body);
	free(dg);
	return rc;
}

/* Calls FN for each line of TEXT (without its '\n'); returns lines or -1. */
static int each_line(const char *text, size_t len,
		     int (*fn)(const struct nx_enc_netconsole *, size_t, const char *, size_t,
			       bool, nx_emit_fn, void *),
		     const struct nx_enc_netconsole *id, nx_emit_fn emit, void *ctx)
{
	size_t i = 0, k = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (fn(id, k++, text + i, n, nl != NULL, emit, ctx))
			return -1;
		i += n + (nl ? 1 : 0);
	}
	return (int)k;
}

static int ext_line(const struct nx_enc_netconsole *id, size_t k, const char *line, size_t n,
		    bool nl, nx_emit_fn emit, void *ctx)
{
	uint64_t ts = id->ts_usec + k * 1000;
	size_t skip = parse_stamp(line, n, &ts);

	(void)nl;
	return nc_record(id, id->first_seq + k, ts, line + skip, n - skip, emit, ctx);
}

static int basic_line(const struct nx_enc_netconsole *id, size_t k, const char *line, size_t n,
		      bool nl, nx_emit_fn emit, void *ctx)
{
	size_t max = nc_max(id), total = n + (nl ? 1 : 0);

	(void)k;
	for (size_t off = 0; off < total;) {
		size_t chunk = total - off < max ? total - off : max;

		if (emit(ctx, (const uint8_t *)line + off, chunk))
			return -1;
		off += chunk;
	}
	return 0;
}

int nx_encode_nc_extended(const struct nx_enc_netconsole *id, const char *text, size_t len,
			  nx_emit_fn emit, void *ctx)
{
	return each_line(text, len, ext_line, id, emit, ctx);
}

int nx_encode_nc_basic(const struct nx_enc_netconsole *id, const char *text, size_t len,
		       nx_emit_fn emit, void *ctx)
{
	return each_line(text, len, basic_line, id, emit, ctx);
}

/* Userspace encoders: kernel log text -> datagrams of each format, as their senders frame them. */
#include "core/decode/encode.h"

#include <pthread.h>
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

/* ---- netoops v1: the module's own framing code (include/netoops/wire_frame.h) ---- */

static bool v1_id_ok(const struct nx_enc_netoops *id)
{
	if (!id->host || !id->boot || !id->reason || !id->release || id->dump == 0)
		return false;
	if (strlen(id->boot) != NETOOPS_BOOT_ID_HEX || strlen(id->reason) > 15 || !*id->host ||
	    !*id->release)
		return false;
	return id->copies <= NETOOPS_MAX_COPIES && id->max_datagram <= NETOOPS_MAX_DATAGRAM;
}

/* The identity fields, as kmod/frame.c and kmod/dump.c set them. */
static void v1_identify(struct netoops_frame *f, const struct nx_enc_netoops *id)
{
	memset(f, 0, sizeof(*f));
	netoops_frame_sanitize(f->host, id->host, sizeof(f->host), netoops_host_char_ok);
	netoops_frame_sanitize(f->release, id->release, sizeof(f->release),
			       netoops_release_char_ok);
	memcpy(f->boot, id->boot, NETOOPS_BOOT_ID_HEX);
	f->seq = id->dump;
	f->reason = id->reason;
	f->sec = id->time_usec / 1000000;
	f->usec = (uint32_t)(id->time_usec % 1000000);
	f->copies = id->copies ? id->copies : 2;
	f->max_datagram = (uint32_t)id->max_datagram;
	f->ext = id->ext;
}

/* One pass over all parts, newest first: kmod/dump.c's dump_pass(). */
static int v1_pass(const struct netoops_frame *f, uint32_t copy, char *dg, size_t size,
		   nx_emit_fn emit, void *ctx)
{
	uint32_t end = f->total, start;

	for (uint32_t part = 0; part < f->parts; part++) {
		start = netoops_frame_prev(f, end);
		int h = netoops_frame_header(f, dg, size, part, start, copy);

		memcpy(dg + h, f->text + start, end - start);
		if (emit(ctx, (const uint8_t *)dg, (size_t)h + (end - start)))
			return -1;
		end = start;
	}
	return 0;
}

static struct netoops_gf gf;
static pthread_once_t gf_once = PTHREAD_ONCE_INIT;

static void gf_setup(void)
{
	netoops_gf_init(&gf);
}

/* The parity datagrams after the passes: kmod/dump.c's dump_parity(). */
static int v1_parity(const struct netoops_frame *f, uint32_t pct, char *dg, size_t size,
		     nx_emit_fn emit, void *ctx)
{
	struct netoops_fec fec = { .gf = &gf, .pct = pct };
	int h, rc = -1;

	pthread_once(&gf_once, gf_setup);
	fec.bounds = malloc((f->parts + 1) * sizeof(*fec.bounds));
	fec.bcrc = malloc(NETOOPS_FEC_MAX_BLOCKS * sizeof(*fec.bcrc));
	fec.buf = malloc(NETOOPS_FEC_PREFIX + f->cap);
	if (!fec.bounds || !fec.bcrc || !fec.buf)
		goto out;
	netoops_fec_begin(&fec, f);
	while ((h = netoops_fec_next(&fec, f, dg, size, false)) > 0) {
		memcpy(dg + h, fec.buf, fec.shard);
		if (emit(ctx, (const uint8_t *)dg, (size_t)h + fec.shard))
			goto out;
	}
	rc = 0;
out:
	free(fec.bounds);
	free(fec.bcrc);
	free(fec.buf);
	return rc;
}

int nx_encode_netoops(const struct nx_enc_netoops *id, const char *text, size_t len,
		      nx_emit_fn emit, void *ctx)
{
	struct netoops_frame f;
	char dg[NETOOPS_MAX_DATAGRAM + 1];

	if (!v1_id_ok(id) || len > NETOOPS_MAX_DUMP || id->fec_pct > NETOOPS_FEC_MAX_PCT)
		return -1;
	v1_identify(&f, id);
	netoops_fec_prepare(&f, (uint32_t)len, id->fec_pct);
	if (netoops_frame_init(&f, text, (uint32_t)len))
		return -1;
	for (uint32_t copy = 1; copy <= f.copies; copy++)
		if (v1_pass(&f, copy, dg, sizeof(dg), emit, ctx))
			return -1;
	if (id->fec_pct && v1_parity(&f, id->fec_pct, dg, sizeof(dg), emit, ctx))
		return -1;
	return (int)f.parts;
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

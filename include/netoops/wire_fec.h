/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Parity datagrams (kind NETOOPSP): ISA-L's Cauchy code over GF(2^8), one encoder for netoops.ko and userspace. */
#ifndef _NETOOPS_WIRE_FEC_H
#define _NETOOPS_WIRE_FEC_H

#include <netoops/wire_frame.h>

/*
 * docs/protocol.md, "Parity (NETOOPSP)", as code. The parts of one plain
 * pass are the data shards; part p belongs to block p mod B (interleaved,
 * so a burst of lost datagrams is spread over the blocks). A shard is
 * NETOOPS_FEC_PREFIX bytes (the part's offset, u32 little-endian, and text
 * length, u16 little-endian), the part's text, zeros up to the shard size.
 * Parity row r of a block of k shards is sum_j a[k + r][j] * shard_j, with
 * a[i][j] = 1 / (i ^ j) in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1: the
 * rows k .. k + m - 1 of ISA-L's gf_gen_cauchy1_matrix(), so ISA-L's
 * ec_encode_data() makes the same bytes and its decoder recovers them.
 *
 * The encoder needs no allocation: its caller provides the tables (struct
 * netoops_gf, 66 KiB), the part bounds (parts + 1 words), one CRC per
 * block and one shard buffer, and walks the parity datagrams in send order
 * with netoops_fec_next().
 */

#define NETOOPS_FEC_MAGIC	"NETOOPSP"
#define NETOOPS_FEC_MAX_K	128	/* data shards in a block */
#define NETOOPS_FEC_MAX_ROWS	256	/* k + m: the Cauchy rows the field has */
#define NETOOPS_FEC_MAX_PCT	100	/* parity shards per 100 data shards */
#define NETOOPS_FEC_PREFIX	6	/* offset (u32 LE), text length (u16 LE) */
#define NETOOPS_FEC_POLY	0x11d
#define NETOOPS_FEC_MAX_BLOCKS	\
	((NETOOPS_MAX_PARTS + NETOOPS_FEC_MAX_K - 1) / NETOOPS_FEC_MAX_K)

/* GF(2^8) by tables: log/exp of the generator 2, and the product table. */
struct netoops_gf {
	u8 log[256];
	u8 exp[512];
	u8 mul[256][256];
};

static inline void netoops_gf_init(struct netoops_gf *g)
{
	unsigned int i, a, b, x = 1;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 255; i++) {
		g->exp[i] = x;
		g->exp[i + 255] = x;
		g->log[x] = i;
		x <<= 1;
		if (x & 0x100)
			x ^= NETOOPS_FEC_POLY;
	}
	for (a = 1; a < 256; a++)
		for (b = 1; b < 256; b++)
			g->mul[a][b] = g->exp[g->log[a] + g->log[b]];
}

static inline u8 netoops_gf_inv(const struct netoops_gf *g, u8 a)
{
	return a ? g->exp[255 - g->log[a]] : 0;
}

/* The coefficient of data shard @j in parity row @r of a block of @k shards. */
static inline u8 netoops_fec_coef(const struct netoops_gf *g, u32 k, u32 r,
				  u32 j)
{
	return netoops_gf_inv(g, (u8)((k + r) ^ j));
}

/**
 * struct netoops_fec - the parity of one dump
 * @gf:		the field's tables (netoops_gf_init())
 * @pct:	parity shards per 100 data shards of a block, 1..100
 * @blocks:	B: part p is in block p mod B
 * @shard:	shard size: NETOOPS_FEC_PREFIX + the frame's capacity
 * @dcrc:	CRC-32 of the dump's whole text
 * @bounds:	parts + 1 words: part p is the text [bounds[p + 1], bounds[p])
 * @bcrc:	@blocks words: CRC-32 of each block's data shards
 * @buf:	@shard bytes: the parity shard being sent
 * @row:	next parity datagram: its row ...
 * @block:	... and block
 */
struct netoops_fec {
	const struct netoops_gf *gf;
	u32 pct;
	u32 blocks;
	u32 shard;
	u32 dcrc;
	u32 *bounds;
	u32 *bcrc;
	u8 *buf;
	u32 row;
	u32 block;
};

/* Data shards in block @b of a dump of @parts parts in @blocks blocks. */
static inline u32 netoops_fec_k(u32 parts, u32 blocks, u32 b)
{
	return (parts - b + blocks - 1) / blocks;
}

/* Parity rows of a block of @k data shards: ceil(k * pct / 100), at least 1. */
static inline u32 netoops_fec_m(u32 k, u32 pct)
{
	u32 m = (k * pct + 99) / 100;

	if (!m)
		m = 1;
	return m + k > NETOOPS_FEC_MAX_ROWS ? NETOOPS_FEC_MAX_ROWS - k : m;
}

static inline u32 netoops_fec_blocks(u32 parts)
{
	return (parts + NETOOPS_FEC_MAX_K - 1) / NETOOPS_FEC_MAX_K;
}

/* Fields 8.. of a parity header, without extensions: parts/total block/blocks row/m bcrc dcrc. */
static inline int netoops_fec_fields(const struct netoops_frame *f, char *buf,
				     size_t size, u32 parts, u32 block,
				     u32 blocks, u32 row, u32 m, u32 bcrc,
				     u32 dcrc)
{
	int n = netoops_frame_identity(f, NETOOPS_FEC_MAGIC, buf, size);

	return n + scnprintf(buf + n, size - n, " %u/%u %u/%u %u/%u %08x %08x",
			     parts, f->total, block, blocks, row, m, bcrc,
			     dcrc);
}

/*
 * The text room a dump with parity may give its parts: a parity datagram
 * (its longest header, extensions and the reserved bytes included) must
 * hold a shard, the prefix and the text of the fullest part.
 */
static inline u32 netoops_fec_room(const struct netoops_frame *f)
{
	char line[NETOOPS_MAX_HEADER + 1];
	u32 max = netoops_frame_max_datagram(f), need;

	need = netoops_fec_fields(f, line, sizeof(line), NETOOPS_MAX_PARTS,
				  NETOOPS_FEC_MAX_BLOCKS - 1,
				  NETOOPS_FEC_MAX_BLOCKS,
				  NETOOPS_FEC_MAX_ROWS - 2,
				  NETOOPS_FEC_MAX_ROWS - 1, ~0U, ~0U);
	need += strlen(netoops_frame_ext(f)) + 1 + f->ext_reserve +
		NETOOPS_FEC_PREFIX;
	return need < max ? max - need : 0;
}

/*
 * Before netoops_frame_init() of a dump of @total bytes (the room depends
 * on its digits): with parity, every part fits a shard.
 */
static inline void netoops_fec_prepare(struct netoops_frame *f, u32 total,
				       u32 pct)
{
	f->total = total;
	f->cap_limit = 0;
	if (pct) {
		f->cap_limit = netoops_fec_room(f);
		if (!f->cap_limit)
			f->cap_limit = 1;	/* no room: frame_init fails */
	}
}

static inline void netoops_fec_put_prefix(u8 *pre, u32 off, u32 len)
{
	pre[0] = off;
	pre[1] = off >> 8;
	pre[2] = off >> 16;
	pre[3] = off >> 24;
	pre[4] = len;
	pre[5] = len >> 8;
}

/* CRC-32 of the data shards of block @b, in shard order. */
static inline u32 netoops_fec_block_crc(const struct netoops_fec *fec,
					const struct netoops_frame *f, u32 b)
{
	static const u8 zeros[64];
	u32 k = netoops_fec_k(f->parts, fec->blocks, b), j, s, e, pad, crc = 0;
	u8 pre[NETOOPS_FEC_PREFIX];

	for (j = 0; j < k; j++) {
		s = fec->bounds[b + j * fec->blocks + 1];
		e = fec->bounds[b + j * fec->blocks];
		netoops_fec_put_prefix(pre, s, e - s);
		crc = netoops_crc32(crc, pre, sizeof(pre));
		crc = netoops_crc32(crc, f->text + s, e - s);
		for (pad = fec->shard - NETOOPS_FEC_PREFIX - (e - s); pad;) {
			u32 n = pad < sizeof(zeros) ? pad : sizeof(zeros);

			crc = netoops_crc32(crc, zeros, n);
			pad -= n;
		}
	}
	return crc;
}

/**
 * netoops_fec_begin() - the parity of a framed dump
 * @fec:	@gf, @pct, @bounds (f->parts + 1 words), @bcrc
 *		(NETOOPS_FEC_MAX_BLOCKS words) and @buf (f->cap +
 *		NETOOPS_FEC_PREFIX bytes) set by the caller
 * @f:		the dump, after netoops_fec_prepare() and netoops_frame_init()
 *
 * Walks the cutting once more to note where each part starts, and computes
 * the checksums; the first parity datagram is then row 0 of block 0.
 */
static inline void netoops_fec_begin(struct netoops_fec *fec,
				     const struct netoops_frame *f)
{
	u32 p, b;

	fec->blocks = netoops_fec_blocks(f->parts);
	fec->shard = NETOOPS_FEC_PREFIX + f->cap;
	fec->bounds[0] = f->total;
	for (p = 0; p < f->parts; p++)
		fec->bounds[p + 1] = netoops_frame_prev(f, fec->bounds[p]);
	fec->dcrc = netoops_crc32(0, f->text, f->total);
	for (b = 0; b < fec->blocks; b++)
		fec->bcrc[b] = netoops_fec_block_crc(fec, f, b);
	fec->row = 0;
	fec->block = 0;
}

/* Parity row @r of block @b into @fec->buf. */
static inline void netoops_fec_encode(struct netoops_fec *fec,
				      const struct netoops_frame *f, u32 b,
				      u32 r)
{
	u32 k = netoops_fec_k(f->parts, fec->blocks, b), j, i, s, e;
	u8 pre[NETOOPS_FEC_PREFIX];
	const u8 *mul, *text = (const u8 *)f->text;
	u8 *out = fec->buf;

	memset(out, 0, fec->shard);
	for (j = 0; j < k; j++) {
		s = fec->bounds[b + j * fec->blocks + 1];
		e = fec->bounds[b + j * fec->blocks];
		mul = fec->gf->mul[netoops_fec_coef(fec->gf, k, r, j)];
		netoops_fec_put_prefix(pre, s, e - s);
		for (i = 0; i < NETOOPS_FEC_PREFIX; i++)
			out[i] ^= mul[pre[i]];
		for (i = 0; i < e - s; i++)
			out[NETOOPS_FEC_PREFIX + i] ^= mul[text[s + i]];
	}
}

/**
 * netoops_fec_next() - the next parity datagram, in send order
 * @fec:	after netoops_fec_begin()
 * @f:		the dump
 * @hdr:	where its header line goes (extensions included, unterminated
 *		if @open: the caller appends its own and closes the line)
 * @size:	size of @hdr
 * @open:	leave the line open (see netoops_frame_header_open())
 *
 * Rows go round the blocks: row 0 of every block, then row 1, ... (a block
 * with fewer rows drops out), so a burst is spread over the blocks too.
 *
 * Return: the header's length, its payload being @fec->shard bytes at
 * @fec->buf; 0 when every parity datagram was made.
 */
static inline int netoops_fec_next(struct netoops_fec *fec,
				   const struct netoops_frame *f, char *hdr,
				   size_t size, bool open)
{
	u32 k, m, b = fec->block, r = fec->row;
	int n;

	if (b >= fec->blocks || !fec->pct)
		return 0;
	k = netoops_fec_k(f->parts, fec->blocks, b);
	m = netoops_fec_m(k, fec->pct);
	if (r >= m)
		return 0;	/* block 0 has the most rows: all done */
	netoops_fec_encode(fec, f, b, r);
	n = netoops_fec_fields(f, hdr, size, f->parts, b, fec->blocks, r, m,
			       fec->bcrc[b], fec->dcrc);
	n += scnprintf(hdr + n, size - n, "%s", netoops_frame_ext(f));
	if (++fec->block >= fec->blocks ||
	    netoops_fec_m(netoops_fec_k(f->parts, fec->blocks, fec->block),
			  fec->pct) <= r) {
		fec->block = 0;
		fec->row++;
	}
	return open ? n : netoops_frame_header_close(hdr, size, n);
}

/* Parity datagrams a dump of @parts parts gets: for sizing and for tests. */
static inline u32 netoops_fec_count(u32 parts, u32 pct)
{
	u32 blocks = netoops_fec_blocks(parts), b, n = 0;

	for (b = 0; pct && b < blocks; b++)
		n += netoops_fec_m(netoops_fec_k(parts, blocks, b), pct);
	return n;
}

#endif /* _NETOOPS_WIRE_FEC_H */

/* One netoops v1 or legacy v3 dump being put together: parts placed by offset, gaps tracked. */
#include "core/reasm/reasm_fec.h"
#include "core/reasm/reasm_int.h"
#include "core/siphash.h"

#include <stdlib.h>
#include <string.h>

/*
 * Text is kept in blocks that are never moved (no copying as a dump grows):
 * the first is small, each next one twice as big up to BLOCK_MAX, so a
 * one-datagram dump costs little and a big one has little slack.
 */
#define BLOCK_FIRST 2048
#define BLOCK_MAX 16384

struct nx_piece {
	uint32_t off, len;	/* where in the dump's text */
	uint32_t part;
	const uint8_t *data;	/* where in a block */
};

#define NO_PIECE UINT32_MAX	/* pidx: the part has not arrived, or carried no text */

struct nx_dstate {
	enum nx_format format;
	char host[NX_HOST_MAX + 1], boot[NX_BOOT_MAX + 1];
	char reason[NX_REASON_MAX + 1], release[NX_RELEASE_MAX + 1];
	uint32_t dump;
	uint64_t time_usec;
	uint16_t legacy_type;
	uint32_t parts, total, copies, parts_received;
	size_t max_text;			/* min(total, the per-dump bound) */
	uint64_t covered;			/* distinct text bytes received */
	uint8_t *bits;				/* parts received */
	size_t bits_cap;
	uint32_t *phash;			/* legacy: content hash per part */
	size_t phash_cap;
	struct nx_piece *pieces;		/* in arrival order */
	size_t npieces, pieces_cap;
	uint8_t **blocks;			/* the pieces' bytes, in arrival order */
	size_t nblocks, blocks_cap;
	size_t block_size, block_used;		/* of the last block */
	size_t blocks_bytes;			/* all blocks together */
	size_t used;				/* text bytes held */
	struct nx_range *cov;			/* v1: received byte ranges, sorted, merged */
	size_t ncov, cov_cap;
	/* parity (reasm_fec.c), from the dump's first parity datagram on */
	struct nx_fec *fec;
	uint32_t *pidx;				/* piece of each part, or NO_PIECE */
	uint16_t *bdata;			/* data parts received per block */
	uint32_t recovered, rejected;		/* parts rebuilt; verifications failed */
	bool dcrc_checked, dcrc_bad;		/* the text's CRC, once recovered parts complete it */
};

struct nx_dstate *nx_dstate_new(const struct nx_packet *p, size_t max_text)
{
	struct nx_dstate *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->format = p->format;
	memcpy(d->host, p->host, sizeof(d->host));
	memcpy(d->boot, p->boot, sizeof(d->boot));
	memcpy(d->reason, p->reason, sizeof(d->reason));
	memcpy(d->release, p->release, sizeof(d->release));
	d->dump = p->dump;
	d->time_usec = p->time_usec;
	d->legacy_type = p->legacy_type;
	d->parts = p->parts;
	d->total = p->total;
	d->copies = p->copies;
	d->max_text = p->total < max_text ? p->total : max_text;
	return d;
}

/* Parity is no use once the dump is done: dropped with the text. */
static void fec_drop(struct nx_dstate *d)
{
	nx_fec_free(d->fec);
	free(d->pidx);
	free(d->bdata);
	d->fec = NULL;
	d->pidx = NULL;
	d->bdata = NULL;
}

void nx_dstate_retire(struct nx_dstate *d)
{
	for (size_t i = 0; i < d->nblocks; i++)
		free(d->blocks[i]);
	free(d->blocks);
	free(d->pieces);
	free(d->cov);
	d->pieces = NULL;
	d->blocks = NULL;
	d->cov = NULL;
	d->npieces = d->pieces_cap = d->used = d->nblocks = d->blocks_cap = d->blocks_bytes = 0;
	d->ncov = d->cov_cap = 0;
	fec_drop(d);
}

void nx_dstate_free(struct nx_dstate *d)
{
	if (!d)
		return;
	nx_dstate_retire(d);
	free(d->bits);
	free(d->phash);
	free(d);
}

/* Size of the next block for a piece of LEN bytes (a piece never spans blocks). */
static size_t next_block(const struct nx_dstate *d, size_t len)
{
	size_t size = d->nblocks ? d->block_size * 2 : BLOCK_FIRST;

	if (size > BLOCK_MAX)
		size = BLOCK_MAX;
	if (size > d->max_text - d->used)
		size = d->max_text - d->used;
	return size > len ? size : len;
}

static bool needs_block(const struct nx_dstate *d, size_t len)
{
	return len && (d->nblocks == 0 || d->block_used + len > d->block_size);
}

static size_t fec_mem(const struct nx_dstate *d)
{
	if (!d->fec)
		return 0;
	return nx_fec_mem(d->fec) + d->parts * sizeof(*d->pidx) +
	       nx_fec_blocks(d->fec) * sizeof(*d->bdata);
}

/* A parity datagram adds its shard, and the state itself if it is the first. */
static size_t fec_mem_after(const struct nx_dstate *d, const struct nx_packet *p)
{
	if (d->fec)
		return fec_mem(d) + p->text_len;
	return nx_fec_mem_new(p) + d->parts * sizeof(*d->pidx) +
	       p->fec_blocks * sizeof(*d->bdata);
}

size_t nx_dstate_mem(const struct nx_dstate *d)
{
	return sizeof(*d) + d->bits_cap + d->phash_cap * sizeof(*d->phash) +
	       d->pieces_cap * sizeof(*d->pieces) + d->blocks_bytes +
	       d->blocks_cap * sizeof(*d->blocks) + d->cov_cap * sizeof(*d->cov) + fec_mem(d);
}

/* Capacity after making room for NEED elements: doubling, never beyond MAX. */
static size_t grown(size_t cap, size_t need, size_t max)
{
	size_t c = cap;

	if (need <= cap)
		return cap;
	c = cap * 2 > need ? cap * 2 : need;
	if (c < 16)
		c = 16;
	return c < max ? c : (need < max ? max : need);
}

static size_t bits_need(uint32_t part)
{
	return part / 8 + 1;
}

static size_t bits_max(const struct nx_dstate *d)
{
	return d->parts / 8 + 1;
}

size_t nx_dstate_mem_after(const struct nx_dstate *d, const struct nx_packet *p)
{
	size_t m = sizeof(*d);

	if (p->kind == NX_KIND_PARITY)
		return nx_dstate_mem(d) - fec_mem(d) + fec_mem_after(d, p);
	m += fec_mem(d);

	m += grown(d->bits_cap, bits_need(p->part), bits_max(d));
	if (d->format == NX_FMT_LEGACY_V3)
		m += grown(d->phash_cap, p->part + 1, d->parts) * sizeof(*d->phash);
	if (p->text_len == 0)
		return m + d->pieces_cap * sizeof(*d->pieces) + d->blocks_bytes +
		       d->blocks_cap * sizeof(*d->blocks) + d->cov_cap * sizeof(*d->cov);
	m += grown(d->pieces_cap, d->npieces + 1, d->parts) * sizeof(*d->pieces);
	m += d->blocks_bytes;
	if (needs_block(d, p->text_len))
		m += next_block(d, p->text_len) +
		     grown(d->blocks_cap, d->nblocks + 1, SIZE_MAX) * sizeof(*d->blocks);
	else
		m += d->blocks_cap * sizeof(*d->blocks);
	if (d->format == NX_FMT_NETOOPS)
		m += grown(d->cov_cap, d->ncov + 1, d->parts) * sizeof(*d->cov);
	return m;
}

static bool has_part(const struct nx_dstate *d, uint32_t part)
{
	return part / 8 < d->bits_cap && (d->bits[part / 8] >> (part % 8) & 1);
}

static uint32_t content_hash(const struct nx_packet *p)
{
	return (uint32_t)nx_siphash(0, 0, p->text, p->text_len);
}

/* First covered range that starts after OFF (binary search). */
static size_t cov_upper(const struct nx_dstate *d, uint32_t off)
{
	size_t lo = 0, hi = d->ncov;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->cov[mid].start <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool cov_overlaps(const struct nx_dstate *d, uint32_t off, uint32_t len)
{
	size_t i = cov_upper(d, off);

	if (i > 0 && d->cov[i - 1].end > off)
		return true;
	return i < d->ncov && d->cov[i].start < off + len;
}

/* Record [off, off + len) as received; room for one more range is ensured. */
static void cov_add(struct nx_dstate *d, uint32_t off, uint32_t len)
{
	size_t i = cov_upper(d, off);
	bool left = i > 0 && d->cov[i - 1].end == off;
	bool right = i < d->ncov && d->cov[i].start == off + len;

	if (left && right) {
		d->cov[i - 1].end = d->cov[i].end;
		memmove(d->cov + i, d->cov + i + 1, (d->ncov - i - 1) * sizeof(*d->cov));
		d->ncov--;
	} else if (left) {
		d->cov[i - 1].end = off + len;
	} else if (right) {
		d->cov[i].start = off;
	} else {
		memmove(d->cov + i + 1, d->cov + i, (d->ncov - i) * sizeof(*d->cov));
		d->cov[i] = (struct nx_range){ off, off + len };
		d->ncov++;
	}
}

static bool resize(void **p, size_t *cap, size_t ncap, size_t elem)
{
	if (ncap == *cap)
		return true;
	void *n = realloc(*p, ncap * elem);

	if (!n)
		return false;
	if (ncap > *cap)
		memset((uint8_t *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*p = n;
	*cap = ncap;
	return true;
}

static bool reserve(struct nx_dstate *d, const struct nx_packet *p)
{
	if (!resize((void **)&d->bits, &d->bits_cap,
		    grown(d->bits_cap, bits_need(p->part), bits_max(d)), 1))
		return false;
	if (d->format == NX_FMT_LEGACY_V3 &&
	    !resize((void **)&d->phash, &d->phash_cap, grown(d->phash_cap, p->part + 1, d->parts),
		    sizeof(*d->phash)))
		return false;
	if (p->text_len == 0)
		return true;
	if (!resize((void **)&d->pieces, &d->pieces_cap,
		    grown(d->pieces_cap, d->npieces + 1, d->parts), sizeof(*d->pieces)))
		return false;
	if (needs_block(d, p->text_len)) {
		if (!resize((void **)&d->blocks, &d->blocks_cap,
			    grown(d->blocks_cap, d->nblocks + 1, SIZE_MAX), sizeof(*d->blocks)))
			return false;
		size_t size = next_block(d, p->text_len);

		d->blocks[d->nblocks] = malloc(size);
		if (!d->blocks[d->nblocks])
			return false;
		d->nblocks++;
		d->block_size = size;
		d->block_used = 0;
		d->blocks_bytes += size;
	}
	return d->format != NX_FMT_NETOOPS ||
	       resize((void **)&d->cov, &d->cov_cap, grown(d->cov_cap, d->ncov + 1, d->parts),
		      sizeof(*d->cov));
}

/*
 * Does P agree with what the dump's first datagram fixed? Parity carries no
 * copies: a dump opened by parity takes them from its first text datagram.
 */
static bool consistent(struct nx_dstate *d, const struct nx_packet *p)
{
	if (p->parts != d->parts || p->total != d->total || strcmp(p->reason, d->reason) ||
	    strcmp(p->release, d->release))
		return false;
	if (p->kind == NX_KIND_PARITY || p->copies == d->copies)
		return true;
	if (d->copies)
		return false;
	d->copies = p->copies;
	return true;
}

static enum nx_place place_text(struct nx_dstate *d, const struct nx_packet *p);

static void put_shard(uint8_t *out, uint32_t shard, uint32_t off, const uint8_t *text,
		      uint32_t len)
{
	memset(out, 0, shard);
	netoops_fec_put_prefix(out, off, len);
	memcpy(out + NETOOPS_FEC_PREFIX, text, len);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A rebuilt shard placed like a received part (the same checks); its padding must be zeros. */
static void place_rebuilt(struct nx_dstate *d, uint32_t part, const uint8_t *sh, uint32_t shard)
{
	uint32_t off = get32(sh), len = (uint32_t)sh[4] | (uint32_t)sh[5] << 8;
	struct nx_packet q = { .format = d->format, .kind = NX_KIND_TEXT, .parts = d->parts,
			       .total = d->total, .copies = d->copies, .part = part };

	if (len > shard - NETOOPS_FEC_PREFIX || off > d->total || len > d->total - off) {
		d->rejected++;
		return;
	}
	for (uint32_t i = NETOOPS_FEC_PREFIX + len; i < shard; i++)
		if (sh[i]) {
			d->rejected++;
			return;
		}
	memcpy(q.reason, d->reason, sizeof(q.reason));
	memcpy(q.release, d->release, sizeof(q.release));
	q.offset = off;
	q.text = sh + NETOOPS_FEC_PREFIX;
	q.text_len = len;
	if (place_text(d, &q) == NX_PLACE_OK)
		d->recovered++;
}

/* Block B has k shards in hand: rebuild the missing ones (reasm_fec.c) and place them. */
static void fec_solve(struct nx_dstate *d, uint32_t b, uint32_t k)
{
	uint32_t blocks = nx_fec_blocks(d->fec), shard = nx_fec_shard(d->fec), nmiss = 0;
	uint8_t *have = malloc((size_t)k * shard), *out = NULL, *ptr[NETOOPS_FEC_MAX_K];

	if (!have)
		return;		/* tried again with the next datagram of the block */
	for (uint32_t j = 0; j < k; j++) {
		uint32_t part = b + j * blocks, pi = d->pidx[part];

		ptr[j] = NULL;
		if (!has_part(d, part)) {
			nmiss++;
			continue;
		}
		ptr[j] = have + (size_t)j * shard;
		if (pi == NO_PIECE) {
			put_shard(ptr[j], shard, 0, NULL, 0);
		} else if (d->pieces[pi].len > shard - NETOOPS_FEC_PREFIX) {
			/* a part longer than the parity's shard: the two cannot both be true */
			nx_fec_close(d->fec, b);
			d->rejected++;
			free(have);
			return;
		} else {
			put_shard(ptr[j], shard, d->pieces[pi].off, d->pieces[pi].data,
				  d->pieces[pi].len);
		}
	}
	out = malloc((size_t)nmiss * shard);
	if (!out) {
		free(have);
		return;
	}
	int rc = nx_fec_solve(d->fec, b, k, ptr, out);

	nx_fec_close(d->fec, b);	/* solved, or failed once: never tried again */
	if (rc)
		d->rejected++;
	for (uint32_t j = 0, e = 0; !rc && j < k; j++)
		if (!ptr[j])
			place_rebuilt(d, b + j * blocks, out + (size_t)e++ * shard, shard);
	free(have);
	free(out);
}

/* After news for block B: close it when its data is all in, solve it when it can be. */
static void fec_try(struct nx_dstate *d, uint32_t b)
{
	uint32_t k = netoops_fec_k(d->parts, nx_fec_blocks(d->fec), b);

	if (nx_fec_closed(d->fec, b))
		return;
	if (d->bdata[b] >= k)
		nx_fec_close(d->fec, b);
	else if (d->bdata[b] + nx_fec_held(d->fec, b) >= k)
		fec_solve(d, b, k);
}

/* The first parity datagram: the state, and what arrived before it, per part and block. */
static bool fec_start(struct nx_dstate *d, const struct nx_packet *p)
{
	d->fec = nx_fec_new(p);
	d->pidx = malloc(d->parts * sizeof(*d->pidx));
	d->bdata = calloc(p->fec_blocks, sizeof(*d->bdata));
	if (!d->fec || !d->pidx || !d->bdata) {
		fec_drop(d);
		return false;
	}
	for (uint32_t i = 0; i < d->parts; i++) {
		d->pidx[i] = NO_PIECE;
		if (has_part(d, i))
			d->bdata[i % p->fec_blocks]++;
	}
	for (size_t i = 0; i < d->npieces; i++)
		d->pidx[d->pieces[i].part] = (uint32_t)i;
	return true;
}

static enum nx_place place_parity(struct nx_dstate *d, const struct nx_packet *p)
{
	if (d->format != NX_FMT_NETOOPS || !consistent(d, p))
		return NX_PLACE_BAD;
	if (!d->fec && !fec_start(d, p))
		return NX_PLACE_NOMEM;

	uint32_t b = p->fec_block, k = netoops_fec_k(d->parts, nx_fec_blocks(d->fec), b);
	enum nx_place res = nx_fec_add(d->fec, p, k - d->bdata[b]);

	if (res == NX_PLACE_OK)
		fec_try(d, b);
	return res;
}

static enum nx_place place_text(struct nx_dstate *d, const struct nx_packet *p)
{
	bool legacy = d->format == NX_FMT_LEGACY_V3;

	if (legacy && p->parts != d->parts)
		return NX_PLACE_OTHER_DUMP;	/* dump_id reused by the next dump */
	if (!legacy && !consistent(d, p))
		return NX_PLACE_BAD;
	if (has_part(d, p->part)) {
		if (legacy && d->phash[p->part] != content_hash(p))
			return NX_PLACE_OTHER_DUMP;
		return NX_PLACE_DUP;
	}
	if (!legacy && p->text_len && cov_overlaps(d, p->offset, (uint32_t)p->text_len))
		return NX_PLACE_BAD;
	if (d->used + p->text_len > d->max_text)
		return NX_PLACE_FULL;
	if (!reserve(d, p))
		return NX_PLACE_NOMEM;
	d->bits[p->part / 8] |= (uint8_t)(1u << (p->part % 8));
	d->parts_received++;
	if (legacy)
		d->phash[p->part] = content_hash(p);
	if (p->text_len) {
		uint8_t *at = d->blocks[d->nblocks - 1] + d->block_used;

		memcpy(at, p->text, p->text_len);
		if (d->fec)
			d->pidx[p->part] = (uint32_t)d->npieces;
		d->pieces[d->npieces++] =
			(struct nx_piece){ p->offset, (uint32_t)p->text_len, p->part, at };
		d->block_used += p->text_len;
		d->used += p->text_len;
		d->covered += p->text_len;
		if (!legacy)
			cov_add(d, p->offset, (uint32_t)p->text_len);
	}
	if (d->fec) {
		d->bdata[p->part % nx_fec_blocks(d->fec)]++;
		fec_try(d, p->part % nx_fec_blocks(d->fec));
	}
	return NX_PLACE_OK;
}

static int by_offset(const void *a, const void *b);

/* A dump that recovered parts is complete only if its text has the sender's CRC. */
static void check_dcrc(struct nx_dstate *d)
{
	struct nx_piece *order;
	uint32_t crc = 0;

	if (!d->fec || !d->recovered || d->dcrc_checked || d->parts_received != d->parts ||
	    d->covered != d->total)
		return;
	order = malloc((d->npieces ? d->npieces : 1) * sizeof(*order));
	if (!order)
		return;		/* checked with the next datagram */
	memcpy(order, d->pieces, d->npieces * sizeof(*order));
	qsort(order, d->npieces, sizeof(*order), by_offset);
	for (size_t i = 0; i < d->npieces; i++)
		crc = netoops_crc32(crc, order[i].data, order[i].len);
	free(order);
	d->dcrc_checked = true;
	d->dcrc_bad = crc != nx_fec_dcrc(d->fec);
	if (d->dcrc_bad)
		d->rejected++;
}

enum nx_place nx_dstate_place(struct nx_dstate *d, const struct nx_packet *p)
{
	enum nx_place res = p->kind == NX_KIND_PARITY ? place_parity(d, p) : place_text(d, p);

	check_dcrc(d);
	return res;
}

void nx_dstate_fec_counts(const struct nx_dstate *d, uint32_t *recovered, uint32_t *rejected)
{
	*recovered = d->recovered;
	*rejected = d->rejected;
}

bool nx_dstate_complete(const struct nx_dstate *d)
{
	return d->parts_received == d->parts && !d->dcrc_bad &&
	       (d->format == NX_FMT_LEGACY_V3 || d->covered == d->total);
}

enum nx_place nx_dstate_check_done(const struct nx_dstate *d, const struct nx_packet *p)
{
	if (d->format != NX_FMT_LEGACY_V3)
		return NX_PLACE_DUP;
	if (p->parts != d->parts || !has_part(d, p->part) ||
	    d->phash[p->part] != content_hash(p))
		return NX_PLACE_OTHER_DUMP;
	return NX_PLACE_DUP;
}

static int by_offset(const void *a, const void *b)
{
	const struct nx_piece *x = a, *y = b;

	return (x->off > y->off) - (x->off < y->off);
}

static bool add_range(struct nx_dump *out, size_t *cap, uint32_t start, uint32_t end)
{
	if (out->n_missing && out->missing[out->n_missing - 1].end == start) {
		out->missing[out->n_missing - 1].end = end;
		return true;
	}
	if (out->n_missing == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct nx_range *m = realloc(out->missing, c * sizeof(*m));

		if (!m)
			return false;
		out->missing = m;
		*cap = c;
	}
	out->missing[out->n_missing++] = (struct nx_range){ start, end };
	return true;
}

/* v1: the complement of the covered ranges; legacy: the 1 KiB slots of absent packets. */
static bool missing_ranges(const struct nx_dstate *d, struct nx_dump *out)
{
	size_t cap = 0;
	uint32_t at = 0;

	if (d->format == NX_FMT_LEGACY_V3) {
		for (uint32_t slot = 0; slot < d->parts; slot++) {
			uint32_t no = d->parts - 1 - slot;

			if (!has_part(d, no) &&
			    !add_range(out, &cap, slot * NETOOPS_V3_DATA_LEN,
				       (slot + 1) * NETOOPS_V3_DATA_LEN))
				return false;
		}
		return true;
	}
	for (size_t i = 0; i < d->ncov; i++) {
		if (d->cov[i].start > at && !add_range(out, &cap, at, d->cov[i].start))
			return false;
		at = d->cov[i].end;
	}
	return at >= d->total || add_range(out, &cap, at, d->total);
}

struct nx_dump *nx_dstate_emit(const struct nx_dstate *d, const struct nx_entry *e)
{
	struct nx_dump *out = nx_dump_alloc(e, d->used);
	struct nx_piece *order = malloc((d->npieces ? d->npieces : 1) * sizeof(*order));

	if (!out || !order)
		goto fail;
	if (d->npieces) {
		memcpy(order, d->pieces, d->npieces * sizeof(*order));
		qsort(order, d->npieces, sizeof(*order), by_offset);
	}
	for (size_t i = 0, at = 0; i < d->npieces; i++) {
		memcpy(out->text + at, order[i].data, order[i].len);
		at += order[i].len;
	}
	out->text[d->used] = '\0';
	free(order);
	order = NULL;
	memcpy(out->host, d->host, sizeof(out->host));
	memcpy(out->boot, d->boot, sizeof(out->boot));
	memcpy(out->release, d->release, sizeof(out->release));
	out->dump = d->dump;
	out->time_usec = d->time_usec;
	out->parts = d->parts;
	out->parts_received = d->parts_received;
	out->complete = nx_dstate_complete(d);
	if (d->format == NX_FMT_LEGACY_V3)
		strcpy(out->reason, nx_reason_from_text(out->text, out->text_len));
	else
		memcpy(out->reason, d->reason, sizeof(out->reason));
	if (!missing_ranges(d, out))
		goto fail;
	return out;
fail:
	free(order);
	nx_dump_free(out);
	return NULL;
}

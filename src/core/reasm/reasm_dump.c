/* One netoops v1 or legacy v3 dump being put together: parts placed by offset, gaps tracked. */
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
	const uint8_t *data;	/* where in a block */
};

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

size_t nx_dstate_mem(const struct nx_dstate *d)
{
	return sizeof(*d) + d->bits_cap + d->phash_cap * sizeof(*d->phash) +
	       d->pieces_cap * sizeof(*d->pieces) + d->blocks_bytes +
	       d->blocks_cap * sizeof(*d->blocks) + d->cov_cap * sizeof(*d->cov);
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

/* Does P agree with what the dump's first datagram fixed? */
static bool consistent(const struct nx_dstate *d, const struct nx_packet *p)
{
	return p->parts == d->parts && p->total == d->total && p->copies == d->copies &&
	       !strcmp(p->reason, d->reason) && !strcmp(p->release, d->release);
}

enum nx_place nx_dstate_place(struct nx_dstate *d, const struct nx_packet *p)
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
		d->pieces[d->npieces++] = (struct nx_piece){ p->offset, (uint32_t)p->text_len, at };
		d->block_used += p->text_len;
		d->used += p->text_len;
		d->covered += p->text_len;
		if (!legacy)
			cov_add(d, p->offset, (uint32_t)p->text_len);
	}
	return NX_PLACE_OK;
}

bool nx_dstate_complete(const struct nx_dstate *d)
{
	return d->parts_received == d->parts &&
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

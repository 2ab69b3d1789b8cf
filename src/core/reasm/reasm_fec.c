/* Parity recovery for one netoops dump: parity shards held per block, missing parts rebuilt with ISA-L and verified. */
#include "core/reasm/reasm_fec.h"

#include <isa-l/crc.h>
#include <isa-l/erasure_code.h>
#include <stdlib.h>
#include <string.h>

/*
 * Per block: the checksum and row count the block's first parity fixed,
 * the rows seen (a row is accepted once), and the shards held until the
 * block can be solved. A block never holds more parity than it misses
 * data: with k shards in hand it is solved at once.
 */
struct nx_fblock {
	uint32_t bcrc;
	uint16_t m;
	uint16_t held;
	uint8_t rows_seen[NETOOPS_FEC_MAX_ROWS / 8];
	uint8_t held_row[NETOOPS_FEC_MAX_K];
	uint8_t *shards;		/* held * shard bytes, in held_row order */
	bool set;			/* bcrc and m fixed */
	bool closed;			/* solved, or failed verification once */
};

struct nx_fec {
	uint32_t parts, blocks, shard, dcrc;
	struct nx_fblock *blk;
	size_t held_bytes;
};

struct nx_fec *nx_fec_new(const struct nx_packet *p)
{
	struct nx_fec *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->parts = p->parts;
	f->blocks = p->fec_blocks;
	f->shard = (uint32_t)p->text_len;
	f->dcrc = p->fec_dcrc;
	f->blk = calloc(f->blocks, sizeof(*f->blk));
	if (!f->blk) {
		free(f);
		return NULL;
	}
	return f;
}

void nx_fec_free(struct nx_fec *f)
{
	if (!f)
		return;
	for (uint32_t b = 0; b < f->blocks; b++)
		free(f->blk[b].shards);
	free(f->blk);
	free(f);
}

size_t nx_fec_mem(const struct nx_fec *f)
{
	return f ? sizeof(*f) + f->blocks * sizeof(*f->blk) + f->held_bytes : 0;
}

size_t nx_fec_mem_new(const struct nx_packet *p)
{
	return sizeof(struct nx_fec) + p->fec_blocks * sizeof(struct nx_fblock) + p->text_len;
}

uint32_t nx_fec_blocks(const struct nx_fec *f)
{
	return f->blocks;
}

uint32_t nx_fec_shard(const struct nx_fec *f)
{
	return f->shard;
}

uint32_t nx_fec_dcrc(const struct nx_fec *f)
{
	return f->dcrc;
}

bool nx_fec_closed(const struct nx_fec *f, uint32_t b)
{
	return f->blk[b].closed;
}

uint32_t nx_fec_held(const struct nx_fec *f, uint32_t b)
{
	return f->blk[b].held;
}

static void release(struct nx_fec *f, struct nx_fblock *blk)
{
	free(blk->shards);
	blk->shards = NULL;
	f->held_bytes -= (size_t)blk->held * f->shard;
	blk->held = 0;
}

void nx_fec_close(struct nx_fec *f, uint32_t b)
{
	release(f, &f->blk[b]);
	f->blk[b].closed = true;
}

enum nx_place nx_fec_add(struct nx_fec *f, const struct nx_packet *p, uint32_t missing)
{
	struct nx_fblock *blk;

	if (p->fec_blocks != f->blocks || p->text_len != f->shard || p->fec_dcrc != f->dcrc)
		return NX_PLACE_BAD;
	blk = &f->blk[p->fec_block];
	if (blk->set && (blk->bcrc != p->fec_bcrc || blk->m != p->fec_m))
		return NX_PLACE_BAD;
	if (blk->closed || (blk->rows_seen[p->fec_row / 8] >> (p->fec_row % 8) & 1) ||
	    blk->held >= missing)
		return NX_PLACE_DUP;	/* never more parity than the block misses data */
	uint8_t *s = realloc(blk->shards, (size_t)(blk->held + 1) * f->shard);

	if (!s)
		return NX_PLACE_NOMEM;
	blk->shards = s;
	memcpy(s + (size_t)blk->held * f->shard, p->text, f->shard);
	blk->held_row[blk->held++] = (uint8_t)p->fec_row;
	f->held_bytes += f->shard;
	blk->rows_seen[p->fec_row / 8] |= (uint8_t)(1u << (p->fec_row % 8));
	blk->bcrc = p->fec_bcrc;
	blk->m = (uint16_t)p->fec_m;
	blk->set = true;
	return NX_PLACE_OK;
}

/* Row of survivor I in the encode matrix A ((k + m) x k): data shards first, then parity rows. */
static const uint8_t *survivor_row(const uint8_t *a, uint32_t k, const uint32_t *surv, uint32_t i)
{
	return a + (size_t)surv[i] * k;
}

/*
 * Solve block B: SHARDS holds k pointers, NULL for a missing data shard;
 * the held parity rows stand in for the missing ones (the standard ISA-L
 * decode: invert the k x k submatrix of the rows in hand, multiply).
 * OUT receives the missing shards in index order. Returns 0, or -1 when
 * the matrix or the block's checksum disagrees (then nothing is usable).
 */
int nx_fec_solve(struct nx_fec *f, uint32_t b, uint32_t k, uint8_t **shards, uint8_t *out)
{
	struct nx_fblock *blk = &f->blk[b];
	uint32_t rows = k + blk->m, nmiss = 0, ns = 0, hp = 0;
	uint32_t surv[NETOOPS_FEC_MAX_K], miss[NETOOPS_FEC_MAX_K];
	unsigned char *src[NETOOPS_FEC_MAX_K], *dst[NETOOPS_FEC_MAX_K];
	unsigned char *a = malloc((size_t)rows * k), *sub = malloc((size_t)k * k);
	unsigned char *inv = malloc((size_t)k * k), *c = malloc((size_t)k * k);
	unsigned char *tbls = malloc((size_t)32 * k * k);
	int rc = -1;

	if (!a || !sub || !inv || !c || !tbls)
		goto out;
	gf_gen_cauchy1_matrix(a, (int)rows, (int)k);
	for (uint32_t j = 0; j < k; j++) {
		if (shards[j]) {
			surv[ns] = j;
			src[ns++] = shards[j];
		} else {
			miss[nmiss++] = j;
		}
	}
	if (nmiss == 0 || nmiss > blk->held)
		goto out;
	for (; ns < k; ns++, hp++) {
		surv[ns] = k + blk->held_row[hp];
		src[ns] = blk->shards + (size_t)hp * f->shard;
	}
	for (uint32_t i = 0; i < k; i++)
		memcpy(sub + (size_t)i * k, survivor_row(a, k, surv, i), k);
	if (gf_invert_matrix(sub, inv, (int)k))
		goto out;
	for (uint32_t e = 0; e < nmiss; e++) {
		memcpy(c + (size_t)e * k, inv + (size_t)miss[e] * k, k);
		dst[e] = out + (size_t)e * f->shard;
	}
	ec_init_tables((int)k, (int)nmiss, c, tbls);
	ec_encode_data((int)f->shard, (int)k, (int)nmiss, tbls, src, dst);

	uint32_t crc = 0;

	for (uint32_t j = 0, e = 0; j < k; j++) {
		const uint8_t *s = shards[j] ? shards[j] : out + (size_t)e++ * f->shard;

		crc = crc32_gzip_refl(crc, s, f->shard);
	}
	rc = crc == blk->bcrc ? 0 : -1;
out:
	free(a);
	free(sub);
	free(inv);
	free(c);
	free(tbls);
	return rc;
}

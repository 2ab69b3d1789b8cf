/* A dump's text as stored: zstd frames (one per text) or the bytes as they are, by dumps.text_codec. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "store/text_codec.h"

const char *const nx_text_codec_names[NX_N_CODECS] = {
	[NX_CODEC_NONE] = "none", [NX_CODEC_ZSTD] = "zstd",
};

struct nx_text_packer {
	ZSTD_CCtx *cctx;
	void *buf;
	size_t cap;
};

struct nx_text_packer *nx_text_packer_new(void)
{
	struct nx_text_packer *p = calloc(1, sizeof(*p));

	if (p && !(p->cctx = ZSTD_createCCtx())) {
		free(p);
		return NULL;
	}
	if (p)
		ZSTD_CCtx_setParameter(p->cctx, ZSTD_c_compressionLevel, NX_TEXT_ZSTD_LEVEL);
	return p;
}

void nx_text_packer_free(struct nx_text_packer *p)
{
	if (!p)
		return;
	ZSTD_freeCCtx(p->cctx);
	free(p->buf);
	free(p);
}

/* Room for the frame of LEN bytes in P's buffer; false on ENOMEM. */
static bool reserve(struct nx_text_packer *p, size_t len)
{
	size_t need = ZSTD_compressBound(len);
	void *b;

	if (need <= p->cap)
		return true;
	if (!(b = realloc(p->buf, need)))
		return false;
	p->buf = b;
	p->cap = need;
	return true;
}

enum nx_text_codec nx_text_pack(struct nx_text_packer *p, const char *text, size_t len,
				const void **out, size_t *out_len)
{
	size_t z;

	*out = text;
	*out_len = len;
	if (!p || len == 0 || !reserve(p, len))
		return NX_CODEC_NONE;
	z = ZSTD_compress2(p->cctx, p->buf, p->cap, text, len);
	if (ZSTD_isError(z) || z >= len)
		return NX_CODEC_NONE;	/* incompressible: stored as it is */
	*out = p->buf;
	*out_len = z;
	return NX_CODEC_ZSTD;
}

static int codec_of(const char *name)
{
	for (int i = 0; i < NX_N_CODECS; i++)
		if (strcmp(name ? name : "none", nx_text_codec_names[i]) == 0)
			return i;
	return -1;
}

/* Unpack one zstd frame of exactly LEN bytes into OUT[0..LEN); 0, or -1 with ERR. */
static int unzstd(const void *blob, size_t n, char *out, size_t len, char *err, size_t errlen)
{
	unsigned long long claim = ZSTD_getFrameContentSize(blob, n);
	size_t got;

	if (claim != ZSTD_CONTENTSIZE_UNKNOWN && claim != len) {
		snprintf(err, errlen, "stored text damaged: its frame holds %llu bytes, not %zu",
			 claim == ZSTD_CONTENTSIZE_ERROR ? 0 : claim, len);
		return -1;
	}
	got = ZSTD_decompress(out, len, blob, n);
	if (ZSTD_isError(got) || got != len) {
		snprintf(err, errlen, "stored text damaged: %s",
			 ZSTD_isError(got) ? ZSTD_getErrorName(got) : "shorter than its length");
		return -1;
	}
	return 0;
}

char *nx_text_unpack(const char *codec, const void *blob, size_t n, int64_t len,
		     size_t *out_len, char *err, size_t errlen)
{
	int c = codec_of(codec);
	char *out;

	if (c < 0) {
		snprintf(err, errlen, "stored text in an unknown codec '%.32s': written by a newer "
			 "netoops?", codec);
		return NULL;
	}
	if (c == NX_CODEC_NONE)
		len = (int64_t)n;	/* the bytes as stored, as every release has read them */
	if (len < 0 || len > NX_TEXT_MAX) {
		snprintf(err, errlen, "stored text damaged: %zu bytes stored for a length of %lld",
			 n, (long long)len);
		return NULL;
	}
	if (!(out = malloc((size_t)len + 1))) {
		snprintf(err, errlen, "out of memory for a %lld-byte text", (long long)len);
		return NULL;
	}
	if (c == NX_CODEC_NONE && len)
		memcpy(out, blob, (size_t)len);
	else if (c == NX_CODEC_ZSTD && unzstd(blob, n, out, (size_t)len, err, errlen) < 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	*out_len = (size_t)len;
	return out;
}

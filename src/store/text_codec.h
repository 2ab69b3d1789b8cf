/* How a dump's text is stored: the codecs of dumps.text_codec (none, zstd), packing and unpacking. */
#ifndef NX_TEXT_CODEC_H
#define NX_TEXT_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Indexes of nx_text_codec_names[]; the names are what dumps.text_codec holds. */
enum nx_text_codec { NX_CODEC_NONE, NX_CODEC_ZSTD, NX_N_CODECS };

extern const char *const nx_text_codec_names[NX_N_CODECS];

/* A stored text never unpacks to more than SQLite stores in one value (SQLITE_MAX_LENGTH's
 * default): a row that claims more is damaged. */
#define NX_TEXT_MAX 1000000000

/* The level of every zstd frame written (zstd's default: ~5 % larger than level 6 on kernel
 * logs, at several times its speed). */
#define NX_TEXT_ZSTD_LEVEL 3

struct nx_text_packer;

/* A compression context kept for the next texts; NULL on ENOMEM (texts are then stored
 * uncompressed: nx_text_pack() accepts a NULL packer). */
struct nx_text_packer *nx_text_packer_new(void);
void nx_text_packer_free(struct nx_text_packer *p);

/* TEXT[0..LEN) as it is to be stored: the codec, and in *OUT (*OUT_LEN bytes) the bytes to
 * store, which are TEXT itself for NX_CODEC_NONE (a text that does not get smaller, or no
 * memory) or the packer's buffer, valid until its next use, for NX_CODEC_ZSTD. */
enum nx_text_codec nx_text_pack(struct nx_text_packer *p, const char *text, size_t len,
				const void **out, size_t *out_len);

/* The stored bytes BLOB[0..N) of the codec named CODEC (NULL: none) that unpack to LEN bytes
 * (dumps.text_len; for none the N bytes themselves, whatever LEN says): a malloc'd copy,
 * NUL-terminated, of *OUT_LEN bytes. NULL, with the reason in ERR, when the codec is unknown,
 * the bytes are damaged or unpack to another length, or no memory. */
char *nx_text_unpack(const char *codec, const void *blob, size_t n, int64_t len,
		     size_t *out_len, char *err, size_t errlen);

#endif

/* libFuzzer target: stored texts (src/store/text_codec.c) as another program could write them: never a crash, the length kept, packing reversible. */
/* fuzz-sources: src/store/text_codec.c */
/* fuzz-libs: -lzstd */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/text_codec.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/*
 * Input: [codec u8][text_len u24 little-endian][stored bytes...]. Codec 0 is "none", 1
 * "zstd", anything else a name no release writes. Whatever the bytes, unpacking gives NULL
 * with a reason, or exactly text_len bytes (the stored bytes for none) NUL-terminated. Then
 * the stored bytes are packed as a text and must unpack to themselves.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nx_text_packer *packer;
	const char *codec;
	char err[256] = "";
	size_t got = 0, n;
	int64_t len;
	char *out;
	const void *packed;
	enum nx_text_codec c;

	if (size < 4)
		return 0;
	codec = data[0] == 0 ? "none" : data[0] == 1 ? "zstd" : "lz4";
	len = data[1] | data[2] << 8 | data[3] << 16;
	data += 4, size -= 4;
	out = nx_text_unpack(codec, data, size, len, &got, err, sizeof(err));
	if (out) {
		CHECK(got == (codec[0] == 'n' ? size : (size_t)len));
		CHECK(out[got] == '\0');
		CHECK(codec[0] != 'n' || memcmp(out, data, size) == 0);
		free(out);
	} else {
		CHECK(err[0] != '\0');
	}
	if (!packer)
		packer = nx_text_packer_new();
	c = nx_text_pack(packer, (const char *)data, size, &packed, &n);
	CHECK(c == NX_CODEC_NONE ? packed == (const void *)data && n == size : n < size);
	out = nx_text_unpack(nx_text_codec_names[c], packed, n, (int64_t)size, &got, err,
			     sizeof(err));
	CHECK(out && got == size && memcmp(out, data, size) == 0);
	free(out);
	return 0;
}

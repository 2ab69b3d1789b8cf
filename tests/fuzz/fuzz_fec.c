/* libFuzzer target: hostile parity: a real dump's datagrams, some dropped, parity mutated; what completes must be exact. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode/encode.h"
#include "core/reasm/reasm.h"

/*
 * Once: a 12 KiB dump (about 11 parts, one block) and a 40 KiB one (about
 * 37 parts) in two blocks of a smaller datagram limit, both with parity
 * (fec 60). Input: [which dump: u8][drop mask: 8 bytes] then records of
 * [parity index: u8][offset: u16 LE][xor: u8]: each mutates one byte of a
 * parity datagram (text is not verified without parity: not the target's
 * business); then every datagram not dropped is fed,
 * mutated ones first. The oracle: a complete dump is the sent text exactly;
 * an incomplete one holds only sent bytes.
 */
struct dump {
	char *text;
	size_t len;
	struct nx_dgrams l;
};

static struct dump dumps[2];

static void make(struct dump *d, size_t size, size_t max_datagram)
{
	struct nx_enc_netoops id = { .host = "fz", .boot = "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4",
				     .dump = 1, .reason = "oops", .release = "6.1", .copies = 1,
				     .fec_pct = 60, .max_datagram = max_datagram };
	size_t n = 0;

	d->text = malloc(size + 200);
	if (!d->text)
		abort();
	for (unsigned i = 0; n < size; i++)
		n += (size_t)sprintf(d->text + n, "[%5u.%06u] line %u of the fuzzed log\n", i, i * 7, i);
	d->len = n;
	if (nx_encode_netoops(&id, d->text, d->len, nx_dgrams_append, &d->l) <= 0)
		abort();
}

static void check(const struct dump *s, const struct nx_dump *d)
{
	size_t at = 0, m = 0;

	if (d->complete && (d->text_len != s->len || memcmp(d->text, s->text, s->len)))
		__builtin_trap();	/* a forged complete dump */
	if (d->text_len > s->len)
		__builtin_trap();
	for (uint32_t off = 0; off < s->len && at < d->text_len;) {
		if (m < d->n_missing && d->missing[m].start == off) {
			off = d->missing[m++].end;
			continue;
		}
		uint32_t end = m < d->n_missing ? d->missing[m].start : (uint32_t)s->len;

		if (end > s->len || at + (end - off) > d->text_len ||
		    memcmp(d->text + at, s->text + off, end - off))
			__builtin_trap();	/* a forged byte in a dump */
		at += end - off;
		off = end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct nx_reasm_limits lim = { .max_bytes = 8 << 20, .max_dumps = 8,
						     .quiet_ms = 1000, .netconsole_quiet_ms = 500 };
	uint8_t *bufs[256] = { 0 };

	if (!dumps[0].len) {
		make(&dumps[0], 12 * 1024, 0);
		make(&dumps[1], 40 * 1024, 700);
	}
	if (size < 9)
		return 0;

	const struct dump *s = &dumps[data[0] & 1];
	size_t n = s->l.n < 256 ? s->l.n : 256;
	struct nx_reasm *r = nx_reasm_new(&lim);
	struct nx_dump *d;
	bool mutated[256] = { false };

	size_t first = 0;

	while (first < n && memcmp(s->l.v[first].data, "NETOOPSP ", 9))
		first++;
	if (!r || first == n) {
		nx_reasm_free(r);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		bufs[i] = malloc(s->l.v[i].len);
		if (!bufs[i])
			abort();
		memcpy(bufs[i], s->l.v[i].data, s->l.v[i].len);
	}
	for (size_t i = 9; i + 4 <= size; i += 4) {
		size_t k = first + data[i] % (n - first), off = ((size_t)data[i + 1] | (size_t)data[i + 2] << 8);

		bufs[k][off % s->l.v[k].len] ^= data[i + 3];
		mutated[k] = true;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool drop = data[1 + i % 64 / 8] >> (i % 8) & 1;

			if (mutated[i] == (pass == 0) && !drop)
				nx_reasm_feed(r, "127.0.0.1:2004", bufs[i], s->l.v[i].len, 10);
		}
	nx_reasm_flush(r, 100000);
	while ((d = nx_reasm_next(r))) {
		if (!strcmp(d->host, "fz"))
			check(s, d);
		nx_dump_free(d);
	}
	nx_reasm_free(r);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	return 0;
}

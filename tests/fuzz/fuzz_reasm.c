/* libFuzzer target: the reassembler fed a sequence of datagrams cut from the input. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/reasm/reasm.h"

/*
 * Input: records of [len: u16 LE][ctl: u8][len bytes]. ctl & 3 picks one of
 * four source addresses, ctl >> 2 advances the clock by that many 50 ms
 * steps; a step of 63 runs expiry. Small limits make eviction happen.
 */
static const struct nx_reasm_limits lim = {
	.max_bytes = 256 * 1024, .max_dumps = 8, .quiet_ms = 1000, .netconsole_quiet_ms = 500,
	.max_dump_bytes = 64 * 1024,
};

static void check_dump(const struct nx_dump *d)
{
	if (d->text[d->text_len] != '\0')
		__builtin_trap();
	for (size_t i = 0; i < d->n_missing; i++)
		if (d->missing[i].start > d->missing[i].end ||
		    (i && d->missing[i].start < d->missing[i - 1].end))
			__builtin_trap();
	if (d->complete && d->format != NX_FMT_NC_EXTENDED && d->format != NX_FMT_NC_BASIC &&
	    (d->n_missing || d->parts_received != d->parts))
		__builtin_trap();
}

static void drain(struct nx_reasm *r)
{
	struct nx_dump *d;

	while ((d = nx_reasm_next(r))) {
		check_dump(d);
		nx_dump_free(d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sources[] = {
		"127.0.0.1:2004", "10.0.0.2:6665", "[2001:db8::1]:2004", "192.0.2.9:6666",
	};
	struct nx_reasm *r = nx_reasm_new(&lim);
	uint64_t now = 1000;
	size_t i = 0;

	if (!r)
		return 0;
	while (i + 3 <= size) {
		size_t len = (size_t)data[i] | (size_t)data[i + 1] << 8;
		uint8_t ctl = data[i + 2];

		i += 3;
		if (len > size - i)
			len = size - i;
		now += (uint64_t)(ctl >> 2) * 50;
		nx_reasm_feed(r, sources[ctl & 3], data + i, len, now);
		i += len;
		if (nx_reasm_bytes(r) > lim.max_bytes || nx_reasm_pending(r) > lim.max_dumps)
			__builtin_trap();
		if ((ctl >> 2) == 63)
			nx_reasm_expire(r, now);
		if (nx_reasm_next_deadline(r, now) > (int64_t)lim.quiet_ms)
			__builtin_trap();
		drain(r);
	}
	nx_reasm_flush(r, now);
	drain(r);
	if (nx_reasm_pending(r) != 0 || nx_reasm_bytes(r) != 0)
		__builtin_trap();
	nx_reasm_free(r);
	return 0;
}

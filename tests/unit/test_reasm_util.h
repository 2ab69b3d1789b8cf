/* Helpers for the core's unit tests: synthetic kernel logs, encoding into datagrams, feeding. */
#ifndef TEST_REASM_UTIL_H
#define TEST_REASM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/decode/encode.h"
#include "core/decode/packet.h"
#include "core/reasm/reasm.h"
#include "core/siphash.h"

#define BOOT_A "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4"
#define BOOT_B "11112222333344445555666677778888"

/* A dmesg-like log of about LEN bytes ending in a divide-error oops; caller frees. */
static inline char *make_log(size_t len, unsigned seed, size_t *out_len)
{
	static const char *const oops[] = {
		"divide error: 0000 [#1] PREEMPT SMP NOPTI",
		"CPU: 0 PID: 180 Comm: insmod Tainted: G           OE      6.1.0-27-amd64 #1 Debian 6.1.115-1",
		"RIP: 0010:init_module+0x11/0x1000 [crashme]",
		"Call Trace:",
		" <TASK>",
		" do_one_initcall+0x41/0x200",
		" do_init_module+0x4c/0x1f0",
		" </TASK>",
		"---[ end trace 0000000000000000 ]---",
	};
	size_t cap = len + 4096, n = 0;
	char *t = malloc(cap);
	unsigned i = 0, x = seed * 2654435761u + 1;

	assert_non_null(t);
	while (n + 200 < len) {
		x = x * 1103515245u + 12345u;
		n += (size_t)snprintf(t + n, cap - n, "[%5u.%06u] host%u: line %u of the log, noise %08x%s\n",
				      i / 1000, (i % 1000) * 997, seed, i, x,
				      (x & 7) == 0 ? " with a somewhat longer tail to vary record sizes" : "");
		i++;
	}
	for (size_t k = 0; k < sizeof(oops) / sizeof(oops[0]); k++, i++)
		n += (size_t)snprintf(t + n, cap - n, "[%5u.%06u] %s\n", i / 1000, (i % 1000) * 997,
				      oops[k]);
	*out_len = n;
	return t;
}

static inline struct nx_enc_netoops v1_id(const char *host, const char *boot, uint32_t dump)
{
	return (struct nx_enc_netoops){
		.host = host, .boot = boot, .dump = dump, .reason = "oops",
		.release = "6.1.0-27-amd64", .time_usec = 1764288000123456ull, .copies = 2,
	};
}

static inline struct nx_dgrams encode_v1(const struct nx_enc_netoops *id, const char *text,
					 size_t len)
{
	struct nx_dgrams l = { 0 };

	assert_true(nx_encode_netoops(id, text, len, nx_dgrams_append, &l) > 0);
	return l;
}

/* Take every ready dump out of R into OUT (up to MAX); returns how many. */
static inline size_t drain_ready(struct nx_reasm *r, struct nx_dump **out, size_t max)
{
	size_t n = 0;
	struct nx_dump *d;

	while ((d = nx_reasm_next(r))) {
		if (n < max)
			out[n++] = d;
		else
			nx_dump_free(d);
	}
	return n;
}

static inline void free_dumps(struct nx_dump **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		nx_dump_free(v[i]);
}

/* Deterministic shuffle (xorshift) of the datagram list. */
static inline void shuffle(struct nx_dgrams *l, uint32_t seed)
{
	uint32_t x = seed | 1;

	for (size_t i = l->n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		size_t j = x % i;
		struct nx_dgram t = l->v[i - 1];

		l->v[i - 1] = l->v[j];
		l->v[j] = t;
	}
}

#endif

/* auth_bench: the sender's time to frame a dump with and without the MAC (and encryption), with the module's own framing code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netoops/wire_auth.h>

#include "core/auth/auth.h"

/*
 * What netoops.ko does per datagram (kmod/dump.c dump_pass): the header,
 * the MAC over header and text, the encryption; here with the userspace
 * primitives (OpenSSL) instead of lib/crypto, and without the transmit.
 * Prints one line per mode: ms per dump, and the cost of the MAC itself.
 */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over every part, as the module sends it; returns a checksum so nothing is elided. */
static unsigned pass(struct netoops_frame *f, const struct netoops_auth_keys *k, u8 *ct)
{
	char hdr[NETOOPS_MAX_DATAGRAM + 1];
	uint32_t end = f->total, start;
	unsigned sum = 0;

	for (uint32_t part = 0; part < f->parts; part++, end = start) {
		start = netoops_frame_prev(f, end);
		sum += (unsigned)netoops_frame_auth_header(f, k, hdr, sizeof(hdr), part, start, 1,
							   f->text + start, end - start, ct);
		sum += (unsigned)hdr[sum % 16];
	}
	return sum;
}

int main(int argc, char **argv)
{
	size_t total = argc > 1 ? strtoul(argv[1], NULL, 10) : 4u << 20;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	char *text = malloc(total);
	static const char *const modes[] = { "no MAC", "MAC", "MAC + encryption" };
	struct netoops_auth_keys k = { 0 };
	uint8_t key[NX_AUTH_KEY_LEN] = { 7 };
	u8 ct[NETOOPS_MAX_DATAGRAM];
	double base = 0;
	unsigned sum = 0;

	if (!text || rounds < 1)
		return 2;
	for (size_t i = 0; i < total; i++)	/* log-like lines of 80 bytes */
		text[i] = i % 80 == 79 ? '\n' : (char)('a' + i % 26);
	netoops_auth_set_key(&k, key);
	for (int m = 0; m < 3; m++) {
		struct netoops_frame f = { .seq = 1, .reason = "oops", .sec = 1764288000,
					   .copies = 1 };
		double t0, best = 1e9;

		k.encrypt = m == 2;
		memcpy(f.host, "bench-host", 11);
		memcpy(f.release, "6.1.0-27-amd64", 15);
		memcpy(f.boot, "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4", 33);
		f.ext_reserve = m ? NETOOPS_AUTH_RESERVE(k.encrypt) : 0;
		if (netoops_frame_init(&f, text, (u32)total) < 0)
			return 1;
		for (int r = 0; r < rounds; r++) {
			t0 = now_s();
			sum += pass(&f, m ? &k : NULL, ct);
			if (now_s() - t0 < best)
				best = now_s() - t0;
		}
		if (!m)
			base = best;
		printf("%-17s %zu bytes, %u datagrams: %.2f ms per pass (best of %d)", modes[m], total,
		       f.parts, best * 1e3, rounds);
		if (m)
			printf(", +%.2f ms, %.2f us per datagram", (best - base) * 1e3,
			       (best - base) * 1e6 / f.parts);
		printf("\n");
	}
	free(text);
	return sum == 0;	/* never: keeps the work */
}

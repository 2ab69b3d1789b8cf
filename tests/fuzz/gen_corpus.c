/*
 * Writes the fuzz targets' seed corpora with the project's own encoder.
 * Build and run from the repository root:
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -o build/gen_corpus tests/fuzz/gen_corpus.c \
 *      src/core/decode/encode.c && build/gen_corpus tests/fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/decode/encode.h"

static const char *dir;

static const char log_text[] =
	"[  411.000001] crashme: loading out-of-tree module taints kernel.\n"
	"[  412.123456] divide error: 0000 [#1] PREEMPT SMP NOPTI\n"
	"[  412.123789] CPU: 0 PID: 180 Comm: insmod Tainted: G           OE      6.1.0-27-amd64 #1\n"
	"[  412.123800] RIP: 0010:init_module+0x11/0x1000 [crashme]\n"
	"[  412.123900] Call Trace:\n"
	"[  412.123901]  <TASK>\n"
	"[  412.123902]  do_one_initcall+0x41/0x200\n"
	"[  412.123903]  </TASK>\n"
	"[  412.123999] ---[ end trace 0000000000000000 ]---\n"
	"[  412.124000] Kernel panic - not syncing: Fatal exception\n";

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* fuzz_decode: one datagram per file (the first of each list). */
static void one(const char *name, const struct nx_dgrams *l, size_t i)
{
	put("fuzz_decode", name, l->v[i].data, l->v[i].len);
}

/* fuzz_reasm: the list as [len u16][ctl u8][bytes] records; ctl picks a source. */
static void seq(const char *name, const struct nx_dgrams *l, uint8_t ctl)
{
	size_t cap = 0, n = 0;
	uint8_t *b;

	for (size_t i = 0; i < l->n; i++)
		cap += l->v[i].len + 3;
	b = malloc(cap + 3);
	for (size_t i = 0; i < l->n; i++) {
		b[n++] = (uint8_t)l->v[i].len;
		b[n++] = (uint8_t)(l->v[i].len >> 8);
		b[n++] = (uint8_t)(ctl + (i % 3 == 2 ? 4 : 0));
		memcpy(b + n, l->v[i].data, l->v[i].len);
		n += l->v[i].len;
	}
	b[n++] = 0, b[n++] = 0, b[n++] = 0xfc;	/* then a long quiet spell: expiry */
	put("fuzz_reasm", name, b, n);
	free(b);
}

int main(int argc, char **argv)
{
	struct nx_enc_netoops v1 = { .host = "web-17", .boot = "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4",
				     .dump = 3, .reason = "oops", .release = "6.1.0-27-amd64",
				     .time_usec = 1764288000123456ull, .copies = 2,
				     .max_datagram = 400 };
	struct nx_enc_legacy leg = { .dump_id = 4242, .boot_id = 7, .passes = 2,
				     .release = "2.6.32-279.el6.x86_64" };
	struct nx_enc_netconsole nc = { .first_seq = 400, .release = "6.12.0", .max_payload = 120 };
	struct nx_dgrams l = { 0 };
	size_t len = sizeof(log_text) - 1;

	dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	mkdir(dir, 0755);

	nx_encode_netoops(&v1, log_text, len, nx_dgrams_append, &l);
	one("netoops-part0", &l, 0);
	one("netoops-last", &l, l.n / 2 - 1);
	seq("netoops-dump", &l, 0);
	nx_dgrams_free(&l);

	v1.copies = 1;		/* parity (NETOOPSP) after one pass */
	v1.fec_pct = 50;
	nx_encode_netoops(&v1, log_text, len, nx_dgrams_append, &l);
	one("netoops-parity", &l, l.n - 1);
	seq("netoops-fec-dump", &l, 0);
	nx_dgrams_free(&l);

	leg.data_offset = 288;	/* the smaller i386 layout keeps the seeds small */
	nx_encode_legacy_v3(&leg, log_text, len, nx_dgrams_append, &l);
	one("legacy-i386", &l, 0);
	seq("legacy-dump", &l, 1);
	nx_dgrams_free(&l);

	nc.dict = " SUBSYSTEM=net\n DEVICE=+net:eth0\n";
	nx_encode_nc_extended(&nc, log_text, len, nx_dgrams_append, &l);
	one("nc-extended", &l, 0);
	for (size_t i = 0; i < l.n; i++)
		if (strstr((char *)l.v[i].data, "ncfrag=") && i + 1 < l.n) {
			one("nc-ncfrag", &l, i);
			break;
		}
	seq("nc-extended-stream", &l, 2);
	nx_dgrams_free(&l);

	nx_encode_nc_basic(&nc, log_text, len, nx_dgrams_append, &l);
	one("nc-basic", &l, 1);
	seq("nc-basic-stream", &l, 3);
	nx_dgrams_free(&l);
	return 0;
}

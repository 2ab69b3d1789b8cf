/* Analyser throughput (MB/s) on big logs, against a grep-like baseline in the same run.
 *
 *   make && cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -o build/analyse_bench \
 *        bench/analyse_bench.c build/libnxcore.a -lcrypto -lisal && build/analyse_bench [MiB]
 *
 * Three texts of MiB mebibytes (default 16): an ordinary backlog with no oops; a backlog with
 * one oops per ~64 KiB; nothing but oopses (every report up to the analyser's cap). The
 * baseline splits each text into lines and searches each for "BUG" and "WARNING" (what a
 * naive grep does); the ratio says what finding and parsing the reports costs beyond that.
 *
 * Then what netoopsd analyses in a crash storm: MiB/128 KiB dumps of 128 KiB each, every one a
 * real boot log's backlog (the lines before the first report of FILE, argument 2, default
 * tests/unit/data/analyse/vm-6.1-null-dump.txt, repeated) ending with that log's oops; one
 * nx_analyse() call per dump, as the analysis worker makes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/analyse/analyse.h"

static const char oops[] =
	"[  204.773111] ------------[ cut here ]------------\n"
	"[  204.773145] WARNING: CPU: 1 PID: 6181 at fs/buffer.c:1183 mark_buffer_dirty+0x299/0x3f0\n"
	"[  204.773165] Modules linked in: netoops(OE) xfs libcrc32c sd_mod ahci libahci\n"
	"[  204.773192] CPU: 1 UID: 0 PID: 6181 Comm: syz.0.52 Tainted: G           OE      6.12.9 #1\n"
	"[  204.773206] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3 04/01/2014\n"
	"[  204.773212] RIP: 0010:mark_buffer_dirty+0x299/0x3f0\n"
	"[  204.773240] Call Trace:\n"
	"[  204.773243]  <TASK>\n"
	"[  204.773250]  __block_commit_write+0x145/0x290\n"
	"[  204.773262]  block_write_end+0x9a/0x1b0\n"
	"[  204.773271]  ext4_da_write_end+0x2f1/0x780\n"
	"[  204.773283]  generic_perform_write+0x3a0/0x600\n"
	"[  204.773304]  vfs_write+0x5d3/0xf00\n"
	"[  204.773321]  do_syscall_64+0xcd/0x490\n"
	"[  204.773330]  entry_SYSCALL_64_after_hwframe+0x77/0x7f\n"
	"[  204.773349]  </TASK>\n"
	"[  204.773353] ---[ end trace 0000000000000000 ]---\n";

/* CPU time of this process: on a machine shared with other jobs, wall time measures their
 * load more than this code. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fill BUF with LEN bytes of log: ordinary lines, and an oops every EVERY bytes (0: none). */
static size_t make_log(char *buf, size_t len, size_t every)
{
	size_t n = 0, line = 0, next = every;

	while (n + sizeof(oops) + 200 < len) {
		if (every && n >= next) {
			memcpy(buf + n, oops, sizeof(oops) - 1);
			n += sizeof(oops) - 1;
			next += every;
			continue;
		}
		n += (size_t)snprintf(buf + n, len - n,
				      "[%8zu.%06zu] usb 1-%zu: new high-speed USB device number %zu using xhci_hcd\n",
				      line / 1000, line % 1000000, line % 7, line);
		line++;
	}
	buf[n] = '\0';
	return n;
}

static size_t baseline(const char *text, size_t len)
{
	size_t hits = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[1024];
		size_t n = (size_t)((nl ? nl : end) - p);

		n = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		hits += strstr(line, "BUG") != NULL || strstr(line, "WARNING") != NULL;
		p = nl ? nl + 1 : end;
	}
	return hits;
}

static void run(const char *name, const char *text, size_t len)
{
	double t0, t1, t2;
	size_t hits, reports;
	struct nx_report_set *set;

	t0 = now();
	hits = baseline(text, len);
	t1 = now();
	set = nx_analyse(text, len);
	t2 = now();
	if (!set) {
		fprintf(stderr, "analyse_bench: out of memory\n");
		exit(1);
	}
	reports = set->n;
	nx_report_set_free(set);
	printf("%-22s %7.1f MiB  baseline %8.1f MB/s (%zu hits)  nx_analyse %8.1f MB/s (%zu reports)"
	       "  ratio %.2f\n", name, (double)len / (1 << 20), (double)len / 1e6 / (t1 - t0), hits,
	       (double)len / 1e6 / (t2 - t1), reports, (t2 - t1) / (t1 - t0));
}

/* The whole of FILE, NUL-terminated, in *LEN; exits when unreadable. */
static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf = f ? malloc(1 << 20) : NULL;

	if (!buf) {
		fprintf(stderr, "analyse_bench: cannot read %s\n", file);
		exit(1);
	}
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* A DUMP-byte dump into BUF: LOG's lines before the report starting at CUT, repeated, then
 * the report; returns its length. */
static size_t make_dump(char *buf, size_t dump, const char *log, size_t cut, size_t len)
{
	size_t n = 0, report = len - cut;

	while (n + cut + report < dump) {
		memcpy(buf + n, log, cut);
		n += cut;
	}
	size_t fill = dump - n - report < cut ? dump - n - report : cut;

	while (fill > 0 && log[fill - 1] != '\n')	/* the backlog's first lines that fit */
		fill--;
	memcpy(buf + n, log, fill);
	n += fill;
	memcpy(buf + n, log + cut, report);
	n += report;
	buf[n] = '\0';
	return n;
}

/* MIB mebibytes of 128 KiB real dumps, analysed one by one. */
static void run_dumps(const char *file, size_t mib)
{
	size_t len, dump = 128 << 10, count = (mib << 20) / dump, reports = 0;
	char *log = slurp(file, &len), *buf = malloc(dump + 1);
	struct nx_report_set *set = nx_analyse(log, len);
	double t0, t1, b;
	size_t hits = 0;

	if (!buf || !set || !set->n) {
		fprintf(stderr, "analyse_bench: %s holds no report\n", file);
		exit(1);
	}
	size_t cut = set->reports[0].start, n = make_dump(buf, dump, log, cut, len);

	nx_report_set_free(set);
	t0 = now();
	for (size_t i = 0; i < count; i++)
		hits += baseline(buf, n);
	t1 = now();
	b = t1 - t0;
	t0 = now();
	for (size_t i = 0; i < count; i++) {
		set = nx_analyse(buf, n);
		if (!set) {
			fprintf(stderr, "analyse_bench: out of memory\n");
			exit(1);
		}
		reports += set->n;
		nx_report_set_free(set);
	}
	t1 = now();
	printf("%-22s %7.1f MiB  baseline %8.1f MB/s (%zu hits)  nx_analyse %8.1f MB/s"
	       " (%zu reports, %zu dumps)  ratio %.2f\n", "128 KiB real dumps", (double)(n * count) / (1 << 20),
	       (double)(n * count) / 1e6 / b, hits, (double)(n * count) / 1e6 / (t1 - t0), reports,
	       count, (t1 - t0) / b);
	free(buf);
	free(log);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	size_t cap = (mib ? mib : 1) << 20, len;
	char *buf = malloc(cap);

	if (!buf)
		return 1;
	len = make_log(buf, cap, 0);
	run("backlog, no oops", buf, len);
	len = make_log(buf, cap, 64 << 10);
	run("backlog + oops/64KiB", buf, len);
	len = make_log(buf, cap, 1);
	run("oopses only", buf, len);
	free(buf);
	run_dumps(argc > 2 ? argv[2] : "tests/unit/data/analyse/vm-6.1-null-dump.txt", mib);
	return 0;
}

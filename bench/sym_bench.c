/* Symbolization cost: reports/s analysed with and without symbolizing (debug files cached), the
 * latency symbolizing adds to one report (mean, p50, p99), and the cost of a trace whose
 * addresses were never resolved before, in-process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/analyse/analyse.h"
#include "symbolize/sym.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		exit(2);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Symbolize every report of SET, each frame's offset moved by SHIFT within its function (other
 * addresses: the memo of resolved locations does not help); the number of frames resolved. */
static size_t symbolize(struct nx_sym *sym, const char *text, struct nx_report_set *set,
			uint64_t shift)
{
	size_t resolved = 0, i;
	json_t *f;

	for (size_t r = 0; r < set->n; r++) {
		const struct nx_report *rep = &set->reports[r];
		struct nx_frame rip;
		bool have = nx_sym_find_rip(text + rep->start, rep->end - rep->start, &rip);
		json_t *out;

		for (size_t k = 0; shift && k < rep->n_frames; k++)
			if (rep->frames[k].size > 1)
				rep->frames[k].offset = 1 + (rep->frames[k].offset + shift) %
							(rep->frames[k].size - 1);
		out = nx_sym_report(sym, &(struct nx_sym_input){ .release = rep->kernel,
			.rip = have ? &rip : NULL, .frames = rep->frames, .n_frames = rep->n_frames });

		json_array_foreach(json_object_get(out, "frames"), i, f)
			resolved += json_is_string(json_object_get(f, "file"));
		json_decref(out);
		if (have)
			nx_sym_frame_clear(&rip);
	}
	return resolved;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct nx_sym_conf c = { .timeout_ms = 60000, .cache_files = 32 };
	int n = argc > 2 ? atoi(argv[2]) : 0;
	size_t len, resolved = 0;
	char *text, err[256];
	struct nx_sym *sym;
	double t0, off_s, on_s, *lat, sum = 0;

	if (argc < 4 || n < 1) {
		fprintf(stderr, "usage: sym_bench TEXT N DEBUGINFO-DIR...\n");
		return 2;
	}
	for (int i = 3; i < argc && c.n_dirs < NX_SYM_DIRS_MAX; i++)
		c.dirs[c.n_dirs++] = argv[i];
	text = slurp(argv[1], &len);
	if (!(sym = nx_sym_new(&c, err, sizeof(err))) || !(lat = calloc((size_t)n, sizeof(*lat))))
		return 2;
	t0 = now_s();
	for (int i = 0; i < n; i++)
		nx_report_set_free(nx_analyse(text, len));
	off_s = now_s() - t0;
	nx_report_set_free(nx_analyse(text, len));
	{	/* warm the cache: the first symbolization opens the debug files */
		struct nx_report_set *set = nx_analyse(text, len);

		t0 = now_s();
		resolved = symbolize(sym, text, set, 0);
		printf("cold: %.1f ms for the first report (opening the debug files), %zu frames "
		       "resolved\n", (now_s() - t0) * 1e3, resolved);
		nx_report_set_free(set);
	}
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		struct nx_report_set *set = nx_analyse(text, len);
		double s = now_s();

		symbolize(sym, text, set, 0);
		lat[i] = now_s() - s;
		sum += lat[i];
		nx_report_set_free(set);
	}
	on_s = now_s() - t0;
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("symbolization off: %.0f reports/s (analysis only)\n", n / off_s);
	printf("symbolization on:  %.0f reports/s (analysis + symbolization, cache warm)\n",
	       n / on_s);
	printf("latency added per report: mean %.3f ms, p50 %.3f ms, p99 %.3f ms\n",
	       sum / n * 1e3, lat[n / 2] * 1e3, lat[n * 99 / 100] * 1e3);
	/* other traces of the same kernel: addresses not resolved before */
	sum = 0;
	for (int i = 0; i < n / 10 + 1; i++) {
		struct nx_report_set *set = nx_analyse(text, len);
		double s = now_s();

		symbolize(sym, text, set, (uint64_t)i + 1);
		sum += now_s() - s;
		nx_report_set_free(set);
	}
	printf("a trace not seen before (every address new, files open): mean %.3f ms per report, "
	       "%zu frames\n", sum / (n / 10 + 1) * 1e3, resolved);
	free(lat);
	free(text);
	nx_sym_free(sym);
	return 0;
}

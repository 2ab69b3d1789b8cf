/* netoopsctl analyze: run the crash-report analyser on local files (dmesg, syslog, pstore). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/analyse/analyse.h"
#include "core/escape.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/symopts.h"
#include "store/store.h"

#define MAX_INPUT (1u << 30)	/* refuse files over 1 GiB rather than exhaust memory */

static const char *const section_names[] = {
	[NX_SECT_NONE] = "", [NX_SECT_TASK] = "TASK", [NX_SECT_IRQ] = "IRQ",
	[NX_SECT_SOFTIRQ] = "SOFTIRQ", [NX_SECT_NMI] = "NMI",
	[NX_SECT_EXCEPTION] = "exception", [NX_SECT_OTHER] = "other",
};

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;

	if (!f)
		return NULL;
	errno = 0;
	for (;;) {
		char *nb = n + 1 >= cap || !buf ? realloc(buf, cap *= 2) : buf;

		if (!nb) {
			errno = ENOMEM;
			break;
		}
		buf = nb;
		n += fread(buf + n, 1, cap - n - 1, f);
		if (ferror(f) || n > MAX_INPUT) {
			if (!ferror(f))
				errno = EFBIG;
			else if (!errno)
				errno = EIO;	/* fread's own errno (EISDIR ...) otherwise */
			break;
		}
		if (feof(f)) {
			buf[n] = '\0';
			*len = n;
			if (f != stdin)
				fclose(f);
			return buf;
		}
	}
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/* Text from the analysed file as JSON, escaped (never dropped); NULL gives null. */
static json_t *str_or_null(const char *s)
{
	return nx_store_json_cstr(s);
}

/* Text from the analysed file, safe on one terminal line; NULL gives DEF. */
static const char *tty(const char *s, const char *def)
{
	return s ? nxctl_tty_str(s, NX_ESC_LINE) : def;
}

static json_t *report_json(const char *file, size_t idx, const struct nx_report *r)
{
	json_t *frames = json_array(), *mods = json_array();
	json_t *o = json_object();

	for (size_t i = 0; i < r->n_frames; i++) {
		const struct nx_frame *f = &r->frames[i];

		json_array_append_new(frames, json_pack("{s:o, s:I, s:I, s:o, s:b, s:s}",
			"func", str_or_null(f->func), "offset", (json_int_t)f->offset, "size", (json_int_t)f->size,
			"module", str_or_null(f->module), "reliable", f->reliable,
			"section", section_names[f->section]));
	}
	for (size_t i = 0; i < r->n_modules; i++)
		json_array_append_new(mods, json_pack("{s:o, s:o}",
						      "name", str_or_null(r->modules[i].name),
						      "taints", str_or_null(r->modules[i].taints)));
	json_object_set_new(o, "file", str_or_null(file));
	json_object_set_new(o, "index", json_integer((json_int_t)idx));
	json_object_set_new(o, "primary", json_boolean(r->primary));
	json_object_set_new(o, "title", str_or_null(r->title));
	json_object_set_new(o, "class", str_or_null(r->class));
	json_object_set_new(o, "type", str_or_null(r->type));
	json_object_set_new(o, "corrupted", json_boolean(r->corrupted));
	json_object_set_new(o, "kernel", str_or_null(r->kernel));
	json_object_set_new(o, "taint", str_or_null(r->taint));
	json_object_set_new(o, "taint_mask", json_integer(r->taint_mask));
	json_object_set_new(o, "cpu", r->cpu < 0 ? json_null() : json_integer(r->cpu));
	json_object_set_new(o, "pid", r->pid < 0 ? json_null() : json_integer(r->pid));
	json_object_set_new(o, "comm", str_or_null(r->comm));
	json_object_set_new(o, "hardware", str_or_null(r->hardware));
	json_object_set_new(o, "die_counter", json_integer(r->die_counter));
	json_object_set_new(o, "alt_title", str_or_null(r->alt_title));
	json_object_set_new(o, "panic_msg", str_or_null(r->panic_msg));
	json_object_set_new(o, "rip_func", str_or_null(r->rip_func));
	json_object_set_new(o, "frames", frames);
	json_object_set_new(o, "modules", mods);
	json_object_set_new(o, "signature", str_or_null(r->signature));
	json_object_set_new(o, "start", json_integer((json_int_t)r->start));
	json_object_set_new(o, "end", json_integer((json_int_t)r->end));
	return o;
}

static void print_modules(const struct nx_report *r)
{
	printf("  modules:  ");
	for (size_t i = 0; i < r->n_modules; i++) {
		const char *taints = r->modules[i].taints;

		printf(" %s%s%s%s", tty(r->modules[i].name, "?"), *taints ? "(" : "",
		       tty(taints, ""), *taints ? ")" : "");
	}
	printf("\n");
}

static void print_frames(const struct nx_report *r)
{
	if (r->n_frames)
		printf("  call trace:\n");
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct nx_frame *f = &r->frames[i];
		const char *sect = section_names[f->section];

		printf("    %s%s%s%s%s+0x%" PRIx64 "/0x%" PRIx64 "%s%s%s\n", *sect ? "<" : "", sect,
		       *sect ? "> " : "", f->reliable ? "" : "? ", tty(f->func, "?"), f->offset,
		       f->size, f->module ? " [" : "", tty(f->module, ""), f->module ? "]" : "");
	}
}

/* Every string printed comes from the file: escaped (NX_ESC_LINE), no control byte raw. */
static void print_text(const char *file, size_t idx, size_t n, const struct nx_report *r)
{
	printf("%s: report %zu of %zu%s\n", tty(file, "-"), idx + 1, n,
	       r->primary ? " (primary)" : "");
	printf("  title:     %s\n", tty(r->title, "?"));
	printf("  type:      %s%s\n", tty(r->type, "?"),
	       r->corrupted ? " (corrupted: no usable stack)" : "");
	if (r->kernel)
		printf("  kernel:    %s\n", tty(r->kernel, ""));
	if (r->taint)
		printf("  taint:     %s (mask 0x%" PRIx32 ")\n",
		       *r->taint ? tty(r->taint, "") : "not tainted", r->taint_mask);
	if (r->cpu >= 0 || r->pid >= 0 || r->comm)
		printf("  task:      cpu %d, pid %d, comm %s\n", r->cpu, r->pid, tty(r->comm, "?"));
	if (r->hardware)
		printf("  hardware:  %s\n", tty(r->hardware, ""));
	if (r->die_counter)
		printf("  die:       #%d\n", r->die_counter);
	if (r->panic_msg)
		printf("  panic:     %s\n", tty(r->panic_msg, ""));
	if (r->rip_func)
		printf("  pc:        %s\n", tty(r->rip_func, ""));
	printf("  signature: %s\n", tty(r->signature, "?"));
	printf("  bytes:     %zu-%zu\n", r->start, r->end);
	if (r->n_modules)
		print_modules(r);
	print_frames(r);
	printf("\n");
}

/* Symbolize report R of TEXT with SYM (NULL: not asked for); NULL when not done. */
static json_t *symbolize(struct nx_sym *sym, const char *text, const struct nx_report *r)
{
	struct nx_frame rip;
	bool have_rip;
	json_t *out;

	if (!sym)
		return NULL;
	have_rip = nx_sym_find_rip(text + r->start, r->end - r->start, &rip);
	out = nx_sym_report(sym, &(struct nx_sym_input){ .release = r->kernel,
		.rip = have_rip ? &rip : NULL, .frames = r->frames, .n_frames = r->n_frames });
	if (have_rip)
		nx_sym_frame_clear(&rip);
	return out;
}

static int analyze_file(const char *path, bool json, struct nx_sym *sym)
{
	size_t len = 0;
	char *text = read_all(path, &len);
	struct nx_report_set *set;

	if (!text) {
		fprintf(stderr, "netoopsctl: analyze: cannot read %s: %s\n", tty(path, "-"),
			strerror(errno));
		return 1;
	}
	set = nx_analyse(text, len);
	if (!set) {
		free(text);
		fprintf(stderr, "netoopsctl: analyze: %s: out of memory\n", tty(path, "-"));
		return 1;
	}
	if (!json && set->n == 0)
		printf("%s: no crash report found\n", tty(path, "-"));
	for (size_t i = 0; i < set->n; i++) {
		json_t *y = symbolize(sym, text, &set->reports[i]);

		if (json) {
			json_t *o = report_json(path, i, &set->reports[i]);

			if (y)
				json_object_set(o, "symbolized", y);
			nxctl_print_json(o, JSON_COMPACT);
			json_decref(o);
		} else {
			print_text(path, i, set->n, &set->reports[i]);
			if (y) {
				nxctl_print_symbolized(y);
				printf("\n");
			}
		}
		json_decref(y);
	}
	free(text);
	nx_report_set_free(set);
	return 0;
}

int cmd_analyze(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		NXCTL_SYM_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	bool json = o->json;
	int c, status = 0, r;
	struct nxctl_sym so;
	struct nx_sym *sym = NULL;

	nxctl_sym_defaults(&so);
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if ((r = nxctl_sym_option(&so, c, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'j': json = true; break;
		case 'h':
			printf("usage: netoopsctl analyze FILE... [--json] [--debuginfo DIR]... "
			       "[--debuginfod] [--sym-timeout-ms MS]   ('-' reads stdin)\n");
			return 0;
		default:
			fprintf(stderr, "usage: netoopsctl analyze FILE... [--json] [--debuginfo DIR]..."
				" [--debuginfod]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "netoopsctl: analyze: give at least one FILE ('-' for stdin)\n");
		return 2;
	}
	if (so.wanted && !(sym = nxctl_sym_open(&so)))
		return 2;
	for (int i = optind; i < argc; i++)
		status |= analyze_file(argv[i], json, sym);
	nx_sym_free(sym);
	fflush(stdout);
	return status;
}

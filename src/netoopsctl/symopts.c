/* netoopsctl's symbolization options and the printing of symbolized traces (analyze, show). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/symopts.h"

static const struct nx_num timeout_num = { "--sym-timeout-ms", NX_NUM_COUNT, 1, 3600000, "120000" };

void nxctl_sym_defaults(struct nxctl_sym *o)
{
	memset(o, 0, sizeof(*o));
	o->conf.timeout_ms = 120000;
	o->conf.cache_files = 32;
}

int nxctl_sym_option(struct nxctl_sym *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case NXCTL_OPT_DEBUGINFO:
		if (o->conf.n_dirs == NX_SYM_DIRS_MAX) {
			fprintf(stderr, "netoopsctl: at most %d --debuginfo folders\n",
				NX_SYM_DIRS_MAX);
			return -1;
		}
		o->conf.dirs[o->conf.n_dirs++] = arg;
		o->wanted = true;
		return 1;
	case NXCTL_OPT_DEBUGINFOD:
		if (!getenv("DEBUGINFOD_URLS") || !*getenv("DEBUGINFOD_URLS")) {
			fprintf(stderr, "netoopsctl: --debuginfod: set DEBUGINFOD_URLS to the "
				"servers to ask (e.g. http://127.0.0.1:8002)\n");
			return -1;
		}
		o->conf.debuginfod = true;
		o->wanted = true;
		return 1;
	case NXCTL_OPT_SYM_TIMEOUT:
		if (nxctl_parse_num(&timeout_num, arg, &v) < 0)
			return -1;
		o->conf.timeout_ms = (uint32_t)v;
		return 1;
	default:
		return 0;
	}
}

struct nx_sym *nxctl_sym_open(const struct nxctl_sym *o)
{
	char err[256];
	struct nx_sym *s = nx_sym_new(&o->conf, err, sizeof(err));

	if (!s)
		fprintf(stderr, "netoopsctl: symbolization: %s\n", err);
	return s;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? nxctl_tty_str(s, NX_ESC_CONTROL) : NULL;
}

static void print_frame(const json_t *f)
{
	const char *mod = jstr(f, "module"), *file = jstr(f, "file"), *err = jstr(f, "error");
	json_t *in;
	size_t i;

	printf("    %s%s%s+0x%llx/0x%llx%s%s%s", json_is_true(json_object_get(f, "rip")) ? "pc: " : "",
	       json_is_true(json_object_get(f, "reliable")) ? "" : "? ", jstr(f, "func"),
	       (long long)json_integer_value(json_object_get(f, "offset")),
	       (long long)json_integer_value(json_object_get(f, "size")), mod ? " [" : "",
	       mod ? mod : "", mod ? "]" : "");
	if (file)
		printf(" %s:%lld\n", file, (long long)json_integer_value(json_object_get(f, "line")));
	else
		printf("  (%s)\n", err ? err : "not resolved");
	json_array_foreach(json_object_get(f, "inlined"), i, in)
		printf("        %s %s:%lld [inline]\n", jstr(in, "func"), jstr(in, "file"),
		       (long long)json_integer_value(json_object_get(in, "line")));
}

void nxctl_print_symbolized(const json_t *sym)
{
	const char *state = jstr(sym, "state"), *reason = jstr(sym, "reason");
	const char *guilty = jstr(sym, "guilty_file");
	json_t *f;
	size_t i;

	if (guilty)
		printf("  guilty file: %s\n", guilty);
	printf("  call trace, symbolized: %s%s%s\n", state ? state : "?", reason ? ": " : "",
	       reason ? reason : "");
	json_array_foreach(json_object_get(sym, "frames"), i, f)
		print_frame(f);
}

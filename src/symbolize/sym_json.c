/* The symbolizer's text side: the faulting frame of a report's text, the guilty file, escaping. */
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"
#include "core/escape.h"
#include "symbolize/sym_int.h"

json_t *sym_text(const char *s)
{
	size_t len;
	char *e;
	json_t *v;

	if (!s)
		return json_null();
	len = strlen(s);
	if (nx_escape_clean(s, len, NX_ESC_JSON))
		return json_stringn(s, len);
	e = nx_escape_dup(s, len, NX_ESC_JSON, &len);
	v = e ? json_stringn(e, len) : NULL;
	free(e);
	return v ? v : json_string("");
}

/* The line prefixes that carry the faulting function, per architecture (analyse/fields.c). */
static const char *const rip_prefixes[] = {
	"RIP: ", "pc : ", "PC is at ", "NIP [", "epc : ", "ERA: ", "EIP: ", "EIP is at ",
};

static bool rip_of_line(const char *t, struct nx_frame *rip, bool *oom)
{
	const char *p = NULL;

	for (size_t i = 0; i < sizeof(rip_prefixes) / sizeof(rip_prefixes[0]) && !p; i++)
		if (nx_starts(t, rip_prefixes[i]))
			p = t + strlen(rip_prefixes[i]);
	if (!p)
		return false;
	for (int tok = 0; tok < 4 && *p; tok++) {
		p = nx_skip_spaces(p);
		if (p[0] == '0' && p[1] == '0' && p[2] && p[3] && p[4] == ':')
			p += 5;	/* "0010:" code segment */
		if (*p == '(')
			p++;
		if (nx_parse_symbol(p, strlen(p), false, rip, oom))
			return true;
		p += strcspn(p, " ");
	}
	return false;
}

bool nx_sym_find_rip(const char *text, size_t len, struct nx_frame *rip)
{
	struct nx_lines lines;
	bool found = false, oom = false;

	memset(rip, 0, sizeof(*rip));
	if (!nx_lines_split(&lines, text, len))
		return false;
	nx_lines_ready(&lines, 0, lines.n);	/* a report's text: every line is read */
	for (size_t i = 0; i < lines.n && !found; i++)
		found = rip_of_line(lines.v[i].s, rip, &oom);
	nx_lines_free(&lines);
	if (found && oom) {
		nx_frame_clear(rip);
		found = false;
	}
	return found;
}

void nx_sym_frame_clear(struct nx_frame *rip)
{
	nx_frame_clear(rip);
}

/* Source files that are where a crash shows, not where it was made (syzbot's guilty-file idea). */
static const char *const generic_files[] = {
	"include/", "lib/", "arch/x86/include/", "arch/arm64/include/", "kernel/locking/",
	"kernel/printk/", "kernel/panic.c", "kernel/softirq.c", "kernel/time/timer.c",
	"kernel/irq/", "kernel/entry/", "arch/x86/entry/", "arch/x86/kernel/traps.c",
	"arch/arm64/kernel/traps.c", "arch/arm64/kernel/entry", "mm/kasan/", "mm/kmsan/",
	"kernel/kcsan/", "kernel/sched/core.c", "kernel/module/main.c", "kernel/module.c",
	"init/main.c", "kernel/kprobes.c", "arch/x86/kernel/kprobes/",
};

static bool generic(const char *file)
{
	for (size_t i = 0; i < sizeof(generic_files) / sizeof(generic_files[0]); i++) {
		size_t n = strlen(generic_files[i]);

		const char *at = strstr(file, generic_files[i]);

		/* "kernel/panic.c", or "/build/linux-6.1/kernel/panic.c" (asm units keep it) */
		if (at && (at == file || at[-1] == '/') && strncmp(at, generic_files[i], n) == 0)
			return true;
	}
	return false;
}

const char *nx_sym_guilty_file(const json_t *frames)
{
	size_t i, j;
	json_t *f, *in;

	json_array_foreach(frames, i, f) {
		const char *file = json_string_value(json_object_get(f, "file"));

		if (!file || !json_is_true(json_object_get(f, "reliable")))
			continue;
		json_array_foreach(json_object_get(f, "inlined"), j, in) {
			const char *g = json_string_value(json_object_get(in, "file"));

			if (g && !generic(g))
				return g;
		}
		if (!generic(file))
			return file;
	}
	return NULL;
}

int nx_sym_frames_from_json(const json_t *a, struct nx_frame **out, size_t *n)
{
	size_t i, k = 0;
	json_t *f;

	*out = NULL;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return 0;
	*out = calloc(json_array_size(a), sizeof(**out));
	if (!*out)
		return -1;
	json_array_foreach(a, i, f) {
		const char *func = json_string_value(json_object_get(f, "func"));
		const char *mod = json_string_value(json_object_get(f, "module"));
		struct nx_frame *fr = &(*out)[k];

		if (!func)
			continue;
		fr->func = strdup(func);
		fr->module = mod ? strdup(mod) : NULL;
		fr->offset = (uint64_t)json_integer_value(json_object_get(f, "offset"));
		fr->size = (uint64_t)json_integer_value(json_object_get(f, "size"));
		fr->reliable = json_is_true(json_object_get(f, "reliable"));
		if (!fr->func || (mod && !fr->module)) {
			nx_sym_frames_free(*out, k + 1);
			*out = NULL;
			return -1;
		}
		k++;
	}
	*n = k;
	return 0;
}

void nx_sym_frames_free(struct nx_frame *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		nx_frame_clear(&v[i]);
	free(v);
}

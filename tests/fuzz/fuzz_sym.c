/* libFuzzer target: the frame resolver on hostile traces with a fixed debug file (this very
 * binary, as "vmlinux" and as module "fuzzmod"), and the inventory decoder: never a crash,
 * a leak, or a result without a state. */
/* fuzz-sources: src/symbolize/ src/store/ */
/* fuzz-libs: -ldw -lelf -ldebuginfod -ljansson -lsqlite3 -lzstd */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/analyse/analyse.h"
#include "symbolize/inventory.h"
#include "symbolize/sym.h"

static struct nx_sym *sym;
static char dir[64];

/* The fixed debug files: links to this binary in a scratch folder, read by name. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct nx_sym_conf c = { .n_dirs = 1, .timeout_ms = 2000, .cache_files = 2 };
	char self[PATH_MAX], link[128], err[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc, (void)argv;
	snprintf(dir, sizeof(dir), "/tmp/nx-fuzz-sym.XXXXXX");
	if (n < 0 || !mkdtemp(dir))
		abort();
	self[n] = '\0';
	snprintf(link, sizeof(link), "%s/vmlinux", dir);
	if (symlink(self, link) != 0)
		abort();
	snprintf(link, sizeof(link), "%s/fuzzmod.ko", dir);
	if (symlink(self, link) != 0)
		abort();
	c.dirs[0] = dir;
	if (!(sym = nx_sym_new(&c, err, sizeof(err))))
		abort();
	return 0;
}

static void check(json_t *out)
{
	const char *st = json_string_value(json_object_get(out, "state"));

	if (!out || !st || !json_is_array(json_object_get(out, "frames")))
		abort();
	json_decref(out);
}

static void trace(const char *text, size_t len)
{
	struct nx_report_set *set = nx_analyse(text, len);
	struct nx_frame rip;

	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		const struct nx_report *r = &set->reports[i];
		bool have = nx_sym_find_rip(text + r->start, r->end - r->start, &rip);
		const char *id = r->n_frames && r->frames[0].func ? r->frames[0].func : NULL;

		check(nx_sym_report(sym, &(struct nx_sym_input){ .release = r->kernel,
			.rip = have ? &rip : NULL, .frames = r->frames, .n_frames = r->n_frames,
			.ids = { .kernel = i % 2 ? id : NULL } }));
		if (have)
			nx_sym_frame_clear(&rip);
	}
	nx_report_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nx_inventory inv;
	const char *why;
	char *text;

	if (size < 1)
		return 0;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1) {
		if (nx_inv_decode(text, size - 1, &inv, &why) && inv.n > NX_INV_LINES_MAX)
			abort();
	} else {
		trace(text, size - 1);
	}
	free(text);
	return 0;
}

/* Symbolization: call-trace frames to source file:line and inlined calls, with elfutils. */
#ifndef NX_SYM_H
#define NX_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/analyse/analyse.h"

/*
 * A frame "func+off/size [module]" is found in the debug file of its module
 * (vmlinux when there is no module): the symbol's address plus the offset
 * (minus one for return addresses, so the line is the call's) goes through
 * libdwfl to file:line and to the chain of inlined calls (docs/symbolize.md).
 * Debug files come from local trees in Debian's layout and from debuginfod
 * servers, looked up by build ID. Only the frame (names, numbers) comes from
 * the network; the debug files are trusted.
 */

#define NX_SYM_DIRS_MAX 8
#define NX_SYM_BUILD_ID_MAX 64		/* bytes */

struct nx_sym_conf {
	const char *dirs[NX_SYM_DIRS_MAX];	/* local trees, searched in order */
	size_t n_dirs;
	bool debuginfod;		/* ask the servers of DEBUGINFOD_URLS */
	uint32_t timeout_ms;		/* per report, debuginfod downloads included */
	size_t cache_files;		/* opened debug files kept (least recently used go) */
};

/* Build IDs of a boot's kernel and modules (an inventory), hex; NULL when unknown. */
struct nx_sym_ids {
	const char *kernel;			/* vmlinux */
	const char *(*module)(void *ctx, const char *name);	/* NULL: none */
	void *ctx;
};

/* One symbolization's input: the trace of one report. */
struct nx_sym_input {
	const char *release;		/* uname -r of the crashed kernel, or NULL */
	const struct nx_frame *rip;	/* the faulting frame (RIP:/pc :), or NULL */
	const struct nx_frame *frames;	/* the call trace, return addresses */
	size_t n_frames;
	struct nx_sym_ids ids;
};

struct nx_sym;

/* NULL with ERR saying what to fix. */
struct nx_sym *nx_sym_new(const struct nx_sym_conf *c, char *err, size_t errlen);
void nx_sym_free(struct nx_sym *s);

/*
 * Symbolize IN. Returns a new JSON object (NULL only on ENOMEM):
 *   "state": "ok" (every frame resolved), "partial", "none" (no frame could
 *            be), "retry" (a debuginfod server failed or the time ran out:
 *            worth trying again later)
 *   "reason": why not ok, or null;  "guilty_file": the culprit's source file, or null
 *   "frames": [{ "func", "offset", "size", "module", "rip", "reliable", "file", "line",
 *               "inlined": [{ "func", "file", "line" }], "error" }]
 * Inlined calls are listed innermost first; "file"/"line" of a frame are
 * the location in the frame's own function.
 */
json_t *nx_sym_report(struct nx_sym *s, const struct nx_sym_input *in);

/* What the cache did, for counters and the benchmark. */
struct nx_sym_stats {
	uint64_t opened, hits, evicted;		/* debug files */
	uint64_t memo_hits;			/* locations found already resolved */
	uint64_t debuginfod_ok, debuginfod_failed;
};
const struct nx_sym_stats *nx_sym_stats(const struct nx_sym *s);

/* The faulting frame of report text TEXT[0..LEN) ("RIP: 0010:f+0x1/0x2 [m]", "pc : ..."). */
bool nx_sym_find_rip(const char *text, size_t len, struct nx_frame *rip);

/* Free what nx_sym_find_rip() put into RIP. */
void nx_sym_frame_clear(struct nx_frame *rip);

/* Frames stored as JSON ([{func, offset, size, module, reliable}], store/store_write.c) into
 * *OUT[0..*N); 0, or -1 out of memory. Free with nx_sym_frames_free(). */
int nx_sym_frames_from_json(const json_t *a, struct nx_frame **out, size_t *n);
void nx_sym_frames_free(struct nx_frame *v, size_t n);

/* The source file syzbot would blame: first frame outside generic code; NULL if none. */
const char *nx_sym_guilty_file(const json_t *frames);

/* Symbolize stored report J, with the build IDs its boot sent (sym_store.c); NULL: no memory. */
struct nx_store;
struct nx_store_sym_job;
json_t *nx_sym_stored(struct nx_sym *sym, struct nx_store *store,
		      const struct nx_store_sym_job *j);

#endif

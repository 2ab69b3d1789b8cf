/* Private parts of the symbolizer shared by its files: the handle, the cache, the lookups. */
#ifndef NX_SYM_INT_H
#define NX_SYM_INT_H

#include <elfutils/libdwfl.h>
#include <time.h>

#include "symbolize/sym.h"

#define NX_SYM_ERR_MAX 200

/* A function symbol of an opened debug file, sorted by name for bsearch. */
struct nx_sym_fn {
	const char *name;	/* points into the ELF's string table */
	uint64_t addr, size;
};

/* One opened debug file (a vmlinux or a .ko), kept in the cache. */
struct nx_sym_file {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct nx_sym_fn *fns;
	size_t n_fns;
	uint64_t used;		/* LRU clock */
	uint64_t serial;	/* which opening of a file: keys the memo below */
};

/*
 * Locations already resolved, by (file opening, address): a crash storm repeats the same
 * trace on many hosts, and the entry and syscall frames recur in every trace. Direct-mapped,
 * NX_SYM_MEMO entries: a collision replaces.
 */
#define NX_SYM_MEMO 4096
struct nx_sym_memo {
	uint64_t serial, addr;
	json_t *loc;		/* {"file", "line", "inlined"}; NULL: empty slot */
};

/* Where a module's .ko files live under one tree's lib/modules/<release>. */
struct nx_sym_kotree {
	char *root;		/* DIR/lib/modules/RELEASE or a flat DIR */
	char **names, **paths;	/* sorted by name ('-' read as '_') */
	size_t n;
	uint64_t used;
};

#define NX_SYM_KOTREES 4

struct nx_sym {
	struct nx_sym_conf conf;
	char *dirs[NX_SYM_DIRS_MAX];
	struct nx_sym_file **files;	/* conf.cache_files slots */
	struct nx_sym_kotree trees[NX_SYM_KOTREES];
	struct nx_sym_memo *memo;	/* NX_SYM_MEMO slots */
	uint64_t clock;
	struct nx_sym_stats stats;
	void *dclient;		/* debuginfod_client, when conf.debuginfod */
	struct timespec deadline;	/* of the report being symbolized */
};

/* The outcome of finding a debug file. */
enum nx_sym_found { NX_SYM_FOUND, NX_SYM_MISSING, NX_SYM_RETRY };

/*
 * The debug file of MODULE (NULL: vmlinux) of RELEASE with build ID ID (hex,
 * may be NULL) into *F (sym_find.c). Otherwise WHY says what was tried.
 */
enum nx_sym_found sym_find(struct nx_sym *s, const char *release, const char *module,
			   const char *id, struct nx_sym_file **f, char *why, size_t len);

/* Open PATH (cached; sym_cache.c); NULL with WHY. */
struct nx_sym_file *sym_open(struct nx_sym *s, const char *path, char *why, size_t len);

/* The function NAME of F, preferring one of SIZE (0: any), else one OFFSET fits in; NULL if
 * none. */
const struct nx_sym_fn *sym_lookup(const struct nx_sym_file *f, const char *name, uint64_t size,
				   uint64_t offset);

/* F's build ID as hex into BUF (2 * NX_SYM_BUILD_ID_MAX + 1); false if it has none. */
bool sym_build_id(const struct nx_sym_file *f, char *buf, size_t len);

/* Hex ID into bytes; the length in bytes, or -1 when it is not a plausible build ID. */
int sym_parse_build_id(const char *id, unsigned char *out, size_t max);

/* The directory index of .ko files under ROOT (cached); NULL if ROOT has none. */
const struct nx_sym_kotree *sym_kotree(struct nx_sym *s, const char *root);

/* Free the cache's entries (sym_cache.c). */
void sym_cache_free(struct nx_sym *s);

/* S (bytes from the network or a debug file) as a JSON string, escaped (core/escape.h);
 * NULL gives JSON null (sym_json.c). */
json_t *sym_text(const char *s);

/* Whether the report's deadline has passed. */
bool sym_late(const struct nx_sym *s);

#endif

/* The symbolizer's bounded caches: opened debug files (LRU) and indexes of .ko trees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbolize/sym_int.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static int fn_cmp(const void *a, const void *b)
{
	const struct nx_sym_fn *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Collect F's function symbols, sorted by name. */
static int index_functions(struct nx_sym_file *f)
{
	int n = dwfl_module_getsymtab(f->mod);

	if (n <= 0)
		return -1;
	f->fns = calloc((size_t)n, sizeof(*f->fns));
	if (!f->fns)
		return -1;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL,
							   NULL);

		int type = GELF_ST_TYPE(sym.st_info);

		/* assembly entry points (entry_SYSCALL_64_after_hwframe) are untyped labels */
		if (!name || !*name || (type != STT_FUNC && type != STT_NOTYPE) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		f->fns[f->n_fns++] = (struct nx_sym_fn){ name, addr, sym.st_size };
	}
	qsort(f->fns, f->n_fns, sizeof(*f->fns), fn_cmp);
	return f->n_fns ? 0 : -1;
}

const struct nx_sym_fn *sym_lookup(const struct nx_sym_file *f, const char *name, uint64_t size,
			    uint64_t offset)
{
	struct nx_sym_fn key = { .name = name };
	const struct nx_sym_fn *hit = bsearch(&key, f->fns, f->n_fns, sizeof(*f->fns), fn_cmp);
	const struct nx_sym_fn *lo, *hi, *end = f->fns + f->n_fns;

	if (!hit || !size)
		return hit;
	/*
	 * Static functions of one name in several files: the one of the trace's size (the
	 * kernel's size runs to the next symbol, alignment padding included), else the first
	 * the offset fits in.
	 */
	for (lo = hit; lo > f->fns && strcmp(lo[-1].name, name) == 0; lo--)
		;
	for (hi = lo; hi < end && strcmp(hi->name, name) == 0; hi++)
		if (hi->size == size)
			return hi;
	for (hi = lo; hi < end && strcmp(hi->name, name) == 0; hi++)
		if (hi->size > offset)
			return hi;
	return hit;
}

bool sym_build_id(const struct nx_sym_file *f, char *buf, size_t len)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(f->mod, &bits, &vaddr);

	if (n <= 0 || (size_t)n * 2 + 1 > len)
		return false;
	for (int i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", bits[i]);
	return true;
}

static void file_free(struct nx_sym_file *f)
{
	if (!f)
		return;
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->fns);
	free(f->path);
	free(f);
}

/* Is PATH an ELF file at all? (libdwfl's own error for a text file is "no error".) */
static bool is_elf(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

static struct nx_sym_file *file_open(const char *path, char *why, size_t len)
{
	struct nx_sym_file *f = calloc(1, sizeof(*f));

	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (!is_elf(path)) {
		snprintf(why, len, "%s: not an ELF file", path);
		goto fail;
	}
	f->dwfl = dwfl_begin(&offline_callbacks);
	if (!f->dwfl) {
		snprintf(why, len, "libdwfl: %s", dwfl_errmsg(-1));
		goto fail;
	}
	f->mod = dwfl_report_offline(f->dwfl, "", path, -1);
	if (!f->mod || dwfl_report_end(f->dwfl, NULL, NULL) != 0) {
		snprintf(why, len, "%s: %s", path, dwfl_errmsg(-1));
		goto fail;
	}
	if (index_functions(f) < 0) {
		snprintf(why, len, "%s: no function symbols", path);
		goto fail;
	}
	return f;
fail:
	file_free(f);
	return NULL;
}

struct nx_sym_file *sym_open(struct nx_sym *s, const char *path, char *why, size_t len)
{
	size_t i, victim = 0;

	for (i = 0; i < s->conf.cache_files; i++) {
		struct nx_sym_file *f = s->files[i];

		if (f && strcmp(f->path, path) == 0) {
			f->used = ++s->clock;
			s->stats.hits++;
			return f;
		}
		if (!f || (s->files[victim] && f->used < s->files[victim]->used))
			victim = i;
	}
	struct nx_sym_file *f = file_open(path, why, len);

	if (!f)
		return NULL;
	if (s->files[victim]) {
		file_free(s->files[victim]);
		s->stats.evicted++;
	}
	s->files[victim] = f;
	f->used = ++s->clock;
	f->serial = ++s->stats.opened;
	return f;
}

/* ---- .ko trees ---- */

/* nftw() has no context argument: WALKING is the tree being filled; the lock makes it one walk
 * at a time across every nx_sym of the process. */
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nx_sym_kotree *walking;

static void norm_name(char *n)
{
	for (; *n; n++)
		if (*n == '-')
			*n = '_';
}

static int add_ko(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct nx_sym_kotree *t = walking;
	const char *base = path + ftw->base;
	size_t n = strlen(base);
	char **names, **paths;

	(void)st;
	if (type != FTW_F || n < 4 || strcmp(base + n - 3, ".ko") != 0)
		return 0;
	names = realloc(t->names, (t->n + 1) * sizeof(*names));
	if (names)
		t->names = names;
	paths = realloc(t->paths, (t->n + 1) * sizeof(*paths));
	if (paths)
		t->paths = paths;
	if (!names || !paths)
		return 1;
	t->names[t->n] = strndup(base, n - 3);
	t->paths[t->n] = strdup(path);
	if (!t->names[t->n] || !t->paths[t->n]) {
		free(t->names[t->n]);
		free(t->paths[t->n]);
		return 1;
	}
	norm_name(t->names[t->n]);
	t->n++;
	return 0;
}

static void kotree_clear(struct nx_sym_kotree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->names[i]);
		free(t->paths[i]);
	}
	free(t->names);
	free(t->paths);
	free(t->root);
	memset(t, 0, sizeof(*t));
}

/* Sort names and paths together (insertion of an index permutation would be longer). */
static void kotree_sort(struct nx_sym_kotree *t)
{
	for (size_t i = 1; i < t->n; i++) {
		char *n = t->names[i], *p = t->paths[i];
		size_t j = i;

		for (; j > 0 && strcmp(t->names[j - 1], n) > 0; j--) {
			t->names[j] = t->names[j - 1];
			t->paths[j] = t->paths[j - 1];
		}
		t->names[j] = n;
		t->paths[j] = p;
	}
}

const struct nx_sym_kotree *sym_kotree(struct nx_sym *s, const char *root)
{
	struct nx_sym_kotree *t, *victim = &s->trees[0];
	struct stat st;

	for (size_t i = 0; i < NX_SYM_KOTREES; i++) {
		t = &s->trees[i];
		if (t->root && strcmp(t->root, root) == 0) {
			t->used = ++s->clock;
			return t->n ? t : NULL;
		}
		if (!t->root || t->used < victim->used)
			victim = t;
	}
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;	/* not cached: the tree may appear later */
	t = victim;
	kotree_clear(t);
	if (!(t->root = strdup(root)))
		return NULL;
	pthread_mutex_lock(&walk_lock);
	walking = t;
	nftw(root, add_ko, 16, FTW_PHYS);
	walking = NULL;
	pthread_mutex_unlock(&walk_lock);
	kotree_sort(t);
	t->used = ++s->clock;
	return t->n ? t : NULL;
}

void sym_cache_free(struct nx_sym *s)
{
	for (size_t i = 0; s->memo && i < NX_SYM_MEMO; i++)
		json_decref(s->memo[i].loc);
	free(s->memo);
	for (size_t i = 0; s->files && i < s->conf.cache_files; i++)
		file_free(s->files[i]);
	free(s->files);
	for (size_t i = 0; i < NX_SYM_KOTREES; i++)
		kotree_clear(&s->trees[i]);
}

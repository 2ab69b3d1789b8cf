/* Helpers shared by the analyser's unit tests: reading files, report invariants. */
#ifndef TEST_ANALYSE_HELPERS_H
#define TEST_ANALYSE_HELPERS_H

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/analyse/analyse.h"
#include "core/analyse/analyse_int.h"

/* Whole file, NUL-terminated; fails the test when unreadable. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The folder holding corpus/oops-dev: $NETOOPS_SHARED, else the copy in tests/data. */
static inline const char *shared_dir(void)
{
	const char *s = getenv("NETOOPS_SHARED");

	return s && *s ? s : "tests/data";
}

/* The folder corpus/oops-dev/<folder>, in a static buffer. */
static inline const char *corpus_dir(const char *folder)
{
	static char dir[4096];

	snprintf(dir, sizeof(dir), "%s/corpus/oops-dev/%s", shared_dir(), folder);
	return dir;
}

static inline int corpus_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in corpus/oops-dev/<folder> that end in @suffix ("" for every
 * name not starting with '.'), sorted, NULL-terminated; free with
 * corpus_names_free(). Fails the test when the folder is missing.
 */
static inline char **corpus_names(const char *folder, const char *suffix)
{
	DIR *d = opendir(corpus_dir(folder));
	size_t n = 0, cap = 16, sl = strlen(suffix);
	char **v = malloc(cap * sizeof(*v));
	struct dirent *e;

	if (!d)
		fail_msg("corpus folder %s missing (set NETOOPS_SHARED)", corpus_dir(folder));
	assert_non_null(v);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		if (n + 2 > cap)
			assert_non_null(v = realloc(v, (cap *= 2) * sizeof(*v)));
		assert_non_null(v[n++] = strdup(e->d_name));
	}
	closedir(d);
	qsort(v, n, sizeof(*v), corpus_name_cmp);
	v[n] = NULL;
	return v;
}

static inline void corpus_names_free(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static inline struct nx_report_set *analyse_str(const char *text)
{
	struct nx_report_set *set = nx_analyse(text, strlen(text));

	assert_non_null(set);
	return set;
}

/* What must hold for every report of every text. */
static inline void check_invariants(const char *what, const struct nx_report_set *set, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct nx_report *r = &set->reports[i];

		if (!r->title || !r->class || !r->type || !r->signature)
			fail_msg("%s #%zu: missing title/class/type/signature", what, i);
		char version[8];

		snprintf(version, sizeof(version), "v%d:", NX_SIGNATURE_VERSION);
		if (strncmp(r->signature, version, strlen(version)) != 0 ||
		    strlen(r->signature) != strlen(version) + 40)
			fail_msg("%s #%zu: bad signature %s", what, i, r->signature);
		if (r->primary != (i == 0))
			fail_msg("%s #%zu: primary flag wrong", what, i);
		if (!(r->start < r->end && r->end <= len))
			fail_msg("%s #%zu: range %zu-%zu outside %zu", what, i, r->start, r->end, len);
		if (i && r->start < set->reports[i - 1].end)
			fail_msg("%s #%zu: overlaps the previous report", what, i);
		size_t tl = strlen(r->title);
		bool in_corrupted = tl > 13 && strcmp(r->title + tl - 13, " in corrupted") == 0;

		if (in_corrupted && !r->corrupted)
			fail_msg("%s #%zu: '%s' not marked corrupted", what, i, r->title);
		if (r->taint && nx_taint_mask(r->taint, strlen(r->taint)) != r->taint_mask)
			fail_msg("%s #%zu: taint '%s' disagrees with mask %#x", what, i, r->taint,
				 r->taint_mask);
		for (size_t k = 0; k < r->n_frames; k++) {
			const char *fn = r->frames[k].func;

			if (!fn || !*fn || strchr(fn, '+') || strchr(fn, ' ') ||
			    strncmp(fn, "0x", 2) == 0)
				fail_msg("%s #%zu: bad frame name '%s'", what, i, fn ? fn : "(null)");
		}
		for (size_t k = 0; k < r->n_modules; k++)
			if (!r->modules[k].name[0] || strchr(r->modules[k].name, ' '))
				fail_msg("%s #%zu: bad module name '%s'", what, i, r->modules[k].name);
	}
}

/* True when NEEDLE (trimmed) occurs inside [r->start, r->end) of TEXT. */
static inline bool report_contains(const char *text, const struct nx_report *r, const char *needle)
{
	size_t n;

	while (*needle == ' ')
		needle++;
	n = strlen(needle);
	while (n && isspace((unsigned char)needle[n - 1]))
		n--;
	if (n == 0 || r->end - r->start < n)
		return false;
	for (size_t p = r->start; p + n <= r->end; p++)
		if (memcmp(text + p, needle, n) == 0)
			return true;
	return false;
}

#endif

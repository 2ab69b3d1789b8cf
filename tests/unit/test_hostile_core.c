/* Hostile text for the analyser: lengths computed from pointers that cross, and field caps. */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyse_helpers.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#endif

static struct nx_report_set *analyse_ok(const char *text)
{
	struct nx_report_set *set = analyse_str(text);

	check_invariants(text, set, strlen(text));
	return set;
}

/* The 2025 WARN form with nothing between "CPU#1:" and "/": the comm length was -1. */
static void warn_cpu_slash(void **state)
{
	(void)state;
	struct nx_report_set *set = analyse_ok("WARNING: f.c:1 at x, CPU#1:/\n");

	assert_int_equal(set->n, 1);
	assert_int_equal(set->reports[0].cpu, 1);
	assert_null(set->reports[0].comm);
	nx_report_set_free(set);
	set = analyse_ok("WARNING: f.c:1 at x, CPU#1: /7\n");	/* empty, but a real length */
	assert_int_equal(set->reports[0].pid, 7);
	assert_string_equal(set->reports[0].comm, "");
	nx_report_set_free(set);
}

/* i386/arm "Process (pid: 1)": the comm length was -1. */
static void process_without_name(void **state)
{
	(void)state;
	struct nx_report_set *set =
		analyse_ok("[    1.0] kernel BUG at x.c:1!\n[    1.1] Process (pid: 1)\n");

	assert_int_equal(set->n, 1);
	assert_int_equal(set->reports[0].pid, 1);
	assert_null(set->reports[0].comm);
	nx_report_set_free(set);
	set = analyse_ok("[    1.0] kernel BUG at x.c:1!\n[    1.1] Process sh (pid: 9)\n");
	assert_string_equal(set->reports[0].comm, "sh");
	nx_report_set_free(set);
}

/* The other pointer-difference lengths of fields.c at their edges. */
static void field_edges(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"BUG: soft lockup - CPU#0 stuck for 22s! [:12]\n",
		"BUG: soft lockup - CPU#0 stuck for 22s! [:\n",
		"INFO: task :1 blocked for more than 120 seconds.\n",
		"INFO: task : blocked for more than 120 seconds.\n",
		"kernel BUG at x.c:1!\nTASK = c0000000 [1] 'x\n",
		"kernel BUG at x.c:1!\nTASK = c0000000 [1] ''\n",
		"kernel BUG at x.c:1!\nCPU: 0 PID: 1 Comm:  Not tainted 6.1.0 #1\n",
		"kernel BUG at x.c:1!\nCPU: 0 PID: 1 Comm: Tainted: \n",
		"kernel BUG at x.c:1!\nPid: 1, comm:  Not tainted\n",
		" invoked oom-killer: gfp_mask=0x0\n",
		"Out of memory: Killed process 1 (\n",
		"oom-kill:constraint=CONSTRAINT_NONE,task=\n",
		"WARNING: f.c:1 at x, CPU#:\n",
		"WARNING: f.c:1 at x, CPU#1:\n",
		"Process  (pid: \n",
		"Process (pid: \n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		nx_report_set_free(analyse_ok(texts[i]));
	struct nx_report_set *set = analyse_ok(texts[0]);

	assert_string_equal(set->reports[0].comm, "");
	assert_int_equal(set->reports[0].pid, 12);
	nx_report_set_free(set);
}

/* nx_strndup refuses a length the text cannot have, and cuts a long one. */
static void strndup_refuses_impossible(void **state)
{
	(void)state;
	bool oom = false;
	char *big = malloc(NX_FIELD_MAX * 3 + 1), *s;

	assert_null(nx_strndup("abc", 4, &oom));
	assert_null(nx_strndup("abc", (size_t)-1, &oom));
	assert_null(nx_strdup_range(big + 2, big + 1, &oom));
	assert_false(oom);
	s = nx_strndup("abc", 3, &oom);
	assert_string_equal(s, "abc");
	free(s);
	s = nx_strndup("abc", 0, &oom);
	assert_string_equal(s, "");
	free(s);
	assert_non_null(big);
	memset(big, 'a', NX_FIELD_MAX * 3);
	big[NX_FIELD_MAX * 3] = '\0';
	s = nx_strndup(big, NX_FIELD_MAX * 3, &oom);
	assert_int_equal(strlen(s), NX_FIELD_MAX);
	free(s);
	free(big);
}

/* Every string a report carries stays within NX_FIELD_MAX, however long the line. */
static void fields_are_capped(void **state)
{
	(void)state;
	size_t n = 200000;
	const char *lines[] = {
		"[    1.0] kernel BUG at x.c:1!\n[    1.1] Hardware name: ",
		"[    1.0] Kernel panic - not syncing: ",
		"[    1.0] kernel BUG at x.c:1!\n[    1.1] Call Trace:\n[    1.2]  f",
		"[    1.0] kernel BUG at x.c:1!\n[    1.1] CPU: 0 PID: 1 Comm: ",
	};

	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		size_t h = strlen(lines[k]);
		char *text = malloc(h + n + 64);

		assert_non_null(text);
		memcpy(text, lines[k], h);
		memset(text + h, 'a', n);
		strcpy(text + h + n, k == 2 ? "+0x1/0x2\n" : k == 3 ? " Not tainted 6.1 #1\n" : "\n");
		struct nx_report_set *set = analyse_ok(text);
		const struct nx_report *r = &set->reports[0];
		const char *fields[] = { r->title, r->comm, r->hardware, r->panic_msg, r->kernel,
					 r->n_frames ? r->frames[0].func : NULL };

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (fields[i])
				assert_true(strlen(fields[i]) <= NX_FIELD_MAX + NX_CLASS_MAX + 8);
		assert_true((k != 0 || strlen(r->hardware) == NX_FIELD_MAX) &&
			    (k != 1 || strlen(r->panic_msg) == NX_FIELD_MAX) &&
			    (k != 2 || (r->n_frames == 1 && strlen(r->frames[0].func) == NX_FIELD_MAX)) &&
			    (k != 3 || strlen(r->comm) == NX_FIELD_MAX));
		nx_report_set_free(set);
		free(text);
	}
}

/* A module name wrapped over two lines is joined, and the join keeps the cap. */
static void joined_module_name_is_capped(void **state)
{
	(void)state;
	char text[4096];
	char a[1001], b[1001];

	memset(a, 'a', 1000), a[1000] = '\0';
	memset(b, 'b', 1000), b[1000] = '\0';
	snprintf(text, sizeof(text), "kernel BUG at x.c:1!\nModules linked in: %s\n%s\n", a, b);
	struct nx_report_set *set = analyse_ok(text);

	assert_int_equal(set->reports[0].n_modules, 1);
	assert_int_equal(strlen(set->reports[0].modules[0].name), NX_FIELD_MAX);
	assert_memory_equal(set->reports[0].modules[0].name + 1000, "bbb", 3);
	nx_report_set_free(set);
}

/* LEN bytes of PATTERN repeated, after HEAD. */
static char *repeat(const char *head, const char *pattern, size_t len)
{
	char *t = malloc(len + 1);
	size_t h = strlen(head), k = strlen(pattern);

	assert_non_null(t);
	memcpy(t, head, h);
	for (size_t i = h; i < len; i++)
		t[i] = pattern[(i - h) % k];
	t[len] = '\0';
	return t;
}

/* "Tainted: G G G ..." without end: the letters kept are cut like any field. */
static void taint_is_capped(void **state)
{
	(void)state;
	char *t = repeat("kernel BUG at x.c:1!\nCPU: 0 PID: 1 Comm: sh Tainted: ", "G ", 100000);
	struct nx_report_set *set = analyse_ok(t);

	assert_non_null(set->reports[0].taint);
	assert_true(strlen(set->reports[0].taint) <= NX_FIELD_MAX);
	nx_report_set_free(set);
	free(t);
}

static const struct { const char *name, *head, *pattern; } storms[] = {
	{ "empty lines", "", "\n" },
	{ "kmsg escaped newlines", "", "6,1,1,-;\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\n" },
	{ "escape sequences", "", "\x1b[\n\x1b[0m\x01\x02\n" },
	{ "frames", "kernel BUG at x.c:1!\nCall Trace:\n", " a+0x0\n" },
	{ "reports", "", "kernel BUG at x.c:1!\n f+0x1/0x2\nModules linked in: a b c d e\n" },
	{ "warnings", "", "WARNING: at a\n" },
};

/* However many lines a text has, at most NX_LINES_MAX of them are kept. */
static void lines_are_capped(void **state)
{
	(void)state;
	size_t len = 1u << 20;

	for (size_t i = 0; i < sizeof(storms) / sizeof(storms[0]); i++) {
		char *t = repeat(storms[i].head, storms[i].pattern, len);
		struct nx_lines L;

		assert_true(nx_lines_split(&L, t, len));
		if (L.n > NX_LINES_MAX(len))
			fail_msg("%s: %zu lines", storms[i].name, L.n);
		nx_lines_free(&L);
		free(t);
	}
}

/* Frames + modules + REPORT_ITEMS (8) per report stay within NX_ITEMS_MAX of the text. */
static void items_are_capped(void **state)
{
	(void)state;
	size_t len = 1u << 20;

	for (size_t i = 0; i < sizeof(storms) / sizeof(storms[0]); i++) {
		char *t = repeat(storms[i].head, storms[i].pattern, len);
		struct nx_report_set *set = nx_analyse(t, len);
		size_t items = 0;

		assert_non_null(set);
		check_invariants(storms[i].name, set, len);
		for (size_t k = 0; k < set->n; k++)
			items += 8 + set->reports[k].n_frames + set->reports[k].n_modules;
		if (items > NX_ITEMS_MAX(len))
			fail_msg("%s: %zu items in %zu reports", storms[i].name, items, set->n);
		nx_report_set_free(set);
		free(t);
	}
	/* the cap bites: 1 MiB of one-frame lines builds fewer frames than it has lines */
	char *t = repeat(storms[3].head, storms[3].pattern, len);
	struct nx_report_set *set = nx_analyse(t, len);

	assert_true(set->n == 1 && set->reports[0].n_frames == 256);
	nx_report_set_free(set);
	free(t);
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Peak memory of one analysis, measured in a child: at most 8 times the text (+ 4 MiB). */
static void analysis_memory_is_linear(void **state)
{
	(void)state;
#ifdef UNDER_ASAN
	skip();	/* ASan's shadow and quarantine are not the analyser's */
#endif
	size_t len = 8u << 20;

	for (size_t i = 0; i < sizeof(storms) / sizeof(storms[0]); i++) {
		pid_t pid = fork();
		int st;

		assert_true(pid >= 0);
		if (pid == 0) {
			char *t = repeat(storms[i].head, storms[i].pattern, len);
			long before = max_rss_kb();
			struct nx_report_set *set = nx_analyse(t, len);
			long grew = max_rss_kb() - before;

			if (grew > (long)(8 * len + (4u << 20)) / 1024) {
				fprintf(stderr, "%s: analysis grew RSS by %ld kB for %zu kB of text\n",
					storms[i].name, grew, len / 1024);
				_exit(1);
			}
			nx_report_set_free(set);
			free(t);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) != 0)
			fail_msg("%s: analysis memory not bounded by 8x the text", storms[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(warn_cpu_slash),
		cmocka_unit_test(process_without_name),
		cmocka_unit_test(field_edges),
		cmocka_unit_test(strndup_refuses_impossible),
		cmocka_unit_test(fields_are_capped),
		cmocka_unit_test(joined_module_name_is_capped),
		cmocka_unit_test(taint_is_capped),
		cmocka_unit_test(lines_are_capped),
		cmocka_unit_test(items_are_capped),
		cmocka_unit_test(analysis_memory_is_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

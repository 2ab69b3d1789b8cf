/* syzbot's titles: every file of $NETOOPS_SHARED/corpus/syzkaller-dev analysed, the exact-title
 * agreement printed with each miss and the reason it is not worth a rule. */
#include <dirent.h>

#include "analyse_helpers.h"

#define MIN_AGREEMENT 90	/* percent of files whose first title is syzbot's exactly */

/* Misses judged not worth a rule: each would be a rule for one file. */
static const struct {
	const char *file, *reason;
} known_misses[] = {
	{ "1000", "syzbot's culprit is read_cache_folio, the caller of do_read_cache_folio: a do_ helper rule for one function" },
	{ "115", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "218", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "230", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "336", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "324", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "57", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "719", "syzbot judged the log corrupted by its per-kind report layout (interleaved or cut); netoops reads a usable stack and names it" },
	{ "124", "SLAB debug \"INFO: Allocated in\" trace: a debug print, not a crash kind netoops reports" },
	{ "127", "\"Booting the kernel.\" is the decompressor's serial-console line: never in a kernel log netoops receives, and in a serial log it marks every boot" },
	{ "317", "as 127: an unexpected reboot seen on the serial console only" },
	{ "200", "syzbot read the interleaved fault-injection stack (__alloc_skb) as the fault's: an accident of that log" },
	{ "206", "a second report (sleeping function) interleaves; syzbot's report regexp stops before the trace" },
	{ "246", "the first report of the log is a stack-frame-pointer warning 1000 lines in; the title is syzbot's for a later line" },
	{ "354", "trusty (Android TEE) panic: vendor-specific assertion format" },
	{ "6", "a synthetic \"WARNING: foo\" line with no WARN format: not a kernel report" },
	{ "614", "stack overflow whose recursion is longer than the 256 frames netoops keeps: the entry frame is beyond the cap" },
	{ "683", "\"VFS: Close: file count is 0\": a syzbot-specific report for one message" },
	{ "707", "Go runtime error of the fuzzer itself, not the kernel" },
	{ "716", "SYZFAIL: the fuzzer's own failure, not the kernel" },
	{ "725", "Bad page state: syzbot names the page's allocator from the page_owner stack, a debug option's layout" },
	{ "749", "Rust panic (\"attempt to add with overflow\" in a Rust trait method): no Rust kind in netoops yet" },
	{ "87", "\"BUG: Dentry ... still in use\": syzbot's per-message title" },
	{ "90", "a panic message with device and error detail (\"for ptm1 --- error -12\"): one message" },
};

struct syz_file {
	char title[512];	/* "" when the log holds no crash */
	char *body;		/* the console log after the header block */
	size_t len;
	bool corrupted;
};

static void header_value(const char *line, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key), n;

	if (strncmp(line, key, k) != 0)
		return;
	n = strcspn(line + k, "\n");
	snprintf(out, cap, "%.*s", (int)n, line + k);
}

/* Header lines "KEY: value" up to the first empty line, then the log. */
static void read_syz_file(const char *path, struct syz_file *f, char **text)
{
	size_t len;
	char *p, corrupted[8] = "";

	*text = slurp(path, &len);
	f->title[0] = '\0';
	for (p = *text; *p && *p != '\n';) {
		header_value(p, "TITLE: ", f->title, sizeof(f->title));
		header_value(p, "CORRUPTED: ", corrupted, sizeof(corrupted));
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	if (*p == '\n')
		p++;
	f->body = p;
	f->len = len - (size_t)(p - *text);
	f->corrupted = corrupted[0] == 'Y';
}

static const char *miss_reason(const char *name)
{
	for (size_t i = 0; i < sizeof(known_misses) / sizeof(known_misses[0]); i++)
		if (strcmp(known_misses[i].file, name) == 0)
			return known_misses[i].reason;
	return "UNEXPLAINED";
}

static void syzbot_titles(void **state)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	size_t files = 0, agree = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/corpus/syzkaller-dev", shared_dir());
	if (!(d = opendir(dir)))
		fail_msg("corpus folder %s missing (set NETOOPS_SHARED)", dir);
	while ((e = readdir(d))) {
		char path[8192], *text;
		struct syz_file f;
		struct nx_report_set *set;
		const char *got;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;	/* LICENSE, README.md */
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		read_syz_file(path, &f, &text);
		set = nx_analyse(f.body, f.len);
		assert_non_null(set);
		check_invariants(e->d_name, set, f.len);
		got = set->n ? set->reports[0].title : "";
		files++;
		if (strcmp(got, f.title) == 0)
			agree++;
		else
			printf("miss %-5s want '%s'\n           got  '%s'\n           why  %s\n",
			       e->d_name, f.title, got, miss_reason(e->d_name));
		nx_report_set_free(set);
		free(text);
	}
	closedir(d);
	printf("syzbot title agreement: %zu/%zu (%zu %%)\n", agree, files,
	       files ? agree * 100 / files : 0);
	assert_true(files > 0);
	if (agree * 100 < files * MIN_AGREEMENT)
		fail_msg("agreement %zu/%zu below %d %%", agree, files, MIN_AGREEMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syzbot_titles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

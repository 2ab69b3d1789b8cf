/* The analyser against every file of corpus/oops-dev (tests/data, or $NETOOPS_SHARED):
 * never crash, and agree with whatever the other projects' expected outputs state firmly. */
#include <sys/stat.h>
#include <unistd.h>

#include "analyse_helpers.h"

static const char *const folders[] = { "abrt", "satyr", "kerneloops" };

static char *corpus_path(const char *folder, const char *name)
{
	static char path[8192];

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(folder), name);
	return path;
}

static struct nx_report_set *analyse_file(const char *folder, const char *name, char **text,
					  size_t *len)
{
	struct nx_report_set *set;

	*text = slurp(corpus_path(folder, name), len);
	set = nx_analyse(*text, *len);
	assert_non_null(set);
	check_invariants(name, set, *len);
	return set;
}

/* Every file, inputs and expected outputs alike: no crash, invariants hold. */
static void every_file_is_analysed(void **state)
{
	size_t files = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(folders) / sizeof(folders[0]); f++) {
		char **names = corpus_names(folders[f], "");

		for (char **n = names; *n; n++, files++) {
			char *text;
			size_t len;

			nx_report_set_free(analyse_file(folders[f], *n, &text, &len));
			free(text);
		}
		corpus_names_free(names);
	}
	assert_true(files >= 125);	/* the corpus README lists 130 files */
}

/* ---- ABRT: "Found oopses: N", "Version: X", "Kernel is tainted 'GD'", the blocks ---- */

struct right {
	int count;			/* -1 when the file states none (no oops: empty file) */
	char versions[8][128];
	char first_lines[8][5][256];	/* first lines of each block (the header among them) */
	int n_blocks;
	char taint[32];			/* letters only */
};

static void parse_right(const char *text, struct right *r)
{
	const char *p = text;
	int want_first = 0;	/* lines of the current block still to record */

	memset(r, 0, sizeof(*r));
	r->count = *text ? -1 : 0;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)(n < 511 ? n : 511), p);
		if (sscanf(line, "abrt-dump-oops: Found oopses: %d", &r->count) == 1) {
			;
		} else if (strncmp(line, "abrt-dump-oops: Kernel is tainted '", 35) == 0) {
			snprintf(r->taint, sizeof(r->taint), "%.*s", (int)strcspn(line + 35, "'"),
				 line + 35);
		} else if (strncmp(line, "Version:", 8) == 0 && r->n_blocks < 8) {
			snprintf(r->versions[r->n_blocks], 128, "%.120s", line[8] == ' ' ? line + 9 : "");
			r->n_blocks++;
			want_first = 5;
		} else if (want_first && line[0]) {
			snprintf(r->first_lines[r->n_blocks - 1][5 - want_first], 256, "%.250s", line);
			want_first--;
		}
		p += n + (p[n] == '\n');
	}
}

static void letters_only(const char *s, char *out, size_t cap)
{
	size_t k = 0;

	for (; *s && k + 1 < cap; s++)
		if (isupper((unsigned char)*s))
			out[k++] = *s;
	out[k] = '\0';
}

static void abrt_expected_outputs(void **state)
{
	char **names = corpus_names("abrt", ".right");
	int checked = 0;

	(void)state;
	for (char **rn = names; *rn; rn++) {
		char name[300], *rtext, *text;
		size_t rlen, len;
		struct right want;
		struct nx_report_set *set;
		size_t base = strlen(*rn);

		snprintf(name, sizeof(name), "%.*s.test", (int)(base - 6), *rn);
		if (access(corpus_path("abrt", name), R_OK) != 0)
			continue;	/* a hash-test expectation without an input */
		rtext = slurp(corpus_path("abrt", *rn), &rlen);
		parse_right(rtext, &want);
		free(rtext);
		set = analyse_file("abrt", name, &text, &len);
		if (strncmp(name, "xorg_", 5) == 0)
			want.count = 0;	/* an X server crash: no kernel report in it */
		if (want.count < 0)
			fail_msg("%s: expected output states no count", *rn);
		if ((int)set->n != want.count)
			fail_msg("%s: %zu reports, ABRT found %d", name, set->n, want.count);
		for (int b = 0; b < want.n_blocks && b < (int)set->n; b++) {
			const struct nx_report *r = &set->reports[b];

			/* oops6.right says 4.8.15 but its input's CPU line says 4.9.3: trust the text */
			if (want.versions[b][0] && strcmp(name, "oops6.test") != 0 &&
			    (!r->kernel || strcmp(r->kernel, want.versions[b]) != 0))
				fail_msg("%s #%d: kernel %s, ABRT says %s", name, b,
					 r->kernel ? r->kernel : "(none)", want.versions[b]);
			bool holds = false;

			/* ABRT may start a line or two earlier ("traps: ..." before a WARN) */
			for (int k = 0; k < 5 && !holds; k++)
				holds = report_contains(text, r, want.first_lines[b][k]);
			if (!holds)
				fail_msg("%s #%d: report holds none of ABRT's first lines '%s'...", name,
					 b, want.first_lines[b][0]);
		}
		if (want.taint[0]) {	/* ABRT names the union of letters over the file */
			char got[32] = "";

			for (size_t i = 0; i < set->n; i++)
				if (set->reports[i].taint && set->reports[i].taint[0])
					letters_only(set->reports[i].taint, got, sizeof(got));
			if (strcmp(got, want.taint) != 0)
				fail_msg("%s: taint '%s', ABRT says '%s'", name, got, want.taint);
		}
		nx_report_set_free(set);
		free(text);
		checked++;
	}
	corpus_names_free(names);
	assert_int_equal(checked, 23);	/* .right files that have their .test input */
}

/* ---- kerneloops: "Submit text is:" blocks ---- */

static void kerneloops_expected_outputs(void **state)
{
	char **names = corpus_names("kerneloops", ".out");
	int checked = 0;

	(void)state;
	for (char **on = names; *on; on++) {
		char name[300], *otext, *text;
		size_t olen, len, base = strlen(*on), blocks = 0;
		struct nx_report_set *set;
		bool used[16] = { false };

		snprintf(name, sizeof(name), "%.*s", (int)(base - 4), *on);
		otext = slurp(corpus_path("kerneloops", *on), &olen);
		set = analyse_file("kerneloops", name, &text, &len);
		for (const char *b = strstr(otext, "---[start of oops]---\n"); b;
		     b = strstr(b + 1, "---[start of oops]---\n")) {
			const char *p = b + 22;
			bool found = false;

			blocks++;
			/* one of the block's first lines must lie inside one report of ours */
			for (int k = 0; k < 5 && *p && !found; k++) {
				char line[512];
				size_t n = strcspn(p, "\n");

				snprintf(line, sizeof(line), "%.*s", (int)(n < 511 ? n : 511), p);
				p += n + (p[n] == '\n');
				if (!line[0] || strstr(line, "cut here"))
					continue;
				for (size_t i = 0; i < set->n && i < 16 && !found; i++)
					if (!used[i] && report_contains(text, &set->reports[i], line))
						found = used[i] = true;
			}
			if (!found)
				fail_msg("%s: block %zu of kerneloops' output not found", name, blocks);
		}
		if (set->n != blocks)
			fail_msg("%s: %zu reports, kerneloops submitted %zu", name, set->n, blocks);
		nx_report_set_free(set);
		free(text);
		free(otext);
		checked++;
	}
	corpus_names_free(names);
	assert_int_equal(checked, 7);
}

/* ---- files whose outputs are elsewhere (satyr's C tests) or absent: read by hand ---- */

struct expect {
	const char *folder, *name;
	size_t count;
	const char *title, *type;	/* of the primary report */
	const char *kernel, *taint;
	int cpu, pid;
	const char *comm;
	bool corrupted;
};

static const struct expect table[] = {
	{ "abrt", "10_oopses.test", 10, "WARNING in radeon_gart_unbind", "warning",
	  "<KERNEL_VERSION>", "", 0, 37, "kworker/0:1", false },
	{ "abrt", "1_oops.test", 1, "WARNING in radeon_gart_unbind", "warning", NULL, "", 0, 37,
	  "kworker/0:1", false },
	{ "abrt", "no_oops.test", 0, NULL, NULL, NULL, NULL, 0, 0, NULL, false },
	{ "abrt", "not_oops_foreign_hostname.test", 0, NULL, NULL, NULL, NULL, 0, 0, NULL, false },
	{ "abrt", "oops_full_hostname.test", 1, "machine check", "mce", NULL, NULL, -1, -1, NULL,
	  false },
	{ "abrt", "oops-module-ati.test", 1, "kernel BUG in radeon_invalid_rreg", "bug",
	  "4.0.6-300.fc22.x86_64", "", 1, 280, "plymouthd", false },
	{ "abrt", "oops-module-intel.test", 1, "WARNING in intel_display_power_put", "warning",
	  "3.17.8-300.fc21.x86_64", "", 3, 40, "kworker/3:0", false },
	{ "abrt", "oops-module-qxl.test", 1, NULL, "warning", NULL, NULL, 0, 0, NULL, false },
	/* syzbot names a stall by the frame its dispatch (here the ioctl) called */
	{ "abrt", "oops1-module-nouveau.test", 1, "BUG: soft lockup in nouveau_drm_ioctl", "lockup",
	  "3.15.10-201.fc20.i686+PAE", "", 1, 5189, "X", false },
	{ "abrt", "debug_messages.test", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in acpi_ns_internalize_name",
	  "null-deref", "3.10.0-327.28.2.el7.x86_64", "", 0, 4467, "modprobe", false },
	{ "abrt", "kernel_panic_oom.test", 1,
	  "kernel panic: Out of memory: system-wide panic_on_oom is enabled", "oom",
	  "3.10.0-327.28.2.el7.x86_64", "", 0, 35943, "webservice", false },
	{ "abrt", "oops-kernel-panic-hung-tasks-arm.test", 1,
	  "kernel panic: hung_task: blocked tasks", "hang", NULL, "P O", 3, 27, "khungtaskd",
	  false },
	/* syzbot: "possible deadlock in" the function taking the lock (the first "at:") */
	{ "abrt", "oops2.test", 1, "possible deadlock in sysfs_addrm_finish",
	  "lockdep", "2.6.33.1-19.fc13.x86_64", "", -1, 3017, "94cpufreq", false },
	{ "abrt", "oops6.test", 1, "page allocation failure in elf_core_dump", "warning",
	  "4.9.3-200.fc25.x86_64", "", 0, 2979, "chrome", false },
	{ "abrt", "oops8_ppc64.test", 1, "WARNING in eeh_dev_check_failure", "warning",
	  "3.10.0-33.el7.ppc64", "", 1, 191, "systemd-udevd", false },
	{ "abrt", "oops10_s390x.test", 1, "kernel BUG in scsi_alloc_sgtable", "bug",
	  "3.69.69-69.0.fit.s390x", "", 0, 10721, "systemd-udevd", false },
	{ "abrt", "cut_here.test", 1, "WARNING in generic_get_mtrr", "warning",
	  "2.6.32-19.el6.x86_64", "", -1, 143, "modprobe", false },
	{ "abrt", "oops-without-addrs.test", 1, "kernel panic: sysrq triggered crash", "panic",
	  "5.4.0-0.rc6.git0.1.fc32.x86_64", "", 0, 4952, "bash", false },
	{ "satyr", "arm-hung-task-oops-2", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in shmem_getpage_gfp", "null-deref",
	  "3.17.8-300.fc21.armv7hl", "", 1, 431, "systemd-logind", false },
	{ "satyr", "github-102", 1, "WARNING in putback_inactive_pages", "warning",
	  "3.10.4-100.fc18.x86_64", "PF B WC O", 1, 42, "kswapd0", false },
	{ "satyr", "gitlog-07", 1, NULL, "bug", NULL, "", -1, -1, NULL, false },
	{ "satyr", "gitlog-29", 1, NULL, "bug", NULL, NULL, -1, -1, NULL, false },
	{ "satyr", "rhbz-1040900-s390x-1", 1, "WARNING in will_oops_init", "warning",
	  "3.10.0-54.0.1.el7.s390x", "GF O", 0, 32037, "insmod", false },
	{ "satyr", "rhbz-1140681", 1, "general protection fault in find_get_entry", "gpf", NULL, "",
	  -1, -1, NULL, false },
	/* syzbot's bucket for every stall in a cross-CPU call */
	{ "satyr", "rhbz-1235021", 1, "BUG: soft lockup in smp_call_function", "lockup", NULL,
	  NULL, 0, 1580, "pulseaudio", false },
	{ "satyr", "rhbz-1518943", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in amdgpu_vm_sdma_commit",
	  "null-deref", NULL, NULL, -1, -1, NULL, false },
	{ "satyr", "rhbz-836206", 2,
	  "BUG: sleeping function called from invalid context in put_cmsg", "bug", NULL, NULL, -1,
	  -1, NULL, false },
	{ "satyr", "rhbz-865695-0", 1, "kernel BUG in wdev_priv", "bug", "3.6.1-1.fc17.i686.PAE",
	  "P C O", -1, -1, NULL, false },
	/* lockdep printed "[ BUG: lock held when returning to user space! ]": syzbot keeps the tag */
	{ "satyr", "gitlog-23", 1, "BUG: lock held when returning to user space in l2tp_ip_sendmsg",
	  "lockdep", "3.4.0-rc5-next-20120501-sasha", "G W", -1, -1, NULL, false },
	{ "satyr", "gitlog-01", 2, NULL, "lockdep", "3.5.0-rc5", "", -1, -1, NULL, false },
	{ "kerneloops", "i386-bug-on.txt", 2, "WARNING in modinit", "warning",
	  "2.6.24-0.77.rc4.git4.fc9", "", -1, 8190, "insmod", false },
	{ "kerneloops", "i386-oops-with-end-marker.txt", 2, NULL, "other", "2.6.24-rc5", "", 0,
	  2847, "grub", true },
	{ "kerneloops", "powerpc-ps3-oops.txt", 1,
	  "BUG: unable to handle kernel NULL pointer dereference in init_module", "null-deref",
	  "2.6.23.1-43.fc8", "P", 1, 15585, "insmod", false },
};

static void hand_checked_files(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		const struct expect *x = &table[t];
		char *text;
		size_t len;
		struct nx_report_set *set = analyse_file(x->folder, x->name, &text, &len);
		const struct nx_report *r = set->n ? &set->reports[0] : NULL;

		if (set->n != x->count)
			fail_msg("%s: %zu reports, expected %zu", x->name, set->n, x->count);
		if (r && x->title && strcmp(r->title, x->title) != 0)
			fail_msg("%s: title '%s', expected '%s'", x->name, r->title, x->title);
		if (r && x->type && strcmp(r->type, x->type) != 0)
			fail_msg("%s: type %s, expected %s", x->name, r->type, x->type);
		if (r && x->kernel && (!r->kernel || strcmp(r->kernel, x->kernel) != 0))
			fail_msg("%s: kernel %s, expected %s", x->name, r->kernel, x->kernel);
		if (r && x->taint && (!r->taint || strcmp(r->taint, x->taint) != 0))
			fail_msg("%s: taint '%s', expected '%s'", x->name, r->taint, x->taint);
		if (r && x->comm && (r->cpu != x->cpu || r->pid != x->pid || !r->comm ||
				     strcmp(r->comm, x->comm) != 0))
			fail_msg("%s: cpu %d pid %d comm %s, expected %d %d %s", x->name, r->cpu,
				 r->pid, r->comm, x->cpu, x->pid, x->comm);
		if (r && r->corrupted != x->corrupted)
			fail_msg("%s: corrupted=%d", x->name, r->corrupted);
		nx_report_set_free(set);
		free(text);
	}
}

/* Every satyr file is one crash text: each yields at least one report with a stack. */
static void satyr_files_all_hold_reports(void **state)
{
	char **names = corpus_names("satyr", "");
	int n = 0;

	(void)state;
	for (char **sn = names; *sn; sn++) {
		const char *name = *sn;
		char *text;
		size_t len;
		struct nx_report_set *set;

		set = analyse_file("satyr", name, &text, &len);
		if (set->n == 0)
			fail_msg("satyr/%s: no report", name);
		/* gitlog-10 was cut before its stack: corrupted is the right answer there;
		 * gitlog-23 ("lock held when returning to user space") never has a stack */
		bool cut = strcmp(name, "gitlog-10") == 0;
		bool stackless = cut || strcmp(name, "gitlog-23") == 0;

		if ((set->reports[0].n_frames == 0) != stackless || set->reports[0].corrupted != cut)
			fail_msg("satyr/%s: %zu frames, corrupted=%d", name,
				 set->reports[0].n_frames, set->reports[0].corrupted);
		nx_report_set_free(set);
		free(text);
		n++;
	}
	corpus_names_free(names);
	assert_int_equal(n, 49);
}

/* Pairs the original projects mark as "same bug": equal signatures, other fields differ. */
static void same_bug_same_signature(void **state)
{
	static const char *const pairs[][3] = {
		{ "abrt", "hash-gen-oops6.right", "hash-gen-same-as-oops6.right" },
		{ "abrt", "oops4.right", "oops-same-as-oops4.right" },
		{ "satyr", "github-73", "github-73-modified" },
		{ "satyr", "rhbz-827868", "rhbz-827868-modified" },
		{ "satyr", "rhbz-865695-2", "rhbz-865695-2-notime" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *ta, *tb;
		size_t la, lb;
		struct nx_report_set *a = analyse_file(pairs[i][0], pairs[i][1], &ta, &la);
		struct nx_report_set *b = analyse_file(pairs[i][0], pairs[i][2], &tb, &lb);

		assert_int_equal(a->n, 1);
		assert_int_equal(b->n, 1);
		if (strcmp(a->reports[0].signature, b->reports[0].signature) != 0)
			fail_msg("%s vs %s: signatures differ (%s / %s)", pairs[i][1], pairs[i][2],
				 a->reports[0].title, b->reports[0].title);
		assert_string_equal(a->reports[0].title, b->reports[0].title);
		nx_report_set_free(a);
		nx_report_set_free(b);
		free(ta);
		free(tb);
	}
}

/* One title, one group: 10_oopses holds the same WARNs reached by different call paths. */
static void same_title_same_signature(void **state)
{
	char *text;
	size_t len, distinct = 0;
	struct nx_report_set *set = analyse_file("abrt", "10_oopses.test", &text, &len);

	(void)state;
	for (size_t i = 0; i < set->n; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++) {
			bool same_title = strcmp(set->reports[i].title, set->reports[k].title) == 0;
			bool same_sig = strcmp(set->reports[i].signature, set->reports[k].signature) == 0;

			if (same_title != same_sig)
				fail_msg("reports %zu and %zu: titles %s, signatures %s", k, i,
					 same_title ? "equal" : "differ", same_sig ? "equal" : "differ");
			seen |= same_sig;
		}
		distinct += !seen;
	}
	assert_int_equal(distinct, 4);	/* radeon_gart_unbind, drm_mm_takedown, ttm..., pci... */
	nx_report_set_free(set);
	free(text);
}

/* Different bugs of the corpus must not collapse into a few signatures. */
static void distinct_bugs_distinct_signatures(void **state)
{
	static const char *const files[][2] = {
		{ "satyr", "rhbz-1140681" }, { "satyr", "rhbz-1235021" }, { "satyr", "github-102" },
		{ "satyr", "gitlog-03" }, { "satyr", "gitlog-13" }, { "abrt", "oops-module-ati.test" },
		{ "abrt", "oops8_ppc64.test" }, { "abrt", "oops10_s390x.test" },
		{ "abrt", "debug_messages.test" }, { "abrt", "oops-without-addrs.test" },
	};
	char sigs[10][64];

	(void)state;
	for (size_t i = 0; i < 10; i++) {
		char *t;
		size_t l;
		struct nx_report_set *s = analyse_file(files[i][0], files[i][1], &t, &l);

		assert_true(s->n >= 1);
		snprintf(sigs[i], sizeof(sigs[i]), "%s", s->reports[0].signature);
		for (size_t k = 0; k < i; k++)
			if (strcmp(sigs[k], sigs[i]) == 0)
				fail_msg("%s and %s share a signature", files[k][1], files[i][1]);
		nx_report_set_free(s);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_file_is_analysed),
		cmocka_unit_test(abrt_expected_outputs),
		cmocka_unit_test(kerneloops_expected_outputs),
		cmocka_unit_test(hand_checked_files),
		cmocka_unit_test(satyr_files_all_hold_reports),
		cmocka_unit_test(same_bug_same_signature),
		cmocka_unit_test(same_title_same_signature),
		cmocka_unit_test(distinct_bugs_distinct_signatures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

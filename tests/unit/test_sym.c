/* Unit tests of the symbolizer on fixed debug files (a linked "vmlinux" and a relocatable ".ko"
 * built from tests/unit/data/sym/fixture.c) and of symbolization results in a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "store_fixture.h"
#include "symbolize/sym.h"

static char symdir[4096];	/* <test binary's folder>/sym: vmlinux, fixture.ko */

/* The line of fixture.c that carries MARKER. */
static int marker_line(const char *marker)
{
	FILE *f = fopen("tests/unit/data/sym/fixture.c", "r");
	char buf[256];
	int n = 0;

	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, marker)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	fail_msg("no %s in fixture.c", marker);
	return 0;
}

static struct nx_sym *new_sym(const char *dir, size_t cache)
{
	struct nx_sym_conf c = { .dirs = { dir }, .n_dirs = 1, .timeout_ms = 5000,
				 .cache_files = cache };
	char err[256];
	struct nx_sym *s = nx_sym_new(&c, err, sizeof(err));

	assert_non_null(s);
	return s;
}

/* Symbolize one frame FUNC+OFF/SIZE [MOD] (RIP when RIP); the frame's JSON, kept in *OUT. */
static json_t *one(struct nx_sym *s, const char *func, uint64_t off, uint64_t size,
		   const char *mod, bool rip, const char *kernel_id, json_t **out)
{
	struct nx_frame f = { .func = (char *)func, .offset = off, .size = size,
			      .module = (char *)mod, .reliable = true };
	struct nx_sym_input in = { .release = "6.1.0-test", .rip = rip ? &f : NULL,
				   .frames = rip ? NULL : &f, .n_frames = rip ? 0 : 1,
				   .ids = { .kernel = kernel_id } };

	*out = nx_sym_report(s, &in);
	assert_non_null(*out);
	return json_array_get(json_object_get(*out, "frames"), 0);
}

static const char *error_of(json_t *frame)
{
	const char *e = json_string_value(json_object_get(frame, "error"));

	return e ? e : "";
}

/* The size of FUNC in the fixture (the first offset that no longer resolves). */
static uint64_t func_size(struct nx_sym *s, const char *func, const char *mod)
{
	for (uint64_t off = 0; off < 4096; off++) {
		json_t *r, *f = one(s, func, off, 0, mod, true, NULL, &r);	/* json_is_*: macros */
		bool ok = json_is_string(json_object_get(f, "file"));

		json_decref(r);
		if (!ok)
			return off;
	}
	fail_msg("%s: no end", func);
	return 0;
}

/* Some return address in fixture_outer is on the line of its call to fixture_leaf, and some
 * address is inside fixture_inner, inlined into fixture_mid, inlined into fixture_outer: each
 * with the line of its call. */
static void check_outer(const char *mod)
{
	struct nx_sym *s = new_sym(symdir, 4);
	int call_leaf = marker_line("FIXTURE_LEAF_CALL_LINE");
	int inner = marker_line("FIXTURE_INNER_LINE"), call = marker_line("FIXTURE_CALL_LINE");
	int mid_call = marker_line("FIXTURE_MID_CALL_LINE");
	uint64_t size = func_size(s, "fixture_outer", mod);
	bool saw_return = false, saw_inline = false;

	assert_true(size > 4);
	for (uint64_t off = 1; off < size; off++) {
		json_t *r, *f = one(s, "fixture_outer", off, size, mod, false, NULL, &r);
		json_t *inl = json_array_get(json_object_get(f, "inlined"), 0);
		const char *file = json_string_value(json_object_get(f, "file"));

		assert_non_null(file);
		assert_non_null(strstr(file, "fixture.c"));
		assert_string_equal(json_string_value(json_object_get(r, "state")), "ok");
		if (json_integer_value(json_object_get(f, "line")) == call_leaf)
			saw_return = true;
		if (inl && json_integer_value(json_object_get(inl, "line")) == inner) {
			json_t *mid = json_array_get(json_object_get(f, "inlined"), 1);

			assert_string_equal(json_string_value(json_object_get(inl, "func")),
					    "fixture_inner");
			assert_non_null(mid);
			assert_string_equal(json_string_value(json_object_get(mid, "func")),
					    "fixture_mid");
			assert_int_equal(json_integer_value(json_object_get(mid, "line")), mid_call);
			assert_int_equal(json_integer_value(json_object_get(f, "line")), call);
			saw_inline = true;
		}
		json_decref(r);
	}
	assert_true(saw_return);
	assert_true(saw_inline);
	nx_sym_free(s);
}

static void vmlinux_lines_and_inlines(void **state)
{
	(void)state;
	check_outer(NULL);
}

static void module_lines_and_inlines(void **state)
{
	(void)state;
	check_outer("fixture");
}

/* The faulting frame is not a return address: fixture_leaf's store is its own line. */
static void rip_is_not_moved_back(void **state)
{
	struct nx_sym *s = new_sym(symdir, 4);
	int leaf = marker_line("FIXTURE_LEAF_LINE");
	uint64_t size = func_size(s, "fixture_leaf", NULL);
	bool saw = false;

	(void)state;
	for (uint64_t off = 0; off < size && !saw; off++) {
		json_t *r, *f = one(s, "fixture_leaf", off, size, NULL, true, NULL, &r);

		assert_true(json_is_true(json_object_get(f, "rip")));
		saw = json_integer_value(json_object_get(f, "line")) == leaf;
		json_decref(r);
	}
	assert_true(saw);
	nx_sym_free(s);
}

static void bad_inputs_give_reasons(void **state)
{
	struct nx_sym *s = new_sym(symdir, 4);
	json_t *r;

	(void)state;
	assert_non_null(strstr(error_of(one(s, "fixture_leaf", 0x50, 0x10, NULL, false, NULL, &r)),
			       "beyond the size"));
	assert_string_equal(json_string_value(json_object_get(r, "state")), "none");
	json_decref(r);
	assert_non_null(strstr(error_of(one(s, "fixture_leaf", 0x4000, 0, NULL, false, NULL, &r)),
			       "past its end"));
	json_decref(r);
	assert_non_null(strstr(error_of(one(s, "x", 1, 2, "no_such_module", false, NULL, &r)),
			       "no debug file for no_such_module"));
	json_decref(r);
	assert_non_null(strstr(error_of(one(s, "no_such_function", 1, 2, NULL, false, NULL, &r)),
			       "no function no_such_function"));
	json_decref(r);
	assert_non_null(strstr(error_of(one(s, "fixture_leaf", 1, 2, NULL, false, "abc123", &r)),
			       "bad build ID"));
	json_decref(r);
	assert_non_null(strstr(error_of(one(s, "fixture_leaf", 1, 2, NULL, false,
					    "00112233445566778899aabbccddeeff00112233", &r)),
			       "another build"));
	assert_non_null(json_object_get(r, "reason"));
	json_decref(r);
	nx_sym_free(s);
}

/* A name that is not UTF-8 (bytes from the network) in a reason: escaped, never a lost result
 * (fuzz_sym found nx_sym_report() returning NULL for it). */
static void invalid_utf8_name_in_reason(void **state)
{
	struct nx_sym *s = new_sym(symdir, 2);
	json_t *r;

	(void)state;
	assert_non_null(strstr(error_of(one(s, "bad\xff\xfename", 1, 2, NULL, false, NULL, &r)),
			       "no function bad\\xff\\xfename"));
	assert_non_null(strstr(json_string_value(json_object_get(r, "reason")), "\\xff"));
	assert_string_equal(json_string_value(json_object_get(r, "state")), "none");
	json_decref(r);
	nx_sym_free(s);
}

static void not_elf_debug_file(void **state)
{
	char dir[64], path[128];
	struct nx_sym *s;
	json_t *r;
	FILE *f;

	(void)state;
	tmpdir_make(dir, sizeof(dir), "nx-sym");
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("this is not an ELF file\n", f);
	fclose(f);
	s = new_sym(dir, 2);
	assert_non_null(strstr(error_of(one(s, "fixture_leaf", 1, 2, NULL, false, NULL, &r)),
			       "not an ELF file"));
	json_decref(r);
	nx_sym_free(s);
	tmpdir_remove(dir);
}

/* One cache slot, two files in turn: each is reopened, results stay right. */
static void cache_is_bounded(void **state)
{
	struct nx_sym *s = new_sym(symdir, 1);
	json_t *r;

	(void)state;
	for (int i = 0; i < 4; i++) {
		json_t *f = one(s, "fixture_leaf", 1, 0, i % 2 ? "fixture" : NULL, false, NULL, &r);

		assert_true(json_is_string(json_object_get(f, "file")));
		json_decref(r);
	}
	assert_int_equal(nx_sym_stats(s)->opened, 4);
	assert_int_equal(nx_sym_stats(s)->evicted, 3);
	nx_sym_free(s);
	s = new_sym(symdir, 2);
	for (int i = 0; i < 4; i++) {
		one(s, "fixture_leaf", 1, 0, i % 2 ? "fixture" : NULL, false, NULL, &r);
		json_decref(r);
	}
	assert_int_equal(nx_sym_stats(s)->opened, 2);
	assert_int_equal(nx_sym_stats(s)->hits, 2);
	nx_sym_free(s);
}

/* A location resolved once is remembered: the second time is a memo hit, the same result. */
static void memo_gives_the_same(void **state)
{
	struct nx_sym *s = new_sym(symdir, 4);
	json_t *a, *b;
	char *x, *y;

	(void)state;
	one(s, "fixture_outer", 3, 0, NULL, false, NULL, &a);
	assert_int_equal(nx_sym_stats(s)->memo_hits, 0);
	one(s, "fixture_outer", 3, 0, NULL, false, NULL, &b);
	assert_int_equal(nx_sym_stats(s)->memo_hits, 1);
	x = json_dumps(a, JSON_SORT_KEYS);
	y = json_dumps(b, JSON_SORT_KEYS);
	assert_string_equal(x, y);
	free(x);
	free(y);
	json_decref(a);
	json_decref(b);
	nx_sym_free(s);
}

static void guilty_file_skips_generic_code(void **state)
{
	json_t *frames = json_loads("[{\"reliable\":true,\"file\":\"kernel/panic.c\",\"inlined\":[]},"
		"{\"reliable\":false,\"file\":\"fs/bad.c\",\"inlined\":[]},"
		"{\"reliable\":true,\"file\":\"/b/linux/fs/ext4/dir.c\",\"inlined\":"
		"[{\"file\":\"include/linux/fs.h\"}]}]", 0, NULL);

	(void)state;
	assert_non_null(frames);
	assert_string_equal(nx_sym_guilty_file(frames), "/b/linux/fs/ext4/dir.c");
	json_decref(frames);
}

static void rip_from_text(void **state)
{
	static const char text[] =
		"[    3.8] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
		"[    3.8] RIP: 0010:crash_null+0x10/0x18 [netoops_crashtest]\n"
		"[    3.8] pc : later+0x1/0x2\n";
	struct nx_frame f;

	(void)state;
	assert_true(nx_sym_find_rip(text, sizeof(text) - 1, &f));
	assert_string_equal(f.func, "crash_null");
	assert_int_equal(f.offset, 0x10);
	assert_int_equal(f.size, 0x18);
	assert_string_equal(f.module, "netoops_crashtest");
	nx_sym_frame_clear(&f);
	assert_false(nx_sym_find_rip("no rip\n", 7, &f));
	/* arm64: "pc : func+off/size [module]" */
	static const char arm64[] =
		"[   12.3] Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP\n"
		"[   12.3] pc : ext4_readdir+0x1c/0x90 [ext4]\n"
		"[   12.3] lr : iterate_dir+0x80/0x1c0\n";
	assert_true(nx_sym_find_rip(arm64, sizeof(arm64) - 1, &f));
	assert_string_equal(f.func, "ext4_readdir");
	assert_int_equal(f.offset, 0x1c);
	assert_string_equal(f.module, "ext4");
	nx_sym_frame_clear(&f);
}

/* ---- the store side ---- */

static int64_t add_report(struct fixture *f)
{
	struct nx_frame fr = { .func = "fixture_leaf", .offset = 1, .size = 2, .reliable = true };
	struct nx_report r = { .title = "BUG in x", .class = "BUG", .type = "bug", .cpu = -1,
			       .pid = -1, .signature = "v2:x", .frames = &fr, .n_frames = 1,
			       .start = 0, .end = 6 };
	struct nx_report_set set = { &r, 1 };
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .dump = 1, .complete = true,
			     .text = "BUG: x", .text_len = 6 };
	int64_t id;

	snprintf(d.host, sizeof(d.host), "web-1");
	snprintf(d.boot, sizeof(d.boot), "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4");
	snprintf(d.reason, sizeof(d.reason), "oops");
	snprintf(d.release, sizeof(d.release), "6.1.0-test");
	assert_int_equal(nx_store_begin(f->s), 0);
	id = nx_store_add_dump(f->s, &d, 1000, &set);
	assert_true(id > 0);
	assert_int_equal(nx_store_commit(f->s), 0);
	return id;
}

static void store_pending_save_retry(void **state)
{
	struct fixture *f = *state;
	int64_t dump = add_report(f), after = 0, ids[4], rid;
	struct nx_store_sym_job j;
	json_t *retry = json_pack("{s:s, s:[]}", "state", "retry", "frames");
	json_t *ok = json_pack("{s:s, s:s, s:[]}", "state", "ok", "guilty_file", "fs/x.c",
			       "frames"), *show;

	assert_int_equal(nx_store_sym_pending(f->s, &after, 0, ids, 4), 1);
	rid = ids[0];
	assert_int_equal(nx_store_sym_reports(f->s, dump, ids, 4), 1);
	assert_int_equal(ids[0], rid);
	assert_int_equal(nx_store_sym_job(f->s, rid, &j), 0);
	assert_string_equal(j.release, "6.1.0-test");
	assert_string_equal(j.text, "BUG: x");
	assert_int_equal(json_array_size(j.frames), 1);
	nx_store_sym_job_free(&j);
	assert_int_equal(nx_store_sym_save(f->s, rid, retry, 5000, 9000), 0);
	after = 0;	/* a restart: tried reports are not new again */
	assert_int_equal(nx_store_sym_pending(f->s, &after, 8999, ids, 4), 0);
	assert_int_equal(nx_store_sym_pending(f->s, &after, 9000, ids, 4), 1);
	assert_int_equal(nx_store_sym_save(f->s, rid, ok, 9000, 0), 0);
	assert_int_equal(nx_store_sym_pending(f->s, &after, 99999, ids, 4), 0);
	show = nx_store_show(f->s, dump);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(show, "reports"), 0), "guilty_file")), "fs/x.c");
	json_decref(show);
	/* reanalysis replaces the reports: their symbolization goes with them */
	assert_int_equal(nx_store_replace_reports(f->s, dump, NULL,
						  &(struct nx_analysis){ NX_ANALYSIS_OK, "" }), 0);
	assert_int_equal(nx_store_sym_save(f->s, rid, ok, 9000, 0), 1);
	json_decref(retry);
	json_decref(ok);
}

static void store_inventory(void **state)
{
	struct fixture *f = *state;
	json_t *inv;

	assert_int_equal(nx_store_inventory_put(f->s, "h", "b", "vmlinux", "aa", 1), 0);
	assert_int_equal(nx_store_inventory_put(f->s, "h", "b", "vmlinux", "bb", 2), 0);
	assert_int_equal(nx_store_inventory_put(f->s, "h", "b", "ext4", "cc", 2), 0);
	assert_int_equal(nx_store_inventory_put(f->s, "h", "other", "ext4", "dd", 2), 0);
	inv = nx_store_inventory(f->s, "h", "b");
	assert_int_equal(json_object_size(inv), 2);
	assert_string_equal(json_string_value(json_object_get(inv, "vmlinux")), "bb");
	assert_string_equal(json_string_value(json_object_get(inv, "ext4")), "cc");
	json_decref(inv);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmlinux_lines_and_inlines),
		cmocka_unit_test(module_lines_and_inlines),
		cmocka_unit_test(rip_is_not_moved_back),
		cmocka_unit_test(bad_inputs_give_reasons),
		cmocka_unit_test(invalid_utf8_name_in_reason),
		cmocka_unit_test(not_elf_debug_file),
		cmocka_unit_test(cache_is_bounded),
		cmocka_unit_test(memo_gives_the_same),
		cmocka_unit_test(guilty_file_skips_generic_code),
		cmocka_unit_test(rip_from_text),
		cmocka_unit_test_setup_teardown(store_pending_save_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(store_inventory, setup, teardown),
	};
	const char *slash = strrchr(argv[0], '/');

	(void)argc;
	snprintf(symdir, sizeof(symdir), "%.*s/sym", slash ? (int)(slash - argv[0]) : 1,
		 slash ? argv[0] : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the report set codec: corpus round trips, its size bound, and hostile input refused. */

#include "analyse_helpers.h"
#include "core/analyse/report_wire.h"

static const char OOPS[] =
	"[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	"[   12.345680] #PF: supervisor read access in kernel mode\n"
	"[   12.345690] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	"[   12.345700] CPU: 1 PID: 4242 Comm: modprobe Tainted: G           OE      6.1.0-27-amd64 #1\n"
	"[   12.345710] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   12.345720] RIP: 0010:crash_init+0x15/0x30 [crashme]\n"
	"[   12.345730] Call Trace:\n"
	"[   12.345740]  <TASK>\n"
	"[   12.345750]  do_one_initcall+0x5b/0x220\n"
	"[   12.345760]  ? do_init_module+0x4a/0x1f0\n"
	"[   12.345770]  load_module+0x1b3c/0x1d20\n"
	"[   12.345780]  </TASK>\n"
	"[   12.345790] Modules linked in: crashme(OE) ext4 mbcache\n"
	"[   12.345800] ---[ end trace 0000000000000000 ]---\n";

static uint8_t *encode(const struct nx_report_set *set, size_t *len)
{
	uint8_t *buf = nx_report_wire_encode(set, len);

	assert_non_null(buf);
	return buf;
}

static struct nx_report_set *decode(const uint8_t *buf, size_t len, size_t text_len)
{
	char err[128] = "";

	return nx_report_wire_decode(buf, len, text_len, err, sizeof(err));
}

/* Decoding then encoding again gives the same bytes: every field survived. */
static void check_round_trip(const char *name, const char *text, size_t len)
{
	struct nx_report_set *set = nx_analyse(text, len), *back;
	uint8_t *a, *b;
	size_t na, nb;
	char err[128] = "";

	assert_non_null(set);
	a = encode(set, &na);
	if (na > NX_WIRE_MAX(len))
		fail_msg("%s: %zu bytes of text encode to %zu, over NX_WIRE_MAX", name, len, na);
	back = nx_report_wire_decode(a, na, len, err, sizeof(err));
	if (!back)
		fail_msg("%s: its own encoding is refused: %s", name, err);
	assert_int_equal(back->n, set->n);
	b = encode(back, &nb);
	assert_int_equal(nb, na);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
	nx_report_set_free(set);
	nx_report_set_free(back);
}

static void one_report_round_trips(void **state)
{
	struct nx_report_set *set = nx_analyse(OOPS, strlen(OOPS)), *back;
	const struct nx_report *r;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(set);
	assert_int_equal(set->n, 1);
	buf = encode(set, &len);
	back = decode(buf, len, strlen(OOPS));
	assert_non_null(back);
	r = &back->reports[0];
	assert_string_equal(r->title, set->reports[0].title);
	assert_string_equal(r->signature, set->reports[0].signature);
	assert_string_equal(r->comm, "modprobe");
	assert_int_equal(r->pid, 4242);
	assert_int_equal(r->cpu, 1);
	assert_true(r->primary);
	assert_int_equal(r->n_frames, set->reports[0].n_frames);
	assert_true(r->n_frames >= 3);
	assert_false(r->frames[1].reliable);
	assert_int_equal(r->n_modules, 3);
	assert_string_equal(r->modules[0].name, "crashme");
	assert_string_equal(r->modules[0].taints, "OE");
	assert_null(r->frames[0].module);
	free(buf);
	nx_report_set_free(set);
	nx_report_set_free(back);
	check_round_trip("empty text", "", 0);
}

/* The alternative title (syzbot's ALT:) crosses the process boundary too. */
static void alt_title_round_trips(void **state)
{
	static const char lockup[] = "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n"
				     "RIP: 0010:d_walk+0x1/0x2\nCall Trace:\n"
				     " __x64_sys_rmdir+0x36/0x40\n do_syscall_64+0x1/0x2\n";
	struct nx_report_set *set = nx_analyse(lockup, strlen(lockup)), *back;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(set);
	assert_string_equal(set->reports[0].alt_title, "stall in sys_rmdir");
	buf = encode(set, &len);
	back = decode(buf, len, strlen(lockup));
	assert_non_null(back);
	assert_string_equal(back->reports[0].alt_title, "stall in sys_rmdir");
	free(buf);
	nx_report_set_free(set);
	nx_report_set_free(back);
}

/* Every corpus file round trips, within NX_WIRE_MAX. */
static void corpus_round_trips(void **state)
{
	static const char *const folders[] = { "abrt", "satyr", "kerneloops" };
	size_t files = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(folders) / sizeof(folders[0]); f++) {
		char **names = corpus_names(folders[f], "");

		for (char **n = names; *n; n++, files++) {
			char path[8192], *text;
			size_t len;

			snprintf(path, sizeof(path), "%s/%s", corpus_dir(folders[f]), *n);
			text = slurp(path, &len);
			check_round_trip(*n, text, len);
			free(text);
		}
		corpus_names_free(names);
	}
	assert_true(files >= 125);
}

/* HEAD, then REP until the text is about LEN bytes, then TAIL: the analyser's densest output. */
static void check_dense(const char *head, const char *rep, const char *tail, size_t len)
{
	size_t n = strlen(head), r = strlen(rep), t = strlen(tail);
	char *text = malloc(len + n + t + 1);

	memcpy(text, head, n);
	for (; n + r < len; n += r)
		memcpy(text + n, rep, r);
	memcpy(text + n, tail, t + 1);
	check_round_trip(head, text, n + t);
	free(text);
}

/* Texts made to give the most output per byte still encode within NX_WIRE_MAX. */
static void densest_texts_fit_the_bound(void **state)
{
	static char report[2200];
	size_t n;

	(void)state;
	check_dense("", "BUG: x\n", "", 1u << 20);
	check_dense("BUG: x\nCall Trace:\n", " f+0x1/0x2 [m]\n", "", 1u << 20);
	/* A report whose module line names 1024 one-letter modules, 4096 times over. */
	n = (size_t)snprintf(report, sizeof(report), "BUG: x\nCall Trace:\n f+0x1/0x2\n"
			     "Modules linked in:");
	for (int i = 0; i < 1024; i++)
		n += (size_t)snprintf(report + n, sizeof(report) - n, " a");
	snprintf(report + n, sizeof(report) - n, "\n");
	check_dense("", report, "", 4096 * strlen(report));
}

/* Every proper prefix of a valid encoding is refused (and nothing leaks or overruns). */
static void truncations_are_refused(void **state)
{
	struct nx_report_set *set = nx_analyse(OOPS, strlen(OOPS));
	uint8_t *buf;
	size_t len;

	(void)state;
	buf = encode(set, &len);
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, buf, n);
		assert_null(decode(copy, n, strlen(OOPS)));
		free(copy);
	}
	free(buf);
	nx_report_set_free(set);
}

/* Flipping any one byte either still decodes or is refused; never a crash (ASan run). */
static void corruptions_do_not_crash(void **state)
{
	struct nx_report_set *set = nx_analyse(OOPS, strlen(OOPS));
	size_t len, refused = 0;
	uint8_t *buf;

	(void)state;
	buf = encode(set, &len);
	for (size_t i = 0; i < len; i++) {
		for (unsigned x = 1; x < 256; x <<= 1) {
			struct nx_report_set *got;

			buf[i] ^= (uint8_t)x;
			got = decode(buf, len, strlen(OOPS));
			refused += !got;
			nx_report_set_free(got);
			buf[i] ^= (uint8_t)x;
		}
	}
	assert_true(refused > len);	/* most flips break a length, a flag or a range */
	free(buf);
	nx_report_set_free(set);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Header and a report count, as a hostile worker would write them. */
static size_t header(uint8_t *buf, uint32_t n_reports)
{
	memcpy(buf, "NXRW", 4);
	buf[4] = NX_WIRE_VERSION;
	put32(buf + 5, n_reports);
	return 9;
}

static void hostile_counts_and_fields_are_refused(void **state)
{
	struct nx_report_set *set = nx_analyse(OOPS, strlen(OOPS));
	uint8_t small[64], *buf, *big;
	size_t len;
	char err[128];

	(void)state;
	/* A huge count with nothing behind it: refused before any allocation. */
	assert_null(nx_report_wire_decode(small, header(small, 0xfffffff0u), 100,
					  err, sizeof(err)));
	assert_string_equal(err, "a count larger than the bytes that follow");
	memcpy(small, "NXRX", 4);
	assert_null(decode(small, 9, 100));
	header(small, 0);
	small[4] = NX_WIRE_VERSION + 1;
	assert_null(decode(small, 9, 100));
	/* An empty set is fine; trailing bytes are not. */
	header(small, 0);
	struct nx_report_set *empty = decode(small, 9, 100);
	assert_non_null(empty);
	assert_int_equal(empty->n, 0);
	nx_report_set_free(empty);
	assert_null(decode(small, 10, 100));

	buf = encode(set, &len);
	/* The report's range must lie inside the text it came from. */
	assert_null(nx_report_wire_decode(buf, len, set->reports[0].end - 1, err, sizeof(err)));
	assert_string_equal(err, "a report's byte range is outside the text");
	/* A NUL byte inside the title. */
	buf[9 + 4 + 2] = '\0';
	assert_null(nx_report_wire_decode(buf, len, strlen(OOPS), err, sizeof(err)));
	assert_string_equal(err, "a NUL byte inside a string");
	/* Over the size bound for the text, whatever the content. */
	big = calloc(1, NX_WIRE_MAX(10) + 1);
	header(big, 0);
	assert_null(nx_report_wire_decode(big, NX_WIRE_MAX(10) + 1, 10, err, sizeof(err)));
	assert_string_equal(err, "larger than any analysis of the text");
	free(big);
	free(buf);
	nx_report_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_report_round_trips),
		cmocka_unit_test(alt_title_round_trips),
		cmocka_unit_test(corpus_round_trips),
		cmocka_unit_test(densest_texts_fit_the_bound),
		cmocka_unit_test(truncations_are_refused),
		cmocka_unit_test(corruptions_do_not_crash),
		cmocka_unit_test(hostile_counts_and_fields_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

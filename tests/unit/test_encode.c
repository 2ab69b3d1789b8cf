/* Encoder tests: every format's datagrams decode back to the text they were made from. */
#include "test_reasm_util.h"

static void test_v1_frames_like_the_protocol(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(64 * 1024, 1, &len);
	struct nx_enc_netoops id = v1_id("web-17", BOOT_A, 3);
	struct nx_dgrams l = encode_v1(&id, text, len);
	char *rebuilt = calloc(1, len + 1);
	uint32_t parts = 0, prev_off = (uint32_t)len;

	assert_true(l.n % 2 == 0);
	for (size_t i = 0; i < l.n; i++) {
		struct nx_packet p;
		const char *why = NULL;

		assert_true(l.v[i].len <= NETOOPS_MAX_DATAGRAM);
		assert_int_equal(nx_decode(l.v[i].data, l.v[i].len, &p, &why), 0);
		assert_int_equal(p.format, NX_FMT_NETOOPS);
		assert_string_equal(p.host, "web-17");
		assert_string_equal(p.boot, BOOT_A);
		assert_int_equal(p.dump, 3);
		assert_int_equal(p.total, len);
		assert_int_equal(p.copies, 2);
		parts = p.parts;
		assert_int_equal(p.copy, i < l.n / 2 ? 1 : 2);
		assert_int_equal(p.part, i % p.parts);	/* each pass: parts 0..N-1 */
		if (p.copy == 1) {
			/* part 0 is the newest text; offsets fall as part numbers rise */
			assert_int_equal(p.offset + p.text_len, prev_off);
			prev_off = p.offset;
			/* whole records: starts at a record boundary, ends with one */
			assert_true(p.offset == 0 || text[p.offset - 1] == '\n');
			assert_int_equal(p.text[p.text_len - 1], '\n');
			memcpy(rebuilt + p.offset, p.text, p.text_len);
		}
	}
	assert_int_equal(prev_off, 0);
	assert_int_equal(parts, l.n / 2);
	assert_memory_equal(rebuilt, text, len);
	/* the room is used: parts are nearly full */
	assert_true(parts < len / 1200 + 2);
	nx_dgrams_free(&l);
	free(rebuilt);
	free(text);
}

static void test_v1_splits_a_record_longer_than_a_part(void **state)
{
	(void)state;
	char text[5000];

	memset(text, 'x', sizeof(text));
	memcpy(text, "[    1.000000] short\n", 21);
	text[sizeof(text) - 1] = '\n';

	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);

	id.copies = 1;
	struct nx_dgrams l = encode_v1(&id, text, sizeof(text));
	size_t covered = 0;

	assert_true(l.n >= 4);
	for (size_t i = 0; i < l.n; i++) {
		struct nx_packet p;

		assert_int_equal(nx_decode(l.v[i].data, l.v[i].len, &p, NULL), 0);
		assert_memory_equal(p.text, text + p.offset, p.text_len);
		covered += p.text_len;
		/* no record starts inside the window: the newer parts are cut at its edge */
		if (i + 1 < l.n) {
			assert_true(l.v[i].len > NETOOPS_MAX_DATAGRAM - 100);
			assert_int_not_equal(text[p.offset - 1], '\n');
		}
	}
	assert_int_equal(covered, sizeof(text));
	/* the oldest part starts at 0 with the short record, then the long one's head */
	struct nx_packet last;

	assert_int_equal(nx_decode(l.v[l.n - 1].data, l.v[l.n - 1].len, &last, NULL), 0);
	assert_int_equal(last.offset, 0);
	assert_memory_equal(last.text, "[    1.000000] short\nxxx", 24);
	nx_dgrams_free(&l);
}

static void test_v1_empty_text_is_one_empty_part(void **state)
{
	(void)state;
	struct nx_enc_netoops id = v1_id("h", BOOT_A, 1);
	struct nx_dgrams l = encode_v1(&id, "", 0);
	struct nx_packet p;

	assert_int_equal(l.n, 2);
	assert_int_equal(nx_decode(l.v[0].data, l.v[0].len, &p, NULL), 0);
	assert_int_equal(p.parts, 1);
	assert_int_equal(p.total, 0);
	assert_int_equal(p.text_len, 0);
	nx_dgrams_free(&l);
}

static void test_v1_sanitises_identity(void **state)
{
	(void)state;
	struct nx_enc_netoops id = v1_id("bad host!", BOOT_A, 9);
	struct nx_dgrams l;
	struct nx_packet p;

	id.release = "6.1 custom";
	l = encode_v1(&id, "x\n", 2);
	assert_int_equal(nx_decode(l.v[0].data, l.v[0].len, &p, NULL), 0);
	assert_string_equal(p.host, "bad_host_");
	assert_string_equal(p.release, "6.1_custom");
	nx_dgrams_free(&l);
	id.boot = "not-hex";
	assert_int_equal(nx_encode_netoops(&id, "x", 1, nx_dgrams_append, &l), -1);
}

static void test_legacy_round_trip(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(10000, 2, &len);
	struct nx_enc_legacy id = { .dump_id = 77, .boot_id = 5, .release = "2.6.32-279.el6.x86_64",
				    .split = 3000 };
	struct nx_dgrams l = { 0 };
	int count = nx_encode_legacy_v3(&id, text, len, nx_dgrams_append, &l);
	char *rebuilt = calloc(1, len + 1);
	size_t at = 0;

	assert_true(count > 0);
	assert_int_equal(l.n, 3 * (size_t)count);
	/* newest first: packet_no 0 ... count-1 in each pass; rebuild oldest first */
	for (int no = count - 1; no >= 0; no--) {
		struct nx_packet p;

		assert_int_equal(l.v[no].len, NETOOPS_V3_DATAGRAM_X86_64);
		assert_int_equal(nx_decode(l.v[no].data, l.v[no].len, &p, NULL), 0);
		assert_int_equal(p.format, NX_FMT_LEGACY_V3);
		assert_int_equal(p.part, no);
		assert_int_equal(p.parts, count);
		assert_int_equal(p.dump, 77);
		assert_string_equal(p.boot, "5");
		assert_string_equal(p.release, "2.6.32-279.el6.x86_64");
		memcpy(rebuilt + at, p.text, p.text_len);
		at += p.text_len;
	}
	assert_int_equal(at, len);
	assert_memory_equal(rebuilt, text, len);
	nx_dgrams_free(&l);
	free(rebuilt);
	free(text);
}

static void test_legacy_i386_layout(void **state)
{
	(void)state;
	struct nx_enc_legacy id = { .dump_id = 1, .data_offset = NETOOPS_V3_HDR_I386, .passes = 1 };
	struct nx_dgrams l = { 0 };
	struct nx_packet p;

	assert_int_equal(nx_encode_legacy_v3(&id, "hello\n", 6, nx_dgrams_append, &l), 1);
	assert_int_equal(l.v[0].len, NETOOPS_V3_DATAGRAM_I386);
	assert_int_equal(nx_decode(l.v[0].data, l.v[0].len, &p, NULL), 0);
	assert_int_equal(p.text_len, 6);
	assert_memory_equal(p.text, "hello\n", 6);
	nx_dgrams_free(&l);
}

static void test_nc_extended_fragments_and_escapes(void **state)
{
	(void)state;
	char text[3000];
	size_t n = (size_t)snprintf(text, sizeof(text), "[   12.500000] tab\there \\ back\n");
	struct nx_enc_netconsole id = { .first_seq = 100, .release = "6.12.0" };
	struct nx_dgrams l = { 0 };

	memset(text + n, 'y', 2500);
	text[n + 2500] = '\n';
	assert_int_equal(nx_encode_nc_extended(&id, text, n + 2501, nx_dgrams_append, &l), 2);
	assert_true(l.n >= 4);	/* one record, then three fragments */

	struct nx_packet p;
	char out[64];

	assert_int_equal(nx_decode(l.v[0].data, l.v[0].len, &p, NULL), 0);
	assert_int_equal(p.format, NX_FMT_NC_EXTENDED);
	assert_int_equal(p.nc_seq, 100);
	assert_int_equal(p.nc_usec, 12500000);
	assert_string_equal(p.release, "6.12.0");
	assert_false(p.nc_frag);
	size_t u = nx_nc_unescape(p.text, p.text_len - 1, out);

	assert_int_equal(u, strlen("tab\there \\ back"));
	assert_memory_equal(out, "tab\there \\ back", u);

	uint32_t got = 0, total = 0;

	for (size_t i = 1; i < l.n; i++) {
		assert_true(l.v[i].len <= 1000);
		assert_int_equal(nx_decode(l.v[i].data, l.v[i].len, &p, NULL), 0);
		assert_true(p.nc_frag);
		assert_int_equal(p.nc_seq, 101);
		assert_int_equal(p.nc_frag_off, got);
		got += (uint32_t)p.text_len;
		total = p.nc_frag_total;
	}
	assert_int_equal(got, total);
	assert_int_equal(total, 2501);	/* 2500 bytes and the record's '\n' */
	nx_dgrams_free(&l);
}

static void test_nc_basic_is_plain_lines(void **state)
{
	(void)state;
	const char *text = "[    1.000000] one\n[    2.000000] two\n";
	struct nx_enc_netconsole id = { 0 };
	struct nx_dgrams l = { 0 };
	struct nx_packet p;

	assert_int_equal(nx_encode_nc_basic(&id, text, strlen(text), nx_dgrams_append, &l), 2);
	assert_int_equal(l.n, 2);
	assert_int_equal(nx_decode(l.v[1].data, l.v[1].len, &p, NULL), 0);
	assert_int_equal(p.format, NX_FMT_NC_BASIC);
	assert_int_equal(p.text_len, 19);
	assert_memory_equal(p.text, "[    2.000000] two\n", 19);
	nx_dgrams_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_frames_like_the_protocol),
		cmocka_unit_test(test_v1_splits_a_record_longer_than_a_part),
		cmocka_unit_test(test_v1_empty_text_is_one_empty_part),
		cmocka_unit_test(test_v1_sanitises_identity),
		cmocka_unit_test(test_legacy_round_trip),
		cmocka_unit_test(test_legacy_i386_layout),
		cmocka_unit_test(test_nc_extended_fragments_and_escapes),
		cmocka_unit_test(test_nc_basic_is_plain_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

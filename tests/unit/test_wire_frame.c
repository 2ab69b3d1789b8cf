/* The shared wire frame (include/netoops/wire_frame.h): the module's cutting and charsets as docs/protocol.md states them. */
#include "test_reasm_util.h"

#include <netoops/wire_frame.h>

/* docs/protocol.md, read from the source tree: the tests hold the code to the document. */
static char *read_doc(void)
{
	FILE *f = fopen("docs/protocol.md", "r");
	char *s = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, (1 << 20) - 1, f);
	fclose(f);
	s[n] = '\0';
	return s;
}

/* The bracket class after "| host | 1–64 bytes of `[" in the field table, e.g. "A-Za-z0-9._-". */
static bool in_class(const char *cls, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n && cls[i + 1] == '-') {
			if (c >= (unsigned char)cls[i] && c <= (unsigned char)cls[i + 2])
				return true;
			i += 2;
		} else if (c == (unsigned char)cls[i]) {
			return true;
		}
	}
	return false;
}

static void test_charsets_are_the_documents(void **state)
{
	(void)state;
	char *doc = read_doc();
	const char *row = strstr(doc, "| host | 1–64 bytes of `[");

	assert_non_null(row);
	const char *cls = strchr(row, '[') + 1, *end = strchr(cls, ']');

	assert_non_null(end);
	/* the release rule, in the document's words */
	assert_non_null(strstr(doc, "| release | 1–64 bytes, printable ASCII except space |"));
	for (int c = 0; c < 256; c++) {
		if (netoops_host_char_ok((char)c) != in_class(cls, (size_t)(end - cls), (unsigned char)c))
			fail_msg("host byte 0x%02x: code and docs/protocol.md disagree", c);
		if (netoops_release_char_ok((char)c) != (c > 0x20 && c < 0x7f))
			fail_msg("release byte 0x%02x: code and docs/protocol.md disagree", c);
	}
	free(doc);
}

/* The kernel's isalnum() takes Latin-1 letters: the module sent "h\xe9st" unsanitised. */
static void test_sanitize_refuses_latin1_and_fills_empty(void **state)
{
	(void)state;
	char host[NETOOPS_MAX_HOST + 1], long_src[200];

	netoops_frame_sanitize(host, "h\xe9st\xc0" "a", sizeof(host), netoops_host_char_ok);
	assert_string_equal(host, "h_st_a");
	netoops_frame_sanitize(host, "", sizeof(host), netoops_host_char_ok);
	assert_string_equal(host, "_");
	memset(long_src, 'a', sizeof(long_src) - 1);
	long_src[sizeof(long_src) - 1] = '\0';
	netoops_frame_sanitize(host, long_src, sizeof(host), netoops_host_char_ok);
	assert_int_equal(strlen(host), NETOOPS_MAX_HOST);
}

static void frame_of(struct netoops_frame *f, const char *ext, uint32_t reserve)
{
	memset(f, 0, sizeof(*f));
	netoops_frame_sanitize(f->host, "web-17", sizeof(f->host), netoops_host_char_ok);
	netoops_frame_sanitize(f->release, "6.1.0-27-amd64", sizeof(f->release),
			       netoops_release_char_ok);
	memcpy(f->boot, BOOT_A, sizeof(f->boot));
	f->seq = 3;
	f->reason = "oops";
	f->sec = 1764288000;
	f->usec = 123456;
	f->copies = 2;
	f->ext = ext;
	f->ext_reserve = reserve;
}

/*
 * The bytes nx_encode_netoops() emits are the bytes kmod/dump.c sends: the
 * same functions, called in dump_pass()'s order, give the same datagrams.
 */
static void test_userspace_bytes_are_the_modules(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(200 * 1024, 7, &len);
	struct nx_enc_netoops id = v1_id("web-17", BOOT_A, 3);
	struct nx_dgrams l = encode_v1(&id, text, len);
	struct netoops_frame f;
	char hdr[NETOOPS_MAX_DATAGRAM + 1];
	size_t k = 0;

	frame_of(&f, NULL, 0);
	assert_int_equal(netoops_frame_init(&f, text, (uint32_t)len), 0);
	assert_int_equal(l.n, 2 * f.parts);
	for (uint32_t copy = 1; copy <= f.copies; copy++) {
		uint32_t end = f.total;

		for (uint32_t part = 0; part < f.parts; part++, k++) {
			uint32_t start = netoops_frame_prev(&f, end);
			int h = netoops_frame_header(&f, hdr, sizeof(hdr), part, start, copy);

			assert_int_equal(l.v[k].len, (size_t)h + end - start);
			assert_memory_equal(l.v[k].data, hdr, (size_t)h);
			assert_memory_equal(l.v[k].data + h, text + start, end - start);
			end = start;
		}
		assert_int_equal(end, 0);
	}
	nx_dgrams_free(&l);
	free(text);
}

/*
 * The cutting rule of "The text": a part starts at the earliest record start
 * that fits, so the record before it does not fit; the capacity is what the
 * longest header leaves of 1400 bytes.
 */
static void test_cutting_follows_the_document(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(64 * 1024, 3, &len);
	struct netoops_frame f;
	char worst[NETOOPS_MAX_HEADER + 1];
	uint32_t end;

	frame_of(&f, NULL, 0);
	int wl = snprintf(worst, sizeof(worst), "NETOOPS1 web-17 %s 3 oops 6.1.0-27-amd64 "
			  "1764288000.123456 65534/65535 %zu/%zu 2/2\n", BOOT_A, len, len);
	assert_int_equal(netoops_frame_init(&f, text, (uint32_t)len), 0);
	assert_int_equal(f.cap, NETOOPS_MAX_DATAGRAM - wl);
	end = f.total;
	for (uint32_t part = 0; part < f.parts; part++) {
		uint32_t start = netoops_frame_prev(&f, end), before;

		assert_true(end - start <= f.cap);
		assert_true(start == 0 || text[start - 1] == '\n');
		if (start > 0) {
			for (before = start - 1; before > 0 && text[before - 1] != '\n'; before--)
				;
			assert_true(end - before > f.cap);	/* one more record would not fit */
		}
		end = start;
	}
	assert_int_equal(end, 0);
	free(text);
}

/*
 * Extensions: the header really sent carries them, and the room of a part
 * is computed from it, the bytes a caller appends per datagram included.
 */
static void test_extensions_count_against_the_datagram(void **state)
{
	(void)state;
	size_t len;
	char *text = make_log(32 * 1024, 5, &len);
	struct netoops_frame plain, ext;
	char hdr[NETOOPS_MAX_DATAGRAM + 1];
	struct nx_packet p;

	frame_of(&plain, NULL, 0);
	frame_of(&ext, " fec_test=1 k2=abc", 40);
	assert_int_equal(netoops_frame_init(&plain, text, (uint32_t)len), 0);
	assert_int_equal(netoops_frame_init(&ext, text, (uint32_t)len), 0);
	assert_int_equal(plain.cap - ext.cap, strlen(" fec_test=1 k2=abc") + 40);
	uint32_t start = netoops_frame_prev(&ext, ext.total);
	int h = netoops_frame_header_open(&ext, hdr, sizeof(hdr), 0, start, 1);

	/* a per-datagram extension of the reserved length, appended by the caller */
	h += snprintf(hdr + h, sizeof(hdr) - (size_t)h, " mac=%036d", 0);
	h = netoops_frame_header_close(hdr, sizeof(hdr), h);
	assert_true((size_t)h + ext.total - start <= NETOOPS_MAX_DATAGRAM);
	memcpy(hdr + h, text + start, ext.total - start);
	assert_int_equal(nx_decode((uint8_t *)hdr, (size_t)h + ext.total - start, &p, NULL), 0);
	assert_int_equal(p.offset, start);
	assert_memory_equal(p.text, text + start, p.text_len);
	/* no room at all is refused, not looped on */
	frame_of(&ext, NULL, NETOOPS_MAX_DATAGRAM);
	assert_int_equal(netoops_frame_init(&ext, text, (uint32_t)len), -1);
	assert_int_equal(ext.parts, 0);
	free(text);
}

/* An empty dump is one empty part; too many parts is refused. */
static void test_init_bounds(void **state)
{
	(void)state;
	struct netoops_frame f;
	char *big = malloc(NETOOPS_MAX_DUMP);

	frame_of(&f, NULL, 0);
	assert_int_equal(netoops_frame_init(&f, "", 0), 0);
	assert_int_equal(f.parts, 1);
	assert_non_null(big);
	memset(big, 'x', NETOOPS_MAX_DUMP);
	f.max_datagram = 600;	/* ~300 bytes a part: over 65535 parts */
	assert_int_equal(netoops_frame_init(&f, big, NETOOPS_MAX_DUMP), -1);
	free(big);
}

/* A NETOOPS<letter> kind this receiver does not know is malformed, never netconsole text. */
static void test_unknown_kind_is_malformed(void **state)
{
	(void)state;
	static const char *const unknown[] = {
		"NETOOPSZ web-17 " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx",
		"NETOOPSQ anything at all\n\x01\x02",
		"NETOOPS9 web-17 " BOOT_A " 3 oops r 1.000000 0/1 0/1 1/1\nx",
		"NETOOPSa lower-case letter\n",
	};
	struct nx_packet p;

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *why = NULL;

		assert_int_equal(nx_decode((const uint8_t *)unknown[i], strlen(unknown[i]), &p, &why), -1);
		assert_non_null(why);
	}
	const char *why = NULL;

	assert_int_equal(nx_decode((const uint8_t *)unknown[0], strlen(unknown[0]), &p, &why), -1);
	assert_string_equal(why, "netoops: unknown datagram kind");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charsets_are_the_documents),
		cmocka_unit_test(test_sanitize_refuses_latin1_and_fills_empty),
		cmocka_unit_test(test_userspace_bytes_are_the_modules),
		cmocka_unit_test(test_cutting_follows_the_document),
		cmocka_unit_test(test_extensions_count_against_the_datagram),
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_unknown_kind_is_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The parity encoder (include/netoops/wire_fec.h, netoops.ko's own) against ISA-L: the same field, matrix and bytes. */
#include "test_reasm_util.h"

#include <isa-l/crc.h>
#include <isa-l/erasure_code.h>
#include <netoops/wire_fec.h>

static struct netoops_gf gf;

static int setup(void **state)
{
	(void)state;
	netoops_gf_init(&gf);
	return 0;
}

static void test_crc_is_zlibs(void **state)
{
	(void)state;
	const char *v = "123456789";

	assert_int_equal(netoops_crc32(0, v, 9), 0xcbf43926u);
	/* chained like zlib's crc32() */
	assert_int_equal(netoops_crc32(netoops_crc32(0, v, 4), v + 4, 5), 0xcbf43926u);
	assert_int_equal(netoops_crc32(0, v, 0), 0);
}

static void test_field_is_isals(void **state)
{
	(void)state;
	for (int a = 0; a < 256; a++) {
		assert_int_equal(netoops_gf_inv(&gf, (uint8_t)a), gf_inv((unsigned char)a));
		for (int b = 0; b < 256; b++)
			if (gf.mul[a][b] != gf_mul((unsigned char)a, (unsigned char)b))
				fail_msg("gf mul %d * %d", a, b);
	}
}

/* Rows k .. k + m - 1 of gf_gen_cauchy1_matrix() are the coefficients, for every k. */
static void test_matrix_is_isals_cauchy1(void **state)
{
	(void)state;
	unsigned char *a = malloc(256 * 256);

	assert_non_null(a);
	for (uint32_t k = 1; k <= NETOOPS_FEC_MAX_K; k++) {
		uint32_t m = NETOOPS_FEC_MAX_ROWS - k;

		gf_gen_cauchy1_matrix(a, (int)(k + m), (int)k);
		for (uint32_t r = 0; r < m; r++)
			for (uint32_t j = 0; j < k; j++)
				if (a[(k + r) * k + j] != netoops_fec_coef(&gf, k, r, j))
					fail_msg("k %u row %u col %u", k, r, j);
	}
	free(a);
}

/* The parity datagrams of one encoded dump, parsed back. */
struct parity_set {
	struct nx_dgrams l;
	size_t first_parity;
	uint32_t parts;
};

static struct parity_set encode_with_parity(size_t size, uint32_t pct, uint32_t copies)
{
	size_t len;
	char *text = make_log(size, 11, &len);
	struct nx_enc_netoops id = v1_id("fec-host", BOOT_A, 5);
	struct parity_set ps = { .l = { 0 } };

	id.copies = copies;
	id.fec_pct = pct;
	int parts = nx_encode_netoops(&id, text, len, nx_dgrams_append, &ps.l);

	assert_true(parts > 0);
	ps.parts = (uint32_t)parts;
	ps.first_parity = (size_t)parts * copies;
	free(text);
	return ps;
}

/* Data shard of a decoded text packet: prefix, text, zeros to SHARD bytes. */
static void shard_of(const struct nx_packet *p, uint8_t *out, size_t shard)
{
	memset(out, 0, shard);
	netoops_fec_put_prefix(out, p->offset, (uint32_t)p->text_len);
	memcpy(out + NETOOPS_FEC_PREFIX, p->text, p->text_len);
}

/*
 * Every parity payload is what ISA-L's ec_encode_data() makes of the
 * block's data shards with gf_gen_cauchy1_matrix(); the checksums in the
 * header are the shards' and the text's.
 */
static void check_against_isal(const struct parity_set *ps)
{
	struct nx_packet p;
	uint32_t parts = ps->parts, blocks = netoops_fec_blocks(parts);
	size_t shard = 0, np = ps->l.n - ps->first_parity;

	assert_true(np > 0);
	assert_int_equal(nx_decode(ps->l.v[ps->first_parity].data, ps->l.v[ps->first_parity].len,
				   &p, NULL), 0);
	shard = p.text_len;
	uint8_t *data = calloc(parts, shard);

	assert_non_null(data);
	for (uint32_t i = 0; i < parts; i++) {
		assert_int_equal(nx_decode(ps->l.v[i].data, ps->l.v[i].len, &p, NULL), 0);
		assert_int_equal(p.kind, NX_KIND_TEXT);
		shard_of(&p, data + (size_t)p.part * shard, shard);
	}
	for (size_t i = ps->first_parity; i < ps->l.n; i++) {
		assert_int_equal(nx_decode(ps->l.v[i].data, ps->l.v[i].len, &p, NULL), 0);
		assert_int_equal(p.kind, NX_KIND_PARITY);
		assert_int_equal(p.text_len, shard);
		assert_int_equal(p.fec_blocks, blocks);
		uint32_t k = netoops_fec_k(parts, blocks, p.fec_block), m = p.fec_m;
		static unsigned char a[256 * NETOOPS_FEC_MAX_K], tbls[32 * NETOOPS_FEC_MAX_K * 256];
		unsigned char *src[NETOOPS_FEC_MAX_K], *dst[256];
		uint8_t *par = malloc((size_t)m * shard);
		uint32_t crc = 0;

		assert_non_null(par);
		for (uint32_t j = 0; j < k; j++) {
			src[j] = data + (size_t)(p.fec_block + j * blocks) * shard;
			crc = crc32_gzip_refl(crc, src[j], shard);
		}
		assert_int_equal(p.fec_bcrc, crc);
		for (uint32_t r = 0; r < m; r++)
			dst[r] = par + (size_t)r * shard;
		gf_gen_cauchy1_matrix(a, (int)(k + m), (int)k);
		ec_init_tables((int)k, (int)m, a + k * k, tbls);
		ec_encode_data((int)shard, (int)k, (int)m, tbls, src, dst);
		assert_memory_equal(p.text, dst[p.fec_row], shard);
		free(par);
	}
	free(data);
}

static void test_parity_is_isals_small(void **state)
{
	(void)state;
	struct parity_set ps = encode_with_parity(8 * 1024, 30, 1);

	assert_int_equal(ps.l.n - ps.first_parity, netoops_fec_count(ps.parts, 30));
	check_against_isal(&ps);
	nx_dgrams_free(&ps.l);
}

/* Over 128 parts: several interleaved blocks; two passes before the parity. */
static void test_parity_is_isals_blocks(void **state)
{
	(void)state;
	struct parity_set ps = encode_with_parity(200 * 1024, 25, 2);

	assert_true(netoops_fec_blocks(ps.parts) >= 2);
	assert_int_equal(ps.l.n - ps.first_parity, netoops_fec_count(ps.parts, 25));
	check_against_isal(&ps);
	nx_dgrams_free(&ps.l);
}

/*
 * Send order: row 0 of every block, then row 1, ...; parts fit a parity
 * datagram; text datagrams are unchanged but for the smaller room.
 */
static void test_parity_order_and_room(void **state)
{
	(void)state;
	struct parity_set ps = encode_with_parity(300 * 1024, 40, 1);
	struct nx_packet p;
	uint32_t last_row = 0, last_block = 0;
	bool first = true;

	for (size_t i = ps.first_parity; i < ps.l.n; i++) {
		assert_true(ps.l.v[i].len <= NETOOPS_MAX_DATAGRAM);
		assert_int_equal(nx_decode(ps.l.v[i].data, ps.l.v[i].len, &p, NULL), 0);
		if (!first)
			assert_true(p.fec_row > last_row ||
				    (p.fec_row == last_row && p.fec_block == last_block + 1));
		if (p.fec_row > last_row)
			assert_int_equal(p.fec_block, 0);
		last_row = p.fec_row;
		last_block = p.fec_block;
		first = false;
	}
	nx_dgrams_free(&ps.l);
}

static void test_block_shape(void **state)
{
	(void)state;
	/* 107 parts (a 128 KiB dump): one block; 900 parts: 8 blocks of 113 or 112 */
	assert_int_equal(netoops_fec_blocks(107), 1);
	assert_int_equal(netoops_fec_m(107, 25), 27);
	assert_int_equal(netoops_fec_blocks(900), 8);
	assert_int_equal(netoops_fec_k(900, 8, 0), 113);
	assert_int_equal(netoops_fec_k(900, 8, 7), 112);
	assert_int_equal(netoops_fec_m(1, 1), 1);
	assert_int_equal(netoops_fec_m(128, 100), 128);
	assert_int_equal(netoops_fec_count(107, 25), 27);
	assert_int_equal(netoops_fec_count(900, 25), 4 * 29 + 4 * 28);
}

/* The line of docs/protocol.md that starts with PREFIX (after the test vector's heading); caller frees. */
static char *doc_line(const char *doc, const char *prefix)
{
	const char *at = strstr(doc, "**Test vector**");

	assert_non_null(at);
	for (const char *l = at; (l = strchr(l, '\n')); ) {
		l++;
		if (!strncmp(l, prefix, strlen(prefix))) {
			const char *e = strchr(l, '\n');

			return strndup(l, (size_t)(e - l));
		}
	}
	fail_msg("docs/protocol.md: no line '%s' in the test vector", prefix);
	return NULL;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* docs/protocol.md's test vector is what the encoder sends, byte for byte. */
static void test_document_vector(void **state)
{
	(void)state;
	FILE *f = fopen("docs/protocol.md", "r");
	char *doc = calloc(1, 1 << 20), hex[2 * NETOOPS_MAX_DATAGRAM + 1], name[4];
	const char *text = "[    1.000000] a\n[    2.000000] bb\n[    3.000000] ccc\n";
	struct nx_enc_netoops id = {
		.host = "h", .boot = "0123456789abcdef0123456789abcdef", .dump = 1,
		.reason = "test", .release = "6.1", .time_usec = 1764288000000000ull,
		.copies = 1, .fec_pct = 100, .max_datagram = 150,
	};
	struct nx_dgrams l = { 0 };
	struct nx_packet p;

	assert_non_null(f);
	assert_true(fread(doc, 1, (1 << 20) - 1, f) > 0);
	fclose(f);
	assert_int_equal(nx_encode_netoops(&id, text, strlen(text), nx_dgrams_append, &l), 3);
	assert_int_equal(l.n, 6);
	for (int i = 0; i < 3; i++) {
		char *want;

		/* data shard i, from the text datagram of part i */
		assert_int_equal(nx_decode(l.v[i].data, l.v[i].len, &p, NULL), 0);
		uint8_t sh[34] = { 0 };

		netoops_fec_put_prefix(sh, p.offset, (uint32_t)p.text_len);
		memcpy(sh + NETOOPS_FEC_PREFIX, p.text, p.text_len);
		snprintf(name, sizeof(name), "D%d", i);
		want = doc_line(doc, name);
		to_hex(sh, sizeof(sh), hex);
		assert_string_equal(want + 3, hex);
		free(want);
		/* parity datagram i: its header line, then its shard */
		const uint8_t *g = l.v[3 + i].data;
		const uint8_t *nl = memchr(g, '\n', l.v[3 + i].len);
		char line[256];

		snprintf(line, sizeof(line), "%.*s", (int)(nl - g), (const char *)g);
		snprintf(name, sizeof(name), "P%d", i);
		want = doc_line(doc, line);
		assert_string_equal(want, line);
		free(want);
		want = doc_line(doc, name);
		to_hex(nl + 1, l.v[3 + i].len - (size_t)(nl + 1 - g), hex);
		assert_string_equal(want + 3, hex);
		free(want);
	}
	nx_dgrams_free(&l);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_is_zlibs),
		cmocka_unit_test(test_field_is_isals),
		cmocka_unit_test(test_matrix_is_isals_cauchy1),
		cmocka_unit_test(test_block_shape),
		cmocka_unit_test(test_parity_is_isals_small),
		cmocka_unit_test(test_parity_is_isals_blocks),
		cmocka_unit_test(test_parity_order_and_room),
		cmocka_unit_test(test_document_vector),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* Unit tests of core/auth: the published test vectors, sealing and opening, tampering, replay marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/auth/auth.h"
#include "core/auth/replay.h"
#include "core/decode/packet.h"

#include <netoops/wire_auth.h>

/* docs/protocol.md, "Test vectors" (computed independently with Python's hashlib.blake2s). */
#define VEC_HDR "NETOOPS1 web-17 0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4 3 oops 6.1.0-27-amd64 " \
		"1764288000.123456 0/1 0/57 1/2"
#define VEC_TEXT "[  412.123456] divide error: 0000 [#1] PREEMPT SMP NOPTI\n"
#define VEC_HOST_KEY "b410a5562b90566cc54385df0bb7136e88c317afd39bf1637e3718be6159332c"
#define VEC_MAC "e5ac587919165300d7165e1422993191"
#define VEC_ENC_MAC "af08ec6092a151038f2ccfc00a947a80"
#define VEC_CIPHER "513247925b90f7c69608dd693b99f4e303e19ea60b1ef1da0e334c306c5fc7a3" \
		   "03846db15b00f799b878a7518638147910402923c07a3901c2"

static void fleet_key(uint8_t k[NX_AUTH_KEY_LEN])
{
	for (int i = 0; i < NX_AUTH_KEY_LEN; i++)
		k[i] = (uint8_t)i;
}

static void host_key(uint8_t k[NX_AUTH_KEY_LEN])
{
	uint8_t fleet[NX_AUTH_KEY_LEN];

	fleet_key(fleet);
	assert_int_equal(nx_auth_host_key(fleet, "web-17", 6, k), 0);
}

static long seal(bool encrypt, uint8_t *out, size_t cap)
{
	uint8_t k[NX_AUTH_KEY_LEN];
	const char *in = VEC_HDR "\n" VEC_TEXT;

	host_key(k);
	return nx_auth_seal(k, encrypt, (const uint8_t *)in, strlen(in), out, cap);
}

static void vectors_host_key(void **state)
{
	uint8_t k[NX_AUTH_KEY_LEN], back[NX_AUTH_KEY_LEN];
	char hex[2 * NX_AUTH_KEY_LEN + 1];

	(void)state;
	host_key(k);
	nx_auth_key_hex(k, hex);
	assert_string_equal(hex, VEC_HOST_KEY);
	assert_int_equal(nx_auth_key_parse(VEC_HOST_KEY "\n", 65, back), 0);
	assert_memory_equal(back, k, sizeof(k));
	assert_int_equal(nx_auth_key_parse(VEC_HOST_KEY, 63, back), -1);
	assert_int_equal(nx_auth_key_parse("B410A5562B90566CC54385DF0BB7136E88C317AFD39BF1637E3718BE6159332C",
					   64, back), -1);
}

static void vectors_mac(void **state)
{
	uint8_t out[NETOOPS_MAX_DATAGRAM];
	const char *want = VEC_HDR " mac=" VEC_MAC "\n" VEC_TEXT;
	long n = seal(false, out, sizeof(out));

	(void)state;
	assert_int_equal(n, (long)strlen(want));
	assert_memory_equal(out, want, (size_t)n);
	assert_int_equal((size_t)n, strlen(VEC_HDR "\n" VEC_TEXT) + nx_auth_overhead(false));
}

/* VEC_CIPHER as bytes into CT (57 of them). */
static void cipher_vector(uint8_t *ct)
{
	static const char hex[] = VEC_CIPHER;

	for (size_t i = 0; i < strlen(VEC_TEXT); i++)
		assert_int_equal(sscanf(&hex[2 * i], "%2hhx", &ct[i]), 1);
}

static void vectors_encrypted(void **state)
{
	uint8_t out[NETOOPS_MAX_DATAGRAM], ct[64];
	const char *hdr = VEC_HDR " enc=1 mac=" VEC_ENC_MAC "\n";
	long n = seal(true, out, sizeof(out));

	(void)state;
	assert_int_equal(n, (long)(strlen(hdr) + strlen(VEC_TEXT)));
	assert_memory_equal(out, hdr, strlen(hdr));
	cipher_vector(ct);
	assert_memory_equal(out + strlen(hdr), ct, strlen(VEC_TEXT));
}

/* Open OUT[0..N) under the vector's host key into PLAIN. */
static enum nx_auth_result open_with(const uint8_t *key, const uint8_t *buf, size_t n,
				     uint8_t *plain)
{
	struct nx_auth_view v;

	if (nx_auth_view(buf, n, &v) != 0)
		return NX_AUTH_BAD;
	if (!v.mac_at)
		return NX_AUTH_NONE;
	return nx_auth_open(key, buf, n, &v, plain);
}

static void opens_and_decodes(void **state)
{
	uint8_t k[NX_AUTH_KEY_LEN], out[NETOOPS_MAX_DATAGRAM], plain[NETOOPS_MAX_DATAGRAM];
	struct nx_packet p;

	(void)state;
	host_key(k);
	for (int enc = 0; enc < 2; enc++) {
		long n = seal(enc, out, sizeof(out));

		assert_int_equal(open_with(k, out, (size_t)n, plain), NX_AUTH_OK);
		assert_int_equal(nx_decode(enc ? plain : out, (size_t)n, &p, NULL), 0);
		assert_string_equal(p.host, "web-17");
		assert_int_equal(p.text_len, strlen(VEC_TEXT));
		assert_memory_equal(p.text, VEC_TEXT, p.text_len);
	}
}

/* Every single flipped bit, in the header or the text, makes the datagram fail. */
static void every_flipped_bit_fails(void **state)
{
	uint8_t k[NX_AUTH_KEY_LEN], out[NETOOPS_MAX_DATAGRAM], plain[NETOOPS_MAX_DATAGRAM];

	(void)state;
	host_key(k);
	for (int enc = 0; enc < 2; enc++) {
		long n = seal(enc, out, sizeof(out));

		for (long i = 0; i < n; i++) {
			for (int bit = 0; bit < 8; bit++) {
				out[i] ^= (uint8_t)(1 << bit);
				if (open_with(k, out, (size_t)n, plain) == NX_AUTH_OK)
					fail_msg("bit %d of byte %ld flipped still verifies", bit, i);
				out[i] ^= (uint8_t)(1 << bit);
			}
		}
		assert_int_equal(open_with(k, out, (size_t)n, plain), NX_AUTH_OK);
	}
}

static void wrong_keys_fail(void **state)
{
	uint8_t fleet[NX_AUTH_KEY_LEN], other[NX_AUTH_KEY_LEN], out[NETOOPS_MAX_DATAGRAM];
	uint8_t plain[NETOOPS_MAX_DATAGRAM];
	long n = seal(false, out, sizeof(out));

	(void)state;
	fleet_key(fleet);
	assert_int_equal(nx_auth_host_key(fleet, "web-18", 6, other), 0);
	assert_int_equal(open_with(other, out, (size_t)n, plain), NX_AUTH_BAD);
	assert_int_equal(open_with(fleet, out, (size_t)n, plain), NX_AUTH_BAD);
}

static void malformed_mac_fields(void **state)
{
	static const char *const bad[] = {
		VEC_HDR " mac=" "e5ac58791916530\n" VEC_TEXT,			/* truncated */
		VEC_HDR " mac=" VEC_MAC "00\n" VEC_TEXT,			/* too long */
		VEC_HDR " mac=" "E5AC587919165300D7165E1422993191\n" VEC_TEXT,	/* upper case */
		VEC_HDR " mac=" VEC_MAC " x=1\n" VEC_TEXT,			/* not last */
		VEC_HDR " mac=\n" VEC_TEXT,
	};
	struct nx_auth_view v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nx_auth_view((const uint8_t *)bad[i], strlen(bad[i]), &v), -1);
	assert_int_equal(nx_auth_view((const uint8_t *)VEC_HDR "\n" VEC_TEXT,
				      strlen(VEC_HDR "\n" VEC_TEXT), &v), 0);
	assert_int_equal(v.mac_at, 0);
	assert_int_equal(v.host_len, 6);
	assert_int_equal(nx_auth_view((const uint8_t *)"<4>netconsole line\n", 19, &v), 1);
	assert_int_equal(nx_auth_view((const uint8_t *)"NETOOPS", 7, &v), 1);
}

static void seal_needs_room_and_header(void **state)
{
	uint8_t k[NX_AUTH_KEY_LEN], out[NETOOPS_MAX_DATAGRAM];
	const char *in = VEC_HDR "\n" VEC_TEXT;

	(void)state;
	host_key(k);
	assert_int_equal(nx_auth_seal(k, false, (const uint8_t *)in, strlen(in), out,
				      strlen(in) + nx_auth_overhead(false) - 1), -1);
	assert_int_equal(nx_auth_seal(k, false, (const uint8_t *)VEC_HDR, strlen(VEC_HDR), out,
				      sizeof(out)), -1);
	/* Headers the receiver would misread once sealed (found by fuzz_auth): refused. */
	static const char *const unsealable[] = {
		VEC_HDR " enc=1\n" VEC_TEXT,			/* would be read as encrypted */
		VEC_HDR " mac=" VEC_MAC "\n" VEC_TEXT,		/* sealed already */
		VEC_HDR " mac=x y=1\n" VEC_TEXT,
	};

	for (size_t i = 0; i < sizeof(unsealable) / sizeof(unsealable[0]); i++)
		for (int enc = 0; enc < 2; enc++)
			assert_int_equal(nx_auth_seal(k, enc, (const uint8_t *)unsealable[i],
						      strlen(unsealable[i]), out, sizeof(out)), -1);
}

/* The module's frame path (wire_frame.h + wire_auth.h, as kmod/dump.c runs it) makes the vectors. */
static void kernel_frame_path_matches_vectors(void **state)
{
	struct netoops_frame f = { .seq = 3, .reason = "oops", .sec = 1764288000, .usec = 123456,
				   .copies = 2 };
	struct netoops_auth_keys k;
	uint8_t key[NX_AUTH_KEY_LEN], ct[64];
	char hdr[NETOOPS_MAX_DATAGRAM + 1];
	int n;

	(void)state;
	host_key(key);
	netoops_frame_sanitize(f.host, "web-17", sizeof(f.host), netoops_host_char_ok);
	netoops_frame_sanitize(f.release, "6.1.0-27-amd64", sizeof(f.release),
			       netoops_release_char_ok);
	memcpy(f.boot, "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4", 33);
	for (int enc = 0; enc < 2; enc++) {
		k.encrypt = enc;
		netoops_auth_set_key(&k, key);
		f.ext_reserve = NETOOPS_AUTH_RESERVE(enc);
		assert_int_equal(netoops_frame_init(&f, VEC_TEXT, strlen(VEC_TEXT)), 0);
		assert_int_equal(f.parts, 1);
		n = netoops_frame_auth_header(&f, &k, hdr, sizeof(hdr), 0, 0, 1, VEC_TEXT,
					      strlen(VEC_TEXT), ct);
		assert_string_equal(hdr, enc ? VEC_HDR " enc=1 mac=" VEC_ENC_MAC "\n"
					     : VEC_HDR " mac=" VEC_MAC "\n");
		assert_int_equal(n, (int)strlen(hdr));
		if (enc) {
			uint8_t want[64];

			cipher_vector(want);
			assert_memory_equal(ct, want, strlen(VEC_TEXT));
		}
	}
}

/* With the reserve, every sealed datagram of a long dump still fits 1400 bytes. */
static void reserve_keeps_datagrams_in_bounds(void **state)
{
	static char text[200000];
	struct netoops_frame f = { .seq = 99999, .reason = "shutdown", .sec = 4000000000u,
				   .usec = 999999, .copies = 8 };
	struct netoops_auth_keys k = { .encrypt = true };
	uint8_t key[NX_AUTH_KEY_LEN], ct[NETOOPS_MAX_DATAGRAM];
	char hdr[NETOOPS_MAX_DATAGRAM + 1];
	uint32_t end, start;

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (i % 97 == 96) ? '\n' : 'x';
	host_key(key);
	netoops_auth_set_key(&k, key);
	memset(f.host, 'h', NETOOPS_MAX_HOST);
	memset(f.release, 'r', NETOOPS_MAX_RELEASE);
	memcpy(f.boot, "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4", 33);
	f.ext_reserve = NETOOPS_AUTH_RESERVE(true);
	assert_int_equal(netoops_frame_init(&f, text, sizeof(text)), 0);
	end = f.total;
	for (uint32_t part = 0; part < f.parts; part++, end = start) {
		start = netoops_frame_prev(&f, end);
		int n = netoops_frame_auth_header(&f, &k, hdr, sizeof(hdr), part, start, 8,
						  text + start, end - start, ct);

		if (n + (end - start) > NETOOPS_MAX_DATAGRAM)
			fail_msg("part %u: %u bytes", part, n + (end - start));
	}
}

#define BOOT_A "0f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4"
#define BOOT_B "1f3c5e0b8e9a4d7cb1f2a9d8c7e6b5a4"

static void replay_marks(void **state)
{
	struct nx_replay *r = nx_replay_new(2, 1000, 7);

	(void)state;
	assert_non_null(r);
	assert_false(nx_replay_check(r, "a", BOOT_A, 1, 10));		/* nothing stored yet */
	assert_int_equal(nx_replay_mark(r, "a", BOOT_A, 3, 100), 0);
	assert_true(nx_replay_check(r, "a", BOOT_A, 2, 200));		/* older dump: replay */
	assert_false(nx_replay_check(r, "a", BOOT_A, 3, 900));		/* late copy, in window */
	assert_false(nx_replay_check(r, "a", BOOT_A, 3, 1800));		/* window refreshed */
	assert_true(nx_replay_check(r, "a", BOOT_A, 3, 2801));		/* window over */
	assert_false(nx_replay_check(r, "a", BOOT_A, 4, 2801));		/* a new dump */
	assert_false(nx_replay_check(r, "a", BOOT_B, 1, 2801));		/* another boot */
	assert_false(nx_replay_check(r, "b", BOOT_A, 1, 2801));		/* another host */
	/* Restored from the store (time 0): the stored dump itself is a replay at once. */
	assert_int_equal(nx_replay_mark(r, "b", BOOT_A, 5, 0), 0);
	assert_true(nx_replay_check(r, "b", BOOT_A, 5, 1));
	/* An older dump finishing late leaves the mark where it is. */
	assert_int_equal(nx_replay_mark(r, "b", BOOT_A, 4, 10), 0);
	assert_true(nx_replay_check(r, "b", BOOT_A, 4, 11));
	/* Bounded: a third pair forgets the least recently used ("a"). */
	assert_int_equal(nx_replay_mark(r, "c", BOOT_A, 1, 10), 0);
	assert_int_equal(nx_replay_count(r), 2);
	assert_false(nx_replay_check(r, "a", BOOT_A, 2, 20));
	assert_true(nx_replay_check(r, "b", BOOT_A, 4, 20));
	nx_replay_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_host_key),
		cmocka_unit_test(vectors_mac),
		cmocka_unit_test(vectors_encrypted),
		cmocka_unit_test(opens_and_decodes),
		cmocka_unit_test(every_flipped_bit_fails),
		cmocka_unit_test(wrong_keys_fail),
		cmocka_unit_test(malformed_mac_fields),
		cmocka_unit_test(seal_needs_room_and_header),
		cmocka_unit_test(replay_marks),
		cmocka_unit_test(kernel_frame_path_matches_vectors),
		cmocka_unit_test(reserve_keeps_datagrams_in_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

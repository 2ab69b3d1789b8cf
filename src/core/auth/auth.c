/* Datagram authentication (BLAKE2s MAC) and encryption (ChaCha20, synthetic IV) with OpenSSL. */
#include "core/auth/auth.h"

#include <netoops/wire_auth.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

static const char host_key_label[] = "netoops-host-key-v1";	/* + its NUL, then the host */

/* Fetched once (EVP_MAC_fetch is costly); an EVP_MAC is safe to share between threads. */
static EVP_MAC *blake2s_mac;
static pthread_once_t blake2s_once = PTHREAD_ONCE_INIT;

static void fetch_blake2s(void)
{
	blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
}

/*
 * One MAC context per thread, made once and initialised again per message
 * (a new EVP_MAC_CTX per datagram cost 4 times the hashing itself). It lives
 * as long as its thread: a thread that verified frees them with
 * nx_auth_thread_done() before it ends.
 */
static _Thread_local EVP_MAC_CTX *mac_ctx;
static _Thread_local EVP_CIPHER_CTX *cipher_ctx;

void nx_auth_thread_done(void)
{
	EVP_MAC_CTX_free(mac_ctx);
	mac_ctx = NULL;
	EVP_CIPHER_CTX_free(cipher_ctx);
	cipher_ctx = NULL;
}

/* Keyed BLAKE2s with OUTLEN bytes of output over the pieces. 0 or -1. */
static int blake2s_keyed(const uint8_t key[NX_AUTH_KEY_LEN], const struct netoops_auth_piece *in,
			 size_t n, uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[2];
	size_t got = 0;
	int ok;

	pthread_once(&blake2s_once, fetch_blake2s);
	if (!blake2s_mac || (!mac_ctx && !(mac_ctx = EVP_MAC_CTX_new(blake2s_mac))))
		return -1;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outlen);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(mac_ctx, key, NX_AUTH_KEY_LEN, params);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(mac_ctx, in[i].p, in[i].n);
	ok = ok && EVP_MAC_final(mac_ctx, out, &got, outlen) && got == outlen;
	return ok ? 0 : -1;
}

/* The primitives include/netoops/wire_auth.h asks for; a failure leaves an all-zero tag. */
void netoops_auth_blake2s(const u8 key[NETOOPS_AUTH_KEY_LEN], u8 *out, size_t outlen,
			  const struct netoops_auth_piece *in, unsigned int n)
{
	if (blake2s_keyed(key, in, n, out, outlen) < 0)
		memset(out, 0, outlen);
}

/* ChaCha20 (RFC 8439 block function, counter 0) of IN into OUT, N bytes. 0 or -1. */
static int chacha20(const uint8_t key[NX_AUTH_KEY_LEN], const uint8_t nonce[12],
		    const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t iv[16] = { 0 };		/* 32-bit little-endian counter, then the nonce */
	int len = 0, ok;

	if (!cipher_ctx && !(cipher_ctx = EVP_CIPHER_CTX_new()))
		return -1;
	memcpy(iv + 4, nonce, 12);
	ok = EVP_EncryptInit_ex(cipher_ctx, EVP_chacha20(), NULL, key, iv) &&
	     (n == 0 || EVP_EncryptUpdate(cipher_ctx, out, &len, in, (int)n)) && (size_t)len == n;
	return ok ? 0 : -1;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* N bytes from 2N lowercase hex digits; 0 or -1. */
static int unhex(const uint8_t *hex, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void tohex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
}

int nx_auth_key_parse(const char *text, size_t len, uint8_t key[NX_AUTH_KEY_LEN])
{
	if (len == 2 * NX_AUTH_KEY_LEN + 1 && text[len - 1] == '\n')
		len--;
	if (len != 2 * NX_AUTH_KEY_LEN)
		return -1;
	return unhex((const uint8_t *)text, NX_AUTH_KEY_LEN, key);
}

void nx_auth_key_hex(const uint8_t key[NX_AUTH_KEY_LEN], char out[2 * NX_AUTH_KEY_LEN + 1])
{
	tohex(key, NX_AUTH_KEY_LEN, out);
	out[2 * NX_AUTH_KEY_LEN] = '\0';
}

int nx_auth_host_key(const uint8_t fleet[NX_AUTH_KEY_LEN], const char *host, size_t hostlen,
		     uint8_t out[NX_AUTH_KEY_LEN])
{
	struct netoops_auth_piece in[2] = {
		{ host_key_label, sizeof(host_key_label) },
		{ host, hostlen },
	};

	return blake2s_keyed(fleet, in, 2, out, NX_AUTH_KEY_LEN);
}

static size_t find_byte(const uint8_t *p, size_t n, uint8_t c)
{
	const uint8_t *q = memchr(p, c, n);

	return q ? (size_t)(q - p) : n;
}

/* The first " mac=" inside HDR[0..N), or N. */
static size_t find_mac(const uint8_t *hdr, size_t n)
{
	for (size_t i = 0; i + 5 <= n; i++)
		if (hdr[i] == ' ' && !memcmp(hdr + i + 1, "mac=", 4))
			return i;
	return n;
}

int nx_auth_view(const uint8_t *buf, size_t len, struct nx_auth_view *v)
{
	size_t scan = len < NETOOPS_MAX_DATAGRAM ? len : NETOOPS_MAX_DATAGRAM;
	uint8_t kind;

	memset(v, 0, sizeof(*v));
	if (len <= NETOOPS_MAGIC_LEN || memcmp(buf, "NETOOPS", NETOOPS_MAGIC_LEN - 1))
		return 1;
	kind = buf[NETOOPS_MAGIC_LEN - 1];
	if (!((kind >= '1' && kind <= '9') || (kind >= 'A' && kind <= 'Z')))
		return 1;
	v->eol = find_byte(buf, scan, '\n');
	if (v->eol == scan)
		return 0;	/* no header line: the decoder calls it malformed */
	v->host = buf + NETOOPS_MAGIC_LEN + 1;
	v->host_len = v->eol > NETOOPS_MAGIC_LEN ?
		find_byte(v->host, v->eol - NETOOPS_MAGIC_LEN - 1, ' ') : 0;

	size_t at = find_mac(buf, v->eol);

	if (at == v->eol)
		return 0;
	/* The mac field must be the header's last, with exactly 32 hex digits. */
	if (at + 1 + NX_AUTH_MAC_FIELD != v->eol || at < NETOOPS_MAGIC_LEN)
		return -1;
	uint8_t tag[NX_AUTH_TAG_LEN];

	if (unhex(buf + at + 5, NX_AUTH_TAG_LEN, tag) < 0)
		return -1;
	v->mac_at = at;
	v->encrypted = at >= sizeof(NETOOPS_AUTH_ENC) - 1 &&
		       !memcmp(buf + at - (sizeof(NETOOPS_AUTH_ENC) - 1), NETOOPS_AUTH_ENC,
			       sizeof(NETOOPS_AUTH_ENC) - 1);
	return 0;
}

/* The tag of a datagram: header bytes HDR[0..HLEN) (no mac field), "\n", then PAYLOAD. */
static int tag_of(const uint8_t key[NX_AUTH_KEY_LEN], const uint8_t *hdr, size_t hlen,
		  const uint8_t *payload, size_t plen, uint8_t tag[NX_AUTH_TAG_LEN])
{
	struct netoops_auth_piece in[3] = { { hdr, hlen }, { "\n", 1 }, { payload, plen } };

	return blake2s_keyed(key, in, 3, tag, NX_AUTH_TAG_LEN);
}

enum nx_auth_result nx_auth_open(const uint8_t host_key[NX_AUTH_KEY_LEN], const uint8_t *buf,
				 size_t len, const struct nx_auth_view *v, uint8_t *out)
{
	uint8_t want[NX_AUTH_TAG_LEN], tag[NX_AUTH_TAG_LEN];
	size_t body = v->eol + 1;
	const uint8_t *plain = buf + body;
	int rc = 0;

	if (!v->mac_at || unhex(buf + v->mac_at + 5, NX_AUTH_TAG_LEN, want) < 0)
		return NX_AUTH_BAD;
	if (v->encrypted) {
		struct netoops_auth_keys k;

		memcpy(out, buf, body);
		netoops_auth_set_key(&k, host_key);
		rc = chacha20(k.enc, want, buf + body, len - body, out + body);
		OPENSSL_cleanse(&k, sizeof(k));
		plain = out + body;
	}
	if (rc || tag_of(host_key, buf, v->mac_at, plain, len - body, tag) ||
	    CRYPTO_memcmp(tag, want, sizeof(tag)))
		return NX_AUTH_BAD;
	return NX_AUTH_OK;
}

size_t nx_auth_overhead(bool encrypt)
{
	return NETOOPS_AUTH_RESERVE(encrypt);
}

void netoops_auth_chacha20(const u8 key[NETOOPS_AUTH_KEY_LEN],
			   const u8 nonce[NETOOPS_AUTH_NONCE_LEN], const u8 *in, u8 *out, size_t len)
{
	if (chacha20(key, nonce, in, len, out) < 0)
		memset(out, 0, len);
}

/* A header the receiver would misread once sealed: a mac field already, or ending in enc=1. */
static bool sealable(const uint8_t *hdr, size_t n)
{
	size_t e = sizeof(NETOOPS_AUTH_ENC) - 1;

	return find_mac(hdr, n) == n && !(n >= e && !memcmp(hdr + n - e, NETOOPS_AUTH_ENC, e));
}

/* The module's own sealing code (include/netoops/wire_auth.h), on a whole datagram. */
long nx_auth_seal(const uint8_t host_key[NX_AUTH_KEY_LEN], bool encrypt, const uint8_t *in,
		  size_t len, uint8_t *out, size_t cap)
{
	size_t eol = find_byte(in, len, '\n'), plen = len - eol - 1;
	uint8_t ct[NETOOPS_MAX_DATAGRAM];
	struct netoops_auth_keys k = { .encrypt = encrypt };
	int hlen;

	if (eol == len || len + nx_auth_overhead(encrypt) > cap || plen > sizeof(ct) ||
	    len + nx_auth_overhead(encrypt) > NETOOPS_MAX_DATAGRAM || !sealable(in, eol))
		return -1;
	memcpy(out, in, eol);
	netoops_auth_set_key(&k, host_key);
	hlen = netoops_auth_seal(&k, (char *)out, (int)eol, cap, (const char *)in + eol + 1,
				 (u32)plen, ct);
	OPENSSL_cleanse(&k, sizeof(k));
	out[hlen] = '\n';
	memcpy(out + hlen + 1, encrypt ? ct : in + eol + 1, plen);
	return hlen + 1 + (long)plen;
}

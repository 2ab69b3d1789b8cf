/* Datagram authentication (BLAKE2s MAC) and encryption (ChaCha20, synthetic IV) with OpenSSL. */
#include "core/auth/auth.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

static const char host_key_label[] = "netoops-host-key-v1";	/* + its NUL, then the host */
static const char enc_key_label[] = "netoops-enc-key-v1";	/* without a NUL */

/* Fetched once (EVP_MAC_fetch is costly); an EVP_MAC is safe to share between threads. */
static EVP_MAC *blake2s_mac;
static pthread_once_t blake2s_once = PTHREAD_ONCE_INIT;

static void fetch_blake2s(void)
{
	blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
}

/* A run of bytes the MAC covers; a message is up to three of them. */
struct piece {
	const uint8_t *p;
	size_t n;
};

/* Keyed BLAKE2s with OUTLEN bytes of output over the pieces. 0 or -1. */
static int blake2s_keyed(const uint8_t key[NX_AUTH_KEY_LEN], const struct piece *in, size_t n,
			 uint8_t *out, size_t outlen)
{
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	size_t got = 0;
	int ok;

	pthread_once(&blake2s_once, fetch_blake2s);
	if (!blake2s_mac || !(ctx = EVP_MAC_CTX_new(blake2s_mac)))
		return -1;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outlen);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(ctx, key, NX_AUTH_KEY_LEN, params);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, in[i].p, in[i].n);
	ok = ok && EVP_MAC_final(ctx, out, &got, outlen) && got == outlen;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* ChaCha20 (RFC 8439 block function, counter 0) of IN into OUT, N bytes. 0 or -1. */
static int chacha20(const uint8_t key[NX_AUTH_KEY_LEN], const uint8_t nonce[12],
		    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = { 0 };		/* 32-bit little-endian counter, then the nonce */
	int len = 0, ok;

	if (!ctx)
		return -1;
	memcpy(iv + 4, nonce, 12);
	ok = EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, key, iv) &&
	     (n == 0 || EVP_EncryptUpdate(ctx, out, &len, in, (int)n)) && (size_t)len == n;
	EVP_CIPHER_CTX_free(ctx);
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
	struct piece in[2] = {
		{ (const uint8_t *)host_key_label, sizeof(host_key_label) },
		{ (const uint8_t *)host, hostlen },
	};

	return blake2s_keyed(fleet, in, 2, out, NX_AUTH_KEY_LEN);
}

static int enc_key(const uint8_t host_key[NX_AUTH_KEY_LEN], uint8_t out[NX_AUTH_KEY_LEN])
{
	struct piece in = { (const uint8_t *)enc_key_label, sizeof(enc_key_label) - 1 };

	return blake2s_keyed(host_key, &in, 1, out, NX_AUTH_KEY_LEN);
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
	v->encrypted = at >= sizeof(NX_AUTH_ENC_FIELD) &&
		       !memcmp(buf + at - sizeof(NX_AUTH_ENC_FIELD), " " NX_AUTH_ENC_FIELD,
			       sizeof(NX_AUTH_ENC_FIELD));
	return 0;
}

/* The tag of a datagram: header bytes HDR[0..HLEN) (no mac field), "\n", then PAYLOAD. */
static int tag_of(const uint8_t key[NX_AUTH_KEY_LEN], const uint8_t *hdr, size_t hlen,
		  const uint8_t *payload, size_t plen, uint8_t tag[NX_AUTH_TAG_LEN])
{
	struct piece in[3] = { { hdr, hlen }, { (const uint8_t *)"\n", 1 }, { payload, plen } };

	return blake2s_keyed(key, in, 3, tag, NX_AUTH_TAG_LEN);
}

enum nx_auth_result nx_auth_open(const uint8_t host_key[NX_AUTH_KEY_LEN], const uint8_t *buf,
				 size_t len, const struct nx_auth_view *v, uint8_t *out)
{
	uint8_t want[NX_AUTH_TAG_LEN], tag[NX_AUTH_TAG_LEN], ekey[NX_AUTH_KEY_LEN];
	size_t body = v->eol + 1;
	int rc = 0;

	const uint8_t *plain = buf + body;

	if (!v->mac_at || unhex(buf + v->mac_at + 5, NX_AUTH_TAG_LEN, want) < 0)
		return NX_AUTH_BAD;
	if (v->encrypted) {
		memcpy(out, buf, body);
		rc = enc_key(host_key, ekey) ||
		     chacha20(ekey, want, buf + body, len - body, out + body);
		OPENSSL_cleanse(ekey, sizeof(ekey));
		plain = out + body;
	}
	if (rc || tag_of(host_key, buf, v->mac_at, plain, len - body, tag) ||
	    CRYPTO_memcmp(tag, want, sizeof(tag)))
		return NX_AUTH_BAD;
	return NX_AUTH_OK;
}

size_t nx_auth_overhead(bool encrypt)
{
	return (encrypt ? sizeof(NX_AUTH_ENC_FIELD) : 0) + 1 + NX_AUTH_MAC_FIELD;
}

long nx_auth_seal(const uint8_t host_key[NX_AUTH_KEY_LEN], bool encrypt, const uint8_t *in,
		  size_t len, uint8_t *out, size_t cap)
{
	size_t eol = find_byte(in, len, '\n'), at, body, plen;
	uint8_t tag[NX_AUTH_TAG_LEN], ekey[NX_AUTH_KEY_LEN];
	int rc = 0;

	if (eol == len || len + nx_auth_overhead(encrypt) > cap)
		return -1;
	memcpy(out, in, eol);
	at = eol;
	if (encrypt) {
		memcpy(out + at, " " NX_AUTH_ENC_FIELD, sizeof(NX_AUTH_ENC_FIELD));
		at += sizeof(NX_AUTH_ENC_FIELD);
	}
	plen = len - eol - 1;
	if (tag_of(host_key, out, at, in + eol + 1, plen, tag))
		return -1;
	memcpy(out + at, " mac=", 5);
	tohex(tag, NX_AUTH_TAG_LEN, (char *)out + at + 5);
	body = at + 1 + NX_AUTH_MAC_FIELD;
	out[body++] = '\n';
	if (encrypt) {
		rc = enc_key(host_key, ekey) || chacha20(ekey, tag, in + eol + 1, plen, out + body);
		OPENSSL_cleanse(ekey, sizeof(ekey));
	} else {
		memcpy(out + body, in + eol + 1, plen);
	}
	return rc ? -1 : (long)(body + plen);
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The sender's side of datagram authentication: the mac= (and enc=1) fields, one code for netoops.ko and userspace. */
#ifndef _NETOOPS_WIRE_AUTH_H
#define _NETOOPS_WIRE_AUTH_H

#include <netoops/wire_frame.h>

/*
 * docs/protocol.md, "Authentication and encryption", as code. The includer
 * provides the two primitives (netoops.ko: lib/crypto in kmod/auth.c;
 * userspace: OpenSSL in src/core/auth/auth.c):
 *
 *   void netoops_auth_blake2s(const u8 key[NETOOPS_AUTH_KEY_LEN], u8 *out,
 *                             size_t outlen,
 *                             const struct netoops_auth_piece *in,
 *                             unsigned int n);
 *	keyed BLAKE2s with an @outlen-byte digest over the @n pieces in turn
 *   void netoops_auth_chacha20(const u8 key[NETOOPS_AUTH_KEY_LEN],
 *                              const u8 nonce[12], const u8 *in, u8 *out,
 *                              size_t len);
 *	RFC 8439 ChaCha20, block counter 0, @in XOR keystream into @out
 *
 * Nothing here allocates or sleeps: the crash path calls it per datagram.
 */

#define NETOOPS_AUTH_KEY_LEN	32
#define NETOOPS_AUTH_TAG_LEN	16
#define NETOOPS_AUTH_NONCE_LEN	12
#define NETOOPS_AUTH_ENC	" enc=1"
#define NETOOPS_AUTH_MAC	" mac="
/* What a sealed header grows by: " enc=1" (when encrypting) and " mac=" + 32 hex digits. */
#define NETOOPS_AUTH_RESERVE(encrypt) \
	(((encrypt) ? sizeof(NETOOPS_AUTH_ENC) - 1 : 0) + \
	 sizeof(NETOOPS_AUTH_MAC) - 1 + 2 * NETOOPS_AUTH_TAG_LEN)

struct netoops_auth_piece {
	const void *p;
	size_t n;
};

/**
 * struct netoops_auth_keys - one host's keys, as the sender holds them
 * @mac:	the host key K (docs/protocol.md, "Keys")
 * @enc:	the encryption key E, derived from K
 * @encrypt:	send the payload encrypted (enc=1)
 */
struct netoops_auth_keys {
	u8 mac[NETOOPS_AUTH_KEY_LEN];
	u8 enc[NETOOPS_AUTH_KEY_LEN];
	bool encrypt;
};

void netoops_auth_blake2s(const u8 key[NETOOPS_AUTH_KEY_LEN], u8 *out,
			  size_t outlen, const struct netoops_auth_piece *in,
			  unsigned int n);
void netoops_auth_chacha20(const u8 key[NETOOPS_AUTH_KEY_LEN],
			   const u8 nonce[NETOOPS_AUTH_NONCE_LEN],
			   const u8 *in, u8 *out, size_t len);

/* K into @k, and E derived from it: E = BLAKE2s-256(key = K, "netoops-enc-key-v1"). */
static inline void netoops_auth_set_key(struct netoops_auth_keys *k,
					const u8 host_key[NETOOPS_AUTH_KEY_LEN])
{
	static const char label[] = "netoops-enc-key-v1";
	struct netoops_auth_piece in = { label, sizeof(label) - 1 };

	memcpy(k->mac, host_key, NETOOPS_AUTH_KEY_LEN);
	netoops_auth_blake2s(k->mac, k->enc, NETOOPS_AUTH_KEY_LEN, &in, 1);
}

/**
 * netoops_auth_seal() - authenticate (and encrypt) one datagram
 * @k:		the host's keys
 * @hdr:	the header line so far, unterminated (netoops_frame_header_open())
 * @hlen:	its length
 * @size:	size of @hdr; at least @hlen + NETOOPS_AUTH_RESERVE() + 2
 * @text:	the payload, plaintext
 * @tlen:	its length
 * @ct:		with @k->encrypt, gets the @tlen bytes to send instead of @text
 *
 * Appends " enc=1" (when encrypting) and " mac=<tag>" to @hdr, the tag being
 * BLAKE2s-128(key = K, @hdr as it was before " mac=" || '\n' || @text).
 *
 * Return: the header's new length (still unterminated).
 */
static inline int netoops_auth_seal(const struct netoops_auth_keys *k,
				    char *hdr, int hlen, size_t size,
				    const char *text, u32 tlen, u8 *ct)
{
	static const char hex[] = "0123456789abcdef";
	u8 tag[NETOOPS_AUTH_TAG_LEN];
	struct netoops_auth_piece in[3];
	int i;

	if (k->encrypt)
		hlen += scnprintf(hdr + hlen, size - hlen, "%s", NETOOPS_AUTH_ENC);
	in[0].p = hdr;
	in[0].n = hlen;
	in[1].p = "\n";
	in[1].n = 1;
	in[2].p = text;
	in[2].n = tlen;
	netoops_auth_blake2s(k->mac, tag, sizeof(tag), in, 3);
	hlen += scnprintf(hdr + hlen, size - hlen, "%s", NETOOPS_AUTH_MAC);
	for (i = 0; i < NETOOPS_AUTH_TAG_LEN && (size_t)hlen + 2 < size; i++) {
		hdr[hlen++] = hex[tag[i] >> 4];
		hdr[hlen++] = hex[tag[i] & 15];
	}
	hdr[hlen] = '\0';
	if (k->encrypt)
		netoops_auth_chacha20(k->enc, tag, (const u8 *)text, ct, tlen);
	memset(tag, 0, sizeof(tag));
	return hlen;
}

/**
 * netoops_frame_auth_header() - a text datagram's header line, sealed
 * @f:		the dump (its @ext_reserve includes NETOOPS_AUTH_RESERVE())
 * @k:		the host's keys, or NULL: an unauthenticated header
 * @buf:	where the line goes (@size bytes)
 * @size:	size of @buf
 * @part:	as netoops_frame_header()
 * @offset:	as netoops_frame_header()
 * @copy:	as netoops_frame_header()
 * @text:	the datagram's text (at @f->text + @offset)
 * @tlen:	its length
 * @ct:		the encrypted text, when @k->encrypt (@tlen bytes)
 *
 * Return: the header's length, '\n' included.
 */
static inline int netoops_frame_auth_header(const struct netoops_frame *f,
					    const struct netoops_auth_keys *k,
					    char *buf, size_t size, u32 part,
					    u32 offset, u32 copy,
					    const char *text, u32 tlen, u8 *ct)
{
	int n = netoops_frame_header_open(f, buf, size, part, offset, copy);

	if (k)
		n = netoops_auth_seal(k, buf, n, size, text, tlen, ct);
	return netoops_frame_header_close(buf, size, n);
}

#endif /* _NETOOPS_WIRE_AUTH_H */

/* Datagram authentication and encryption (docs/protocol.md, "Authentication"): keys, MAC, SIV. */
#ifndef NX_AUTH_H
#define NX_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netoops/wire.h>

/*
 * The construction, in short: a host key is BLAKE2s-256 keyed with the
 * fleet key over "netoops-host-key-v1\0" and the host name. A datagram's
 * tag is BLAKE2s-128 keyed with the host key over the datagram without its
 * " mac=<hex>" field (with the plaintext payload), carried as that field,
 * last in the header. With " enc=1" before it, the payload is ChaCha20 of
 * the plaintext under a key derived from the host key, with the first 12
 * bytes of the tag as nonce (a synthetic IV: deterministic, misuse-resistant).
 */

#define NX_AUTH_KEY_LEN		32	/* fleet and host keys */
#define NX_AUTH_TAG_LEN		16	/* the MAC, 32 hex digits on the wire */
#define NX_AUTH_MAC_FIELD	(4 + 2 * NX_AUTH_TAG_LEN)	/* "mac=" and the hex digits */

/* Result of looking at a datagram's authentication fields. */
enum nx_auth_result {
	NX_AUTH_NONE,		/* no mac field: unauthenticated */
	NX_AUTH_OK,		/* tag verified (and payload decrypted) */
	NX_AUTH_BAD,		/* a mac field, but it does not verify or is malformed */
};

/* Free the calling thread's OpenSSL contexts (made at its first MAC): call as it ends. */
void nx_auth_thread_done(void);

/* Parse 64 hex digits (an optional trailing newline) into KEY. 0, or -1. */
int nx_auth_key_parse(const char *text, size_t len, uint8_t key[NX_AUTH_KEY_LEN]);
/* KEY as 64 lowercase hex digits and a NUL into OUT. */
void nx_auth_key_hex(const uint8_t key[NX_AUTH_KEY_LEN], char out[2 * NX_AUTH_KEY_LEN + 1]);

/*
 * Read key file PATH (64 hex digits, an optional newline) into KEY. Refused,
 * with MSG saying what to fix, unless it is a regular file that neither
 * group nor others may read or write. 0 or -1.
 */
int nx_auth_key_read(const char *path, uint8_t key[NX_AUTH_KEY_LEN], char *msg, size_t len);
/* Create PATH (mode 600, never over an existing file) holding KEY. 0, or -1 with MSG. */
int nx_auth_key_write(const char *path, const uint8_t key[NX_AUTH_KEY_LEN], char *msg, size_t len);

/* The host key of HOST (its bytes as they travel, HOSTLEN of them) under FLEET. 0 or -1. */
int nx_auth_host_key(const uint8_t fleet[NX_AUTH_KEY_LEN], const char *host, size_t hostlen,
		     uint8_t out[NX_AUTH_KEY_LEN]);

/*
 * The identity fields an authenticated datagram of any NETOOPS kind starts
 * with: the host name (field 2), located without decoding the kind.
 */
struct nx_auth_view {
	size_t eol;		/* index of the header's '\n' */
	size_t mac_at;		/* index of the space before "mac=", or 0: none */
	bool encrypted;		/* " enc=1" right before the mac field */
	const uint8_t *host;	/* field 2 */
	size_t host_len;
};

/*
 * Look at BUF (LEN bytes): a NETOOPS<x> datagram with a header line? Fills V.
 * Returns 0; 1 when BUF is not a NETOOPS datagram (legacy v3, netconsole);
 * -1 when it claims a mac field that is not well formed.
 */
int nx_auth_view(const uint8_t *buf, size_t len, struct nx_auth_view *v);

/*
 * Verify (and decrypt) the datagram BUF under HOST_KEY. When V->encrypted,
 * OUT (LEN bytes) gets the datagram to hand to the decoder: BUF with the
 * plaintext payload; otherwise OUT is not used (BUF is that datagram).
 * NX_AUTH_OK, or NX_AUTH_BAD.
 */
enum nx_auth_result nx_auth_open(const uint8_t host_key[NX_AUTH_KEY_LEN], const uint8_t *buf,
				 size_t len, const struct nx_auth_view *v, uint8_t *out);

/*
 * Sign (ENCRYPT: and encrypt) the datagram IN (LEN bytes, a header line
 * without mac/enc fields, then plaintext) into OUT (CAP bytes): the header
 * gains " enc=1" (when encrypting) and " mac=<hex>". Returns the new
 * length, or -1 (no header line, CAP too small, a result longer than
 * NETOOPS_MAX_DATAGRAM, or a header that has a mac field already or ends in
 * " enc=1"). The userspace twin of
 * the module's frame code, for tests and load generators.
 */
long nx_auth_seal(const uint8_t host_key[NX_AUTH_KEY_LEN], bool encrypt, const uint8_t *in,
		  size_t len, uint8_t *out, size_t cap);

/* The bytes a sealed datagram grows by: " enc=1" (if ENCRYPT) and " mac=<32 hex>". */
size_t nx_auth_overhead(bool encrypt);

#endif

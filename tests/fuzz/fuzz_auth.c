/* libFuzzer target: the collector's MAC check on arbitrary bytes, and seal/open round trips of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth/auth.h"

static const uint8_t key[NX_AUTH_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

/* What the receive loop does with a datagram: look, and open it if it claims a MAC. */
static void as_received(const uint8_t *data, size_t size)
{
	struct nx_auth_view v;
	uint8_t *plain = malloc(size ? size : 1);
	int rc = nx_auth_view(data, size, &v);

	if (rc == 0 && (v.eol > size || v.host_len > size ||
			(v.mac_at && (v.mac_at >= v.eol || !v.host))))
		__builtin_trap();
	if (rc == 0 && v.mac_at)
		nx_auth_open(key, data, size, &v, plain);
	free(plain);
}

/* Sealed under the key, any datagram with a header line opens again to the same bytes. */
static void round_trip(const uint8_t *data, size_t size, bool encrypt)
{
	uint8_t out[NETOOPS_MAX_DATAGRAM + 64], plain[NETOOPS_MAX_DATAGRAM + 64];
	struct nx_auth_view v;
	long n;

	if (size > NETOOPS_MAX_DATAGRAM || size < 10 || memcmp(data, "NETOOPS1 ", 9) ||
	    memchr(data, '\n', size) == NULL)
		return;
	size_t eol = (size_t)((const uint8_t *)memchr(data, '\n', size) - data);
	bool refuse = eol >= 6 && !memcmp(data + eol - 6, " enc=1", 6);

	/* a header that already holds " mac=" or ends in " enc=1", or a datagram that would
	 * grow past NETOOPS_MAX_DATAGRAM, is refused, nothing else */
	for (size_t i = 0; i + 5 <= eol; i++)
		refuse |= !memcmp(data + i, " mac=", 5);
	refuse |= size + nx_auth_overhead(encrypt) > NETOOPS_MAX_DATAGRAM;
	n = nx_auth_seal(key, encrypt, data, size, out, sizeof(out));
	if ((n < 0) != refuse)
		__builtin_trap();
	if (refuse)
		return;
	if (nx_auth_view(out, (size_t)n, &v) != 0 || !v.mac_at || v.encrypted != encrypt ||
	    nx_auth_open(key, out, (size_t)n, &v, plain) != NX_AUTH_OK)
		__builtin_trap();
	if (memcmp((encrypt ? plain : out) + v.eol + 1, data + eol + 1, size - eol - 1))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_received(data, size);
	round_trip(data, size, false);
	round_trip(data, size, true);
	return 0;
}

/* Datagram decoding: which format a datagram is in, tried in a fixed order. */
#include "core/decode/packet.h"

#include <string.h>

const char *nx_format_name(enum nx_format f)
{
	switch (f) {
	case NX_FMT_NETOOPS:
		return "netoops";
	case NX_FMT_LEGACY_V3:
		return "legacy-v3";
	case NX_FMT_NC_EXTENDED:
		return "netconsole-extended";
	case NX_FMT_NC_BASIC:
		return "netconsole";
	case NX_FORMAT_COUNT:
		break;
	}
	return "unknown";
}

/*
 * Our protocol and legacy v3 are recognised by their first bytes; whatever
 * neither claims is netconsole, which accepts any non-empty text.
 */
int nx_decode(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why)
{
	const char *reason = NULL;
	int rc;

	if (!why)
		why = &reason;
	*why = NULL;
	if (len > NX_DATAGRAM_MAX) {
		*why = "datagram longer than 64 KiB";
		return -1;
	}
	rc = nx_decode_netoops(buf, len, out, why);
	if (rc == 1)
		rc = nx_decode_legacy_v3(buf, len, out, why);
	if (rc == 1)
		rc = nx_decode_netconsole(buf, len, out, why);
	if (rc == 1) {
		*why = "unrecognised datagram";
		rc = -1;
	}
	return rc;
}

/* Decoder for the original netoops patch's "version 3" datagrams (RHEL 6): fixed binary layout. */
#include "core/decode/packet.h"

#include <stdio.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The header sizes the patch had over its life; the length must match one. */
static bool data_offset_ok(uint16_t off)
{
	return off == NETOOPS_V3_HDR_X86_64 || off == NETOOPS_V3_HDR_I386 || off == 84 ||
	       off == 88 || off == 256;
}

/* NUL-padded, not always terminated; anything unprintable becomes '_'. */
static void release(char *dst, const uint8_t *src, size_t room)
{
	size_t i = 0;

	for (; i < room && src[i]; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? (char)src[i] : '_';
	dst[i] = '\0';
}

#define BAD(msg) do { *why = "legacy v3: " msg; return -1; } while (0)

int nx_decode_legacy_v3(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why)
{
	/* No magic: a version-3 little-endian u16 that no text datagram starts with. */
	if (len < 2 || get16(buf + NETOOPS_V3_OFF_VERSION) != NETOOPS_V3_VERSION)
		return 1;
	memset(out, 0, sizeof(*out));
	out->format = NX_FMT_LEGACY_V3;
	if (len < NETOOPS_V3_OFF_BOOT_ID + 4)
		BAD("truncated header");

	uint16_t doff = get16(buf + NETOOPS_V3_OFF_DATA_OFFSET);
	uint32_t count = get32(buf + NETOOPS_V3_OFF_PACKET_COUNT);
	uint32_t no = get32(buf + NETOOPS_V3_OFF_PACKET_NO);

	if (!data_offset_ok(doff))
		BAD("unknown data_offset");
	if (len != (size_t)doff + NETOOPS_V3_DATA_LEN)
		BAD("length does not match data_offset");
	if (count == 0 || count > NX_LEGACY_MAX_PACKETS)
		BAD("bad packet_count");
	if (no >= count)
		BAD("packet_no not below packet_count");

	size_t rel_room = doff - NETOOPS_V3_OFF_RELEASE;

	if (rel_room > NETOOPS_V3_RELEASE_LEN)
		rel_room = NETOOPS_V3_RELEASE_LEN;
	release(out->release, buf + NETOOPS_V3_OFF_RELEASE, rel_room);
	snprintf(out->boot, sizeof(out->boot), "%u", get32(buf + NETOOPS_V3_OFF_BOOT_ID));
	out->dump = get16(buf + NETOOPS_V3_OFF_DUMP_ID);
	out->legacy_type = get16(buf + NETOOPS_V3_OFF_TYPE);
	strcpy(out->reason, "unknown");
	out->part = no;
	out->parts = count;
	out->total = count * NETOOPS_V3_DATA_LEN;
	/* packet_no 0 is the newest chunk: it sits at the end of the text */
	out->offset = (count - 1 - no) * NETOOPS_V3_DATA_LEN;

	const uint8_t *data = buf + doff;
	size_t n = NETOOPS_V3_DATA_LEN;

	while (n > 0 && data[n - 1] == '\0')
		n--;
	out->text = data;
	out->text_len = n;
	return 0;
}

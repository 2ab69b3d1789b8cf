/* One decoded datagram, whatever its format: the decoders' common output. */
#ifndef NX_PACKET_H
#define NX_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netoops/wire.h>

#define NX_SOURCE_MAX	64
#define NX_HOST_MAX	NETOOPS_MAX_HOST
#define NX_BOOT_MAX	NETOOPS_BOOT_ID_HEX
#define NX_RELEASE_MAX	NETOOPS_MAX_RELEASE
#define NX_REASON_MAX	15

enum nx_format {
	NX_FMT_NETOOPS,		/* this project's protocol, docs/protocol.md */
	NX_FMT_LEGACY_V3,	/* the RHEL 6 netoops patch */
	NX_FMT_NC_EXTENDED,	/* netconsole, extended (incl. ncfrag) */
	NX_FMT_NC_BASIC,	/* netconsole, plain text */
	NX_FORMAT_COUNT
};

const char *nx_format_name(enum nx_format f);

/* Datagram kinds of NX_FMT_NETOOPS (the letter after "NETOOPS"). */
enum nx_kind {
	NX_KIND_TEXT,		/* NETOOPS1: the dump's text */
	NX_KIND_PARITY,		/* NETOOPSP: a parity shard (docs/protocol.md, "Parity") */
};

/*
 * Decoded fields. Text pointers point into the caller's datagram buffer:
 * valid only as long as it is. Fields a format lacks are zero / empty.
 */
struct nx_packet {
	enum nx_format format;
	char host[NX_HOST_MAX + 1];
	char boot[NX_BOOT_MAX + 1];
	uint32_t dump;
	char reason[NX_REASON_MAX + 1];
	char release[NX_RELEASE_MAX + 1];
	uint64_t time_usec;
	uint32_t part, parts;
	uint32_t offset, total;
	uint32_t copy, copies;
	/* netconsole extended */
	uint64_t nc_seq, nc_usec;
	int nc_level;
	bool nc_cont;			/* flags 'c': a fragment of a line */
	bool nc_frag;			/* ncfrag present */
	uint32_t nc_frag_off, nc_frag_total;
	char nc_flag;			/* '-', 'c' or '+' (old kernels: continues the previous) */
	uint16_t legacy_type;		/* legacy v3: NETOOPS_V3_TYPE_DUMP or _SOFT */
	/* netoops parity (kind NX_KIND_PARITY): parts and total are set, copies is 0 */
	enum nx_kind kind;
	uint32_t fec_block, fec_blocks;	/* block < blocks */
	uint32_t fec_row, fec_m;	/* row < m; the block's k + m <= 256 */
	uint32_t fec_bcrc, fec_dcrc;	/* CRC-32 of the block's data shards, of the dump's text */
	/*
	 * netoops: the dump's text at [offset, offset + text_len). legacy v3: the
	 * data area, trailing NULs stripped. netconsole extended: the raw
	 * (still \xNN-escaped) payload after ';' -- the record's text up to the
	 * first '\n', then dictionary lines; a fragment when nc_frag.
	 * netconsole basic: the whole datagram. netoops parity: the shard.
	 */
	const uint8_t *text;
	size_t text_len;
};

/*
 * Decode a datagram, trying netoops v1, legacy v3, netconsole extended, then
 * basic. Returns 0, or -1 with *why set to a static reason (malformed).
 */
int nx_decode(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why);

/* The individual decoders; each returns 0, 1 (not this format) or -1 (malformed). */
int nx_decode_netoops(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why);
int nx_decode_legacy_v3(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why);
int nx_decode_netconsole(const uint8_t *buf, size_t len, struct nx_packet *out, const char **why);

/* Datagrams longer than this are malformed whatever their format. */
#define NX_DATAGRAM_MAX		65536
/* Largest packet_count a legacy v3 dump may claim (32 MiB of 1 KiB chunks). */
#define NX_LEGACY_MAX_PACKETS	(NETOOPS_MAX_DUMP / NETOOPS_V3_DATA_LEN)
/* Largest ncfrag total accepted (a record plus its dictionary/userdata). */
#define NX_NC_RECORD_MAX	65536

/*
 * Undo /dev/kmsg escaping: "\xNN" -> the byte. OUT must hold LEN bytes;
 * returns the unescaped length. Malformed escapes are copied as they are.
 */
size_t nx_nc_unescape(const uint8_t *in, size_t len, char *out);

#endif

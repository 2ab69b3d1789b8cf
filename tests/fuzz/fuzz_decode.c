/* libFuzzer target: every decoder on arbitrary bytes; decoded fields must stay inside the input and their bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode/packet.h"

#include <netoops/wire_fec.h>

static void check(const struct nx_packet *p, const uint8_t *buf, size_t len)
{
	if (p->text_len > len || (p->text_len && (p->text < buf || p->text + p->text_len > buf + len)))
		__builtin_trap();
	if (p->format == NX_FMT_NETOOPS && p->kind == NX_KIND_TEXT &&
	    (p->part >= p->parts || p->offset + p->text_len > p->total ||
	     p->total > NETOOPS_MAX_DUMP || p->copy < 1 || p->copy > p->copies))
		__builtin_trap();
	if (p->format == NX_FMT_NETOOPS && p->kind == NX_KIND_PARITY &&
	    (p->parts < 1 || p->total > NETOOPS_MAX_DUMP || p->fec_block >= p->fec_blocks ||
	     p->fec_blocks > p->parts || p->fec_row >= p->fec_m ||
	     netoops_fec_k(p->parts, p->fec_blocks, 0) > NETOOPS_FEC_MAX_K ||
	     netoops_fec_k(p->parts, p->fec_blocks, p->fec_block) + p->fec_m > NETOOPS_FEC_MAX_ROWS ||
	     p->text_len <= NETOOPS_FEC_PREFIX))
		__builtin_trap();
	if (p->format == NX_FMT_LEGACY_V3 && (p->part >= p->parts || p->text_len > 1024))
		__builtin_trap();
	if (p->nc_frag && (p->nc_frag_off >= p->nc_frag_total ||
			   p->nc_frag_off + p->text_len > p->nc_frag_total))
		__builtin_trap();
	if (strlen(p->host) > NX_HOST_MAX || strlen(p->release) > NX_RELEASE_MAX ||
	    strlen(p->boot) > NX_BOOT_MAX)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nx_packet p;
	const char *why;

	if (nx_decode(data, size, &p, &why) == 0) {
		check(&p, data, size);
		if (p.format == NX_FMT_NC_EXTENDED) {
			char *out = malloc(p.text_len + 1);

			if (nx_nc_unescape(p.text, p.text_len, out) > p.text_len)
				__builtin_trap();
			free(out);
		}
	} else if (!why) {
		__builtin_trap();	/* every refusal says why */
	}
	if (nx_decode_netoops(data, size, &p, &why) == 0)
		check(&p, data, size);
	if (nx_decode_legacy_v3(data, size, &p, &why) == 0)
		check(&p, data, size);
	if (nx_decode_netconsole(data, size, &p, &why) == 0)
		check(&p, data, size);
	return 0;
}

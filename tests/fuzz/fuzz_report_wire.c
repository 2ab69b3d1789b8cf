/* libFuzzer target: the report set decoder on hostile bytes never crashes, leaks or accepts what
 * it cannot encode back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/report_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nx_report_set *set;
	uint8_t *again;
	size_t text_len, len;
	char err[128];

	/* The first 2 bytes choose the analysed text's length, the rest is the reply. */
	if (size < 2)
		return 0;
	text_len = (size_t)data[0] << 8 | data[1];
	set = nx_report_wire_decode(data + 2, size - 2, text_len, err, sizeof(err));
	if (!set)
		return 0;
	again = nx_report_wire_encode(set, &len);
	if (!again || len != size - 2 || memcmp(again, data + 2, len) != 0)
		abort();
	free(again);
	nx_report_set_free(set);
	return 0;
}

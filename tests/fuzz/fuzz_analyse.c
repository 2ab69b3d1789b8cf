/* libFuzzer target: nx_analyse() on arbitrary bytes must not crash, leak or break invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse.h"

static void check(const struct nx_report_set *set, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct nx_report *r = &set->reports[i];

		if (!r->title || !r->type || !r->class || !r->signature || r->end > len ||
		    r->start >= r->end || r->primary != (i == 0))
			abort();
		for (size_t k = 0; k < r->n_frames; k++)
			if (!r->frames[k].func || !r->frames[k].func[0])
				abort();
		for (size_t k = 0; k < r->n_modules; k++)
			if (!r->modules[k].name || !r->modules[k].taints)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nx_report_set *set = nx_analyse((const char *)data, size);

	if (set) {
		check(set, size);
		nx_report_set_free(set);
	}
	return 0;
}

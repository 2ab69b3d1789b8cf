/* libFuzzer target: nx_analyse() on arbitrary bytes must not crash, leak or break invariants
 * (reports inside the text, every field within its documented cap, the item budget kept). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse.h"


static void field(const char *s, size_t max)
{
	if (s && strlen(s) > max)
		abort();
}

static void check_report(const struct nx_report *r, size_t i, size_t len)
{
	if (!r->title || !r->type || !r->class || !r->signature || r->end > len ||
	    r->start >= r->end || r->primary != (i == 0))
		abort();
	field(r->title, NX_TITLE_MAX);
	field(r->alt_title, NX_TITLE_MAX);
	field(r->comm, NX_FIELD_MAX);
	field(r->kernel, NX_FIELD_MAX);
	field(r->taint, NX_FIELD_MAX);
	field(r->hardware, NX_FIELD_MAX);
	field(r->panic_msg, NX_FIELD_MAX);
	field(r->rip_func, NX_FIELD_MAX);
	for (size_t k = 0; k < r->n_frames; k++) {
		if (!r->frames[k].func || !r->frames[k].func[0])
			abort();
		field(r->frames[k].func, NX_FIELD_MAX);
		field(r->frames[k].module, NX_FIELD_MAX);
	}
	for (size_t k = 0; k < r->n_modules; k++) {
		if (!r->modules[k].name || !r->modules[k].taints)
			abort();
		field(r->modules[k].name, NX_FIELD_MAX);
	}
}

static void check(const struct nx_report_set *set, size_t len)
{
	size_t items = 0;

	for (size_t i = 0; i < set->n; i++) {
		check_report(&set->reports[i], i, len);
		items += 8 + set->reports[i].n_frames + set->reports[i].n_modules;
	}
	if (items > NX_ITEMS_MAX(len))
		abort();
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

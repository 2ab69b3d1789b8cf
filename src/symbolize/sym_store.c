/* Symbolizing a stored report: its frames, its faulting frame and its boot's build IDs. */
#include "store/store.h"
#include "symbolize/sym.h"

static const char *inventory_id(void *ctx, const char *name)
{
	return json_string_value(json_object_get(ctx, name));
}

json_t *nx_sym_stored(struct nx_sym *sym, struct nx_store *store, const struct nx_store_sym_job *j)
{
	json_t *inv = nx_store_inventory(store, j->host, j->boot), *out;
	struct nx_frame *frames = NULL, rip;
	size_t n = 0;
	bool have_rip = nx_sym_find_rip(j->text, j->len, &rip);

	if (nx_sym_frames_from_json(j->frames, &frames, &n) < 0) {
		json_decref(inv);
		if (have_rip)
			nx_sym_frame_clear(&rip);
		return NULL;
	}
	out = nx_sym_report(sym, &(struct nx_sym_input){
		.release = j->release[0] ? j->release : NULL, .rip = have_rip ? &rip : NULL,
		.frames = frames, .n_frames = n,
		.ids = { .kernel = inventory_id(inv, "vmlinux"), .module = inventory_id,
			 .ctx = inv } });
	nx_sym_frames_free(frames, n);
	if (have_rip)
		nx_sym_frame_clear(&rip);
	json_decref(inv);
	return out;
}

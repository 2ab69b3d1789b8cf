/* Resolving a report's frames: symbol + offset -> address -> file:line and the inlined calls. */
#include <dwarf.h>
#include <elfutils/debuginfod.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize/sym_int.h"

#define NX_SYM_INLINE_MAX 16	/* inlined calls listed per frame */

struct nx_sym *nx_sym_new(const struct nx_sym_conf *c, char *err, size_t errlen)
{
	struct nx_sym *s;

	if (c->n_dirs > NX_SYM_DIRS_MAX) {
		snprintf(err, errlen, "at most %d debug-info folders", NX_SYM_DIRS_MAX);
		return NULL;
	}
	if (c->cache_files < 1 || c->cache_files > 4096) {
		snprintf(err, errlen, "the debug file cache holds 1 to 4096 files, not %zu",
			 c->cache_files);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->files = calloc(c->cache_files, sizeof(*s->files))) ||
	    !(s->memo = calloc(NX_SYM_MEMO, sizeof(*s->memo)))) {
		if (s)
			free(s->files);
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->conf = *c;
	for (size_t i = 0; i < c->n_dirs; i++) {
		size_t n = strlen(c->dirs[i]);

		while (n > 1 && c->dirs[i][n - 1] == '/')
			n--;	/* "DIR/" and "DIR" are one tree */
		if (!(s->dirs[i] = strndup(c->dirs[i], n))) {
			nx_sym_free(s);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	}
	return s;
}

void nx_sym_free(struct nx_sym *s)
{
	if (!s)
		return;
	sym_cache_free(s);
	for (size_t i = 0; i < NX_SYM_DIRS_MAX; i++)
		free(s->dirs[i]);
	if (s->dclient)
		debuginfod_end(s->dclient);
	free(s);
}

const struct nx_sym_stats *nx_sym_stats(const struct nx_sym *s)
{
	return &s->stats;
}

bool sym_late(const struct nx_sym *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->deadline.tv_sec ||
	       (now.tv_sec == s->deadline.tv_sec && now.tv_nsec >= s->deadline.tv_nsec);
}

static void set_deadline(struct nx_sym *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += s->conf.timeout_ms / 1000;
	s->deadline.tv_nsec += (long)(s->conf.timeout_ms % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
}

/* A source path as people read it: the build folder's prefix dropped where known. */
static json_t *path_json(const char *file, const char *comp_dir)
{
	size_t n;

	if (!file)
		return json_null();
	if (comp_dir && (n = strlen(comp_dir)) && strncmp(file, comp_dir, n) == 0 &&
	    file[n] == '/')
		file += n + 1;
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	return sym_text(file);
}

/* The name of an inlined subroutine: its abstract origin's. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = NULL;

	if (dwarf_attr_integrate(die, DW_AT_name, &a))
		n = dwarf_formstring(&a);
	return n ? n : "??";
}

/* The source file number IDX of the compilation unit CU. */
static const char *cu_file(Dwarf_Die *cu, Dwarf_Word idx)
{
	Dwarf_Files *files;
	size_t n;

	if (dwarf_getsrcfiles(cu, &files, &n) != 0 || idx >= n)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/* ADDR in F: the frame's file:line and, innermost first, the inlined calls into OUT. */
static bool locate(const struct nx_sym_file *f, uint64_t addr, json_t *out)
{
	Dwfl_Line *line = dwfl_module_getsrc(f->mod, addr);
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(f->mod, addr, &bias), *scopes = NULL;
	const char *file, *comp_dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir,
					&(Dwarf_Attribute){ 0 })) : NULL;
	int lineno = 0, n;
	json_t *inl = json_array();

	if (!line || !(file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL))) {
		json_decref(inl);
		return false;
	}
	n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	if (n > 0) {
		/*
		 * By address, the scopes past an inlined instance are its abstract origin's;
		 * the chain of inlined calls is the innermost DIE's physical parents (as
		 * eu-addr2line -i walks them).
		 */
		Dwarf_Die inner;
		Dwarf_Addr b;
		Dwarf *dw = dwfl_module_getdwarf(f->mod, &b);
		bool ok = dw && dwarf_offdie(dw, dwarf_dieoffset(&scopes[0]), &inner);

		free(scopes);
		scopes = NULL;
		n = ok ? dwarf_getscopes_die(&inner, &scopes) : 0;
	}
	for (int i = 0; i < n; i++) {
		Dwarf_Attribute a;
		Dwarf_Word cf = 0, cl = 0;
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		if (json_array_size(inl) < NX_SYM_INLINE_MAX)
			json_array_append_new(inl, json_pack("{s:o, s:o, s:i}", "func",
				sym_text(die_name(&scopes[i])), "file", path_json(file, comp_dir),
				"line", lineno));
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &cf) != 0 ||
		    dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &cl) != 0 ||
		    !(file = cu_file(cu, cf)))
			break;
		lineno = (int)cl;
	}
	free(scopes);
	json_object_set_new(out, "file", path_json(file, comp_dir));
	json_object_set_new(out, "line", json_integer(lineno));
	json_object_set_new(out, "inlined", inl);
	return true;
}

/* locate() through the memo: a location resolved before is copied. */
static bool locate_memo(struct nx_sym *s, const struct nx_sym_file *f, uint64_t addr, json_t *out)
{
	uint64_t h = (f->serial * 0x9e3779b97f4a7c15ull) ^ (addr * 0xff51afd7ed558ccdull);
	struct nx_sym_memo *m = &s->memo[(h >> 20) % NX_SYM_MEMO];

	if (m->loc && m->serial == f->serial && m->addr == addr) {
		json_t *loc = json_deep_copy(m->loc);
		int rc = loc ? json_object_update(out, loc) : -1;

		json_decref(loc);
		s->stats.memo_hits++;
		return rc == 0;
	}
	if (!locate(f, addr, out))
		return false;
	json_decref(m->loc);
	m->loc = json_pack("{s:O, s:O, s:O}", "file", json_object_get(out, "file"),
			   "line", json_object_get(out, "line"), "inlined",
			   json_object_get(out, "inlined"));
	m->serial = f->serial;
	m->addr = addr;
	return true;
}

/* Resolve frame FR (a return address unless RIP) into OUT; false with WHY. */
static enum nx_sym_found resolve(struct nx_sym *s, const struct nx_sym_input *in,
				 const struct nx_frame *fr, bool rip, json_t *out,
				 char *why, size_t len)
{
	const char *id = fr->module ? (in->ids.module ? in->ids.module(in->ids.ctx, fr->module)
						      : NULL) : in->ids.kernel;
	struct nx_sym_file *f;
	const struct nx_sym_fn *fn;
	enum nx_sym_found found;

	if (fr->size && fr->offset >= fr->size) {
		snprintf(why, len, "offset 0x%llx is beyond the size 0x%llx of %s",
			 (unsigned long long)fr->offset, (unsigned long long)fr->size, fr->func);
		return NX_SYM_MISSING;
	}
	found = sym_find(s, in->release, fr->module, id, &f, why, len);
	if (found != NX_SYM_FOUND)
		return found;
	fn = sym_lookup(f, fr->func, fr->size, fr->offset);
	if (!fn) {
		snprintf(why, len, "no function %s in %s", fr->func, f->path);
		return NX_SYM_MISSING;
	}
	/* the trace's size runs to the next symbol: only an offset past the function's end
	 * in this file proves it is another build */
	if (fn->size && fr->offset >= fn->size) {
		snprintf(why, len, "%s+0x%llx is past its end (0x%llx bytes) in %s: another build",
			 fr->func, (unsigned long long)fr->offset, (unsigned long long)fn->size,
			 f->path);
		return NX_SYM_MISSING;
	}
	/* a return address points after its call: one byte back is the call's line */
	if (!locate_memo(s, f, fn->addr + fr->offset - (!rip && fr->offset ? 1 : 0), out)) {
		snprintf(why, len, "no line information for %s+0x%llx in %s", fr->func,
			 (unsigned long long)fr->offset, f->path);
		return NX_SYM_MISSING;
	}
	return NX_SYM_FOUND;
}

static json_t *frame_json(const struct nx_frame *fr, bool rip)
{
	return json_pack("{s:o, s:I, s:I, s:o, s:b, s:b, s:n, s:n, s:[], s:n}",
			 "func", sym_text(fr->func), "offset", (json_int_t)fr->offset,
			 "size", (json_int_t)fr->size, "module", sym_text(fr->module),
			 "rip", rip, "reliable", fr->reliable, "file", "line", "inlined", "error");
}

struct tally {
	size_t ok, missing, retry;
	char reason[NX_SYM_ERR_MAX];
};

static void one_frame(struct nx_sym *s, const struct nx_sym_input *in, const struct nx_frame *fr,
		      bool rip, json_t *frames, struct tally *t)
{
	char why[NX_SYM_ERR_MAX] = "";
	json_t *o = frame_json(fr, rip);
	enum nx_sym_found r;

	if (!o)
		return;
	if (sym_late(s)) {
		snprintf(why, sizeof(why), "out of time (%u ms per report)", s->conf.timeout_ms);
		r = NX_SYM_RETRY;
	} else {
		r = resolve(s, in, fr, rip, o, why, sizeof(why));
	}
	if (r == NX_SYM_FOUND) {
		t->ok++;
	} else {
		json_object_set_new(o, "error", sym_text(why));	/* names from the network */
		if (r == NX_SYM_RETRY)
			t->retry++;
		else
			t->missing++;
		if (!t->reason[0] || (r == NX_SYM_RETRY && t->retry == 1))
			snprintf(t->reason, sizeof(t->reason), "%s", why);
	}
	json_array_append_new(frames, o);
}

static const char *state_of(const struct tally *t)
{
	if (t->retry)
		return "retry";
	if (!t->missing)
		return "ok";
	return t->ok ? "partial" : "none";
}

json_t *nx_sym_report(struct nx_sym *s, const struct nx_sym_input *in)
{
	json_t *frames = json_array(), *out;
	struct tally t = { 0 };

	if (!frames)
		return NULL;
	set_deadline(s);
	if (in->rip)
		one_frame(s, in, in->rip, true, frames, &t);
	for (size_t i = 0; i < in->n_frames; i++)
		one_frame(s, in, &in->frames[i], false, frames, &t);
	if (!in->rip && !in->n_frames) {
		t.missing = 1;
		snprintf(t.reason, sizeof(t.reason), "no call trace");
	}
	out = json_pack("{s:s, s:o, s:o, s:o}", "state", state_of(&t),
			"reason", t.reason[0] ? sym_text(t.reason) : json_null(),
			"guilty_file", json_null(), "frames", frames);
	if (out) {
		const char *g = nx_sym_guilty_file(frames);

		if (g)
			json_object_set_new(out, "guilty_file", json_string(g));
	}
	return out;
}

/* "Modules linked in:" lists with per-module taint letters, wrapped across lines. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

#define MAX_MODULES 1024
#define MAX_CONTINUATIONS 8
#define WRAP_MIN_LEN 60		/* a line shorter than this was not wrapped */

static bool mod_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Length of one "name(OE)(+)" token at P, 0 when P is not one. */
static size_t module_token(const char *p)
{
	size_t n = 0;

	while (mod_char((unsigned char)p[n]))
		n++;
	if (n == 0)
		return 0;
	while (p[n] == '(') {
		size_t k = n + 1;

		while (isupper((unsigned char)p[k]) || p[k] == '+' || p[k] == '-')
			k++;
		if (p[k] != ')')
			return 0;
		n = k + 1;
	}
	return (p[n] == ' ' || p[n] == '\0') ? n : 0;
}

/* True when LINE (up to "[last unloaded") holds nothing but module tokens. */
static bool only_modules(const char *line)
{
	const char *p = line;

	while (*p) {
		size_t n;

		while (*p == ' ')
			p++;
		if (!*p || nx_starts(p, "[last unloaded: "))
			return true;
		if (!(n = module_token(p)))
			return false;
		p += n;
	}
	return true;
}

static bool add_module(struct nx_report *r, const char *tok, size_t n, bool join, bool *oom)
{
	size_t name_len = 0, k = 0;
	char taints[32];
	struct nx_module *m;

	while (name_len < n && tok[name_len] != '(')
		name_len++;
	for (size_t i = name_len; i < n && k < sizeof(taints) - 1; i++)
		if (isupper((unsigned char)tok[i]))
			taints[k++] = tok[i];
	taints[k] = '\0';
	if (join && r->n_modules) {	/* "i2" + "c_core": a line wrapped mid-name */
		m = &r->modules[r->n_modules - 1];
		size_t old = m->name ? strlen(m->name) : 0;

		if (old + name_len > NX_FIELD_MAX)	/* the field cap holds for joined names too */
			name_len = old < NX_FIELD_MAX ? NX_FIELD_MAX - old : 0;
		char *name = realloc(m->name, old + name_len + 1);

		if (!name)
			return !(*oom = true);
		memcpy(name + old, tok, name_len);
		name[old + name_len] = '\0';
		m->name = name;
		free(m->taints);
		m->taints = nx_strndup(taints, k, oom);
		return true;
	}
	if (r->n_modules >= MAX_MODULES)
		return true;
	m = realloc(r->modules, (r->n_modules + 1) * sizeof(*m));
	if (!m)
		return !(*oom = true);
	r->modules = m;
	m = &r->modules[r->n_modules++];
	m->name = nx_strndup(tok, name_len, oom);
	m->taints = nx_strndup(taints, k, oom);
	return true;
}

/* Adds the modules of one line; false when the list ended on it ("[last unloaded"). */
static bool module_line(struct nx_report *r, const char *p, bool join, bool *oom)
{
	while (*p) {
		size_t n;

		if (*p == ' ') {
			join = false;
			p++;
			continue;
		}
		if (*p == '[')
			return false;
		if (!(n = module_token(p)))
			return true;
		if (!add_module(r, p, n, join, oom))
			return false;
		join = false;
		p += n;
	}
	return true;
}

size_t nx_modules_parse(struct nx_report *r, const struct nx_line *lines, size_t n, bool *oom)
{
	const char *p = strstr(lines[0].s, "Modules linked in:");
	size_t used = 1;

	if (!p)
		return 1;
	if (!module_line(r, p + 18, false, oom))
		return 1;
	bool empty = *nx_skip_spaces(p + 18) == '\0';	/* list printed on the next line */

	while (used < n && used <= MAX_CONTINUATIONS &&
	       (lines[used - 1].len >= WRAP_MIN_LEN || (used == 1 && empty))) {
		const struct nx_line *l = &lines[used];
		const char *prev_end = lines[used - 1].s + lines[used - 1].len;
		bool join = l->len && l->s[0] != ' ' && prev_end[-1] != ')' && prev_end[-1] != ' ';

		if (!l->len || !only_modules(l->s) || nx_is_trace_header(l->s))
			break;
		used++;
		if (!module_line(r, l->s, join, oom))
			break;
	}
	return used;
}

/* Small string helpers shared by the analyser's files. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

/*
 * Copy of the first N bytes at S, NUL-terminated, cut to NX_FIELD_MAX bytes. A length that
 * cannot be (S holds a NUL within its first N bytes: a pointer difference that went negative
 * or ran past the line) is refused: NULL, and *OOM is left alone, so the field stays unset.
 */
char *nx_strndup(const char *s, size_t n, bool *oom)
{
	if (strnlen(s, n) < n)
		return NULL;
	if (n > NX_FIELD_MAX)
		n = NX_FIELD_MAX;

	char *p = malloc(n + 1);

	if (!p) {
		*oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Copy of [FROM, TO); NULL (the field stays unset) when TO is before FROM. */
char *nx_strdup_range(const char *from, const char *to, bool *oom)
{
	return to >= from ? nx_strndup(from, (size_t)(to - from), oom) : NULL;
}

bool nx_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *nx_skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool nx_ishex(int c)
{
	return isxdigit(c) != 0;
}


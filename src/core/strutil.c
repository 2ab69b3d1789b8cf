/* Small string helpers shared by the analyser's files. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyse_int.h"

char *nx_strndup(const char *s, size_t n, bool *oom)
{
	char *p = malloc(n + 1);

	if (!p) {
		*oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
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


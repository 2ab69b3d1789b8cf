/* Taint flags: the letters printed after "Tainted: " and their bit mask (P=0 ... J=19). */
#include <stdlib.h>
#include <string.h>

#include "core/analyse/analyse_int.h"

/* kernel/panic.c taint_flags[]: index = bit number */
static const char taint_chars[] = "PFSRMBUDAWCIOELKXTNJ";

uint32_t nx_taint_mask(const char *letters, size_t len)
{
	uint32_t mask = 0;

	for (size_t i = 0; i < len; i++) {
		const char *c = letters[i] ? strchr(taint_chars, letters[i]) : NULL;

		if (c)
			mask |= 1u << (c - taint_chars);
	}
	return mask;
}

/* Copy with runs of spaces collapsed: "G      D    " -> "G D". */
char *nx_taint_letters(const char *letters, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (letters[i] == '-' || (letters[i] == ' ' && (o == out || o[-1] == ' ')))
			continue;	/* RHEL pads the field with dashes */
		*o++ = letters[i];
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}

/* Encoding and decoding the inventory datagram NETOOPSI (a boot's build IDs); pure code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize/inventory.h"

bool nx_inv_is(const char *buf, size_t len)
{
	return len >= 9 && memcmp(buf, NX_INV_MAGIC, 9) == 0;
}

static bool in_set(const char *s, size_t n, const char *extra, bool hex)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (hex ? !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) :
			  !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || (c && strchr(extra, c))))
			return false;
	}
	return n > 0;
}

/* The next space- or newline-ended token of [*P, END) into OUT (CAP); false if empty/long. */
static bool token(const char **p, const char *end, char stop, char *out, size_t cap)
{
	const char *s = *p, *e = memchr(s, stop, (size_t)(end - s));

	if (!e || e == s || (size_t)(e - s) >= cap)
		return false;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e + 1;
	return true;
}

static bool number(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!in_set(s, strlen(s), "", false) || (s[0] == '0' && s[1]) || s[0] < '0' || s[0] > '9')
		return false;
	x = strtoul(s, &end, 10);
	if (*end || x > 100000)
		return false;
	*v = (unsigned)x;
	return true;
}

/* "NETOOPSI host boot 0 inventory release time P/N\n" */
static bool header(const char **p, const char *end, struct nx_inventory *inv)
{
	char f[6][72], pn[1400], *slash;

	*p += 9;
	for (int i = 0; i < 6; i++)
		if (!token(p, end, ' ', f[i], sizeof(f[i])))
			return false;
	if (!token(p, end, '\n', pn, sizeof(pn)))
		return false;
	pn[strcspn(pn, " ")] = '\0';	/* extensions follow: none known here */
	if (!(slash = strchr(pn, '/')))
		return false;
	*slash = '\0';
	if (strlen(f[0]) >= sizeof(inv->host) || !in_set(f[0], strlen(f[0]), "._-", false) ||
	    strlen(f[1]) != 32 || !in_set(f[1], 32, "", true) || strcmp(f[2], "0") != 0 ||
	    strcmp(f[3], "inventory") != 0 || strlen(f[4]) >= sizeof(inv->release) ||
	    !in_set(f[4], strlen(f[4]), "._+~-", false) || !in_set(f[5], strlen(f[5]), ".", false) ||
	    !number(pn, &inv->part) || !number(slash + 1, &inv->parts) || inv->part >= inv->parts)
		return false;
	memcpy(inv->host, f[0], strlen(f[0]) + 1);
	memcpy(inv->boot, f[1], 33);
	memcpy(inv->release, f[4], strlen(f[4]) + 1);
	return true;
}

bool nx_inv_decode(const char *buf, size_t len, struct nx_inventory *inv, const char **why)
{
	const char *p = buf, *end = buf + len;

	memset(inv, 0, sizeof(*inv));
	if (len > NX_INV_DGRAM_MAX || !nx_inv_is(buf, len) || memchr(buf, '\0', len)) {
		*why = "not an inventory datagram (magic, length or a NUL byte)";
		return false;
	}
	if (!header(&p, end, inv)) {
		*why = "bad inventory header";
		return false;
	}
	while (p < end) {
		struct nx_inv_entry *e = &inv->e[inv->n];

		if (inv->n == NX_INV_LINES_MAX) {
			*why = "too many inventory entries";
			return false;
		}
		if (!token(&p, end, ' ', e->name, sizeof(e->name)) ||
		    !token(&p, end, '\n', e->id, sizeof(e->id)) ||
		    !in_set(e->name, strlen(e->name), "_-", false) ||
		    strlen(e->id) < 32 || strlen(e->id) % 2 || !in_set(e->id, strlen(e->id), "", true)) {
			*why = "bad inventory entry (want 'NAME HEX' lines, 32 to 64 hex digits)";
			return false;
		}
		inv->n++;
	}
	return true;
}

size_t nx_inv_encode(const char *host, const char *boot, const char *release, unsigned part,
		     unsigned parts, const struct nx_inv_entry *e, size_t n, size_t *from,
		     char *out)
{
	int len = snprintf(out, NX_INV_DGRAM_MAX, NX_INV_MAGIC "%s %s 0 inventory %s 0.000000 %u/%u\n",
			   host, boot, release, part, parts);
	size_t k = 0;

	if (len < 0 || len >= NX_INV_DGRAM_MAX)
		return 0;
	while (*from < n && k < NX_INV_LINES_MAX) {
		size_t need = strlen(e[*from].name) + strlen(e[*from].id) + 2;

		if ((size_t)len + need > NX_INV_DGRAM_MAX)
			break;
		len += snprintf(out + len, NX_INV_DGRAM_MAX - (size_t)len, "%s %s\n",
				e[*from].name, e[*from].id);
		(*from)++;
		k++;
	}
	return (size_t)len;
}

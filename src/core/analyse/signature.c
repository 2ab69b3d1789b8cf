/* Grouping signature: a versioned digest free of offsets, addresses, PIDs, CPUs and versions. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/analyse/analyse_int.h"

#define SIG_FRAMES 3		/* frames that stand in for a missing guilty function */
#define SIG_DIGEST_BYTES 20	/* 160 bits of SHA-256, printed as 40 hex digits */

struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->cap + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* Numbers become NUM and long hex ADDR, unless part of an identifier ("i2c_xfer"). */
static void put_normalised(struct sbuf *b, const char *s)
{
	for (size_t i = 0; s[i];) {
		bool word_start = i == 0 || !ident_char((unsigned char)s[i - 1]);
		size_t j = i;

		if (word_start && s[i] == '0' && s[i + 1] == 'x') {
			j = i + 2;
			while (isxdigit((unsigned char)s[j]))
				j++;
			put(b, "ADDR", 4);
		} else if (word_start && isxdigit((unsigned char)s[i])) {
			bool digit = false;

			while (isxdigit((unsigned char)s[j]))
				digit |= isdigit((unsigned char)s[j++]) != 0;
			if (!digit || ident_char((unsigned char)s[j])) {
				put(b, s + i, 1);
				i++;
				continue;
			}
			if (j - i >= 6)
				put(b, "ADDR", 4);
			else if (strspn(s + i, "0123456789") == j - i)
				put(b, "NUM", 3);
			else {
				put(b, s + i, 1);
				i++;
				continue;
			}
		} else {
			put(b, s + i, 1);
			i++;
			continue;
		}
		i = j;
	}
}

/* For a title without a function: the first reliable frames, infrastructure or not, so that
 * "BUG: soft lockup" stuck in different places does not become one group. */
static void put_frames(struct sbuf *b, const struct nx_report *r)
{
	int taken = 0;

	for (size_t i = 0; i < r->n_frames && taken < SIG_FRAMES; i++) {
		const char *base;
		size_t n;

		if (!r->frames[i].reliable)
			continue;
		n = nx_base_name(r->frames[i].func, &base);
		put(b, "\n", 1);
		put(b, base, n);
		taken++;
	}
}

static char *digest(const struct sbuf *b, bool *oom)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *out = malloc(3 + 2 * SIG_DIGEST_BYTES + 1);

	if (!out || !EVP_Digest(b->s, b->n, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen < SIG_DIGEST_BYTES) {
		free(out);
		*oom = true;
		return NULL;
	}
	snprintf(out, 4, "v%d:", NX_SIGNATURE_VERSION);
	for (int i = 0; i < SIG_DIGEST_BYTES; i++)
		snprintf(out + 3 + 2 * i, 3, "%02x", md[i]);
	return out;
}

char *nx_signature(const struct nx_report *r, bool *oom)
{
	struct sbuf b = { 0 };
	const char *title = r->title ? r->title : r->class;
	char head[40], *sig;

	snprintf(head, sizeof(head), "netoops-signature-v%d\n", NX_SIGNATURE_VERSION);
	put(&b, head, strlen(head));
	if (r->corrupted) {	/* one bucket per class, never mixed with whole reports */
		put(&b, "corrupted\n", 10);
		put_normalised(&b, r->class);
	} else {
		put(&b, r->type, strlen(r->type));
		put(&b, "\n", 1);
		put_normalised(&b, title);
		if (strcmp(title, r->class) == 0 && strcmp(r->type, "mce") != 0)
			put_frames(&b, r);
	}
	if (b.oom) {
		free(b.s);
		*oom = true;
		return NULL;
	}
	sig = digest(&b, oom);
	free(b.s);
	return sig;
}

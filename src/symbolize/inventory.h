/* The inventory datagram (NETOOPSI): a boot's kernel and module build IDs (docs/protocol.md). */
#ifndef NX_INVENTORY_H
#define NX_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#define NX_INV_MAGIC "NETOOPSI "
#define NX_INV_NAME_MAX 56	/* bytes of a module name, NUL included */
#define NX_INV_ID_MAX 65	/* hex digits of a build ID, NUL included */
#define NX_INV_LINES_MAX 64	/* entries in one datagram, at most */
#define NX_INV_DGRAM_MAX 1400

struct nx_inv_entry {
	char name[NX_INV_NAME_MAX];	/* "vmlinux" or a module name */
	char id[NX_INV_ID_MAX];		/* lower-case hex, 32 to 64 digits */
};

struct nx_inventory {
	char host[65], boot[33], release[65];
	unsigned part, parts;
	struct nx_inv_entry e[NX_INV_LINES_MAX];
	size_t n;
};

/* Is BUF an inventory datagram (by its magic)? */
bool nx_inv_is(const char *buf, size_t len);

/* Decode BUF[0..LEN) into INV; false with WHY when it breaks a rule (the whole datagram is
 * dropped: one bad entry makes the rest untrustworthy). */
bool nx_inv_decode(const char *buf, size_t len, struct nx_inventory *inv, const char **why);

/*
 * Encode entries E[*FROM..N) of HOST/BOOT/RELEASE as part PART of PARTS into OUT (at most
 * NX_INV_DGRAM_MAX bytes): as many as fit; *FROM advances. The datagram's length.
 */
size_t nx_inv_encode(const char *host, const char *boot, const char *release, unsigned part,
		     unsigned parts, const struct nx_inv_entry *e, size_t n, size_t *from,
		     char *out);

#endif

/* dumpcheck: reassemble netoops v1 dumps from datagram files saved by udpsink (test aid). */
/*
 * usage: dumpcheck OUTDIR FILE...
 *   Parses every file as one datagram (docs/protocol.md), groups them by (host, boot, dump),
 *   drops duplicate parts, places each text at its offset and writes OUTDIR/<dump>.txt.
 *   Prints one line per dump:
 *     dump=N reason=R host=H boot=B release=V parts=GOT/N bytes=COVERED/TOTAL copies=K
 *          dups=D complete=yes|no
 *   and a last line "datagrams=N netoops=N other=N malformed=N".
 *   Independent of the collector on purpose: it validates the sender while netoopsd is
 *   being written, and cross-checks it afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DUMPS 64
#define MAX_PARTS 65535
#define MAX_TOTAL (32u << 20)

struct dump {
	char host[65], boot[33], reason[16], release[65];
	unsigned long seq, parts, total, copies, got, covered, dups;
	unsigned char *have;	/* per part */
	unsigned char *byte;	/* per text byte: covered */
	char *text;
};

static struct dump dumps[MAX_DUMPS];
static int ndumps;

struct hdr {
	char host[65], boot[33], reason[16], release[65];
	unsigned long seq, part, parts, off, total, copy, copies;
	size_t hlen;
};

static int parse_header(const char *buf, size_t len, struct hdr *h)
{
	const char *nl = memchr(buf, '\n', len < 1024 ? len : 1024);
	char line[1025], tm[40];
	int n;

	if (!nl || len > 1400 || memcmp(buf, "NETOOPS1 ", 9) != 0)
		return -1;
	memcpy(line, buf, nl - buf);
	line[nl - buf] = '\0';
	h->hlen = nl - buf + 1;
	n = sscanf(line, "NETOOPS1 %64s %32s %lu %15s %64s %39s %lu/%lu %lu/%lu %lu/%lu",
		   h->host, h->boot, &h->seq, h->reason, h->release, tm, &h->part, &h->parts,
		   &h->off, &h->total, &h->copy, &h->copies);
	if (n != 12 || h->part >= h->parts || h->parts > MAX_PARTS || h->total > MAX_TOTAL ||
	    h->copy < 1 || h->copy > h->copies || h->off + (len - h->hlen) > h->total)
		return -1;
	return 0;
}

static struct dump *find_dump(const struct hdr *h)
{
	for (int i = 0; i < ndumps; i++) {
		struct dump *d = &dumps[i];

		if (d->seq == h->seq && !strcmp(d->host, h->host) && !strcmp(d->boot, h->boot))
			return d;
	}
	if (ndumps == MAX_DUMPS)
		return NULL;
	struct dump *d = &dumps[ndumps++];

	strcpy(d->host, h->host);
	strcpy(d->boot, h->boot);
	strcpy(d->reason, h->reason);
	strcpy(d->release, h->release);
	d->seq = h->seq;
	d->parts = h->parts;
	d->total = h->total;
	d->copies = h->copies;
	d->have = calloc(h->parts, 1);
	d->byte = calloc(h->total + 1, 1);
	d->text = calloc(h->total + 1, 1);
	if (!d->have || !d->byte || !d->text) {
		fprintf(stderr, "dumpcheck: out of memory\n");
		exit(2);
	}
	return d;
}

/* Returns 0 when placed, 1 for a duplicate, -1 when malformed. */
static int place(const char *buf, size_t len)
{
	struct hdr h;
	struct dump *d;
	size_t tlen;

	if (parse_header(buf, len, &h) < 0)
		return -1;
	d = find_dump(&h);
	if (!d || d->parts != h.parts || d->total != h.total || d->copies != h.copies ||
	    strcmp(d->reason, h.reason))
		return -1;
	if (d->have[h.part]) {
		d->dups++;
		return 1;
	}
	d->have[h.part] = 1;
	d->got++;
	tlen = len - h.hlen;
	memcpy(d->text + h.off, buf + h.hlen, tlen);
	for (size_t i = 0; i < tlen; i++) {
		if (!d->byte[h.off + i])
			d->covered++;
		d->byte[h.off + i] = 1;
	}
	return 0;
}

static void report(const char *outdir)
{
	for (int i = 0; i < ndumps; i++) {
		struct dump *d = &dumps[i];
		char path[4096];
		FILE *f;
		int complete = d->got == d->parts && d->covered == d->total;

		printf("dump=%lu reason=%s host=%s boot=%s release=%s parts=%lu/%lu bytes=%lu/%lu "
		       "copies=%lu dups=%lu complete=%s\n", d->seq, d->reason, d->host, d->boot,
		       d->release, d->got, d->parts, d->covered, d->total, d->copies, d->dups,
		       complete ? "yes" : "no");
		snprintf(path, sizeof(path), "%s/%lu.txt", outdir, d->seq);
		f = fopen(path, "w");
		if (!f || fwrite(d->text, 1, d->total, f) != d->total || fclose(f)) {
			fprintf(stderr, "dumpcheck: cannot write %s\n", path);
			exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	static char buf[65536];
	unsigned long total = 0, ours = 0, other = 0, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: dumpcheck OUTDIR FILE...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		total++;
		if (len < 9 || memcmp(buf, "NETOOPS1 ", 9)) {
			other++;
			continue;
		}
		ours++;
		if (place(buf, len) < 0)
			bad++;
	}
	report(argv[1]);
	printf("datagrams=%lu netoops=%lu other=%lu malformed=%lu\n", total, ours, other, bad);
	return 0;
}

/* The append file: each complete dump as readable text, like the seed's /var/log/oops. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/escape.h"
#include "netoopsd/log.h"
#include "netoopsd/outputs.h"
#include "store/file.h"

struct nxd_append {
	char *path;
	FILE *f;
	bool fsync;		/* fdatasync in append_sync() */
};

void format_time_ms(int64_t ms, char *buf, size_t len)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ms % 1000));
}

/* PATH for appending, created 0640 (crash logs hold kernel addresses); NULL with errno. */
static FILE *open_file(const char *path)
{
	bool created;
	int fd = nx_file_open_durable(path, O_WRONLY | O_APPEND, &created);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

struct nxd_append *append_open(const char *path, bool fsync, char *msg, size_t msglen)
{
	struct nxd_append *a = calloc(1, sizeof(*a));

	if (!a || !(a->path = strdup(path))) {
		free(a);
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	a->fsync = fsync;
	a->f = open_file(path);
	if (!a->f) {
		snprintf(msg, msglen, "cannot open append file %s: %s", path, strerror(errno));
		free(a->path);
		free(a);
		return NULL;
	}
	return a;
}

int append_reopen(struct nxd_append *a)
{
	FILE *f = open_file(a->path);

	if (!f) {
		log_err("cannot reopen append file %s: %s; still writing to the old one",
			a->path, strerror(errno));
		return -1;
	}
	/* What is still buffered belongs to dumps already counted as appended. */
	append_sync(a);
	fclose(a->f);
	a->f = f;
	return 0;
}

/*
 * The append file is read with cat and less: every field and the text are escaped
 * (core/escape.h: control bytes and invalid UTF-8 as \xNN; the text keeps \n and \t).
 * ESC_FIELD(S, BUF) is field S on one line, in BUF (cut at a whole escape if longer).
 */
#define ESC_FIELD(s, buf) (nx_escape((s), strlen(s), NX_ESC_LINE, (buf), sizeof(buf)), (buf))

static void write_header(FILE *f, const struct nxd_stored *s)
{
	const struct nx_dump *d = s->dump;
	const struct nx_report *r = s->reports && s->reports->n ? &s->reports->reports[0] : NULL;
	char when[40], title[1024], host[4 * NX_HOST_MAX + 1], source[4 * NX_SOURCE_MAX];
	char reason[4 * NX_REASON_MAX + 1], boot[4 * NX_BOOT_MAX + 1];
	char release[4 * NX_RELEASE_MAX + 1], type[256], sig[512];

	format_time_ms(s->received_ms, when, sizeof(when));
	fprintf(f, "==== netoops report %lld: %s ====\n", (long long)s->id,
		ESC_FIELD(s->title, title));
	fprintf(f, "host: %s  source: %s  reason: %s  received: %s\n",
		d->host[0] ? ESC_FIELD(d->host, host) : "-", ESC_FIELD(d->source, source),
		ESC_FIELD(d->reason, reason), when);
	fprintf(f, "boot: %s  dump: %u  release: %s  type: %s  reports: %zu\n",
		d->boot[0] ? ESC_FIELD(d->boot, boot) : "-", d->dump,
		d->release[0] ? ESC_FIELD(d->release, release) : "-",
		r && r->type ? ESC_FIELD(r->type, type) : "-", s->reports ? s->reports->n : 0);
	if (r && r->signature)
		fprintf(f, "signature: %s\n", ESC_FIELD(r->signature, sig));
	fputs("----\n", f);
}

int append_write(struct nxd_append *a, const struct nxd_stored *s)
{
	const struct nx_dump *d = s->dump;

	if (!d->complete)
		return 0;
	write_header(a->f, s);
	nx_escape_write(a->f, d->text, d->text_len, NX_ESC_TEXT);
	if (d->text_len && d->text[d->text_len - 1] != '\n')
		fputc('\n', a->f);
	fprintf(a->f, "==== end of netoops report %lld ====\n\n", (long long)s->id);
	if (ferror(a->f)) {
		clearerr(a->f);
		return -1;
	}
	return 1;
}

int append_sync(struct nxd_append *a)
{
	if (fflush(a->f) != 0 || ferror(a->f)) {
		clearerr(a->f);
		return -1;
	}
	return a->fsync && fdatasync(fileno(a->f)) < 0 ? -1 : 0;
}

void append_close(struct nxd_append *a)
{
	if (!a)
		return;
	fclose(a->f);
	free(a->path);
	free(a);
}

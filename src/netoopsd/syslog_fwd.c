/* Forwarding: each stored dump as one RFC 5424 syslog message over UDP (RFC 5426). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/escape.h"
#include "netoopsd/log.h"
#include "netoopsd/outputs.h"
#include "store/store.h"

/*
 * Big enough for a title and the report's own lines; small enough that
 * syslog daemons with default settings (syslog-ng: 64 KiB, rsyslog: 8 KiB)
 * take it whole. The full dump stays in the database.
 */
#define SYSLOG_MAX	8000
/* IANA's example enterprise number (RFC 5612): we have none of our own. */
#define SD_ID		"netoops@32473"

struct nxd_syslog {
	int fd;
	char buf[SYSLOG_MAX];
};

struct nxd_syslog *syslog_open(const struct nxd_addr *to, char *msg, size_t msglen)
{
	struct nxd_syslog *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	l->fd = socket(to->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || connect(l->fd, (const struct sockaddr *)&to->ss, to->len) < 0) {
		snprintf(msg, msglen, "syslog %s: %s", to->text, strerror(errno));
		if (l->fd >= 0)
			close(l->fd);
		free(l);
		return NULL;
	}
	return l;
}

/*
 * An SD-PARAM value: first made safe like every network text shown to a
 * person (core/escape.h: control bytes and invalid UTF-8 as \xNN), then '"',
 * '\' and ']' escaped (RFC 5424 6.3.3).
 */
static size_t put_param(char *buf, size_t len, const char *name, const char *value)
{
	char safe[1024];
	const char *v = safe;
	size_t n = (size_t)snprintf(buf, len, " %s=\"", name);

	if (n >= len)
		return len ? len - 1 : 0;
	nx_escape(value ? value : "", value ? strlen(value) : 0, NX_ESC_LINE, safe, sizeof(safe));
	for (; *v && n + 3 < len; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			buf[n++] = '\\';
		buf[n++] = *v;
	}
	if (n + 1 < len)
		buf[n++] = '"';
	return n < len ? n : len - 1;
}

/* PRINTUSASCII without spaces, 1..255 characters (RFC 5424 6.2.4), or "-". */
static void header_host(const struct nx_dump *d, char *out, size_t len)
{
	char filed[NX_SOURCE_MAX + NX_HOST_MAX];
	const char *h = nx_store_dump_host(d, filed, sizeof(filed));
	size_t n = 0;

	for (; *h && n + 1 < len && n < 255; h++)
		out[n++] = (*h > 32 && *h < 127) ? *h : '_';
	out[n] = '\0';
	if (!n)
		snprintf(out, len, "-");
}

static size_t format_header(const struct nxd_stored *s, const struct nx_report *r,
			    char *buf, size_t len)
{
	const struct nx_dump *d = s->dump;
	char when[40], host[NX_SOURCE_MAX + NX_HOST_MAX], id[24];
	/* kern facility (0); crit for crashes, notice for a test dump. */
	int pri = strcmp(d->reason, NETOOPS_REASON_TEST) == 0 ? 5 : 2;
	size_t n;

	format_time_ms(s->received_ms, when, sizeof(when));
	header_host(d, host, sizeof(host));
	n = (size_t)snprintf(buf, len, "<%d>1 %s %s netoops - %s [%s", pri, when, host,
			     d->reason[0] ? d->reason : "-", SD_ID);
	snprintf(id, sizeof(id), "%lld", (long long)s->id);
	n += put_param(buf + n, len - n, "id", id);
	n += put_param(buf + n, len - n, "reason", d->reason);
	n += put_param(buf + n, len - n, "complete", d->complete ? "1" : "0");
	n += put_param(buf + n, len - n, "source", d->source);
	if (r) {
		n += put_param(buf + n, len - n, "type", r->type);
		n += put_param(buf + n, len - n, "kernel", r->kernel);
		n += put_param(buf + n, len - n, "signature", r->signature);
	}
	n += (size_t)snprintf(buf + n, len - n, "] ");
	return n < len ? n : len - 1;
}

/* IN[0..N) escaped by FLAGS (core/escape.h) at BUF + AT; the new length (at most LEN - 1). */
static size_t put_escaped(char *buf, size_t len, size_t at, const char *in, size_t n,
			  unsigned flags)
{
	size_t need;

	if (at + 1 >= len)
		return at;
	need = nx_escape(in, n, flags, buf + at, len - at);
	return at + (need < len - at ? need : strlen(buf + at));
}

size_t syslog_format(const struct nxd_stored *s, char *buf, size_t len)
{
	const struct nx_report *r = s->reports && s->reports->n ? &s->reports->reports[0] : NULL;
	const struct nx_dump *d = s->dump;
	size_t n = format_header(s, r, buf, len), start = 0, end = 0;

	/* The title on the first line, the report's own lines after it; no raw control byte. */
	n = put_escaped(buf, len, n, s->title, strlen(s->title), NX_ESC_LINE);
	if (r && r->end > r->start && r->end <= d->text_len) {
		start = r->start;
		end = r->end;
	}
	if (end > start && n + 2 < len) {
		buf[n++] = '\n';
		n = put_escaped(buf, len, n, d->text + start, end - start, NX_ESC_TEXT);
	}
	return n;
}

int syslog_send(struct nxd_syslog *l, const struct nxd_stored *s)
{
	size_t n = syslog_format(s, l->buf, sizeof(l->buf));

	if (send(l->fd, l->buf, n, MSG_DONTWAIT) < 0) {
		log_debug("syslog: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void syslog_close(struct nxd_syslog *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l);
}

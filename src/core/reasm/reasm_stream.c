/* One netconsole sender's stream: records ordered by seq, fragments merged, cut into crash-sized chunks. */
#include "core/reasm/reasm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NC_WINDOW	64	/* records held back waiting for a missing seq */
#define NC_MAX_FRAGS	128	/* fragments of one record */
#define NC_RESET_GAP	4096	/* a seq this far behind means the sender restarted */
#define NC_LINE_MAX	65536	/* a line longer than this is cut */

struct nc_frag {
	uint32_t off, len;
	uint8_t *data;
};

struct nc_rec {
	uint64_t seq, usec;
	char flag;
	bool fragmented;
	uint32_t total, got;
	struct nc_frag *frags;
	uint32_t nfrags, cap;
};

struct buf {
	char *p;
	size_t len, cap;
};

struct nx_stream {
	bool extended;
	size_t max_text;
	char release[NX_RELEASE_MAX + 1];
	struct buf text;		/* the chunk: whole lines */
	struct buf line;		/* the line being put together */
	struct nx_range *miss;		/* positions of seq gaps (empty ranges) */
	size_t nmiss, miss_cap;
	bool started;			/* a record was committed */
	uint64_t next_seq;		/* the next record to commit */
	struct nc_rec *pend;		/* held back, sorted by seq; NC_WINDOW + 1 */
	size_t npend;
	size_t pend_mem;
	bool cut_pending;		/* an oops ended: cut unless a panic follows */
	uint64_t chunk_first_ms, chunk_last_ms;
};

struct nx_stream *nx_stream_new(bool extended, size_t max_text)
{
	struct nx_stream *s = calloc(1, sizeof(*s));

	if (s) {
		s->extended = extended;
		s->max_text = max_text;
	}
	return s;
}

static void rec_free(struct nc_rec *r)
{
	for (uint32_t i = 0; i < r->nfrags; i++)
		free(r->frags[i].data);
	free(r->frags);
	memset(r, 0, sizeof(*r));
}

void nx_stream_free(struct nx_stream *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npend; i++)
		rec_free(&s->pend[i]);
	free(s->pend);
	free(s->text.p);
	free(s->line.p);
	free(s->miss);
	free(s);
}

size_t nx_stream_mem(const struct nx_stream *s)
{
	return sizeof(*s) + s->text.cap + s->line.cap + s->miss_cap * sizeof(*s->miss) +
	       (s->pend ? (NC_WINDOW + 1) * sizeof(*s->pend) : 0) + s->pend_mem;
}

static bool buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);

		if (!np)
			return false;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static bool contains(const char *p, size_t n, const char *needle)
{
	return memmem(p, n, needle, strlen(needle)) != NULL;
}

/* The current chunk becomes a ready dump. */
static int emit_chunk(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e)
{
	s->cut_pending = false;
	if (s->text.len == 0)
		return 0;

	struct nx_dump *d = nx_dump_alloc(e, s->text.len);

	if (!d)
		return -1;
	memcpy(d->text, s->text.p, s->text.len);
	d->text[s->text.len] = '\0';
	d->first_ms = s->chunk_first_ms;
	d->last_ms = s->chunk_last_ms;
	d->complete = s->nmiss == 0;
	strcpy(d->reason, nx_reason_from_text(d->text, d->text_len));
	memcpy(d->release, s->release, sizeof(d->release));
	if (s->nmiss) {
		d->missing = malloc(s->nmiss * sizeof(*d->missing));
		if (!d->missing) {
			nx_dump_free(d);
			return -1;
		}
		memcpy(d->missing, s->miss, s->nmiss * sizeof(*d->missing));
		d->n_missing = s->nmiss;
	}
	nx_reasm_ready(r, d);
	s->text.len = 0;
	s->nmiss = 0;
	s->chunk_first_ms = s->chunk_last_ms;
	return 0;
}

static bool is_panic_line(const char *p, size_t n)
{
	return contains(p, n, "Kernel panic - not syncing");
}

/* A whole line of the stream: decide where crash reports end. */
static int commit_line(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e,
		       const char *p, size_t n)
{
	if (s->cut_pending && !is_panic_line(p, n) && emit_chunk(r, s, e))
		return -1;
	if (s->text.len + n + 1 > s->max_text && emit_chunk(r, s, e))
		return -1;
	if (!buf_add(&s->text, p, n) || !buf_add(&s->text, "\n", 1))
		return -1;
	if (contains(p, n, "---[ end Kernel panic"))
		return emit_chunk(r, s, e);
	if (contains(p, n, "---[ end trace"))
		s->cut_pending = true;
	else if (is_panic_line(p, n))
		s->cut_pending = false;
	return 0;
}

static int finish_line(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e)
{
	int rc = commit_line(r, s, e, s->line.p ? s->line.p : "", s->line.len);

	s->line.len = 0;
	return rc;
}

static bool mark_gap(struct nx_stream *s)
{
	uint32_t at = (uint32_t)(s->text.len + s->line.len);

	if (s->nmiss && s->miss[s->nmiss - 1].start == at)
		return true;
	if (s->nmiss == s->miss_cap) {
		size_t cap = s->miss_cap ? s->miss_cap * 2 : 8;
		struct nx_range *m = realloc(s->miss, cap * sizeof(*m));

		if (!m)
			return false;
		s->miss = m;
		s->miss_cap = cap;
	}
	s->miss[s->nmiss++] = (struct nx_range){ at, at };
	return true;
}

/* Basic text: append, and commit every line it completes. */
static int add_text(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e,
		    const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		if (s->line.len + k > NC_LINE_MAX)
			k = NC_LINE_MAX - s->line.len;
		if (!buf_add(&s->line, p, k))
			return -1;
		p += k;
		n -= k;
		if (nl && p == nl) {
			p++;
			n--;
		} else if (s->line.len < NC_LINE_MAX) {
			break;
		}
		if (finish_line(r, s, e))
			return -1;
	}
	return 0;
}

/* The record's text (up to the dictionary), unescaped and stamped like dmesg. */
static int commit_rec(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e,
		      struct nc_rec *rec)
{
	size_t raw_len = 0, at = 0;

	for (uint32_t i = 0; i < rec->nfrags; i++)
		raw_len += rec->frags[i].len;

	uint8_t *raw = malloc(raw_len + 1);
	char *txt = malloc(raw_len + 1);
	int rc = -1;

	if (!raw || !txt)
		goto out;
	for (uint32_t i = 0; i < rec->nfrags; i++) {	/* frags are sorted by offset */
		memcpy(raw + at, rec->frags[i].data, rec->frags[i].len);
		at += rec->frags[i].len;
	}
	if (rec->got < rec->total && !mark_gap(s))
		goto out;

	size_t body = 0;

	while (body < raw_len && raw[body] != '\n')
		body++;
	size_t n = nx_nc_unescape(raw, body, txt);

	/* A new line gets the record's stamp; old kernels' '+' records continue one. */
	if (s->line.len == 0 && rec->flag != '+') {
		char stamp[48];
		int k = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
				 (unsigned long long)(rec->usec / 1000000),
				 (unsigned long long)(rec->usec % 1000000));

		if (!buf_add(&s->line, stamp, (size_t)k))
			goto out;
	}
	rc = add_text(r, s, e, txt, n);
	if (rc == 0 && rec->flag != 'c' && s->line.len)
		rc = finish_line(r, s, e);
out:
	free(raw);
	free(txt);
	return rc;
}

static void pend_remove_first(struct nx_stream *s)
{
	rec_free(&s->pend[0]);
	memmove(s->pend, s->pend + 1, (s->npend - 1) * sizeof(s->pend[0]));
	s->npend--;
}

static size_t rec_mem(const struct nc_rec *rec)
{
	return sizeof(struct nc_frag) * rec->cap + rec->got;
}

/* Commit the lowest held record (FORCE: even if incomplete or after a gap). */
static int commit_first(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e)
{
	struct nc_rec *rec = &s->pend[0];
	int rc = 0;

	if (rec->seq != s->next_seq && !mark_gap(s))
		return -1;
	s->next_seq = rec->seq + 1;
	s->pend_mem -= rec_mem(rec);
	rc = commit_rec(r, s, e, rec);
	pend_remove_first(s);
	return rc;
}

/* Commit what is in order; over the window, give up waiting for the gap. */
static int drain(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e, bool force)
{
	while (s->npend) {
		struct nc_rec *rec = &s->pend[0];
		bool ready = rec->seq == s->next_seq && rec->got == rec->total;

		if (!ready && !force && s->npend <= NC_WINDOW)
			break;
		if (commit_first(r, s, e))
			return -1;
	}
	return 0;
}

static struct nc_rec *find_or_add(struct nx_stream *s, const struct nx_packet *p, bool *fresh)
{
	size_t i = 0;

	while (i < s->npend && s->pend[i].seq < p->nc_seq)
		i++;
	*fresh = i == s->npend || s->pend[i].seq != p->nc_seq;
	if (!*fresh)
		return &s->pend[i];
	memmove(s->pend + i + 1, s->pend + i, (s->npend - i) * sizeof(s->pend[0]));
	s->npend++;

	struct nc_rec *rec = &s->pend[i];

	memset(rec, 0, sizeof(*rec));
	rec->seq = p->nc_seq;
	rec->usec = p->nc_usec;
	rec->flag = p->nc_flag;
	rec->fragmented = p->nc_frag;
	rec->total = p->nc_frag ? p->nc_frag_total : (uint32_t)p->text_len;
	return rec;
}

/* Add P's bytes to REC, keeping fragments sorted and disjoint. */
static enum nx_place add_frag(struct nx_stream *s, struct nc_rec *rec, const struct nx_packet *p)
{
	uint32_t off = p->nc_frag ? p->nc_frag_off : 0, len = (uint32_t)p->text_len;
	uint32_t i = 0;

	if (rec->fragmented != p->nc_frag || (p->nc_frag && p->nc_frag_total != rec->total))
		return rec->got == rec->total ? NX_PLACE_DUP : NX_PLACE_BAD;
	while (i < rec->nfrags && rec->frags[i].off < off)
		i++;
	if (i < rec->nfrags && rec->frags[i].off == off)
		return NX_PLACE_DUP;
	if ((i > 0 && rec->frags[i - 1].off + rec->frags[i - 1].len > off) ||
	    (i < rec->nfrags && rec->frags[i].off < off + len))
		return NX_PLACE_BAD;	/* overlaps another fragment */
	if (rec->nfrags == NC_MAX_FRAGS)
		return NX_PLACE_FULL;
	if (rec->nfrags == rec->cap) {
		uint32_t cap = rec->cap ? rec->cap * 2 : 2;
		struct nc_frag *f = realloc(rec->frags, cap * sizeof(*f));

		if (!f)
			return NX_PLACE_NOMEM;
		s->pend_mem += (cap - rec->cap) * sizeof(*f);
		rec->frags = f;
		rec->cap = cap;
	}
	uint8_t *data = malloc(len ? len : 1);

	if (!data)
		return NX_PLACE_NOMEM;
	memcpy(data, p->text, len);
	memmove(rec->frags + i + 1, rec->frags + i, (rec->nfrags - i) * sizeof(*rec->frags));
	rec->frags[i] = (struct nc_frag){ off, len, data };
	rec->nfrags++;
	rec->got += len;
	s->pend_mem += len;
	return NX_PLACE_OK;
}

static void drop_fresh(struct nx_stream *s, struct nc_rec *rec)
{
	size_t i = (size_t)(rec - s->pend);

	s->pend_mem -= rec_mem(rec);
	rec_free(rec);
	memmove(s->pend + i, s->pend + i + 1, (s->npend - i - 1) * sizeof(s->pend[0]));
	s->npend--;
}

static enum nx_place feed_extended(struct nx_reasm *r, struct nx_stream *s,
				   const struct nx_entry *e, const struct nx_packet *p)
{
	if (p->release[0])
		memcpy(s->release, p->release, sizeof(s->release));
	/*
	 * Until the first record is committed, the stream starts at the lowest
	 * seq seen, and waits for a second record: the first two may be swapped.
	 */
	if (!s->started && (s->npend == 0 || p->nc_seq < s->next_seq))
		s->next_seq = p->nc_seq;
	if (s->started && p->nc_seq < s->next_seq) {
		if (s->next_seq - p->nc_seq < NC_RESET_GAP)
			return NX_PLACE_DUP;
		/* the sender restarted: close this chunk, start over at its seq */
		if (drain(r, s, e, true) || (s->line.len && finish_line(r, s, e)) ||
		    emit_chunk(r, s, e))
			return NX_PLACE_NOMEM;
		s->next_seq = p->nc_seq;
	}
	if (s->pend_mem + p->text_len > s->max_text)
		return NX_PLACE_FULL;
	if (!s->pend && !(s->pend = calloc(NC_WINDOW + 1, sizeof(*s->pend))))
		return NX_PLACE_NOMEM;
	if (s->npend > NC_WINDOW && drain(r, s, e, false))	/* left over by a failure */
		return NX_PLACE_NOMEM;

	bool fresh;
	struct nc_rec *rec = find_or_add(s, p, &fresh);
	enum nx_place rc = add_frag(s, rec, p);

	if (rc != NX_PLACE_OK) {
		if (fresh)
			drop_fresh(s, rec);
		return rc;
	}
	if (!s->started && s->npend < 2)
		return NX_PLACE_OK;
	s->started = true;
	return drain(r, s, e, false) ? NX_PLACE_NOMEM : NX_PLACE_OK;
}

enum nx_place nx_stream_feed(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e,
			     const struct nx_packet *p, uint64_t now_ms)
{
	if (s->text.len == 0 && s->line.len == 0 && s->npend == 0)
		s->chunk_first_ms = now_ms;
	s->chunk_last_ms = now_ms;
	if (s->extended)
		return feed_extended(r, s, e, p);
	return add_text(r, s, e, (const char *)p->text, p->text_len) ? NX_PLACE_NOMEM
								      : NX_PLACE_OK;
}

int nx_stream_close(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e)
{
	if (drain(r, s, e, true))
		return -1;
	if (s->line.len && finish_line(r, s, e))
		return -1;
	return emit_chunk(r, s, e);
}

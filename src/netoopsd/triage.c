/* Triage of finished dumps: real dumps go to the store, one-datagram fragments are counted noise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/siphash.h"
#include "netoopsd/triage.h"

/* Probe window in the established table: a miss looks at this many slots. */
#define PROBE 8

void triage_init(struct nxd_triage *t, uint64_t seed, uint64_t now_ms)
{
	memset(t, 0, sizeof(*t));
	t->k0 = seed ^ 0x7472696167656b30ull;
	t->k1 = (seed * 0x9e3779b97f4a7c15ull) ^ 0x7472696167656b31ull;
	t->interval_start_ms = now_ms;
	t->tokens = NXD_NOISE_SAMPLES;
	t->refilled_ms = now_ms;
}

/* Take a sample token if there is one (refilled one per NXD_NOISE_REFILL_MS). */
static bool take_token(struct nxd_triage *t, uint64_t now_ms)
{
	if (now_ms > t->refilled_ms) {
		uint64_t n = (now_ms - t->refilled_ms) / NXD_NOISE_REFILL_MS;

		t->refilled_ms += n * NXD_NOISE_REFILL_MS;
		t->tokens = t->tokens + n < NXD_NOISE_SAMPLES ? t->tokens + n : NXD_NOISE_SAMPLES;
	}
	if (t->tokens == 0)
		return false;
	t->tokens--;
	return true;
}

static bool single_line(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);

	return !nl || (size_t)(nl - text) + 1 >= len;
}

bool triage_is_fragment(const struct nx_dump *d)
{
	if (d->complete)
		return false;
	if (d->parts)
		return d->parts_received <= 1;
	return single_line(d->text, d->text_len);	/* netconsole: no part counts */
}

/* Length of the address in "ip:port" / "[ip6]:port" (the port is a sender's choice). */
static size_t addr_len(const char *source)
{
	const char *colon = strrchr(source, ':');

	if (source[0] == '[') {
		const char *end = strchr(source, ']');

		return end ? (size_t)(end - source) + 1 : strlen(source);
	}
	return colon ? (size_t)(colon - source) : strlen(source);
}

/* Never 0 (0 marks a free slot). */
static uint64_t fingerprint(const struct nxd_triage *t, const char *a, size_t alen,
			    const char *host)
{
	char key[NX_SOURCE_MAX + NX_HOST_MAX + 2];
	size_t hlen = strnlen(host, NX_HOST_MAX);
	uint64_t h;

	if (alen > NX_SOURCE_MAX)
		alen = NX_SOURCE_MAX;
	memcpy(key, a, alen);
	key[alen] = '\0';
	memcpy(key + alen + 1, host, hlen);
	h = nx_siphash(t->k0, t->k1, key, alen + 1 + hlen);
	return h ? h : 1;
}

/* The slot holding FP, or -1. */
static long est_find(const struct nxd_triage *t, uint64_t fp)
{
	for (size_t i = 0; i < PROBE; i++) {
		size_t s = (fp + i) % NXD_ESTABLISHED_SLOTS;

		if (t->established[s].fp == fp)
			return (long)s;
	}
	return -1;
}

/* Remember FP; a full window gives up its least recently seen sender. */
static void est_add(struct nxd_triage *t, uint64_t fp, uint64_t now_ms)
{
	size_t victim = fp % NXD_ESTABLISHED_SLOTS;

	for (size_t i = 0; i < PROBE; i++) {
		size_t s = (fp + i) % NXD_ESTABLISHED_SLOTS;

		if (t->established[s].fp == fp || t->established[s].fp == 0) {
			victim = s;
			break;
		}
		if (t->established[s].last_ms < t->established[victim].last_ms)
			victim = s;
	}
	t->established[victim].fp = fp;
	t->established[victim].last_ms = now_ms;
}

/*
 * Count one fragment from address A (Space-Saving: a new source replaces
 * the lightest tracked one and inherits its count as error). Returns its entry.
 */
static struct nxd_noise_source *noise_count(struct nxd_triage *t, const char *a, size_t alen,
					    uint64_t fp)
{
	struct nxd_noise_source *min = &t->top[0];

	for (size_t i = 0; i < NXD_NOISE_TOP; i++) {
		struct nxd_noise_source *s = &t->top[i];

		if (s->fp == fp) {
			s->count++;
			return s;
		}
		if (s->count < min->count)
			min = s;
	}
	min->error = min->count;
	min->count++;
	min->fp = fp;
	min->sampled = false;
	snprintf(min->addr, sizeof(min->addr), "%.*s", (int)alen, a);
	return min;
}

bool triage_trusted(const struct nxd_triage *t, const char *source, const char *host)
{
	return est_find(t, fingerprint(t, source, addr_len(source), host)) >= 0;
}

enum nxd_verdict triage_dump(struct nxd_triage *t, const struct nx_dump *d, uint64_t now_ms)
{
	size_t alen = addr_len(d->source);
	uint64_t fp = fingerprint(t, d->source, alen, d->host);
	struct nxd_noise_source *src;

	if (!triage_is_fragment(d)) {
		if (d->complete || !d->parts)
			est_add(t, fp, now_ms);
		return NXD_REAL;
	}
	long e = est_find(t, fp);

	if (e >= 0) {
		t->established[e].last_ms = now_ms;
		return NXD_REAL;
	}
	t->noise++;
	src = noise_count(t, d->source, alen, fingerprint(t, d->source, alen, ""));
	if (src->sampled || !take_token(t, now_ms))
		return NXD_NOISE_COUNTED;
	src->sampled = true;
	t->samples++;
	return NXD_NOISE_SAMPLE;
}

/* Heaviest first. */
static int by_count(const void *a, const void *b)
{
	const struct nxd_noise_source *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* The sorted interval into T->last. */
static void keep_report(struct nxd_triage *t, uint64_t now_ms)
{
	struct nxd_noise_report *r = &t->last;

	r->seq++;
	r->interval_ms = now_ms - t->interval_start_ms;
	r->fragments = t->noise;
	r->samples = t->samples;
	for (r->n = 0; r->n < NXD_NOISE_TOP && t->top[r->n].fp; r->n++) {
		struct nx_noise_source *o = &r->top[r->n];

		snprintf(o->source, sizeof(o->source), "%s", t->top[r->n].addr);
		o->fragments = t->top[r->n].count;
		o->over_estimate = t->top[r->n].error;
	}
}

bool triage_interval_end(struct nxd_triage *t, uint64_t now_ms, bool final, char *buf,
			 size_t len)
{
	size_t n;

	if (!final && now_ms < t->interval_start_ms + NXD_NOISE_INTERVAL_MS)
		return false;
	if (t->noise == 0) {
		t->interval_start_ms = now_ms;
		return false;
	}
	qsort(t->top, NXD_NOISE_TOP, sizeof(t->top[0]), by_count);
	keep_report(t, now_ms);
	n = (size_t)snprintf(buf, len, "noise in the last %llu s: %llu one-datagram fragments "
			     "from senders never seen whole, %llu stored as samples, the rest "
			     "counted; heaviest sources:",
			     (unsigned long long)(now_ms - t->interval_start_ms) / 1000,
			     (unsigned long long)t->noise, (unsigned long long)t->samples);
	for (size_t i = 0; i < NXD_NOISE_TOP && t->top[i].fp && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " %s %s%llu", t->top[i].addr,
				      t->top[i].error ? "~" : "",
				      (unsigned long long)t->top[i].count);
	t->noise = t->samples = 0;
	memset(t->top, 0, sizeof(t->top));
	t->interval_start_ms = now_ms;
	return true;
}

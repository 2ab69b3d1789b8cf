/* Triage of finished dumps: real dumps go to the store, one-datagram fragments are counted noise. */
#ifndef NXD_TRIAGE_H
#define NXD_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reasm/reasm.h"
#include "store/store.h"

/*
 * A finished dump is *real* when it is complete, or holds two datagrams or
 * more (netconsole: two lines or more), or comes from an *established*
 * sender: one (address, host) that has delivered a complete dump (netconsole:
 * a chunk of several lines) before. Anything else is *noise*: an incomplete
 * one-datagram fragment from a sender never seen whole, which is what a
 * flood of fake senders leaves behind. Noise is not stored row by row: each
 * source address may store one sample per interval, and all sources together
 * NXD_NOISE_SAMPLES at once, then one per NXD_NOISE_REFILL_MS (a token
 * bucket: a day-long flood stores a few thousand rows, not billions); the
 * rest is counted (per source, the heaviest NXD_NOISE_TOP kept for the log).
 */
#define NXD_NOISE_INTERVAL_MS	10000
#define NXD_NOISE_SAMPLES	8	/* stored noise rows in a burst, all sources */
#define NXD_NOISE_REFILL_MS	60000	/* then one more this often */
#define NXD_NOISE_TOP		16	/* heaviest sources tracked per interval */
#define NXD_ESTABLISHED_SLOTS	8192	/* senders remembered as established */

enum nxd_verdict {
	NXD_REAL,		/* store it, with priority */
	NXD_NOISE_SAMPLE,	/* noise, stored as a sample (low priority, may be dropped) */
	NXD_NOISE_COUNTED,	/* noise beyond the budget: counted, not stored */
};

struct nxd_noise_source {
	uint64_t fp;			/* hash of the address; 0 = free */
	uint64_t count;			/* fragments this interval (over-estimate by at most .error) */
	uint64_t error;
	bool sampled;			/* this source's sample of the interval was taken */
	char addr[64];
};

/* The last interval that had noise, as triage_interval_end() described it: its heaviest
 * sources, heaviest first (what /v1/stats and `netoopsctl stats` show). */
struct nxd_noise_report {
	uint64_t seq;				/* intervals reported so far; 0: none yet */
	uint64_t interval_ms;			/* how long the interval was */
	uint64_t fragments, samples;		/* all sources together */
	size_t n;
	struct nx_noise_source top[NXD_NOISE_TOP];
};

struct nxd_triage {
	uint64_t k0, k1;			/* hash key */
	struct { uint64_t fp, last_ms; } established[NXD_ESTABLISHED_SLOTS];
	uint64_t interval_start_ms;
	uint64_t noise, samples;		/* this interval */
	uint64_t tokens, refilled_ms;		/* samples that may still be stored */
	struct nxd_noise_source top[NXD_NOISE_TOP];
	struct nxd_noise_report last;		/* the last interval with noise */
};

void triage_init(struct nxd_triage *t, uint64_t seed, uint64_t now_ms);

/* Noise by content alone: an incomplete fragment of one datagram (netconsole: one line). */
bool triage_is_fragment(const struct nx_dump *d);

/* SOURCE ("ip:port") with HOST is an established sender. */
bool triage_trusted(const struct nxd_triage *t, const char *source, const char *host);

/* Classify D (and learn from it: a complete dump makes its sender established). */
enum nxd_verdict triage_dump(struct nxd_triage *t, const struct nx_dump *d, uint64_t now_ms);

/*
 * When the interval is over, or FINAL (shutdown), and some noise came:
 * describe it in BUF (a line for the log: counts and the heaviest sources)
 * and in T->last, and start a new interval. Returns false, BUF untouched,
 * when there is nothing to say yet.
 */
bool triage_interval_end(struct nxd_triage *t, uint64_t now_ms, bool final, char *buf,
			 size_t len);

#endif

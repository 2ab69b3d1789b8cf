/* Reassembly internals shared by reasm*.c: the entry table, its age lists, per-format state. */
#ifndef NX_REASM_INT_H
#define NX_REASM_INT_H

#include "core/reasm/reasm.h"

#define NX_KEY_MAX 192

/*
 * Every dump or stream being reassembled is an entry, found by key in a hash
 * table and kept on one age list (least recently active first), so that
 * expiry and eviction look only at list heads. A new entry starts on a
 * "probation" list and moves to the "established" one with its second
 * accepted datagram: at the memory bound, one-datagram entries (a flood of
 * fake senders) are evicted before dumps that are really arriving.
 */
enum nx_list {
	NX_L_DUMP_NEW, NX_L_DUMP_EST,		/* netoops v1, legacy v3 */
	NX_L_STREAM_NEW, NX_L_STREAM_EST,	/* netconsole */
	NX_L_DONE,				/* completed dumps: absorb later copies */
	NX_L_COUNT
};

struct nx_dstate;
struct nx_stream;

struct nx_entry {
	struct nx_entry *hnext;			/* hash chain */
	struct nx_entry *prev, *next;		/* age list */
	uint64_t hash;
	uint8_t list;
	uint8_t keylen;
	uint8_t key[NX_KEY_MAX];
	enum nx_format format;
	char source[NX_SOURCE_MAX];
	uint64_t first_ms, last_ms;
	uint32_t accepted;			/* datagrams placed */
	bool unauthenticated;			/* one of them had no verified MAC */
	size_t mem;				/* bytes charged to the limits */
	struct nx_dstate *dump;			/* netoops / legacy, also when done */
	struct nx_stream *stream;		/* netconsole */
};

struct nx_age_list {
	struct nx_entry *head, *tail;
	size_t n;
};

struct nx_table {
	struct nx_entry **bucket;
	size_t nbuckets, n;
	uint64_t k0, k1;
};

int nx_table_init(struct nx_table *t, uint64_t seed);
void nx_table_free(struct nx_table *t);
uint64_t nx_table_hash(const struct nx_table *t, const uint8_t *key, size_t len);
struct nx_entry *nx_table_find(const struct nx_table *t, const uint8_t *key, size_t len,
			       uint64_t hash);
/* Insert E (its key and hash set); grows the table. Returns -1 on ENOMEM. */
int nx_table_insert(struct nx_table *t, struct nx_entry *e);
void nx_table_remove(struct nx_table *t, struct nx_entry *e);
size_t nx_table_mem(const struct nx_table *t);

void nx_list_push(struct nx_age_list *l, struct nx_entry *e);
void nx_list_unlink(struct nx_age_list *l, struct nx_entry *e);

/* ---- dumps of netoops v1 and legacy v3 (reasm_dump.c) ---- */

enum nx_place {
	NX_PLACE_OK,
	NX_PLACE_DUP,
	NX_PLACE_BAD,		/* inconsistent with the dump: malformed */
	NX_PLACE_FULL,		/* over the per-dump bound */
	NX_PLACE_NOMEM,
	NX_PLACE_OTHER_DUMP,	/* legacy: same key, but another dump */
};

struct nx_dstate *nx_dstate_new(const struct nx_packet *p, size_t max_text);
void nx_dstate_free(struct nx_dstate *d);
/* Bytes the state holds now, and would hold after placing P. */
size_t nx_dstate_mem(const struct nx_dstate *d);
size_t nx_dstate_mem_after(const struct nx_dstate *d, const struct nx_packet *p);
enum nx_place nx_dstate_place(struct nx_dstate *d, const struct nx_packet *p);
bool nx_dstate_complete(const struct nx_dstate *d);
/* Parts the dump rebuilt from parity, and parity verifications that failed, so far. */
void nx_dstate_fec_counts(const struct nx_dstate *d, uint32_t *recovered, uint32_t *rejected);
/* Classify P against a finished (done) dump: duplicate, or another dump. */
enum nx_place nx_dstate_check_done(const struct nx_dstate *d, const struct nx_packet *p);
/* Drop the text, keep what nx_dstate_check_done needs. */
void nx_dstate_retire(struct nx_dstate *d);
/* Build the dump for output (text in order, missing ranges). NULL on ENOMEM. */
struct nx_dump *nx_dstate_emit(const struct nx_dstate *d, const struct nx_entry *e);

/* ---- netconsole streams (reasm_stream.c) ---- */

struct nx_stream *nx_stream_new(bool extended, size_t max_text);
void nx_stream_free(struct nx_stream *s);
size_t nx_stream_mem(const struct nx_stream *s);
/* Place a datagram; finished chunks (crash report ended, size bound) become ready in R. */
enum nx_place nx_stream_feed(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e,
			     const struct nx_packet *p, uint64_t now_ms);
/* Everything held becomes one last ready chunk (none if there is no text). -1 on ENOMEM. */
int nx_stream_close(struct nx_reasm *r, struct nx_stream *s, const struct nx_entry *e);

/* ---- shared ---- */

/* "panic", "oops", "oom" or "unknown" from what the text contains. */
const char *nx_reason_from_text(const char *text, size_t len);
struct nx_dump *nx_dump_alloc(const struct nx_entry *e, size_t text_len);
/* Hand a finished dump to the caller's queue (reasm.c); counts it. */
void nx_reasm_ready(struct nx_reasm *r, struct nx_dump *d);

#endif

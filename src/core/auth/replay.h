/* Replay marks: per (host, boot), the newest authenticated dump stored, bounded in memory. */
#ifndef NX_REPLAY_H
#define NX_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The rule (docs/protocol.md, "Replay protection"): dumps of one boot are
 * numbered upwards, so once dump D of (host, boot) is stored, an
 * authenticated datagram of that boot with dump < D is a replay, and one of
 * dump D itself is a replay once WINDOW ms passed since D's last datagram
 * (before that it is a late copy, which reassembly counts as a duplicate).
 * The marks are loaded from the store at start, so they survive restarts.
 * Not thread-safe: one owner (the receive loop).
 */
struct nx_replay;

/* At most MAX (host, boot) marks; the least recently used is forgotten beyond. */
struct nx_replay *nx_replay_new(size_t max, uint32_t window_ms, uint64_t seed);
void nx_replay_free(struct nx_replay *r);

/* Dump DUMP of (HOST, BOOT) was stored (or was, before a restart: NOW_MS 0). -1 on ENOMEM. */
int nx_replay_mark(struct nx_replay *r, const char *host, const char *boot, uint32_t dump,
		   uint64_t now_ms);

/*
 * Is an authenticated datagram of (HOST, BOOT, DUMP) at NOW_MS a replay?
 * A late copy of the newest dump refreshes its window.
 */
bool nx_replay_check(struct nx_replay *r, const char *host, const char *boot, uint32_t dump,
		     uint64_t now_ms);

size_t nx_replay_count(const struct nx_replay *r);

#endif

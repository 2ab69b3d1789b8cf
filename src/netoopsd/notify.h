/* Webhook notifications (notify = URL): a JSON POST on a new crash group and on a rate jump. */
#ifndef NXD_NOTIFY_H
#define NXD_NOTIFY_H

#include <stdint.h>

#include "netoopsd/config.h"

#define NXD_NOTIFY_POLL_MS	2000	/* how often the store is looked at */
#define NXD_NOTIFY_QUEUE	256	/* events waiting to be sent, at most */
#define NXD_NOTIFY_ATTEMPTS	6	/* tries per event */
#define NXD_NOTIFY_BACKOFF_MS	1000	/* before the 2nd try; doubles, at most 32 s */
#define NXD_NOTIFY_TIMEOUT_MS	5000	/* one POST, connecting included */
#define NXD_NOTIFY_JUMP_MIN	5	/* a rate jump: at least this many dumps in the last hour, */
#define NXD_NOTIFY_JUMP_FACTOR	4	/* more than this many times the hourly rate of the day before */

/* What the notifier did (read at any time: each is written by the notifier thread only). */
struct nxd_notify_counters {
	uint64_t sent;		/* events the receiver took (2xx) */
	uint64_t retries;	/* attempts that failed and were tried again */
	uint64_t failed;	/* events given up after NXD_NOTIFY_ATTEMPTS */
	uint64_t dropped;	/* events dropped: the queue was full */
};

struct nxd_notify;

/*
 * Watch CFG's database through a read-only connection of its own and POST each event to
 * CFG->notify from a thread of its own, so that receiving is never delayed. Groups that exist
 * at start are not announced. NULL (logged) on failure.
 */
struct nxd_notify *notify_start(const struct nxd_config *cfg);

/* Copy N's counters into OUT (all zero when N is NULL). */
void notify_counters(struct nxd_notify *n, struct nxd_notify_counters *out);

/* Stop the thread (events not sent yet are dropped) and free N; N may be NULL. */
void notify_stop(struct nxd_notify *n);

#endif

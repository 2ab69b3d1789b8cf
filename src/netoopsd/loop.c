/* The receive loop: sockets and signals in, datagrams into reassembly, dumps to the sink. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "netoopsd/log.h"
#include "netoopsd/loop.h"

/* Batches taken from one socket per wakeup, so one busy socket cannot starve the rest. */
#define BATCHES_PER_WAKEUP 16

/*
 * Falling behind: a socket buffer more than 1/OVERLOAD_FILL full (or the
 * kernel dropping). For OVERLOAD_HOLD_MS after that, new dumps need admission
 * (nx_reasm_set_admission): a one-datagram fake is shed before it costs an
 * entry, which lets the loop catch up; established senders pass at once,
 * others lose only their first datagram (the redundancy pass resends it).
 */
#define OVERLOAD_FILL		8
#define OVERLOAD_HOLD_MS	1000
#define OVERLOAD_LOG_MS		10000	/* at most one warning this often */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sigset_t handled_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	return set;
}

int loop_block_signals(void)
{
	sigset_t set = handled_signals();

	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 ? 0 : -1;
}

/*
 * Reassembly's clock: monotonic time less the time the loop spent waiting
 * for the sink. While the loop waits, datagrams pile up unread in the socket
 * buffer; counting that time as "quiet" would expire the dumps they belong
 * to before they are read (a stall longer than quiet-ms split dumps, or
 * stored a late copy as a second dump).
 */
static uint64_t reasm_ms(const struct nxd_loop *l)
{
	return mono_ms() - l->stalled_ms;
}

/* Triage D: queue it (real, or a noise sample), or count it as noise and free it. */
static void hand_over(struct nxd_loop *l, struct nx_dump *d, uint64_t now)
{
	enum nxd_verdict v = triage_dump(l->triage, d, now);
	uint64_t t0;

	if (v == NXD_NOISE_COUNTED) {
		l->counters.noise.aggregated++;
		nx_dump_free(d);
		return;
	}
	if (v == NXD_NOISE_SAMPLE)
		l->counters.noise.sampled++;
	t0 = mono_ms();
	switch (sink_push(l->sink, d, wall_ms(), v == NXD_NOISE_SAMPLE)) {
	case NXD_PUSH_WAITED:
		l->counters.queue_waits++;
		l->stalled_ms += mono_ms() - t0;
		break;
	case NXD_PUSH_DROPPED:
		if (v == NXD_NOISE_SAMPLE)
			l->counters.noise.dropped++;
		break;
	case NXD_PUSH_QUEUED:
		break;
	}
}

/*
 * Hand every finished dump to the sink. Its replay mark (auth.h) runs on
 * reassembly's clock, like the done entry that absorbs its late copies: a
 * wait for the sink must not age the mark while those copies sit unread.
 */
static void drain_ready(struct nxd_loop *l)
{
	uint64_t now = mono_ms();
	struct nx_dump *d;

	while ((d = nx_reasm_next(l->reasm))) {
		nxd_auth_finished(l->auth, d, reasm_ms(l));
		hand_over(l, d, now);
	}
}

/* Once per noise interval with noise in it: say how much and from where. */
static void report_noise(struct nxd_loop *l, uint64_t now, bool final)
{
	char msg[2048];

	if (triage_interval_end(l->triage, now, final, msg, sizeof(msg))) {
		log_warn("%s", msg);
		sink_update_noise(l->sink, &l->triage->last);	/* for /v1/stats */
	}
}

/* Also counts the drops after the last datagram, which no datagram reports. */
static void publish_counters(struct nxd_loop *l)
{
	for (size_t i = 0; i < l->n_listeners; i++)
		listener_poll(&l->listeners[i], OVERLOAD_FILL, &l->counters.rx);
	l->counters.reasm = *nx_reasm_stats(l->reasm);
	shards_publish(l->group, l);
}

static bool trusted(void *ctx, const char *source, const char *host)
{
	const struct nxd_loop *l = ctx;

	return triage_trusted(l->triage, source, host);
}

/* Admission on while overloaded (see OVERLOAD_FILL), off once caught up. */
static void update_admission(struct nxd_loop *l, uint64_t now)
{
	bool want = now < l->overload_until;

	if (want == l->admitting)
		return;
	if (nx_reasm_set_admission(l->reasm, want ? trusted : NULL, l) < 0) {
		log_err("out of memory for flood admission; admitting every dump");
		l->overload_until = 0;
		return;
	}
	l->admitting = want;
	if (want && (!l->overload_logged || now >= l->overload_logged + OVERLOAD_LOG_MS)) {
		l->overload_logged = now;
		log_warn("falling behind (a socket buffer is over 1/%d full): new dumps from "
			 "senders not established are admitted from their second datagram "
			 "(counted as shed: %llu so far)", OVERLOAD_FILL,
			 (unsigned long long)nx_reasm_stats(l->reasm)->shed);
	}
}

/* Verify (auth.h), then reassemble: forged, replayed and refused datagrams stop here. */
static void feed(struct nxd_loop *l, const struct nxd_datagram *dg, uint64_t now)
{
	const uint8_t *buf;
	bool authenticated;

	/* NOW is reassembly's clock, as drain_ready's replay marks are. */
	if (nxd_auth_check(l->auth, dg->source, dg->buf, dg->len, now, &buf,
			   &authenticated, &l->counters.auth))
		nx_reasm_feed_auth(l->reasm, dg->source, buf, dg->len, now, authenticated);
}

/* Returns the number of datagrams received. */
static size_t receive(struct nxd_loop *l, struct nxd_listener *s,
		      struct nxd_rx_batch *b, struct nxd_datagram *dg)
{
	size_t total = 0;
	uint64_t overflow = l->counters.rx.socket_overflow;

	for (int round = 0; round < BATCHES_PER_WAKEUP; round++) {
		size_t n = listener_receive(s, b, dg, &l->counters.rx);
		uint64_t now = reasm_ms(l);

		for (size_t i = 0; i < n; i++)
			feed(l, &dg[i], now);
		drain_ready(l);
		total += n;
		if (n < l->cfg->batch)
			break;
	}
	if (listener_poll(s, OVERLOAD_FILL, &l->counters.rx) ||
	    l->counters.rx.socket_overflow > overflow)
		l->overload_until = mono_ms() + OVERLOAD_HOLD_MS;
	return total;
}

/* Returns false when the loop should stop. */
static bool handle_signal(struct nxd_loop *l, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		sink_reopen(l->sink);
		atomic_fetch_add(&l->group->auth_gen, 1);	/* every shard reloads its key */
		return true;
	}
	log_info("signal %u: flushing partial dumps and stopping", si.ssi_signo);
	return false;
}

/* A SIGHUP since L loaded its fleet key: load it again (this shard's own policy). */
static void reload_auth(struct nxd_loop *l)
{
	unsigned gen = atomic_load(&l->group->auth_gen);
	char msg[4400];

	if (gen == l->auth_gen)
		return;
	l->auth_gen = gen;
	if (nxd_auth_reload(l->auth, msg, sizeof(msg)) < 0)
		log_err("receive thread %u: %s; keeping the fleet key loaded before", l->shard,
			msg);
}

/* Event tags besides the listeners' indexes. */
#define EV_SIGNAL	NXD_MAX_LISTEN		/* shard 0: the signal fd */
#define EV_STOP		(NXD_MAX_LISTEN + 1)	/* the others: the group's stop eventfd */

static int setup_epoll(struct nxd_loop *l, int sfd)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };

	if (ep < 0)
		return -1;
	ev.data.u32 = sfd >= 0 ? EV_SIGNAL : EV_STOP;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd >= 0 ? sfd : l->group->stop_fd, &ev) < 0)
		goto close_ep;
	for (size_t i = 0; i < l->n_listeners; i++) {
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, l->listeners[i].fd, &ev) < 0)
			goto close_ep;
	}
	return ep;
close_ep:
	close(ep);
	return -1;
}

/* Wait no longer than the next reassembly deadline (at reassembly time RNOW) or publication. */
static int next_timeout(struct nxd_loop *l, uint64_t rnow, uint64_t now, uint64_t publish_at)
{
	int64_t t = nx_reasm_next_deadline(l->reasm, rnow);
	int64_t p = publish_at > now ? (int64_t)(publish_at - now) : 0;

	if (t < 0 || t > p)
		t = p;
	return (int)(t > 60000 ? 60000 : t);
}

static void serve(struct nxd_loop *l, int ep, int sfd, struct nxd_rx_batch *b,
		  struct nxd_datagram *dg)
{
	uint64_t publish_at = mono_ms();
	bool running = true;

	while (running) {
		struct epoll_event ev[NXD_MAX_LISTEN + 1];
		uint64_t now = mono_ms(), rnow = now - l->stalled_ms;
		int n = epoll_wait(ep, ev, NXD_MAX_LISTEN + 1,
				   next_timeout(l, rnow, now, publish_at));

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == EV_SIGNAL)
				running = handle_signal(l, sfd) && running;
			else if (ev[i].data.u32 == EV_STOP)
				running = false;
			else
				receive(l, &l->listeners[ev[i].data.u32], b, dg);
		}
		reload_auth(l);
		now = mono_ms();
		update_admission(l, now);
		rnow = now - l->stalled_ms;	/* reasm_ms(), from the same reading */
		if (nx_reasm_next_deadline(l->reasm, rnow) == 0) {
			nx_reasm_expire(l->reasm, rnow);
			drain_ready(l);
		}
		if (now >= publish_at) {
			report_noise(l, now, false);
			publish_counters(l);
			publish_at = now + l->cfg->stats_interval_ms / 2;
		}
	}
}

/* One shard's loop; SFD: the signal fd (shard 0), or -1 (stopped by the group's stop fd). */
static int run_shard(struct nxd_loop *l, int sfd)
{
	struct nxd_rx_batch *b = rx_batch_new(l->cfg->batch);
	struct nxd_datagram *dg = calloc(l->cfg->batch, sizeof(*dg));
	int ep = setup_epoll(l, sfd);
	uint64_t seed = 0;

	l->triage = malloc(sizeof(*l->triage));
	if (!b || !dg || ep < 0 || !l->triage) {
		log_err("cannot start receive loop %u: %s", l->shard, strerror(errno));
		rx_batch_free(b);
		free(dg);
		free(l->triage);
		l->triage = NULL;
		if (ep >= 0)
			close(ep);
		return -1;
	}
	/* A secret key: senders cannot aim at one slot of the established table. */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		log_warn("getrandom failed; the triage hash key is not secret");
	triage_init(l->triage, seed, mono_ms());
	l->counters.started_ms = (uint64_t)wall_ms();
	serve(l, ep, sfd, b, dg);
	nx_reasm_flush(l->reasm, reasm_ms(l));
	drain_ready(l);
	report_noise(l, mono_ms(), true);
	publish_counters(l);
	free(l->triage);
	l->triage = NULL;
	close(ep);
	rx_batch_free(b);
	free(dg);
	return 0;
}

/* The thread of shards 1..n-1. */
static void *shard_main(void *arg)
{
	struct nxd_loop *l = arg;

	if (run_shard(l, -1) < 0)
		kill(getpid(), SIGTERM);	/* one loop less would lose its shard's dumps */
	return NULL;
}

/* Start shards 1..n-1; returns how many were started. */
static unsigned start_shards(struct nxd_loop *l)
{
	struct nxd_shards *g = l->group;
	unsigned s;

	for (s = 1; s < g->n; s++) {
		g->loop[s]->sink = l->sink;
		if (pthread_create(&g->thread[s], NULL, shard_main, g->loop[s]) != 0) {
			log_err("cannot start receive thread %u: %s", s, strerror(errno));
			break;
		}
	}
	return s;
}

static void stop_shards(struct nxd_loop *l, unsigned started)
{
	struct nxd_shards *g = l->group;
	uint64_t one = 1;

	if (write(g->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_err("cannot stop the receive threads: %s", strerror(errno));
	for (unsigned s = 1; s < started; s++)
		pthread_join(g->thread[s], NULL);
}

int loop_run(struct nxd_loop *l)
{
	sigset_t set = handled_signals();
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	unsigned started;
	int rc = -1;

	if (sfd < 0) {
		log_err("cannot start the receive loop: signalfd: %s", strerror(errno));
		return -1;
	}
	started = start_shards(l);
	if (started == l->group->n) {
		sd_notify(0, "READY=1\nSTATUS=receiving");
		rc = run_shard(l, sfd);
		sd_notify(0, "STOPPING=1");
	}
	stop_shards(l, started);
	close(sfd);
	shards_total(l->group, &l->counters);
	return rc;
}

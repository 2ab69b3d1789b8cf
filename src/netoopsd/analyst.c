/* The parent side of the analysis worker: start it, send texts, read replies with a deadline, restart it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/analyse/report_wire.h"
#include "netoopsd/analyst.h"
#include "netoopsd/analyst_int.h"

#define BACKOFF_FIRST_MS 100	/* after the second failure in a row; doubles each time */
#define BACKOFF_MAX_MS 30000
#define BACKOFF_WAIT_MS 1000	/* a run waits for a back-off this short, else skips */

extern char **environ;

struct nxd_analyst {
	struct nxd_analyst_conf c;
	pid_t pid;			/* 0: no worker */
	int fd;				/* our end of its socket */
	unsigned failures;		/* in a row: sets the back-off */
	int64_t next_start_ms;		/* monotonic: no worker starts before */
	int64_t busy_ms;		/* time this worker worked: bounds its CPU time */
	bool started_once;
	struct nxd_analyst_stats st;
};

/* Why one exchange with the worker ended. */
enum outcome {
	EX_OK,
	EX_NO_MEMORY,	/* the worker's analysis ran out of memory (or the text is too big) */
	EX_DIED,	/* end of file: the worker is gone */
	EX_TIMEOUT,
	EX_INVALID,	/* the worker's reply broke the protocol */
	EX_ABORTED,	/* we ran out of memory mid-reply: the worker is fine but out of step */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nxd_analyst_conf_init(struct nxd_analyst_conf *c, const char *user, size_t max_memory,
			  uint32_t timeout_ms, char *err, size_t errlen)
{
	struct passwd *pw;

	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	c->max_memory = max_memory;
	c->timeout_ms = timeout_ms;
	if (geteuid() != 0)
		return 0;	/* not root: nobody to become; the filter still applies */
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "analysis-user: no user '%s' on this system (name an "
			 "unprivileged user, e.g. nobody)", user);
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "analysis-user: '%s' is root (uid or gid 0); name an "
			 "unprivileged user, e.g. nobody", user);
		return -1;
	}
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	return 0;
}

struct nxd_analyst *nxd_analyst_new(const struct nxd_analyst_conf *c)
{
	struct nxd_analyst *a = calloc(1, sizeof(*a));

	if (a) {
		a->c = *c;
		a->fd = -1;
	}
	return a;
}

const struct nxd_analyst_stats *nxd_analyst_stats(const struct nxd_analyst *a)
{
	return &a->st;
}

/* ---- the worker's life ---------------------------------------------------------------- */

/* "killed by signal 11 (SIGSEGV)", "exited with status 3", from a waitpid() status. */
static void describe_exit(int status, char *why, size_t len)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(why, len, "worker killed by signal %d (SIG%s%s)", sig,
			 abbrev ? abbrev : "?",
			 sig == SIGSYS ? ": a system call its seccomp filter forbids" : "");
	} else if (WIFEXITED(status)) {
		snprintf(why, len, "worker exited with status %d%s", WEXITSTATUS(status),
			 WEXITSTATUS(status) == NXD_WORKER_EXIT_CONFINE ?
			 " (could not confine itself; see its message)" :
			 WEXITSTATUS(status) == NXD_WORKER_EXIT_NOMEM ? " (out of memory)" : "");
	} else {
		snprintf(why, len, "worker ended with status 0x%x", (unsigned)status);
	}
}

/*
 * Kill the worker and reap it. SIGKILL first: a worker that closed its socket
 * but lives on must not make us wait. One that already died keeps its cause
 * of death. WHY (if not NULL) gets the cause.
 */
static void stop_worker(struct nxd_analyst *a, char *why, size_t len)
{
	int status = 0;

	if (!a->pid)
		return;
	close(a->fd);
	kill(a->pid, SIGKILL);
	while (waitpid(a->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (why)
		describe_exit(status, why, len);
	a->pid = 0;
	a->fd = -1;
	a->busy_ms = 0;
}

/*
 * posix_spawn (fork+exec) of our own executable with NXD_ANALYST_ARG, not a
 * bare fork: netoopsd is multithreaded, and a forked child of a threaded
 * process may only call async-signal-safe functions until it execs, while
 * analysis allocates; and a fresh image holds none of the parent's memory
 * (partial dumps, the hash key, the database handle) for a compromised
 * analyser to read. /proc/self/exe is the running binary even after an
 * upgrade replaced the file, so parent and worker always speak one protocol.
 */
static int spawn(struct nxd_analyst *a, int child_fd, char *why, size_t len)
{
	char uid[24], gid[24], mem[24], parent[24];
	char *argv[] = { "netoops-analysis-worker", NXD_ANALYST_ARG, uid, gid, mem, parent, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, pipe;
	int rc;

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)a->c.uid);
	snprintf(gid, sizeof(gid), "%lu", (unsigned long)a->c.gid);
	snprintf(mem, sizeof(mem), "%zu", a->c.max_memory);
	snprintf(parent, sizeof(parent), "%ld", (long)getpid());
	sigemptyset(&none);
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	/* Signals as a fresh process has them: nothing blocked, SIGPIPE not ignored. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &pipe);
	posix_spawn_file_actions_adddup2(&fa, child_fd, NXD_ANALYST_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, NXD_ANALYST_FD + 1);
	rc = posix_spawn(&a->pid, "/proc/self/exe", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		a->pid = 0;
		snprintf(why, len, "cannot start the analysis worker: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int n;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
	} while (n == 0 || (n < 0 && errno == EINTR));
	return n < 0 ? -1 : 1;
}

/* Read or write LEN bytes by DEADLINE: the outcome (EX_OK, EX_DIED, EX_TIMEOUT). */
static enum outcome transfer(int fd, void *buf, size_t len, bool out, int64_t deadline)
{
	for (size_t done = 0; done < len;) {
		ssize_t n;
		int w = wait_fd(fd, out ? POLLOUT : POLLIN, deadline);

		if (w == 0)
			return EX_TIMEOUT;
		if (w < 0)
			return EX_DIED;
		n = out ? send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT) :
			  recv(fd, (char *)buf + done, len - done, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return EX_DIED;	/* EOF, EPIPE, ECONNRESET: the worker is gone */
		done += (size_t)n;
	}
	return EX_OK;
}

/* Start a worker and wait until it says it is confined and ready. */
static int start_worker(struct nxd_analyst *a, char *why, size_t len)
{
	static const char ready[4] = NXD_WORKER_READY;
	char got[4];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, len, "cannot start the analysis worker: socketpair: %s",
			 strerror(errno));
		return -1;
	}
	if (spawn(a, sv[1], why, len) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	a->fd = sv[0];
	a->st.restarts += a->started_once;
	a->started_once = true;
	switch (transfer(a->fd, got, sizeof(got), false, now_ms() + a->c.timeout_ms)) {
	case EX_OK:
		if (memcmp(got, ready, sizeof(got)) == 0)
			return 0;
		stop_worker(a, NULL, 0);
		snprintf(why, len, "analysis worker did not start: it sent a bad greeting");
		return -1;
	case EX_TIMEOUT:
		stop_worker(a, NULL, 0);
		snprintf(why, len, "analysis worker did not start within %u ms", a->c.timeout_ms);
		return -1;
	default: {
		char cause[NX_ANALYSIS_ERROR_MAX];

		stop_worker(a, cause, sizeof(cause));
		snprintf(why, len, "analysis worker did not start: %s", cause);
		return -1;
	}
	}
}

/* One more failure in a row: no new worker before the back-off has passed. */
static void back_off(struct nxd_analyst *a)
{
	int64_t delay = 0;

	if (++a->failures >= 2) {
		delay = BACKOFF_FIRST_MS;
		for (unsigned i = 2; i < a->failures && delay < BACKOFF_MAX_MS; i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
	}
	a->next_start_ms = now_ms() + delay;
}

/* A worker to talk to: the running one, or a new one if the back-off allows. */
static int have_worker(struct nxd_analyst *a, char *why, size_t len)
{
	int64_t wait;

	if (a->pid)
		return 0;
	wait = a->next_start_ms - now_ms();
	if (wait > BACKOFF_WAIT_MS) {
		snprintf(why, len, "analysis worker restarting after %u failures in a row "
			 "(next start in %lld ms)", a->failures, (long long)wait);
		return -1;
	}
	if (wait > 0)
		nanosleep(&(struct timespec){ wait / 1000, (wait % 1000) * 1000000 }, NULL);
	if (start_worker(a, why, len) == 0)
		return 0;
	back_off(a);
	return -1;
}

int nxd_analyst_start(struct nxd_analyst *a, char *why, size_t whylen)
{
	return have_worker(a, why, whylen);
}

/* ---- one text ------------------------------------------------------------------------- */

static enum outcome read_reply(struct nxd_analyst *a, size_t text_len, int64_t deadline,
			       struct nx_report_set **set, char *why, size_t len)
{
	uint32_t hdr[2];
	enum outcome o = transfer(a->fd, hdr, sizeof(hdr), false, deadline);
	uint8_t *buf;

	if (o != EX_OK)
		return o;
	if (hdr[1] == NXD_REPLY_NO_MEMORY && hdr[0] == 0)
		return EX_NO_MEMORY;
	if (hdr[1] != 0) {
		snprintf(why, len, "worker sent an invalid reply: flags 0x%x", hdr[1]);
		return EX_INVALID;
	}
	if (hdr[0] > NX_WIRE_MAX(text_len)) {
		snprintf(why, len, "worker sent an invalid reply: %u bytes for %zu of text",
			 hdr[0], text_len);
		return EX_INVALID;
	}
	buf = malloc(hdr[0] ? hdr[0] : 1);
	if (!buf) {
		snprintf(why, len, "out of memory for a reply of %u bytes", hdr[0]);
		return EX_ABORTED;
	}
	o = transfer(a->fd, buf, hdr[0], false, deadline);
	if (o == EX_OK) {
		char err[96];

		*set = nx_report_wire_decode(buf, hdr[0], text_len, err, sizeof(err));
		if (!*set) {
			snprintf(why, len, "worker sent an invalid reply: %s", err);
			o = EX_INVALID;
		}
	}
	free(buf);
	return o;
}

static enum outcome exchange(struct nxd_analyst *a, const char *text, size_t len,
			     struct nx_report_set **set, char *why, size_t whylen)
{
	int64_t start = now_ms(), deadline = start + a->c.timeout_ms;
	uint32_t n = (uint32_t)len;
	enum outcome o = EX_INVALID;

	if (len > UINT32_MAX || len > a->c.max_memory) {
		snprintf(why, whylen, "text of %zu bytes is larger than the worker may hold", len);
		return EX_NO_MEMORY;
	}
	o = transfer(a->fd, &n, sizeof(n), true, deadline);
	if (o == EX_OK)
		o = transfer(a->fd, (char *)text, len, true, deadline);
	if (o == EX_OK)
		o = read_reply(a, len, deadline, set, why, whylen);
	a->busy_ms += now_ms() - start;
	return o;
}

/* After a failed exchange: count it, say why, stop the worker, back off. */
static void worker_failed(struct nxd_analyst *a, enum outcome o, char *why, size_t len)
{
	char cause[NX_ANALYSIS_ERROR_MAX];

	stop_worker(a, cause, sizeof(cause));
	if (o == EX_TIMEOUT) {
		a->st.timeouts++;
		snprintf(why, len, "analysis took over %u ms: worker killed", a->c.timeout_ms);
	} else {
		a->st.crashes++;
		if (o == EX_DIED)
			snprintf(why, len, "%s", cause);
	}
	back_off(a);
}

/*
 * A crash is tried once more on a fresh worker (an earlier text may have
 * left the worker broken); a text that kills two workers, hangs one or gets
 * an invalid reply is not tried again here (netoopsctl reanalyze can).
 */
enum nx_analysis_state nxd_analyst_run(struct nxd_analyst *a, const char *text, size_t len,
				       struct nx_report_set **set, struct nx_analysis *an)
{
	char *why = an->error, unused[NX_ANALYSIS_ERROR_MAX];
	size_t whylen = sizeof(an->error);

	*set = NULL;
	why[0] = '\0';
	for (int attempt = 0; attempt < 2; attempt++) {
		enum outcome o;

		/* On the retry, the first crash stays the reason if no worker can be had. */
		if (have_worker(a, attempt ? unused : why, whylen) < 0)
			return an->state = attempt ? NX_ANALYSIS_FAILED : NX_ANALYSIS_NONE;
		o = exchange(a, text, len, set, why, whylen);
		if (o == EX_OK) {
			a->failures = 0;
			why[0] = '\0';
			if (a->busy_ms > NXD_ANALYST_CPU_S * 1000 / 2)
				stop_worker(a, NULL, 0);	/* retire it before RLIMIT_CPU */
			return an->state = NX_ANALYSIS_OK;
		}
		if (o == EX_NO_MEMORY) {
			a->st.no_memory++;
			if (!why[0])
				snprintf(why, whylen, "analysis ran out of memory");
			return an->state = NX_ANALYSIS_FAILED;
		}
		if (o == EX_ABORTED) {
			stop_worker(a, NULL, 0);	/* not its fault: not counted */
			break;
		}
		worker_failed(a, o, why, whylen);
		if (o != EX_DIED)
			break;
		if (attempt)
			snprintf(why + strlen(why), whylen - strlen(why), ", twice");
	}
	return an->state = NX_ANALYSIS_FAILED;
}

void nxd_analyst_free(struct nxd_analyst *a)
{
	if (!a)
		return;
	stop_worker(a, NULL, 0);
	free(a);
}

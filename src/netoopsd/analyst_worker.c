/* The analysis worker process: confine itself (user, limits, seccomp), then analyse texts read from its socket. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "core/analyse/report_wire.h"
#include "netoopsd/analyst.h"
#include "netoopsd/analyst_int.h"

/* Under AddressSanitizer the address space holds terabytes of shadow: no RLIMIT_AS there. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct worker_conf {
	uid_t uid;
	gid_t gid;
	size_t max_memory;
	pid_t parent;
};

static int die(const char *what)
{
	fprintf(stderr, "netoops analysis worker: cannot %s: %s\n", what, strerror(errno));
	return NXD_WORKER_EXIT_CONFINE;
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return !*s || *end || errno || *out > max ? -1 : 0;
}

/* argv: exe NXD_ANALYST_ARG UID GID MAX_MEMORY PARENT_PID (built by analyst.c). */
static int parse_args(int argc, char **argv, struct worker_conf *c)
{
	unsigned long long v[4];

	if (argc != 6)
		return -1;
	for (int i = 0; i < 4; i++)
		if (parse_num(argv[2 + i], i == 2 ? SIZE_MAX : UINT_MAX, &v[i]) < 0)
			return -1;
	c->uid = (uid_t)v[0];
	c->gid = (gid_t)v[1];
	c->max_memory = (size_t)v[2];
	c->parent = (pid_t)v[3];
	return 0;
}

/* Nothing inherited but the socket and stderr (for a sanitizer's or our own last words). */
static int close_inherited(void)
{
	if (fcntl(NXD_ANALYST_FD, F_GETFD) < 0) {
		errno = EBADF;
		return die("find its socket (fd 3)");
	}
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	if (close_range(NXD_ANALYST_FD + 1, ~0u, 0) < 0)
		return die("close inherited file descriptors");
	return 0;
}

static int set_limit(int resource, rlim_t value, const char *what)
{
	struct rlimit r = { value, value };

	return setrlimit(resource, &r) < 0 ? die(what) : 0;
}

/* Root: no supplementary groups, then the group, then the user; proven irreversible. */
static int drop_privileges(const struct worker_conf *c)
{
	if (geteuid() != 0 || c->uid == (uid_t)-1)
		return 0;
	if (setgroups(0, NULL) < 0)
		return die("drop supplementary groups");
	if (setgid(c->gid) < 0)
		return die("set its group");
	if (setuid(c->uid) < 0)
		return die("set its user");
	if (setuid(0) == 0) {
		errno = EPERM;
		return die("give up root for good");
	}
	return 0;
}

/*
 * Run one analysis before the filter goes on: libcrypto loads its
 * configuration and providers on first use (open(), ...), which the filter
 * would punish later.
 */
static void warm_up(void)
{
	static const char oops[] =
		"BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"Oops: 0000 [#1] SMP\n"
		"CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1\n"
		"RIP: 0010:warm_up+0x1/0x2\n"
		"Call Trace:\n"
		" do_one_initcall+0x5b/0x220\n";
	struct nx_report_set *set = nx_analyse(oops, sizeof(oops) - 1);
	size_t len;

	free(nx_report_wire_encode(set, &len));
	nx_report_set_free(set);
}

/* Pages of address space in use now (/proc/self/statm), read while files can still be opened. */
static int address_space(size_t *bytes)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return die("read /proc/self/statm");
	n = fscanf(f, "%lu", &pages);
	fclose(f);
	if (n != 1) {
		errno = EINVAL;
		return die("read /proc/self/statm");
	}
	*bytes = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static int limit_resources(const struct worker_conf *c)
{
	size_t now = 0;

	if (address_space(&now) < 0)
		return NXD_WORKER_EXIT_CONFINE;
#ifndef UNDER_ASAN
	if (set_limit(RLIMIT_AS, (rlim_t)(now + c->max_memory), "limit its address space"))
		return NXD_WORKER_EXIT_CONFINE;
#else
	(void)c;
#endif
	if (set_limit(RLIMIT_CPU, NXD_ANALYST_CPU_S, "limit its CPU time") ||
	    set_limit(RLIMIT_CORE, 0, "forbid core files") ||
	    set_limit(RLIMIT_NOFILE, 0, "forbid new file descriptors"))
		return NXD_WORKER_EXIT_CONFINE;
	return 0;
}

/* A system call allowed only with argument ARG == VALUE. */
static int allow_if(scmp_filter_ctx f, int nr, unsigned arg, scmp_datum_t value)
{
	struct scmp_arg_cmp c = { .arg = arg, .op = SCMP_CMP_EQ, .datum_a = value, .datum_b = 0 };

	return seccomp_rule_add_array(f, SCMP_ACT_ALLOW, nr, 1, &c);
}

/* A memory call allowed only without PROT_EXEC in its protection argument ARG. */
static int allow_no_exec(scmp_filter_ctx f, int nr, unsigned arg)
{
	struct scmp_arg_cmp c = { .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = PROT_EXEC,
				  .datum_b = 0 };

	return seccomp_rule_add_array(f, SCMP_ACT_ALLOW, nr, 1, &c);
}

/*
 * Everything the analysis loop needs, nothing else; anything else kills the
 * process (SIGSYS), which the parent counts as a crash.
 */
static int install_filter(void)
{
	static const int plain[] = {
		SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
		SCMP_SYS(exit), SCMP_SYS(exit_group),
		/* abort() and raise() on itself, so an assertion shows as SIGABRT */
		SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid), SCMP_SYS(gettid),
#ifdef UNDER_ASAN
		/* ASan looks up the signal stack before every noreturn call (test builds only) */
		SCMP_SYS(sigaltstack),
#endif
	};
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (!f) {
		/* libseccomp probes the kernel: seccomp() missing, or forbidden by a filter above us */
		errno = ENOSYS;
		return die("set up a seccomp filter (seccomp(2) unavailable or forbidden; under "
			   "systemd, allow it with SystemCallFilter=seccomp)");
	}

	for (size_t i = 0; rc == 0 && i < sizeof(plain) / sizeof(plain[0]); i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0);
	if (rc == 0)
		rc = allow_if(f, SCMP_SYS(read), 0, NXD_ANALYST_FD);
	if (rc == 0)
		rc = allow_if(f, SCMP_SYS(write), 0, NXD_ANALYST_FD);
	if (rc == 0)
		rc = allow_if(f, SCMP_SYS(write), 0, STDERR_FILENO);
	if (rc == 0)
		rc = allow_if(f, SCMP_SYS(tgkill), 0, (scmp_datum_t)getpid());
	if (rc == 0)
		rc = allow_no_exec(f, SCMP_SYS(mmap), 2);
	if (rc == 0)
		rc = allow_no_exec(f, SCMP_SYS(mprotect), 2);
	if (rc == 0)
		rc = seccomp_load(f);
	seccomp_release(f);
	if (rc < 0) {
		errno = -rc;
		return die("install its seccomp filter");
	}
	return 0;
}

static int confine(const struct worker_conf *c)
{
	/* Die with the parent; if it is already gone, do not run as an orphan. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return die("follow its parent's death");
	if (getppid() != c->parent)
		return NXD_WORKER_EXIT_CONFINE;
	prctl(PR_SET_NAME, "netoops-analyst");	/* what ps and top show */
	if (close_inherited() || drop_privileges(c))
		return NXD_WORKER_EXIT_CONFINE;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return die("set no_new_privs");
	warm_up();
	if (limit_resources(c) || install_filter())
		return NXD_WORKER_EXIT_CONFINE;
	return 0;
}

/* ---- after confinement: only reads and writes on the socket ---------------------------- */

/* All LEN bytes through the socket, in (OUT false) or out; -1 at end of file or error. */
static int transfer(void *buf, size_t len, bool out)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = out ? write(NXD_ANALYST_FD, (const char *)buf + done, len - done) :
				  read(NXD_ANALYST_FD, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int read_full(void *buf, size_t len)
{
	return transfer(buf, len, false);
}

static int write_full(const void *buf, size_t len)
{
	return transfer((void *)buf, len, true);
}

static int reply(const struct nx_report_set *set)
{
	size_t len = 0;
	uint8_t *buf = set ? nx_report_wire_encode(set, &len) : NULL;
	uint32_t hdr[2] = { (uint32_t)len, buf ? 0 : NXD_REPLY_NO_MEMORY };
	int rc = write_full(hdr, sizeof(hdr)) == 0 && write_full(buf, len) == 0 ? 0 : -1;

	free(buf);
	return rc;
}

/* One request: u32 length, text; one reply: u32 length, u32 flags, encoded set. */
static int serve_one(void)
{
	struct nx_report_set *set;
	uint32_t len;
	char *text;

	if (read_full(&len, sizeof(len)) < 0)
		return -1;		/* the parent closed the socket: done */
	text = malloc((size_t)len + 1);
	if (!text)
		_exit(NXD_WORKER_EXIT_NOMEM);
	if (read_full(text, len) < 0) {
		free(text);
		return -1;
	}
	text[len] = '\0';
	nxd_fault_inject(text, len);
	set = nx_analyse(text, len);
	free(text);
	len = (uint32_t)reply(set);
	nx_report_set_free(set);
	return (int)len;
}

int nxd_analyst_worker_main(int argc, char **argv)
{
	static const char ready[4] = NXD_WORKER_READY;
	struct worker_conf c;
	int rc;

	if (parse_args(argc, argv, &c) < 0) {
		fprintf(stderr, "%s is for the analysis worker netoops starts itself\n",
			NXD_ANALYST_ARG);
		return 2;
	}
	rc = confine(&c);
	if (rc)
		return rc;
	if (write_full(ready, sizeof(ready)) < 0)
		_exit(0);
	while (serve_one() == 0)
		;
	/* _exit: no atexit handlers (a leak checker would need system calls the filter forbids). */
	_exit(0);
}

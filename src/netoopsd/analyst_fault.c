/* Fault injection for tests (compiled only with -DNXD_FAULT_INJECTION, `make fault`): the worker misbehaves, or the daemon runs out of memory, on request. */
#include "netoopsd/analyst.h"
#include "netoopsd/analyst_int.h"

#ifdef NXD_FAULT_INJECTION
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A dump whose text holds "NETOOPS-FAULT-INJECT: KIND" makes the worker do
 * KIND instead of analysing it, the way a parser bug would
 * (tests/integration/hostile/isolate.sh). Production builds have none of
 * this: the test checks their binaries for the marker.
 */
#define MARKER "NETOOPS-FAULT-INJECT: "

/* A wild pointer the compiler cannot see through. */
static char *volatile wild = (char *)(uintptr_t)16;

static void fault_segv(void)
{
	*wild = 1;
}

static void fault_hang(void)
{
	for (volatile unsigned long i = 0;; i++)
		;
}

/* Allocate and touch until refused, then use the NULL as careless code would. */
static void fault_alloc(void)
{
	char *p;

	while ((p = malloc(1u << 20)))
		memset(p, 1, 1u << 20);
	fault_segv();
}

static void fault_open(void)
{
	open("/etc/hostname", O_RDONLY);
}

static void fault_socket(void)
{
	socket(AF_INET, SOCK_DGRAM, 0);
}

/* A compromised worker's replies: a size no text warrants, then bytes that decode to nothing. */
static void reply(uint32_t len, uint32_t flags, const void *body, size_t n)
{
	uint32_t hdr[2] = { len, flags };

	if (write(NXD_ANALYST_FD, hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr) && n)
		(void)!write(NXD_ANALYST_FD, body, n);
	while (read(NXD_ANALYST_FD, hdr, sizeof(hdr)) > 0)
		;	/* and then play dead until killed */
	_exit(0);
}

static void fault_lie_size(void)
{
	reply(0xfffffff0u, 0, NULL, 0);
}

static void fault_lie_bytes(void)
{
	static const char junk[64] = "NXRW\001\377\377\377\000 not a report set";

	reply(sizeof(junk), 0, junk, sizeof(junk));
}

static const struct {
	const char *kind;
	void (*run)(void);
} faults[] = {
	{ "segv", fault_segv },
	{ "abort", abort },
	{ "hang", fault_hang },
	{ "alloc", fault_alloc },
	{ "open", fault_open },		/* a system call the seccomp filter forbids */
	{ "socket", fault_socket },	/* another */
	{ "lie-size", fault_lie_size },	/* a reply the parent must not allocate */
	{ "lie-bytes", fault_lie_bytes },	/* a reply the parent must not believe */
};

/* TEXT asks for fault KIND: the marker, then KIND as a word. */
static bool asked(const char *text, size_t len, const char *kind)
{
	const char *m = text ? memmem(text, len, MARKER, strlen(MARKER)) : NULL;
	size_t left, n = strlen(kind);

	if (!m)
		return false;
	m += strlen(MARKER);
	left = len - (size_t)(m - text);
	return left >= n && memcmp(m, kind, n) == 0 && (left == n || m[n] == '\n' || m[n] == ' ');
}

void nxd_fault_inject(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (asked(text, len, faults[i].kind))
			faults[i].run();
}

bool nxd_fault_nomem(const char *text, size_t len)
{
	return asked(text, len, "queue-nomem");
}
#else
typedef int nxd_no_fault_injection;	/* ISO C wants a declaration in every file */
#endif

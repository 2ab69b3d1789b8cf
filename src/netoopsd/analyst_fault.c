/* Fault injection for tests (compiled only with -DNXD_FAULT_INJECTION, `make fault`): the worker misbehaves on request. */
#include "netoopsd/analyst_int.h"

#ifdef NXD_FAULT_INJECTION
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
};

void nxd_fault_inject(const char *text, size_t len)
{
	const char *m = memmem(text, len, MARKER, strlen(MARKER));
	size_t left;

	if (!m)
		return;
	m += strlen(MARKER);
	left = len - (size_t)(m - text);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		size_t n = strlen(faults[i].kind);

		if (left >= n && memcmp(m, faults[i].kind, n) == 0 &&
		    (left == n || m[n] == '\n' || m[n] == ' '))
			faults[i].run();
	}
}
#else
typedef int nxd_no_fault_injection;	/* ISO C wants a declaration in every file */
#endif

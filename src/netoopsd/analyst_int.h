/* What the analysis worker and its parent agree on: exit codes, the reply flags, fault injection. */
#ifndef NXD_ANALYST_INT_H
#define NXD_ANALYST_INT_H

#include <stdbool.h>
#include <stddef.h>

/* The worker writes these 4 bytes once it is confined: it is ready for texts. */
#define NXD_WORKER_READY	{ 'N', 'X', 'O', 'K' }

enum {
	NXD_WORKER_EXIT_CONFINE = 3,	/* could not confine itself (message on stderr) */
	NXD_WORKER_EXIT_NOMEM = 4,	/* no memory for a text */
};

/* Reply flags (the second u32 of a reply header). */
#define NXD_REPLY_NO_MEMORY 1u		/* nx_analyse() ran out of memory: no reports */

#ifdef NXD_FAULT_INJECTION
/* Test builds only (make fault): crash, hang or misbehave as TEXT asks (analyst_fault.c). */
void nxd_fault_inject(const char *text, size_t len);
/* Test builds only: true when TEXT asks the allocation that queues its dump for the store
 * to fail ("queue-nomem"), as it would out of memory (sink_push). */
bool nxd_fault_nomem(const char *text, size_t len);
#else
static inline void nxd_fault_inject(const char *text, size_t len)
{
	(void)text;
	(void)len;
}

static inline bool nxd_fault_nomem(const char *text, size_t len)
{
	(void)text;
	(void)len;
	return false;
}
#endif

#endif

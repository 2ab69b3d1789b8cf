/* Small helpers the netoopsctl target commands share: error messages into buffers, monotonic time. */
#ifndef NXCTL_CTLUTIL_H
#define NXCTL_CTLUTIL_H

#include <stddef.h>

/* Format a message into ERR (ERRLEN bytes), like snprintf. */
void nx_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Milliseconds of CLOCK_MONOTONIC. */
long long nx_now_ms(void);

void nx_sleep_ms(int ms);

#endif

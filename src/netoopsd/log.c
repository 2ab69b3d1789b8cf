/* netoopsd's diagnostics: "<N>netoopsd: message" lines on stderr, errno kept intact. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "netoopsd/log.h"

bool nxd_log_debug;

void nxd_log(enum nxd_level level, const char *fmt, ...)
{
	int saved = errno;
	char line[1024];
	va_list ap;

	if (level == NXD_DEBUG && !nxd_log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole when two threads log at once. */
	fprintf(stderr, "<%d>netoopsd: %s\n", (int)level, line);
	errno = saved;
}

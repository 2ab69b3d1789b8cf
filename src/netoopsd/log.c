/* netoopsd's diagnostics: "<N>netoopsd: message" lines on stderr, escaped, errno kept intact. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/escape.h"
#include "netoopsd/log.h"

bool nxd_log_debug;

void nxd_log(enum nxd_level level, const char *fmt, ...)
{
	int saved = errno;
	char line[1024], safe[4 * sizeof(line)];
	va_list ap;

	if (level == NXD_DEBUG && !nxd_log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Titles and names in messages come from the network: no control byte reaches the
	 * journal or a terminal raw (core/escape.h, one line). */
	nx_escape(line, strlen(line), NX_ESC_LINE, safe, sizeof(safe));
	/* One write per line keeps lines whole when two threads log at once. */
	fprintf(stderr, "<%d>netoopsd: %s\n", (int)level, safe);
	errno = saved;
}

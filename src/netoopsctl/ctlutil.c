/* Small helpers netoopsctl's commands share: error messages, monotonic time, terminal-safe text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/escape.h"
#include "core/numparse.h"
#include "netoopsctl/ctlutil.h"

void nx_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

long long nx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void nx_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

#define TTY_RING 16

const char *nxctl_tty(const char *s, size_t len, unsigned flags)
{
	/* A ring, so that one printf can take several escaped fields; still reachable at exit. */
	static char *ring[TTY_RING];
	static unsigned next;
	char **slot = &ring[next++ % TTY_RING];

	if (!s)
		return "-";
	free(*slot);
	*slot = nx_escape_dup(s, len, flags, NULL);
	return *slot ? *slot : "?";
}

const char *nxctl_tty_str(const char *s, unsigned flags)
{
	return nxctl_tty(s, s ? strlen(s) : 0, flags);
}

int nxctl_print_json(json_t *v, size_t flags)
{
	char *text = json_dumps(v, flags | JSON_ENCODE_ANY), *safe;
	size_t n;
	int rc = -1;

	safe = text ? nx_json_tty(text, strlen(text), &n) : NULL;
	if (safe && fwrite(safe, 1, n, stdout) == n && putchar('\n') != EOF)
		rc = 0;
	free(safe);
	free(text);
	return rc;
}

int nxctl_parse_num(const struct nx_num *n, const char *text, uint64_t *out)
{
	char msg[512];

	if (nx_parse_num(n, text, out, msg, sizeof(msg)) == NX_PARSE_OK)
		return 0;
	fprintf(stderr, "netoopsctl: %s\n", msg);
	return -1;
}

int nxctl_check_daemon(const char *what, const char *addr)
{
	static const struct nx_num port = { NULL, NX_NUM_PORT, 0, 0, "2080" };
	const char *close = addr[0] == '[' ? strchr(addr, ']') : NULL;
	const char *colon = close ? (close[1] == ':' ? close + 1 : NULL) : strrchr(addr, ':');
	struct nx_num named = port;
	char name[300];
	uint64_t v;

	if (!colon)
		return 0;	/* no port at all: the HTTP client says what to write */
	snprintf(name, sizeof(name), "%s '%s'", what, nxctl_tty_str(addr, NX_ESC_LINE));
	named.name = name;
	return nxctl_parse_num(&named, colon + 1, &v);
}

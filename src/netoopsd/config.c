/* netoopsd's configuration: one table of settings for the defaults, the file, the options and --help. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netoops/wire.h>

#include "core/numparse.h"
#include "netoopsd/config.h"

int config_parse_addr(const char *text, uint16_t defport, struct nxd_addr *out)
{
	char host[64];
	const char *port = NULL;
	uint16_t p = defport;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->text, sizeof(out->text), "%s", text);
	if (text[0] == '[') {			/* [v6] or [v6]:port */
		const char *close = strchr(text, ']');
		if (!close || (size_t)(close - text - 1) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1), text + 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -1;
	} else if (strchr(text, ':') == strrchr(text, ':')) {	/* v4[:port] */
		const char *colon = strchr(text, ':');
		size_t n = colon ? (size_t)(colon - text) : strlen(text);
		if (n >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)n, text);
		if (colon)
			port = colon + 1;
	} else {				/* bare v6 */
		if (strlen(text) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%s", text);
	}
	if (port && (rc = nx_parse_port(port, &p)) != NX_PARSE_OK)
		return rc;
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(p);
		out->len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(p);
		out->len = sizeof(*v6);
		return 0;
	}
	return -1;
}

/* RC of config_parse_addr() for KEY = V: false if fine, else true with MSG saying why. */
static bool addr_refused(int rc, const char *key, const char *v, const char *form,
			 char *msg, size_t len)
{
	if (rc == NX_PARSE_OK)
		return false;
	if (rc == NX_PARSE_RANGE)
		snprintf(msg, len, "%s: '%s': the port must be 1 to 65535", key, v);
	else
		snprintf(msg, len, "%s: '%s' is not %s", key, v, form);
	return true;
}

/*
 * The one table of settings: each row is a config file key and the long option
 * of the same name, its default, its help line and how its value is read. The
 * defaults, config_set(), netoopsd's long options and its --help all come from
 * here; add a setting by adding a row (at the end).
 */
struct setting;
typedef const char *(*setter_fn)(struct nxd_config *c, const struct setting *s, const char *v,
				 char *msg, size_t len);

struct setting {
	const char *key;
	setter_fn set;
	const char *arg;		/* the value's name in --help */
	const char *dflt;		/* applied by config_defaults(); NULL: none */
	const char *help;		/* --help text; '\n' continues on a new line */
	size_t offset, width;		/* the field in struct nxd_config */
	bool is_size;			/* numbers: "64M" style, else a plain count */
	unsigned long long min, max;	/* numbers: the accepted range */
	const char *example;		/* numbers and names: shown in errors */
	char opt;			/* a short option too, e.g. 'l' for -l; 0 none */
};

#define FIELD(f) offsetof(struct nxd_config, f), .width = sizeof(((struct nxd_config *)0)->f)

/* Parsed by the shared parsers of core/numparse.h: no overflow, the range in the message. */
static const char *set_numeric(struct nxd_config *c, const struct setting *n,
			       const char *v, char *msg, size_t len)
{
	const struct nx_num spec = { n->key, n->is_size ? NX_NUM_SIZE : NX_NUM_COUNT,
				     n->min, n->max, n->example };
	char *field = (char *)c + n->offset;
	uint64_t x;

	if (nx_parse_num(&spec, v, &x, msg, len) != NX_PARSE_OK)
		return msg;
	if (n->width == sizeof(uint32_t)) {
		uint32_t y = (uint32_t)x;	/* every maximum fits its field */
		memcpy(field, &y, sizeof(y));
	} else {
		memcpy(field, &x, sizeof(x));
	}
	return NULL;
}

/* A path into its field: refused rather than cut when too long. */
static const char *set_path(struct nxd_config *c, const struct setting *s, const char *v,
			    char *msg, size_t len)
{
	if (strlen(v) >= s->width) {
		snprintf(msg, len, "%s: the path is longer than %zu bytes", s->key, s->width - 1);
		return msg;
	}
	memcpy((char *)c + s->offset, v, strlen(v) + 1);
	return NULL;
}

/* A short name (a user name) into its field: not empty, not cut. */
static const char *set_name(struct nxd_config *c, const struct setting *s, const char *v,
			    char *msg, size_t len)
{
	if (!v[0] || strlen(v) >= s->width) {
		snprintf(msg, len, "%s: give a name of 1 to %zu characters (e.g. %s)", s->key,
			 s->width - 1, s->example);
		return msg;
	}
	memcpy((char *)c + s->offset, v, strlen(v) + 1);
	return NULL;
}

static const char *set_listen(struct nxd_config *c, const struct setting *s, const char *v,
			      char *msg, size_t len)
{
	if (c->n_listen >= NXD_MAX_LISTEN) {
		snprintf(msg, len, "too many listen addresses (at most %d)", NXD_MAX_LISTEN);
		return msg;
	}
	if (addr_refused(config_parse_addr(v, NETOOPS_DEFAULT_PORT, &c->listen[c->n_listen]),
			 s->key, v, "ADDR:PORT, [IPV6]:PORT or ADDR (numeric addresses, "
			 "e.g. 0.0.0.0:2004 or [::]:2004)", msg, len))
		return msg;
	c->n_listen++;
	return NULL;
}

static const char *set_syslog(struct nxd_config *c, const struct setting *s, const char *v,
			      char *msg, size_t len)
{
	if (addr_refused(config_parse_addr(v, 514, &c->syslog), s->key, v, "HOST:PORT with a "
			 "numeric address (e.g. 127.0.0.1:514)", msg, len))
		return msg;
	return NULL;
}

static const char *set_http(struct nxd_config *c, const struct setting *s, const char *v,
			    char *msg, size_t len)
{
	/* No default port: 0 marks it missing (sin_port and sin6_port share an offset). */
	int rc = config_parse_addr(v, 0, &c->http);

	if (rc == NX_PARSE_OK && !((struct sockaddr_in *)&c->http.ss)->sin_port)
		rc = NX_PARSE_SYNTAX;
	if (addr_refused(rc, s->key, v, "ADDR:PORT or [IPV6]:PORT with a numeric address "
			 "(e.g. 127.0.0.1:2080)", msg, len))
		return msg;
	return NULL;
}

/* The authentication settings: parsed by the policy's own code (auth_config.c). */
static const char *set_auth(struct nxd_config *c, const struct setting *s, const char *v,
			    char *msg, size_t len)
{
	return auth_config_set(&c->auth, s->key, v, msg, len);
}

#define AUTH(k, a, d, h) { .key = k, .set = set_auth, .arg = a, .dflt = d, .help = h }

#define NUM(k, a, d, lo, hi, f, ex, h)                                                    \
	{ .key = k, .set = set_numeric, .arg = a, .dflt = d, .help = h, .offset = FIELD(f),   \
	  .min = lo, .max = hi, .example = ex }
#define SIZE(k, a, d, lo, hi, f, ex, h)                                                   \
	{ .key = k, .set = set_numeric, .arg = a, .dflt = d, .help = h, .offset = FIELD(f),   \
	  .is_size = true, .min = lo, .max = hi, .example = ex }

static const struct setting settings[] = {
	{ .key = "listen", .set = set_listen, .arg = "ADDR:PORT", .opt = 'l',
	  .help = "receive here; repeatable; IPv6 as [::1]:2004\n(default 0.0.0.0:2004)" },
	{ .key = "db", .set = set_path, .arg = "PATH", .offset = FIELD(db), .opt = 'd',
	  .help = "SQLite database of reports (created if absent)" },
	{ .key = "append-file", .set = set_path, .arg = "PATH", .offset = FIELD(append_file),
	  .help = "also append each complete report as text" },
	{ .key = "syslog", .set = set_syslog, .arg = "HOST:PORT",
	  .help = "also forward each report as RFC 5424 over UDP" },
	{ .key = "http", .set = set_http, .arg = "ADDR:PORT",
	  .help = "serve the read-only JSON query API here (off)" },
	SIZE("max-memory", "SIZE", "256M", 1u << 20, 1ull << 40, max_memory, "256M, 2G",
	     "bound on reassembly + queued dumps"),
	NUM("max-dumps", "N", "100000", 1, 10000000, max_dumps, "100000",
	    "partial dumps held at once"),
	NUM("quiet-ms", "MS", "10000", 10, 3600000, quiet_ms, "10000",
	    "emit a dump incomplete after MS without news"),
	NUM("netconsole-quiet-ms", "MS", "5000", 10, 3600000, netconsole_quiet_ms, "5000",
	    "cut a netconsole stream after MS"),
	SIZE("rcvbuf", "SIZE", "64M", 4096, 1u << 30, rcvbuf, "64M", "socket receive buffer"),
	NUM("stats-interval-ms", "MS", "5000", 100, 3600000, stats_interval_ms, "5000",
	    "save counters to the database this often"),
	NUM("batch", "N", "256", 1, NXD_MAX_BATCH_SETTING, batch, "256",
	    "datagrams per recvmmsg"),
	NUM("analysis-timeout-ms", "MS", "5000", 100, 600000, analysis_timeout_ms, "5000",
	    "the analysis worker's deadline per dump"),
	{ .key = "analysis-user", .set = set_name, .arg = "USER", .dflt = "nobody",
	  .offset = FIELD(analysis_user), .example = "nobody",
	  .help = "the analysis worker's user when run as root" },
	NUM("db-fsync", "0|1", "1", 0, 1, db_fsync, "1",
	    "1: a stored dump survives power loss"),
	NUM("stop-wait-ms", "MS", "30000", 0, 3600000, stop_wait_ms, "30000",
	    "at a stop, wait this long for a locked database"),
	NUM("receive-threads", "N", "0", 0, 64, receive_threads, "0 (one per CPU), 2",
	    "receive loops, datagrams sharded by dump;\n0: one per CPU"),
	AUTH("auth", "off|optional|required", "off",
	     "datagram MACs: ignored, checked when\npresent, or needed"),
	AUTH("fleet-key", "FILE", NULL, "the fleet key (mode 600; netoopsctl key new)"),
	AUTH("auth-exempt", "NET", NULL, "unauthenticated allowed from NET when required\n"
	     "(ADDR/PREFIX; repeatable)"),
	AUTH("replay-window-ms", "MS", NULL, "late copies of a stored dump accepted this long\n"
	     "(default quiet-ms / 2)"),
	AUTH("http-tokens", "FILE", NULL, "the API needs a bearer token from FILE\n"
	     "('read TOKEN' / 'admin TOKEN' lines, mode 600)"),
	AUTH("http-tls-cert", "FILE", NULL, "serve the API over TLS with this PEM certificate"),
	AUTH("http-tls-key", "FILE", NULL, "and this PEM private key (mode 600)"),
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

void config_defaults(struct nxd_config *c)
{
	char msg[256];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (settings[i].dflt && settings[i].set(c, &settings[i], settings[i].dflt, msg,
							 sizeof(msg)))
			abort();	/* a default the table itself refuses: a bug */
}

const char *config_set(struct nxd_config *c, const char *key, const char *v,
		       char *msg, size_t len)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(key, settings[i].key) == 0)
			return settings[i].set(c, &settings[i], v, msg, len);
	snprintf(msg, len, "unknown setting '%s' (see netoopsd(8))", key);
	return msg;
}

size_t config_longopts(struct option *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < N_SETTINGS && n < cap; i++, n++)
		out[n] = (struct option){ settings[i].key, required_argument, NULL,
					  settings[i].opt };
	return n;
}

/* One setting's --help: "  -o, --key ARG", padded to column 31, its text, its default. */
static void usage_row(FILE *f, const struct setting *s)
{
	const char *h = s->help;
	int col = s->opt ? fprintf(f, "  -%c, --%s %s", s->opt, s->key, s->arg)
			 : fprintf(f, "      --%s %s", s->key, s->arg);

	for (bool first = true; first || *h; first = false) {
		size_t n = strcspn(h, "\n");

		if (first && col < 31)
			col += fprintf(f, "%*s", 31 - col, "");
		else
			col = fprintf(f, "\n%31s", "") - 1;
		col += fprintf(f, "%.*s", (int)n, h);
		h += n + (h[n] == '\n');
	}
	if (s->dflt && col + 11 + (int)strlen(s->dflt) > 79)
		fprintf(f, "\n%31s(default %s)", "", s->dflt);
	else if (s->dflt)
		fprintf(f, " (default %s)", s->dflt);
	fputc('\n', f);
}

void config_usage(FILE *f)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		usage_row(f, &settings[i]);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Cut LINE at a comment: '#' at its start or after a space or tab. */
static void strip_comment(char *line)
{
	for (char *p = line; *p; p++) {
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static int load_line(struct nxd_config *c, char *line, const char *where,
		     char *msg, size_t len)
{
	char *eq, *key, *value, why[512];

	strip_comment(line);
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		snprintf(msg, len, "%s: expected 'key = value', got '%s'", where, line);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	/* The command line's --listen wins over the whole list in the file. */
	if (strcmp(key, "listen") == 0 && c->listen_from_cli)
		return 0;
	if (config_set(c, key, value, why, sizeof(why))) {
		snprintf(msg, len, "%s: %s", where, why);
		return -1;
	}
	return 0;
}

int config_parse_text(struct nxd_config *c, const char *name, const char *text, size_t n,
		      char *msg, size_t len)
{
	static const char bom[] = "\xef\xbb\xbf";
	char line[NXD_CONFIG_LINE_MAX + 1], where[300];
	const char *p = text, *end = text + n;
	unsigned lineno = 0;

	if (n >= 3 && memcmp(p, bom, 3) == 0)	/* a UTF-8 byte order mark: skipped */
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);

		snprintf(where, sizeof(where), "%.256s:%u", name, ++lineno);
		if (ll > NXD_CONFIG_LINE_MAX) {
			snprintf(msg, len, "%s: the line is longer than %d bytes", where,
				 NXD_CONFIG_LINE_MAX);
			return -1;
		}
		if (memchr(p, '\0', ll)) {
			snprintf(msg, len, "%s: the line holds a NUL byte (not a text file?)",
				 where);
			return -1;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		if (load_line(c, line, where, msg, len) < 0)
			return -1;
		p += ll + 1;
	}
	return 0;
}

/* ST is /dev/null: "no settings" (the usual way to ignore the default config file). */
static bool is_dev_null(const struct stat *st)
{
	struct stat null;

	return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
	       st->st_rdev == null.st_rdev;
}

/* The whole of config file FD (at most NXD_CONFIG_FILE_MAX bytes) into a new buffer. */
static char *read_config(int fd, const char *path, size_t *n, char *msg, size_t len)
{
	struct stat st;
	char *buf;
	ssize_t r = 0;

	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !is_dev_null(&st))) {
		snprintf(msg, len, "config file %s is not a regular file (for no settings at "
			 "all, give an empty file or /dev/null)", path);
		return NULL;
	}
	if (st.st_size > NXD_CONFIG_FILE_MAX) {
		snprintf(msg, len, "config file %s is larger than %d bytes", path,
			 NXD_CONFIG_FILE_MAX);
		return NULL;
	}
	if (!(buf = malloc(NXD_CONFIG_FILE_MAX + 1))) {
		snprintf(msg, len, "out of memory reading config file %s", path);
		return NULL;
	}
	/* Read one byte more than allowed: a file that grew meanwhile is refused too. */
	for (*n = 0; *n <= NXD_CONFIG_FILE_MAX; *n += (size_t)r) {
		r = read(fd, buf + *n, NXD_CONFIG_FILE_MAX + 1 - *n);
		if (r < 0 && errno == EINTR)
			r = 0;
		else if (r <= 0)
			break;
	}
	if (r < 0 || *n > NXD_CONFIG_FILE_MAX) {
		snprintf(msg, len, "cannot read config file %s: %s", path,
			 r < 0 ? strerror(errno) : "it grew over the size limit");
		free(buf);
		return NULL;
	}
	return buf;
}

int config_load(struct nxd_config *c, const char *path, bool must_exist,
		char *msg, size_t len)
{
	/* O_NONBLOCK: a FIFO given as the config file must not block the open. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char *text;
	size_t n;
	int rc;

	if (fd < 0) {
		if (!must_exist && errno == ENOENT)
			return 0;
		snprintf(msg, len, "cannot read config file %s: %s", path, strerror(errno));
		return -1;
	}
	text = read_config(fd, path, &n, msg, len);
	close(fd);
	if (!text)
		return -1;
	rc = config_parse_text(c, path, text, n, msg, len);
	free(text);
	return rc;
}

const char *config_check(struct nxd_config *c, char *msg, size_t len)
{
	if (!c->db[0]) {
		snprintf(msg, len, "no database: give --db PATH (or 'db = PATH' in the "
			 "config file)");
		return msg;
	}
	if (c->n_listen == 0) {
		config_parse_addr("0.0.0.0", NETOOPS_DEFAULT_PORT, &c->listen[0]);
		c->n_listen = 1;
	}
	return auth_config_check(&c->auth, c->quiet_ms, msg, len);
}

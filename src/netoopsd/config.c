/* netoopsd's configuration: one table of settings shared by the file and the options. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netoops/wire.h>

#include "netoopsd/config.h"

void config_defaults(struct nxd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_memory = 256u << 20;
	c->max_dumps = 100000;
	c->quiet_ms = 10000;
	c->netconsole_quiet_ms = 5000;
	c->rcvbuf = 64 << 20;
	c->stats_interval_ms = 5000;
	c->batch = 256;
	c->db_fsync = 1;
	c->stop_wait_ms = 30000;
}

int config_parse_addr(const char *text, uint16_t defport, struct nxd_addr *out)
{
	char host[64];
	const char *port = NULL;
	unsigned long p = defport;
	char *end;

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
	if (port) {
		errno = 0;
		p = strtoul(port, &end, 10);
		if (!*port || *end || errno || p == 0 || p > 65535)
			return -1;
	}
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		out->len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		out->len = sizeof(*v6);
		return 0;
	}
	return -1;
}

/* "64M", "1G", "4096": a byte count. */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (toupper((unsigned char)*end) == 'B' || toupper((unsigned char)*end) == 'I')
		end++;
	if (*end)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (end == s || *end || errno || *out > max || s[0] == '-') ? -1 : 0;
}

static const char *set_listen(struct nxd_config *c, const char *v, char *msg, size_t len)
{
	if (c->n_listen >= NXD_MAX_LISTEN) {
		snprintf(msg, len, "too many listen addresses (at most %d)", NXD_MAX_LISTEN);
		return msg;
	}
	if (config_parse_addr(v, NETOOPS_DEFAULT_PORT, &c->listen[c->n_listen]) < 0) {
		snprintf(msg, len, "listen: '%s' is not ADDR:PORT, [IPV6]:PORT or ADDR "
			 "(numeric addresses, e.g. 0.0.0.0:2004 or [::]:2004)", v);
		return msg;
	}
	c->n_listen++;
	return NULL;
}

/* Settings that are one number or size, written into the field at OFFSET. */
struct numeric {
	const char *key;
	bool is_size;			/* "64M" style, else a plain count */
	unsigned long long min, max;
	size_t offset, width;		/* the field in struct nxd_config */
	const char *example;
};

#define FIELD(f) offsetof(struct nxd_config, f), sizeof(((struct nxd_config *)0)->f)

static const struct numeric numerics[] = {
	{ "max-memory", true, 1u << 20, 1ull << 40, FIELD(max_memory), "256M, 2G" },
	{ "max-dumps", false, 1, 10000000, FIELD(max_dumps), "100000" },
	{ "quiet-ms", false, 10, 3600000, FIELD(quiet_ms), "10000" },
	{ "netconsole-quiet-ms", false, 10, 3600000, FIELD(netconsole_quiet_ms), "5000" },
	{ "rcvbuf", true, 4096, 1u << 30, FIELD(rcvbuf), "64M" },
	{ "stats-interval-ms", false, 100, 3600000, FIELD(stats_interval_ms), "5000" },
	{ "batch", false, 1, NXD_MAX_BATCH_SETTING, FIELD(batch), "256" },
	{ "db-fsync", false, 0, 1, FIELD(db_fsync), "1" },
	{ "stop-wait-ms", false, 0, 3600000, FIELD(stop_wait_ms), "30000" },
};

static const char *set_numeric(struct nxd_config *c, const struct numeric *n,
			       const char *v, char *msg, size_t len)
{
	unsigned long long x;
	size_t sz;
	unsigned long ul;
	char *field = (char *)c + n->offset;

	if (n->is_size ? parse_size(v, &sz) : parse_uint(v, ULONG_MAX, &ul)) {
		snprintf(msg, len, "%s: '%s' is not a %s (e.g. %s)", n->key, v,
			 n->is_size ? "size" : "whole number", n->example);
		return msg;
	}
	x = n->is_size ? sz : ul;
	if (x < n->min || x > n->max) {
		snprintf(msg, len, "%s: %s is out of range (%llu to %llu)", n->key, v,
			 n->min, n->max);
		return msg;
	}
	if (n->width == sizeof(uint32_t)) {
		uint32_t y = (uint32_t)x;
		memcpy(field, &y, sizeof(y));
	} else {
		uint64_t y = x;
		memcpy(field, &y, sizeof(y));
	}
	return NULL;
}

const char *config_set(struct nxd_config *c, const char *key, const char *v,
		       char *msg, size_t len)
{
	for (size_t i = 0; i < sizeof(numerics) / sizeof(numerics[0]); i++)
		if (strcmp(key, numerics[i].key) == 0)
			return set_numeric(c, &numerics[i], v, msg, len);
	if (strcmp(key, "listen") == 0)
		return set_listen(c, v, msg, len);
	if (strcmp(key, "db") == 0) {
		snprintf(c->db, sizeof(c->db), "%s", v);
	} else if (strcmp(key, "append-file") == 0) {
		snprintf(c->append_file, sizeof(c->append_file), "%s", v);
	} else if (strcmp(key, "syslog") == 0) {
		if (config_parse_addr(v, 514, &c->syslog) < 0) {
			snprintf(msg, len, "syslog: '%s' is not HOST:PORT with a numeric "
				 "address (e.g. 127.0.0.1:514)", v);
			return msg;
		}
	} else if (strcmp(key, "http") == 0) {
		/* No default port: 0 marks it missing (sin_port and sin6_port share an offset). */
		if (config_parse_addr(v, 0, &c->http) < 0 ||
		    !((struct sockaddr_in *)&c->http.ss)->sin_port) {
			snprintf(msg, len, "http: '%s' is not ADDR:PORT or [IPV6]:PORT with a numeric "
				 "address (e.g. 127.0.0.1:2080)", v);
			return msg;
		}
	} else {
		snprintf(msg, len, "unknown setting '%s' (see netoopsd(8))", key);
		return msg;
	}
	return NULL;
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

static int load_line(struct nxd_config *c, char *line, const char *where,
		     char *msg, size_t len)
{
	char *eq, *key, *value, why[512];

	line = trim(line);
	if (!*line || *line == '#')
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

int config_load(struct nxd_config *c, const char *path, bool must_exist,
		char *msg, size_t len)
{
	char line[4200], where[4200];
	FILE *f = fopen(path, "r");
	unsigned lineno = 0;
	int rc = 0;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		snprintf(msg, len, "cannot read config file %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		snprintf(where, sizeof(where), "%s:%u", path, ++lineno);
		rc = load_line(c, line, where, msg, len);
	}
	fclose(f);
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
	return NULL;
}

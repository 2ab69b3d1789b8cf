/* Reading and writing /etc/netoops/targets.conf, the targets `target apply` configures at boot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netoops/wire.h>

#include "core/numparse.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/targets_conf.h"

const char *nx_conf_path(void)
{
	const char *p = getenv("NETOOPS_TARGETS_CONF");

	return p && *p ? p : NX_TARGETS_CONF_DEFAULT;
}

static int parse_port(const char *s, unsigned int *port)
{
	uint16_t p;

	if (nx_parse_port(s, &p) != NX_PARSE_OK)
		return -1;
	*port = p;
	return 0;
}

int nx_endpoint_parse(const char *text, char *host, size_t hostlen, unsigned int *port,
		      char *err, size_t errlen)
{
	const char *end = text + strlen(text), *colon = strrchr(text, ':');
	const char *hs = text, *he = end;

	*port = NETOOPS_DEFAULT_PORT;
	if (*text == '[') {
		hs = text + 1;
		he = strchr(hs, ']');
		if (!he || (he[1] && he[1] != ':')) {
			nx_fail(err, errlen, "bad address '%s': write [IPV6]:PORT", text);
			return -1;
		}
		colon = he[1] ? he + 1 : NULL;
	} else if (colon && strchr(text, ':') != colon) {
		colon = NULL;	/* a bare IPv6 address: no port */
	} else if (colon) {
		he = colon;
	}
	if (colon && parse_port(colon + 1, port) != 0) {
		nx_fail(err, errlen, "bad port in '%s': a number from 1 to 65535", text);
		return -1;
	}
	if (he == hs || (size_t)(he - hs) >= hostlen) {
		nx_fail(err, errlen, "bad address '%s': give HOST, HOST:PORT or [IPV6]:PORT", text);
		return -1;
	}
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	return 0;
}

int nx_conf_key_ok(const char *path, char *err, size_t errlen)
{
	if (path[0] != '/' || strlen(path) > NX_KEY_PATH_MAX || strpbrk(path, " \t#")) {
		nx_fail(err, errlen, "bad key file '%s': give an absolute path without spaces or '#' "
			"(at most %d bytes)", path, NX_KEY_PATH_MAX);
		return -1;
	}
	return 0;
}

static int parse_line(char *line, struct nx_conf_target *t, char *err, size_t errlen)
{
	char *name = strtok(line, " \t"), *to = strtok(NULL, " \t"), *key = strtok(NULL, " \t");

	if (!name || !to || (key && (strncmp(key, "key=", 4) || strtok(NULL, " \t")))) {
		nx_fail(err, errlen, "expected 'NAME HOST[:PORT] [key=PATH]'");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	if (key && nx_conf_key_ok(key + 4, err, errlen) != 0)
		return -1;
	if (key)
		snprintf(t->key, sizeof(t->key), "%s", key + 4);
	if (!nx_target_name_ok(name)) {
		nx_fail(err, errlen, "bad target name '%s': use letters, digits, '.', '_', '-' (at most %d)",
		     name, NX_TARGET_NAME_MAX);
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	return nx_endpoint_parse(to, t->host, sizeof(t->host), &t->port, err, errlen);
}

int nx_conf_load(const char *path, struct nx_conf *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[512], why[200];
	int lineno = 0;

	c->n = 0;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		nx_fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct nx_conf_target t;

		lineno++;
		line[strcspn(line, "#\r\n")] = '\0';
		if (strspn(line, " \t") == strlen(line))
			continue;
		if (parse_line(line, &t, why, sizeof(why)) != 0 || nx_conf_set(c, &t) != 0) {
			nx_fail(err, errlen, "%s:%d: %s", path, lineno,
			     c->n >= NX_CONF_MAX_TARGETS ? "too many targets" : why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static void mkdir_parent(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
}

int nx_conf_save(const char *path, const struct nx_conf *c, char *err, size_t errlen)
{
	char tmp[600];
	FILE *f;

	mkdir_parent(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		nx_fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "# netoops targets, applied at boot by netoops-targets.service.\n"
		   "# One per line: NAME HOST[:PORT] [key=PATH]  (written by netoopsctl target add/del)\n");
	for (int i = 0; i < c->n; i++) {
		const struct nx_conf_target *t = &c->t[i];
		bool v6 = strchr(t->host, ':') != NULL;

		fprintf(f, "%s %s%s%s:%u%s%s\n", t->name, v6 ? "[" : "", t->host, v6 ? "]" : "",
			t->port, t->key[0] ? " key=" : "", t->key);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		nx_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int nx_conf_set(struct nx_conf *c, const struct nx_conf_target *t)
{
	for (int i = 0; i < c->n; i++) {
		if (strcmp(c->t[i].name, t->name) == 0) {
			c->t[i] = *t;
			return 0;
		}
	}
	if (c->n >= NX_CONF_MAX_TARGETS)
		return -1;
	c->t[c->n++] = *t;
	return 0;
}

int nx_conf_del(struct nx_conf *c, const char *name)
{
	for (int i = 0; i < c->n; i++) {
		if (strcmp(c->t[i].name, name) == 0) {
			memmove(&c->t[i], &c->t[i + 1], (size_t)(c->n - i - 1) * sizeof(c->t[0]));
			c->n--;
			return 1;
		}
	}
	return 0;
}

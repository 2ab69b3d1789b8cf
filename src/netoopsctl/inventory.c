/* netoopsctl inventory: send this boot's kernel and module build IDs to a collector (NETOOPSI). */
#include <arpa/inet.h>
#include <dirent.h>
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "netoopsctl/commands.h"
#include "netoopsctl/targets_conf.h"
#include "symbolize/inventory.h"

#define MAX_ENTRIES 4096	/* modules of one boot, at most */

/* The GNU build ID note in the note section file PATH (as /sys exposes them), as hex. */
static bool note_build_id(const char *path, char *hex, size_t cap)
{
	unsigned char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n, p = 0;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (p + 12 <= n) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, buf + p, 4);
		memcpy(&descsz, buf + p + 4, 4);
		memcpy(&type, buf + p + 8, 4);
		size_t name_at = p + 12, desc_at = name_at + ((namesz + 3u) & ~3u);

		if (namesz > n || descsz > n || desc_at + descsz > n)
			return false;
		if (type == 3 && namesz == 4 && memcmp(buf + name_at, "GNU", 4) == 0 &&
		    descsz * 2 + 1 <= cap && descsz >= 16) {
			for (uint32_t i = 0; i < descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", buf[desc_at + i]);
			return true;
		}
		p = desc_at + ((descsz + 3u) & ~3u);
	}
	return false;
}

/* vmlinux and every module of SYSFS (/sys) that has a build ID, into E; how many. */
static size_t collect(const char *sysfs, struct nx_inv_entry *e, size_t max)
{
	char path[4096];
	size_t n = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/kernel/notes", sysfs);
	if (note_build_id(path, e[n].id, sizeof(e[n].id)))
		snprintf(e[n++].name, sizeof(e[0].name), "vmlinux");
	snprintf(path, sizeof(path), "%s/module", sysfs);
	if (!(dir = opendir(path)))
		return n;
	while (n < max && (d = readdir(dir))) {
		if (d->d_name[0] == '.' || strlen(d->d_name) >= sizeof(e[0].name))
			continue;
		snprintf(path, sizeof(path), "%s/module/%s/notes/.note.gnu.build-id", sysfs,
			 d->d_name);
		if (note_build_id(path, e[n].id, sizeof(e[n].id)))
			snprintf(e[n++].name, sizeof(e[0].name), "%s", d->d_name);
	}
	closedir(dir);
	return n;
}

static bool read_boot_id(char *out)
{
	char buf[64];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	size_t k = 0;

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (char *p = buf; *p && k < 32; p++)
		if (*p != '-' && *p != '\n')
			out[k++] = *p;
	out[k] = '\0';
	return k == 32;
}

static int open_to(const char *to, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(to, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	int fd;

	if (!colon || (size_t)(colon - to) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - to), to);
	if (host[0] == '[' && host[strlen(host) - 1] == ']')
		memmove(host, host + 1, strlen(host)), host[strlen(host) - 1] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	freeaddrinfo(ai);
	return fd;
}

struct inv_opts {
	const char *to, *sysfs, *host, *boot, *release;
};

static int send_all(const struct inv_opts *o, const struct nx_inv_entry *e, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char dg[NX_INV_DGRAM_MAX];
	size_t from = 0, parts = 0, per = 0;
	int fd = open_to(o->to, &ss, &sl);

	if (fd < 0) {
		fprintf(stderr, "netoopsctl: inventory: --to %s: give HOST:PORT of a collector\n",
			o->to);
		return 1;
	}
	/* how many datagrams: encode once to count, then send with the right P/N */
	while (from < n && nx_inv_encode(o->host, o->boot, o->release, 0, 1, e, n, &from, dg))
		parts++;
	from = 0;
	for (size_t p = 0; p < (parts ? parts : 1); p++) {
		size_t len = nx_inv_encode(o->host, o->boot, o->release, (unsigned)p,
					   (unsigned)(parts ? parts : 1), e, n, &from, dg);

		if (!len || sendto(fd, dg, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len) {
			perror("netoopsctl: inventory: send");
			close(fd);
			return 1;
		}
		per++;
	}
	close(fd);
	printf("sent %zu build IDs in %zu datagrams to %s\n", n, per, o->to);
	return 0;
}

/*
 * Without --to: to the collector of every target in targets.conf (as the
 * netoops-targets service applies them at boot), so one call at boot serves
 * every collector the crash dumps go to.
 */
static int send_to_targets(struct inv_opts *o, const struct nx_inv_entry *e, size_t n)
{
	static struct nx_conf conf;
	const char *path = nx_conf_path();
	char err[512], to[NX_HOST_TEXT_MAX + 16];
	int rc = 0;

	if (nx_conf_load(path, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "netoopsctl: inventory: %s\n", err);
		return 1;
	}
	if (conf.n == 0) {
		fprintf(stderr, "netoopsctl: inventory: no target in %s: give --to HOST:PORT (the "
			"collector), or add targets with 'netoopsctl target add'\n", path);
		return 2;
	}
	for (int i = 0; i < conf.n; i++) {
		const struct nx_conf_target *t = &conf.t[i];

		snprintf(to, sizeof(to), strchr(t->host, ':') ? "[%s]:%u" : "%s:%u", t->host,
			 t->port);
		o->to = to;
		rc |= send_all(o, e, n);
	}
	return rc;
}

int cmd_inventory(struct ctl_opts *co, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "boot", required_argument, NULL, 'b' },
		{ "release", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static struct nx_inv_entry e[MAX_ENTRIES];
	struct inv_opts o = { .sysfs = "/sys" };
	static char host[65], boot[33];
	struct utsname u;
	int c;

	(void)co;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o.to = optarg; break;
		case 's': o.sysfs = optarg; break;
		case 'H': o.host = optarg; break;
		case 'b': o.boot = optarg; break;
		case 'r': o.release = optarg; break;
		default:
			fprintf(stderr, "usage: netoopsctl inventory [--to HOST:PORT] [--sysfs DIR] "
				"[--host NAME] [--boot ID] [--release R]\n");
			return 2;
		}
	}
	uname(&u);
	if (!o.host && gethostname(host, sizeof(host) - 1) == 0)
		o.host = host;
	if (!o.boot && read_boot_id(boot))
		o.boot = boot;
	if (!o.release)
		o.release = u.release;
	if (!o.host || !o.boot) {
		fprintf(stderr, "netoopsctl: inventory: cannot tell this host's name or boot id; "
			"give --host and --boot\n");
		return 1;
	}
	if (o.to)
		return send_all(&o, e, collect(o.sysfs, e, MAX_ENTRIES));
	return send_to_targets(&o, e, collect(o.sysfs, e, MAX_ENTRIES));
}

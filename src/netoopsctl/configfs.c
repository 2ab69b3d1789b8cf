/* Reading and writing netoops.ko's configfs targets and sysfs knobs, with errors that say what to fix. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "netoopsctl/ctlutil.h"
#include "netoopsctl/configfs.h"

#define CONFIGFS_ROOT	"/sys/kernel/config"
#define TARGETS_DIR	CONFIGFS_ROOT "/netoops"
#define SYSFS_DIR	"/sys/kernel/netoops"
#define CONFIGFS_MAGIC	0x62656570
#define ENOTSUPP_KERNEL	524	/* the kernel-internal "not supported", seen by userspace as is */

bool nx_target_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NX_TARGET_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int nx_cfs_ready(char *err, size_t errlen)
{
	struct statfs sf;

	if (!is_dir(SYSFS_DIR)) {
		nx_fail(err, errlen, "netoops module not loaded: run modprobe netoops");
		return -1;
	}
	if (is_dir(TARGETS_DIR))
		return 0;
	if (statfs(CONFIGFS_ROOT, &sf) != 0 || sf.f_type != CONFIGFS_MAGIC) {
		if (mount("configfs", CONFIGFS_ROOT, "configfs", 0, NULL) != 0) {
			nx_fail(err, errlen, "cannot mount configfs on %s: %s (run as root; load it with modprobe configfs)",
			     CONFIGFS_ROOT, strerror(errno));
			return -1;
		}
	}
	if (!is_dir(TARGETS_DIR)) {
		nx_fail(err, errlen, "%s is missing although the module is loaded: the loaded netoops module has no configfs support",
		     TARGETS_DIR);
		return -1;
	}
	return 0;
}

static void attr_path(char *buf, size_t len, const char *target, const char *attr)
{
	snprintf(buf, len, "%s/%s/%s", TARGETS_DIR, target, attr);
}

/* Read a small text file, trailing newline removed. 0, or -1 with errno. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write VALUE plus a newline in one write(), as `echo VALUE > path` does. 0, or -1 with errno. */
static int write_text(const char *path, const char *value)
{
	char line[256];
	int fd, n = snprintf(line, sizeof(line), "%s\n", value);
	ssize_t w;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = write(fd, line, (size_t)n);
	if (w < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static const char *enable_hint(int e, const char *dev)
{
	static char hint[200];

	if (e == EOPNOTSUPP || e == ENOTSUPP_KERNEL || e == ENOSYS)
		snprintf(hint, sizeof(hint), "interface %s has no netpoll support (its driver cannot send from a crashed kernel): route the collector through another interface",
			 dev);
	else if (e == ENETDOWN)
		snprintf(hint, sizeof(hint), "interface %s is down: ip link set %s up", dev, dev);
	else if (e == ENODEV)
		snprintf(hint, sizeof(hint), "interface %s does not exist", dev);
	else if (e == EBUSY)
		snprintf(hint, sizeof(hint), "interface %s is busy (another netpoll user may hold it): see dmesg", dev);
	else
		snprintf(hint, sizeof(hint), "the module refused to enable it: %s (see dmesg)", strerror(e));
	return hint;
}

static int write_attr(const char *target, const char *attr, const char *value,
		      char *err, size_t errlen)
{
	char path[512];

	attr_path(path, sizeof(path), target, attr);
	if (write_text(path, value) == 0)
		return 0;
	if (errno == EBUSY)
		nx_fail(err, errlen, "target %s: cannot change %s while it is enabled: the module says busy (see dmesg)",
		     target, attr);
	else
		nx_fail(err, errlen, "target %s: the module refused %s=%s: %s (see dmesg)", target, attr, value,
		     strerror(errno));
	return -1;
}

/* The module may print an address in another form than we wrote it (IPv6 zeros): compare values. */
static bool same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return false;
}

static bool same_cfg(const struct nx_target_cfg *a, const struct nx_target_cfg *b)
{
	return strcmp(a->dev_name, b->dev_name) == 0 && same_ip(a->local_ip, b->local_ip) &&
	       same_ip(a->remote_ip, b->remote_ip) && strcasecmp(a->remote_mac, b->remote_mac) == 0 &&
	       a->local_port == b->local_port && a->remote_port == b->remote_port;
}

static int write_cfg(const struct nx_target_cfg *c, char *err, size_t errlen)
{
	char lport[12], rport[12];

	snprintf(lport, sizeof(lport), "%u", c->local_port);
	snprintf(rport, sizeof(rport), "%u", c->remote_port);
	if (write_attr(c->name, "dev_name", c->dev_name, err, errlen) ||
	    write_attr(c->name, "local_ip", c->local_ip, err, errlen) ||
	    write_attr(c->name, "remote_ip", c->remote_ip, err, errlen) ||
	    write_attr(c->name, "remote_mac", c->remote_mac, err, errlen) ||
	    write_attr(c->name, "local_port", lport, err, errlen) ||
	    write_attr(c->name, "remote_port", rport, err, errlen))
		return -1;
	return 0;
}

static int set_enabled(const char *name, const char *dev, bool on, char *err, size_t errlen)
{
	char path[512];

	attr_path(path, sizeof(path), name, "enabled");
	if (write_text(path, on ? "1" : "0") == 0)
		return 0;
	if (on)
		nx_fail(err, errlen, "target %s: %s", name, enable_hint(errno, dev));
	else
		nx_fail(err, errlen, "target %s: cannot disable it: %s", name, strerror(errno));
	return -1;
}

int nx_cfs_apply(const struct nx_target_cfg *c, bool *changed, char *err, size_t errlen)
{
	struct nx_target_state now;
	char dir[512];
	bool created;

	*changed = false;
	snprintf(dir, sizeof(dir), "%s/%s", TARGETS_DIR, c->name);
	created = mkdir(dir, 0755) == 0;
	if (!created && errno != EEXIST) {
		nx_fail(err, errlen, "cannot create target %s: %s", dir, strerror(errno));
		return -1;
	}
	if (nx_cfs_read(c->name, &now, err, errlen) != 0)
		return -1;
	if (now.enabled && same_cfg(c, &now.cfg))
		return 0;
	*changed = true;
	if (now.enabled && set_enabled(c->name, c->dev_name, false, err, errlen) != 0)
		return -1;
	if (write_cfg(c, err, errlen) == 0 && set_enabled(c->name, c->dev_name, true, err, errlen) == 0)
		return 0;
	if (created)
		rmdir(dir);	/* a target we just made and could not enable is only clutter */
	return -1;
}

static int read_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[512];

	attr_path(path, sizeof(path), name, attr);
	return read_text(path, buf, len);
}

static unsigned long long read_counter(const char *name, const char *attr)
{
	char buf[32];

	if (read_attr(name, attr, buf, sizeof(buf)) != 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

int nx_cfs_read(const char *name, struct nx_target_state *s, char *err, size_t errlen)
{
	struct nx_target_cfg *c = &s->cfg;
	char buf[64];

	memset(s, 0, sizeof(*s));
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (read_attr(name, "enabled", buf, sizeof(buf)) != 0) {
		nx_fail(err, errlen, "no target %s (%s/%s): %s", name, TARGETS_DIR, name, strerror(errno));
		return -1;
	}
	s->enabled = atoi(buf) != 0;
	read_attr(name, "dev_name", c->dev_name, sizeof(c->dev_name));
	read_attr(name, "local_ip", c->local_ip, sizeof(c->local_ip));
	read_attr(name, "remote_ip", c->remote_ip, sizeof(c->remote_ip));
	read_attr(name, "remote_mac", c->remote_mac, sizeof(c->remote_mac));
	read_attr(name, "local_mac", s->local_mac, sizeof(s->local_mac));
	if (read_attr(name, "local_port", buf, sizeof(buf)) == 0)
		c->local_port = (unsigned int)strtoul(buf, NULL, 10);
	if (read_attr(name, "remote_port", buf, sizeof(buf)) == 0)
		c->remote_port = (unsigned int)strtoul(buf, NULL, 10);
	s->dumps_sent = read_counter(name, "dumps_sent");
	s->datagrams_sent = read_counter(name, "datagrams_sent");
	s->transmit_errors = read_counter(name, "transmit_errors");
	return 0;
}

int nx_cfs_remove(const char *name, char *err, size_t errlen)
{
	char dir[512];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/%s", TARGETS_DIR, name);
	if (stat(dir, &st) != 0) {
		nx_fail(err, errlen, "no target %s in %s", name, TARGETS_DIR);
		return -1;
	}
	if (set_enabled(name, "", false, err, errlen) != 0)
		return -1;
	if (rmdir(dir) != 0) {
		nx_fail(err, errlen, "cannot remove %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int nx_cfs_names(char (*names)[NX_TARGET_NAME_MAX + 1], int max, char *err, size_t errlen)
{
	DIR *d = opendir(TARGETS_DIR);
	struct dirent *e;
	int n = 0;

	if (!d) {
		nx_fail(err, errlen, "cannot list %s: %s", TARGETS_DIR, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && n < max) {
		if (e->d_type == DT_DIR && nx_target_name_ok(e->d_name))
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);	/* name_ok: fits */
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	return n;
}

/* $NETOOPS_SYSFS_DIR lets the collector-side tests of `test --db` run without the module. */
static const char *sysfs_dir(void)
{
	const char *d = getenv("NETOOPS_SYSFS_DIR");

	return d && *d ? d : SYSFS_DIR;
}

int nx_sysfs_write(const char *knob, const char *value, char *err, size_t errlen)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir(), knob);
	if (!is_dir(sysfs_dir())) {
		nx_fail(err, errlen, "netoops module not loaded: run modprobe netoops");
		return -1;
	}
	if (write_text(path, value) != 0) {
		nx_fail(err, errlen, "cannot write %s to %s: %s", value, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Finding a module's debug file: local trees (by build ID, by release and name), then debuginfod. */
#include <ctype.h>
#include <elfutils/debuginfod.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbolize/sym_int.h"

int sym_parse_build_id(const char *id, unsigned char *out, size_t max)
{
	size_t n = strlen(id);

	/* GNU build IDs are 16 (md5, uuid) to 32 (sha256) bytes; the kernel's are sha1's 20 */
	if (n % 2 || n < 32 || n / 2 > max || n / 2 > 32)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)id[i]))
			return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char b[3] = { id[2 * i], id[2 * i + 1], 0 };

		out[i] = (unsigned char)strtoul(b, NULL, 16);
	}
	return (int)(n / 2);
}

/* Does F carry build ID ID (when ID is known)? Otherwise WHY says so. */
static bool id_matches(const struct nx_sym_file *f, const char *id, char *why, size_t len)
{
	char have[2 * NX_SYM_BUILD_ID_MAX + 1];

	if (!id)
		return true;
	if (sym_build_id(f, have, sizeof(have)) && strcasecmp(have, id) == 0)
		return true;
	snprintf(why, len, "%s: build ID %s, the kernel's is %s: another build", f->path,
		 sym_build_id(f, have, sizeof(have)) ? have : "(none)", id);
	return false;
}

/* Try PATH: found (and the right build) or not; WHY keeps the most telling failure. */
static bool try_path(struct nx_sym *s, const char *path, const char *id, struct nx_sym_file **f,
		     char *why, size_t len)
{
	if (access(path, R_OK) != 0)
		return false;
	*f = sym_open(s, path, why, len);
	return *f && id_matches(*f, id, why, len);
}

/* The candidates of a tree DIR by release and name. */
static bool by_name(struct nx_sym *s, const char *dir, const char *release, const char *module,
		    const char *id, struct nx_sym_file **f, char *why, size_t len)
{
	char path[4096], name[256];
	const struct nx_sym_kotree *t;

	if (!module) {
		snprintf(path, sizeof(path), "%s/lib/modules/%s/vmlinux", dir, release ? release : "");
		if (release && try_path(s, path, id, f, why, len))
			return true;
		snprintf(path, sizeof(path), "%s/boot/vmlinux-%s", dir, release ? release : "");
		if (release && try_path(s, path, id, f, why, len))
			return true;
		snprintf(path, sizeof(path), "%s/vmlinux", dir);
		return try_path(s, path, id, f, why, len);
	}
	snprintf(path, sizeof(path), "%s/lib/modules/%s", dir, release ? release : "");
	t = release && access(path, F_OK) == 0 ? sym_kotree(s, path) : NULL;
	if (!t) {
		snprintf(path, sizeof(path), "%s/lib/modules", dir);
		if (access(path, F_OK) == 0)
			return false;	/* a Debian tree without this release */
		t = sym_kotree(s, dir);	/* a flat folder of .ko files */
	}
	snprintf(name, sizeof(name), "%s", module);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->names[i], name) == 0 && try_path(s, t->paths[i], id, f, why, len))
			return true;
	return false;
}

static int progress(debuginfod_client *c, long a, long b)
{
	const struct nx_sym *s = debuginfod_get_user_data(c);

	(void)a, (void)b;
	return sym_late(s);	/* non-zero cancels the transfer */
}

static enum nx_sym_found ask_debuginfod(struct nx_sym *s, const unsigned char *id, int n,
					const char *hex, struct nx_sym_file **f,
					char *why, size_t len)
{
	char *path = NULL;
	int fd;

	if (!s->dclient) {
		s->dclient = debuginfod_begin();
		if (!s->dclient) {
			snprintf(why, len, "debuginfod: cannot start a client");
			return NX_SYM_RETRY;
		}
		debuginfod_set_user_data(s->dclient, s);
		debuginfod_set_progressfn(s->dclient, progress);
	}
	fd = debuginfod_find_debuginfo(s->dclient, id, n, &path);
	if (fd < 0) {
		s->stats.debuginfod_failed++;
		if (fd == -ENOENT) {
			snprintf(why, len, "debuginfod has no debug file for build ID %s", hex);
			return NX_SYM_MISSING;
		}
		snprintf(why, len, "debuginfod: %s (build ID %s)%s", strerror(-fd), hex,
			 sym_late(s) ? ", out of time" : "");
		return NX_SYM_RETRY;
	}
	close(fd);
	s->stats.debuginfod_ok++;
	*f = sym_open(s, path, why, len);
	free(path);
	return *f && id_matches(*f, hex, why, len) ? NX_SYM_FOUND : NX_SYM_MISSING;
}

enum nx_sym_found sym_find(struct nx_sym *s, const char *release, const char *module,
			   const char *id, struct nx_sym_file **f, char *why, size_t len)
{
	unsigned char bits[NX_SYM_BUILD_ID_MAX];
	char path[4096];
	int n = -1;

	*f = NULL;
	why[0] = '\0';
	if (id && (n = sym_parse_build_id(id, bits, sizeof(bits))) < 0) {
		snprintf(why, len, "bad build ID '%.80s' for %s: not 32 to 64 hex digits", id,
			 module ? module : "vmlinux");
		return NX_SYM_MISSING;
	}
	for (size_t i = 0; id && i < s->conf.n_dirs; i++) {
		snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", s->dirs[i], id, id + 2);
		if (try_path(s, path, id, f, why, len))
			return NX_SYM_FOUND;
	}
	for (size_t i = 0; i < s->conf.n_dirs; i++)
		if (by_name(s, s->dirs[i], release, module, id, f, why, len))
			return NX_SYM_FOUND;
	if (id && s->conf.debuginfod)
		return ask_debuginfod(s, bits, n, id, f, why, len);
	if (!id && s->conf.debuginfod) {
		/* the boot's inventory may still be on its way (sent at boot, or late) */
		snprintf(why, len, "no build ID for %s yet (no inventory from this boot): "
			 "debuginfod cannot be asked", module ? module : "vmlinux");
		return NX_SYM_RETRY;
	}
	if (!why[0])
		snprintf(why, len, "no debug file for %s %s%s%s", module ? module : "vmlinux",
			 release ? release : "(release unknown)", id ? ", build ID " : "",
			 id ? id : (s->conf.debuginfod ? " (no build ID for debuginfod)" : ""));
	return NX_SYM_MISSING;
}

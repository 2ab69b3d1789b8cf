/* netoopsctl key: make a fleet key, derive a host's key from it, install a key into the module. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "core/auth/auth.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/configfs.h"
#include "netoopsctl/key.h"

#define KEY_SYSFS	"netoops_key"		/* /sys/kernel/netoops/, write-only */

static int usage(void)
{
	fprintf(stderr,
		"usage: netoopsctl key new FILE\n"
		"       netoopsctl key derive FLEET-FILE HOST OUT-FILE\n"
		"       netoopsctl key install HOST-KEY-FILE\n");
	return 2;
}

static int key_new(const char *path)
{
	uint8_t key[NX_AUTH_KEY_LEN];
	char err[4400];
	int rc;

	if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		fprintf(stderr, "netoopsctl: cannot get random bytes for a key\n");
		return 1;
	}
	rc = nx_auth_key_write(path, key, err, sizeof(err));
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	printf("fleet key written to %s (mode 600): give it to netoopsd as fleet-key\n", path);
	return 0;
}

/* The host name as a sender puts it on the wire: other bytes than [A-Za-z0-9._-] refused. */
static bool wire_host_ok(const char *h)
{
	size_t n = strlen(h);

	return n >= 1 && n <= NETOOPS_MAX_HOST &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int key_derive(const char *fleet_path, const char *host, const char *out)
{
	uint8_t fleet[NX_AUTH_KEY_LEN], key[NX_AUTH_KEY_LEN];
	char err[4400];
	int rc = 1;

	if (!wire_host_ok(host)) {
		fprintf(stderr, "netoopsctl: host '%s': give the name as the module sends it "
			"(1 to %d of [A-Za-z0-9._-]; `uname -n` with other bytes as '_')\n", host,
			NETOOPS_MAX_HOST);
		return 2;
	}
	if (nx_auth_key_read(fleet_path, fleet, err, sizeof(err)) < 0 ||
	    nx_auth_host_key(fleet, host, strlen(host), key) < 0 ||
	    nx_auth_key_write(out, key, err, sizeof(err)) < 0)
		fprintf(stderr, "netoopsctl: %s\n", err[0] ? err : "cannot derive the key");
	else
		rc = 0;
	OPENSSL_cleanse(fleet, sizeof(fleet));
	OPENSSL_cleanse(key, sizeof(key));
	if (!rc)
		printf("key of host %s written to %s (mode 600): install it there with "
		       "'netoopsctl key install %s'\n", host, out, out);
	return rc;
}

int nxctl_key_install(const char *path, char *err, size_t errlen)
{
	uint8_t key[NX_AUTH_KEY_LEN];
	char hex[2 * NX_AUTH_KEY_LEN + 1];
	int rc = 0;

	if (nx_auth_key_read(path, key, err, errlen) < 0)
		return -1;
	nx_auth_key_hex(key, hex);
	if (nx_sysfs_write(KEY_SYSFS, hex, err, errlen) != 0)
		rc = -1;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}

static int key_install(const char *path)
{
	char err[4400];

	if (nxctl_key_install(path, err, sizeof(err)) < 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	printf("key installed: the module signs every datagram from now on\n");
	return 0;
}

int cmd_key(struct ctl_opts *o, int argc, char **argv)
{
	(void)o;
	if (argc == 3 && strcmp(argv[1], "new") == 0)
		return key_new(argv[2]);
	if (argc == 5 && strcmp(argv[1], "derive") == 0)
		return key_derive(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "install") == 0)
		return key_install(argv[2]);
	return usage();
}

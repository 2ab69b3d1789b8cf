/* Key files: 64 hex digits, refused unless only their owner may read and write them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/auth/auth.h"

int nx_auth_key_read(const char *path, uint8_t key[NX_AUTH_KEY_LEN], char *msg, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	char text[2 * NX_AUTH_KEY_LEN + 2];
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		snprintf(msg, len, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, len, "key file %s is not a regular file", path);
		goto fail;
	}
	if (st.st_mode & 077) {
		snprintf(msg, len, "key file %s may be read or written by group or others (mode "
			 "%03o): run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 0777), path);
		goto fail;
	}
	n = read(fd, text, sizeof(text));
	if (n < 0 || nx_auth_key_parse(text, (size_t)n, key) < 0) {
		snprintf(msg, len, "key file %s: expected 64 hex digits (as 'netoopsctl key new' "
			 "writes)", path);
		goto fail;
	}
	OPENSSL_cleanse(text, sizeof(text));
	close(fd);
	return 0;
fail:
	OPENSSL_cleanse(text, sizeof(text));
	close(fd);
	return -1;
}


int nx_auth_key_write(const char *path, const uint8_t key[NX_AUTH_KEY_LEN], char *msg, size_t len)
{
	char text[2 * NX_AUTH_KEY_LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	ssize_t n;

	if (fd < 0) {
		snprintf(msg, len, "cannot create key file %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (a key is never overwritten: remove it first)" : "");
		return -1;
	}
	nx_auth_key_hex(key, text);
	text[2 * NX_AUTH_KEY_LEN] = '\n';
	n = write(fd, text, sizeof(text) - 1);
	OPENSSL_cleanse(text, sizeof(text));
	if (n != (ssize_t)sizeof(text) - 1 || fsync(fd) < 0) {
		snprintf(msg, len, "cannot write key file %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

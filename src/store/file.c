/* Durable file creation shared by the store and the daemon's append file: modes and directory syncs. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/file.h"

int nx_file_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc, saved;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int nx_file_open_durable(const char *path, int flags, bool *created)
{
	/* O_EXCL first, to know whether the directory entry is new. */
	int fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, NX_FILE_MODE);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0 && *created && nx_file_sync_dir(path) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

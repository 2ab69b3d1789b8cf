/* Durable file creation shared by the store and the daemon's append file: modes and directory syncs. */
#ifndef NX_FILE_H
#define NX_FILE_H

#include <stdbool.h>

/*
 * Mode of the files netoops creates (database, its -wal/-shm, append file):
 * crash logs hold kernel addresses, so not world-readable. open() applies
 * the umask, which can only narrow it.
 */
#define NX_FILE_MODE	0640

/*
 * Open PATH with FLAGS (O_CREAT added, mode NX_FILE_MODE). When the file
 * is new, its directory is fsync'ed so that the name survives a power
 * failure. Returns the descriptor, or -1 with errno set; *CREATED tells
 * whether the file was made now.
 */
int nx_file_open_durable(const char *path, int flags, bool *created);

/* fsync the directory holding PATH; 0 or -1 with errno set. */
int nx_file_sync_dir(const char *path);

#endif

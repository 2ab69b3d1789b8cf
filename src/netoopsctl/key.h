/* Installing a host key into netoops.ko: shared by `key install`, `target add --key` and `target apply`. */
#ifndef NXCTL_KEY_H
#define NXCTL_KEY_H

#include <stddef.h>

/*
 * Read host key file PATH (refused unless mode 600 or stricter) and write it
 * into /sys/kernel/netoops/netoops_key. 0, or -1 with ERR saying what to fix.
 */
int nxctl_key_install(const char *path, char *err, size_t errlen);

#endif

/* netoopsd's diagnostics: one line each to stderr (the journal, under systemd). */
#ifndef NXD_LOG_H
#define NXD_LOG_H

#include <stdbool.h>

/* Levels as sd-daemon prefixes them, so journald keeps the priority. */
enum nxd_level { NXD_ERR = 3, NXD_WARNING = 4, NXD_INFO = 6, NXD_DEBUG = 7 };

extern bool nxd_log_debug;

void nxd_log(enum nxd_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	nxd_log(NXD_ERR, __VA_ARGS__)
#define log_warn(...)	nxd_log(NXD_WARNING, __VA_ARGS__)
#define log_info(...)	nxd_log(NXD_INFO, __VA_ARGS__)
#define log_debug(...)	nxd_log(NXD_DEBUG, __VA_ARGS__)

#endif

/* Turning a configured target (name, collector) into a live one: shared by target add, apply and watch. */
#ifndef NXCTL_TARGET_H
#define NXCTL_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "netoopsctl/configfs.h"
#include "netoopsctl/route.h"
#include "netoopsctl/targets_conf.h"

#define NX_RESOLVE_TIMEOUT_MS 3000

/*
 * Resolve T's collector (address or DNS name), the route and the next hop's
 * MAC into the attribute values for the module. 0, or -1 + ERR.
 */
int nx_target_resolve(const struct nx_conf_target *t, int timeout_ms,
		      struct nx_target_cfg *cfg, struct nx_path *path, char *err, size_t errlen);

/* One line describing a resolved target, e.g. "eth0 10.0.0.5 -> 10.0.9.1:2004 via gateway 10.0.0.1 (52:54:...)". */
void nx_target_describe(const struct nx_target_cfg *cfg, const struct nx_path *path,
			char *buf, size_t len);

/*
 * Configure every target of the file at CONF in the module. Unchanged targets
 * are left alone; with QUIET only changes and errors are printed. Returns the
 * number of targets that failed, or -1 when none could be tried.
 */
int nx_targets_apply(const char *conf, bool quiet);

#endif

/* The daemon's counters, named as `netoopsctl stats` shows them. */
#include <assert.h>

#include "netoopsd/counters.h"

static const char *const format_keys[NX_FORMAT_COUNT] = {
	[NX_FMT_NETOOPS] = "datagrams_netoops",
	[NX_FMT_LEGACY_V3] = "datagrams_legacy_v3",
	[NX_FMT_NC_EXTENDED] = "datagrams_netconsole_extended",
	[NX_FMT_NC_BASIC] = "datagrams_netconsole_basic",
};

size_t counters_list(const struct nxd_counters *c, struct nx_counter *out)
{
	size_t n = 0;

#define PUT(key, val) (out[n].name = (key), out[n].value = (val), n++)
	PUT("datagrams_received", c->rx.datagrams);
	PUT("datagrams_accepted", c->reasm.accepted);
	for (int f = 0; f < NX_FORMAT_COUNT; f++)
		PUT(format_keys[f], c->reasm.by_format[f]);
	PUT("malformed", c->reasm.malformed);
	PUT("truncated", c->rx.truncated);
	PUT("over_limit", c->reasm.over_limit);
	PUT("duplicates", c->reasm.duplicates);
	PUT("socket_overflow", c->rx.socket_overflow);
	PUT("receive_errors", c->rx.recv_errors);
	PUT("dumps_complete", c->reasm.complete);
	PUT("dumps_incomplete", c->reasm.incomplete);
	PUT("evicted", c->reasm.evicted);
	PUT("shed", c->reasm.shed);
	PUT("queue_waits", c->queue_waits);
	PUT("stored", c->store.stored);
	PUT("reports", c->store.reports);
	PUT("store_errors", c->store.store_errors);
	PUT("analyse_errors", c->store.analyse_errors);
	PUT("store_batches", c->store.batches);
	PUT("append_errors", c->store.append_errors);
	PUT("syslog_sent", c->store.syslog_sent);
	PUT("syslog_errors", c->store.syslog_errors);
	PUT("started_ms", c->started_ms);
	PUT("datagrams_fed", c->reasm.datagrams);
	PUT("analysis_crashes", c->analysis.crashes);
	PUT("analysis_timeouts", c->analysis.timeouts);
	PUT("analysis_restarts", c->analysis.restarts);
	PUT("noise_sampled", c->noise.sampled);
	PUT("noise_aggregated", c->noise.aggregated);
	PUT("noise_dropped", c->noise.dropped);
	PUT("store_lock_waits", c->store.lock_waits);
	PUT("dropped_nomem", c->store.dropped_nomem);
	PUT("socket_overflow_unmeasured", c->rx.overflow_unmeasured);
	PUT("fec_parity", c->reasm.fec_parity);
	PUT("fec_recovered", c->reasm.fec_recovered);
	PUT("fec_rejected", c->reasm.fec_rejected);
	PUT("unanalysed_behind", c->store.unanalysed_behind);
	PUT("auth_verified", c->auth.verified);
	PUT("auth_forged", c->auth.forged);
	PUT("auth_replayed", c->auth.replayed);
	PUT("auth_refused", c->auth.refused);
#undef PUT
	assert(n <= NXD_N_COUNTERS);
	return n;
}

/* GET /metrics: the saved counters and the store's totals in the Prometheus text format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netoopsd/counters.h"
#include "netoopsd/http_web.h"

#define PROM_TYPE	"text/plain; version=0.0.4; charset=utf-8"

enum kind { COUNTER, GAUGE };

/*
 * One saved counter as one series. Rows of one family (same METRIC) are
 * adjacent: its HELP and TYPE are written before its first row.
 */
static const struct series {
	const char *counter, *metric, *labels, *help;
	enum kind kind;
} series[] = {
	{ "datagrams_received", "netoops_datagrams_received_total", NULL,
	  "Datagrams read from the sockets.", COUNTER },
	{ "datagrams_netoops", "netoops_datagrams_accepted_total", "format=\"netoops\"",
	  "Datagrams accepted, by wire format.", COUNTER },
	{ "datagrams_legacy_v3", "netoops_datagrams_accepted_total", "format=\"legacy_v3\"",
	  NULL, COUNTER },
	{ "datagrams_netconsole_extended", "netoops_datagrams_accepted_total",
	  "format=\"netconsole_extended\"", NULL, COUNTER },
	{ "datagrams_netconsole_basic", "netoops_datagrams_accepted_total",
	  "format=\"netconsole_basic\"", NULL, COUNTER },
	{ "malformed", "netoops_datagrams_dropped_total", "reason=\"malformed\"",
	  "Datagrams dropped, by reason (socket_overflow: by the kernel, receive buffer full).",
	  COUNTER },
	{ "truncated", "netoops_datagrams_dropped_total", "reason=\"truncated\"", NULL, COUNTER },
	{ "over_limit", "netoops_datagrams_dropped_total", "reason=\"over_limit\"", NULL, COUNTER },
	{ "shed", "netoops_datagrams_dropped_total", "reason=\"shed\"", NULL, COUNTER },
	{ "socket_overflow", "netoops_datagrams_dropped_total", "reason=\"socket_overflow\"",
	  NULL, COUNTER },
	{ "duplicates", "netoops_datagrams_duplicate_total", NULL,
	  "Datagrams already received (the sender's redundancy passes).", COUNTER },
	{ "receive_errors", "netoops_receive_errors_total", NULL, "Failed recvmmsg calls.",
	  COUNTER },
	{ "socket_overflow_unmeasured", "netoops_sockets_overflow_unmeasured", NULL,
	  "Listening sockets whose kernel drops are not counted (SO_RXQ_OVFL refused).", GAUGE },
	{ "dumps_complete", "netoops_dumps_finished_total", "outcome=\"complete\"",
	  "Dumps finished by reassembly, by outcome.", COUNTER },
	{ "dumps_incomplete", "netoops_dumps_finished_total", "outcome=\"incomplete\"", NULL,
	  COUNTER },
	{ "evicted", "netoops_dumps_evicted_total", NULL,
	  "Partial dumps flushed early (incomplete) at the memory or count bound.", COUNTER },
	{ "noise_dropped", "netoops_dumps_dropped_total", "reason=\"noise_queue_full\"",
	  "Finished dumps dropped before the store, by reason.", COUNTER },
	{ "dropped_nomem", "netoops_dumps_dropped_total", "reason=\"no_memory\"", NULL, COUNTER },
	{ "stored", "netoops_dumps_stored_total", NULL, "Dumps committed to the database.",
	  COUNTER },
	{ "store_errors", "netoops_store_errors_total", NULL, "Dumps that could not be stored.",
	  COUNTER },
	{ "reports", "netoops_reports_total", NULL, "Crash reports found in stored dumps.",
	  COUNTER },
	{ "analysis_crashes", "netoops_analysis_failures_total", "reason=\"crash\"",
	  "Analyses lost to the confined worker, by reason.", COUNTER },
	{ "analysis_timeouts", "netoops_analysis_failures_total", "reason=\"timeout\"", NULL,
	  COUNTER },
	{ "queue_waits", "netoops_queue_waits_total", NULL,
	  "Times the receive loop waited for the analysis and store side.", COUNTER },
	{ "queue_analysis_bytes", "netoops_queue_bytes", "queue=\"analysis\"",
	  "Bytes of finished dumps queued, by queue.", GAUGE },
	{ "queue_store_bytes", "netoops_queue_bytes", "queue=\"store\"", NULL, GAUGE },
	{ "notify_sent", "netoops_notify_events_total", "outcome=\"sent\"",
	  "Webhook events (notify), by outcome.", COUNTER },
	{ "notify_failed", "netoops_notify_events_total", "outcome=\"failed\"", NULL, COUNTER },
	{ "notify_dropped", "netoops_notify_events_total", "outcome=\"dropped\"", NULL, COUNTER },
	{ "notify_retries", "netoops_notify_retries_total", NULL,
	  "Webhook POSTs that failed and were tried again.", COUNTER },
};

/* The store's own totals (nx_store_counters' "stored"). */
static const struct series totals[] = {
	{ "dumps", "netoops_stored_dumps", NULL, "Dumps in the database.", GAUGE },
	{ "reports", "netoops_stored_reports", NULL, "Crash reports in the database.", GAUGE },
	{ "groups", "netoops_groups", NULL, "Crash groups (distinct signatures) in the database.",
	  GAUGE },
};

static const char *const kind_name[] = { [COUNTER] = "counter", [GAUGE] = "gauge" };

static uint64_t value_of(const json_t *obj, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(obj, key));

	return v > 0 ? (uint64_t)v : 0;
}

static void head(FILE *f, const char *metric, const char *help, const char *kind)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, kind);
}

static void put_table(FILE *f, const struct series *t, size_t n, const json_t *values)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].help)
			head(f, t[i].metric, t[i].help, kind_name[t[i].kind]);
		fprintf(f, "%s%s%s%s %llu\n", t[i].metric, t[i].labels ? "{" : "",
			t[i].labels ? t[i].labels : "", t[i].labels ? "}" : "",
			(unsigned long long)value_of(values, t[i].counter));
	}
}

/* The store latency histogram, from the counters store_latency_le_<MS>ms. */
static void put_latency(FILE *f, const json_t *c)
{
	static const int64_t bounds[NXD_LATENCY_BUCKETS] = NXD_LATENCY_BOUNDS_MS;
	const char *m = "netoops_store_latency_seconds";
	char key[48];

	head(f, m, "Time from a dump being finished (its last datagram; quiet-ms after it for "
	     "an incomplete dump) to it being committed.", "histogram");
	for (int b = 0; b < NXD_LATENCY_BUCKETS; b++) {
		snprintf(key, sizeof(key), "store_latency_le_%lldms", (long long)bounds[b]);
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", m, (double)bounds[b] / 1000,
			(unsigned long long)value_of(c, key));
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", m, (unsigned long long)value_of(c, "stored"));
	fprintf(f, "%s_sum %.3f\n", m, (double)value_of(c, "store_latency_sum_ms") / 1000);
	fprintf(f, "%s_count %llu\n", m, (unsigned long long)value_of(c, "stored"));
}

/* One series per recently seen group: alert rules see new groups and rate jumps. */
static void put_groups(FILE *f, const json_t *groups)
{
	const json_t *g;
	size_t i;

	head(f, "netoops_group_reports_total", "Crash reports per group, for the groups seen in "
	     "the last 7 days (the 500 most recently seen); group is the id of /v1/groups.",
	     "counter");
	json_array_foreach(groups, i, g)
		fprintf(f, "netoops_group_reports_total{group=\"%lld\"} %llu\n",
			(long long)json_integer_value(json_object_get(g, "id")),
			(unsigned long long)value_of(g, "count"));
}

static void render(FILE *f, const json_t *saved, const json_t *groups)
{
	const json_t *c = json_object_get(saved, "counters");

	put_table(f, series, sizeof(series) / sizeof(series[0]), c);
	put_latency(f, c);
	put_table(f, totals, sizeof(totals) / sizeof(totals[0]), json_object_get(saved, "stored"));
	put_groups(f, groups);
	head(f, "netoops_start_time_seconds", "When netoopsd started (Unix time).", "gauge");
	fprintf(f, "netoops_start_time_seconds %.3f\n", (double)value_of(c, "started_ms") / 1000);
	head(f, "netoops_counters_saved_timestamp_seconds", "When the counters above were last "
	     "saved (every stats-interval-ms).", "gauge");
	fprintf(f, "netoops_counters_saved_timestamp_seconds %.3f\n",
		(double)value_of(saved, "updated_ms") / 1000);
}

void nxd_api_metrics(struct nx_store *s, const struct nxd_api_req *r, const char *rest,
		     struct nxd_answer *a)
{
	json_t *saved = nx_store_counters(s), *groups = NULL;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)rest;
	if (saved)
		groups = nx_store_group_counts(s, r->now_ms - NXD_METRICS_GROUP_AGE_MS,
					       NXD_METRICS_GROUPS);
	if (!groups) {
		json_decref(saved);
		nxd_answer_error(a, 500, nx_store_error(s));
		return;
	}
	if ((f = open_memstream(&body, &len)) != NULL) {
		render(f, saved, groups);
		if (fclose(f) != 0) {
			free(body);
			body = NULL;
		}
	}
	json_decref(saved);
	json_decref(groups);
	nxd_answer_body(a, body, len, PROM_TYPE, r->budget);
}

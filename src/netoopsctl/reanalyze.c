/* netoopsctl reanalyze: analyse stored dumps again, in the isolated worker, replacing their reports. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netoopsctl/commands.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsd/analyst.h"
#include "store/store.h"

#define CHUNK 64			/* ids selected per query */
#define BUSY_TRIES 12			/* the daemon holds the write lock briefly per batch */
#define DEFAULT_TIMEOUT_MS 10000
#define WORKER_MEMORY (1024u << 20)	/* a stored text and its analysis */

struct run {
	struct nx_store *store;
	struct nxd_analyst *analyst;
	int64_t total, done, ok, failed, skipped, gone;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: netoopsctl reanalyze [--db PATH] [ID... | --all | --failed]\n"
		"                            [--timeout-ms MS] [--user USER]\n"
		"  (no argument: dumps not analysed ok, and those whose reports carry a\n"
		"   signature older than version %d)\n", NX_SIGNATURE_VERSION);
}

/* Store the result, retrying while netoopsd holds the write lock. */
static int save(struct run *r, int64_t id, const struct nx_report_set *set,
		const struct nx_analysis *an)
{
	int rc = NX_STORE_BUSY;

	for (int i = 0; i < BUSY_TRIES && rc == NX_STORE_BUSY; i++) {
		rc = nx_store_replace_reports(r->store, id, set, an);
		if (rc == NX_STORE_BUSY)
			nx_sleep_ms(100 << (i < 5 ? i : 5));
	}
	if (rc == NX_STORE_BUSY || rc < 0)
		fprintf(stderr, "netoopsctl: dump %lld: %s\n", (long long)id,
			rc == NX_STORE_BUSY ? "database stayed locked; run again later" :
			nx_store_error(r->store));
	return rc;
}

/* Analyse dump ID in the worker and store the outcome; -1 on a store error. */
static int reanalyse_one(struct run *r, int64_t id)
{
	struct nx_report_set *set = NULL;
	struct nx_analysis an = { 0 };
	size_t len = 0;
	char *text = nx_store_dump_text(r->store, id, &len);
	int rc;

	r->done++;
	if (!text) {
		if (nx_store_error(r->store)[0])
			fprintf(stderr, "netoopsctl: dump %lld: %s\n", (long long)id,
				nx_store_error(r->store));
		else
			printf("dump %lld: no such dump\n", (long long)id);
		r->gone++;
		return nx_store_error(r->store)[0] ? -1 : 0;
	}
	nxd_analyst_run(r->analyst, text, len, &set, &an);
	free(text);
	/* Not attempted (worker back-off): the dump stays as it was, for the next run. */
	rc = an.state == NX_ANALYSIS_NONE ? 0 : save(r, id, set, &an);
	if (rc == 0 && an.state == NX_ANALYSIS_OK)
		r->ok++;
	else if (rc == 0 && an.state == NX_ANALYSIS_FAILED)
		r->failed++;
	else if (rc == 0)
		r->skipped++;
	else if (rc == 1)
		r->gone++;
	printf("[%lld/%lld] dump %lld: %s\n", (long long)r->done, (long long)r->total,
	       (long long)id, rc == 1 ? "deleted meanwhile" : an.state == NX_ANALYSIS_OK ?
	       (set && set->n ? set->reports[0].title : "no crash report found") : an.error);
	fflush(stdout);
	nx_report_set_free(set);
	return rc < 0 ? -1 : 0;
}

/* Every dump PICK selects, in id order: a rerun after an interruption continues. */
static int reanalyse_pick(struct run *r, enum nx_reanalyse_pick pick)
{
	int64_t ids[CHUNK], after = 0;
	int n;

	r->total = nx_store_reanalyse_count(r->store, pick);
	if (r->total < 0)
		return -1;
	while ((n = nx_store_reanalyse_ids(r->store, pick, after, ids, CHUNK)) > 0) {
		for (int i = 0; i < n; i++)
			if (reanalyse_one(r, ids[i]) < 0)
				return -1;
		after = ids[n - 1];
	}
	return n;
}

static int reanalyse_ids(struct run *r, int argc, char **argv)
{
	r->total = argc - optind;
	for (int i = optind; i < argc; i++) {
		char *end;
		long long id = strtoll(argv[i], &end, 10);

		if (*end || id <= 0) {
			fprintf(stderr, "netoopsctl reanalyze: '%s' is not a dump id\n", argv[i]);
			return -1;
		}
		if (reanalyse_one(r, id) < 0)
			return -1;
	}
	return 0;
}

static int open_all(struct run *r, const struct ctl_opts *o, const char *user,
		    unsigned long timeout_ms)
{
	struct nxd_analyst_conf conf;
	char err[4400];

	if (!o->db) {
		fprintf(stderr, "netoopsctl: no database: give --db PATH (or set NETOOPS_DB)\n");
		return -1;
	}
	if (nxd_analyst_conf_init(&conf, user, WORKER_MEMORY, (uint32_t)timeout_ms, err,
				  sizeof(err)) < 0) {
		fprintf(stderr, "netoopsctl reanalyze: --%s\n", err);
		return -1;
	}
	r->store = nx_store_open(o->db, NX_STORE_EXISTING, err, sizeof(err));
	if (!r->store) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return -1;
	}
	r->analyst = nxd_analyst_new(&conf);
	if (!r->analyst || nxd_analyst_start(r->analyst, err, sizeof(err)) < 0) {
		fprintf(stderr, "netoopsctl reanalyze: %s\n", r->analyst ? err : "out of memory");
		return -1;
	}
	return 0;
}

int cmd_reanalyze(struct ctl_opts *o, int argc, char **argv)
{
	enum { OPT_DB = 1000, OPT_ALL, OPT_FAILED, OPT_TIMEOUT, OPT_USER };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "failed", no_argument, NULL, OPT_FAILED },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "user", required_argument, NULL, OPT_USER },
		{ NULL, 0, NULL, 0 },
	};
	enum nx_reanalyse_pick pick = NX_PICK_NEEDED;
	unsigned long timeout_ms = DEFAULT_TIMEOUT_MS;
	const char *user = "nobody";
	struct run r = { 0 };
	int c, rc;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_ALL: pick = NX_PICK_ALL; break;
		case OPT_FAILED: pick = NX_PICK_FAILED; break;
		case OPT_USER: user = optarg; break;
		case OPT_TIMEOUT:
			timeout_ms = strtoul(optarg, &end, 10);
			if (*end || timeout_ms < 100 || timeout_ms > 600000) {
				fprintf(stderr, "netoopsctl reanalyze: --timeout-ms: give 100 to "
					"600000 milliseconds\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && pick != NX_PICK_NEEDED) {
		usage(stderr);
		return 2;
	}
	if (open_all(&r, o, user, timeout_ms) < 0) {
		nx_store_close(r.store);
		nxd_analyst_free(r.analyst);
		return 1;
	}
	rc = optind < argc ? reanalyse_ids(&r, argc, argv) : reanalyse_pick(&r, pick);
	if (r.total == 0 && rc == 0)
		printf("nothing to reanalyse\n");
	else
		printf("reanalysed %lld of %lld: %lld ok, %lld failed, %lld skipped, %lld gone\n",
		       (long long)r.done, (long long)r.total, (long long)r.ok, (long long)r.failed,
		       (long long)r.skipped, (long long)r.gone);
	nxd_analyst_free(r.analyst);
	nx_store_close(r.store);
	/* An id that names no dump is a mistake; a dump deleted during a pick run is not. */
	return rc < 0 || r.failed || r.skipped || (optind < argc && r.gone) ? 1 : 0;
}

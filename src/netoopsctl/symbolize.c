/* netoopsctl symbolize: symbolize stored dumps' reports again, now, with the given debug info. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/numparse.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/symopts.h"
#include "store/store.h"

#define REPORTS_MAX 64		/* reports of one dump symbolized */
#define BUSY_TRIES 12		/* netoopsd holds the write lock briefly per batch */

static void usage(FILE *f)
{
	fprintf(f, "usage: netoopsctl symbolize [--db PATH] ID... [--debuginfo DIR]... [--debuginfod]\n"
		"                            [--sym-timeout-ms MS]\n");
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int save(struct nx_store *st, int64_t id, const json_t *y)
{
	int rc = -1;

	for (int i = 0; i < BUSY_TRIES; i++) {
		rc = nx_store_sym_save(st, id, y, wall_ms(), wall_ms() + 300000);
		if (rc >= 0 || !nx_store_busy(st))
			break;
		nx_sleep_ms(100 << (i < 5 ? i : 5));
	}
	return rc;
}

/* Symbolize report ID (of dump DUMP); 0 or 1 (failed, said). */
static int one_report(struct nx_store *st, struct nx_sym *sym, int64_t dump, int64_t id,
		      bool json)
{
	struct nx_store_sym_job j;
	json_t *y;

	if (nx_store_sym_job(st, id, &j) != 0) {
		fprintf(stderr, "netoopsctl: symbolize: report of dump %lld: %s\n",
			(long long)dump, nx_store_error(st));
		return 1;
	}
	y = nx_sym_stored(sym, st, &j);
	nx_store_sym_job_free(&j);
	if (!y || save(st, id, y) < 0) {
		fprintf(stderr, "netoopsctl: symbolize: dump %lld: %s\n", (long long)dump,
			y ? nx_store_error(st) : "out of memory");
		json_decref(y);
		return 1;
	}
	if (json) {
		json_object_set_new(y, "dump", json_integer(dump));
		nxctl_print_json(y, JSON_COMPACT);
	} else {
		printf("dump %lld:\n", (long long)dump);
		nxctl_print_symbolized(y);
	}
	json_decref(y);
	return 0;
}

static int one_dump(struct nx_store *st, struct nx_sym *sym, const char *arg, bool json)
{
	static const struct nx_num id_num = { "ID", NX_NUM_COUNT, 1, INT64_MAX, "17" };
	int64_t ids[REPORTS_MAX];
	uint64_t dump;
	int n, status = 0;

	if (nxctl_parse_num(&id_num, arg, &dump) < 0)
		return 1;
	n = nx_store_sym_reports(st, (int64_t)dump, ids, REPORTS_MAX);
	if (n < 0) {
		fprintf(stderr, "netoopsctl: symbolize: %s\n", nx_store_error(st));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "netoopsctl: symbolize: dump %s has no crash report "
			"(see netoopsctl list)\n", arg);
		return 1;
	}
	for (int i = 0; i < n; i++)
		status |= one_report(st, sym, (int64_t)dump, ids[i], json);
	return status;
}

int cmd_symbolize(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		NXCTL_SYM_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct nxctl_sym so;
	struct nx_store *st;
	struct nx_sym *sym;
	char err[512];
	int c, r, status = 0;

	nxctl_sym_defaults(&so);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((r = nxctl_sym_option(&so, c, optarg)) != 0) {
			if (r < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || !so.wanted || !o->db) {
		fprintf(stderr, "netoopsctl: symbolize: give --db, dump IDs and where debug info is "
			"(--debuginfo DIR, --debuginfod)\n");
		usage(stderr);
		return 2;
	}
	if (!(st = nx_store_open(o->db, NX_STORE_EXISTING, err, sizeof(err)))) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	if (!(sym = nxctl_sym_open(&so))) {
		nx_store_close(st);
		return 2;
	}
	nx_store_set_busy_wait(st, 2000);
	for (int i = optind; i < argc; i++)
		status |= one_dump(st, sym, argv[i], o->json);
	nx_sym_free(sym);
	nx_store_close(st);
	return status;
}

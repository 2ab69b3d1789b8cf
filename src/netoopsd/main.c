/* netoopsd: parse options and the config file, then wire receive, reassembly and store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netoopsd/analyst.h"
#include "netoopsd/config.h"
#include "netoopsd/http.h"
#include "netoopsd/log.h"
#include "netoopsd/loop.h"

/* The settings' long options (from the config table), then the command line's own. */
static struct option longopts[64];

static void make_longopts(void)
{
	static const struct option own[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t n = config_longopts(longopts, sizeof(longopts) / sizeof(longopts[0]) - 4);

	memcpy(longopts + n, own, sizeof(own));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: netoopsd [--listen ADDR:PORT]... --db PATH [options]\n"
		"  -c, --config FILE            key = value settings (default %s)\n",
		NXD_DEFAULT_CONFIG);
	config_usage(f);
	fprintf(f, "  -v, --verbose                log debugging detail\n"
		"See netoopsd(8).\n");
}

/* First pass: only --config, --help and whether --listen appears. */
static int find_config(int argc, char **argv, const char **path, bool *listen_cli)
{
	int c, idx;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:d:c:vh", longopts, &idx)) != -1) {
		if (c == 'c')
			*path = optarg;
		else if (c == 'l')
			*listen_cli = true;
		else if (c == 'h')
			return 1;
	}
	opterr = 1;
	optind = 1;
	return 0;
}

static int apply_options(struct nxd_config *cfg, int argc, char **argv)
{
	char msg[512];
	int c, idx;

	while ((c = getopt_long(argc, argv, "l:d:c:vh", longopts, &idx)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'l': key = "listen"; break;
		case 'd': key = "db"; break;
		case 'c': continue;
		case 'v': cfg->verbose = true; continue;
		case 0: key = longopts[idx].name; break;
		default: usage(stderr); return -1;
		}
		if (config_set(cfg, key, optarg, msg, sizeof(msg))) {
			fprintf(stderr, "netoopsd: --%s\n", msg);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netoopsd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int configure(struct nxd_config *cfg, int argc, char **argv)
{
	const char *path = NULL;
	char msg[8400];

	config_defaults(cfg);
	make_longopts();
	if (find_config(argc, argv, &path, &cfg->listen_from_cli)) {
		usage(stdout);
		exit(0);
	}
	if (config_load(cfg, path ? path : NXD_DEFAULT_CONFIG, path != NULL,
			msg, sizeof(msg)) < 0) {
		fprintf(stderr, "netoopsd: %s\n", msg);
		return -1;
	}
	if (apply_options(cfg, argc, argv) < 0)
		return -1;
	if (config_check(cfg, msg, sizeof(msg))) {
		fprintf(stderr, "netoopsd: %s\n", msg);
		return -1;
	}
	return 0;
}

/* The store and the optional outputs, handed to the sink thread. */
static int open_sink_parts(const struct nxd_config *cfg, struct nxd_sink_parts *p)
{
	char msg[8400];

	memset(p, 0, sizeof(*p));
	p->store = nx_store_open(cfg->db, NX_STORE_CREATE, msg, sizeof(msg));
	if (!p->store)
		goto fail;
	if (nx_store_set_fsync(p->store, cfg->db_fsync) < 0) {
		snprintf(msg, sizeof(msg), "database %s: %s", cfg->db, nx_store_error(p->store));
		goto fail;
	}
	if (cfg->append_file[0] && !(p->append = append_open(cfg->append_file, cfg->db_fsync,
							      msg, sizeof(msg))))
		goto fail;
	if (cfg->syslog.len && !(p->syslog = syslog_open(&cfg->syslog, msg, sizeof(msg))))
		goto fail;
	/* The worker holds one dump's text (at most a quarter of reassembly) and its analysis. */
	if (nxd_analyst_conf_init(&p->analyst, cfg->analysis_user, cfg->max_memory / 2 + (32u << 20),
				  cfg->analysis_timeout_ms, msg, sizeof(msg)) < 0)
		goto fail;
	/* A quarter of the memory bound for finished dumps waiting to be stored. */
	p->max_queue_bytes = cfg->max_memory / 4;
	p->stats_interval_ms = cfg->stats_interval_ms;
	p->stop_wait_ms = cfg->stop_wait_ms;
	return 0;
fail:
	log_err("%s", msg);
	append_close(p->append);
	nx_store_close(p->store);
	return -1;
}

static void log_final(const struct nxd_counters *c)
{
	log_info("stopped: %llu datagrams, %llu malformed, %llu duplicates, "
		 "%llu socket overflow; %llu dumps stored (%llu complete, %llu incomplete), "
		 "%llu store errors",
		 (unsigned long long)c->rx.datagrams, (unsigned long long)c->reasm.malformed,
		 (unsigned long long)c->reasm.duplicates,
		 (unsigned long long)c->rx.socket_overflow, (unsigned long long)c->store.stored,
		 (unsigned long long)c->reasm.complete, (unsigned long long)c->reasm.incomplete,
		 (unsigned long long)c->store.store_errors);
}

int main(int argc, char **argv)
{
	static struct nxd_config cfg;
	static struct nxd_loop loop;
	static struct nxd_shards shards;
	struct nxd_sink_parts parts;
	struct nxd_counters final;
	struct nxd_http *http = NULL;
	int rc;

	if (argc > 1 && strcmp(argv[1], NXD_ANALYST_ARG) == 0)
		return nxd_analyst_worker_main(argc, argv);
	if (configure(&cfg, argc, argv) < 0)
		return 2;
	nxd_log_debug = cfg.verbose;
	loop.cfg = &cfg;
	if (loop_block_signals() < 0 || open_sink_parts(&cfg, &parts) < 0)
		return 1;
	if (shards_open(&shards, &loop) < 0 || shards_open_auth(&shards, parts.store) < 0)
		return 1;
	loop.sink = sink_start(&parts);
	if (!loop.sink) {
		log_err("cannot start: cannot create the analysis and store threads");
		return 1;
	}
	if (cfg.http.len && !(http = http_start(&cfg)))
		rc = -1;
	else
		rc = loop_run(&loop);
	http_stop(http);
	sink_stop(loop.sink, &final);
	final.rx = loop.counters.rx;		/* all receive threads' */
	final.reasm = loop.counters.reasm;
	log_final(&final);
	shards_close(&shards);
	return rc < 0 ? 1 : 0;
}

/* netoopsd: parse options and the config file, then wire receive, reassembly and store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "netoopsd/analyst.h"
#include "netoopsd/config.h"
#include "netoopsd/http.h"
#include "netoopsd/log.h"
#include "netoopsd/loop.h"
#include "netoopsd/notify.h"

/* Long options carrying a value are named exactly like the config file's keys. */
static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "db", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "append-file", required_argument, NULL, 0 },
	{ "syslog", required_argument, NULL, 0 },
	{ "http", required_argument, NULL, 0 },
	{ "max-memory", required_argument, NULL, 0 },
	{ "max-dumps", required_argument, NULL, 0 },
	{ "quiet-ms", required_argument, NULL, 0 },
	{ "netconsole-quiet-ms", required_argument, NULL, 0 },
	{ "rcvbuf", required_argument, NULL, 0 },
	{ "stats-interval-ms", required_argument, NULL, 0 },
	{ "batch", required_argument, NULL, 0 },
	{ "analysis-timeout-ms", required_argument, NULL, 0 },
	{ "analysis-user", required_argument, NULL, 0 },
	{ "db-fsync", required_argument, NULL, 0 },
	{ "stop-wait-ms", required_argument, NULL, 0 },
	{ "web-root", required_argument, NULL, 0 },
	{ "notify", required_argument, NULL, 0 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: netoopsd [--listen ADDR:PORT]... --db PATH [options]\n"
		"  -l, --listen ADDR:PORT       receive here; repeatable; IPv6 as [::1]:2004\n"
		"                               (default 0.0.0.0:2004)\n"
		"  -d, --db PATH                SQLite database of reports (created if absent)\n"
		"  -c, --config FILE            key = value settings (default %s)\n"
		"      --append-file PATH       also append each complete report as text\n"
		"      --syslog HOST:PORT       also forward each report as RFC 5424 over UDP\n"
		"      --http ADDR:PORT         serve the read-only JSON query API here (off)\n"
		"      --max-memory SIZE        bound on reassembly + queued dumps (default 256M)\n"
		"      --max-dumps N            partial dumps held at once (default 100000)\n"
		"      --quiet-ms MS            emit a dump incomplete after MS without news\n"
		"                               (default 10000)\n"
		"      --netconsole-quiet-ms MS cut a netconsole stream after MS (default 5000)\n"
		"      --rcvbuf SIZE            socket receive buffer (default 64M)\n"
		"      --stats-interval-ms MS   save counters to the database this often\n"
		"      --batch N                datagrams per recvmmsg (default 256)\n"
		"      --analysis-timeout-ms MS the analysis worker's deadline per dump\n"
		"                               (default 5000)\n"
		"      --analysis-user USER     the analysis worker's user when run as root\n"
		"                               (default nobody)\n"
		"      --db-fsync 0|1           1: a stored dump survives power loss (default)\n"
		"      --stop-wait-ms MS        at a stop, wait this long for a locked database\n"
		"                               (default 30000)\n"
		"      --web-root DIR           the dashboard's files, served at / by --http\n"
		"                               (default " NXD_DEFAULT_WEB_ROOT ")\n"
		"      --notify URL             POST new groups and rate jumps here as JSON (off)\n"
		"  -v, --verbose                log debugging detail\n"
		"See netoopsd(8).\n", NXD_DEFAULT_CONFIG);
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

static int open_listeners(struct nxd_loop *l)
{
	char msg[512];

	for (size_t i = 0; i < l->cfg->n_listen; i++) {
		if (listener_open(&l->listeners[i], &l->cfg->listen[i], l->cfg->rcvbuf,
				  msg, sizeof(msg)) < 0) {
			log_err("%s", msg);
			while (i--)
				listener_close(&l->listeners[i]);
			return -1;
		}
		l->n_listeners++;
		l->counters.rx.overflow_unmeasured += !l->listeners[i].ovfl_measured;
		log_info("listening on %s (receive buffer %d bytes)",
			 l->cfg->listen[i].text, listener_rcvbuf(&l->listeners[i]));
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

static struct nx_reasm *new_reasm(const struct nxd_config *cfg)
{
	struct nx_reasm_limits lim = {
		.max_bytes = cfg->max_memory - cfg->max_memory / 4,
		.max_dumps = cfg->max_dumps,
		.quiet_ms = cfg->quiet_ms,
		.netconsole_quiet_ms = cfg->netconsole_quiet_ms,
	};

	/* A secret hash key: senders cannot aim their dumps at one bucket. */
	if (getrandom(&lim.hash_seed, sizeof(lim.hash_seed), 0) != sizeof(lim.hash_seed))
		log_warn("getrandom failed; reassembly hash key is not secret");
	return nx_reasm_new(&lim);
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
	struct nxd_sink_parts parts;
	struct nxd_counters final;
	struct nxd_http *http = NULL;
	struct nxd_notify *notify = NULL;
	int rc;

	if (argc > 1 && strcmp(argv[1], NXD_ANALYST_ARG) == 0)
		return nxd_analyst_worker_main(argc, argv);
	if (configure(&cfg, argc, argv) < 0)
		return 2;
	nxd_log_debug = cfg.verbose;
	loop.cfg = &cfg;
	if (loop_block_signals() < 0 || open_sink_parts(&cfg, &parts) < 0)
		return 1;
	if (open_listeners(&loop) < 0)
		return 1;
	if (cfg.notify[0] && !(parts.notify = notify = notify_start(&cfg)))
		return 1;
	loop.reasm = new_reasm(&cfg);
	loop.sink = loop.reasm ? sink_start(&parts) : NULL;
	if (!loop.sink) {
		log_err("cannot start: %s", loop.reasm ? "cannot create the analysis and "
			"store threads" : "out of memory for reassembly");
		return 1;
	}
	if (cfg.http.len && !(http = http_start(&cfg)))
		rc = -1;
	else
		rc = loop_run(&loop);
	http_stop(http);
	sink_stop(loop.sink, &final);
	notify_stop(notify);
	final.rx = loop.counters.rx;
	final.reasm = *nx_reasm_stats(loop.reasm);
	log_final(&final);
	nx_reasm_free(loop.reasm);
	for (size_t i = 0; i < loop.n_listeners; i++)
		listener_close(&loop.listeners[i]);
	return rc < 0 ? 1 : 0;
}

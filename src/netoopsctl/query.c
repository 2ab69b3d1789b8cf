/* netoopsctl list/show/groups/stats: read the collector's store (or ask netoopsd), print text or JSON. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/http_client.h"
#include "store/store.h"

enum { OPT_DB = 1000, OPT_DAEMON, OPT_JSON, OPT_HOST, OPT_SINCE, OPT_GROUP, OPT_REASON, OPT_LIMIT };

static const struct option query_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "daemon", required_argument, NULL, OPT_DAEMON },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ NULL, 0, NULL, 0 },
};

/* --limit N: the newest N dumps (without it: all). */
static const struct nx_num limit_num = { "--limit", NX_NUM_COUNT, 1, 1000000000, "100" };

/* A query: run on the store with LOCAL(store, ARG), or fetched from the daemon at PATH. */
struct query {
	json_t *(*local)(struct nx_store *s, const void *arg);
	const void *arg;
	char path[4096];
};

/*
 * Options after the command name; F may be NULL for commands without
 * filters. With F, the filters are also written into Q's path for --daemon.
 */
static int parse_opts(struct ctl_opts *o, struct nx_store_filter *f, struct query *q,
		      int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "", query_opts, NULL)) != -1) {
		if (c == OPT_DB) {
			o->db = optarg;
			o->daemon = NULL;
		} else if (c == OPT_DAEMON) {
			if (nxctl_check_daemon("--daemon", optarg) < 0)
				return -1;
			o->daemon = optarg;
			o->db = NULL;
		} else if (c == OPT_JSON) {
			o->json = true;
		} else if (!f || c == '?') {
			if (c != '?')
				fprintf(stderr, "netoopsctl %s: no filters here\n", argv[0]);
			return -1;
		} else if (c == OPT_HOST) {
			f->host = optarg;
		} else if (c == OPT_GROUP) {
			f->group = optarg;
		} else if (c == OPT_REASON) {
			f->reason = optarg;
		} else if (c == OPT_LIMIT) {
			uint64_t n;

			if (nxctl_parse_num(&limit_num, optarg, &n) < 0)
				return -1;
			f->limit = (int64_t)n;
		} else if ((f->since_ms = nx_store_parse_since(optarg,
							       (int64_t)time(NULL) * 1000)) < 0) {
			fprintf(stderr, "netoopsctl: --since '%s': give 30m, 2h, 7d, @EPOCH or "
				"YYYY-MM-DD[THH:MM[:SS]] (UTC)\n",
				nxctl_tty_str(optarg, NX_ESC_LINE));
			return -1;
		}
		if (f && c != OPT_DB && c != OPT_DAEMON && c != OPT_JSON &&
		    nx_http_add_param(q->path, sizeof(q->path), query_opts[c - OPT_DB].name,
				      optarg) < 0) {
			fprintf(stderr, "netoopsctl: --%s: too long\n", query_opts[c - OPT_DB].name);
			return -1;
		}
	}
	return 0;
}

/* Arguments left after the options of command ARGV[0]: say which, and true. */
static bool extra_args(int argc, char **argv)
{
	if (optind >= argc)
		return false;
	fprintf(stderr, "netoopsctl %s: unexpected argument '%s'\n", argv[0],
		nxctl_tty_str(argv[optind], NX_ESC_LINE));
	return true;
}

static struct nx_store *open_store(const struct ctl_opts *o)
{
	char err[4400];
	struct nx_store *s;

	if (!o->db) {
		fprintf(stderr, "netoopsctl: no database: give --db PATH (or set NETOOPS_DB)\n");
		return NULL;
	}
	s = nx_store_open(o->db, NX_STORE_EXISTING, err, sizeof(err));
	if (!s)
		fprintf(stderr, "netoopsctl: %s\n", err);
	return s;
}

/* Text from a JSON value is escaped already (invalid UTF-8); still, no control byte
 * reaches the terminal. */
#define TTY_JSON NX_ESC_CONTROL

/* The string KEY of O, safe to print on one line ("-" when absent). */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? nxctl_tty(json_string_value(v), json_string_length(v), TTY_JSON)
				 : "-";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "2026-11-28T01:02:03.456Z" -> "2026-11-28 01:02:03" */
static const char *short_time(json_t *o, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%.19s", str(o, key));
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

static json_t *fetch_store(const struct ctl_opts *o, const struct query *q)
{
	struct nx_store *s = open_store(o);
	json_t *v;

	if (!s)
		return NULL;
	v = q->local(s, q->arg);
	if (!v && nx_store_error(s)[0])
		fprintf(stderr, "netoopsctl: %s\n", nx_store_error(s));
	nx_store_close(s);
	return v;
}

static json_t *fetch_daemon(const struct ctl_opts *o, const struct query *q)
{
	char err[1024];
	int status;
	json_t *v;

	if (nxctl_check_daemon("NETOOPS_DAEMON or --daemon", o->daemon) < 0)
		return NULL;
	v = nx_http_get_json(o->daemon, q->path, &status, err, sizeof(err));

	if (!v)
		fprintf(stderr, "netoopsctl: %s\n", err);
	return v;
}

/* Run Q on the store or the daemon, print the result with TEXT (or as JSON). */
static int run_query(const struct ctl_opts *o, const struct query *q, void (*text)(json_t *))
{
	json_t *v = o->daemon ? fetch_daemon(o, q) : fetch_store(o, q);
	int rc = 0;

	if (!v)
		return 1;
	if (o->json)
		rc = nxctl_print_json(v, JSON_INDENT(2)) == 0 ? 0 : 1;
	else
		text(v);
	json_decref(v);
	return rc;
}

static json_t *q_list(struct nx_store *s, const void *f)
{
	return nx_store_list(s, f);
}

static void text_list(json_t *rows)
{
	char when[32];
	size_t i;
	json_t *r;

	printf("%-6s %-19s %-20s %-8s %-10s %-8s %s\n", "ID", "RECEIVED (UTC)", "HOST", "REASON",
	       "STATE", "ANALYSIS", "TITLE");
	json_array_foreach(rows, i, r)
		printf("%-6lld %-19s %-20s %-8s %-10s %-8s %s\n", num(r, "id"),
		       short_time(r, "received", when, sizeof(when)), str(r, "host"),
		       str(r, "reason"),
		       json_is_true(json_object_get(r, "complete")) ? "complete" : "incomplete",
		       str(r, "analysis"), str(r, "title"));
}

int cmd_list(struct ctl_opts *o, int argc, char **argv)
{
	struct nx_store_filter f = { 0 };
	struct query q = { q_list, &f, "/v1/reports" };

	if (parse_opts(o, &f, &q, argc, argv) < 0)
		return 2;
	if (extra_args(argc, argv))
		return 2;
	return run_query(o, &q, text_list);
}

static void text_frames(json_t *frames)
{
	size_t i;
	json_t *f;

	json_array_foreach(frames, i, f) {
		const char *sect = str(f, "section"), *mod = str(f, "module");

		printf("    %s%s", json_is_true(json_object_get(f, "reliable")) ? "" : "? ",
		       str(f, "func"));
		if (num(f, "size"))
			printf("+0x%llx/0x%llx", num(f, "offset"), num(f, "size"));
		if (strcmp(mod, "-") != 0)
			printf(" [%s]", mod);
		if (sect[0])
			printf("  <%s>", sect);
		putchar('\n');
	}
}

static void text_report(json_t *r)
{
	printf("\nreport %lld%s: %s\n", num(r, "seq"),
	       json_is_true(json_object_get(r, "is_primary")) ? " (primary)" : "", str(r, "title"));
	if (json_is_string(json_object_get(r, "alt_title")))
		printf("  also known as: %s\n", str(r, "alt_title"));
	printf("  type: %s  class: %s%s\n", str(r, "type"), str(r, "class"),
	       json_is_true(json_object_get(r, "corrupted")) ? "  CORRUPTED" : "");
	printf("  kernel: %s  taint: %s\n", str(r, "kernel"), str(r, "taint"));
	printf("  cpu: %lld  pid: %lld  comm: %s  die counter: %lld\n", num(r, "cpu"),
	       num(r, "pid"), str(r, "comm"), num(r, "die_counter"));
	printf("  hardware: %s\n", str(r, "hardware"));
	if (json_is_string(json_object_get(r, "panic_msg")))
		printf("  panic: %s\n", str(r, "panic_msg"));
	printf("  rip: %s\n  signature: %s (group %lld)\n  call trace:\n", str(r, "rip"),
	       str(r, "signature"), num(r, "group_id"));
	text_frames(json_object_get(r, "frames"));
}

static void text_show(json_t *d)
{
	char when[32];
	json_t *r, *text;
	size_t i;

	printf("dump %lld: %s\n", num(d, "id"), str(d, "title"));
	printf("  host: %s  source: %s  format: %s\n", str(d, "host"), str(d, "source"),
	       str(d, "format"));
	printf("  reason: %s  release: %s  boot: %s  dump: %lld\n", str(d, "reason"),
	       str(d, "release"), str(d, "boot"), num(d, "dump_no"));
	printf("  dump time: %s  received: %s\n", str(d, "dump_time"),
	       short_time(d, "received", when, sizeof(when)));
	printf("  %s: %lld/%lld parts, %lld bytes, missing %s\n",
	       json_is_true(json_object_get(d, "complete")) ? "complete" : "INCOMPLETE",
	       num(d, "parts_received"), num(d, "parts"), num(d, "text_len"),
	       json_array_size(json_object_get(d, "missing")) ? "ranges below" : "nothing");
	if (strcmp(str(d, "analysis"), "ok") != 0)
		printf("  analysis: %s: %s (netoopsctl reanalyze %lld retries it)\n",
		       str(d, "analysis"), str(d, "analysis_error"), num(d, "id"));
	json_array_foreach(json_object_get(d, "missing"), i, r)
		printf("    bytes %lld-%lld\n", (long long)json_integer_value(json_array_get(r, 0)),
		       (long long)json_integer_value(json_array_get(r, 1)));
	json_array_foreach(json_object_get(d, "reports"), i, r)
		text_report(r);
	text = json_object_get(d, "text");
	printf("\n---- text ----\n");
	nx_escape_write(stdout, json_string_value(text), json_string_length(text),
			TTY_JSON | NX_ESC_KEEP_NL_TAB);
}

static json_t *q_show(struct nx_store *s, const void *id)
{
	json_t *v = nx_store_show(s, *(const int64_t *)id);

	if (!v && !nx_store_error(s)[0])
		fprintf(stderr, "netoopsctl: no dump with id %lld (see netoopsctl list)\n",
			(long long)*(const int64_t *)id);
	return v;
}

int cmd_show(struct ctl_opts *o, int argc, char **argv)
{
	struct query q = { q_show, NULL, "" };
	int64_t id;
	uint64_t n;

	if (parse_opts(o, NULL, NULL, argc, argv) < 0)
		return 2;
	if (optind >= argc) {
		fprintf(stderr, "usage: netoopsctl show ID [--json]\n");
		return 2;
	}
	if (nx_parse_uint(argv[optind], 1, INT64_MAX, &n) != NX_PARSE_OK) {
		fprintf(stderr, "netoopsctl show: '%s' is not a dump id (1, 2, ...: see "
			"netoopsctl list)\n", nxctl_tty_str(argv[optind], NX_ESC_LINE));
		return 2;
	}
	optind++;
	if (extra_args(argc, argv))
		return 2;
	id = (int64_t)n;
	q.arg = &id;
	snprintf(q.path, sizeof(q.path), "/v1/reports/%lld", (long long)id);
	return run_query(o, &q, text_show);
}

static json_t *q_groups(struct nx_store *s, const void *unused)
{
	(void)unused;
	return nx_store_groups(s);
}

static void text_groups(json_t *rows)
{
	char first[32], last[32];
	json_t *g, *k;
	size_t i, j;

	printf("%-5s %6s %6s %-19s %-19s %s\n", "GROUP", "COUNT", "HOSTS", "FIRST SEEN",
	       "LAST SEEN", "TITLE");
	json_array_foreach(rows, i, g) {
		printf("%-5lld %6lld %6lld %-19s %-19s %s\n", num(g, "id"), num(g, "count"),
		       num(g, "hosts"), short_time(g, "first_seen", first, sizeof(first)),
		       short_time(g, "last_seen", last, sizeof(last)), str(g, "title"));
		printf("      kernels:");
		json_array_foreach(json_object_get(g, "kernels"), j, k)
			printf(" %s", nxctl_tty(json_string_value(k), json_string_length(k),
						TTY_JSON));
		printf("\n      signature: %s\n", str(g, "signature"));
	}
}

int cmd_groups(struct ctl_opts *o, int argc, char **argv)
{
	struct query q = { q_groups, NULL, "/v1/groups" };

	if (parse_opts(o, NULL, NULL, argc, argv) < 0 || extra_args(argc, argv))
		return 2;
	return run_query(o, &q, text_groups);
}

static json_t *q_stats(struct nx_store *s, const void *unused)
{
	(void)unused;
	return nx_store_counters(s);
}

/* The heaviest sources of noise of the last interval that had some ("~": an upper bound). */
static void text_noise(json_t *a)
{
	json_t *s;
	size_t i;

	if (!json_array_size(a))
		return;
	printf("noise sources, last interval with noise (%lld s, ended %s):\n",
	       (long long)num(json_array_get(a, 0), "interval_ms") / 1000,
	       nxctl_tty_str(str(json_array_get(a, 0), "updated"), TTY_JSON));
	json_array_foreach(a, i, s)
		printf("  %-40s %s%lld one-datagram fragments\n",
		       nxctl_tty_str(str(s, "source"), TTY_JSON),
		       num(s, "over_estimate") ? "~" : "", (long long)num(s, "fragments"));
}

static void text_stats(json_t *v)
{
	const char *key;
	json_t *val;
	char when[40];

	json_object_foreach(json_object_get(v, "stored"), key, val)
		printf("%-32s %lld\n", nxctl_tty_str(key, TTY_JSON),
		       (long long)json_integer_value(val));
	if (!json_object_size(json_object_get(v, "counters"))) {
		printf("(no counters saved yet: netoopsd saves them every few seconds)\n");
		return;
	}
	json_object_foreach(json_object_get(v, "counters"), key, val)
		printf("%-32s %lld\n", nxctl_tty_str(key, TTY_JSON),
		       (long long)json_integer_value(val));
	time_t t = (time_t)(num(v, "updated_ms") / 1000);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
	printf("(counters saved by netoopsd at %s UTC)\n", when);
	text_noise(json_object_get(v, "noise_sources"));
}

int cmd_stats(struct ctl_opts *o, int argc, char **argv)
{
	struct query q = { q_stats, NULL, "/v1/stats" };

	if (parse_opts(o, NULL, NULL, argc, argv) < 0 || extra_args(argc, argv))
		return 2;
	return run_query(o, &q, text_stats);
}

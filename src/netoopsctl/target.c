/* netoopsctl target add|list|del|apply|watch: this kernel's netoops targets, configured from a collector address. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "core/auth/auth.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/key.h"
#include "netoopsctl/target.h"

#define MAX_LIVE_TARGETS 256
#define WATCH_QUIET_MS 1000		/* wait for a burst of changes to settle */
#define WATCH_RECHECK_MS 60000		/* re-apply now and then: a gateway may come back */
#define WATCH_BACKOFF_MS 30000		/* after a failure, do not chase every event */
#define WATCH_MAX_SETTLE 10		/* but never wait more than this many quiet periods */

static int usage_target(void)
{
	fprintf(stderr,
		"usage: netoopsctl target add NAME --to HOST[:PORT] [--key FILE] [--timeout SEC] [--no-save] [--dry-run]\n"
		"       netoopsctl target list [--json]\n"
		"       netoopsctl target del NAME\n"
		"       netoopsctl target apply [--quiet]\n"
		"       netoopsctl target watch\n"
		"targets are saved in %s (set NETOOPS_TARGETS_CONF to use another file)\n",
		nx_conf_path());
	return 2;
}

static void print_dry_run(const struct nx_target_cfg *c, const struct nx_path *p)
{
	char gw[INET6_ADDRSTRLEN];

	printf("dev_name=%s\nlocal_ip=%s\nremote_ip=%s\nremote_mac=%s\nlocal_port=%u\nremote_port=%u\n",
	       c->dev_name, c->local_ip, c->remote_ip, c->remote_mac, c->local_port, c->remote_port);
	printf("gateway=%s\n", p->via_gateway ? nx_addr_str(&p->next_hop, gw) : "");
}

static int save_target(const struct nx_conf_target *t)
{
	static struct nx_conf c;
	char err[512];

	if (nx_conf_load(nx_conf_path(), &c, err, sizeof(err)) != 0 ||
	    nx_conf_set(&c, t) != 0 || nx_conf_save(nx_conf_path(), &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: the target works but was not saved: %s\n",
			c.n >= NX_CONF_MAX_TARGETS ? "too many targets" : err);
		return 1;
	}
	return 0;
}

/* --key FILE: checked now (absolute, mode 600 or stricter, a key), kept in targets.conf. */
static int key_option(const char *file, struct nx_conf_target *t, char *err, size_t errlen)
{
	uint8_t k[NX_AUTH_KEY_LEN];
	int rc = nx_conf_key_ok(file, err, errlen) == 0 && nx_auth_key_read(file, k, err, errlen) == 0;

	OPENSSL_cleanse(k, sizeof(k));
	if (!rc)
		return -1;
	snprintf(t->key, sizeof(t->key), "%s", file);
	return 0;
}

static int target_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-save", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct nx_conf_target t = { 0 };
	struct nx_target_cfg cfg;
	struct nx_path path;
	const char *to = NULL, *key = NULL;
	bool save = true, dry = false, changed;
	static const struct nx_num timeout_num = { "--timeout", NX_NUM_SECONDS, 100, 600000, "5" };
	int timeout_ms = NX_RESOLVE_TIMEOUT_MS, c;
	uint64_t ms;
	char err[512], desc[256];

	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'T':
			if (nxctl_parse_num(&timeout_num, optarg, &ms) < 0)
				return 2;
			timeout_ms = (int)ms;
			break;
		case 'n': save = false; break;
		case 'd': dry = true; break;
		case 'k': key = optarg; break;
		default: return usage_target();
		}
	}
	if (optind + 1 != argc || !to || timeout_ms <= 0)
		return usage_target();
	if (!nx_target_name_ok(argv[optind])) {
		fprintf(stderr, "netoopsctl: bad target name '%s': use letters, digits, '.', '_', '-' (at most %d)\n",
			argv[optind], NX_TARGET_NAME_MAX);
		return 2;
	}
	snprintf(t.name, sizeof(t.name), "%s", argv[optind]);
	if (nx_endpoint_parse(to, t.host, sizeof(t.host), &t.port, err, sizeof(err)) != 0 ||
	    (key && key_option(key, &t, err, sizeof(err)) != 0)) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 2;
	}
	if (nx_target_resolve(&t, timeout_ms, &cfg, &path, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	if (dry) {
		print_dry_run(&cfg, &path);
		return 0;
	}
	if (nx_cfs_ready(err, sizeof(err)) != 0 || nx_cfs_apply(&cfg, &changed, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	nx_target_describe(&cfg, &path, desc, sizeof(desc));
	printf("target %s enabled: %s\n", t.name, desc);
	if (t.key[0] && nxctl_key_install(t.key, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	if (t.key[0])
		printf("host key %s installed: datagrams carry a MAC\n", t.key);
	return save ? save_target(&t) : 0;
}

static json_t *state_json(const struct nx_target_state *s)
{
	return json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I}",
			 "name", s->cfg.name, "enabled", s->enabled, "dev_name", s->cfg.dev_name,
			 "local_ip", s->cfg.local_ip, "local_mac", s->local_mac,
			 "remote_ip", s->cfg.remote_ip, "remote_mac", s->cfg.remote_mac,
			 "local_port", (int)s->cfg.local_port, "remote_port", (int)s->cfg.remote_port,
			 "dumps_sent", (json_int_t)s->dumps_sent,
			 "datagrams_sent", (json_int_t)s->datagrams_sent,
			 "transmit_errors", (json_int_t)s->transmit_errors);
}

static void print_state(const struct nx_target_state *s)
{
	char remote[INET6_ADDRSTRLEN + 10];
	bool v6 = strchr(s->cfg.remote_ip, ':') != NULL;

	snprintf(remote, sizeof(remote), "%s%s%s:%u", v6 ? "[" : "", s->cfg.remote_ip,
		 v6 ? "]" : "", s->cfg.remote_port);
	printf("%-12s %-3s %-8s %-24s %-30s %-17s %6llu %9llu %6llu\n", s->cfg.name,
	       s->enabled ? "yes" : "no", s->cfg.dev_name, s->cfg.local_ip, remote,
	       s->cfg.remote_mac, s->dumps_sent, s->datagrams_sent, s->transmit_errors);
}

static int target_list(struct ctl_opts *o, int argc, char **argv)
{
	static char names[MAX_LIVE_TARGETS][NX_TARGET_NAME_MAX + 1];
	json_t *arr = json_array();
	char err[512];
	int n, failed = 0;

	if (argc > 1 && strcmp(argv[1], "--json") == 0)
		o->json = true;
	else if (argc > 1)
		return usage_target();
	if (nx_cfs_ready(err, sizeof(err)) != 0 || (n = nx_cfs_names(names, MAX_LIVE_TARGETS, err, sizeof(err))) < 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		json_decref(arr);
		return 1;
	}
	if (!o->json)
		printf("%-12s %-3s %-8s %-24s %-30s %-17s %6s %9s %6s\n", "NAME", "ON", "DEV", "LOCAL",
		       "COLLECTOR", "NEXT-HOP MAC", "DUMPS", "DATAGRAMS", "TXERR");
	for (int i = 0; i < n; i++) {
		struct nx_target_state s;

		if (nx_cfs_read(names[i], &s, err, sizeof(err)) != 0) {
			fprintf(stderr, "netoopsctl: %s\n", err);
			failed = 1;
		} else if (o->json) {
			json_array_append_new(arr, state_json(&s));
		} else {
			print_state(&s);
		}
	}
	if (o->json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(arr);
	return failed;
}

static int target_del(int argc, char **argv)
{
	static struct nx_conf c;
	char err[512];
	int live, saved;

	if (argc != 2 || !nx_target_name_ok(argv[1]))
		return usage_target();
	live = nx_cfs_ready(err, sizeof(err)) == 0 && nx_cfs_remove(argv[1], err, sizeof(err)) == 0;
	if (nx_conf_load(nx_conf_path(), &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	saved = nx_conf_del(&c, argv[1]);
	if (saved && nx_conf_save(nx_conf_path(), &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	if (!live && !saved) {
		fprintf(stderr, "netoopsctl: %s; and no target %s in %s\n", err, argv[1], nx_conf_path());
		return 1;
	}
	printf("target %s removed%s%s\n", argv[1], live ? " from the module" : "",
	       saved ? (live ? " and from the saved targets" : " from the saved targets") : "");
	return 0;
}

/* Apply, then re-apply whenever links, addresses, routes or neighbours change. */
static int target_watch(void)
{
	int failed = nx_targets_apply(nx_conf_path(), false), w;
	long long not_before = 0;

	printf("watching for network changes\n");
	fflush(stdout);
	for (;;) {
		w = nx_watch_wait(WATCH_RECHECK_MS);
		if (w < 0) {
			perror("netoopsctl: cannot watch rtnetlink");
			return 1;
		}
		if (w == 1 && nx_now_ms() < not_before)
			continue;
		for (int i = 0; i < WATCH_MAX_SETTLE && nx_watch_wait(WATCH_QUIET_MS) == 1; i++)
			;
		failed = nx_targets_apply(nx_conf_path(), true);
		not_before = nx_now_ms() + (failed ? WATCH_BACKOFF_MS : 0);
	}
}

int cmd_target(struct ctl_opts *o, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	argc--;
	argv++;
	optind = 0;
	if (strcmp(sub, "add") == 0)
		return target_add(argc, argv);
	if (strcmp(sub, "list") == 0)
		return target_list(o, argc, argv);
	if (strcmp(sub, "del") == 0)
		return target_del(argc, argv);
	if (strcmp(sub, "apply") == 0 && argc <= 2) {
		bool quiet = argc == 2 && strcmp(argv[1], "--quiet") == 0;

		if (argc == 2 && !quiet)
			return usage_target();
		return nx_targets_apply(nx_conf_path(), quiet) == 0 ? 0 : 1;
	}
	if (strcmp(sub, "watch") == 0 && argc == 1)
		return target_watch();
	return usage_target();
}

/* netoopsctl boot-id and test: sync the module's boot id, send a test dump and wait for the collector (its store or its HTTP API) to store it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <netoops/wire.h>

#include "core/escape.h"
#include "netoopsctl/ctlutil.h"
#include "netoopsctl/commands.h"
#include "netoopsctl/configfs.h"
#include "netoopsctl/http_client.h"
#include "store/store.h"

#define BOOT_ID_PROC	"/proc/sys/kernel/random/boot_id"
#define BOOT_ID_SYSFS	"/sys/kernel/netoops/netoops_boot_id"
#define TEST_POLL_MS	200

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

/* The system's boot id as the wire carries it: 32 lowercase hex digits, no dashes. */
static int system_boot_id(char out[NETOOPS_BOOT_ID_HEX + 1])
{
	char raw[64];
	size_t n = 0;

	if (read_line(BOOT_ID_PROC, raw, sizeof(raw)) != 0)
		return -1;
	for (const char *p = raw; *p && n < NETOOPS_BOOT_ID_HEX; p++)
		if (strchr("0123456789abcdef", *p))
			out[n++] = *p;
	out[n] = '\0';
	return n == NETOOPS_BOOT_ID_HEX ? 0 : -1;
}

int cmd_boot_id(struct ctl_opts *o, int argc, char **argv)
{
	char id[NETOOPS_BOOT_ID_HEX + 1], err[512];

	(void)o;
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: netoopsctl boot-id\n");
		return 2;
	}
	if (system_boot_id(id) != 0) {
		fprintf(stderr, "netoopsctl: cannot read the boot id from %s\n", BOOT_ID_PROC);
		return 1;
	}
	if (nx_sysfs_write("netoops_boot_id", id, err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	printf("boot id %s written to %s\n", id, BOOT_ID_SYSFS);
	return 0;
}

/* The host name as the module sends it (docs/protocol.md, field 2). */
static void wire_host(char out[NETOOPS_MAX_HOST + 1])
{
	struct utsname u;
	size_t i;

	uname(&u);
	for (i = 0; u.nodename[i] && i < NETOOPS_MAX_HOST; i++) {
		char c = u.nodename[i];

		out[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", c) ? c : '_';
	}
	out[i] = '\0';
}

/* Where test dumps are looked for: the store (--db) or the daemon (--collector). */
struct test_src {
	const char *db;
	const char *daemon;
};

static json_t *test_dumps_in_db(const char *db, const char *host, char *err, size_t errlen)
{
	struct nx_store_filter f = { .host = host, .reason = NETOOPS_REASON_TEST, .limit = 1 };
	struct nx_store *s = nx_store_open(db, NX_STORE_EXISTING, err, errlen);
	json_t *rows;

	if (!s)
		return NULL;
	rows = nx_store_list(s, &f);
	if (!rows)
		snprintf(err, errlen, "%s", nx_store_error(s));
	nx_store_close(s);
	return rows;
}

static json_t *test_dumps_at(const char *daemon, const char *host, char *err, size_t errlen)
{
	char path[512] = "/v1/reports";
	int status;

	nx_http_add_param(path, sizeof(path), "host", host);
	nx_http_add_param(path, sizeof(path), "reason", NETOOPS_REASON_TEST);
	nx_http_add_param(path, sizeof(path), "limit", "1");
	return nx_http_get_json(daemon, path, &status, err, errlen);
}

/* The highest id of a stored test dump from HOST, 0 if none, -1 on error. */
static long long last_test_dump(const struct test_src *src, const char *host, char *err,
				size_t errlen)
{
	json_t *rows = src->daemon ? test_dumps_at(src->daemon, host, err, errlen)
				   : test_dumps_in_db(src->db, host, err, errlen);
	long long last = 0;
	json_t *row;
	size_t i;

	if (!rows)
		return -1;
	json_array_foreach(rows, i, row) {
		long long id = json_integer_value(json_object_get(row, "id"));

		if (id > last)
			last = id;
	}
	json_decref(rows);
	return last;
}

static int wait_for_test_dump(const struct test_src *src, const char *host, long long before,
			      int timeout_ms)
{
	char err[1024];
	long long now;

	printf("waiting up to %d s for the collector to store it in %s\n", timeout_ms / 1000,
	       src->daemon ? src->daemon : src->db);
	fflush(stdout);
	for (int waited = 0; waited < timeout_ms; waited += TEST_POLL_MS) {
		now = last_test_dump(src, host, err, sizeof(err));
		if (now < 0) {
			fprintf(stderr, "netoopsctl: %s\n", err);
			return 1;
		}
		if (now > before) {
			printf("received: the collector stored test dump %lld from %s\n", now, host);
			return 0;
		}
		nx_sleep_ms(TEST_POLL_MS);
	}
	fprintf(stderr, "netoopsctl: no test dump from %s reached the collector within %d s: check `netoopsctl target list` (transmit errors?), the collector's address and port, and firewalls\n",
		host, timeout_ms / 1000);
	return 1;
}

int cmd_test(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "collector", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	char host[NETOOPS_MAX_HOST + 1], err[1024];
	struct test_src src;
	static const struct nx_num timeout_num = { "--timeout", NX_NUM_SECONDS, 100, 3600000, "30" };
	int timeout_ms = 30000, c;
	long long before = 0;
	uint64_t ms;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; o->daemon = NULL; break;
		case 'C':
			if (nxctl_check_daemon("--collector", optarg) < 0)
				return 2;
			o->daemon = optarg;
			o->db = NULL;
			break;
		case 'T':
			if (nxctl_parse_num(&timeout_num, optarg, &ms) < 0)
				return 2;
			timeout_ms = (int)ms;
			break;
		default:
			fprintf(stderr, "usage: netoopsctl test [--db PATH | --collector HOST:PORT] "
				"[--timeout SEC]\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netoopsctl test: unexpected argument '%s'\n",
			nxctl_tty_str(argv[optind], NX_ESC_LINE));
		return 2;
	}
	src = (struct test_src){ o->db, o->daemon };
	wire_host(host);
	if ((src.db || src.daemon) && (before = last_test_dump(&src, host, err, sizeof(err))) < 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	if (nx_sysfs_write("netoops_trigger", "test", err, sizeof(err)) != 0) {
		fprintf(stderr, "netoopsctl: %s\n", err);
		return 1;
	}
	printf("test dump sent from %s\n", host);
	return src.db || src.daemon ? wait_for_test_dump(&src, host, before, timeout_ms) : 0;
}

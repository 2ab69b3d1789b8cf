/* libFuzzer target: netoopsd's config file parser (config_parse_text) and the number parsers. */
/* fuzz-sources: src/netoopsd/config.c src/netoopsd/auth_config.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numparse.h"
#include "netoopsd/config.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Whatever the file held, an accepted configuration stays inside the documented ranges. */
static void check_config(const struct nxd_config *c)
{
	CHECK(c->n_listen <= NXD_MAX_LISTEN);
	CHECK(memchr(c->db, '\0', sizeof(c->db)) && memchr(c->append_file, '\0',
							     sizeof(c->append_file)));
	CHECK(c->max_memory >= 1u << 20 && c->max_memory <= 1ull << 40);
	CHECK(c->max_dumps >= 1 && c->max_dumps <= 10000000);
	CHECK(c->quiet_ms >= 10 && c->quiet_ms <= 3600000);
	CHECK(c->rcvbuf >= 4096 && c->rcvbuf <= 1u << 30);
	CHECK(c->batch >= 1 && c->batch <= NXD_MAX_BATCH_SETTING);
	for (size_t i = 0; i < c->n_listen; i++)
		CHECK(c->listen[i].len > 0 && c->listen[i].len <= sizeof(c->listen[i].ss));
}

/* The input up to its first newline as one number of each kind: a success lies in range. */
static void check_numbers(const uint8_t *data, size_t size)
{
	static const struct nx_num kinds[] = {
		{ "count", NX_NUM_COUNT, 3, 1000000, "5" },
		{ "size", NX_NUM_SIZE, 4096, 1ull << 40, "64M" },
		{ "seconds", NX_NUM_SECONDS, 100, 3600000, "30" },
		{ "port", NX_NUM_PORT, 0, 0, "2004" },
	};
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	char *text = malloc(n + 1), msg[300];
	uint64_t v;

	if (!text)
		return;
	memcpy(text, data, n);
	text[n] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int rc = nx_parse_num(&kinds[i], text, &v, msg, sizeof(msg));
		uint64_t lo = kinds[i].kind == NX_NUM_PORT ? 1 : kinds[i].min;
		uint64_t hi = kinds[i].kind == NX_NUM_PORT ? 65535 : kinds[i].max;

		CHECK(rc == NX_PARSE_OK || rc == NX_PARSE_SYNTAX || rc == NX_PARSE_RANGE);
		CHECK(rc != NX_PARSE_OK || (v >= lo && v <= hi));
		CHECK(rc == NX_PARSE_OK || strlen(msg) > 0);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nxd_config c;	/* large: not on the stack */
	char msg[8400];

	config_defaults(&c);
	if (config_parse_text(&c, "fuzz.conf", (const char *)data, size, msg, sizeof(msg)) == 0)
		check_config(&c);
	else
		CHECK(strncmp(msg, "fuzz.conf:", 10) == 0);
	check_numbers(data, size);
	return 0;
}

/* netoopsd's triage of finished dumps: real vs. noise, established senders, the noise budget and its log line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The daemon's code is not in a library: compile it in, as it is. */
#include "netoopsd/triage.c"

static const char multi[] = "[ 1.0] BUG: kernel NULL pointer dereference\n[ 1.1] RIP: x\n";
static const char one_line[] = "[ 1.0] just one line\n";

/* A netoops dump from SOURCE/HOST with RECEIVED of PARTS parts. */
static struct nx_dump v1(const char *source, const char *host, uint32_t parts, uint32_t received)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .parts = parts,
			     .parts_received = received, .complete = parts == received,
			     .text = (char *)multi, .text_len = sizeof(multi) - 1 };

	snprintf(d.source, sizeof(d.source), "%s", source);
	snprintf(d.host, sizeof(d.host), "%s", host);
	return d;
}

static struct nx_dump netconsole(const char *source, const char *text)
{
	struct nx_dump d = { .format = NX_FMT_NC_EXTENDED, .text = (char *)text,
			     .text_len = strlen(text) };

	snprintf(d.source, sizeof(d.source), "%s", source);
	return d;
}

static struct nxd_triage *new_triage(void)
{
	struct nxd_triage *t = malloc(sizeof(*t));

	assert_non_null(t);
	triage_init(t, 42, 1000);
	return t;
}

static void test_fragment_by_content(void **state)
{
	(void)state;
	struct nx_dump d = v1("10.0.0.1:6666", "web1", 10, 10);

	assert_false(triage_is_fragment(&d));		/* complete */
	d = v1("10.0.0.1:6666", "web1", 1, 1);
	assert_false(triage_is_fragment(&d));		/* complete, one datagram */
	d = v1("10.0.0.1:6666", "web1", 1000, 2);
	assert_false(triage_is_fragment(&d));		/* two datagrams of a dump */
	d = v1("10.0.0.1:6666", "web1", 1000, 1);
	assert_true(triage_is_fragment(&d));
	d = netconsole("10.0.0.1:6666", multi);
	assert_false(triage_is_fragment(&d));
	d = netconsole("10.0.0.1:6666", one_line);
	assert_true(triage_is_fragment(&d));
	d = netconsole("10.0.0.1:6666", "no newline at all");
	assert_true(triage_is_fragment(&d));
	d = netconsole("10.0.0.1:6666", "");
	assert_true(triage_is_fragment(&d));
}

static void test_real_dumps_are_real(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	struct nx_dump d = v1("10.0.0.1:6666", "web1", 100, 100);

	assert_int_equal(triage_dump(t, &d, 1000), NXD_REAL);
	d = v1("10.0.0.2:6666", "web2", 100, 3);
	assert_int_equal(triage_dump(t, &d, 1000), NXD_REAL);
	d = netconsole("10.0.0.3:6666", multi);
	assert_int_equal(triage_dump(t, &d, 1000), NXD_REAL);
	free(t);
}

/* A complete dump makes (address, host) established: its later fragments are real. */
static void test_established_sender(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	struct nx_dump whole = v1("10.0.0.1:6666", "web1", 20, 20);
	struct nx_dump frag = v1("10.0.0.1:40000", "web1", 1000, 1);	/* another port */
	struct nx_dump other_host = v1("10.0.0.1:6666", "forged", 1000, 1);
	struct nx_dump other_addr = v1("10.0.0.9:6666", "web1", 1000, 1);
	struct nx_dump partial = v1("10.0.0.5:6666", "web5", 20, 5);

	assert_int_equal(triage_dump(t, &frag, 1000), NXD_NOISE_SAMPLE);
	assert_int_equal(triage_dump(t, &whole, 1000), NXD_REAL);
	assert_int_equal(triage_dump(t, &frag, 1001), NXD_REAL);
	assert_int_equal(triage_dump(t, &frag, 1002), NXD_REAL);
	assert_int_not_equal(triage_dump(t, &other_host, 1003), NXD_REAL);
	assert_int_not_equal(triage_dump(t, &other_addr, 1004), NXD_REAL);
	/* an incomplete dump of several datagrams is real, but does not establish */
	assert_int_equal(triage_dump(t, &partial, 1005), NXD_REAL);
	partial.parts_received = 1;
	assert_int_not_equal(triage_dump(t, &partial, 1006), NXD_REAL);
	free(t);
}

/* Noise: one sample per source per interval, NXD_NOISE_SAMPLES in all; the rest counted. */
static void test_noise_budget(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	size_t samples = 0, counted = 0;
	char src[64], host[32], line[2048];

	for (int i = 0; i < 1000; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d:%d", i % 4, i % 50, 1000 + i);
		snprintf(host, sizeof(host), "fake-%d", i);
		struct nx_dump d = v1(src, host, 1000, 1);

		switch (triage_dump(t, &d, 1000 + (uint64_t)i)) {
		case NXD_NOISE_SAMPLE: samples++; break;
		case NXD_NOISE_COUNTED: counted++; break;
		case NXD_REAL: fail_msg("fragment %d taken as real", i);
		}
	}
	assert_int_equal(samples, NXD_NOISE_SAMPLES);
	assert_int_equal(counted, 1000 - NXD_NOISE_SAMPLES);
	/* the same source gets one sample per interval, however much it sends */
	triage_init(t, 42, 0);
	struct nx_dump d = v1("10.2.0.1:1", "x", 1000, 1);

	assert_int_equal(triage_dump(t, &d, 1), NXD_NOISE_SAMPLE);
	assert_int_equal(triage_dump(t, &d, 2), NXD_NOISE_COUNTED);
	assert_false(triage_interval_end(t, NXD_NOISE_INTERVAL_MS - 1, false, line, sizeof(line)));
	assert_true(triage_interval_end(t, NXD_NOISE_INTERVAL_MS, false, line, sizeof(line)));
	assert_int_equal(triage_dump(t, &d, NXD_NOISE_INTERVAL_MS + 1), NXD_NOISE_SAMPLE);
	free(t);
}

/* A ten-minute flood from 1000 sources: 8 samples at once, then one a minute. */
static void test_samples_over_a_long_flood(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	size_t samples = 0, lines = 0;
	char src[64], line[2048];

	triage_init(t, 42, 0);
	for (uint64_t ms = 0; ms < 10 * 60000; ms += 100) {
		snprintf(src, sizeof(src), "10.3.%d.%d:1", (int)(ms / 100 % 1000) / 250,
			 (int)(ms / 100 % 250));
		struct nx_dump d = v1(src, "fake", 1000, 1);

		samples += triage_dump(t, &d, ms) == NXD_NOISE_SAMPLE;
		lines += triage_interval_end(t, ms, false, line, sizeof(line));
	}
	assert_int_equal(samples, NXD_NOISE_SAMPLES + 9);	/* refills at 1, 2, ... 9 minutes */
	assert_int_equal(lines, 59);				/* one per 10 s */
	free(t);
}

/* The log line: totals, and the heaviest sources first, found among many light ones. */
static void test_interval_line(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	char line[2048], src[64];

	assert_false(triage_interval_end(t, 1000 + NXD_NOISE_INTERVAL_MS, false, line,
					 sizeof(line)));	/* no noise: nothing to say */
	for (int i = 0; i < 3000; i++) {
		/* 10.9.9.9 sends every third fragment, 10.8.8.8 every fifth, 500 others the rest */
		if (i % 3 == 0)
			snprintf(src, sizeof(src), "10.9.9.9:%d", i);
		else if (i % 5 == 0)
			snprintf(src, sizeof(src), "10.8.8.8:%d", i);
		else
			snprintf(src, sizeof(src), "10.7.%d.%d:9", i % 500 / 250, i % 250);
		struct nx_dump d = v1(src, "h", 1000, 1);

		triage_dump(t, &d, 2000);
	}
	assert_false(triage_interval_end(t, 2000, false, line, sizeof(line)));
	assert_true(triage_interval_end(t, 2000, true, line, sizeof(line)));	/* shutdown */
	assert_non_null(strstr(line, " 3000 one-datagram fragments"));
	assert_non_null(strstr(line, " 8 stored as samples"));
	const char *a = strstr(line, "sources: 10.9.9.9 "), *b = strstr(line, " 10.8.8.8 ");

	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	/* a new interval starts empty */
	assert_false(triage_interval_end(t, 2000, true, line, sizeof(line)));
	free(t);
}

/* IPv6 sources: the port is not part of the sender. */
static void test_ipv6_address(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	struct nx_dump whole = v1("[fd00::1]:6666", "db1", 5, 5);
	struct nx_dump frag = v1("[fd00::1]:7777", "db1", 1000, 1);

	assert_int_equal(triage_dump(t, &whole, 1000), NXD_REAL);
	assert_int_equal(triage_dump(t, &frag, 1000), NXD_REAL);
	free(t);
}

/* More senders than slots: the table stays bounded and remembers the recent ones. */
static void test_established_table_bounded(void **state)
{
	(void)state;
	struct nxd_triage *t = new_triage();
	char src[64];
	int remembered = 0;

	for (int i = 0; i < 4 * NXD_ESTABLISHED_SLOTS; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.%d:1", i >> 16 & 255, i >> 8 & 255, i & 255);
		struct nx_dump d = v1(src, "h", 2, 2);

		assert_int_equal(triage_dump(t, &d, 1000 + (uint64_t)i), NXD_REAL);
	}
	for (int i = 4 * NXD_ESTABLISHED_SLOTS - 100; i < 4 * NXD_ESTABLISHED_SLOTS; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.%d:2", i >> 16 & 255, i >> 8 & 255, i & 255);
		struct nx_dump d = v1(src, "h", 1000, 1);

		remembered += triage_dump(t, &d, 1 << 30) == NXD_REAL;
	}
	assert_true(remembered >= 95);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragment_by_content),
		cmocka_unit_test(test_real_dumps_are_real),
		cmocka_unit_test(test_established_sender),
		cmocka_unit_test(test_noise_budget),
		cmocka_unit_test(test_samples_over_a_long_flood),
		cmocka_unit_test(test_interval_line),
		cmocka_unit_test(test_ipv6_address),
		cmocka_unit_test(test_established_table_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the dashboard's store queries (store_web.c) on a real SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"

#define HOUR_MS 3600000LL
#define T0 1796000000000LL

static struct nx_frame frame = { .func = "f", .offset = 1, .size = 2, .reliable = true };

/* Store one dump from HOST (REASON) at WHEN with one report of signature SIG, kernel K. */
static int64_t add(struct nx_store *s, const char *host, const char *reason, int64_t when,
		   const char *title, const char *sig, const char *k)
{
	struct nx_dump d = { .format = NX_FMT_NETOOPS, .complete = true, .parts = 1,
			     .parts_received = 1, .text = "text", .text_len = 4 };
	struct nx_report r = { .title = (char *)title, .type = "bug", .primary = true,
			       .kernel = (char *)k, .frames = &frame, .n_frames = 1,
			       .signature = (char *)sig, .end = 4 };
	struct nx_report_set set = { .reports = &r, .n = 1 };
	int64_t id;

	snprintf(d.host, sizeof(d.host), "%s", host);
	snprintf(d.source, sizeof(d.source), "10.0.0.1:6666");
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	snprintf(d.release, sizeof(d.release), "%s", k);
	assert_int_equal(nx_store_begin(s), 0);
	id = nx_store_add_dump(s, &d, when, &set);
	assert_true(id > 0);
	assert_int_equal(nx_store_commit(s), 0);
	return id;
}

/* Groups A (3 hosts, 4 dumps, panics too), B (1 host, 2 dumps), C (2 hosts, 2 dumps). */
static void fill(struct nx_store *s)
{
	add(s, "h1", "oops", T0, "BUG in alpha", "v2:a", "6.1");
	add(s, "h2", "oops", T0 + HOUR_MS, "BUG in alpha", "v2:a", "6.1");
	add(s, "h3", "panic", T0 + 2 * HOUR_MS, "BUG in alpha", "v2:a", "6.12");
	add(s, "h3", "oops", T0 + 3 * HOUR_MS, "BUG in alpha", "v2:a", "6.12");
	add(s, "h1", "oops", T0 + 4 * HOUR_MS, "WARNING in beta", "v2:b", "6.1");
	add(s, "h1", "oops", T0 + 5 * HOUR_MS, "WARNING in beta", "v2:b", "6.1");
	add(s, "h4", "oops", T0 + 6 * HOUR_MS, "KASAN in gamma", "v2:c", "6.12");
	add(s, "h5", "test", T0 + 7 * HOUR_MS, "KASAN in gamma", "v2:c", "6.12");
}

static json_t *page(struct nx_store *s, struct nx_group_query q)
{
	json_t *p;

	if (!q.limit)
		q.limit = 50;
	p = nx_store_group_page(s, &q);
	assert_non_null(p);
	return p;
}

static const char *title_at(const json_t *p, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(p, "groups"), i),
						 "title"));
}

static int64_t int_of(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The hosts column (kept by triggers) sorts groups by the hosts they hit. */
static void groups_sort_by_hosts_and_count(void **state)
{
	struct fixture *f = *state;
	json_t *p;

	fill(f->s);
	p = page(f->s, (struct nx_group_query){ .sort = NX_GROUP_SORT_HOSTS });
	assert_int_equal(int_of(p, "total"), 3);
	assert_string_equal(title_at(p, 0), "BUG in alpha");
	assert_string_equal(title_at(p, 1), "KASAN in gamma");
	assert_string_equal(title_at(p, 2), "WARNING in beta");
	assert_int_equal(int_of(json_array_get(json_object_get(p, "groups"), 0), "hosts"), 3);
	assert_true(json_is_null(json_object_get(p, "next")));
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .sort = NX_GROUP_SORT_FIRST, .asc = true });
	assert_string_equal(title_at(p, 0), "BUG in alpha");
	assert_string_equal(title_at(p, 2), "KASAN in gamma");
	json_decref(p);
}

/* Following "next" visits every group once, in order, whatever the page size. */
static void cursor_pages_visit_each_group_once(void **state)
{
	struct fixture *f = *state;
	const char *want[] = { "BUG in alpha", "KASAN in gamma", "WARNING in beta" };
	struct nx_group_query q = { .sort = NX_GROUP_SORT_HOSTS, .limit = 1 };
	size_t seen = 0;
	json_t *p;

	fill(f->s);
	for (;;) {
		json_t *p = page(f->s, q), *next = json_object_get(p, "next");

		if (json_array_size(json_object_get(p, "groups")) == 0) {
			json_decref(p);
			break;
		}
		assert_true(seen < 3);
		assert_string_equal(title_at(p, 0), want[seen++]);
		if (json_is_null(next)) {
			json_decref(p);
			break;
		}
		assert_int_equal(nx_store_parse_cursor(json_string_value(next), &q.cursor), 0);
		json_decref(p);
	}
	assert_int_equal(seen, 3);
	q = (struct nx_group_query){ .sort = NX_GROUP_SORT_HOSTS, .limit = 3 };
	p = page(f->s, q);	/* all of them on one full page: no next */
	assert_true(json_is_null(json_object_get(p, "next")));
	json_decref(p);
}

static void filters_narrow_the_groups(void **state)
{
	struct fixture *f = *state;
	json_t *p;

	fill(f->s);
	p = page(f->s, (struct nx_group_query){ .text = "BETA" });
	assert_int_equal(int_of(p, "total"), 1);
	assert_string_equal(title_at(p, 0), "WARNING in beta");
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .reason = "panic" });
	assert_int_equal(int_of(p, "total"), 1);
	assert_string_equal(title_at(p, 0), "BUG in alpha");
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .kernel = "6.12", .sort = NX_GROUP_SORT_LAST });
	assert_int_equal(int_of(p, "total"), 2);
	assert_string_equal(title_at(p, 0), "KASAN in gamma");
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .min_count = 2, .min_hosts = 2 });
	assert_int_equal(int_of(p, "total"), 2);	/* alpha 4/3, gamma 2/2; beta has 1 host */
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .min_count = 3 });
	assert_int_equal(int_of(p, "total"), 1);
	assert_string_equal(title_at(p, 0), "BUG in alpha");
	json_decref(p);
	p = page(f->s, (struct nx_group_query){ .since_ms = T0 + 5 * HOUR_MS,
						.until_ms = T0 + 6 * HOUR_MS });
	assert_int_equal(int_of(p, "total"), 2);	/* alpha ended before, beta and gamma in */
	json_decref(p);
}

static void cursor_text_is_checked(void **state)
{
	struct nx_cursor c;

	(void)state;
	assert_int_equal(nx_store_parse_cursor("12_7", &c), 0);
	assert_int_equal(c.key, 12);
	assert_int_equal(c.id, 7);
	assert_int_equal(nx_store_parse_cursor("12_7x", &c), -1);
	assert_int_equal(nx_store_parse_cursor("12", &c), -1);
	assert_int_equal(nx_store_parse_cursor("-1_3", &c), -1);
	assert_int_equal(nx_store_parse_cursor("1_0", &c), -1);
	assert_int_equal(nx_store_parse_cursor("1_2; DROP TABLE groups", &c), -1);
	assert_int_equal(nx_store_parse_cursor("99999999999999999999_1", &c), -1);	/* overflow */
	assert_int_equal(nx_store_parse_cursor("1_99999999999999999999", &c), -1);
}

/* A group's page and its dumps, newest first, paged by id. */
static void group_and_its_dumps(void **state)
{
	struct fixture *f = *state;
	json_t *g, *p;
	int64_t next;

	fill(f->s);
	g = nx_store_group(f->s, 1);
	assert_non_null(g);
	assert_int_equal(int_of(g, "count"), 4);
	assert_int_equal(int_of(g, "hosts"), 3);
	assert_string_equal(json_string_value(json_object_get(g, "signature_version")), "v2");
	assert_int_equal(json_array_size(json_object_get(g, "kernels")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(g, "top_hosts"), 0), "host")), "h3");	/* 2 dumps */
	assert_int_equal(int_of(g, "latest_dump"), 4);
	json_decref(g);
	assert_null(nx_store_group(f->s, 99));
	assert_string_equal(nx_store_error(f->s), "");
	p = nx_store_dump_page(f->s, 1, NULL, 0, 3);
	assert_int_equal(json_array_size(json_object_get(p, "reports")), 3);
	assert_int_equal(int_of(json_array_get(json_object_get(p, "reports"), 0), "id"), 4);
	next = int_of(p, "next");
	assert_int_equal(next, 2);
	json_decref(p);
	p = nx_store_dump_page(f->s, 1, NULL, next, 3);
	assert_int_equal(json_array_size(json_object_get(p, "reports")), 1);
	assert_true(json_is_null(json_object_get(p, "next")));
	json_decref(p);
	p = nx_store_dump_page(f->s, 1, NULL, 0, 4);	/* exactly full: no empty page after */
	assert_int_equal(json_array_size(json_object_get(p, "reports")), 4);
	assert_true(json_is_null(json_object_get(p, "next")));
	json_decref(p);
}

static void host_page(void **state)
{
	struct fixture *f = *state;
	json_t *h, *p;

	fill(f->s);
	h = nx_store_host(f->s, "h1");
	assert_non_null(h);
	assert_int_equal(int_of(h, "dumps"), 3);
	assert_int_equal(int_of(h, "first_ms"), T0);
	assert_int_equal(int_of(h, "last_ms"), T0 + 5 * HOUR_MS);
	assert_int_equal(json_array_size(json_object_get(h, "kernels")), 1);
	assert_int_equal(json_array_size(json_object_get(h, "groups")), 2);
	json_decref(h);
	assert_null(nx_store_host(f->s, "nobody"));
	p = nx_store_dump_page(f->s, 0, "h1", 0, 10);
	assert_int_equal(json_array_size(json_object_get(p, "reports")), 3);
	json_decref(p);
}

/* Buckets count the dumps of their hour; test dumps are not crashes. */
static void timeline_buckets(void **state)
{
	struct fixture *f = *state;
	struct nx_timeline_query q = { .from_ms = T0, .until_ms = T0 + 8 * HOUR_MS,
				       .bucket_ms = 2 * HOUR_MS };
	json_t *t, *c;

	fill(f->s);
	t = nx_store_timeline(f->s, &q);
	c = json_object_get(t, "counts");
	assert_int_equal(json_array_size(c), 4);
	assert_int_equal(json_integer_value(json_array_get(c, 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(c, 1)), 2);
	assert_int_equal(json_integer_value(json_array_get(c, 2)), 2);
	assert_int_equal(json_integer_value(json_array_get(c, 3)), 1);	/* h5's test dump not */
	json_decref(t);
	q.group_id = 1;
	t = nx_store_timeline(f->s, &q);
	c = json_object_get(t, "counts");
	assert_int_equal(json_integer_value(json_array_get(c, 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(c, 2)), 0);
	json_decref(t);
	q.group_id = 0;
	q.host = "h3";
	t = nx_store_timeline(f->s, &q);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(t, "counts"), 1)), 2);
	json_decref(t);
}

/* A version-3 database gets groups.hosts from group_hosts; reanalysis keeps it right. */
static void hosts_column_migrated_and_kept(void **state)
{
	struct fixture *f = *state;
	const struct nx_analysis ok = { .state = NX_ANALYSIS_OK };
	char err[4400];
	sqlite3 *db;
	json_t *g;

	fill(f->s);
	nx_store_close(f->s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, UNDO_SCHEMA_TO(6),
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f->s = nx_store_open(f->path, NX_STORE_EXISTING, err, sizeof(err));
	assert_non_null(f->s);
	g = nx_store_group(f->s, 1);
	assert_int_equal(int_of(g, "hosts"), 3);
	json_decref(g);
	add(f->s, "h9", "oops", T0 + 9 * HOUR_MS, "BUG in alpha", "v2:a", "6.1");
	add(f->s, "h9", "oops", T0 + 10 * HOUR_MS, "BUG in alpha", "v2:a", "6.1");
	g = nx_store_group(f->s, 1);
	assert_int_equal(int_of(g, "hosts"), 4);	/* a new host once, not per dump */
	json_decref(g);
	/* h5's dump of group C reanalysed into no report: C keeps one host */
	assert_int_equal(nx_store_replace_reports(f->s, 8, NULL, &ok), 0);
	g = nx_store_group(f->s, 3);
	assert_int_equal(int_of(g, "hosts"), 1);
	json_decref(g);
	assert_int_equal(nx_store_replace_reports(f->s, 7, NULL, &ok), 0);
	assert_null(nx_store_group(f->s, 3));	/* no report left: the group went */
}

static void overview(void **state)
{
	struct fixture *f = *state;
	json_t *o;

	fill(f->s);
	o = nx_store_overview(f->s, T0 + 8 * HOUR_MS);
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "new_groups")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(o, "top_by_hosts"), 0), "title")), "BUG in alpha");
	assert_int_equal(int_of(json_object_get(o, "recent"), "day"), 3);
	assert_int_equal(int_of(json_object_get(o, "recent"), "hosts_day"), 5);
	json_decref(o);
	o = nx_store_overview(f->s, T0 + 48 * HOUR_MS);
	assert_int_equal(json_array_size(json_object_get(o, "new_groups")), 0);
	assert_int_equal(int_of(json_object_get(o, "recent"), "week"), 3);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(groups_sort_by_hosts_and_count, setup, teardown),
		cmocka_unit_test_setup_teardown(cursor_pages_visit_each_group_once, setup, teardown),
		cmocka_unit_test_setup_teardown(filters_narrow_the_groups, setup, teardown),
		cmocka_unit_test(cursor_text_is_checked),
		cmocka_unit_test_setup_teardown(group_and_its_dumps, setup, teardown),
		cmocka_unit_test_setup_teardown(host_page, setup, teardown),
		cmocka_unit_test_setup_teardown(timeline_buckets, setup, teardown),
		cmocka_unit_test_setup_teardown(hosts_column_migrated_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(overview, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

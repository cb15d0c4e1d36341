/* The arrivals record behind serve and the agent (probes/arrivals.c): one
 * entry per (source, port, protocol), the probe's name added when its WHO
 * comes, three generations pushed merged and the oldest pruned, each
 * generation bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes/arrivals.h"
#include "reachmap/error.h"

static struct rm_addr addr(const char *s)
{
	struct rm_addr a;

	assert_int_equal(cidr_addr_parse(s, &a), RM_OK);
	return a;
}

/* The arrivals a take gives (rotating), in a fresh document owned by the
 * caller. */
static void take(struct arrivals *a, struct rm_results_doc *doc)
{
	assert_int_equal(results_doc_init(doc), RM_OK);
	assert_int_equal(arrivals_take(a, ARRIVALS_GENERATIONS, true, doc), RM_OK);
}

static void test_counted_and_named(void **state)
{
	struct rm_addr x = addr("10.0.0.1"), y = addr("fd00::1");
	struct rm_results_doc d;
	struct arrivals *a;

	(void)state;
	assert_int_equal(arrivals_new(100, &a), RM_OK);
	assert_int_equal(arrivals_note(a, &x, 7000, "tcp", NULL, true, "2026-11-24T10:00:00Z"),
			 RM_OK);
	assert_int_equal(arrivals_note(a, &x, 7000, "tcp", NULL, true, "2026-11-24T10:00:02Z"),
			 RM_OK);
	/* The WHO after its SYN was captured: named, not counted again. */
	assert_int_equal(
	    arrivals_note(a, &x, 7000, "tcp", "east-b-0", false, "2026-11-24T10:00:03Z"), RM_OK);
	/* A WHO whose SYN the capture missed: counted once. */
	assert_int_equal(
	    arrivals_note(a, &y, 8788, "udp", "west-a-0", false, "2026-11-24T10:00:04Z"), RM_OK);
	assert_int_equal(arrivals_note(a, &x, 7000, "udp", NULL, true, "2026-11-24T10:00:05Z"),
			 RM_OK);
	take(a, &d);
	assert_int_equal(d.narrivals, 3);
	assert_true(cidr_addr_equal(&d.arrivals[0].from, &x));
	assert_int_equal(d.arrivals[0].count, 2);
	assert_string_equal(d.arrivals[0].protocol, "tcp");
	assert_string_equal(d.arrivals[0].probe, "east-b-0");
	assert_string_equal(d.arrivals[0].first, "2026-11-24T10:00:00Z");
	assert_string_equal(d.arrivals[0].last, "2026-11-24T10:00:02Z");
	assert_int_equal(d.arrivals[1].count, 1);
	assert_string_equal(d.arrivals[1].probe, "west-a-0");
	assert_int_equal(d.arrivals[2].port, 7000);
	assert_string_equal(d.arrivals[2].protocol, "udp");
	results_doc_free(&d);
	arrivals_free(a);
}

/* An arrival is in the three takes after it came, merged with the same
 * source's later ones, and gone from the fourth. */
static void test_three_intervals(void **state)
{
	struct rm_addr x = addr("10.0.0.1"), z = addr("10.0.0.9");
	struct rm_results_doc d;
	struct arrivals *a;

	(void)state;
	assert_int_equal(arrivals_new(100, &a), RM_OK);
	arrivals_note(a, &x, 7000, "tcp", NULL, true, "2026-11-24T10:00:00Z");
	take(a, &d);
	assert_int_equal(d.narrivals, 1);
	results_doc_free(&d);
	arrivals_note(a, &x, 7000, "tcp", "east-b-0", true, "2026-11-24T10:00:10Z");
	arrivals_note(a, &z, 9042, "tcp", NULL, true, "2026-11-24T10:00:11Z");
	take(a, &d);
	assert_int_equal(d.narrivals, 2);
	assert_int_equal(d.arrivals[0].count, 2);
	assert_string_equal(d.arrivals[0].first, "2026-11-24T10:00:00Z");
	assert_string_equal(d.arrivals[0].last, "2026-11-24T10:00:10Z");
	assert_string_equal(d.arrivals[0].probe, "east-b-0");
	results_doc_free(&d);
	take(a, &d);
	assert_int_equal(d.narrivals, 2);
	assert_int_equal(d.arrivals[0].count, 2);
	results_doc_free(&d);
	/* The first interval's arrival is three takes old now. */
	take(a, &d);
	assert_int_equal(d.narrivals, 2);
	assert_int_equal(d.arrivals[0].count, 1);
	assert_string_equal(d.arrivals[0].first, "2026-11-24T10:00:10Z");
	results_doc_free(&d);
	take(a, &d);
	assert_int_equal(d.narrivals, 0);
	results_doc_free(&d);
	arrivals_free(a);
}

static void test_bounded(void **state)
{
	struct rm_addr x = addr("10.0.0.1"), y = addr("10.0.0.2"), z = addr("10.0.0.3");
	struct rm_results_doc d;
	struct arrivals *a;

	(void)state;
	assert_int_equal(arrivals_new(2, &a), RM_OK);
	assert_int_equal(arrivals_note(a, &x, 1, "tcp", NULL, true, "2026-11-24T10:00:00Z"), RM_OK);
	assert_int_equal(arrivals_note(a, &y, 1, "tcp", NULL, true, "2026-11-24T10:00:00Z"), RM_OK);
	assert_int_equal(arrivals_note(a, &z, 1, "tcp", NULL, true, "2026-11-24T10:00:00Z"),
			 RM_ERANGE);
	/* A source already there still counts. */
	assert_int_equal(arrivals_note(a, &x, 1, "tcp", NULL, true, "2026-11-24T10:00:00Z"), RM_OK);
	assert_int_equal(arrivals_dropped(a), 1);
	take(a, &d);
	assert_int_equal(d.narrivals, 2);
	results_doc_free(&d);
	/* A new generation has room again. */
	assert_int_equal(arrivals_note(a, &z, 1, "tcp", NULL, true, "2026-11-24T10:00:01Z"), RM_OK);
	arrivals_free(a);
}

/* Thousands of sources: the index grows and finds each one again. */
static void test_many(void **state)
{
	struct rm_results_doc d;
	struct arrivals *a;
	unsigned i;

	(void)state;
	assert_int_equal(arrivals_new(100000, &a), RM_OK);
	for (i = 0; i < 20000; i++) {
		struct rm_addr x = { .family = RM_AF_INET,
				     .bytes = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
						(uint8_t)i } };

		assert_int_equal(
		    arrivals_note(a, &x, 7000, "tcp", NULL, true, "2026-11-24T10:00:00Z"), RM_OK);
		assert_int_equal(
		    arrivals_note(a, &x, 7000, "tcp", NULL, true, "2026-11-24T10:00:01Z"), RM_OK);
	}
	take(a, &d);
	assert_int_equal(d.narrivals, 20000);
	for (i = 0; i < d.narrivals; i++)
		assert_int_equal(d.arrivals[i].count, 2);
	results_doc_free(&d);
	arrivals_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counted_and_named),
		cmocka_unit_test(test_three_intervals),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

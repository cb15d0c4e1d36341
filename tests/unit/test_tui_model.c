/* The report reader (core/report_read.c): reachmap.report/v1 (with matrix.grid)
 * loaded field for field; the dashboard's aggregates at each level; and every
 * way a report can be wrong, with the message naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "tui/model.h"

#define FIXTURE(name) REACHMAP_SOURCE_DIR "/tests/tui/" name

static struct rm_report_doc *load(const char *path)
{
	struct rm_report_doc *m = NULL;
	struct rm_diag diag;
	int rc = report_doc_load(path, &m, &diag);

	if (rc != RM_OK)
		fail_msg("%s", diag.error);
	return m;
}

static long member(const struct rm_report_doc *m, const uint32_t *map, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m->members[map[i]].name, name) == 0)
			return (long)i;
	fail_msg("%s is not in the grid", name);
	return -1;
}

static long column(const struct rm_report_doc *m, const char *label)
{
	size_t j;

	for (j = 0; j < m->ncolumns; j++)
		if (strcmp(m->columns[j].label, label) == 0)
			return (long)j;
	fail_msg("no column %s", label);
	return -1;
}

static void test_load_firewall_drop(void **state)
{
	struct rm_report_doc *m = load(FIXTURE("firewall-drop.json"));
	long f, t, j;
	const struct rm_report_cell *c;

	(void)state;
	assert_string_equal(m->verdict, "fail");
	assert_string_equal(m->generated, "2026-11-24T09:00:00Z");
	assert_int_equal(m->generated_t, 1795510800);
	assert_int_equal(m->errors, 1);
	assert_int_equal(m->nclusters, 2);
	assert_string_equal(m->clusters[1].name, "east");
	assert_int_equal(m->clusters[1].nzones, 2);
	assert_string_equal(m->clusters[1].zones[1], "us-east1-c");
	assert_int_equal(m->nmembers, 8);
	assert_string_equal(m->members[2].name, "dc-west-rack1-sts-0");
	assert_false(m->members[2].probe);
	assert_string_equal(m->members[2].zone, "us-west1-a");
	assert_string_equal(m->members[2].address, "10.200.1.100");
	assert_true(m->has_grid);
	assert_int_equal(m->nfrom, 4);
	assert_int_equal(m->nto, 8);
	assert_int_equal(m->ncolumns, 11);
	assert_int_equal(m->columns[1].check, RM_CHECK_TCP);
	assert_int_equal(m->columns[1].port, 7000);
	f = member(m, m->from, m->nfrom, "east-b-0");
	t = member(m, m->to, m->nto, "dc-west-rack1-sts-0");
	j = column(m, "tcp/7000");
	assert_int_equal(report_doc_status(m, (size_t)f, (size_t)t, (size_t)j), RM_STATUS_FILTERED);
	assert_int_equal(report_doc_status(m, (size_t)f, (size_t)t, 0), RM_STATUS_OK);
	assert_int_equal(
	    report_doc_status(m, (size_t)f, (size_t)member(m, m->to, m->nto, "east-b-0"), 0),
	    RM_REPORT_UNMEASURED);
	c = report_doc_cell(m, (uint32_t)f, (uint32_t)t, (uint32_t)j);
	assert_non_null(c);
	assert_int_equal(c->status, RM_STATUS_FILTERED);
	assert_int_equal(c->arrived, 0);
	c = report_doc_cell(m, (uint32_t)f, (uint32_t)t, 0);
	assert_non_null(c);
	assert_true(c->rtt_ms > 0.41 && c->rtt_ms < 0.43);
	assert_true(m->cells_complete);
	assert_int_equal(m->nfindings, 1);
	assert_string_equal(m->findings[0].kind, "firewall-drop");
	assert_string_equal(m->findings[0].ports, "7000");
	assert_int_equal(m->findings[0].nevidence, 2);
	assert_int_equal(m->findings[0].evidence[0].port, 7000);
	assert_int_equal(m->findings[0].evidence[0].arrived, 0);
	report_doc_free(m);
}

/* Clusters, then the zones of a pair, then the probes of a pair of zones;
 * the check selector and the name filter narrow what counts. */
static void test_aggregate_levels(void **state)
{
	struct rm_report_doc *m = load(FIXTURE("firewall-drop.json"));
	struct tui_scope s = { .level = TUI_LEVEL_CLUSTER, .column = -1 };
	struct tui_agg *a;
	const struct tui_agg_cell *c;

	(void)state;
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 2);
	assert_int_equal(a->ncols, 2);
	assert_string_equal(a->rows[1].label, "east");
	c = tui_agg_at(a, 1, 0); /* east -> west */
	assert_int_equal(c->worst, RM_STATUS_FILTERED);
	assert_int_equal(tui_status_class(m->columns[c->worst_column].check, c->worst),
			 TUI_CLASS_DROPPED);
	/* 2 probes x 4 members x (tcp/7000 filtered + path timeout) */
	assert_int_equal(c->failing, 16);
	assert_int_equal(tui_agg_at(a, 0, 1)->failing, 0);
	assert_int_equal(tui_agg_at(a, 0, 1)->worst, RM_STATUS_OK);
	assert_int_equal(a->failing_cells, 1);
	tui_agg_free(a);

	s.level = TUI_LEVEL_ZONE;
	s.cluster_from = 1;
	s.cluster_to = 0;
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 2);
	assert_string_equal(a->rows[0].label, "us-east1-b");
	assert_string_equal(a->cols[1].label, "us-west1-b");
	assert_int_equal(tui_agg_at(a, 0, 1)->failing, 4); /* 1 probe x 2 members x 2 */
	tui_agg_free(a);

	s.level = TUI_LEVEL_PROBE;
	s.zone_from = 0;
	s.zone_to = 0;
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 1);
	assert_int_equal(a->ncols, 2);
	assert_string_equal(a->rows[0].label, "east-b-0");
	assert_string_equal(a->cols[1].label, "dc-west-rack1-sts-0");
	assert_int_equal(tui_agg_at(a, 0, 1)->worst, RM_STATUS_FILTERED);
	tui_agg_free(a);

	/* icmp only: nothing fails */
	s.level = TUI_LEVEL_CLUSTER;
	s.column = 0;
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->failing, 0);
	assert_int_equal(tui_agg_at(a, 1, 0)->measured, 8);
	tui_agg_free(a);

	/* a filter keeps the probes (rows) whose names hold it */
	s.column = -1;
	s.filter = "RACK2";
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 0); /* no probe is named rack2 */
	assert_int_equal(a->ncols, 2);
	tui_agg_free(a);
	s.filter = "-b-";
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 2);
	assert_int_equal(tui_agg_at(a, 1, 0)->failing, 8); /* east-b-0 -> 4 members x 2 */
	tui_agg_free(a);
	report_doc_free(m);
}

static void test_findings_order_and_sides(void **state)
{
	struct rm_report_doc *m = load(FIXTURE("multi-fault.json"));
	static const char *const kinds[] = { "no-route", "firewall-drop", "dns-unresolvable",
					     "port-closed", "packet-loss" };
	size_t i;

	(void)state;
	assert_int_equal(m->nfindings, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(m->findings[i].kind, kinds[i]);
	assert_string_equal(m->findings[0].from, "west (us-west1-b)");
	assert_string_equal(m->findings[0].to, "east (us-east1-c)");
	assert_string_equal(m->findings[0].ports, "7000,7001,7199,9042");
	assert_string_equal(m->findings[2].from, "west (west-a-0)");
	assert_false(m->cells_complete);
	assert_int_equal(m->errors, 2);
	assert_int_equal(m->warnings, 2);
	assert_int_equal(m->info, 1);
	report_doc_free(m);
}

static void test_plan_report_has_no_grid(void **state)
{
	struct rm_report_doc *m = load(FIXTURE("plan.json"));
	struct tui_scope s = { .level = TUI_LEVEL_CLUSTER, .column = -1 };
	struct tui_agg *a;

	(void)state;
	assert_false(m->has_grid);
	assert_int_equal(m->nclusters, 2);
	assert_int_equal(m->nfindings, 1);
	assert_int_equal(tui_agg_build(m, &s, &a), RM_OK);
	assert_int_equal(a->nrows, 0);
	tui_agg_free(a);
	report_doc_free(m);
}

static void test_classes_and_glyphs(void **state)
{
	(void)state;
	assert_int_equal(tui_status_class(RM_CHECK_TCP, RM_STATUS_OPEN), TUI_CLASS_OK);
	assert_int_equal(tui_status_class(RM_CHECK_NAT, RM_STATUS_NONE), TUI_CLASS_OK);
	assert_int_equal(tui_status_class(RM_CHECK_NAT, RM_STATUS_SNAT), TUI_CLASS_DEGRADED);
	assert_int_equal(tui_status_class(RM_CHECK_ICMP, RM_STATUS_LOSS), TUI_CLASS_DEGRADED);
	assert_int_equal(tui_status_class(RM_CHECK_DNS, RM_STATUS_NXDOMAIN), TUI_CLASS_DNS);
	assert_int_equal(tui_status_class(RM_CHECK_TCP, RM_STATUS_REFUSED), TUI_CLASS_REJECTED);
	assert_int_equal(tui_status_class(RM_CHECK_TCP, RM_STATUS_FILTERED), TUI_CLASS_DROPPED);
	assert_int_equal(tui_status_class(RM_CHECK_TCP, RM_STATUS_NO_ROUTE), TUI_CLASS_UNREACHABLE);
	assert_int_equal(tui_status_class(RM_CHECK_ICMP, RM_REPORT_UNMEASURED), TUI_CLASS_NONE);
	/* readable without colour: every class its own glyph */
	for (int a = 0; a < TUI_CLASS_COUNT; a++)
		for (int b = a + 1; b < TUI_CLASS_COUNT; b++)
			assert_true(tui_class_glyph((enum tui_class)a) !=
				    tui_class_glyph((enum tui_class)b));
}

/* A small valid report the malformed cases below each break in one place. */
static const char base_doc[] =
    "{\"schema\":\"reachmap.report/"
    "v1\",\"verdict\":\"fail\",\"generated\":\"2026-11-24T09:00:00Z\","
    "\"clusters\":[{\"name\":\"a\",\"members\":[{\"name\":\"p1\",\"role\":\"probe\",\"zone\":"
    "\"z1\"},"
    "{\"name\":\"t1\",\"role\":\"target\"}]},"
    "{\"name\":\"b\",\"members\":[{\"name\":\"p2\",\"role\":\"probe\",\"zone\":\"z2\"}]}],"
    "\"matrix\":{\"grid\":{\"statuses\":[\"ok\",\"open\",\"filtered\"],"
    "\"columns\":[\"icmp\",\"tcp/7000\"],\"from\":[\"p1\",\"p2\"],\"to\":[\"p1\",\"t1\",\"p2\"],"
    "\"rows\":[\"..abac\",\"acab..\"]},"
    "\"cells\":[{\"from\":\"p1\",\"to\":\"t1\",\"check\":\"tcp\",\"port\":7000,\"status\":\"open\","
    "\"rttMs\":0.5}],\"cellsComplete\":false,"
    "\"clusterPairs\":[{\"from\":\"a\",\"to\":\"b\",\"checks\":{\"icmp\":{\"ok\":4},"
    "\"tcp\":{\"open\":3,\"filtered\":1}}}]},"
    "\"findings\":[{\"kind\":\"x\",\"severity\":\"error\",\"summary\":\"s\",\"remedy\":\"r\","
    "\"since\":\"2026-11-24T08:59:00Z\",\"evidence\":[{\"from\":\"p1\",\"to\":\"p2\","
    "\"check\":\"tcp\",\"port\":7000,\"status\":\"filtered\",\"since\":\"2026-11-24T08:58:00Z\"},"
    "{\"from\":\"p2\",\"to\":\"p1\",\"check\":\"icmp\",\"status\":\"ok\"}]}]}";

static int parse_mutated(const char *from, const char *to, struct rm_diag *d)
{
	char doc[sizeof(base_doc) + 256];
	const char *at = strstr(base_doc, from);
	struct rm_report_doc *m = NULL;
	int rc;

	if (at == NULL)
		fail_msg("the base document lacks %s", from);
	snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - base_doc), base_doc, to,
		 at + strlen(from));
	rc = report_doc_read("r.json", doc, strlen(doc), &m, d);
	report_doc_free(m);
	return rc;
}

static void test_base_doc_parses(void **state)
{
	struct rm_report_doc *m = NULL;
	struct rm_diag diag;

	(void)state;
	assert_int_equal(report_doc_read("r.json", base_doc, strlen(base_doc), &m, &diag), RM_OK);
	assert_int_equal(m->nmembers, 3);
	assert_int_equal(m->members[1].zone_idx, 1); /* after z1: "(no zone)" */
	assert_int_equal(report_doc_status(m, 1, 0, 1), RM_STATUS_FILTERED);
	assert_int_equal(m->ncells, 1);
	report_doc_free(m);
}

/* The live collector's since, the cluster pairs, and how the dashboard
 * words them. */
static void test_since_and_pairs(void **state)
{
	const time_t at = 1795510800; /* 2026-11-24T09:00:00Z */
	struct rm_report_doc *m = NULL;
	struct rm_diag diag;
	char buf[64];

	(void)state;
	assert_int_equal(report_doc_read("r.json", base_doc, strlen(base_doc), &m, &diag), RM_OK);
	assert_int_equal(m->findings[0].since, at - 60);
	assert_int_equal(m->findings[0].nevidence, 2);
	assert_int_equal(m->findings[0].evidence[0].since, at - 120);
	assert_int_equal(m->findings[0].evidence[1].since, (time_t)-1);
	assert_int_equal(m->npairs, 1);
	assert_string_equal(m->pairs[0].from, "a");
	assert_string_equal(m->pairs[0].to, "b");
	assert_int_equal(m->pairs[0].counts[RM_CHECK_TCP][RM_STATUS_FILTERED], 1);
	assert_int_equal(m->pairs[0].counts[RM_CHECK_TCP][RM_STATUS_OPEN], 3);
	/* the worst status, its cells of all: as the text report prints it */
	assert_int_equal(tui_pair_cell(&m->pairs[0], RM_CHECK_TCP, TUI_PAIR_FULL, buf, sizeof(buf)),
			 TUI_CLASS_DROPPED);
	assert_string_equal(buf, "filtered 1/4");
	tui_pair_cell(&m->pairs[0], RM_CHECK_TCP, TUI_PAIR_WORD, buf, sizeof(buf));
	assert_string_equal(buf, "filtered");
	tui_pair_cell(&m->pairs[0], RM_CHECK_TCP, TUI_PAIR_GLYPH, buf, sizeof(buf));
	assert_string_equal(buf, "x 1/4");
	assert_int_equal(
	    tui_pair_cell(&m->pairs[0], RM_CHECK_ICMP, TUI_PAIR_FULL, buf, sizeof(buf)),
	    TUI_CLASS_OK);
	assert_string_equal(buf, "ok");
	tui_pair_cell(&m->pairs[0], RM_CHECK_ICMP, TUI_PAIR_GLYPH, buf, sizeof(buf));
	assert_string_equal(buf, ".");
	assert_int_equal(tui_pair_cell(&m->pairs[0], RM_CHECK_DNS, TUI_PAIR_FULL, buf, sizeof(buf)),
			 TUI_CLASS_NONE);
	assert_string_equal(buf, "-");
	report_doc_free(m);
	assert_string_equal(tui_age(at - 42, at, buf, sizeof(buf)), "42s");
	assert_string_equal(tui_age(at - 119, at, buf, sizeof(buf)), "119s");
	assert_string_equal(tui_age(at - 120, at, buf, sizeof(buf)), "2m");
	assert_string_equal(tui_age(at - 7200, at, buf, sizeof(buf)), "2h");
	assert_string_equal(tui_age(at - 3 * 86400, at, buf, sizeof(buf)), "3d");
	assert_string_equal(tui_age(at + 5, at, buf, sizeof(buf)), "0s");
	assert_string_equal(tui_age((time_t)-1, at, buf, sizeof(buf)), "-");
}

static void test_malformed(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"..abac\"", "\"..aba\"",
		  "r.json: matrix.grid.rows[0]: wrong length 5, want 6 (3 to x 2 columns)" },
		{ "\"acab..\"", "\"acaz..\"",
		  "r.json: matrix.grid.rows[1][3]: 'z' is neither '.' nor a letter of statuses "
		  "(a-c)" },
		{ "\"acab..\"]", "\"acab..\",\"ababab\"]",
		  "r.json: matrix.grid.rows: 3 rows, want 2 (one per from)" },
		{ "\"filtered\"", "\"dropped\"",
		  "r.json: matrix.grid.statuses[2]: \"dropped\" is not a status" },
		{ "\"tcp/7000\"", "\"tcp/0\"",
		  "r.json: matrix.grid.columns[1]: \"tcp/0\" is not a check (icmp, tcp/PORT, dns, "
		  "identity, nat, mtu, cql, path)" },
		{ "\"from\":[\"p1\"", "\"from\":[\"p9\"",
		  "r.json: matrix.grid.from[0]: \"p9\" is not a member of any cluster" },
		{ "\"to\":[\"p1\",\"t1\",\"p2\"]", "\"to\":[\"p1\",\"t1\",2]",
		  "r.json: matrix.grid.to[2]: a number, want a string" },
		{ "\"rows\":[", "\"rowz\":[", "r.json: matrix.grid.rows: missing, want an array" },
		{ "\"clusters\"", "\"klusters\"", "r.json: clusters: missing, want an array" },
		{ "{\"name\":\"a\",", "{\"name\":7,",
		  "r.json: clusters[0].name: a number, want a string" },
		{ "\"role\":\"target\"", "\"role\":\"server\"",
		  "r.json: clusters[0].members[1].role: \"server\", want \"probe\" or \"target\"" },
		{ "\"schema\":\"reachmap.report/v1\"", "\"schema\":\"reachmap.results/v1\"",
		  "r.json: schema: \"reachmap.results/v1\", want \"reachmap.report/v1\"" },
		{ "\"verdict\":\"fail\"", "\"verdict\":\"maybe\"",
		  "r.json: verdict: \"maybe\", want \"pass\" or \"fail\"" },
		{ "\"severity\":\"error\"", "\"severity\":\"fatal\"",
		  "r.json: findings[0].severity: \"fatal\", want \"error\", \"warning\" or "
		  "\"info\"" },
		{ "\"summary\":\"s\"", "\"summery\":\"s\"",
		  "r.json: findings[0].summary: missing, want a string" },
		{ "\"from\":\"p1\",\"to\":\"t1\"", "\"from\":\"t1\",\"to\":\"t1\"",
		  "r.json: matrix.cells[0].from: \"t1\" is not in matrix.grid.from" },
		{ "\"port\":7000,", "\"port\":7001,",
		  "r.json: matrix.cells[0]: tcp/7001 is not a column of matrix.grid" },
		{ "\"since\":\"2026-11-24T08:59:00Z\"", "\"since\":\"yesterday\"",
		  "r.json: findings[0].since: not a time, want a time such as "
		  "2026-11-24T09:00:00Z" },
		{ "\"since\":\"2026-11-24T08:58:00Z\"", "\"since\":8",
		  "r.json: findings[0].evidence[0].since: a number, want a time such as "
		  "2026-11-24T09:00:00Z" },
		{ "\"filtered\":1", "\"filtered\":\"1\"",
		  "r.json: matrix.clusterPairs[0].checks.tcp.filtered: a string, want a count" },
		{ "\"icmp\":{", "\"icmpx\":{",
		  "r.json: matrix.clusterPairs[0].checks: \"icmpx\" is not a check" },
		{ "\"ok\":4", "\"fine\":4",
		  "r.json: matrix.clusterPairs[0].checks.icmp: \"fine\" is not a status" },
		{ "{\"from\":\"a\",\"to\":\"b\",", "{\"from\":\"a\",",
		  "r.json: matrix.clusterPairs[0].to: missing, want a string" },
		{ "\"matrix\":{", "\"matrix\":[{", "r.json: 1:" }, /* prefix: not JSON */
		{ "\"matrix\":{\"grid\":{", "\"matrix\":{\"grid\":[{",
		  "r.json: 1:" }, /* likewise */
	};
	struct rm_diag diag;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_mutated(cases[i].from, cases[i].to, &diag);

		if (rc == RM_OK)
			fail_msg("case %zu parsed", i);
		if (strncmp(diag.error, cases[i].want, strlen(cases[i].want)) != 0 ||
		    (strcmp(cases[i].want, "r.json: 1:") != 0 &&
		     strcmp(diag.error, cases[i].want) != 0))
			fail_msg("case %zu:\n got:  %s\n want: %s", i, diag.error, cases[i].want);
	}
}

static void test_not_json_names_the_place(void **state)
{
	struct rm_report_doc *m = NULL;
	struct rm_diag diag;

	(void)state;
	assert_int_equal(report_doc_read("r.json", "{\n  \"schema\": ]", 15, &m, &diag), RM_EPARSE);
	assert_string_equal(diag.error, "r.json: 2:13: not valid JSON");
	assert_int_equal(report_doc_load("/nonexistent/r.json", &m, &diag), RM_EIO);
	assert_string_equal(diag.error,
			    "/nonexistent/r.json: cannot read: No such file or directory");
}

/* Every allocation of a load failing in turn: RM_ENOMEM and nothing leaked
 * (the sanitizer build checks the leaks). */
static void test_out_of_memory(void **state)
{
	struct rm_report_doc *m = NULL;
	struct rm_diag diag;
	unsigned long n, i;

	(void)state;
	rm_alloc_fail_at(0);
	assert_int_equal(report_doc_read("r.json", base_doc, strlen(base_doc), &m, &diag), RM_OK);
	report_doc_free(m);
	n = rm_alloc_fail_at(0);
	assert_true(n > 10);
	for (i = 1; i <= n; i++) {
		int rc;

		rm_alloc_fail_at(i);
		rc = report_doc_read("r.json", base_doc, strlen(base_doc), &m, &diag);
		rm_alloc_fail_at(0);
		/* cJSON returns NULL for both a syntax error and a failed
		 * allocation, so inside its parser ENOMEM reads as bad JSON. */
		if (rc == RM_EPARSE)
			assert_non_null(strstr(diag.error, "not valid JSON"));
		else if (rc != RM_OK)
			assert_string_equal(diag.error, "r.json: out of memory");
		assert_true(rc == RM_OK || rc == RM_ENOMEM || rc == RM_EPARSE);
		assert_true(rc == RM_OK || m == NULL);
		report_doc_free(m);
		m = NULL;
	}
}

int main(void)
{
	cJSON_Hooks hooks = { rm_malloc, rm_free };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_firewall_drop),
		cmocka_unit_test(test_aggregate_levels),
		cmocka_unit_test(test_findings_order_and_sides),
		cmocka_unit_test(test_plan_report_has_no_grid),
		cmocka_unit_test(test_classes_and_glyphs),
		cmocka_unit_test(test_base_doc_parses),
		cmocka_unit_test(test_since_and_pairs),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_json_names_the_place),
		cmocka_unit_test(test_out_of_memory),
	};

	/* as reachmap's main() does: cJSON's allocations can fail too */
	cJSON_InitHooks(&hooks);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

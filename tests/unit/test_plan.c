/* The address-plan rules, one small topology per rule, including the cases
 * that must not fire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"

struct fx {
	struct rm_topology *topo;
	struct rm_report report;
};

static void plan_text(struct fx *fx, const char *text)
{
	struct rm_diag diag;
	int rc = topo_load_buffer("t.yaml", (const uint8_t *)text, strlen(text), &fx->topo, &diag);

	if (rc != RM_OK)
		fail_msg("topology did not load: %s", diag.error);
	memset(&fx->report, 0, sizeof(fx->report));
	fx->report.topo = fx->topo;
	assert_int_equal(findings_init(&fx->report.findings), RM_OK);
	assert_int_equal(analyze_plan(fx->topo, &fx->report.findings), RM_OK);
	analyze_finish(&fx->report);
}

static void fx_free(struct fx *fx)
{
	findings_free(&fx->report.findings);
	topo_free(fx->topo);
}

static const struct rm_finding *nth(const struct fx *fx, size_t i)
{
	assert_true(i < fx->report.findings.n);
	return &fx->report.findings.v[i];
}

static void test_clean_plan_has_no_finding(void **state)
{
	struct fx fx;

	(void)state;
	plan_text(
	    &fx,
	    "version: 1\n"
	    "clusters:\n"
	    "  - name: west\n"
	    "    cidrs: {nodes: [10.100.0.0/16], pods: [10.200.0.0/16], services: [10.96.0.0/16]}\n"
	    "  - name: east\n"
	    "    cidrs: {nodes: [10.150.0.0/16], pods: [10.250.0.0/16], services: "
	    "[10.97.0.0/16]}\n");
	assert_int_equal(fx.report.findings.n, 0);
	assert_true(fx.report.pass);
	fx_free(&fx);
}

static void test_overlap_between_clusters(void **state)
{
	struct fx fx;
	const struct rm_finding *f;

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.200.0.0/16]}\n"
		       "    probes: [{name: w0, address: 10.200.1.10}]\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.200.128.0/17]}\n"
		       "    probes: [{name: e0, address: 10.200.130.1}]\n");
	assert_int_equal(fx.report.findings.n, 1);
	f = nth(&fx, 0);
	assert_int_equal(f->kind, RM_FINDING_CIDR_OVERLAP);
	assert_int_equal(f->severity, RM_SEV_ERROR);
	assert_string_equal(f->from.cluster, "west");
	assert_string_equal(f->to.cluster, "east");
	assert_string_equal(f->summary,
			    "west pods 10.200.0.0/16 overlaps east pods 10.200.128.0/17 "
			    "(shared: 10.200.128.0/17)");
	assert_string_equal(f->remedy,
			    "renumber east's pods to a range no other cluster uses, e.g. "
			    "10.0.0.0/17 (free: it overlaps nothing declared); pod and node "
			    "addresses must be unique across every cluster Cassandra spans, as "
			    "Cassandra takes the address as a node's identity");
	/* The two ranges, then the one declared address in the shared part
	 * (e0 is in its own cluster's range: no separate address finding). */
	assert_int_equal(f->nevidence, 3);
	assert_string_equal(f->evidence[0].range, "10.200.0.0/16");
	assert_string_equal(f->evidence[0].field, "clusters[0].cidrs.pods[0]");
	assert_int_equal(f->evidence[0].line, 4);
	assert_string_equal(f->evidence[1].range, "10.200.128.0/17");
	assert_string_equal(f->evidence[2].name, "e0");
	assert_string_equal(f->evidence[2].address, "10.200.130.1");
	assert_false(fx.report.pass);
	fx_free(&fx);
}

static void test_overlap_severities(void **state)
{
	struct fx fx;

	(void)state;
	/* Services of two clusters: a warning. Nodes and services inside one
	 * cluster: an error. The same kind twice in one cluster: a warning. */
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {nodes: [10.100.0.0/16], pods: [10.200.0.0/16, 10.200.4.0/24], "
		       "services: [10.96.0.0/12]}\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.250.0.0/16], services: [10.96.0.0/16]}\n");
	assert_int_equal(fx.report.findings.n, 3);
	assert_int_equal(nth(&fx, 0)->severity, RM_SEV_ERROR);
	assert_string_equal(nth(&fx, 0)->summary, "west nodes 10.100.0.0/16 overlaps west services "
						  "10.96.0.0/12 (shared: 10.100.0.0/16)");
	assert_null(nth(&fx, 0)->to.cluster);
	assert_int_equal(nth(&fx, 1)->severity, RM_SEV_WARNING);
	assert_string_equal(nth(&fx, 1)->summary, "west pods 10.200.0.0/16 overlaps west pods "
						  "10.200.4.0/24 (shared: 10.200.4.0/24)");
	assert_int_equal(nth(&fx, 2)->severity, RM_SEV_WARNING);
	assert_string_equal(nth(&fx, 2)->to.cluster, "east");
	assert_int_equal(fx.report.counts[RM_SEV_ERROR], 1);
	assert_int_equal(fx.report.counts[RM_SEV_WARNING], 2);
	fx_free(&fx);
}

static void test_reserved(void **state)
{
	struct fx fx;

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {nodes: [100.64.0.0/16], pods: [127.0.0.0/16, 169.254.0.0/17], "
		       "services: [fe80::/64]}\n");
	assert_int_equal(fx.report.findings.n, 4);
	assert_int_equal(nth(&fx, 0)->kind, RM_FINDING_RESERVED_RANGE);
	assert_string_equal(nth(&fx, 0)->summary,
			    "west pods 127.0.0.0/16 overlaps 127.0.0.0/8, loopback: packets to it "
			    "never leave a host");
	assert_string_equal(nth(&fx, 0)->remedy,
			    "move west's pods out of 127.0.0.0/8, e.g. "
			    "10.1.0.0/16 (free: it overlaps nothing declared)");
	assert_int_equal(nth(&fx, 1)->severity, RM_SEV_ERROR);
	assert_int_equal(nth(&fx, 2)->severity, RM_SEV_ERROR);
	assert_non_null(strstr(nth(&fx, 2)->summary, "fe80::/64 overlaps fe80::/10"));
	assert_int_equal(nth(&fx, 3)->severity, RM_SEV_WARNING);
	assert_non_null(strstr(nth(&fx, 3)->summary, "carrier-grade NAT"));
	/* 10.0.0.0/8 itself is fine: private, not reserved. */
	fx_free(&fx);
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.0.0.0/8]}\n");
	assert_int_equal(fx.report.findings.n, 0);
	fx_free(&fx);
}

static void test_dns_clash(void **state)
{
	struct fx fx;

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.200.0.0/16]}\n"
		       "    dns: {domain: cluster.local}\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.250.0.0/16]}\n"
		       "    dns: {domain: Cluster.Local.}\n"
		       "  - name: north\n"
		       "    cidrs: {pods: [10.251.0.0/16]}\n"
		       "    dns: {domain: north.cluster.local}\n");
	/* west = east (case and trailing dot do not matter): error; north is
	 * inside both: two warnings. */
	assert_int_equal(fx.report.findings.n, 3);
	assert_int_equal(nth(&fx, 0)->kind, RM_FINDING_DNS_DOMAIN_CLASH);
	assert_int_equal(nth(&fx, 0)->severity, RM_SEV_ERROR);
	assert_string_equal(nth(&fx, 0)->summary, "west and east both use the DNS domain "
						  "cluster.local: a stub domain cannot tell their "
						  "names apart");
	assert_int_equal(nth(&fx, 1)->severity, RM_SEV_WARNING);
	assert_string_equal(
	    nth(&fx, 2)->summary,
	    "north's DNS domain north.cluster.local lies inside west's cluster.local: "
	    "a stub domain for cluster.local also captures north's names");
	fx_free(&fx);
	/* "xcluster.local" is not inside "cluster.local". */
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.200.0.0/16]}\n"
		       "    dns: {domain: cluster.local}\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.250.0.0/16]}\n"
		       "    dns: {domain: xcluster.local}\n");
	assert_int_equal(fx.report.findings.n, 0);
	fx_free(&fx);
}

static void test_addresses(void **state)
{
	struct fx fx;
	const struct rm_finding *f;

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.200.0.0/16]}\n"
		       "    probes:\n"
		       "      - {name: w0, address: 10.200.1.10}\n"
		       "      - {name: w1, address: 10.250.1.77}\n"
		       "      - {name: w2, address: 10.250.1.78}\n"
		       "      - {name: w3, address: 192.168.1.1}\n"
		       "    targets:\n"
		       "      - {name: w4, address: 10.200.1.10}\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.250.0.0/16]}\n"
		       "    targets:\n"
		       "      - {name: e0, address: 10.200.1.10}\n");
	assert_int_equal(fx.report.findings.n, 4);
	/* e0 sits in west's range (and on w0's address: one cause, one finding). */
	f = nth(&fx, 0);
	assert_int_equal(f->kind, RM_FINDING_ADDRESS_COLLISION);
	assert_string_equal(f->summary, "east declares e0 10.200.1.10 inside west's pods "
					"10.200.0.0/16: packets to it go to west");
	assert_string_equal(f->to.cluster, "west");
	/* w0 and w4: the same address twice in one cluster. */
	f = nth(&fx, 1);
	assert_int_equal(f->kind, RM_FINDING_ADDRESS_COLLISION);
	assert_string_equal(f->summary, "west declares probe w0 and target w4 at the same address "
					"10.200.1.10: one answers for the other");
	assert_null(f->to.cluster);
	assert_int_equal(f->from.nprobes, 2);
	/* w1 and w2 in east's range: one finding for both. */
	f = nth(&fx, 2);
	assert_string_equal(f->summary, "west declares w1 10.250.1.77, w2 10.250.1.78 inside "
					"east's pods 10.250.0.0/16: packets to them go to east");
	assert_int_equal(f->from.nprobes, 2);
	assert_string_equal(f->from.probes[1], "w2");
	assert_int_equal(f->nevidence, 2);
	assert_string_equal(f->evidence[1].field, "clusters[0].probes[2].address");
	f = nth(&fx, 3);
	assert_int_equal(f->kind, RM_FINDING_ADDRESS_OUT_OF_RANGE);
	assert_string_equal(f->summary,
			    "west declares w3 192.168.1.1 outside every range of the topology");
	assert_string_equal(f->remedy,
			    "correct the address to lie in west's ranges (pods 10.200.0.0/16), or "
			    "add the range it lives in to west's cidrs; reachmap probes only "
			    "addresses inside declared ranges");
	fx_free(&fx);
}

/* An address declared in both clusters inside their overlap is named in the
 * cidr-overlap finding, not reported a second time. */
static void test_overlap_names_twice_declared(void **state)
{
	struct fx fx;

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.200.0.0/16]}\n"
		       "    probes: [{name: w0, address: 10.200.129.10}]\n"
		       "  - name: east\n"
		       "    cidrs: {pods: [10.200.128.0/17]}\n"
		       "    probes: [{name: e0, address: 10.200.129.10}]\n");
	assert_int_equal(fx.report.findings.n, 1);
	assert_string_equal(nth(&fx, 0)->summary,
			    "west pods 10.200.0.0/16 overlaps east pods 10.200.128.0/17 (shared: "
			    "10.200.128.0/17); 10.200.129.10 is declared in both clusters");
	fx_free(&fx);
}

static void test_suggest(void **state)
{
	struct fx fx;
	struct rm_suggestion asks[3] = {
		{ .kind = RM_RANGE_PODS, .len = 16 },
		{ .kind = RM_RANGE_SERVICES, .len = 16 },
		{ .kind = RM_RANGE_NODES, .len = 20 },
	};
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.0.0.0/15], nodes: [10.2.0.0/20]}\n");
	assert_int_equal(analyze_suggest(fx.topo, asks, 3), RM_OK);
	assert_true(asks[0].found && asks[1].found && asks[2].found);
	assert_string_equal(cidr_format(&asks[0].prefix, buf, sizeof(buf)), "10.3.0.0/16");
	assert_string_equal(cidr_format(&asks[1].prefix, buf, sizeof(buf)), "10.4.0.0/16");
	assert_string_equal(cidr_format(&asks[2].prefix, buf, sizeof(buf)), "10.2.16.0/20");
	fx_free(&fx);

	/* 10/8 taken whole: a /8 fits nowhere else in RFC 1918 space; a /13
	 * goes to 172.24/13, as 172.16/13 holds docker0's 172.17/16; the next
	 * /13 cannot be had. */
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.0.0.0/8]}\n");
	asks[0].len = 8;
	asks[1].len = 13;
	asks[2].len = 13;
	assert_int_equal(analyze_suggest(fx.topo, asks, 3), RM_OK);
	assert_false(asks[0].found);
	assert_true(asks[1].found);
	assert_string_equal(cidr_format(&asks[1].prefix, buf, sizeof(buf)), "172.24.0.0/13");
	assert_false(asks[2].found);
	asks[0].len = 31;
	assert_int_equal(analyze_suggest(fx.topo, asks, 1), RM_EINVAL);
	fx_free(&fx);
}

static void test_suggest_avoids_docker(void **state)
{
	struct fx fx;
	struct rm_suggestion ask = { .kind = RM_RANGE_PODS, .len = 16 };
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	plan_text(&fx, "version: 1\n"
		       "clusters:\n"
		       "  - name: west\n"
		       "    cidrs: {pods: [10.0.0.0/8, 172.16.0.0/16]}\n");
	assert_int_equal(analyze_suggest(fx.topo, &ask, 1), RM_OK);
	assert_string_equal(cidr_format(&ask.prefix, buf, sizeof(buf)), "172.18.0.0/16");
	fx_free(&fx);
}

/* Every allocation of the plan rules, failed in turn, on the example with
 * every finding: RM_ENOMEM, never a crash or a leak. */
static void test_alloc_failures(void **state)
{
	struct rm_topology *t;
	struct rm_findings fs;
	struct rm_diag diag;
	unsigned long total, i;

	(void)state;
	assert_int_equal(topo_load_file(REACHMAP_SOURCE_DIR "/examples/broken.yaml", &t, &diag),
			 RM_OK);
	rm_alloc_fail_at(0);
	assert_int_equal(findings_init(&fs), RM_OK);
	assert_int_equal(analyze_plan(t, &fs), RM_OK);
	findings_free(&fs);
	total = rm_alloc_fail_at(0);
	assert_true(total >= 8);
	for (i = 1; i <= total; i++) {
		int rc;

		rm_alloc_fail_at(i);
		rc = findings_init(&fs);
		if (rc == RM_OK)
			rc = analyze_plan(t, &fs);
		rm_alloc_fail_at(0);
		assert_int_equal(rc, RM_ENOMEM);
		findings_free(&fs);
	}
	topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_plan_has_no_finding),
		cmocka_unit_test(test_overlap_between_clusters),
		cmocka_unit_test(test_overlap_severities),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_dns_clash),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_overlap_names_twice_declared),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_suggest_avoids_docker),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

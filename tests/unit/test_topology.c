/* The topology loader: what a valid file gives, the defaults, JSON as YAML,
 * and every allocation failure handled. Error messages for bad files are
 * asserted exactly by tests/topology/run.sh over tests/fixtures/topology. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

#define EXAMPLE(name) REACHMAP_SOURCE_DIR "/examples/" name

static struct rm_topology *load_text(const char *text, struct rm_diag *diag)
{
	struct rm_topology *t = NULL;
	int rc = topo_load_buffer("t.yaml", (const uint8_t *)text, strlen(text), &t, diag);

	if (rc != RM_OK)
		return NULL;
	return t;
}

static void addr_is(const struct rm_addr *a, const char *want)
{
	char buf[RM_ADDR_STRLEN];

	assert_string_equal(cidr_addr_format(a, buf, sizeof(buf)), want);
}

static void test_two_dc(void **state)
{
	struct rm_topology *t;
	struct rm_diag diag;
	const struct rm_cluster *east;
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(topo_load_file(EXAMPLE("two-dc.yaml"), &t, &diag), RM_OK);
	assert_string_equal(diag.error, "");
	assert_int_equal(diag.nwarnings, 0);
	assert_int_equal(t->version, 1);
	assert_int_equal(t->nports, 5);
	assert_string_equal(t->ports[3].name, "cql");
	assert_int_equal(t->ports[3].port, 9042);
	assert_int_equal(t->ports[3].protocol, RM_PORT_CQL);
	assert_int_equal(t->ports[0].protocol, RM_PORT_TCP);
	assert_int_equal(t->timeout_ms, 1000);
	assert_int_equal(t->rate, 1000);
	assert_int_equal(t->mtu, 1500);
	assert_int_equal(t->nclusters, 2);
	east = topo_cluster(t, "east");
	assert_non_null(east);
	assert_ptr_equal(east, &t->clusters[1]);
	assert_null(topo_cluster(t, "north"));
	assert_int_equal(east->nzones, 2);
	assert_string_equal(east->zones[1], "us-east1-c");
	assert_int_equal(east->nranges, 3);
	assert_int_equal(east->ranges[1].kind, RM_RANGE_PODS);
	assert_string_equal(cidr_format(&east->ranges[1].prefix, buf, sizeof(buf)),
			    "10.250.0.0/16");
	assert_int_equal(east->ranges[1].pos.line, 29);
	assert_string_equal(east->dns_domain, "east.cluster.local");
	assert_int_equal(east->ndns_servers, 1);
	addr_is(&east->dns_servers[0], "10.97.0.10");
	assert_int_equal(east->nprobes, 2);
	assert_string_equal(east->probes[1].name, "east-c-0");
	addr_is(&east->probes[1].address, "10.250.2.10");
	assert_string_equal(east->probes[1].zone, "us-east1-c");
	assert_string_equal(east->probes[1].dns_name,
			    "east-c-0.reachmap.reachmap.svc.east.cluster.local");
	assert_int_equal(east->ntargets, 2);
	assert_int_equal(east->targets[0].nports, 5);
	assert_int_equal(t->nexpect, 3);
	assert_string_equal(t->expect[0].from, "*");
	assert_int_equal(t->expect[0].reach, RM_REACH_OPEN);
	assert_int_equal(t->expect[0].nports, 3);
	assert_int_equal(t->expect[0].ports[2], 3); /* cql */
	assert_int_equal(t->expect[1].reach, RM_REACH_BLOCKED);
	assert_int_equal(t->expect[2].reach, RM_REACH_RESOLVES);
	assert_int_equal(t->expect[2].nports, 0);
	assert_int_equal(t->thresholds.rtt_warn_ms, 50);
	assert_int_equal(t->thresholds.rtt_error_ms, 150);
	assert_true(t->thresholds.loss_warn_pct == 1.0);
	topo_free(t);
}

/* JSON is YAML: the JSON example must load to the same model. */
static void test_json_same_as_yaml(void **state)
{
	struct rm_topology *y, *j;
	struct rm_diag diag;
	size_t c, i;

	(void)state;
	assert_int_equal(topo_load_file(EXAMPLE("two-dc.yaml"), &y, &diag), RM_OK);
	assert_int_equal(topo_load_file(EXAMPLE("two-dc.json"), &j, &diag), RM_OK);
	assert_int_equal(y->nclusters, j->nclusters);
	assert_int_equal(y->nports, j->nports);
	assert_int_equal(y->nexpect, j->nexpect);
	for (c = 0; c < y->nclusters; c++) {
		const struct rm_cluster *a = &y->clusters[c], *b = &j->clusters[c];

		assert_string_equal(a->name, b->name);
		assert_int_equal(a->nranges, b->nranges);
		for (i = 0; i < a->nranges; i++)
			assert_int_equal(cidr_cmp(&a->ranges[i].prefix, &b->ranges[i].prefix), 0);
		assert_int_equal(a->nprobes, b->nprobes);
		for (i = 0; i < a->nprobes; i++) {
			assert_string_equal(a->probes[i].name, b->probes[i].name);
			assert_true(cidr_addr_equal(&a->probes[i].address, &b->probes[i].address));
		}
		assert_int_equal(a->ntargets, b->ntargets);
	}
	topo_free(y);
	topo_free(j);
}

static void test_defaults(void **state)
{
	struct rm_diag diag;
	struct rm_topology *t = load_text("version: 1\n"
					  "clusters:\n"
					  "  - name: west\n"
					  "    cidrs: {pods: [10.200.0.0/16, fd00:200::/48]}\n"
					  "    targets:\n"
					  "      - {name: t0, address: 10.200.3.4}\n",
					  &diag);

	(void)state;
	assert_non_null(t);
	/* No defaults.ports: the Cassandra ports. */
	assert_int_equal(t->nports, 5);
	assert_string_equal(t->ports[0].name, "gossip");
	assert_int_equal(t->ports[0].port, 7000);
	assert_int_equal(t->ports[3].protocol, RM_PORT_CQL);
	assert_int_equal(t->ports[4].port, 8080);
	/* A target that names no ports gets them all. */
	assert_int_equal(t->clusters[0].targets[0].nports, 5);
	assert_null(t->clusters[0].targets[0].zone);
	assert_null(t->clusters[0].dns_domain);
	assert_int_equal(t->clusters[0].nranges, 2);
	assert_int_equal(t->clusters[0].ranges[1].prefix.addr.family, RM_AF_INET6);
	assert_int_equal(t->nexpect, 0);
	assert_int_equal(t->thresholds.rtt_error_ms, 150);
	topo_free(t);
}

static void test_host_bits_warning(void **state)
{
	struct rm_diag diag;
	struct rm_topology *t = load_text("version: 1\n"
					  "clusters:\n"
					  "  - name: west\n"
					  "    cidrs: {pods: [10.200.1.0/16]}\n",
					  &diag);
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	assert_non_null(t);
	assert_int_equal(diag.nwarnings, 1);
	assert_string_equal(diag.warnings[0],
			    "t.yaml:4:20: clusters[0].cidrs.pods[0]: \"10.200.1.0/16\" has host "
			    "bits set; it is read as 10.200.0.0/16");
	assert_string_equal(cidr_format(&t->clusters[0].ranges[0].prefix, buf, sizeof(buf)),
			    "10.200.0.0/16");
	topo_free(t);
}

/* Fields in any order: ports defined after the targets that use them. */
static void test_field_order_free(void **state)
{
	struct rm_diag diag;
	struct rm_topology *t =
	    load_text("expect:\n"
		      "  - {to: west, from: '*', reach: open, ports: [db]}\n"
		      "clusters:\n"
		      "  - targets: [{ports: [db], address: 10.200.0.5, name: t}]\n"
		      "    cidrs: {pods: [10.200.0.0/16]}\n"
		      "    name: west\n"
		      "defaults: {ports: [{port: 5432, name: db}]}\n"
		      "version: 1\n",
		      &diag);

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->nports, 1);
	assert_int_equal(t->clusters[0].targets[0].ports[0], 0);
	assert_string_equal(t->expect[0].to, "west");
	topo_free(t);
}

static void test_errors_name_the_place(void **state)
{
	struct rm_diag diag;

	(void)state;
	assert_null(
	    load_text("version: 1\nclusters:\n  - name: w\n    cidrs: {pods: [10.0.0.0/8]}\n"
		      "thresholds: {rttWarnMs: 100, rttErrorMs: 50}\n",
		      &diag));
	assert_string_equal(diag.error, "t.yaml:5:42: thresholds.rttErrorMs: 50 is below "
					"rttWarnMs (100)");
	assert_null(
	    load_text("version: 1\nclusters:\n  - name: w\n    cidrs: {pods: [10.0.0.0/8]}\n"
		      "thresholds: {lossWarnPct: 120}\n",
		      &diag));
	assert_string_equal(diag.error,
			    "t.yaml:5:27: thresholds.lossWarnPct: 120 is out of range 0..100");
	assert_null(load_text("version: 1\nclusters: []\n", &diag));
	assert_string_equal(diag.error, "t.yaml:2:11: clusters: must list at least one cluster");
	assert_null(load_text("[1, 2]\n", &diag));
	assert_string_equal(diag.error, "t.yaml:1:1: must be a mapping, not a list");
	assert_null(
	    load_text("version: 1\nclusters:\n  - name: w\n    cidrs: {pods: [10.0.0.0/8]}\n"
		      "    dns: {domain: 'bad..name'}\n",
		      &diag));
	assert_string_equal(diag.error, "t.yaml:5:19: clusters[0].dns.domain: \"bad..name\" is "
					"not a DNS name (empty label)");
}

/* A pod whose address is not fixed: a dnsName and no address is valid,
 * and reads as an unset address; neither is an error naming the place. */
static void test_dns_name_only(void **state)
{
	static const char *head = "version: 1\nclusters:\n  - name: w\n"
				  "    cidrs: {pods: [10.0.0.0/8]}\n";
	char text[512];
	struct rm_topology *t;
	struct rm_diag diag;
	const struct rm_cluster *w;

	(void)state;
	snprintf(text, sizeof(text),
		 "%s    probes:\n      - {name: p0, dnsName: p0.reachmap.svc.w.local}\n"
		 "      - {name: p1, address: 10.0.0.1}\n"
		 "    targets:\n      - {name: c0, dnsName: c0.db.svc.w.local, ports: [cql]}\n",
		 head);
	t = load_text(text, &diag);
	assert_non_null(t);
	w = &t->clusters[0];
	assert_int_equal(w->nprobes, 2);
	assert_false(cidr_addr_is_set(&w->probes[0].address));
	assert_int_equal(w->probes[0].address.family, RM_AF_NONE);
	assert_string_equal(w->probes[0].dns_name, "p0.reachmap.svc.w.local");
	assert_true(cidr_addr_is_set(&w->probes[1].address));
	addr_is(&w->probes[1].address, "10.0.0.1");
	assert_null(w->probes[1].dns_name);
	assert_false(cidr_addr_is_set(&w->targets[0].address));
	assert_string_equal(w->targets[0].dns_name, "c0.db.svc.w.local");
	assert_int_equal(w->targets[0].nports, 1);
	topo_free(t);

	snprintf(text, sizeof(text), "%s    probes:\n      - {name: p0, zone: a}\n", head);
	assert_null(load_text(text, &diag));
	assert_string_equal(diag.error,
			    "t.yaml:6:9: clusters[0].probes[0]: missing required field \"address\" "
			    "(or \"dnsName\", for a pod whose address is not fixed)");
	snprintf(text, sizeof(text),
		 "%s    targets:\n      - {name: c0, dnsName: c0.w.local}\n"
		 "      - {name: c1, ports: [cql]}\n",
		 head);
	assert_null(load_text(text, &diag));
	assert_string_equal(
	    diag.error, "t.yaml:7:9: clusters[0].targets[1]: missing required field \"address\" "
			"(or \"dnsName\", for a pod whose address is not fixed)");
}

/* Every allocation of a load, failed in turn: an error, never a crash or a
 * leak (LeakSanitizer checks the leaks at exit). */
static void test_alloc_failures(void **state)
{
	struct rm_topology *t;
	struct rm_diag diag;
	unsigned long total, i;

	(void)state;
	rm_alloc_fail_at(0);
	assert_int_equal(topo_load_file(EXAMPLE("three-dc.yaml"), &t, &diag), RM_OK);
	topo_free(t);
	total = rm_alloc_fail_at(0);
	assert_true(total >= 5);
	for (i = 1; i <= total; i++) {
		int rc;

		rm_alloc_fail_at(i);
		rc = topo_load_file(EXAMPLE("three-dc.yaml"), &t, &diag);
		rm_alloc_fail_at(0);
		assert_int_equal(rc, RM_ENOMEM);
		assert_null(t);
		assert_non_null(strstr(diag.error, "out of memory"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_dc),
		cmocka_unit_test(test_json_same_as_yaml),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_host_bits_warning),
		cmocka_unit_test(test_field_order_free),
		cmocka_unit_test(test_errors_name_the_place),
		cmocka_unit_test(test_dns_name_only),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* kube/init: the cases the fixtures do not show, each from a small dump
 * in memory: zones that end alike, dual stack, exact-half joins, a
 * --cluster-cidr that does not hold the nodes' blocks, nodes without
 * zones, pod names two clusters share, a pod with no IP yet; and every
 * allocation failing in turn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "kube/init.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

struct run {
	char *text; /* open_memstream's */
	size_t len;
	struct rm_diag diag;
	int rc;
};

/* Builds from n dumps ("c0.json", "c1.json", ...) and writes the text. */
static void build(struct run *r, const char *const *dumps, size_t n, unsigned per_zone)
{
	struct kube_input in[4];
	struct kube_init_opts o = { per_zone };
	struct kube_topo *t = NULL;
	static const char *const names[] = { "c0.json", "c1.json", "c2.json", "c3.json" };
	size_t i;
	FILE *f;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++)
		in[i] = (struct kube_input){ names[i], NULL, dumps[i], strlen(dumps[i]) };
	r->rc = kube_init_build(in, n, &o, &t, &r->diag);
	if (r->rc != RM_OK)
		return;
	f = open_memstream(&r->text, &r->len);
	assert_non_null(f);
	assert_int_equal(kube_init_write(t, f), RM_OK);
	assert_int_equal(fclose(f), 0);
	kube_topo_free(t);
}

/* The text loads as a topology. */
static void loads(const struct run *r)
{
	struct rm_topology *topo = NULL;
	struct rm_diag d;

	if (topo_load_buffer("out.yaml", (const uint8_t *)r->text, r->len, &topo, &d) != RM_OK)
		fail_msg("does not load: %s\n%s", d.error, r->text);
	topo_free(topo);
}

static void has(const struct run *r, const char *s)
{
	if (r->text == NULL || strstr(r->text, s) == NULL) {
		printf("%s", r->text ? r->text : "(nothing)\n");
		fail_msg("lacks \"%s\" in the text above", s);
	}
}

#define NODE(name, zone, cidrs, ips)                                                               \
	"{\"kind\":\"Node\",\"metadata\":{\"name\":\"" name "\",\"labels\":{" zone "}},"           \
	"\"spec\":{\"podCIDRs\":[" cidrs "]},\"status\":{\"addresses\":[" ips "]}}"
#define ZONE(z)	  "\"topology.kubernetes.io/zone\":\"" z "\""
#define IP(a)	  "{\"type\":\"InternalIP\",\"address\":\"" a "\"}"
#define LIST(...) "{\"kind\":\"List\",\"items\":[" __VA_ARGS__ "]}"

static void test_zones_ending_alike_keep_their_whole_name(void **state)
{
	const char *d =
	    LIST(NODE("a", ZONE("us-east-1a"), "\"10.1.0.0/24\"", IP("10.0.0.1")) "," NODE(
		"b", ZONE("eu-west-1a"), "\"10.1.1.0/24\"",
		IP("10.0.0.2")) "," NODE("c", ZONE("eu-west-1b"), "\"10.1.2.0/24\"",
					 IP("10.0.0.3")));
	struct run r;

	(void)state;
	build(&r, &d, 1, 1);
	assert_int_equal(r.rc, RM_OK);
	has(&r, "{name: c0-eu-west-1a-0, zone: eu-west-1a,");
	has(&r, "{name: c0-us-east-1a-0, zone: us-east-1a,");
	has(&r, "{name: c0-1b-0, zone: eu-west-1b,");
	loads(&r);
	free(r.text);
}

static void test_dual_stack_and_exact_halves(void **state)
{
	const char *d = LIST(NODE(
	    "a", ZONE("z-a"), "\"10.1.0.0/24\",\"fd00:1::/64\"",
	    IP("10.0.0.1") "," IP(
		"fd00::1")) "," NODE("b", ZONE("z-a"), "\"10.1.1.0/24\",\"fd00:1:0:1::/64\"",
				     IP("10.0.0.2") "," IP(
					 "fd00::2")) "," NODE("c", ZONE("z-a"), "\"10.1.2.0/24\"",
							      IP("10.0.0.3")) "," NODE("d",
										       ZONE("z-a"),
										       "\"10.1.3.0/"
										       "24\"",
										       IP("10.0.0."
											  "4")));
	struct run r;

	(void)state;
	build(&r, &d, 1, 1);
	assert_int_equal(r.rc, RM_OK);
	has(&r, "      pods: [10.1.0.0/22, fd00:1::/63]\n");
	has(&r, "      nodes: [10.0.0.0/29, fd00::/126]\n");
	loads(&r);
	free(r.text);
}

static void test_cluster_cidr_not_holding_the_nodes_is_not_taken(void **state)
{
	const char *d = LIST(NODE(
	    "a", ZONE("z-a"), "\"10.1.0.0/24\"",
	    IP("10.0.0.1")) ","
			    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"kube-controller-manager-"
			    "a\","
			    "\"namespace\":\"kube-system\",\"labels\":{\"component\":\"kube-"
			    "controller-manager\"}},"
			    "\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"m\","
			    "\"command\":"
			    "[\"kube-controller-manager\",\"--cluster-cidr=10.244.0.0/16\"]}]},"
			    "\"status\":{\"podIP\":\"10.0.0.1\"}}");
	struct run r;

	(void)state;
	build(&r, &d, 1, 1);
	assert_int_equal(r.rc, RM_OK);
	has(&r, "      pods: [10.1.0.0/24]\n");
	assert_int_equal(r.diag.nwarnings, 1);
	assert_non_null(strstr(r.diag.warnings[0], "a node's podCIDR lies outside "
						   "kube-controller-manager's --cluster-cidr"));
	free(r.text);
}

static void test_nodes_without_zones_get_one_probe(void **state)
{
	const char *d = LIST(NODE("a", "", "\"10.1.0.0/24\"", IP("10.0.0.1")));
	struct run r;

	(void)state;
	build(&r, &d, 1, 2);
	assert_int_equal(r.rc, RM_OK);
	has(&r, "      - {name: c0-0, dnsName: c0-0.reachmap.reachmap.svc.cluster.local}\n");
	has(&r, "      - {name: c0-1, dnsName: c0-1.reachmap.reachmap.svc.cluster.local}\n");
	assert_int_equal(r.diag.nwarnings, 1);
	assert_string_equal(r.diag.warnings[0], "c0.json: 1 of 1 nodes have no "
						"topology.kubernetes.io/zone label; the pods on "
						"them get no zone");
	loads(&r);
	free(r.text);
}

#define CASS(ip)                                                                                   \
	"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"demo-dc1-r1-sts-0\",\"namespace\":\"db\","     \
	"\"labels\":{\"cassandra.datastax.com/datacenter\":\"dc1\","                               \
	"\"cassandra.datastax.com/cluster\":\"demo\"}},\"spec\":{\"nodeName\":\"a\"},"             \
	"\"status\":{" ip "}}"

static void test_shared_pod_names_and_pods_without_ip(void **state)
{
	const char *d[2] = {
		LIST(NODE("a", ZONE("z-a"), "\"10.1.0.0/24\"",
			  IP("10.0.0.1")) "," CASS("\"podIP\":\"10.1.0.9\"")),
		LIST(NODE("a", ZONE("z-b"), "\"10.2.0.0/24\"", IP("10.0.1.1")) "," CASS("")),
	};
	struct run r;

	(void)state;
	build(&r, d, 2, 1);
	assert_int_equal(r.rc, RM_OK);
	has(&r, "      - {name: demo-dc1-r1-sts-0, address: 10.1.0.9, zone: z-a, dnsName: "
		"demo-dc1-r1-sts-0.demo-dc1-all-pods-service.db.svc.cluster.local,");
	/* Renamed in the topology, not in DNS. */
	has(&r, "      - {name: c1-demo-dc1-r1-sts-0, zone: z-b, dnsName: "
		"demo-dc1-r1-sts-0.demo-dc1-all-pods-service.db.svc.cluster.local, ports: "
		"[gossip, gossip-tls, jmx, cql, mgmt-api]}  # datacenter dc1, no IP yet\n");
	loads(&r);
	free(r.text);
}

/* Every allocation of a build fails in turn: RM_ENOMEM and a message, never
 * a crash or a leak (ASan in CI). */
static void test_every_allocation_failing(void **state)
{
	const char *d = LIST(NODE("a", ZONE("z-a"), "\"10.1.0.0/24\"",
				  IP("10.0.0.1")) "," CASS("\"podIP\":\"10.1.0.9\""));
	unsigned long n, total;
	struct run r;

	(void)state;
	rm_alloc_fail_at(0);
	build(&r, &d, 1, 1);
	total = rm_alloc_fail_at(0);
	assert_int_equal(r.rc, RM_OK);
	free(r.text);
	assert_true(total > 10);
	for (n = 1; n <= total; n++) {
		rm_alloc_fail_at(n);
		build(&r, &d, 1, 1);
		rm_alloc_fail_at(0);
		if (r.rc != RM_OK) {
			assert_int_equal(r.rc, RM_ENOMEM);
			assert_string_equal(r.diag.error, "out of memory");
		}
		free(r.text);
	}
}

static void *hook_malloc(size_t n)
{
	return rm_malloc(n);
}

int main(void)
{
	/* cJSON's allocations count too, as `reachmap` routes them. */
	cJSON_Hooks hooks = { hook_malloc, rm_free };

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones_ending_alike_keep_their_whole_name),
		cmocka_unit_test(test_dual_stack_and_exact_halves),
		cmocka_unit_test(test_cluster_cidr_not_holding_the_nodes_is_not_taken),
		cmocka_unit_test(test_nodes_without_zones_get_one_probe),
		cmocka_unit_test(test_shared_pod_names_and_pods_without_ip),
		cmocka_unit_test(test_every_allocation_failing),
	};

	cJSON_InitHooks(&hooks);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

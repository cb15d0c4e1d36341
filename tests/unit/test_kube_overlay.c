/* kube/: the overlay `reachmap manifests` writes, from topologies in memory:
 * the StatefulSets and the errors and warnings about probes, the files and
 * what they say, the names (image, relative path, YAML quoting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kube/overlay.h"
#include "kube/text.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

#define HEAD                                                                                       \
	"version: 1\n"                                                                             \
	"defaults:\n"                                                                              \
	"  ports:\n"                                                                               \
	"    - {name: gossip, port: 7000}\n"                                                       \
	"    - {name: cql, port: 9042, protocol: cql}\n"                                           \
	"clusters:\n"                                                                              \
	"  - name: west\n"                                                                         \
	"    cidrs: {nodes: [10.100.0.0/16], pods: [10.200.0.0/16]}\n"                             \
	"    dns: {domain: west.local, servers: [10.96.0.10]}\n"                                   \
	"    probes:\n"
#define TAIL                                                                                       \
	"  - name: east\n"                                                                         \
	"    cidrs: {pods: [fd00:250::/64]}\n"                                                     \
	"    probes:\n"                                                                            \
	"      - {name: east-b-0, zone: b, address: 10.250.0.1}\n"
/* Line 11 is the first probe of west. */
#define DNS(n) ", dnsName: " n ".reachmap.reachmap.svc.west.local}\n"

static struct rm_topology *load(const char *yaml)
{
	struct rm_topology *topo = NULL;
	struct rm_diag d;

	if (topo_load_buffer("t.yaml", (const uint8_t *)yaml, strlen(yaml), &topo, &d) != RM_OK)
		fail_msg("topology: %s", d.error);
	return topo;
}

/* kube_statefulsets of cluster 0: its status, diag's error or warnings. The
 * sets borrow their zones from the topology, kept in *topo (topo_free). */
static int sets_of(const char *yaml, struct kube_statefulset **sets, size_t *n,
		   struct rm_arena *arena, struct rm_diag *d, struct rm_topology **topo)
{
	topo_free(*topo);
	*topo = load(yaml);
	rm_diag_clear(d);
	return kube_statefulsets(*topo, 0, arena, sets, n, d);
}

static void test_statefulsets(void **state)
{
	struct rm_arena *arena = rm_arena_new();
	struct rm_topology *topo = NULL;
	struct kube_statefulset *s;
	struct rm_diag d;
	size_t n;

	(void)state;
	assert_int_equal(
	    sets_of(HEAD "      - {name: west-b-0, zone: b" DNS(
			"west-b-0") "      - {name: west-a-1, zone: "
				    "a" DNS("west-a-1") "      - "
							"{name: "
							"west-a-0, "
							"zone: "
							"a" DNS("west-a-"
								"0") "  "
								     "  "
								     "  "
								     "- "
								     "{n"
								     "am"
								     "e:"
								     " w"
								     "es"
								     "t-"
								     "a-"
								     "2,"
								     " z"
								     "on"
								     "e:"
								     " "
								     "a" DNS("west-a-2") TAIL,
		    &s, &n, arena, &d, &topo),
	    RM_OK);
	assert_int_equal(n, 2);
	/* By name, whatever the file's order. */
	assert_string_equal(s[0].name, "west-a");
	assert_string_equal(s[0].zone, "a");
	assert_int_equal(s[0].replicas, 3);
	assert_string_equal(s[1].name, "west-b");
	assert_int_equal(s[1].replicas, 1);
	assert_int_equal(d.nwarnings, 0);
	/* The ordinal is what follows the last '-'. */
	assert_int_equal(sets_of(HEAD "      - {name: w-1-2-0, zone: a" DNS("w-1-2-0") TAIL, &s, &n,
				 arena, &d, &topo),
			 RM_OK);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].name, "w-1-2");
	assert_int_equal(s[0].replicas, 1);
	rm_arena_free(arena);
	topo_free(topo);
}

static void expect_error(const char *yaml, const char *want)
{
	struct rm_arena *arena = rm_arena_new();
	struct rm_topology *topo = NULL;
	struct kube_statefulset *s;
	struct rm_diag d;
	size_t n;

	assert_int_equal(sets_of(yaml, &s, &n, arena, &d, &topo), RM_EINVAL);
	assert_string_equal(d.error, want);
	assert_null(s);
	rm_arena_free(arena);
	topo_free(topo);
}

static void test_statefulset_errors(void **state)
{
	(void)state;
	expect_error(HEAD "      - {name: west-a, zone: a" DNS("west-a") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe west-a has no ordinal: the "
		     "agents are StatefulSet pods, named NAME-ORDINAL (west-a-0 is pod 0 of "
		     "StatefulSet west-a)");
	expect_error(HEAD "      - {name: west-a-0x, zone: a" DNS("x") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe west-a-0x has no ordinal: the "
		     "agents are StatefulSet pods, named NAME-ORDINAL (west-a-0x-0 is pod 0 of "
		     "StatefulSet west-a-0x)");
	expect_error(HEAD "      - {name: west--0, zone: a" DNS("x") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe west--0 has no ordinal: the "
		     "agents are StatefulSet pods, named NAME-ORDINAL (west--0-0 is pod 0 of "
		     "StatefulSet west--0)");
	expect_error(HEAD "      - {name: west-a-07, zone: a" DNS("x") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe west-a-07: 07 is not an "
		     "ordinal a StatefulSet gives its pods (0, 1, 2, ... without leading zeros, "
		     "below 1000)");
	expect_error(HEAD "      - {name: west-a-1000, zone: a" DNS("x") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe west-a-1000: 1000 is not an "
		     "ordinal a StatefulSet gives its pods (0, 1, 2, ... without leading zeros, "
		     "below 1000)");
	expect_error(
	    HEAD "      - {name: West-a-0, zone: a" DNS("x") TAIL,
	    "t.yaml:11:9: clusters[0].probes[0].name: \"West-a-0\" cannot be a pod's name: "
	    "lowercase letters, digits and '-', at most 63 characters");
	expect_error(HEAD "      - {name: agent-0, zone: a" DNS("agent-0") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0].name: probe agent-0 would be a pod of "
		     "StatefulSet agent, the base's template that the overlay deletes; give it "
		     "another name");
	expect_error(HEAD "      - {name: west-a-0, zone: a" DNS(
			 "west-a-0") "      - {name: west-b-0" DNS("west-b-0") TAIL,
		     "t.yaml:12:9: clusters[0].probes[1]: probe west-b-0 has no zone: each "
		     "StatefulSet of the overlay runs in one zone (node affinity on "
		     "topology.kubernetes.io/zone)");
	expect_error(HEAD "      - {name: west-a-0, zone: a" DNS(
			 "west-a-0") "      - {name: west-a-1, zone: b" DNS("west-a-1") TAIL,
		     "t.yaml:12:9: clusters[0].probes[1].zone: probe west-a-1 is in zone b but "
		     "west-a-0 (line 11) is in a: both would be pods of StatefulSet west-a, which "
		     "runs in one zone; rename one");
}

static void test_statefulset_warnings(void **state)
{
	struct rm_arena *arena = rm_arena_new();
	struct rm_topology *topo = NULL;
	struct kube_statefulset *s;
	struct rm_diag d;
	size_t n;

	(void)state;
	assert_int_equal(
	    sets_of(HEAD "      - {name: west-a-0, zone: a, address: 10.200.0.1" DNS(
			"west-a-0") "      - {name: west-a-1, zone: a, address: 10.200.0.2}\n"
				    "      - {name: west-a-2, zone: a, dnsName: "
				    "west-a-2.elsewhere}\n" TAIL,
		    &s, &n, arena, &d, &topo),
	    RM_OK);
	assert_int_equal(s[0].replicas, 3);
	assert_int_equal(d.nwarnings, 3);
	assert_string_equal(
	    d.warnings[0], "t.yaml:11:9: clusters[0].probes[0].address: probe west-a-0 has a fixed "
			   "address 10.200.0.1, but a pod's address changes when it restarts: keep "
			   "its dnsName and drop the address");
	assert_string_equal(
	    d.warnings[1], "t.yaml:12:9: clusters[0].probes[1].address: probe west-a-1 has a fixed "
			   "address 10.200.0.2, but a pod's address changes when it restarts: give "
			   "it dnsName west-a-1.reachmap.reachmap.svc.west.local instead");
	assert_string_equal(d.warnings[2],
			    "t.yaml:13:9: clusters[0].probes[2].dnsName: west-a-2.elsewhere is not "
			    "the name the overlay's pod west-a-2 gets, "
			    "west-a-2.reachmap.reachmap.svc.west.local");
	rm_arena_free(arena);
	topo_free(topo);
}

static void test_statefulset_gaps(void **state)
{
	(void)state;
	/* Pods the StatefulSet would run that the topology does not know. */
	expect_error(HEAD "      - {name: west-a-2, zone: a" DNS("west-a-2") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0]: StatefulSet west-a would run pods "
		     "west-a-0 to west-a-2 but the topology has no probe west-a-0, west-a-1, which "
		     "would not find themselves in it; add them or renumber");
	expect_error(HEAD "      - {name: west-a-0, zone: a" DNS(
			 "west-a-0") "      - {name: west-a-9, zone: a" DNS("west-a-9") TAIL,
		     "t.yaml:12:9: clusters[0].probes[1]: StatefulSet west-a would run pods "
		     "west-a-0 to west-a-9 but the topology has no probe west-a-1, west-a-2, "
		     "west-a-3, west-a-4, ..., which would not find themselves in it; add them or "
		     "renumber");
	expect_error(HEAD "      - {name: west-a-1, zone: a" DNS("west-a-1") TAIL,
		     "t.yaml:11:9: clusters[0].probes[0]: StatefulSet west-a would run pods "
		     "west-a-0 to west-a-1 but the topology has no probe west-a-0, which would not "
		     "find itself in it; add it or renumber");
}

#define TWO_ZONES                                                                                  \
	HEAD "      - {name: west-a-0, zone: us-a" DNS(                                            \
	    "west-a-0") "      - {name: west-b-1, zone: \"on\"" DNS("west-b-1") "      - {name: "  \
										"west-b-0, zone: " \
										"\"on\"" DNS("wes" \
											     "t-"  \
											     "b-"  \
											     "0")  \
										    TAIL

static const char *const urls[] = { "https://c1:8787", "http://c2" };

static void opts(struct kube_overlay_opts *o, const char *yaml)
{
	memset(o, 0, sizeof(*o));
	o->cluster = "west";
	o->collectors = urls;
	o->ncollectors = 2;
	o->image.name = "reg:5000/reachmap";
	o->image.tag = "1.2";
	o->base = "../../manifests/base";
	o->command = "reachmap manifests --topology t.yaml --cluster west";
	o->topology = (const uint8_t *)yaml;
	o->topology_len = strlen(yaml);
}

static const struct kube_file *file(const struct kube_overlay *ov, const char *path)
{
	size_t i;

	for (i = 0; i < ov->nfiles; i++)
		if (strcmp(ov->files[i].path, path) == 0)
			return &ov->files[i];
	fail_msg("no file %s", path);
	return NULL;
}

static void has(const struct kube_file *f, const char *text)
{
	if (strstr(f->data, text) == NULL)
		fail_msg("%s lacks:\n%s\n--- it is:\n%s", f->path, text, f->data);
}

static void test_overlay_files(void **state)
{
	struct rm_topology *topo = load(TWO_ZONES);
	struct kube_overlay_opts o;
	struct kube_overlay *ov;
	const struct kube_file *k, *z;
	struct rm_diag d;

	(void)state;
	opts(&o, TWO_ZONES);
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_OK);
	assert_int_equal(ov->nfiles, 4);
	assert_int_equal(ov->nsets, 2);
	k = file(ov, "kustomization.yaml");
	assert_true(kube_is_generated(k->data, k->len));
	assert_int_equal(strlen(k->data), k->len);
	has(k,
	    KUBE_HEADER " from t.yaml, cluster west.\n# Do not edit: change the topology, then "
			"regenerate with\n#   reachmap manifests --topology t.yaml --cluster west\n"
			"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
			"namespace: reachmap\nresources:\n  # The base without its agents.\n"
			"  - ../../manifests/base/common\n");
	has(k, "  - zones/west-a\n  - zones/west-b\nimages:\n  - name: reachmap\n"
	       "    newName: \"reg:5000/reachmap\"\n    newTag: \"1.2\"\n");
	has(k, "                  - name: REACHMAP_CLUSTER\n                    value: west\n"
	       "                  - name: REACHMAP_COLLECTOR\n"
	       "                    value: \"https://c1:8787,http://c2\"\n  #");
	assert_null(strstr(k->data, "REACHMAP_INTERVAL"));
	/* Every cluster's pods and nodes, IPv6 too; never services. */
	has(k, "              # cluster west, nodes: t.yaml:8:21\n              - ipBlock:\n"
	       "                  cidr: 10.100.0.0/16\n");
	has(k, "              # cluster east, pods: t.yaml:15:20\n              - ipBlock:\n"
	       "                  cidr: fd00:250::/64\n");
	has(k, "              # cql (stand-in): t.yaml:5:7\n              - protocol: TCP\n"
	       "                port: 9042\n");
	has(k, "              # the collector (https)\n              - protocol: TCP\n"
	       "                port: 8787\n");
	/* The topology as given, byte for byte. */
	z = file(ov, "topology.yaml");
	assert_int_equal(z->len, strlen(TWO_ZONES));
	assert_memory_equal(z->data, TWO_ZONES, z->len);
	z = file(ov, "zones/west-b/kustomization.yaml");
	assert_true(kube_is_generated(z->data, z->len));
	has(z, "# StatefulSet west-b: 2 pods (west-b-0 to west-b-1) in zone on.\n");
	has(z, "resources:\n  - ../../../../manifests/base/agent\n");
	has(z, "      app.kubernetes.io/instance: west-b\n    includeSelectors: true\n");
	has(z, "        name: west-b\n      spec:\n        replicas: 2\n");
	/* A zone YAML reads as a boolean stays a string. */
	has(z, "                          values:\n                            - \"on\"\n");
	kube_overlay_free(ov);
	topo_free(topo);
}

static void test_overlay_options(void **state)
{
	struct rm_topology *topo = load(TWO_ZONES);
	static const char *const bad[] = { "ftp://x", "https://", "https://a,b", "http://a b" };
	struct kube_overlay_opts o;
	struct kube_overlay *ov;
	struct rm_diag d;
	size_t i;

	(void)state;
	opts(&o, TWO_ZONES);
	o.interval = 30;
	o.image.tag = NULL;
	o.image.digest = "sha256:ab";
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_OK);
	has(file(ov, "kustomization.yaml"),
	    "    newName: \"reg:5000/reachmap\"\n    digest: \"sha256:ab\"\nconfigMapGenerator:");
	has(file(ov, "kustomization.yaml"),
	    "                  - name: REACHMAP_INTERVAL\n                    value: \"30\"\n");
	kube_overlay_free(ov);

	o.cluster = "north";
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_ENOTFOUND);
	assert_null(ov);
	assert_string_equal(d.error, "no cluster north in t.yaml");
	o.cluster = "east";
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_OK);
	assert_string_equal(ov->sets[0].name, "east-b");
	kube_overlay_free(ov);
	o.ncollectors = 0;
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_EINVAL);
	assert_string_equal(d.error, "no collector URL: the agents need at least one");
	for (i = 0; i < 4; i++) {
		o.collectors = &bad[i];
		o.ncollectors = 1;
		assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_EINVAL);
		assert_non_null(strstr(d.error, ": not a collector URL (https://HOST:PORT or "
						"http://HOST:PORT, no comma or space)"));
		assert_memory_equal(d.error, bad[i], strlen(bad[i]));
	}
	topo_free(topo);
}

/* Every allocation of a build may fail: RM_ENOMEM, nothing leaked (ASan). */
static void test_overlay_out_of_memory(void **state)
{
	struct rm_topology *topo = load(TWO_ZONES);
	struct kube_overlay_opts o;
	struct kube_overlay *ov;
	struct rm_diag d;
	unsigned long n, total;

	(void)state;
	opts(&o, TWO_ZONES);
	rm_alloc_fail_at(0);
	assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_OK);
	kube_overlay_free(ov);
	total = rm_alloc_fail_at(0);
	assert_true(total > 5);
	for (n = 1; n <= total; n++) {
		rm_alloc_fail_at(n);
		assert_int_equal(kube_overlay_build(topo, &o, &ov, &d), RM_ENOMEM);
		assert_null(ov);
	}
	rm_alloc_fail_at(0);
	topo_free(topo);
}

static void relpath_is(const char *from, const char *to, const char *want)
{
	char *got = kube_relpath(from, to);

	assert_non_null(got);
	assert_string_equal(got, want);
	rm_free(got);
}

static void test_relpath(void **state)
{
	(void)state;
	relpath_is("/src/examples/overlays/two-dc/west", "/src/manifests/base",
		   "../../../../manifests/base");
	relpath_is("/tmp/ov", "/src/manifests/base", "../../src/manifests/base");
	relpath_is("/a/b", "/a/b", ".");
	relpath_is("/a/b", "/a/b/c", "c");
	relpath_is("/a/bc", "/a/b", "../b");
	relpath_is("/", "/a", "a");
	relpath_is("/a", "/", "..");
	assert_null(kube_relpath("a/b", "/a"));
}

static void image_is(const char *s, const char *name, const char *tag, const char *digest)
{
	struct kube_image img;
	const char *why;

	assert_int_equal(kube_image_parse(s, &img, &why), RM_OK);
	assert_string_equal(img.name, name);
	if (tag)
		assert_string_equal(img.tag, tag);
	else
		assert_null(img.tag);
	if (digest)
		assert_string_equal(img.digest, digest);
	else
		assert_null(img.digest);
	kube_image_clear(&img);
}

static void image_bad(const char *s, const char *want)
{
	struct kube_image img;
	const char *why;

	assert_int_equal(kube_image_parse(s, &img, &why), RM_EINVAL);
	assert_string_equal(why, want);
	assert_null(img.name);
}

static void test_image(void **state)
{
	(void)state;
	image_is("reachmap", "reachmap", NULL, NULL);
	image_is("reachmap:0.1.0", "reachmap", "0.1.0", NULL);
	image_is("reg.example:5000/team/reachmap", "reg.example:5000/team/reachmap", NULL, NULL);
	image_is("reg.example:5000/reachmap:1", "reg.example:5000/reachmap", "1", NULL);
	image_is("reachmap@sha256:ab", "reachmap", NULL, "sha256:ab");
	image_is("reachmap:1@sha256:ab", "reachmap", "1", "sha256:ab");
	image_bad("", "no image name");
	image_bad(":1", "no image name");
	image_bad("reachmap:", "an empty tag after ':'");
	image_bad("reachmap@", "an empty digest after '@'");
	image_bad("reach map", "a space or control character in it");
}

static void scalar_is(const char *s, const char *want)
{
	struct kube_text t = { 0 };

	kt_scalar(&t, s);
	assert_false(t.failed);
	assert_string_equal(t.data, want);
	rm_free(t.data);
}

static void test_yaml_scalars(void **state)
{
	struct kube_text t = { 0 };

	(void)state;
	scalar_is("us-west1-a", "us-west1-a");
	scalar_is("../../manifests/base", "../../manifests/base");
	scalar_is("/abs/path", "/abs/path");
	scalar_is("On", "\"On\"");
	scalar_is("null", "\"null\"");
	scalar_is("10", "\"10\"");
	scalar_is("1e3", "\"1e3\"");
	scalar_is(".inf", "\".inf\"");
	scalar_is("", "\"\"");
	scalar_is("a: b", "\"a: b\"");
	scalar_is("q\"\\\n", "\"q\\\"\\\\\\x0a\"");
	kt_comment(&t, "a\nb");
	assert_string_equal(t.data, "a?b");
	rm_free(t.data);
	assert_true(kube_is_generated(KUBE_HEADER " from x", strlen(KUBE_HEADER) + 7));
	assert_false(kube_is_generated("# Generated by", 14));
	assert_false(kube_is_generated("apiVersion: v1\n", 15));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statefulsets),
		cmocka_unit_test(test_statefulset_errors),
		cmocka_unit_test(test_statefulset_warnings),
		cmocka_unit_test(test_statefulset_gaps),
		cmocka_unit_test(test_overlay_files),
		cmocka_unit_test(test_overlay_options),
		cmocka_unit_test(test_overlay_out_of_memory),
		cmocka_unit_test(test_relpath),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_yaml_scalars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

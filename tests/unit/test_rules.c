/* The analyzer's rules on small hand-written documents: each fires on its
 * evidence, and the ones that must not fire do not (a clean matrix gives no
 * finding; a missing route hides its consequences). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/results.h"

static const char topo_text[] = "version: 1\n"
				"clusters:\n"
				"  - name: west\n"
				"    cidrs: {pods: [10.200.0.0/16]}\n"
				"    probes: [{name: w0, address: 10.200.1.10}]\n"
				"    targets: [{name: wt, address: 10.200.1.20}]\n"
				"  - name: east\n"
				"    cidrs: {pods: [10.250.0.0/16]}\n"
				"    probes: [{name: e0, address: 10.250.1.10}]\n"
				"    targets: [{name: et, address: 10.250.1.20}]\n";

struct fx {
	struct rm_topology *topo;
	struct rm_results_doc w, e; /* the two probes' rounds */
	struct rm_findings f;
};

static struct rm_addr A(const char *s) {
	struct rm_addr a;

	cidr_addr_parse(s, &a);
	return a;
}

/* A doc whose every cell is healthy: icmp, tcp 7000 and 9042, identity,
 * nat, dns to every destination. */
static void
healthy(struct fx *fx, struct rm_results_doc *d, const char *probe, const char *cl,
	const char *addr)
{
	static const struct {
		const char *name, *cluster, *addr;
	} dests[] = { { "wt", "west", "10.200.1.20" },
		      { "et", "east", "10.250.1.20" },
		      { "w0", "west", "10.200.1.10" },
		      { "e0", "east", "10.250.1.10" } };
	static struct rm_addr self_addr[2];
	size_t i;

	(void)fx;
	assert_int_equal(results_doc_init(d), RM_OK);
	d->probe = probe;
	d->cluster = cl;
	self_addr[cl[0] == 'w'] = A(addr);
	d->addresses = &self_addr[cl[0] == 'w'];
	d->naddresses = 1;
	for (i = 0; i < 4; i++) {
		static const struct {
			enum rm_check c;
			uint16_t port;
			enum rm_check_status st;
		} cells[] = { { RM_CHECK_ICMP, 0, RM_STATUS_OK },
			      { RM_CHECK_TCP, 7000, RM_STATUS_OPEN },
			      { RM_CHECK_TCP, 9042, RM_STATUS_OPEN },
			      { RM_CHECK_IDENTITY, 8788, RM_STATUS_OK },
			      { RM_CHECK_NAT, 0, RM_STATUS_NONE },
			      { RM_CHECK_DNS, 0, RM_STATUS_OK } };
		size_t k;

		if (strcmp(dests[i].name, probe) == 0)
			continue;
		for (k = 0; k < sizeof(cells) / sizeof(cells[0]); k++) {
			struct rm_result *r = results_doc_add(d);

			r->target = dests[i].name;
			r->target_cluster = dests[i].cluster;
			r->address = A(dests[i].addr);
			r->check = cells[k].c;
			r->port = cells[k].port;
			r->status = cells[k].st;
			if (r->check == RM_CHECK_NAT)
				r->seen = r->local = A(addr);
			if (r->check == RM_CHECK_IDENTITY)
				r->responder = dests[i].name;
		}
	}
}

static void setup(struct fx *fx)
{
	struct rm_diag diag;

	assert_int_equal(topo_load_buffer("t.yaml", (const uint8_t *)topo_text, strlen(topo_text),
					  &fx->topo, &diag),
			 RM_OK);
	healthy(fx, &fx->w, "w0", "west", "10.200.1.10");
	healthy(fx, &fx->e, "e0", "east", "10.250.1.10");
	assert_int_equal(findings_init(&fx->f), RM_OK);
}

/* analyze_round on the documents, its findings (sorted) into fx->f. */
static int analyze(struct fx *fx, const struct rm_results_doc *const *docs, size_t ndocs)
{
	struct rm_report report = { .command = "analyze", .topo = fx->topo, .findings = fx->f };
	int rc = analyze_round(&report, docs, ndocs);

	fx->f = report.findings;
	return rc;
}

static void run(struct fx *fx)
{
	const struct rm_results_doc *docs[2] = { &fx->w, &fx->e };

	assert_int_equal(analyze(fx, docs, 2), RM_OK);
}

static void teardown(struct fx *fx)
{
	findings_free(&fx->f);
	results_doc_free(&fx->w);
	results_doc_free(&fx->e);
	topo_free(fx->topo);
}

/* Sets every cell of doc towards cluster `to` of check (and port, 0: any). */
static void set(struct rm_results_doc *d, const char *to, enum rm_check c, uint16_t port,
		enum rm_check_status st, const char *icmp_from)
{
	size_t i;

	for (i = 0; i < d->nresults; i++) {
		struct rm_result *r = &d->results[i];

		if (strcmp(r->target_cluster, to) != 0 || r->check != c ||
		    (port && r->port != port))
			continue;
		r->status = st;
		if (icmp_from)
			r->icmp_from = A(icmp_from);
	}
}

static void test_clean_gives_nothing(void **state)
{
	struct fx fx;

	(void)state;
	setup(&fx);
	run(&fx);
	assert_int_equal(fx.f.n, 0);
	teardown(&fx);
}

static void test_firewall_drop(void **state)
{
	struct fx fx;
	const struct rm_finding *f;

	(void)state;
	setup(&fx);
	set(&fx.e, "west", RM_CHECK_TCP, 7000, RM_STATUS_FILTERED, NULL);
	run(&fx);
	assert_int_equal(fx.f.n, 1);
	f = &fx.f.v[0];
	assert_int_equal(f->kind, RM_FINDING_FIREWALL_DROP);
	assert_string_equal(f->from.cluster, "east");
	assert_string_equal(f->to.cluster, "west");
	assert_int_equal(f->nports, 1);
	assert_int_equal(f->ports[0], 7000);
	assert_int_equal(f->cells, 2);
	assert_string_equal(f->summary, "east -> west tcp/7000 is silently dropped: no answer, "
					"while the other ports to the same pods work");
	assert_string_equal(f->remedy, "allow tcp/7000 from 10.250.0.0/16 to 10.200.0.0/16 in the "
				       "firewall between the clusters");
	teardown(&fx);
}

static void test_reject_names_router(void **state)
{
	struct fx fx;

	(void)state;
	setup(&fx);
	set(&fx.w, "east", RM_CHECK_TCP, 9042, RM_STATUS_REJECTED, "10.100.0.1");
	run(&fx);
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_FIREWALL_REJECT);
	assert_string_equal(fx.f.v[0].summary, "west -> east tcp/9042 is rejected by 10.100.0.1 "
					       "(ICMP administratively prohibited)");
	teardown(&fx);
}

/* Every tcp cell unreachable from a router: one no-route, and none of its
 * consequences (identity, cql, per-port drops) as causes of their own. */
static void test_no_route_hides_consequences(void **state)
{
	struct fx fx;

	(void)state;
	setup(&fx);
	set(&fx.w, "east", RM_CHECK_TCP, 0, RM_STATUS_UNREACHABLE, "10.100.0.1");
	set(&fx.w, "east", RM_CHECK_IDENTITY, 0, RM_STATUS_NO_RESPONDER, NULL);
	set(&fx.w, "east", RM_CHECK_ICMP, 0, RM_STATUS_UNREACHABLE, "10.100.0.1");
	run(&fx);
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_NO_ROUTE);
	assert_string_equal(fx.f.v[0].to.cluster, "east");
	assert_string_equal(fx.f.v[0].summary,
			    "west -> east: no route to east's pods (10.250.0.0/16): every "
			    "connection fails, and 10.100.0.1 answers \"unreachable\"");
	teardown(&fx);
}

/* Silence on every port with nobody saying why and no arrivals known: not
 * a firewall per port. */
static void test_silence_is_not_a_port_firewall(void **state)
{
	struct fx fx;
	size_t i;

	(void)state;
	setup(&fx);
	set(&fx.w, "east", RM_CHECK_TCP, 0, RM_STATUS_FILTERED, NULL);
	run(&fx);
	for (i = 0; i < fx.f.n; i++)
		assert_int_not_equal(fx.f.v[i].kind, RM_FINDING_FIREWALL_DROP);
	teardown(&fx);
}

/* Every SYN of west to east unanswered, while east's responders saw them
 * arrive: asymmetric-route. The arrivals carry only the source address, and
 * one of them names the probe instead; both are w0's. The firewall-drop
 * case beside it: et saw nothing on 7000 from w0, so that evidence says
 * "did not arrive". */
static void test_arrivals_by_address_or_name(void **state)
{
	static const struct {
		const char *serve, *probe, *from;
		uint16_t port;
	} seen[] = { { "et", NULL, "10.200.1.10", 7000 },
		     { "et", NULL, "10.200.1.10", 9042 },
		     { "e0", "w0", "192.0.2.1", 7000 },
		     { "e0", NULL, "10.200.1.10", 9042 } };
	struct rm_results_doc serve[2];
	struct fx fx;
	size_t i, k;

	(void)state;
	setup(&fx);
	set(&fx.w, "east", RM_CHECK_TCP, 0, RM_STATUS_FILTERED, NULL);
	for (k = 0; k < 2; k++) {
		assert_int_equal(results_doc_init(&serve[k]), RM_OK);
		serve[k].probe = k == 0 ? "et" : "e0";
		serve[k].cluster = "east";
	}
	for (i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		struct rm_arrival *a = results_doc_add_arrival(
		    &serve[seen[i].serve[0] == 'e' && seen[i].serve[1] == '0']);

		a->from = A(seen[i].from);
		a->probe = seen[i].probe;
		a->protocol = "tcp";
		a->port = seen[i].port;
		a->count = 1;
	}
	{
		const struct rm_results_doc *docs[4] = { &fx.w, &fx.e, &serve[0], &serve[1] };

		assert_int_equal(analyze(&fx, docs, 4), RM_OK);
	}
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_ASYMMETRIC_ROUTE);
	assert_string_equal(fx.f.v[0].from.cluster, "west");
	for (i = 0; i < fx.f.v[0].nevidence; i++)
		assert_int_equal(fx.f.v[0].evidence[i].arrived, 1);
	findings_free(&fx.f);

	/* Only 9042 is open now; 7000 is dropped and et saw none of it. */
	assert_int_equal(findings_init(&fx.f), RM_OK);
	set(&fx.w, "east", RM_CHECK_TCP, 9042, RM_STATUS_OPEN, NULL);
	{
		const struct rm_results_doc *docs[3] = { &fx.w, &fx.e, &serve[0] };

		serve[0].narrivals = 1; /* et now saw w0 on 9042 only */
		serve[0].arrivals[0].port = 9042;
		assert_int_equal(analyze(&fx, docs, 3), RM_OK);
	}
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_FIREWALL_DROP);
	for (i = 0; i < fx.f.v[0].nevidence; i++)
		assert_int_equal(fx.f.v[0].evidence[i].arrived,
				 strcmp(fx.f.v[0].evidence[i].to, "et") == 0 ? 0 : -1);
	for (k = 0; k < 2; k++)
		results_doc_free(&serve[k]);
	teardown(&fx);
}

/* The far end could not capture (its serve documents say "arrivalsBy":
 * "accept", as a pod under Pod Security restricted): every SYN of west
 * to east unanswered, and et and e0 accepted none of them. That is not
 * "never arrived" (the answers may be what is lost), so no evidence says
 * so, no rule claims a direction, and the unexplained finding says why it
 * cannot: the far ends by name, and how to make them capture. */
static void test_blind_far_end(void **state)
{
	static const char *const names[2] = { "et", "e0" };
	struct rm_results_doc serve[2];
	struct fx fx;
	size_t i, k;

	(void)state;
	setup(&fx);
	set(&fx.w, "east", RM_CHECK_TCP, 0, RM_STATUS_FILTERED, NULL);
	for (k = 0; k < 2; k++) {
		struct rm_arrival *a;

		assert_int_equal(results_doc_init(&serve[k]), RM_OK);
		serve[k].probe = names[k];
		serve[k].cluster = "east";
		serve[k].accepts_only = true;
		/* what each did accept: a connection from east's own probe */
		a = results_doc_add_arrival(&serve[k]);
		a->from = A("10.250.1.10");
		a->protocol = "tcp";
		a->port = 7000;
		a->count = 1;
	}
	{
		const struct rm_results_doc *docs[4] = { &fx.w, &fx.e, &serve[0], &serve[1] };

		assert_int_equal(analyze(&fx, docs, 4), RM_OK);
	}
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_UNEXPLAINED);
	assert_string_equal(fx.f.v[0].summary,
			    "west -> east: 4 tcp cells fail and no rule explains them (filtered "
			    "4); the far ends et, e0 could not capture (reachmap without "
			    "CAP_NET_RAW), so whether the requests arrived is not known: a "
			    "request lost on the way is not told from an answer lost on the way "
			    "back");
	assert_non_null(strstr(fx.f.v[0].remedy, "run reachmap at et, e0 with CAP_NET_RAW "
						 "(manifests component raw-mode)"));
	for (i = 0; i < fx.f.v[0].nevidence; i++)
		assert_int_equal(fx.f.v[0].evidence[i].arrived, -1);
	findings_free(&fx.f);

	/* The same documents from ends that capture: "never arrived" is then
	 * what they saw, and the finding says nothing of capture. */
	assert_int_equal(findings_init(&fx.f), RM_OK);
	for (k = 0; k < 2; k++)
		serve[k].accepts_only = false;
	{
		const struct rm_results_doc *docs[4] = { &fx.w, &fx.e, &serve[0], &serve[1] };

		assert_int_equal(analyze(&fx, docs, 4), RM_OK);
	}
	assert_true(fx.f.n >= 1);
	for (i = 0; i < fx.f.n; i++)
		assert_null(strstr(fx.f.v[i].summary, "could not capture"));
	for (k = 0; k < 2; k++)
		results_doc_free(&serve[k]);
	teardown(&fx);
}

/* An agent's responder reports what arrived over its last intervals: an
 * arrival whose last packet came before the sender's round started is an
 * earlier round's, and does not say this round's SYN got there (a firewall
 * that began dropping since is a firewall-drop, not an asymmetric route).
 * One in the round's own second counts. */
static void test_arrivals_before_the_round(void **state)
{
	struct rm_results_doc serve;
	struct rm_arrival *a;
	struct fx fx;
	size_t i;

	(void)state;
	setup(&fx);
	fx.w.mode = "raw";
	strcpy(fx.w.started, "2026-01-01T00:00:10Z");
	set(&fx.w, "east", RM_CHECK_TCP, 7000, RM_STATUS_FILTERED, NULL);
	assert_int_equal(results_doc_init(&serve), RM_OK);
	serve.probe = "et";
	serve.cluster = "east";
	for (i = 0; i < 2; i++) {
		a = results_doc_add_arrival(&serve);
		a->from = A("10.200.1.10");
		a->protocol = "tcp";
		a->port = i == 0 ? 7000 : 9042;
		a->count = 3;
		strcpy(a->first, "2026-01-01T00:00:02Z");
		strcpy(a->last, i == 0 ? "2026-01-01T00:00:09Z" : "2026-01-01T00:00:10Z");
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct rm_results_doc *docs[3] = { &fx.w, &fx.e, &serve };
		bool seen = false;

		/* Then the 7000 arrival is of the round's own second. */
		if (pass == 1)
			strcpy(serve.arrivals[0].last, "2026-01-01T00:00:10Z");
		assert_int_equal(analyze(&fx, docs, 3), RM_OK);
		assert_true(fx.f.n >= 1);
		if (pass == 0)
			assert_int_equal(fx.f.v[0].kind, RM_FINDING_FIREWALL_DROP);
		for (i = 0; i < fx.f.v[0].nevidence; i++)
			if (strcmp(fx.f.v[0].evidence[i].to, "et") == 0) {
				assert_int_equal(fx.f.v[0].evidence[i].arrived, pass);
				seen = true;
			}
		assert_true(seen);
		findings_free(&fx.f);
		assert_int_equal(findings_init(&fx.f), RM_OK);
	}
	results_doc_free(&serve);
	teardown(&fx);
}

static void test_snat_and_collision(void **state)
{
	struct fx fx;
	size_t i;

	(void)state;
	setup(&fx);
	for (i = 0; i < fx.w.nresults; i++)
		if (fx.w.results[i].check == RM_CHECK_NAT &&
		    strcmp(fx.w.results[i].target_cluster, "east") == 0) {
			fx.w.results[i].status = RM_STATUS_SNAT;
			fx.w.results[i].seen = A("10.100.0.10");
		}
	set(&fx.w, "east", RM_CHECK_IDENTITY, 0, RM_STATUS_MISMATCH, NULL);
	set(&fx.e, "west", RM_CHECK_IDENTITY, 0, RM_STATUS_MISMATCH, NULL);
	run(&fx);
	assert_int_equal(fx.f.n, 2);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_ADDRESS_COLLISION); /* both sides: one */
	assert_int_equal(fx.f.v[0].cells, 4);
	assert_int_equal(fx.f.v[1].kind, RM_FINDING_SNAT);
	assert_string_equal(fx.f.v[1].summary, "west -> east is source-NATed: east's pods see "
					       "10.100.0.10 instead of the probes' own addresses");
	teardown(&fx);
}

static void test_dns(void **state)
{
	struct fx fx;

	(void)state;
	setup(&fx);
	set(&fx.e, "west", RM_CHECK_DNS, 0, RM_STATUS_NXDOMAIN, NULL);
	/* A stale record of east's target in east's DNS, seen from both
	 * clusters: one finding, * -> et, counting both cells. */
	set(&fx.e, "east", RM_CHECK_DNS, 0, RM_STATUS_WRONG_ANSWER, NULL);
	set(&fx.w, "east", RM_CHECK_DNS, 0, RM_STATUS_WRONG_ANSWER, NULL);
	for (size_t i = 0; i < fx.w.nresults; i++)
		if (fx.w.results[i].check == RM_CHECK_DNS &&
		    strcmp(fx.w.results[i].target, "e0") == 0)
			fx.w.results[i].status = RM_STATUS_OK;
	run(&fx);
	assert_int_equal(fx.f.n, 2);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_DNS_UNRESOLVABLE);
	assert_string_equal(fx.f.v[0].from.cluster, "east");
	assert_int_equal(fx.f.v[1].kind, RM_FINDING_DNS_WRONG_ANSWER);
	assert_string_equal(fx.f.v[1].from.cluster, "*");
	assert_string_equal(fx.f.v[1].to.cluster, "east");
	assert_string_equal(fx.f.v[1].to.probes[0], "et");
	assert_int_equal(fx.f.v[1].cells, 2);
	teardown(&fx);
}

static void test_latency_and_loss(void **state)
{
	struct fx fx;
	size_t i;

	(void)state;
	setup(&fx);
	for (i = 0; i < fx.w.nresults; i++) {
		struct rm_result *r = &fx.w.results[i];

		if (r->check != RM_CHECK_ICMP || strcmp(r->target_cluster, "east") != 0)
			continue;
		r->rtt_ms = 200.5; /* over rttErrorMs 150 */
		r->status = RM_STATUS_LOSS;
		r->sent = 3;
		r->received = 2;
	}
	/* 60 ms inside west: a warning only (rttWarnMs 50). */
	for (i = 0; i < fx.w.nresults; i++)
		if (fx.w.results[i].check == RM_CHECK_ICMP &&
		    strcmp(fx.w.results[i].target_cluster, "west") == 0)
			fx.w.results[i].rtt_ms = 60;
	run(&fx);
	assert_int_equal(fx.f.n, 3);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_HIGH_LATENCY);
	assert_int_equal(fx.f.v[0].severity, RM_SEV_ERROR);
	assert_string_equal(fx.f.v[0].summary, "west -> east: round trips up to 200.5 ms, over the "
					       "150 ms error threshold");
	assert_int_equal(fx.f.v[1].kind, RM_FINDING_HIGH_LATENCY);
	assert_int_equal(fx.f.v[1].severity, RM_SEV_WARNING);
	assert_string_equal(fx.f.v[1].to.cluster, "west");
	assert_int_equal(fx.f.v[2].kind, RM_FINDING_PACKET_LOSS);
	assert_string_equal(fx.f.v[2].summary, "west -> east: up to 33% of echo requests are lost, "
					       "over the 1.0% threshold");
	teardown(&fx);
}

static void test_probe_missing(void **state)
{
	struct fx fx;
	const struct rm_results_doc *docs[1];

	(void)state;
	setup(&fx);
	docs[0] = &fx.w;
	assert_int_equal(analyze(&fx, docs, 1), RM_OK);
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_PROBE_MISSING);
	/* An incomplete matrix is never a pass. */
	assert_int_equal(fx.f.v[0].severity, RM_SEV_ERROR);
	assert_string_equal(fx.f.v[0].summary, "probe e0 of east sent no results");
	teardown(&fx);
}

/* A resolver with no forward for the other cluster's zone answers REFUSED;
 * one whose forward fails, SERVFAIL; one that gets nothing, no answer. Each
 * is dns-unresolvable, never silence. */
static void test_dns_failures_are_unresolvable(void **state)
{
	static const struct {
		enum rm_check_status st;
		const char *summary;
	} cases[] = {
		{ RM_STATUS_REFUSED, "east cannot resolve west's names (REFUSED: its DNS has no "
				     "forward for )" },
		{ RM_STATUS_SERVFAIL,
		  "east cannot resolve west's names (SERVFAIL: its DNS fails to "
		  "forward )" },
		{ RM_STATUS_TIMEOUT,
		  "east cannot resolve west's names (no answer: its DNS does not "
		  "answer, or its forward gets no answer, for )" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx fx;

		setup(&fx);
		set(&fx.e, "west", RM_CHECK_DNS, 0, cases[i].st, NULL);
		run(&fx);
		assert_int_equal(fx.f.n, 1);
		assert_int_equal(fx.f.v[0].kind, RM_FINDING_DNS_UNRESOLVABLE);
		assert_int_equal(fx.f.v[0].cells, 2);
		assert_string_equal(fx.f.v[0].summary, cases[i].summary);
		teardown(&fx);
	}
}

/* A failing cell no rule explains is an error finding of its own, with the
 * statuses counted: never a pass over it. */
static void test_unexplained(void **state)
{
	struct fx fx;
	size_t i;

	(void)state;
	setup(&fx);
	/* identity says no responder while tcp works: no rule has a cause */
	for (i = 0; i < fx.w.nresults; i++)
		if (fx.w.results[i].check == RM_CHECK_IDENTITY &&
		    strcmp(fx.w.results[i].target, "et") == 0)
			fx.w.results[i].status = RM_STATUS_NO_RESPONDER;
	run(&fx);
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_UNEXPLAINED);
	assert_int_equal(fx.f.v[0].severity, RM_SEV_ERROR);
	assert_int_equal(fx.f.v[0].cells, 1);
	assert_string_equal(fx.f.v[0].summary, "west -> east: 1 identity cells fail and no rule "
					       "explains them (no-responder 1)");
	assert_string_equal(fx.f.v[0].evidence[0].to, "et");
	teardown(&fx);
}

/* What listens at a target is the target's: one finding * -> target that
 * counts the cells of every source. */
static void test_not_cassandra_at_target(void **state)
{
	struct fx fx;
	size_t i;
	struct rm_results_doc *docs[2];

	(void)state;
	setup(&fx);
	docs[0] = &fx.w;
	docs[1] = &fx.e;
	for (size_t d = 0; d < 2; d++)
		for (i = 0; i < docs[d]->nresults; i++) {
			struct rm_result *r = &docs[d]->results[i];

			if (r->check == RM_CHECK_TCP && r->port == 9042 &&
			    strcmp(r->target, "et") == 0) {
				r->check = RM_CHECK_CQL;
				r->status = RM_STATUS_NOT_CQL;
				r->error = "not CQL";
			}
		}
	run(&fx);
	assert_int_equal(fx.f.n, 1);
	assert_int_equal(fx.f.v[0].kind, RM_FINDING_NOT_CASSANDRA);
	assert_string_equal(fx.f.v[0].from.cluster, "*");
	assert_string_equal(fx.f.v[0].to.cluster, "east");
	assert_int_equal(fx.f.v[0].to.nprobes, 1);
	assert_string_equal(fx.f.v[0].to.probes[0], "et");
	assert_int_equal(fx.f.v[0].cells, 2);
	teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_gives_nothing),
		cmocka_unit_test(test_dns_failures_are_unresolvable),
		cmocka_unit_test(test_unexplained),
		cmocka_unit_test(test_not_cassandra_at_target),
		cmocka_unit_test(test_firewall_drop),
		cmocka_unit_test(test_reject_names_router),
		cmocka_unit_test(test_no_route_hides_consequences),
		cmocka_unit_test(test_silence_is_not_a_port_firewall),
		cmocka_unit_test(test_arrivals_by_address_or_name),
		cmocka_unit_test(test_arrivals_before_the_round),
		cmocka_unit_test(test_blind_far_end),
		cmocka_unit_test(test_snat_and_collision),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_latency_and_loss),
		cmocka_unit_test(test_probe_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

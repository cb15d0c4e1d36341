/* bench/analyze: the analyzer on a synthetic round of 1,000 probes in 5
 * clusters (200 each, 3 zones a cluster): 1M probe pairs, 6 checks each
 * (icmp, tcp/7000, tcp/9042, dns, identity, mtu), 6M results, with three
 * faults injected: c1 -> c0 tcp/7000 silently dropped (the responders of
 * c0 report what arrived), c3 -> c4 without a route (a router answers
 * "unreachable"), c2 without a stub domain for c3. Prints the time and the
 * peak memory of building the documents and of analyze_round, against the
 * goals (2 s, 1 GiB), and checks that the findings are exactly the three
 * faults: exit 0 when they are, 1 when not.
 *   bench/analyze [PROBES_PER_CLUSTER]     (default 200) */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/json_scratch.h"
#include "reachmap/report.h"
#include "reachmap/results.h"

#define NCLUSTERS 5
#define NZONES	  3

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* The topology as YAML text: what a user would write. */
static char *topology_text(int per, size_t *len)
{
	size_t cap = (size_t)per * NCLUSTERS * 160 + 4096, n = 0;
	char *s = malloc(cap);
	int c, p;

	if (s == NULL)
		return NULL;
#define OUT(...) (n += (size_t)snprintf(s + n, cap - n, __VA_ARGS__))
	OUT("version: 1\ndefaults:\n  ports:\n    - {name: gossip, port: 7000}\n"
	    "    - {name: cql, port: 9042, protocol: cql}\n  timeoutMs: 1000\n"
	    "clusters:\n");
	for (c = 0; c < NCLUSTERS; c++) {
		OUT("  - name: c%d\n    zones: [c%d-a, c%d-b, c%d-c]\n", c, c, c, c);
		OUT("    cidrs: {nodes: [10.%d.0.0/16], pods: [10.%d.0.0/16], services: "
		    "[10.%d.0.0/16]}\n",
		    100 + c, 200 + c, 90 + c);
		OUT("    dns: {domain: c%d.cluster.local, servers: [10.%d.0.10]}\n    probes:\n", c,
		    90 + c);
		for (p = 0; p < per; p++)
			OUT("      - {name: c%d-p%04d, address: 10.%d.%d.%d, zone: c%d-%c, "
			    "dnsName: p%04d.c%d.cluster.local}\n",
			    c, p, 200 + c, p / 200, p % 200 + 10, c, 'a' + p % NZONES, p, c);
	}
	OUT("expect:\n  - {from: \"*\", to: \"*\", ports: [gossip, cql], reach: open}\n"
	    "  - {from: \"*\", to: \"*\", dns: resolves}\n");
#undef OUT
	*len = n;
	return s;
}

/* The report as JSON, as the collector serves it: the time and the size. */
static void render_json(const struct rm_report *report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	double t0 = now();
	int rc;

	if (f == NULL)
		return;
	rc = report_find("json")->render(report, f);
	fclose(f);
	printf("  rendered as json  %6.2f s   %zu bytes%s\n", now() - t0, len,
	       rc == RM_OK ? "" : " (failed)");
	free(buf);
}

struct fault_counts {
	int firewall, noroute, dns, other;
};

struct bench_cell {
	enum rm_check check;
	uint16_t port;
};

/* One result of probe cluster sc toward probe `to` of cluster tc: healthy,
 * but for the three faults (c3 -> c4 cut, c1 -> c0 tcp/7000 dropped, c2
 * without c3's names). */
static void fill_result(struct rm_result *r, const struct bench_cell *cell,
			const struct rm_probe *to, const char *answer,
			const struct rm_topology *topo, size_t sc, size_t tc, size_t t)
{
	bool cut = sc == 3 && tc == 4, fw = sc == 1 && tc == 0;

	r->target = to->name;
	r->target_cluster = topo->clusters[tc].name;
	r->address = to->address;
	r->check = cell->check;
	r->port = cell->port;
	r->rtt_ms = 0.25 + (double)(t % 7) * 0.05;
	switch (r->check) {
	case RM_CHECK_ICMP:
		r->sent = 3;
		r->received = cut ? 0 : 3;
		r->status = cut ? RM_STATUS_UNREACHABLE : RM_STATUS_OK;
		r->rtt_min_ms = 0.2f;
		r->rtt_max_ms = 0.6f;
		break;
	case RM_CHECK_TCP:
		r->status = cut			    ? RM_STATUS_UNREACHABLE
			    : fw && r->port == 7000 ? RM_STATUS_FILTERED
						    : RM_STATUS_OPEN;
		break;
	case RM_CHECK_DNS:
		r->dns_name = to->dns_name;
		r->dns_server = topo->clusters[sc].dns_servers[0];
		r->status = sc == 2 && tc == 3 ? RM_STATUS_NXDOMAIN : RM_STATUS_OK;
		if (r->status == RM_STATUS_OK)
			r->answers = answer;
		break;
	case RM_CHECK_IDENTITY:
		r->status = cut ? RM_STATUS_NO_RESPONDER : RM_STATUS_OK;
		if (!cut)
			r->responder = to->name;
		break;
	default:
		r->status = cut ? RM_STATUS_BLACKHOLE : RM_STATUS_OK;
		r->mtu_largest = cut ? 0 : 1500;
		break;
	}
	if (cut) {
		r->rtt_ms = -1;
		r->icmp_type = 3;
		r->icmp_code = 0;
		(void)cidr_addr_parse("10.0.0.1", &r->icmp_from);
	}
}

/* The probes' rounds (docs[0..nprobes)), then what c0's responders saw
 * (docs[nprobes..nprobes + per)): 0, or 3 when out of memory. */
static int build_docs(const struct rm_topology *topo, size_t per, const struct rm_probe **probe,
		      char **answers, struct rm_results_doc *docs,
		      const struct rm_results_doc **ptrs, size_t *results, size_t *arrivals)
{
	size_t nprobes = per * NCLUSTERS, d, t, k;

	for (d = 0; d < nprobes; d++) {
		struct rm_results_doc *doc = &docs[d];
		size_t sc = d / per;

		if (results_doc_init(doc) != RM_OK ||
		    results_doc_reserve(doc, nprobes * 6) != RM_OK)
			return 3;
		doc->probe = probe[d]->name;
		doc->cluster = topo->clusters[sc].name;
		doc->zone = probe[d]->zone;
		doc->mode = "raw";
		for (t = 0; t < nprobes; t++) {
			size_t tc = t / per;
			static const struct bench_cell cells[6] = {
				{ RM_CHECK_ICMP, 0 },	  { RM_CHECK_TCP, 7000 },
				{ RM_CHECK_TCP, 9042 },	  { RM_CHECK_DNS, 0 },
				{ RM_CHECK_IDENTITY, 0 }, { RM_CHECK_MTU, 0 }
			};

			for (k = 0; k < 6; k++) {
				struct rm_result *r = results_doc_add(doc);

				fill_result(r, &cells[k], probe[t], answers[t], topo, sc, tc, t);
			}
		}
		*results += doc->nresults;
		ptrs[d] = doc;
	}
	/* What c0's responders saw arrive: everything but c1's tcp/7000. */
	for (d = 0; d < per; d++) {
		struct rm_results_doc *doc = &docs[nprobes + d];

		if (results_doc_init(doc) != RM_OK)
			return 3;
		doc->probe = probe[d]->name;
		doc->cluster = topo->clusters[0].name;
		for (t = 0; t < nprobes; t++)
			for (k = 0; k < 2; k++) {
				struct rm_arrival *a;

				if (t / per == 1 && k == 0)
					continue;
				if ((a = results_doc_add_arrival(doc)) == NULL)
					return 3;
				a->from = probe[t]->address;
				a->protocol = "tcp";
				a->port = k == 0 ? 7000 : 9042;
				a->count = 1;
			}
		*arrivals += doc->narrivals;
		ptrs[nprobes + d] = doc;
	}
	return 0;
}

/* Prints the findings and counts those that are the injected faults. */
static struct fault_counts count_faults(const struct rm_report *report)
{
	struct fault_counts fc = { 0 };
	size_t k;

	for (k = 0; k < report->findings.n; k++) {
		const struct rm_finding *f = &report->findings.v[k];
		const char *from = f->from.cluster ? f->from.cluster : "-";
		const char *to = f->to.cluster ? f->to.cluster : "-";

		printf("  finding: %-17s %s -> %s, %zu cells\n", finding_kind_name(f->kind), from,
		       to, f->cells);
		if (f->kind == RM_FINDING_FIREWALL_DROP && !strcmp(from, "c1") &&
		    !strcmp(to, "c0") && f->nports == 1 && f->ports[0] == 7000 &&
		    f->nevidence > 0 && f->evidence[0].arrived == 0)
			fc.firewall++;
		else if (f->kind == RM_FINDING_NO_ROUTE && !strcmp(from, "c3") && !strcmp(to, "c4"))
			fc.noroute++;
		else if (f->kind == RM_FINDING_DNS_UNRESOLVABLE && !strcmp(from, "c2") &&
			 !strcmp(to, "c3"))
			fc.dns++;
		else
			fc.other++;
	}
	return fc;
}

int main(int argc, char **argv)
{
	int per = argc > 1 ? atoi(argv[1]) : 200;
	size_t len, nprobes, d, t, results = 0, arrivals = 0;
	struct rm_topology *topo = NULL;
	struct rm_diag diag;
	struct rm_results_doc *docs;
	const struct rm_results_doc **ptrs;
	const struct rm_probe **probe;
	char **answers;
	struct rm_report report;
	struct fault_counts fc = { 0 };
	double t0, t1, t2, m0, m1, m2;
	char *text;
	int rc;

	cJSON_Hooks hooks = { rm_json_malloc, rm_json_free };

	cJSON_InitHooks(&hooks); /* as reachmap does */
	if (per < 10 || per > 2000) {
		fprintf(stderr, "bench/analyze: PROBES_PER_CLUSTER must be 10..2000\n");
		return 2;
	}
	m0 = peak_mib();
	text = topology_text(per, &len);
	if (text == NULL ||
	    topo_load_buffer("bench.yaml", (const uint8_t *)text, len, &topo, &diag) != RM_OK) {
		fprintf(stderr, "bench/analyze: the synthetic topology does not load\n");
		return 3;
	}
	free(text);
	nprobes = (size_t)per * NCLUSTERS;
	probe = calloc(nprobes, sizeof(*probe));
	answers = calloc(nprobes, sizeof(*answers));
	docs = calloc(nprobes + (size_t)per, sizeof(*docs));
	ptrs = calloc(nprobes + (size_t)per, sizeof(*ptrs));
	if (probe == NULL || answers == NULL || docs == NULL || ptrs == NULL)
		return 3;
	for (t = 0; t < nprobes; t++) {
		char buf[RM_ADDR_STRLEN];

		probe[t] = &topo->clusters[t / (size_t)per].probes[t % (size_t)per];
		answers[t] = strdup(cidr_addr_format(&probe[t]->address, buf, sizeof(buf)));
	}

	t0 = now();
	if (build_docs(topo, (size_t)per, probe, answers, docs, ptrs, &results, &arrivals) != 0)
		return 3;
	t1 = now();
	m1 = peak_mib();

	memset(&report, 0, sizeof(report));
	report.command = "analyze";
	report.generated = "1970-01-01T00:00:00Z";
	report.topo = topo;
	if (findings_init(&report.findings) != RM_OK)
		return 3;
	rc = analyze_round(&report, ptrs, nprobes + (size_t)per);
	t2 = now();
	m2 = peak_mib();
	if (rc != RM_OK) {
		fprintf(stderr, "bench/analyze: %s\n", rm_strerror(rc));
		return 3;
	}
	fc = count_faults(&report);
	printf("bench/analyze: %zu probes in %d clusters, %zu probe pairs, %zu results, %zu "
	       "arrivals\n",
	       nprobes, NCLUSTERS, nprobes * nprobes, results, arrivals);
	printf("  documents built   %6.2f s   peak %7.1f MiB (%.0f bytes a result)\n", t1 - t0, m1,
	       (m1 - m0) * 1048576.0 / (double)results);
	printf("  analyze_round     %6.2f s   peak %7.1f MiB   goal < 2 s: %s (%.2fx of it)\n",
	       t2 - t1, m2, t2 - t1 < 2.0 ? "met" : "NOT met", (t2 - t1) / 2.0);
	printf("  memory, all told  %7.1f MiB of the 1024 MiB goal: %s; the analyzer's own %.1f "
	       "MiB\n",
	       m2, m2 < 1024 ? "met" : "NOT met", m2 - m1);
	render_json(&report);
	printf("  grid %zu x %zu x %zu columns, %zu cells' detail kept\n", report.matrix.nfrom,
	       report.matrix.nto, report.matrix.ncolumns, report.matrix.ncells);
	printf("  findings: %s (firewall-drop %d, no-route %d, dns-unresolvable %d, other %d); "
	       "verdict %s\n",
	       fc.firewall == 1 && fc.noroute == 1 && fc.dns == 1 && fc.other == 0
		   ? "exactly the three faults"
		   : "NOT the three faults",
	       fc.firewall, fc.noroute, fc.dns, fc.other, report.pass ? "pass" : "fail");
	findings_free(&report.findings);
	for (d = 0; d < nprobes + (size_t)per; d++)
		results_doc_free(&docs[d]);
	for (t = 0; t < nprobes; t++)
		free(answers[t]);
	free(answers);
	free(probe);
	free(docs);
	free(ptrs);
	topo_free(topo);
	return fc.firewall == 1 && fc.noroute == 1 && fc.dns == 1 && fc.other == 0 ? 0 : 1;
}

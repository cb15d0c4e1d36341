/* The analyzer: pure functions from a topology and results documents to
 * findings, the matrix and the verdict. No I/O of any kind (DESIGN.md). */
#ifndef REACHMAP_ANALYZE_H
#define REACHMAP_ANALYZE_H

#include "reachmap/report.h"
#include "reachmap/results.h"
#include "reachmap/topology.h"

/* The address-plan findings that need no agents: cidr-overlap,
 * reserved-range, dns-domain-clash, address-collision and
 * address-out-of-range. Appends to `out`; 0, or RM_ENOMEM. */
int analyze_plan(const struct rm_topology *topo, struct rm_findings *out);

/* Everything a round shows, into report (report->topo set, report->findings
 * made): the address-plan findings, then the causes the results documents
 * (probe rounds and serve arrivals, any mix, any order) show, each with its
 * scope, evidence and remedy; the matrix (in report->findings.arena; it
 * lends the documents' results, which must outlive the report); the
 * verdict (analyze_finish) and the topology's expectations judged cell by
 * cell: reach open (tcp open), blocked (filtered, rejected, unreachable or
 * no-route pass), resolves (dns ok); a violated one fails the verdict.
 * Linear in the results. 0, or RM_ENOMEM. */
int analyze_round(struct rm_report *report, const struct rm_results_doc *const *docs, size_t ndocs);

/* For each of `n` asked (kind, len) pairs in order, the lowest free IPv4
 * block of that length in RFC 1918 space (10/8, then 172.16/12, then
 * 192.168/16) that overlaps no range of the topology, no range commonly
 * taken by runtimes (172.17.0.0/16, docker0) and no block suggested before
 * it. Fills out[i].found and out[i].prefix. 0, or RM_EINVAL for a length
 * outside 8..30. */
int analyze_suggest(const struct rm_topology *topo, struct rm_suggestion *asks, size_t n);

/* Sorts the findings, counts them and sets the verdict. */
void analyze_finish(struct rm_report *report);

/* How a cell reads: healthy (rm_status_healthy), degraded (it works, but
 * not as it should: icmp loss, nat snat) or failing (every other status,
 * and a status that is not one of the check's words). */
enum rm_health {
	RM_HEALTH_HEALTHY = 0,
	RM_HEALTH_DEGRADED,
	RM_HEALTH_FAILING,
	RM_HEALTH_COUNT,
};

enum rm_health analyze_health(enum rm_check check, enum rm_check_status status);

/* "healthy", "degraded", "failing". Static strings. */
const char *analyze_health_name(enum rm_health health);

#endif

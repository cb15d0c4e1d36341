/* Findings: named causes with evidence and a remedy (DESIGN.md, "Documents"
 * and the finding catalogue). A finding list owns every string it holds. */
#ifndef REACHMAP_FINDING_H
#define REACHMAP_FINDING_H

#include <stddef.h>
#include <stdint.h>

struct rm_arena;

/* The catalogue's fixed names, in the order of DESIGN.md; one addition,
 * address-out-of-range, see finding.c. */
enum rm_finding_kind {
	RM_FINDING_CIDR_OVERLAP = 0,
	RM_FINDING_RESERVED_RANGE,
	RM_FINDING_DNS_DOMAIN_CLASH,
	RM_FINDING_ADDRESS_COLLISION,
	RM_FINDING_NO_ROUTE,
	RM_FINDING_ASYMMETRIC_ROUTE,
	RM_FINDING_FIREWALL_DROP,
	RM_FINDING_FIREWALL_REJECT,
	RM_FINDING_PORT_CLOSED,
	RM_FINDING_DNS_UNRESOLVABLE,
	RM_FINDING_DNS_WRONG_ANSWER,
	RM_FINDING_SNAT,
	RM_FINDING_MTU_BLACKHOLE,
	RM_FINDING_NOT_CASSANDRA,
	RM_FINDING_HIGH_LATENCY,
	RM_FINDING_PACKET_LOSS,
	RM_FINDING_PROBE_MISSING,
	RM_FINDING_ADDRESS_OUT_OF_RANGE,
	RM_FINDING_UNEXPLAINED,
	RM_FINDING_KIND_COUNT,
};

/* Most severe first, so sorting by the enum sorts by severity. */
enum rm_severity {
	RM_SEV_ERROR = 0,
	RM_SEV_WARNING,
	RM_SEV_INFO,
	RM_SEV_COUNT,
};

/* Where a finding applies: a cluster, narrowed to zones or probes when the
 * cause is narrower than the whole cluster. cluster NULL: no such side. */
struct rm_scope {
	const char *cluster;
	const char **zones;
	size_t nzones;
	const char **probes;
	size_t nprobes;
};

/* One piece of evidence. Observed cells fill from/to/check/port/status/
 * arrived; facts of the address plan fill cluster/kind/range/address/field.
 * Unset strings are NULL, an unset port 0, an unknown arrival -1. */
struct rm_evidence {
	const char *from; /* probe name */
	const char *to;	  /* probe or target name */
	const char *check;
	uint16_t port;
	const char *status;
	int arrived;
	const char *cluster;
	const char *kind; /* nodes, pods, services, probe, target, dns */
	const char *name; /* the probe or target the fact is about */
	const char *range;
	const char *address;
	const char *field; /* field path in the topology file */
	unsigned line;	   /* its line; 0 when unknown */
	/* The live collector: since when the cell has had this status (ms
	 * since the epoch); 0 when not known (a one-shot analyze). */
	int64_t since_ms;
};

struct rm_finding {
	enum rm_finding_kind kind;
	enum rm_severity severity;
	struct rm_scope from;
	struct rm_scope to;
	const char *protocol; /* "tcp", "icmp", "dns", ...; NULL when none */
	uint16_t *ports;
	size_t nports;
	size_t cells; /* observed cells it explains; 0 for address-plan findings */
	const char *summary;
	struct rm_evidence *evidence;
	size_t nevidence;
	size_t evidence_cap; /* private to finding_add_evidence */
	const char *remedy;
	/* The live collector: since when the cause holds, the oldest since
	 * of its cells (ms since the epoch); 0 when not known. */
	int64_t since_ms;
};

struct rm_findings {
	struct rm_finding *v;
	size_t n;
	size_t cap;
	struct rm_arena *arena; /* owns the array and every string in it */
};

/* "cidr-overlap", ...; "error", "warning", "info". Static strings. */
const char *finding_kind_name(enum rm_finding_kind kind);
const char *finding_severity_name(enum rm_severity sev);

/* 0, or RM_ENOMEM. The list starts empty; free with findings_free. */
int findings_init(struct rm_findings *list);
void findings_free(struct rm_findings *list);

/* Appends a zeroed finding and returns it (owned by the list), or NULL when
 * out of memory. */
struct rm_finding *findings_add(struct rm_findings *list, enum rm_finding_kind kind,
				enum rm_severity sev);
/* Appends a zeroed evidence entry to f (arrived = -1), or NULL. */
struct rm_evidence *finding_add_evidence(struct rm_findings *list, struct rm_finding *f);

/* Sorts most severe first, then by kind, then by from/to cluster: a stable,
 * deterministic order for every renderer. */
void findings_sort(struct rm_findings *list);

/* How many findings have each severity. */
void findings_count(const struct rm_findings *list, size_t counts[RM_SEV_COUNT]);

#endif

#include "reachmap/finding.h"

#include <stdlib.h>
#include <string.h>

#include "reachmap/arena.h"
#include "reachmap/error.h"

/* DESIGN.md's catalogue has no name for a probe or target address that lies
 * in none of its own cluster's ranges and in no other cluster's either (one
 * in another cluster's range is an address-collision): the probe engine will
 * refuse to send to it, and the address is a typo or a range is missing.
 * address-out-of-range names that case. */
static const char *const kind_names[RM_FINDING_KIND_COUNT] = {
	[RM_FINDING_CIDR_OVERLAP] = "cidr-overlap",
	[RM_FINDING_RESERVED_RANGE] = "reserved-range",
	[RM_FINDING_DNS_DOMAIN_CLASH] = "dns-domain-clash",
	[RM_FINDING_ADDRESS_COLLISION] = "address-collision",
	[RM_FINDING_NO_ROUTE] = "no-route",
	[RM_FINDING_ASYMMETRIC_ROUTE] = "asymmetric-route",
	[RM_FINDING_FIREWALL_DROP] = "firewall-drop",
	[RM_FINDING_FIREWALL_REJECT] = "firewall-reject",
	[RM_FINDING_PORT_CLOSED] = "port-closed",
	[RM_FINDING_DNS_UNRESOLVABLE] = "dns-unresolvable",
	[RM_FINDING_DNS_WRONG_ANSWER] = "dns-wrong-answer",
	[RM_FINDING_SNAT] = "snat",
	[RM_FINDING_MTU_BLACKHOLE] = "mtu-blackhole",
	[RM_FINDING_NOT_CASSANDRA] = "not-cassandra",
	[RM_FINDING_HIGH_LATENCY] = "high-latency",
	[RM_FINDING_PACKET_LOSS] = "packet-loss",
	[RM_FINDING_PROBE_MISSING] = "probe-missing",
	[RM_FINDING_ADDRESS_OUT_OF_RANGE] = "address-out-of-range",
	[RM_FINDING_UNEXPLAINED] = "unexplained",
};

const char *finding_kind_name(enum rm_finding_kind kind)
{
	if ((unsigned)kind >= RM_FINDING_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

const char *finding_severity_name(enum rm_severity sev)
{
	switch (sev) {
	case RM_SEV_ERROR:
		return "error";
	case RM_SEV_WARNING:
		return "warning";
	case RM_SEV_INFO:
		return "info";
	default:
		return "unknown";
	}
}

int findings_init(struct rm_findings *list)
{
	memset(list, 0, sizeof(*list));
	list->arena = rm_arena_new();
	return list->arena ? RM_OK : RM_ENOMEM;
}

void findings_free(struct rm_findings *list)
{
	rm_arena_free(list->arena);
	memset(list, 0, sizeof(*list));
}

struct rm_finding *findings_add(struct rm_findings *list, enum rm_finding_kind kind,
				enum rm_severity sev)
{
	struct rm_finding *f;

	if (rm_arena_grow(list->arena, (void **)&list->v, &list->cap, list->n + 1,
			  sizeof(*list->v)) != RM_OK)
		return NULL;
	f = &list->v[list->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	return f;
}

struct rm_evidence *finding_add_evidence(struct rm_findings *list, struct rm_finding *f)
{
	struct rm_evidence *e;

	if (rm_arena_grow(list->arena, (void **)&f->evidence, &f->evidence_cap, f->nevidence + 1,
			  sizeof(*f->evidence)) != RM_OK)
		return NULL;
	e = &f->evidence[f->nevidence++];
	memset(e, 0, sizeof(*e));
	e->arrived = -1;
	return e;
}

static int strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct rm_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity < b->severity ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcmp_null(a->from.cluster, b->from.cluster);
	if (c != 0)
		return c;
	c = strcmp_null(a->to.cluster, b->to.cluster);
	if (c != 0)
		return c;
	return strcmp_null(a->summary, b->summary);
}

void findings_sort(struct rm_findings *list)
{
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(*list->v), finding_cmp);
}

void findings_count(const struct rm_findings *list, size_t counts[RM_SEV_COUNT])
{
	size_t i;

	for (i = 0; i < RM_SEV_COUNT; i++)
		counts[i] = 0;
	for (i = 0; i < list->n; i++)
		if ((unsigned)list->v[i].severity < RM_SEV_COUNT)
			counts[list->v[i].severity]++;
}

/* The rules of a round, shared by the files that make them: the table and
 * its finders (rules.c), the words of each finding kind (explain.c) and the
 * merges of one cause seen from both sides (merge.c). Internal to analyze/. */
#ifndef ANALYZE_RULES_H
#define ANALYZE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/index.h"
#include "reachmap/finding.h"

#define AN_BIT(status) (1u << (status))
/* Ports of a pair the port rules look at, at most. */
#define AN_MAX_PORTS 64

struct an_ctx {
	const struct rm_topology *topo;
	const struct an_index *ix;
	struct rm_findings *out;
	struct rm_arena *a;
};

/* A pair's tcp cells counted once, for every rule that asks. */
struct an_tally {
	size_t cells, failed, answered; /* all; filtered/unreachable/no-route; open/refused */
	size_t nports;
	uint16_t port[AN_MAX_PORTS]; /* in the order first seen */
	uint32_t total[AN_MAX_PORTS];
	uint32_t count[AN_MAX_PORTS][RM_STATUS_COUNT];
};

/* The cells of one source cluster towards one destination cluster. */
struct an_pair {
	const struct an_index *ix;
	size_t ia, ib; /* the clusters' indices */
	const struct rm_cluster *src, *dst;
	const char *from, *to; /* their names */
	bool explained;	       /* a pair-wide cause was found: no further rules */
	/* The two clusters' ranges overlap: a cell to or from an address in
	 * both is the overlap's consequence (cidr-overlap, address-collision),
	 * hidden from every row but those that look at it (sees_overlap). */
	bool overlaps, sees_overlap;
	struct an_tally tcp;
};

/* What a rule's finder saw, for its explain function to put into words. */
struct an_facts {
	const struct rm_result *first; /* the first cell the finding explains */
	const char *who;	       /* who answered: a router, a filter, the kernel */
	uint16_t port;
	const char *zone;     /* a zone cut's zone */
	bool source_side;     /* ... of the source cluster (else the destination's) */
	const char *last_hop; /* where the path check's trail ends; NULL: unknown */
	double worst;	      /* the worst round trip (ms) or loss (%) */
	const char *counted;  /* unexplained cells' statuses: "refused 4, timeout 2" */
	/* unexplained cells' far ends that could not capture, "a, b" (NULL:
	 * none), and how many */
	const char *blind;
	size_t nblind;
};

/* Writes f->summary and f->remedy for p (NULL for findings of no pair:
 * their scope says whom they are about); 0, or RM_ENOMEM. */
typedef int an_explain_fn(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			  const struct an_facts *x);

an_explain_fn an_explain_no_route, an_explain_asymmetric, an_explain_zone_cut,
    an_explain_firewall_drop, an_explain_firewall_reject, an_explain_port_closed,
    an_explain_collision, an_explain_snat, an_explain_not_cassandra, an_explain_unresolvable,
    an_explain_wrong_answer, an_explain_blackhole, an_explain_latency, an_explain_loss,
    an_explain_probe_missing, an_explain_unexplained;

/* The words of merged findings (merge.c): x absorbed its mirror image. */
int an_explain_collision_both(struct an_ctx *c, struct rm_finding *x);
int an_explain_zone_both(struct an_ctx *c, struct rm_finding *x, const struct rm_finding *y);
int an_explain_route_both(struct an_ctx *c, struct rm_finding *x);
int an_explain_gateway(struct an_ctx *c, struct rm_finding *x, const struct rm_addr *router);

/* One cause seen from both sides made one finding: address collisions,
 * zone cuts, and a missing route (no-route one way, asymmetric-route the
 * other) among the findings from `first` on. 0, or RM_ENOMEM. */
int an_merge(struct an_ctx *c, size_t first);

/* Counts the cell in f and, for the first few, adds it as evidence: who
 * sent what to whom, the status, the ICMP sender or the address the
 * responder saw, whether it arrived at the far end (1, 0, -1 unknown).
 * 0, or RM_ENOMEM. */
int an_evidence(struct an_ctx *c, struct rm_finding *f, const struct rm_results_doc *d,
		const struct rm_result *r, int arrived);

#endif

/* No silent failure: every unhealthy cell of a round is covered by a
 * finding whose kind can explain that check, in that direction; the cells
 * no finding covers become `unexplained` findings (one per cluster pair
 * and check, severity error), so a verdict is never PASS over a failing
 * cell (DESIGN.md, the finding catalogue).
 *
 * Coverage is decided from what a report shows, the finding's kind and
 * scope, not from which rule happened to add which evidence: the same
 * test a reader of the report (or tests/report/invariant.py) can make. */
#include <string.h>

#include "analyze/rules.h"
#include "analyze/words.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

#define CK(c) (1u << (c))
/* Every check that needs packets to cross between the pods. */
#define NET                                                                                        \
	(CK(RM_CHECK_ICMP) | CK(RM_CHECK_TCP) | CK(RM_CHECK_IDENTITY) | CK(RM_CHECK_NAT) |         \
	 CK(RM_CHECK_MTU) | CK(RM_CHECK_CQL) | CK(RM_CHECK_PATH))
/* What one port's fault breaks: the port, the CQL handshake on it, and
 * the path check that runs because of it. */
#define PORT (CK(RM_CHECK_TCP) | CK(RM_CHECK_CQL) | CK(RM_CHECK_PATH))

/* What a finding kind can explain. both_ways: the cause breaks round trips
 * in both directions (a route missing one way loses the other direction's
 * answers), so a finding A -> B covers B -> A too. */
static const struct kind_cover {
	unsigned checks;
	bool both_ways;
} covers[RM_FINDING_KIND_COUNT] = {
	[RM_FINDING_CIDR_OVERLAP] = { NET, true },
	[RM_FINDING_RESERVED_RANGE] = { NET, true },
	[RM_FINDING_DNS_DOMAIN_CLASH] = { CK(RM_CHECK_DNS), true },
	[RM_FINDING_ADDRESS_COLLISION] = { NET, true },
	[RM_FINDING_NO_ROUTE] = { NET, true },
	[RM_FINDING_ASYMMETRIC_ROUTE] = { NET, true },
	[RM_FINDING_FIREWALL_DROP] = { PORT, false },
	[RM_FINDING_FIREWALL_REJECT] = { PORT, false },
	[RM_FINDING_PORT_CLOSED] = { PORT, false },
	[RM_FINDING_DNS_UNRESOLVABLE] = { CK(RM_CHECK_DNS), false },
	[RM_FINDING_DNS_WRONG_ANSWER] = { CK(RM_CHECK_DNS), false },
	[RM_FINDING_SNAT] = { CK(RM_CHECK_NAT), false },
	[RM_FINDING_MTU_BLACKHOLE] = { CK(RM_CHECK_MTU), false },
	[RM_FINDING_NOT_CASSANDRA] = { CK(RM_CHECK_CQL), false },
	[RM_FINDING_HIGH_LATENCY] = { CK(RM_CHECK_ICMP), false },
	[RM_FINDING_PACKET_LOSS] = { CK(RM_CHECK_ICMP), false },
	[RM_FINDING_PROBE_MISSING] = { 0, false },
	[RM_FINDING_ADDRESS_OUT_OF_RANGE] = { NET, true },
	[RM_FINDING_UNEXPLAINED] = { NET | CK(RM_CHECK_DNS), false },
};

/* One side of a cell: the endpoint's cluster, zone and name. */
struct side {
	const char *cluster, *zone, *name;
};

static bool listed(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], "*") == 0 || (s != NULL && strcmp(v[i], s) == 0))
			return true;
	return false;
}

/* Whether a scope takes in one side of a cell. A scope with no cluster
 * takes in nothing. */
static bool scope_has(const struct rm_scope *s, const struct side *x)
{
	if (s->cluster == NULL)
		return false;
	if (strcmp(s->cluster, "*") != 0 && strcmp(s->cluster, x->cluster) != 0)
		return false;
	if (s->nzones > 0 && !listed(s->zones, s->nzones, x->zone))
		return false;
	return s->nprobes == 0 || listed(s->probes, s->nprobes, x->name);
}

/* The address plan's findings name what is wrong in the plan, not the
 * cells: a side they leave out (a cluster's own overlap, a probe declared
 * twice) is the cluster they are about. */
static const struct rm_scope *other_side(const struct rm_finding *f, bool to)
{
	if (to && f->to.cluster == NULL)
		return &f->from;
	return to ? &f->to : &f->from;
}

static bool has_port(const struct rm_finding *f, const struct rm_result *r)
{
	size_t i;

	if (f->nports == 0 || r->check == RM_CHECK_PATH)
		return true;
	for (i = 0; i < f->nports; i++)
		if (f->ports[i] == r->port)
			return true;
	return false;
}

static bool finding_covers(const struct rm_finding *f, const struct rm_result *r,
			   const struct side *src, const struct side *dst)
{
	const struct kind_cover *k = &covers[f->kind];
	const struct rm_scope *from = other_side(f, false), *to = other_side(f, true);

	if (!(k->checks & CK(r->check)) || !has_port(f, r))
		return false;
	if (scope_has(from, src) && scope_has(to, dst))
		return true;
	return k->both_ways && scope_has(from, dst) && scope_has(to, src);
}

/* A tcp cell the topology expects blocked and that is: as it should be. */
static bool expected_blocked(const struct rm_topology *t, const struct side *src,
			     const struct side *dst, const struct rm_result *r)
{
	size_t k, i;

	if (r->check != RM_CHECK_TCP || r->status == RM_STATUS_REFUSED)
		return false;
	for (k = 0; k < t->nexpect; k++) {
		const struct rm_expect *e = &t->expect[k];

		if (e->reach != RM_REACH_BLOCKED ||
		    (strcmp(e->from, "*") != 0 && strcmp(e->from, src->cluster) != 0) ||
		    (strcmp(e->to, "*") != 0 && strcmp(e->to, dst->cluster) != 0))
			continue;
		for (i = 0; i < e->nports; i++)
			if (t->ports[e->ports[i]].port == r->port)
				return true;
	}
	return false;
}

/* Some echoes lost, within the topology's tolerance: not a fault. */
static bool tolerated_loss(const struct rm_topology *t, const struct rm_result *r)
{
	return r->check == RM_CHECK_ICMP && r->status == RM_STATUS_LOSS && r->sent > 0 &&
	       100.0 * (r->sent - r->received) / r->sent <= t->thresholds.loss_warn_pct;
}

/* Far ends named in an unexplained finding's words at most. */
#define GAP_BLIND_NAMED 4

/* The unexplained cells of one cluster pair and check, and their far ends
 * that could not capture (which arrivals cannot say what was lost). */
struct gap {
	struct rm_finding *f;
	size_t count[RM_STATUS_COUNT];
	uint32_t blind[GAP_BLIND_NAMED];
	size_t nblind; /* distinct far ends, named or not */
	/* per endpoint, the number of the last gap that counted it as blind:
	 * each far end counted once per gap however many cells it has */
	uint32_t *seen, gen;
};

static void gap_blind(const struct an_index *ix, struct gap *g, uint32_t to)
{
	if (!an_blind(ix, to) || g->seen[to] == g->gen)
		return;
	g->seen[to] = g->gen;
	if (g->nblind < GAP_BLIND_NAMED)
		g->blind[g->nblind] = to;
	g->nblind++;
}

static int gap_cell(struct an_ctx *c, struct gap *g, size_t a, size_t b, enum rm_check chk,
		    const struct rm_results_doc *d, const struct rm_result *r, uint32_t to)
{
	if (g->f == NULL) {
		g->f = findings_add(c->out, RM_FINDING_UNEXPLAINED, RM_SEV_ERROR);
		if (g->f == NULL)
			return RM_ENOMEM;
		g->f->from.cluster = c->topo->clusters[a].name;
		g->f->to.cluster = c->topo->clusters[b].name;
		g->f->protocol = rm_check_name(chk);
	}
	g->count[r->status]++;
	gap_blind(c->ix, g, to);
	return an_evidence(c, g->f, d, r, -1);
}

static int gap_words(struct an_ctx *c, struct gap *g)
{
	const char *counted = "", *blind = NULL;
	size_t s;

	for (s = 0; s < RM_STATUS_COUNT; s++)
		if (g->count[s] > 0)
			counted =
			    an_join(c->a, counted,
				    an_ne(rm_arena_printf(c->a, "%s %zu",
							  rm_status_name((enum rm_check_status)s),
							  g->count[s])));
	for (s = 0; s < g->nblind && s < GAP_BLIND_NAMED; s++)
		blind = an_join(c->a, an_ne(blind), c->ix->ep[g->blind[s]].name);
	if (g->nblind > GAP_BLIND_NAMED)
		blind =
		    rm_arena_printf(c->a, "%s and %zu more", blind, g->nblind - GAP_BLIND_NAMED);
	return an_explain_unexplained(
	    c, NULL, g->f,
	    &(struct an_facts){ .counted = counted, .blind = blind, .nblind = g->nblind });
}

/* Whether the pair's counts hold a status of chk outside healthy. */
static bool any_unhealthy(const struct rm_pair_counts *pc, enum rm_check chk, unsigned healthy)
{
	unsigned st;

	for (st = 0; st < RM_STATUS_COUNT; st++)
		if (!(healthy & (1u << st)) && pc->counts[chk][st] > 0)
			return true;
	return false;
}

/* The first `nfound` findings are the ones a cell may be covered by. */
static int pair_gaps(struct an_ctx *c, const struct rm_pair_counts *pc, size_t a, size_t b,
		     size_t nfound, uint32_t *seen, uint32_t *gen)
{
	const struct an_index *ix = c->ix;
	const struct rm_findings *fs = c->out;
	enum rm_check chk;
	int rc = RM_OK;

	for (chk = 0; chk < RM_CHECK_COUNT && rc == RM_OK; chk++) {
		struct gap g = { .seen = seen, .gen = ++*gen };
		size_t n, i, k;
		const struct an_ref *v = an_bucket(ix, a, b, chk, &n);
		unsigned healthy = 0, st;

		/* Most cells are healthy: one bit test each, before any work. */
		for (st = 0; st < RM_STATUS_COUNT; st++)
			if (rm_status_healthy(chk, (enum rm_check_status)st))
				healthy |= 1u << st;
		/* A whole cluster pair and check healthy: nothing to walk. */
		if (!any_unhealthy(pc, chk, healthy))
			continue;
		for (i = 0; i < n && rc == RM_OK; i++) {
			const struct rm_results_doc *d = ix->docs[v[i].doc];
			const struct rm_result *r = &d->results[v[i].res];
			const struct an_endpoint *to;
			struct side src, dst;

			if ((unsigned)r->status < RM_STATUS_COUNT && (healthy & (1u << r->status)))
				continue;
			to = v[i].to == AN_NONE ? NULL : &ix->ep[v[i].to];
			src = (struct side){ c->topo->clusters[a].name, d->zone, d->probe };
			dst = (struct side){ c->topo->clusters[b].name, to ? to->zone : NULL,
					     r->target };
			if (tolerated_loss(c->topo, r) || expected_blocked(c->topo, &src, &dst, r))
				continue;
			for (k = 0; k < nfound && !finding_covers(&fs->v[k], r, &src, &dst); k++)
				;
			if (k == nfound)
				rc = gap_cell(c, &g, a, b, chk, d, r, v[i].to);
		}
		if (rc == RM_OK && g.f != NULL)
			rc = gap_words(c, &g);
	}
	return rc;
}

int an_unexplained(const struct an_index *ix, const struct rm_matrix *m, struct rm_findings *out)
{
	struct an_ctx c = { ix->topo, ix, out, out->arena };
	size_t a, b, nfound = out->n;
	uint32_t *seen = rm_calloc(ix->nep + 1, sizeof(*seen)), gen = 0;
	int rc = RM_OK;

	if (seen == NULL)
		return RM_ENOMEM;
	for (a = 0; a < ix->nclusters && rc == RM_OK; a++)
		for (b = 0; b < ix->nclusters && rc == RM_OK; b++)
			rc = pair_gaps(&c, &m->clusters[a * ix->nclusters + b], a, b, nfound, seen,
				       &gen);
	rm_free(seen);
	if (rc == RM_OK && rm_arena_failed(c.a))
		rc = RM_ENOMEM;
	return rc;
}

/* From observed cells to named causes (DESIGN.md's finding catalogue). A
 * rule is a row of the table below: the finding kind, the check and the
 * statuses of it the kind can explain, the finder that looks for the cause
 * on one cluster pair (A -> B) and the function that puts it into words
 * (explain.c).
 *
 * The rows run in order on each pair, the widest scope first, and a cause
 * that explains the whole pair hides its consequences there: a missing
 * route explains every tcp, cql, identity, mtu and path failure of that
 * pair, so no firewall-drop or port-closed is reported for it too. */
#include <string.h>

#include "analyze/rules.h"
#include "analyze/words.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/results.h"
#include "reachmap/util.h"

#define MAX_EVIDENCE 4

/* Where a row looks, and on which pair it reports. */
enum an_where {
	AN_PAIR,      /* every pair, A -> A too */
	AN_CROSS,     /* pairs of two clusters only */
	AN_AT_TARGET, /* the destination's own fault (what listens there, what its
		       * DNS says of it): one finding per destination, from every
		       * source (* -> that target), after the pairs */
};

struct an_rule;
/* Looks for the row's cause on the pair and adds its findings; 0, or
 * RM_ENOMEM. */
typedef int an_find_fn(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule);

struct an_rule {
	enum rm_finding_kind kind;
	enum rm_severity severity; /* high-latency: the least; the finder may raise it */
	const char *protocol;
	enum rm_check check; /* the check whose cells the kind explains */
	unsigned explains;   /* the statuses of check it explains (AN_BIT set) */
	enum an_where where;
	bool by_port; /* the finding names the port of its cells */
	an_find_fn *find;
	an_explain_fn *explain;
	/* The row looks at cells between overlapping ranges too; the others
	 * leave them to the overlap (an_pair.overlaps). */
	bool sees_overlap;
};

/* Every result of the pair for check (and port when nonzero), from the
 * index's bucket: d the document, r the result, r_ref its reference (with
 * r_ref->to, the destination's endpoint). */
#define FOR_CELLS(p, chk, prt, d, r)                                                               \
	for (const struct an_ref *r##_ref = bucket_at(p, chk, 0), *r##_end = bucket_at(p, chk, 1); \
	     r##_ref < r##_end; r##_ref++)                                                         \
		for (const struct rm_results_doc *d = (p)->ix->docs[r##_ref->doc]; d != NULL;      \
		     d = NULL)                                                                     \
			for (const struct rm_result *r = &d->results[r##_ref->res]; r != NULL;     \
			     r = NULL)                                                             \
				if (((prt) == 0 || r->port == (prt)) && !hidden(p, d, r))

/* Ranges that carry pods' packets between clusters: services' ranges are
 * virtual and cluster-local, and often the same everywhere. */
static bool routed(const struct rm_range *r)
{
	return r->kind != RM_RANGE_SERVICES;
}

/* Whether x lies in a routed range of both clusters. */
static bool in_both(const struct rm_cluster *a, const struct rm_cluster *b, const struct rm_addr *x)
{
	size_t i, j;

	for (i = 0; i < a->nranges; i++)
		if (routed(&a->ranges[i]) && cidr_contains(&a->ranges[i].prefix, x))
			for (j = 0; j < b->nranges; j++)
				if (routed(&b->ranges[j]) && cidr_contains(&b->ranges[j].prefix, x))
					return true;
	return false;
}

/* A cell between overlapping ranges: its packets, or the answers to them,
 * stay in the cluster that owns the address on the sender's side. */
static bool hidden(const struct an_pair *p, const struct rm_results_doc *d,
		   const struct rm_result *r)
{
	if (!p->overlaps || p->sees_overlap)
		return false;
	return in_both(p->src, p->dst, &r->address) ||
	       (d->naddresses > 0 && in_both(p->src, p->dst, &d->addresses[0]));
}

static bool ranges_overlap(const struct rm_cluster *a, const struct rm_cluster *b)
{
	size_t i, j;

	for (i = 0; i < a->nranges; i++)
		for (j = 0; j < b->nranges; j++)
			if (routed(&a->ranges[i]) && routed(&b->ranges[j]) &&
			    cidr_overlaps(&a->ranges[i].prefix, &b->ranges[j].prefix))
				return true;
	return false;
}

/* Where the pair's refs of chk begin (end 0) or end (end 1). */
static const struct an_ref *bucket_at(const struct an_pair *p, enum rm_check chk, int end)
{
	return p->ix->refs + p->ix->bucket[an_bucket_key(p->ix, p->ia, p->ib, chk) + (size_t)end];
}

static bool failed_tcp(enum rm_check_status st)
{
	return st == RM_STATUS_FILTERED || st == RM_STATUS_UNREACHABLE || st == RM_STATUS_NO_ROUTE;
}

static bool explains(const struct an_rule *rule, const struct rm_result *r)
{
	return (rule->explains & AN_BIT(r->status)) != 0;
}

static struct rm_finding *add(struct an_ctx *c, const struct an_pair *p, const struct an_rule *rule,
			      enum rm_severity sev)
{
	struct rm_finding *f = findings_add(c->out, rule->kind, sev);

	if (f == NULL)
		return NULL;
	f->from.cluster = p->from;
	f->to.cluster = p->to;
	f->protocol = rule->protocol;
	return f;
}

static int set_port(struct an_ctx *c, struct rm_finding *f, uint16_t port)
{
	f->ports = rm_arena_calloc(c->a, 1, sizeof(*f->ports));
	if (f->ports == NULL)
		return RM_ENOMEM;
	f->ports[0] = port;
	f->nports = 1;
	return RM_OK;
}

int an_evidence(struct an_ctx *c, struct rm_finding *f, const struct rm_results_doc *d,
		const struct rm_result *r, int arrived)
{
	struct rm_evidence *e;

	f->cells++;
	if (f->nevidence >= MAX_EVIDENCE)
		return RM_OK;
	e = finding_add_evidence(c->out, f);
	if (e == NULL)
		return RM_ENOMEM;
	e->from = d->probe;
	e->to = r->target;
	e->check = rm_check_name(r->check);
	e->port = r->port;
	e->status = rm_status_name(r->status);
	e->arrived = arrived;
	if (r->icmp_from.family != RM_AF_NONE)
		e->address = an_addr(c->a, &r->icmp_from);
	else if (r->check == RM_CHECK_NAT && r->seen.family != RM_AF_NONE)
		e->address = an_addr(c->a, &r->seen);
	return RM_OK;
}

/* Whether the far end saw a silent tcp cell arrive (1, 0; -1 nobody said,
 * or the cell was not silent). */
static int arrived_if_silent(const struct an_ctx *c, const struct an_ref *ref,
			     const struct rm_result *r)
{
	return r->status == RM_STATUS_FILTERED ? an_arrived(c->ix, ref->to, ref->doc, r->port) : -1;
}

static void tally_tcp(struct an_pair *p)
{
	struct an_tally *t = &p->tcp;
	size_t k;

	memset(t, 0, sizeof(*t));
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		(void)d;
		t->cells++;
		t->failed += failed_tcp(r->status);
		t->answered += r->status == RM_STATUS_OPEN || r->status == RM_STATUS_REFUSED;
		for (k = 0; k < t->nports && t->port[k] != r->port; k++)
			;
		if (k == AN_MAX_PORTS)
			continue;
		if (k == t->nports)
			t->port[t->nports++] = r->port;
		t->total[k]++;
		t->count[k][r->status]++;
	}
}

/* Pair-wide cuts ---------------------------------------------------------- */

static bool pair_cut(const struct an_pair *p)
{
	return p->tcp.cells > 0 && p->tcp.failed == p->tcp.cells;
}

/* The cell that says who has no route: a tcp cell's "no route" or
 * "unreachable" from some router, else a path's (the path check, run
 * later, may have caught the router's answer the rate limit kept from the
 * first round). NULL: nobody said. */
static const struct rm_result *cut_router(const struct an_pair *p,
					  const struct rm_results_doc **doc)
{
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (r->status == RM_STATUS_NO_ROUTE ||
		    (r->status == RM_STATUS_UNREACHABLE && r->icmp_from.family != RM_AF_NONE)) {
			*doc = d;
			return r;
		}
	}
	FOR_CELLS(p, RM_CHECK_PATH, 0, d, r)
	{
		if (r->status == RM_STATUS_UNREACHABLE && r->icmp_from.family != RM_AF_NONE) {
			*doc = d;
			return r;
		}
	}
	return NULL;
}

/* A cut pair's finding: the router's answer first (it names where the
 * route is missing), then every tcp cell. */
static int cut_finding(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule,
		       const struct rm_results_doc *router_doc, const struct an_facts *x)
{
	struct rm_finding *f = add(c, p, rule, rule->severity);
	int rc = RM_OK;

	if (f == NULL)
		return RM_ENOMEM;
	if (x->first != NULL)
		rc = an_evidence(c, f, router_doc, x->first, -1);
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (rc == RM_OK && r != x->first)
			rc = an_evidence(c, f, d, r, arrived_if_silent(c, r_ref, r));
	}
	p->explained = true;
	return rc == RM_OK ? rule->explain(c, p, f, x) : rc;
}

/* Every tcp cell of the pair fails, and some router said "unreachable" or
 * the kernel has no route. */
static int find_no_route(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	const struct rm_results_doc *doc = NULL;
	struct an_facts x = { 0 };

	if (!pair_cut(p) || (x.first = cut_router(p, &doc)) == NULL)
		return RM_OK;
	x.who = x.first->status == RM_STATUS_NO_ROUTE ? "the probe's own kernel"
						      : an_addr(c->a, &x.first->icmp_from);
	return cut_finding(c, p, rule, doc, &x);
}

/* Every tcp cell fails in silence, nobody says why, and the far end saw
 * the SYNs arrive: the answers are lost on the way back. */
static int find_return_cut(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	const struct rm_results_doc *doc = NULL;
	struct an_facts x = { 0 };
	size_t asked = 0, arrived = 0;

	if (!pair_cut(p) || cut_router(p, &doc) != NULL)
		return RM_OK;
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		int got = arrived_if_silent(c, r_ref, r);

		(void)d;
		asked += r->status == RM_STATUS_FILTERED && got >= 0;
		arrived += got == 1;
	}
	if (asked == 0 || arrived == 0)
		return RM_OK;
	return cut_finding(c, p, rule, NULL, &x);
}

/* Zone cuts ---------------------------------------------------------------- */

/* The zone of a cell's source (source_side) or destination; NULL: none. */
static const char *cell_zone(const struct an_ctx *c, bool source_side,
			     const struct rm_results_doc *d, const struct an_ref *ref)
{
	if (source_side)
		return d->zone;
	return ref->to == AN_NONE ? NULL : c->ix->ep[ref->to].zone;
}

static bool in_zone(const struct an_ctx *c, const struct an_facts *x,
		    const struct rm_results_doc *d, const struct an_ref *ref)
{
	const char *z = cell_zone(c, x->source_side, d, ref);

	return z != NULL && strcmp(z, x->zone) == 0;
}

/* Every tcp cell of the zone fails while some elsewhere answer. */
static bool zone_cut(const struct an_ctx *c, const struct an_pair *p, const struct an_facts *x)
{
	size_t in = 0, failed = 0, healthy_elsewhere = 0;

	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (in_zone(c, x, d, r_ref)) {
			in++;
			failed += failed_tcp(r->status);
		} else if (r->status == RM_STATUS_OPEN || r->status == RM_STATUS_REFUSED) {
			healthy_elsewhere++;
		}
	}
	return in > 0 && failed == in && healthy_elsewhere > 0;
}

static const char *zone_last_hop(struct an_ctx *c, const struct an_pair *p,
				 const struct an_facts *x)
{
	FOR_CELLS(p, RM_CHECK_PATH, 0, d, r)
	{
		if (in_zone(c, x, d, r_ref) && r->last_hop.family != RM_AF_NONE)
			return an_addr(c->a, &r->last_hop);
	}
	return NULL;
}

/* The zone's cell whose answer names who cut it: an ICMP "unreachable" or
 * "rejected" and its sender, or the probe's own kernel without a route.
 * NULL: every cell met silence. */
static const struct rm_result *zone_router(struct an_ctx *c, const struct an_pair *p,
					   const struct an_facts *x,
					   const struct rm_results_doc **doc)
{
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (in_zone(c, x, d, r_ref) &&
		    (r->status == RM_STATUS_NO_ROUTE || r->icmp_from.family != RM_AF_NONE)) {
			*doc = d;
			return r;
		}
	}
	return NULL;
}

/* The zone's finding: the answer that names the router first, then every
 * cell of the zone with whether it arrived at the far end. */
static int zone_finding(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule,
			struct an_facts *x)
{
	const struct rm_results_doc *router_doc = NULL;
	const struct rm_result *router = zone_router(c, p, x, &router_doc);
	struct rm_finding *f;
	struct rm_scope *s;
	int rc = RM_OK;

	x->last_hop = zone_last_hop(c, p, x);
	if (router != NULL)
		x->who = router->status == RM_STATUS_NO_ROUTE ? "the probe's own kernel"
							      : an_addr(c->a, &router->icmp_from);
	if ((f = add(c, p, rule, rule->severity)) == NULL)
		return RM_ENOMEM;
	s = x->source_side ? &f->from : &f->to;
	s->zones = an_one(c->a, x->zone);
	s->nzones = 1;
	if (router != NULL)
		rc = an_evidence(c, f, router_doc, router, -1);
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (rc == RM_OK && r != router && in_zone(c, x, d, r_ref))
			rc = an_evidence(c, f, d, r,
					 an_arrived(c->ix, r_ref->to, r_ref->doc, r->port));
	}
	p->explained = true;
	return rc == RM_OK ? rule->explain(c, p, f, x) : rc;
}

/* A zone of one side that the other cannot reach at all while the zone's
 * cluster answers elsewhere: one finding scoped to the zone, merged with
 * its mirror image (the same zone seen from the other side) by an_merge. */
static int find_zone_cut(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule,
			 bool source_side)
{
	const struct rm_cluster *cl = source_side ? p->src : p->dst;
	struct an_facts x = { .source_side = source_side };
	size_t z;
	int rc = RM_OK;

	for (z = 0; z < cl->nzones && rc == RM_OK; z++) {
		x.zone = cl->zones[z];
		if (zone_cut(c, p, &x))
			rc = zone_finding(c, p, rule, &x);
	}
	return rc;
}

static int find_zone_cut_to(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	return find_zone_cut(c, p, rule, false);
}

static int find_zone_cut_from(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	return find_zone_cut(c, p, rule, true);
}

/* Ports and statuses -------------------------------------------------------- */

static enum rm_check_status first_status(unsigned set)
{
	int st = 0;

	while (st < RM_STATUS_COUNT && !(set & AN_BIT(st)))
		st++;
	return (enum rm_check_status)st;
}

static int port_finding(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule,
			uint16_t port)
{
	struct rm_finding *f = add(c, p, rule, rule->severity);
	struct an_facts x = { .port = port };
	int rc;

	if (f == NULL || set_port(c, f, port) != RM_OK)
		return RM_ENOMEM;
	FOR_CELLS(p, RM_CHECK_TCP, port, d, r)
	{
		if (x.who == NULL && r->icmp_from.family != RM_AF_NONE)
			x.who = an_addr(c->a, &r->icmp_from);
		if ((rc = an_evidence(c, f, d, r, arrived_if_silent(c, r_ref, r))) != RM_OK)
			return rc;
	}
	return rule->explain(c, p, f, &x);
}

/* One port with the row's status on every cell: a firewall between the
 * clusters, or nothing listening. */
static int find_port(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	const struct an_tally *t = &p->tcp;
	enum rm_check_status st = first_status(rule->explains);
	size_t k;
	int rc = RM_OK;

	for (k = 0; k < t->nports && rc == RM_OK; k++) {
		if (t->count[k][st] != t->total[k])
			continue;
		/* Silence on this port is a firewall only where other ports of
		 * the pair answer; silence everywhere is a cut, find_no_route's
		 * and find_return_cut's business. */
		if (st == RM_STATUS_FILTERED && t->answered == 0)
			continue;
		rc = port_finding(c, p, rule, t->port[k]);
	}
	return rc;
}

/* Some cells of the check have a status the row explains: one finding for
 * the pair, every such cell its evidence. */
static int find_status(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	struct rm_finding *f = NULL;
	struct an_facts x = { 0 };
	int rc;

	FOR_CELLS(p, rule->check, 0, d, r)
	{
		if (!explains(rule, r))
			continue;
		if (f == NULL && (f = add(c, p, rule, rule->severity)) == NULL)
			return RM_ENOMEM;
		if (x.first == NULL)
			x.first = r;
		if ((rc = an_evidence(c, f, d, r, -1)) != RM_OK)
			return rc;
	}
	if (f == NULL)
		return RM_OK;
	if (rule->by_port && set_port(c, f, x.first->port) != RM_OK)
		return RM_ENOMEM;
	return rule->explain(c, p, f, &x);
}

/* Round trips over the topology's rttWarnMs (an error over rttErrorMs). */
static int find_latency(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	const struct rm_thresholds *th = &c->topo->thresholds;
	struct rm_finding *f = NULL;
	struct an_facts x = { 0 };
	int rc;

	FOR_CELLS(p, rule->check, 0, d, r)
	{
		enum rm_severity sev = r->rtt_ms > th->rtt_error_ms ? RM_SEV_ERROR : rule->severity;

		if (!explains(rule, r) || r->rtt_ms <= th->rtt_warn_ms)
			continue;
		if (f == NULL && (f = add(c, p, rule, sev)) == NULL)
			return RM_ENOMEM;
		if (sev < f->severity)
			f->severity = sev;
		if (r->rtt_ms > x.worst)
			x.worst = r->rtt_ms;
		if ((rc = an_evidence(c, f, d, r, -1)) != RM_OK)
			return rc;
	}
	return f != NULL ? rule->explain(c, p, f, &x) : RM_OK;
}

/* Echo loss over the topology's lossWarnPct. */
static int find_loss(struct an_ctx *c, struct an_pair *p, const struct an_rule *rule)
{
	struct rm_finding *f = NULL;
	struct an_facts x = { 0 };
	int rc;

	FOR_CELLS(p, rule->check, 0, d, r)
	{
		double pct;

		if (!explains(rule, r) || r->sent == 0)
			continue;
		pct = 100.0 * (r->sent - r->received) / r->sent;
		if (pct <= c->topo->thresholds.loss_warn_pct)
			continue;
		if (f == NULL && (f = add(c, p, rule, rule->severity)) == NULL)
			return RM_ENOMEM;
		if (pct > x.worst)
			x.worst = pct;
		if ((rc = an_evidence(c, f, d, r, -1)) != RM_OK)
			return rc;
	}
	return f != NULL ? rule->explain(c, p, f, &x) : RM_OK;
}

/* The table -------------------------------------------------------------- */

#define TCP_FAILED                                                                                 \
	(AN_BIT(RM_STATUS_FILTERED) | AN_BIT(RM_STATUS_UNREACHABLE) | AN_BIT(RM_STATUS_NO_ROUTE))

/* A name that does not resolve: no such name, the server refuses the zone
 * (a resolver with no forward for it), its forward fails, or no answer. */
#define DNS_FAILED                                                                                 \
	(AN_BIT(RM_STATUS_NXDOMAIN) | AN_BIT(RM_STATUS_REFUSED) | AN_BIT(RM_STATUS_SERVFAIL) |     \
	 AN_BIT(RM_STATUS_TIMEOUT))

/* In order: addresses answered by another pod, the pair-wide cuts (a
 * finding of theirs ends the pair's rows), then one port, then one check
 * at a time. */
static const struct an_rule rules[] = {
	/* First: another pod answering is why the cuts below would fail. */
	{ RM_FINDING_ADDRESS_COLLISION, RM_SEV_ERROR, "tcp", RM_CHECK_IDENTITY,
	  AN_BIT(RM_STATUS_MISMATCH), AN_PAIR, false, find_status, an_explain_collision, true },
	{ RM_FINDING_NO_ROUTE, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, TCP_FAILED, AN_PAIR, false,
	  find_no_route, an_explain_no_route, false },
	{ RM_FINDING_ASYMMETRIC_ROUTE, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, TCP_FAILED, AN_PAIR,
	  false, find_return_cut, an_explain_asymmetric, false },
	{ RM_FINDING_NO_ROUTE, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, TCP_FAILED, AN_CROSS, false,
	  find_zone_cut_to, an_explain_zone_cut, false },
	{ RM_FINDING_NO_ROUTE, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, TCP_FAILED, AN_CROSS, false,
	  find_zone_cut_from, an_explain_zone_cut, false },
	{ RM_FINDING_FIREWALL_DROP, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, AN_BIT(RM_STATUS_FILTERED),
	  AN_PAIR, true, find_port, an_explain_firewall_drop, false },
	{ RM_FINDING_FIREWALL_REJECT, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, AN_BIT(RM_STATUS_REJECTED),
	  AN_PAIR, true, find_port, an_explain_firewall_reject, false },
	{ RM_FINDING_PORT_CLOSED, RM_SEV_ERROR, "tcp", RM_CHECK_TCP, AN_BIT(RM_STATUS_REFUSED),
	  AN_PAIR, true, find_port, an_explain_port_closed, false },
	{ RM_FINDING_SNAT, RM_SEV_ERROR, "tcp", RM_CHECK_NAT, AN_BIT(RM_STATUS_SNAT), AN_PAIR,
	  false, find_status, an_explain_snat, false },
	{ RM_FINDING_NOT_CASSANDRA, RM_SEV_ERROR, "cql", RM_CHECK_CQL, AN_BIT(RM_STATUS_NOT_CQL),
	  AN_AT_TARGET, true, find_status, an_explain_not_cassandra, false },
	{ RM_FINDING_DNS_UNRESOLVABLE, RM_SEV_ERROR, "dns", RM_CHECK_DNS, DNS_FAILED, AN_PAIR,
	  false, find_status, an_explain_unresolvable, false },
	{ RM_FINDING_DNS_WRONG_ANSWER, RM_SEV_ERROR, "dns", RM_CHECK_DNS,
	  AN_BIT(RM_STATUS_WRONG_ANSWER), AN_AT_TARGET, false, find_status, an_explain_wrong_answer,
	  false },
	{ RM_FINDING_MTU_BLACKHOLE, RM_SEV_ERROR, "udp", RM_CHECK_MTU, AN_BIT(RM_STATUS_BLACKHOLE),
	  AN_PAIR, false, find_status, an_explain_blackhole, false },
	{ RM_FINDING_HIGH_LATENCY, RM_SEV_WARNING, "icmp", RM_CHECK_ICMP,
	  AN_BIT(RM_STATUS_OK) | AN_BIT(RM_STATUS_LOSS), AN_PAIR, false, find_latency,
	  an_explain_latency, false },
	{ RM_FINDING_PACKET_LOSS, RM_SEV_WARNING, "icmp", RM_CHECK_ICMP, AN_BIT(RM_STATUS_LOSS),
	  AN_PAIR, false, find_loss, an_explain_loss, false },
};

static int analyze_pair(struct an_ctx *c, struct an_pair *p)
{
	size_t i;
	int rc = RM_OK;

	tally_tcp(p);
	for (i = 0; i < ARRAY_SIZE(rules) && rc == RM_OK && !p->explained; i++) {
		const struct an_rule *rule = &rules[i];

		if (rule->where == AN_CROSS && p->ia == p->ib)
			continue;
		if (rule->where == AN_AT_TARGET)
			continue;
		p->sees_overlap = rule->sees_overlap;
		rc = rule->find(c, p, rule);
	}
	return rc;
}

/* Target-side causes ------------------------------------------------------ */

/* The cells of every source towards one destination endpoint with a status
 * the row explains: one finding `* -> that target`, counting them all. The
 * findings of the round's destinations are made in one pass over the
 * destination clusters; at[e] is the finding of endpoint e (+1, 0: none). */
static int target_cells(struct an_ctx *c, const struct an_rule *rule, size_t b, size_t *at,
			const struct rm_result **first)
{
	const struct an_index *ix = c->ix;
	size_t a, n, i;
	int rc = RM_OK;

	for (a = 0; a < ix->nclusters && rc == RM_OK; a++) {
		const struct an_ref *v = an_bucket(ix, a, b, rule->check, &n);

		for (i = 0; i < n && rc == RM_OK; i++) {
			const struct rm_results_doc *d = ix->docs[v[i].doc];
			const struct rm_result *r = &d->results[v[i].res];
			struct rm_finding *f;

			if (!explains(rule, r) || v[i].to == AN_NONE)
				continue;
			if (at[v[i].to] == 0) {
				f = findings_add(c->out, rule->kind, rule->severity);
				if (f == NULL)
					return RM_ENOMEM;
				f->from.cluster = "*";
				f->to.cluster = ix->topo->clusters[b].name;
				f->to.probes = an_one(c->a, ix->ep[v[i].to].name);
				f->to.nprobes = 1;
				f->protocol = rule->protocol;
				if (rule->by_port && set_port(c, f, r->port) != RM_OK)
					return RM_ENOMEM;
				at[v[i].to] = c->out->n;
				first[v[i].to] = r;
			}
			rc = an_evidence(c, &c->out->v[at[v[i].to] - 1], d, r, -1);
		}
	}
	return rc;
}

static int find_at_target(struct an_ctx *c, const struct an_rule *rule)
{
	const struct an_index *ix = c->ix;
	size_t *at = rm_calloc(ix->nep + 1, sizeof(*at));
	const struct rm_result **first = rm_calloc(ix->nep + 1, sizeof(*first));
	size_t b, e;
	int rc = at != NULL && first != NULL ? RM_OK : RM_ENOMEM;

	for (b = 0; b < ix->nclusters && rc == RM_OK; b++)
		rc = target_cells(c, rule, b, at, first);
	for (e = 0; e < ix->nep && rc == RM_OK; e++)
		if (at[e] != 0)
			rc = rule->explain(c, NULL, &c->out->v[at[e] - 1],
					   &(struct an_facts){ .first = first[e] });
	rm_free(at);
	rm_free(first);
	return rc;
}

/* An expected probe that sent no results: the matrix is incomplete, and an
 * incomplete matrix is never a pass. */
static int rule_probe_missing(struct an_ctx *c)
{
	const struct an_index *ix = c->ix;
	size_t e;
	int rc = RM_OK;

	for (e = 0; e < ix->nep && rc == RM_OK; e++) {
		const struct an_endpoint *p = &ix->ep[e];
		struct rm_finding *f;

		if (p->row == AN_NONE || ix->reported[e])
			continue;
		f = findings_add(c->out, RM_FINDING_PROBE_MISSING, RM_SEV_ERROR);
		if (f == NULL)
			return RM_ENOMEM;
		f->from.cluster = ix->topo->clusters[p->cluster].name;
		f->from.probes = an_one(c->a, p->name);
		if (f->from.probes == NULL)
			return RM_ENOMEM;
		f->from.nprobes = 1;
		rc = an_explain_probe_missing(c, NULL, f, NULL);
	}
	return rc;
}

int an_rules(const struct an_index *ix, struct rm_findings *out)
{
	struct an_ctx c = { ix->topo, ix, out, out->arena };
	struct an_pair p;
	size_t a, b, i, first = out->n;
	int rc = RM_OK;

	for (a = 0; rc == RM_OK && a < ix->nclusters; a++)
		for (b = 0; rc == RM_OK && b < ix->nclusters; b++) {
			const struct rm_cluster *ca = &ix->topo->clusters[a];
			const struct rm_cluster *cb = &ix->topo->clusters[b];

			p = (struct an_pair){ .ix = ix,
					      .ia = a,
					      .ib = b,
					      .src = ca,
					      .dst = cb,
					      .from = ca->name,
					      .to = cb->name,
					      .overlaps = a != b && ranges_overlap(ca, cb) };
			rc = analyze_pair(&c, &p);
		}
	for (i = 0; i < ARRAY_SIZE(rules) && rc == RM_OK; i++)
		if (rules[i].where == AN_AT_TARGET)
			rc = find_at_target(&c, &rules[i]);
	if (rc == RM_OK)
		rc = an_merge(&c, first);
	if (rc == RM_OK)
		rc = rule_probe_missing(&c);
	if (rc == RM_OK && rm_arena_failed(c.a))
		rc = RM_ENOMEM;
	return rc;
}

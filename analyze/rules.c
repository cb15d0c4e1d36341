/* From observed cells to named causes (DESIGN.md's finding catalogue).
 * Pure: topology and results documents in, findings and the matrix out.
 *
 * The rules look at one cluster pair (A -> B) at a time, the widest scope
 * first, and a cause found for a pair hides its consequences there: a
 * missing route explains every tcp, cql, identity, mtu and path failure of
 * that pair, so no firewall-drop or port-closed is reported for it too. */
#include <stdio.h>
#include <string.h>

#include "analyze/index.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/results.h"

#define MAX_EVIDENCE 4

/* The cells of one source cluster towards one destination cluster. */
struct pair {
	const struct an_index *ix;
	size_t ia, ib; /* the clusters' indices */
	const char *from, *to;
	bool explained; /* a pair-wide cause was found: no further rules */
};

struct ctx {
	const struct rm_topology *topo;
	const struct an_index *ix;
	struct rm_findings *out;
	struct rm_arena *a;
};

static const char *ne(const char *s)
{
	return s ? s : "";
}

static const char *addr_str(struct ctx *c, const struct rm_addr *x)
{
	char buf[RM_ADDR_STRLEN];

	return ne(rm_arena_strdup(c->a, cidr_addr_format(x, buf, sizeof(buf))));
}

/* "10.200.0.0/16" or "10.200.0.0/16, 10.201.0.0/16": a cluster's pods. */
static const char *pods_of(struct ctx *c, const char *cluster)
{
	const struct rm_cluster *cl = topo_cluster(c->topo, cluster);
	const char *s = "";
	size_t r;

	for (r = 0; cl != NULL && r < cl->nranges; r++) {
		char buf[RM_PREFIX_STRLEN];

		if (cl->ranges[r].kind != RM_RANGE_PODS)
			continue;
		s = ne(rm_arena_printf(c->a, "%s%s%s", s, s[0] ? ", " : "",
				       cidr_format(&cl->ranges[r].prefix, buf, sizeof(buf))));
	}
	return s[0] ? s : cluster;
}

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
				if ((prt) == 0 || r->port == (prt))

/* Where the pair's refs of chk begin (end 0) or end (end 1). */
static const struct an_ref *bucket_at(const struct pair *p, enum rm_check chk, int end)
{
	return p->ix->refs + p->ix->bucket[an_bucket_key(p->ix, p->ia, p->ib, chk) + (size_t)end];
}

static size_t count(const struct pair *p, enum rm_check chk, uint16_t port, enum rm_check_status st,
		    size_t *total)
{
	size_t n = 0, t = 0;

	FOR_CELLS(p, chk, port, d, r)
	{
		t++;
		n += r->status == st;
	}
	if (total)
		*total = t;
	return n;
}

static struct rm_finding *add(struct ctx *c, const struct pair *p, enum rm_finding_kind kind,
			      enum rm_severity sev, const char *protocol)
{
	struct rm_finding *f = findings_add(c->out, kind, sev);

	if (f == NULL)
		return NULL;
	f->from.cluster = p->from;
	f->to.cluster = p->to;
	f->protocol = protocol;
	return f;
}

static int evidence(struct ctx *c, struct rm_finding *f, const struct rm_results_doc *d,
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
		e->address = addr_str(c, &r->icmp_from);
	else if (r->check == RM_CHECK_NAT && r->seen.family != RM_AF_NONE)
		e->address = addr_str(c, &r->seen);
	return RM_OK;
}

static int set_port(struct ctx *c, struct rm_finding *f, uint16_t port)
{
	f->ports = rm_arena_calloc(c->a, 1, sizeof(*f->ports));
	if (f->ports == NULL)
		return RM_ENOMEM;
	f->ports[0] = port;
	f->nports = 1;
	return RM_OK;
}

static const char *zone_of(const struct ctx *c, uint32_t ep)
{
	return ep == AN_NONE ? NULL : c->ix->ep[ep].zone;
}

static bool failed_tcp(enum rm_check_status st)
{
	return st == RM_STATUS_FILTERED || st == RM_STATUS_UNREACHABLE || st == RM_STATUS_NO_ROUTE;
}

/* Every tcp cell of the pair fails, and some router said "unreachable" or
 * the kernel has no route: no-route, naming the router. Every tcp cell
 * fails in silence while the far end saw the SYNs arrive: asymmetric-route. */
static int rule_pair_cut(struct ctx *c, struct pair *p)
{
	const struct rm_result *router = NULL;
	const struct rm_results_doc *router_doc = NULL;
	size_t total = 0, failed = 0, arrived = 0, asked = 0;
	struct rm_finding *f;
	int rc;

	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		total++;
		if (!failed_tcp(r->status))
			continue;
		failed++;
		if (router == NULL &&
		    (r->status == RM_STATUS_NO_ROUTE ||
		     (r->status == RM_STATUS_UNREACHABLE && r->icmp_from.family != RM_AF_NONE))) {
			router = r;
			router_doc = d;
		}
		if (r->status == RM_STATUS_FILTERED) {
			int got = an_arrived(c->ix, r_ref->to, r_ref->doc, r->port);

			asked += got >= 0;
			arrived += got == 1;
		}
	}
	if (total == 0 || failed != total)
		return RM_OK;
	/* The path check, run later, may have caught the router's answer the
	 * rate limit kept from the first round. */
	if (router == NULL) {
		FOR_CELLS(p, RM_CHECK_PATH, 0, d, r)
		{
			if (router == NULL && r->status == RM_STATUS_UNREACHABLE &&
			    r->icmp_from.family != RM_AF_NONE) {
				router = r;
				router_doc = d;
			}
		}
	}
	if (router != NULL) {
		const char *who = router->status == RM_STATUS_NO_ROUTE
				      ? "the probe's own kernel"
				      : addr_str(c, &router->icmp_from);

		f = add(c, p, RM_FINDING_NO_ROUTE, RM_SEV_ERROR, "tcp");
		if (f == NULL)
			return RM_ENOMEM;
		f->summary =
		    rm_arena_printf(c->a,
				    "%s -> %s: no route to %s's pods (%s): every connection "
				    "fails, and %s answers \"unreachable\"",
				    p->from, p->to, p->to, pods_of(c, p->to), who);
		f->remedy = rm_arena_printf(c->a,
					    "add a route for %s towards %s's nodes on %s (the VPC "
					    "route table, or BGP), and check it exists both ways",
					    pods_of(c, p->to), p->to, who);
	} else if (asked > 0 && arrived > 0) {
		f = add(c, p, RM_FINDING_ASYMMETRIC_ROUTE, RM_SEV_ERROR, "tcp");
		if (f == NULL)
			return RM_ENOMEM;
		f->summary = rm_arena_printf(c->a,
					     "%s -> %s: the SYNs arrive at %s's pods but no answer "
					     "comes back: the return path from %s to %s is missing",
					     p->from, p->to, p->to, p->to, p->from);
		f->remedy = rm_arena_printf(c->a,
					    "add the route back: from %s's nodes to %s (%s), "
					    "through the same VPC router",
					    p->to, p->from, pods_of(c, p->from));
	} else {
		return RM_OK;
	}
	/* The router's answer first: it names where the route is missing. */
	if (router != NULL && (rc = evidence(c, f, router_doc, router, -1)) != RM_OK)
		return rc;
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		if (r == router)
			continue;
		rc = evidence(c, f, d, r,
			      r->status == RM_STATUS_FILTERED
				  ? an_arrived(c->ix, r_ref->to, r_ref->doc, r->port)
				  : -1);
		if (rc != RM_OK)
			return rc;
	}
	p->explained = true;
	return f->summary && f->remedy ? RM_OK : RM_ENOMEM;
}

/* One port filtered or rejected on every cell while the pair's other ports
 * open: a firewall between the clusters. */
static int rule_port_blocked(struct ctx *c, struct pair *p, uint16_t port)
{
	size_t total = 0, filtered = 0, rejected = 0, refused = 0, answered = 0;
	const char *who = NULL;
	struct rm_finding *f;
	enum rm_check_status st;
	int rc;

	/* one pass over the pair's tcp cells for every count the rule needs */
	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		(void)d;
		answered += r->status == RM_STATUS_OPEN || r->status == RM_STATUS_REFUSED;
		if (r->port != port)
			continue;
		total++;
		filtered += r->status == RM_STATUS_FILTERED;
		rejected += r->status == RM_STATUS_REJECTED;
		refused += r->status == RM_STATUS_REFUSED;
	}
	if (total == 0)
		return RM_OK;
	/* Silence on this port is a firewall only where other ports of the
	 * pair answer; silence everywhere is a cut, rule_pair_cut's business. */
	if (filtered == total && answered == 0)
		return RM_OK;
	if (filtered == total) {
		st = RM_STATUS_FILTERED;
		f = add(c, p, RM_FINDING_FIREWALL_DROP, RM_SEV_ERROR, "tcp");
	} else if (rejected == total) {
		st = RM_STATUS_REJECTED;
		f = add(c, p, RM_FINDING_FIREWALL_REJECT, RM_SEV_ERROR, "tcp");
	} else if (refused == total) {
		st = RM_STATUS_REFUSED;
		f = add(c, p, RM_FINDING_PORT_CLOSED, RM_SEV_ERROR, "tcp");
	} else {
		return RM_OK;
	}
	if (f == NULL || set_port(c, f, port) != RM_OK)
		return RM_ENOMEM;
	FOR_CELLS(p, RM_CHECK_TCP, port, d, r)
	{
		if (who == NULL && r->icmp_from.family != RM_AF_NONE)
			who = addr_str(c, &r->icmp_from);
		rc = evidence(
		    c, f, d, r,
		    st == RM_STATUS_FILTERED ? an_arrived(c->ix, r_ref->to, r_ref->doc, port) : -1);
		if (rc != RM_OK)
			return rc;
	}
	if (st == RM_STATUS_FILTERED) {
		f->summary =
		    rm_arena_printf(c->a,
				    "%s -> %s tcp/%u is silently dropped: no answer, while "
				    "the other ports to the same pods work",
				    p->from, p->to, port);
		f->remedy =
		    rm_arena_printf(c->a,
				    "allow tcp/%u from %s to %s in the firewall between the "
				    "clusters",
				    port, pods_of(c, p->from), pods_of(c, p->to));
	} else if (st == RM_STATUS_REJECTED) {
		f->summary = rm_arena_printf(c->a,
					     "%s -> %s tcp/%u is rejected by %s (ICMP "
					     "administratively prohibited)",
					     p->from, p->to, port, ne(who));
		f->remedy = rm_arena_printf(c->a, "allow tcp/%u from %s to %s in the filter of %s",
					    port, pods_of(c, p->from), pods_of(c, p->to), ne(who));
	} else {
		f->summary = rm_arena_printf(c->a,
					     "%s -> %s tcp/%u is refused: the pods answer, but "
					     "nothing listens there",
					     p->from, p->to, port);
		f->remedy = rm_arena_printf(c->a,
					    "start the service on tcp/%u in %s's pods, or drop the "
					    "port from the expectations",
					    port, p->to);
	}
	return f->summary && f->remedy ? RM_OK : RM_ENOMEM;
}

/* Some cells of a check have one non-healthy status: one finding for the
 * pair, every such cell its evidence. */
static int rule_status(struct ctx *c, struct pair *p, enum rm_check chk, enum rm_check_status st,
		       enum rm_finding_kind kind, enum rm_severity sev, const char *protocol)
{
	struct rm_finding *f = NULL;
	const struct rm_result *first = NULL;
	int rc;

	FOR_CELLS(p, chk, 0, d, r)
	{
		if (r->status != st)
			continue;
		if (f == NULL && (f = add(c, p, kind, sev, protocol)) == NULL)
			return RM_ENOMEM;
		if (first == NULL)
			first = r;
		if ((rc = evidence(c, f, d, r, -1)) != RM_OK)
			return rc;
	}
	if (f == NULL)
		return RM_OK;
	switch (kind) {
	case RM_FINDING_SNAT:
		f->summary =
		    rm_arena_printf(c->a,
				    "%s -> %s is source-NATed: %s's pods see %s instead of "
				    "the probes' own addresses",
				    p->from, p->to, p->to, addr_str(c, &first->seen));
		f->remedy = rm_arena_printf(c->a,
					    "exempt %s -> %s from masquerading on %s's nodes "
					    "(Cassandra takes the source address as the peer's "
					    "identity)",
					    pods_of(c, p->from), pods_of(c, p->to), p->from);
		break;
	case RM_FINDING_ADDRESS_COLLISION:
		f->summary = rm_arena_printf(
		    c->a,
		    "%s -> %s: %zu addresses of %s are answered by another "
		    "pod (%s answered for %s)",
		    p->from, p->to, f->cells, p->to, ne(first->responder), first->target);
		f->remedy =
		    rm_arena_printf(c->a,
				    "give %s's pods addresses no other cluster uses: the pod "
				    "ranges overlap (see reachmap plan)",
				    p->to);
		break;
	case RM_FINDING_NOT_CASSANDRA:
		f->summary =
		    rm_arena_printf(c->a,
				    "%s -> %s: tcp/%u at %s answers, but not as Cassandra "
				    "(%s)",
				    p->from, p->to, first->port, first->target, ne(first->error));
		f->remedy = rm_arena_printf(c->a,
					    "find what listens on tcp/%u at %s and move it, or "
					    "correct the target's address in the topology",
					    first->port, first->target);
		if (set_port(c, f, first->port) != RM_OK)
			return RM_ENOMEM;
		break;
	case RM_FINDING_DNS_UNRESOLVABLE:
		f->summary = rm_arena_printf(
		    c->a,
		    "%s cannot resolve %s's names (NXDOMAIN): its DNS has no "
		    "stub domain for %s",
		    p->from, p->to,
		    ne(topo_cluster(c->topo, p->to) ? topo_cluster(c->topo, p->to)->dns_domain
						    : NULL));
		{
			const struct rm_cluster *tc = topo_cluster(c->topo, p->to);
			const char *servers = "";
			size_t k;

			for (k = 0; tc != NULL && k < tc->ndns_servers; k++)
				servers = ne(rm_arena_printf(c->a, "%s%s%s", servers, k ? ", " : "",
							     addr_str(c, &tc->dns_servers[k])));
			f->remedy = rm_arena_printf(
			    c->a,
			    "add a stub domain to %s's DNS: forward %s to %s (CoreDNS: a "
			    "server block for %s with 'forward . %s')",
			    p->from, ne(tc ? tc->dns_domain : NULL),
			    servers[0] ? servers : "its DNS servers",
			    ne(tc ? tc->dns_domain : NULL), servers[0] ? servers : "...");
		}
		break;
	case RM_FINDING_DNS_WRONG_ANSWER:
		f->summary = rm_arena_printf(c->a, "%s's DNS answers %s for %s, not its address %s",
					     p->to, ne(first->answers), ne(first->dns_name),
					     addr_str(c, &first->address));
		f->remedy = rm_arena_printf(c->a,
					    "update or expire the record of %s in %s's DNS "
					    "(a stale entry, or a cache holding an old address)",
					    ne(first->dns_name), p->to);
		break;
	case RM_FINDING_MTU_BLACKHOLE:
		f->summary = rm_arena_printf(c->a,
					     "%s -> %s: datagrams over %u bytes vanish without "
					     "\"fragmentation needed\": a path MTU black hole",
					     p->from, p->to, first->mtu_largest);
		f->remedy = rm_arena_printf(c->a,
					    "let ICMP type 3 code 4 through on the path from %s to "
					    "%s, or set the pods' MTU to %u",
					    p->from, p->to, first->mtu_largest);
		break;
	default:
		break;
	}
	return f->summary && f->remedy ? RM_OK : RM_ENOMEM;
}

static const char **one(struct ctx *c, const char *s)
{
	const char **v = rm_arena_calloc(c->a, 1, sizeof(*v));

	if (v != NULL)
		v[0] = s;
	return v;
}

/* A zone of B that A cannot reach at all while B's other zones answer (or
 * a zone of A that reaches nothing of B): the zone is cut off. One finding,
 * scoped to the zone, merged with its mirror image (the same zone seen from
 * the other side) by merge_zone_findings. */
static int rule_zone_cut(struct ctx *c, struct pair *p, bool source_side)
{
	const struct rm_cluster *cl = topo_cluster(c->topo, source_side ? p->from : p->to);
	size_t z;
	int rc;

	for (z = 0; cl != NULL && z < cl->nzones; z++) {
		const char *zone = cl->zones[z];
		size_t in = 0, failed = 0, healthy_elsewhere = 0;
		const char *last_hop = NULL;
		struct rm_finding *f;

		FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
		{
			const char *rz = source_side ? d->zone : zone_of(c, r_ref->to);
			bool here = rz != NULL && strcmp(rz, zone) == 0;

			if (here) {
				in++;
				failed += failed_tcp(r->status);
			} else if (r->status == RM_STATUS_OPEN || r->status == RM_STATUS_REFUSED) {
				healthy_elsewhere++;
			}
		}
		if (in == 0 || failed != in || healthy_elsewhere == 0)
			continue;
		FOR_CELLS(p, RM_CHECK_PATH, 0, d, r)
		{
			const char *rz = source_side ? d->zone : zone_of(c, r_ref->to);

			if (last_hop == NULL && rz != NULL && strcmp(rz, zone) == 0 &&
			    r->last_hop.family != RM_AF_NONE)
				last_hop = addr_str(c, &r->last_hop);
		}
		f = add(c, p, RM_FINDING_NO_ROUTE, RM_SEV_ERROR, "tcp");
		if (f == NULL)
			return RM_ENOMEM;
		if (source_side) {
			f->from.zones = one(c, zone);
			f->from.nzones = 1;
		} else {
			f->to.zones = one(c, zone);
			f->to.nzones = 1;
		}
		FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
		{
			const char *rz = source_side ? d->zone : zone_of(c, r_ref->to);

			if (rz != NULL && strcmp(rz, zone) == 0 &&
			    (rc = evidence(c, f, d, r,
					   an_arrived(c->ix, r_ref->to, r_ref->doc, r->port))) !=
				RM_OK)
				return rc;
		}
		f->summary = rm_arena_printf(c->a,
					     "%s's zone %s is cut off from %s: nothing answers "
					     "there%s%s, while %s's other zones work",
					     source_side ? p->from : p->to, zone,
					     source_side ? p->to : p->from,
					     last_hop ? "; the trail ends at " : "", ne(last_hop),
					     source_side ? p->from : p->to);
		f->remedy = rm_arena_printf(
		    c->a,
		    "check the routes and firewall rules for %s's zone %s subnet between the "
		    "clusters%s%s",
		    source_side ? p->from : p->to, zone, last_hop ? ", starting at " : "",
		    ne(last_hop));
		if (f->summary == NULL || f->remedy == NULL)
			return RM_ENOMEM;
		p->explained = true;
	}
	return RM_OK;
}

/* Addresses answered by the wrong pod, seen from both clusters: the same
 * overlap. One finding. */
static void merge_collisions(struct ctx *c, size_t first)
{
	size_t i, j;

	for (i = first; i < c->out->n; i++) {
		struct rm_finding *x = &c->out->v[i];

		if (x->kind != RM_FINDING_ADDRESS_COLLISION || x->to.cluster == NULL)
			continue;
		for (j = i + 1; j < c->out->n; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_ADDRESS_COLLISION || y->to.cluster == NULL ||
			    strcmp(y->from.cluster, x->to.cluster) != 0 ||
			    strcmp(y->to.cluster, x->from.cluster) != 0)
				continue;
			x->cells += y->cells;
			x->summary = rm_arena_printf(
			    c->a,
			    "%s and %s answer for each other's addresses "
			    "(%zu cells; e.g. %s): their pod ranges overlap",
			    x->from.cluster, x->to.cluster, x->cells, ne(x->summary));
			y->kind = RM_FINDING_KIND_COUNT;
		}
	}
}

/* The zone cut seen from both sides, A -> B's zone and B's zone -> A: one
 * finding. */
static void merge_zone_findings(struct ctx *c, size_t first)
{
	size_t i, j;

	merge_collisions(c, first);
	for (i = first; i < c->out->n; i++) {
		struct rm_finding *x = &c->out->v[i];

		if (x->kind != RM_FINDING_NO_ROUTE || x->to.nzones != 1)
			continue;
		for (j = first; j < c->out->n; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_NO_ROUTE || y->from.nzones != 1 ||
			    strcmp(y->from.cluster, x->to.cluster) != 0 ||
			    strcmp(y->to.cluster, x->from.cluster) != 0 ||
			    strcmp(y->from.zones[0], x->to.zones[0]) != 0)
				continue;
			x->cells += y->cells;
			x->summary = rm_arena_printf(c->a, "%s (both ways)", ne(x->summary));
			y->kind = RM_FINDING_KIND_COUNT;
		}
	}
	for (i = j = first; i < c->out->n; i++)
		if (c->out->v[i].kind != RM_FINDING_KIND_COUNT)
			c->out->v[j++] = c->out->v[i];
	c->out->n = j;
}

/* Ports seen in tcp cells of the pair, each once. */
static size_t pair_ports(const struct pair *p, uint16_t *ports, size_t cap)
{
	size_t n = 0, k;

	FOR_CELLS(p, RM_CHECK_TCP, 0, d, r)
	{
		for (k = 0; k < n && ports[k] != r->port; k++)
			;
		if (k == n && n < cap)
			ports[n++] = r->port;
	}
	return n;
}

static int rule_latency_loss(struct ctx *c, struct pair *p);

static int analyze_pair(struct ctx *c, struct pair *p)
{
	uint16_t ports[64];
	size_t n, i;
	int rc = rule_pair_cut(c, p);

	if (rc == RM_OK && !p->explained && strcmp(p->from, p->to) != 0)
		rc = rule_zone_cut(c, p, false);
	if (rc == RM_OK && !p->explained && strcmp(p->from, p->to) != 0)
		rc = rule_zone_cut(c, p, true);
	if (rc != RM_OK || p->explained)
		return rc;
	n = pair_ports(p, ports, sizeof(ports) / sizeof(ports[0]));
	for (i = 0; i < n && rc == RM_OK; i++)
		rc = rule_port_blocked(c, p, ports[i]);
	if (rc == RM_OK)
		rc = rule_status(c, p, RM_CHECK_IDENTITY, RM_STATUS_MISMATCH,
				 RM_FINDING_ADDRESS_COLLISION, RM_SEV_ERROR, "tcp");
	if (rc == RM_OK)
		rc = rule_status(c, p, RM_CHECK_NAT, RM_STATUS_SNAT, RM_FINDING_SNAT, RM_SEV_ERROR,
				 "tcp");
	/* What listens at a target is the target's: reported once, on its own
	 * cluster's pair when that sees it too. */
	if (rc == RM_OK) {
		struct pair own = { p->ix, p->ib, p->ib, p->to, p->to, false };

		if (strcmp(p->from, p->to) == 0 ||
		    count(&own, RM_CHECK_CQL, 0, RM_STATUS_NOT_CQL, NULL) == 0)
			rc = rule_status(c, p, RM_CHECK_CQL, RM_STATUS_NOT_CQL,
					 RM_FINDING_NOT_CASSANDRA, RM_SEV_ERROR, "cql");
	}
	if (rc == RM_OK)
		rc = rule_status(c, p, RM_CHECK_DNS, RM_STATUS_NXDOMAIN,
				 RM_FINDING_DNS_UNRESOLVABLE, RM_SEV_ERROR, "dns");
	/* A stale record lives in the destination's DNS: reported once, on
	 * its own pair, when it answers its own cluster wrongly too. */
	if (rc == RM_OK) {
		struct pair own = { p->ix, p->ib, p->ib, p->to, p->to, false };

		if (strcmp(p->from, p->to) == 0 ||
		    count(&own, RM_CHECK_DNS, 0, RM_STATUS_WRONG_ANSWER, NULL) == 0)
			rc = rule_status(c, p, RM_CHECK_DNS, RM_STATUS_WRONG_ANSWER,
					 RM_FINDING_DNS_WRONG_ANSWER, RM_SEV_ERROR, "dns");
	}
	if (rc == RM_OK)
		rc = rule_status(c, p, RM_CHECK_MTU, RM_STATUS_BLACKHOLE, RM_FINDING_MTU_BLACKHOLE,
				 RM_SEV_ERROR, "udp");
	if (rc == RM_OK)
		rc = rule_latency_loss(c, p);
	return rc;
}

/* RTT over the topology's thresholds (error over rttErrorMs, warning over
 * rttWarnMs), and echo loss over lossWarnPct: one finding each per pair. */
static int rule_latency_loss(struct ctx *c, struct pair *p)
{
	const struct rm_thresholds *th = &c->topo->thresholds;
	struct rm_finding *lat = NULL, *loss = NULL;
	double worst_rtt = 0, worst_loss = 0;
	int rc;

	FOR_CELLS(p, RM_CHECK_ICMP, 0, d, r)
	{
		if ((r->status == RM_STATUS_OK || r->status == RM_STATUS_LOSS) &&
		    r->rtt_ms > th->rtt_warn_ms) {
			enum rm_severity sev =
			    r->rtt_ms > th->rtt_error_ms ? RM_SEV_ERROR : RM_SEV_WARNING;

			if (lat == NULL &&
			    (lat = add(c, p, RM_FINDING_HIGH_LATENCY, sev, "icmp")) == NULL)
				return RM_ENOMEM;
			if (sev < lat->severity)
				lat->severity = sev;
			if (r->rtt_ms > worst_rtt)
				worst_rtt = r->rtt_ms;
			if ((rc = evidence(c, lat, d, r, -1)) != RM_OK)
				return rc;
		}
		if (r->status == RM_STATUS_LOSS && r->sent > 0) {
			double pct = 100.0 * (r->sent - r->received) / r->sent;

			if (pct <= th->loss_warn_pct)
				continue;
			if (loss == NULL && (loss = add(c, p, RM_FINDING_PACKET_LOSS,
							RM_SEV_WARNING, "icmp")) == NULL)
				return RM_ENOMEM;
			if (pct > worst_loss)
				worst_loss = pct;
			if ((rc = evidence(c, loss, d, r, -1)) != RM_OK)
				return rc;
		}
	}
	if (lat != NULL) {
		lat->summary = rm_arena_printf(
		    c->a,
		    "%s -> %s: round trips up to %.1f ms, over the %u ms "
		    "%s threshold",
		    p->from, p->to, worst_rtt,
		    lat->severity == RM_SEV_ERROR ? th->rtt_error_ms : th->rtt_warn_ms,
		    lat->severity == RM_SEV_ERROR ? "error" : "warning");
		lat->remedy = rm_arena_printf(c->a,
					      "look for the slow hop between %s and %s (reachmap's "
					      "path check, or mtr); Cassandra's gossip and "
					      "cross-datacenter reads feel every millisecond",
					      p->from, p->to);
		if (lat->summary == NULL || lat->remedy == NULL)
			return RM_ENOMEM;
	}
	if (loss != NULL) {
		loss->summary =
		    rm_arena_printf(c->a,
				    "%s -> %s: up to %.0f%% of echo requests are lost, over "
				    "the %.1f%% threshold",
				    p->from, p->to, worst_loss, th->loss_warn_pct);
		loss->remedy = rm_arena_printf(c->a,
					       "find the lossy link between %s and %s: interface "
					       "errors, a saturated VPN or overlay",
					       p->from, p->to);
		if (loss->summary == NULL || loss->remedy == NULL)
			return RM_ENOMEM;
	}
	return RM_OK;
}

/* An expected probe that sent no results. */
static int rule_probe_missing(struct ctx *c)
{
	const struct an_index *ix = c->ix;
	size_t e;

	for (e = 0; e < ix->nep; e++) {
		const struct an_endpoint *p = &ix->ep[e];
		const char *cluster = ix->topo->clusters[p->cluster].name;
		struct rm_finding *f;

		if (p->row == AN_NONE || ix->reported[e])
			continue;
		f = findings_add(c->out, RM_FINDING_PROBE_MISSING, RM_SEV_WARNING);
		if (f == NULL)
			return RM_ENOMEM;
		f->from.cluster = cluster;
		f->from.probes = one(c, p->name);
		if (f->from.probes == NULL)
			return RM_ENOMEM;
		f->from.nprobes = 1;
		f->summary =
		    rm_arena_printf(c->a, "probe %s of %s sent no results", p->name, cluster);
		f->remedy = rm_arena_printf(
		    c->a, "check that %s runs reachmap and can reach the collector", p->name);
		if (f->summary == NULL || f->remedy == NULL)
			return RM_ENOMEM;
	}
	return RM_OK;
}

static bool in_pods(const struct ctx *c, const char *cluster, const struct rm_addr *a)
{
	const struct rm_cluster *cl = topo_cluster(c->topo, cluster);
	size_t r;

	for (r = 0; cl != NULL && r < cl->nranges; r++)
		if (cl->ranges[r].kind == RM_RANGE_PODS && cidr_contains(&cl->ranges[r].prefix, a))
			return true;
	return false;
}

/* A missing route shows from both sides: A -> B "unreachable" (no-route)
 * and B -> A "the SYNs arrive, no answer" (asymmetric-route), one cause.
 * Keep one finding: asymmetric-route when the router without the route is
 * A's own gateway (an address of A's pods: the return path out of A is
 * what is missing), no-route otherwise. */
static int merge_route_findings(struct ctx *c, size_t first)
{
	size_t i, j, k;

	for (i = first; i < c->out->n; i++) {
		struct rm_finding *x = &c->out->v[i];
		struct rm_addr router = { 0 };

		if (x->kind != RM_FINDING_NO_ROUTE)
			continue;
		for (k = 0; k < x->nevidence; k++)
			if (x->evidence[k].address != NULL &&
			    cidr_addr_parse(x->evidence[k].address, &router) == RM_OK)
				break;
		for (j = first; j < c->out->n; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_ASYMMETRIC_ROUTE ||
			    strcmp(y->from.cluster, x->to.cluster) != 0 ||
			    strcmp(y->to.cluster, x->from.cluster) != 0)
				continue;
			x->cells += y->cells;
			if (router.family != RM_AF_NONE && in_pods(c, x->from.cluster, &router)) {
				x->kind = RM_FINDING_ASYMMETRIC_ROUTE;
				x->summary = rm_arena_printf(
				    c->a,
				    "%s's gateway %s has no route back to %s's pods (%s): %s's "
				    "SYNs arrive in %s but no answer returns, and %s's own "
				    "connections to %s fail there",
				    x->from.cluster, addr_str(c, &router), x->to.cluster,
				    pods_of(c, x->to.cluster), x->to.cluster, x->from.cluster,
				    x->from.cluster, x->to.cluster);
				x->remedy = rm_arena_printf(
				    c->a,
				    "add the route for %s on %s's gateway %s, towards the VPC",
				    pods_of(c, x->to.cluster), x->from.cluster,
				    addr_str(c, &router));
			} else {
				x->summary =
				    rm_arena_printf(c->a,
						    "%s; %s's connections to %s get no answer "
						    "back, for the same reason",
						    ne(x->summary), x->to.cluster, x->from.cluster);
			}
			y->kind = RM_FINDING_KIND_COUNT; /* merged: dropped below */
		}
	}
	for (i = j = first; i < c->out->n; i++)
		if (c->out->v[i].kind != RM_FINDING_KIND_COUNT)
			c->out->v[j++] = c->out->v[i];
	c->out->n = j;
	return RM_OK;
}

int an_rules(const struct an_index *ix, struct rm_findings *out)
{
	struct ctx c = { ix->topo, ix, out, out->arena };
	size_t a, b, first = out->n;
	int rc = RM_OK;

	for (a = 0; rc == RM_OK && a < ix->nclusters; a++)
		for (b = 0; rc == RM_OK && b < ix->nclusters; b++) {
			struct pair p = {
				ix,   a, b, ix->topo->clusters[a].name, ix->topo->clusters[b].name,
				false
			};

			rc = analyze_pair(&c, &p);
		}
	if (rc == RM_OK)
		rc = merge_route_findings(&c, first);
	if (rc == RM_OK)
		merge_zone_findings(&c, first);
	if (rc == RM_OK)
		rc = rule_probe_missing(&c);
	if (rc == RM_OK && rm_arena_failed(c.a))
		rc = RM_ENOMEM;
	return rc;
}

/* The address-plan rules of `reachmap plan`: what can be known wrong from the
 * topology alone, before any agent runs. Strings built for messages come
 * from analyze/words.h: never NULL, a failed allocation marks the arena,
 * which analyze_plan checks once at the end. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyze/words.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/cidr.h"
#include "reachmap/error.h"
#include "reachmap/reserved.h"

/* Declared addresses named in a cidr-overlap finding's evidence, at most. */
#define PLAN_MAX_ADDR_EVIDENCE 8

struct plan {
	const struct rm_topology *topo;
	struct rm_findings *out;
	struct rm_arena *a;
	/* Every declared range, for free-block searches in remedies. */
	struct rm_prefix *used;
	size_t nused;
	size_t used_cap;
};

/* A range with the cluster that declared it and its index there. */
struct range_ref {
	const struct rm_cluster *c;
	size_t ci;
	size_t ri;
	const struct rm_range *r;
};

static const char *const rfc1918[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16" };

/* The lowest free block of `len` in private space (RFC 1918 for IPv4,
 * RFC 4193 fd00::/8 for IPv6), avoiding every declared range and the
 * `extra` ones; 0 and *out, or RM_ENOTFOUND. */
static int free_block(const struct rm_prefix *used, size_t nused, int family, unsigned len,
		      struct rm_prefix *out)
{
	struct rm_prefix space;
	size_t i;

	if (family == RM_AF_INET6) {
		if (cidr_parse("fd00::/8", &space, NULL, NULL) != RM_OK)
			return RM_ENOTFOUND;
		return cidr_free_block(&space, used, nused, len, out);
	}
	for (i = 0; i < sizeof(rfc1918) / sizeof(rfc1918[0]); i++) {
		if (cidr_parse(rfc1918[i], &space, NULL, NULL) != RM_OK)
			continue;
		if (len < space.len)
			continue;
		if (cidr_free_block(&space, used, nused, len, out) == RM_OK)
			return RM_OK;
	}
	return RM_ENOTFOUND;
}

/* ", e.g. 10.0.0.0/16 (free: ...)" for a remedy, or "" when nothing is free. */
static const char *free_example(struct plan *p, const struct rm_prefix *like)
{
	struct rm_prefix fb;

	if (free_block(p->used, p->nused, like->addr.family, like->len, &fb) != RM_OK)
		return "";
	/* Later remedies must not propose the same block again. */
	if (rm_arena_grow(p->a, (void **)&p->used, &p->used_cap, p->nused + 1, sizeof(*p->used)) ==
	    RM_OK)
		p->used[p->nused++] = fb;
	return an_ne(rm_arena_printf(p->a, ", e.g. %s (free: it overlaps nothing declared)",
				     an_prefix(p->a, &fb)));
}

static const char *range_field(struct plan *p, const struct range_ref *rr)
{
	size_t k = 0, j;

	/* The index among ranges of the same kind, as the file writes it. */
	for (j = 0; j < rr->ri; j++)
		if (rr->c->ranges[j].kind == rr->r->kind)
			k++;
	return rm_arena_printf(p->a, "clusters[%zu].cidrs.%s[%zu]", rr->ci,
			       topo_range_kind_name(rr->r->kind), k);
}

static int add_range_evidence(struct plan *p, struct rm_finding *f, const struct range_ref *rr)
{
	struct rm_evidence *e = finding_add_evidence(p->out, f);

	if (e == NULL)
		return RM_ENOMEM;
	e->cluster = rr->c->name;
	e->kind = topo_range_kind_name(rr->r->kind);
	e->range = an_prefix(p->a, &rr->r->prefix);
	e->field = range_field(p, rr);
	e->line = rr->r->pos.line;
	return e->range && e->field ? RM_OK : RM_ENOMEM;
}

static int add_endpoint_evidence(struct plan *p, struct rm_finding *f, const struct rm_cluster *c,
				 size_t ci, const char *kind, size_t idx, const char *name,
				 const struct rm_addr *addr, unsigned line)
{
	struct rm_evidence *e = finding_add_evidence(p->out, f);

	if (e == NULL)
		return RM_ENOMEM;
	e->cluster = c->name;
	e->kind = kind;
	e->name = name;
	e->address = an_addr(p->a, addr);
	e->field = rm_arena_printf(p->a, "clusters[%zu].%ss[%zu].address", ci, kind, idx);
	e->line = line;
	return e->address && e->field ? RM_OK : RM_ENOMEM;
}

/* Declared probes and targets inside `shared` become evidence: they are the
 * addresses that exist, or would exist, twice. */
static int overlap_addresses(struct plan *p, struct rm_finding *f, const struct rm_prefix *shared)
{
	const struct rm_topology *t = p->topo;
	size_t ci, i, added = 0;

	for (ci = 0; ci < t->nclusters; ci++) {
		const struct rm_cluster *c = &t->clusters[ci];

		/* An entry without an address (only a dnsName) has none to
		 * check: cidr_contains is false for it. */
		for (i = 0; i < c->nprobes && added < PLAN_MAX_ADDR_EVIDENCE; i++) {
			if (!cidr_contains(shared, &c->probes[i].address))
				continue;
			if (add_endpoint_evidence(p, f, c, ci, "probe", i, c->probes[i].name,
						  &c->probes[i].address,
						  c->probes[i].pos.line) != RM_OK)
				return RM_ENOMEM;
			added++;
		}
		for (i = 0; i < c->ntargets && added < PLAN_MAX_ADDR_EVIDENCE; i++) {
			if (!cidr_contains(shared, &c->targets[i].address))
				continue;
			if (add_endpoint_evidence(p, f, c, ci, "target", i, c->targets[i].name,
						  &c->targets[i].address,
						  c->targets[i].pos.line) != RM_OK)
				return RM_ENOMEM;
			added++;
		}
	}
	return RM_OK;
}

/* "; 10.200.129.10 is declared in both clusters" when a declared address
 * of one cluster is declared in the other too, inside the shared block: the
 * overlap is not theoretical. "" otherwise. */
static const char *twice_declared(struct plan *p, const struct rm_prefix *shared,
				  const struct rm_cluster *a, const struct rm_cluster *b)
{
	const char *list = "";
	size_t i, j, n = 0;

	for (i = 0; i < a->nprobes + a->ntargets; i++) {
		const struct rm_addr *x =
		    i < a->nprobes ? &a->probes[i].address : &a->targets[i - a->nprobes].address;

		if (!cidr_contains(shared, x))
			continue;
		for (j = 0; j < b->nprobes + b->ntargets; j++) {
			const struct rm_addr *y = j < b->nprobes
						      ? &b->probes[j].address
						      : &b->targets[j - b->nprobes].address;

			if (cidr_addr_is_set(x) && cidr_addr_equal(x, y)) {
				list = an_join(p->a, list, an_addr(p->a, x));
				n++;
				break;
			}
		}
	}
	if (n == 0)
		return "";
	return an_ne(rm_arena_printf(p->a, "; %s %s declared in both clusters", an_ne(list),
				     n > 1 ? "are" : "is"));
}

static int overlap_finding(struct plan *p, const struct range_ref *x, const struct range_ref *y)
{
	struct rm_prefix shared;
	struct rm_finding *f;
	enum rm_severity sev;
	const char *xk = topo_range_kind_name(x->r->kind), *yk = topo_range_kind_name(y->r->kind);
	const char *xs = an_prefix(p->a, &x->r->prefix), *ys = an_prefix(p->a, &y->r->prefix);
	int same_cluster = x->c == y->c;
	int rc;

	if (!cidr_intersection(&x->r->prefix, &y->r->prefix, &shared))
		return RM_OK;
	if (same_cluster)
		sev = x->r->kind == y->r->kind ? RM_SEV_WARNING : RM_SEV_ERROR;
	else if (x->r->kind == RM_RANGE_SERVICES && y->r->kind == RM_RANGE_SERVICES)
		/* ClusterIPs are virtual and cluster-local: a clash matters only
		 * when services are exported across clusters. */
		sev = RM_SEV_WARNING;
	else
		sev = RM_SEV_ERROR;
	f = findings_add(p->out, RM_FINDING_CIDR_OVERLAP, sev);
	if (f == NULL || xs == NULL || ys == NULL)
		return RM_ENOMEM;
	f->from.cluster = x->c->name;
	if (!same_cluster)
		f->to.cluster = y->c->name;
	f->summary = rm_arena_printf(p->a, "%s %s %s overlaps %s %s %s (shared: %s)%s", x->c->name,
				     xk, xs, y->c->name, yk, ys, an_prefix(p->a, &shared),
				     same_cluster ? "" : twice_declared(p, &shared, x->c, y->c));
	if (same_cluster && x->r->kind == y->r->kind)
		f->remedy = rm_arena_printf(
		    p->a,
		    "list %s's %s ranges once each: drop %s or merge the "
		    "two into one range",
		    x->c->name, xk, cidr_contains_prefix(&x->r->prefix, &y->r->prefix) ? ys : xs);
	else if (same_cluster)
		f->remedy = rm_arena_printf(
		    p->a, "give %s's %s and %s disjoint ranges: move %s %s elsewhere%s", x->c->name,
		    xk, yk, yk, ys, free_example(p, &y->r->prefix));
	else if (sev == RM_SEV_WARNING)
		f->remedy = rm_arena_printf(
		    p->a,
		    "harmless while service IPs stay inside their cluster; if services are "
		    "exported across clusters (a mesh, Submariner), renumber %s's services%s",
		    y->c->name, free_example(p, &y->r->prefix));
	else
		f->remedy = rm_arena_printf(
		    p->a,
		    "renumber %s's %s to a range no other cluster uses%s; pod and node "
		    "addresses must be unique across every cluster Cassandra spans, as "
		    "Cassandra takes the address as a node's identity",
		    y->c->name, yk, free_example(p, &y->r->prefix));
	if (f->summary == NULL || f->remedy == NULL)
		return RM_ENOMEM;
	rc = add_range_evidence(p, f, x);
	if (rc == RM_OK)
		rc = add_range_evidence(p, f, y);
	if (rc == RM_OK && !same_cluster)
		rc = overlap_addresses(p, f, &shared);
	return rc;
}

static int rule_overlaps(struct plan *p, const struct range_ref *refs, size_t n)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			rc = overlap_finding(p, &refs[i], &refs[j]);
			if (rc != RM_OK)
				return rc;
		}
	return RM_OK;
}

static int rule_reserved(struct plan *p, const struct range_ref *refs, size_t n)
{
	size_t i, k, nreserved;
	const struct rm_reserved *table = rm_reserved_table(&nreserved);

	for (i = 0; i < n; i++) {
		const struct range_ref *rr = &refs[i];

		for (k = 0; k < nreserved; k++) {
			const struct rm_reserved *res = &table[k];
			struct rm_prefix shared;
			struct rm_finding *f;
			const char *rs;

			if (!(res->flags & (RM_RESERVED_PLAN_ERROR | RM_RESERVED_PLAN_WARN)) ||
			    !cidr_intersection(&rr->r->prefix, &res->prefix, &shared))
				continue;
			f = findings_add(p->out, RM_FINDING_RESERVED_RANGE,
					 res->flags & RM_RESERVED_PLAN_ERROR ? RM_SEV_ERROR
									     : RM_SEV_WARNING);
			rs = an_prefix(p->a, &rr->r->prefix);
			if (f == NULL || rs == NULL)
				return RM_ENOMEM;
			f->from.cluster = rr->c->name;
			f->summary = rm_arena_printf(p->a, "%s %s %s overlaps %s, %s", rr->c->name,
						     topo_range_kind_name(rr->r->kind), rs,
						     res->cidr, res->what);
			f->remedy = rm_arena_printf(p->a, "move %s's %s out of %s%s", rr->c->name,
						    topo_range_kind_name(rr->r->kind), res->cidr,
						    free_example(p, &rr->r->prefix));
			if (f->summary == NULL || f->remedy == NULL)
				return RM_ENOMEM;
			if (add_range_evidence(p, f, rr) != RM_OK)
				return RM_ENOMEM;
		}
	}
	return RM_OK;
}

/* Domains compare case-insensitively and without a trailing dot. */
static size_t domain_len(const char *d)
{
	size_t n = strlen(d);

	return n > 0 && d[n - 1] == '.' ? n - 1 : n;
}

static int domain_equal(const char *a, const char *b)
{
	size_t n = domain_len(a);

	return n == domain_len(b) && strncasecmp(a, b, n) == 0;
}

/* True when `inner` is a subdomain of `outer` (label boundary). */
static int domain_within(const char *inner, const char *outer)
{
	size_t ni = domain_len(inner), no = domain_len(outer);

	return ni > no && inner[ni - no - 1] == '.' && strncasecmp(inner + ni - no, outer, no) == 0;
}

static int dns_evidence(struct plan *p, struct rm_finding *f, const struct rm_cluster *c, size_t ci)
{
	struct rm_evidence *e = finding_add_evidence(p->out, f);

	if (e == NULL)
		return RM_ENOMEM;
	e->cluster = c->name;
	e->kind = "dns";
	e->name = c->dns_domain;
	e->field = rm_arena_printf(p->a, "clusters[%zu].dns.domain", ci);
	e->line = c->dns_domain_pos.line;
	return e->field ? RM_OK : RM_ENOMEM;
}

static int rule_dns(struct plan *p)
{
	const struct rm_topology *t = p->topo;
	size_t i, j;

	for (i = 0; i < t->nclusters; i++) {
		const struct rm_cluster *a = &t->clusters[i];

		if (a->dns_domain == NULL)
			continue;
		for (j = i + 1; j < t->nclusters; j++) {
			const struct rm_cluster *b = &t->clusters[j];
			struct rm_finding *f;
			int equal, a_in_b, b_in_a;

			if (b->dns_domain == NULL)
				continue;
			equal = domain_equal(a->dns_domain, b->dns_domain);
			a_in_b = domain_within(a->dns_domain, b->dns_domain);
			b_in_a = domain_within(b->dns_domain, a->dns_domain);
			if (!equal && !a_in_b && !b_in_a)
				continue;
			f = findings_add(p->out, RM_FINDING_DNS_DOMAIN_CLASH,
					 equal ? RM_SEV_ERROR : RM_SEV_WARNING);
			if (f == NULL)
				return RM_ENOMEM;
			f->from.cluster = a->name;
			f->to.cluster = b->name;
			f->protocol = "dns";
			if (equal)
				f->summary = rm_arena_printf(
				    p->a,
				    "%s and %s both use the DNS domain %s: a stub domain cannot "
				    "tell their names apart",
				    a->name, b->name, a->dns_domain);
			else
				f->summary = rm_arena_printf(
				    p->a,
				    "%s's DNS domain %s lies inside %s's %s: a stub domain for %s "
				    "also captures %s's names",
				    a_in_b ? a->name : b->name,
				    a_in_b ? a->dns_domain : b->dns_domain,
				    a_in_b ? b->name : a->name,
				    a_in_b ? b->dns_domain : a->dns_domain,
				    a_in_b ? b->dns_domain : a->dns_domain,
				    a_in_b ? a->name : b->name);
			f->remedy = rm_arena_printf(
			    p->a,
			    "give each cluster a DNS domain of its own (the kubelet's "
			    "--cluster-domain, e.g. %s.cluster.local and %s.cluster.local), then "
			    "forward each domain to its cluster's DNS servers with a stub domain",
			    a->name, b->name);
			if (f->summary == NULL || f->remedy == NULL)
				return RM_ENOMEM;
			if (dns_evidence(p, f, a, i) != RM_OK || dns_evidence(p, f, b, j) != RM_OK)
				return RM_ENOMEM;
		}
	}
	return RM_OK;
}

static int in_cluster(const struct rm_cluster *c, const struct rm_addr *a)
{
	size_t r;

	for (r = 0; r < c->nranges; r++)
		if (cidr_contains(&c->ranges[r].prefix, a))
			return 1;
	return 0;
}

/* The first range of another cluster holding `a`, or NULL. */
static const struct rm_range *in_other(const struct rm_topology *t, const struct rm_cluster *own,
				       const struct rm_addr *a, const struct rm_cluster **owner)
{
	size_t ci, r;

	for (ci = 0; ci < t->nclusters; ci++) {
		const struct rm_cluster *c = &t->clusters[ci];

		if (c == own)
			continue;
		for (r = 0; r < c->nranges; r++)
			if (cidr_contains(&c->ranges[r].prefix, a)) {
				*owner = c;
				return &c->ranges[r];
			}
	}
	return NULL;
}

/* "nodes 10.100.0.0/16, pods 10.200.0.0/16" */
static const char *cluster_ranges(struct plan *p, const struct rm_cluster *c)
{
	const char *s = "";
	size_t r;

	for (r = 0; r < c->nranges; r++)
		s = an_join(
		    p->a, s,
		    an_ne(rm_arena_printf(p->a, "%s %s", topo_range_kind_name(c->ranges[r].kind),
					  an_prefix(p->a, &c->ranges[r].prefix))));
	return s;
}

/* One declared endpoint: a probe or a target, seen through the fields both
 * have. */
struct endpoint_ref {
	const struct rm_cluster *c;
	size_t ci;
	const char *kind;
	size_t idx;
	const char *name;
	const struct rm_addr *addr;
	unsigned line;
};

/* The endpoints that declare an address: the plan checks every address
 * that is declared, and an entry with only a dnsName has none yet. */
static size_t collect_endpoints(const struct rm_topology *t, struct endpoint_ref *v)
{
	size_t ci, i, n = 0;

	for (ci = 0; ci < t->nclusters; ci++) {
		const struct rm_cluster *c = &t->clusters[ci];

		for (i = 0; i < c->nprobes; i++)
			if (cidr_addr_is_set(&c->probes[i].address))
				v[n++] = (struct endpoint_ref){ c,
								ci,
								"probe",
								i,
								c->probes[i].name,
								&c->probes[i].address,
								c->probes[i].pos.line };
		for (i = 0; i < c->ntargets; i++)
			if (cidr_addr_is_set(&c->targets[i].address))
				v[n++] = (struct endpoint_ref){ c,
								ci,
								"target",
								i,
								c->targets[i].name,
								&c->targets[i].address,
								c->targets[i].pos.line };
	}
	return n;
}

static int endpoint_evidence(struct plan *p, struct rm_finding *f, const struct endpoint_ref *e)
{
	return add_endpoint_evidence(p, f, e->c, e->ci, e->kind, e->idx, e->name, e->addr, e->line);
}

static int scope_add_probe(struct plan *p, struct rm_scope *s, const char *name)
{
	const char **v = rm_arena_calloc(p->a, s->nprobes + 1, sizeof(*v));

	if (v == NULL)
		return RM_ENOMEM;
	if (s->nprobes)
		memcpy(v, s->probes, s->nprobes * sizeof(*v));
	v[s->nprobes++] = name;
	s->probes = v;
	return RM_OK;
}

/* The same address declared twice in one cluster: one of the two pods
 * answers for the other. (Twice in two clusters is either a misplaced address
 * or lies where two clusters' ranges overlap: rule_misplaced and the
 * cidr-overlap finding explain those.) */
static int rule_duplicate_addresses(struct plan *p, const struct endpoint_ref *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct rm_finding *f = NULL;
		int seen_before = 0;

		for (j = 0; j < i && !seen_before; j++)
			seen_before = v[j].c == v[i].c && cidr_addr_equal(v[i].addr, v[j].addr);
		if (seen_before || !in_cluster(v[i].c, v[i].addr))
			continue;
		for (j = i + 1; j < n; j++) {
			if (v[j].c != v[i].c || !cidr_addr_equal(v[i].addr, v[j].addr))
				continue;
			if (f == NULL) {
				f = findings_add(p->out, RM_FINDING_ADDRESS_COLLISION,
						 RM_SEV_ERROR);
				if (f == NULL)
					return RM_ENOMEM;
				f->from.cluster = v[i].c->name;
				if (scope_add_probe(p, &f->from, v[i].name) != RM_OK ||
				    endpoint_evidence(p, f, &v[i]) != RM_OK)
					return RM_ENOMEM;
				f->summary =
				    rm_arena_printf(p->a,
						    "%s declares %s %s and %s %s at the same "
						    "address %s: one answers for the other",
						    v[i].c->name, v[i].kind, v[i].name, v[j].kind,
						    v[j].name, an_addr(p->a, v[i].addr));
				f->remedy = rm_arena_printf(
				    p->a, "give every pod of %s its own address in the topology",
				    v[i].c->name);
				if (f->summary == NULL || f->remedy == NULL)
					return RM_ENOMEM;
			}
			if (scope_add_probe(p, &f->from, v[j].name) != RM_OK ||
			    endpoint_evidence(p, f, &v[j]) != RM_OK)
				return RM_ENOMEM;
		}
	}
	return RM_OK;
}

/* An address outside its own cluster's ranges lies either in another
 * cluster's (packets to it are routed there: address-collision) or in none
 * (address-out-of-range). One finding per cluster (and other cluster), so a
 * mistake repeated over many pods is one cause. An address inside its own
 * ranges that also lies in another cluster's is a consequence of a
 * cidr-overlap, reported there. */
static int rule_misplaced(struct plan *p, const struct endpoint_ref *v, size_t n)
{
	const struct rm_topology *t = p->topo;
	size_t ci, oi, i;

	for (ci = 0; ci < t->nclusters; ci++) {
		const struct rm_cluster *c = &t->clusters[ci];

		/* oi == nclusters: the out-of-range group. */
		for (oi = 0; oi <= t->nclusters; oi++) {
			const struct rm_cluster *other =
			    oi < t->nclusters ? &t->clusters[oi] : NULL;
			const struct rm_range *where = NULL;
			struct rm_finding *f = NULL;
			const char *names = "";

			if (other == c)
				continue;
			for (i = 0; i < n; i++) {
				const struct rm_cluster *owner = NULL;
				const struct rm_range *r;

				if (v[i].c != c || in_cluster(c, v[i].addr))
					continue;
				r = in_other(t, c, v[i].addr, &owner);
				if (owner != other)
					continue;
				if (f == NULL) {
					f = findings_add(p->out,
							 other ? RM_FINDING_ADDRESS_COLLISION
							       : RM_FINDING_ADDRESS_OUT_OF_RANGE,
							 RM_SEV_ERROR);
					if (f == NULL)
						return RM_ENOMEM;
					f->from.cluster = c->name;
					if (other)
						f->to.cluster = other->name;
					where = r;
				}
				names = an_join(p->a, names,
						an_ne(rm_arena_printf(p->a, "%s %s", v[i].name,
								      an_addr(p->a, v[i].addr))));
				if (scope_add_probe(p, &f->from, v[i].name) != RM_OK ||
				    endpoint_evidence(p, f, &v[i]) != RM_OK)
					return RM_ENOMEM;
			}
			if (f == NULL)
				continue;
			if (other)
				f->summary = rm_arena_printf(
				    p->a,
				    "%s declares %s inside %s's %s %s: packets to %s go to %s",
				    c->name, names, other->name, topo_range_kind_name(where->kind),
				    an_prefix(p->a, &where->prefix),
				    f->nevidence > 1 ? "them" : "it", other->name);
			else
				f->summary = rm_arena_printf(
				    p->a, "%s declares %s outside every range of the topology",
				    c->name, names);
			f->remedy = rm_arena_printf(
			    p->a,
			    "correct the address%s to lie in %s's ranges (%s), or add the range "
			    "%s in to %s's cidrs; reachmap probes only addresses inside declared "
			    "ranges",
			    f->nevidence > 1 ? "es" : "", c->name, cluster_ranges(p, c),
			    f->nevidence > 1 ? "they live" : "it lives", c->name);
			if (f->summary == NULL || f->remedy == NULL)
				return RM_ENOMEM;
		}
	}
	return RM_OK;
}

int analyze_plan(const struct rm_topology *topo, struct rm_findings *out)
{
	struct plan p = { .topo = topo, .out = out, .a = out->arena };
	struct range_ref *refs;
	struct endpoint_ref *eps;
	size_t ci, r, n = 0, neps = 0;
	int rc;

	for (ci = 0; ci < topo->nclusters; ci++) {
		n += topo->clusters[ci].nranges;
		neps += topo->clusters[ci].nprobes + topo->clusters[ci].ntargets;
	}
	refs = rm_arena_calloc(p.a, n, sizeof(*refs));
	p.used_cap = n + 8;
	p.used = rm_arena_calloc(p.a, p.used_cap, sizeof(*p.used));
	eps = rm_arena_calloc(p.a, neps, sizeof(*eps));
	if (refs == NULL || p.used == NULL || eps == NULL)
		return RM_ENOMEM;
	for (ci = 0; ci < topo->nclusters; ci++) {
		const struct rm_cluster *c = &topo->clusters[ci];

		for (r = 0; r < c->nranges; r++) {
			refs[p.nused] = (struct range_ref){ c, ci, r, &c->ranges[r] };
			p.used[p.nused++] = c->ranges[r].prefix;
		}
	}
	neps = collect_endpoints(topo, eps);

	rc = rule_overlaps(&p, refs, n);
	if (rc == RM_OK)
		rc = rule_reserved(&p, refs, n);
	if (rc == RM_OK)
		rc = rule_dns(&p);
	if (rc == RM_OK)
		rc = rule_duplicate_addresses(&p, eps, neps);
	if (rc == RM_OK)
		rc = rule_misplaced(&p, eps, neps);
	if (rc == RM_OK && rm_arena_failed(p.a))
		rc = RM_ENOMEM;
	return rc;
}

int analyze_suggest(const struct rm_topology *topo, struct rm_suggestion *asks, size_t n)
{
	struct rm_prefix *used;
	struct rm_arena *a = rm_arena_new();
	size_t ci, r, nused = 0, total = 1 + n;
	int rc = RM_OK;

	if (a == NULL)
		return RM_ENOMEM;
	for (ci = 0; ci < topo->nclusters; ci++)
		total += topo->clusters[ci].nranges;
	used = rm_arena_calloc(a, total, sizeof(*used));
	if (used == NULL) {
		rc = RM_ENOMEM;
		goto out;
	}
	for (ci = 0; ci < topo->nclusters; ci++)
		for (r = 0; r < topo->clusters[ci].nranges; r++)
			used[nused++] = topo->clusters[ci].ranges[r].prefix;
	if (cidr_parse("172.17.0.0/16", &used[nused], NULL, NULL) == RM_OK)
		nused++;
	for (r = 0; r < n; r++) {
		if (asks[r].len < 8 || asks[r].len > 30) {
			rc = RM_EINVAL;
			goto out;
		}
		asks[r].found =
		    free_block(used, nused, RM_AF_INET, asks[r].len, &asks[r].prefix) == RM_OK;
		if (asks[r].found)
			used[nused++] = asks[r].prefix;
	}
out:
	rm_arena_free(a);
	return rc;
}

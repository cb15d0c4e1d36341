/* The words of the round's findings: one explain function per row of the
 * rules table (rules.c), and the words of a cause merged from both sides
 * (merge.c). A summary says what is wrong where; a remedy, what to change
 * and on which side. */
#include <stdbool.h>
#include <string.h>

#include "analyze/rules.h"
#include "analyze/words.h"
#include "reachmap/error.h"

static int written(const struct rm_finding *f)
{
	return f->summary != NULL && f->remedy != NULL ? RM_OK : RM_ENOMEM;
}

int an_explain_no_route(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s: no route to %s's pods (%s): every connection "
				     "fails, and %s answers \"unreachable\"",
				     p->from, p->to, p->to, an_pods(c->a, p->dst), x->who);
	f->remedy = rm_arena_printf(c->a,
				    "add a route for %s towards %s's nodes on %s (the VPC "
				    "route table, or BGP), and check it exists both ways",
				    an_pods(c->a, p->dst), p->to, x->who);
	return written(f);
}

int an_explain_asymmetric(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			  const struct an_facts *x)
{
	(void)x;
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s: the SYNs arrive at %s's pods but no answer "
				     "comes back: the return path from %s to %s is missing",
				     p->from, p->to, p->to, p->to, p->from);
	f->remedy = rm_arena_printf(c->a,
				    "add the route back: from %s's nodes to %s (%s), "
				    "through the same VPC router",
				    p->to, p->from, an_pods(c->a, p->src));
	return written(f);
}

/* A zone cut, in its direction: "east's zone c -> west" when the zone's
 * own traffic fails, "west -> east's zone c" when traffic to it does. With
 * an ICMP answer its sender is where the route or filter is missing;
 * without one, where the path check's trail ends is where to start. */
int an_explain_zone_cut(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			const struct an_facts *x)
{
	const char *side = x->source_side ? p->from : p->to;
	const char *zone = rm_arena_printf(c->a, "%s's zone %s", side, x->zone);
	const char *from = x->source_side ? zone : p->from;
	const char *to = x->source_side ? p->to : zone;

	if (x->who != NULL) {
		f->summary = rm_arena_printf(c->a,
					     "%s -> %s: every connection fails, and %s answers "
					     "\"unreachable\", while %s's other zones work",
					     from, to, x->who, side);
		f->remedy =
		    rm_arena_printf(c->a, "fix the route or filter on %s for traffic from %s to %s",
				    x->who, from, to);
		return written(f);
	}
	f->summary = rm_arena_printf(
	    c->a, "%s -> %s: nothing answers%s%s, while %s's other zones work", from, to,
	    x->last_hop ? "; the trail ends at " : "", an_ne(x->last_hop), side);
	f->remedy = rm_arena_printf(c->a,
				    "check the routes and firewall rules for %s's subnet "
				    "between the clusters%s%s",
				    zone, x->last_hop ? ", starting at " : "", an_ne(x->last_hop));
	return written(f);
}

int an_explain_firewall_drop(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			     const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s tcp/%u is silently dropped: no answer, while "
				     "the other ports to the same pods work",
				     p->from, p->to, x->port);
	f->remedy = rm_arena_printf(c->a,
				    "allow tcp/%u from %s to %s in the firewall between the "
				    "clusters",
				    x->port, an_pods(c->a, p->src), an_pods(c->a, p->dst));
	return written(f);
}

int an_explain_firewall_reject(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			       const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s tcp/%u is rejected by %s (ICMP "
				     "administratively prohibited)",
				     p->from, p->to, x->port, an_ne(x->who));
	f->remedy = rm_arena_printf(c->a, "allow tcp/%u from %s to %s in the filter of %s", x->port,
				    an_pods(c->a, p->src), an_pods(c->a, p->dst), an_ne(x->who));
	return written(f);
}

int an_explain_port_closed(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			   const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s tcp/%u is refused: the pods answer, but "
				     "nothing listens there",
				     p->from, p->to, x->port);
	f->remedy = rm_arena_printf(c->a,
				    "start the service on tcp/%u in %s's pods, or drop the "
				    "port from the expectations",
				    x->port, p->to);
	return written(f);
}

/* The address, the pod that was meant and the one that answered. */
int an_explain_collision(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			 const struct an_facts *x)
{
	const struct rm_result *r = x->first;

	f->summary = rm_arena_printf(c->a,
				     "%s -> %s: %s is %s's address in %s, and %s answers there; "
				     "%zu cells answered by another pod",
				     p->from, p->to, an_addr(c->a, &r->address), r->target, p->to,
				     an_ne(r->responder), f->cells);
	f->remedy = rm_arena_printf(c->a,
				    "give %s's pods addresses no other cluster uses: the pod "
				    "ranges overlap (see reachmap plan)",
				    p->to);
	return written(f);
}

int an_explain_snat(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
		    const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s is source-NATed: %s's pods see %s instead of "
				     "the probes' own addresses",
				     p->from, p->to, p->to, an_addr(c->a, &x->first->seen));
	f->remedy = rm_arena_printf(c->a,
				    "exempt %s -> %s from masquerading on %s's nodes "
				    "(Cassandra takes the source address as the peer's "
				    "identity)",
				    an_pods(c->a, p->src), an_pods(c->a, p->dst), p->from);
	return written(f);
}

/* Target-side findings (p NULL): f->to names the target, f->cells counts
 * the sources' cells. */
int an_explain_not_cassandra(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			     const struct an_facts *x)
{
	const struct rm_result *r = x->first;

	(void)p;
	f->summary = rm_arena_printf(c->a,
				     "* -> %s (%s): tcp/%u answers, but not as Cassandra (%s); "
				     "%zu cells",
				     r->target, f->to.cluster, r->port, an_ne(r->error), f->cells);
	f->remedy = rm_arena_printf(c->a,
				    "find what listens on tcp/%u at %s and move it, or "
				    "correct the target's address in the topology",
				    r->port, r->target);
	return written(f);
}

/* When other names of the destination cluster resolve from the source
 * cluster, the domain's path works and the failing names are the fault
 * (a pod gone, a dnsName mistyped): "east-b-0's name N, ..." in
 * the arena, or NULL when no name of the pair resolved. */
static const char *missing_names(struct an_ctx *c, const struct an_pair *p)
{
	const struct an_ref *v;
	const char *list = "";
	size_t n, i, ok = 0, listed = 0;

	v = an_bucket(c->ix, p->ia, p->ib, RM_CHECK_DNS, &n);
	for (i = 0; i < n; i++) {
		const struct rm_result *r = an_result(c->ix, &v[i]);
		enum rm_check_status st = r->status;

		if (st == RM_STATUS_OK || st == RM_STATUS_WRONG_ANSWER) {
			ok++;
			continue;
		}
		if (listed < 4 && r->dns_name != NULL && strstr(list, r->dns_name) == NULL) {
			list = an_join(
			    c->a, list,
			    an_ne(rm_arena_printf(c->a, "%s's name %s", r->target, r->dns_name)));
			listed++;
		}
	}
	return ok > 0 && listed > 0 ? list : NULL;
}

int an_explain_unresolvable(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			    const struct an_facts *x)
{
	const char *names = missing_names(c, p);
	const char *domain = an_ne(p->dst->dns_domain);
	const char *servers = an_dns_servers(c->a, p->dst);
	const char *to = servers[0] ? servers : "its DNS servers";
	const char *why;
	bool forwarded = false; /* a forward exists but gets no good answer */

	switch (x->first->status) {
	case RM_STATUS_REFUSED:
		why = "REFUSED: its DNS has no forward for";
		break;
	case RM_STATUS_SERVFAIL:
		why = "SERVFAIL: its DNS fails to forward";
		forwarded = true;
		break;
	case RM_STATUS_TIMEOUT:
		why = "no answer: its DNS does not answer, or its forward gets no answer, for";
		forwarded = true;
		break;
	default:
		why = "NXDOMAIN: its DNS has no stub domain for";
		break;
	}
	if (names != NULL && x->first->status == RM_STATUS_NXDOMAIN) {
		f->summary = rm_arena_printf(c->a,
					     "%s cannot resolve %s (NXDOMAIN), while %s's other "
					     "names resolve: no such record",
					     p->from, names, p->to);
		f->remedy = rm_arena_printf(c->a,
					    "check that the pod and its service exist in %s, or "
					    "correct the dnsName in the topology",
					    p->to);
		return written(f);
	}
	f->summary = rm_arena_printf(c->a, "%s cannot resolve %s's names (%s %s)", p->from, p->to,
				     why, domain);
	if (forwarded)
		f->remedy =
		    rm_arena_printf(c->a,
				    "check the forward of %s in %s's DNS: it must point at %s, "
				    "and %s's DNS must be reachable from %s's on udp and tcp/53",
				    domain, p->from, to, p->to, p->from);
	else
		f->remedy =
		    rm_arena_printf(c->a,
				    "add a stub domain to %s's DNS: forward %s to %s (CoreDNS: "
				    "a server block for %s with 'forward . %s')",
				    p->from, domain, to, domain, servers[0] ? servers : "...");
	return written(f);
}

int an_explain_wrong_answer(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			    const struct an_facts *x)
{
	const struct rm_result *r = x->first;

	(void)p;
	/* A target with no address of its own (only a dnsName) is wrong only
	 * when its name has no address at all of the family asked. */
	if (!cidr_addr_is_set(&r->address))
		f->summary = rm_arena_printf(c->a,
					     "* -> %s (%s): %s's DNS has no address for %s (%s); "
					     "%zu cells",
					     r->target, f->to.cluster, f->to.cluster,
					     an_ne(r->dns_name), an_ne(r->error), f->cells);
	else
		f->summary = rm_arena_printf(
		    c->a, "* -> %s (%s): %s's DNS answers %s for %s, not its address %s; %zu cells",
		    r->target, f->to.cluster, f->to.cluster, an_ne(r->answers), an_ne(r->dns_name),
		    an_addr(c->a, &r->address), f->cells);
	f->remedy = rm_arena_printf(c->a,
				    "update or expire the record of %s in %s's DNS "
				    "(a stale entry, or a cache holding an old address)",
				    an_ne(r->dns_name), f->to.cluster);
	return written(f);
}

int an_explain_blackhole(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			 const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s: datagrams over %u bytes vanish without "
				     "\"fragmentation needed\": a path MTU black hole",
				     p->from, p->to, x->first->mtu_largest);
	f->remedy = rm_arena_printf(c->a,
				    "let ICMP type 3 code 4 through on the path from %s to "
				    "%s, or set the pods' MTU to %u",
				    p->from, p->to, x->first->mtu_largest);
	return written(f);
}

int an_explain_latency(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
		       const struct an_facts *x)
{
	const struct rm_thresholds *th = &c->topo->thresholds;
	bool error = f->severity == RM_SEV_ERROR;

	f->summary =
	    rm_arena_printf(c->a,
			    "%s -> %s: round trips up to %.1f ms, over the %u ms "
			    "%s threshold",
			    p->from, p->to, x->worst, error ? th->rtt_error_ms : th->rtt_warn_ms,
			    error ? "error" : "warning");
	f->remedy = rm_arena_printf(c->a,
				    "look for the slow hop between %s and %s (reachmap's "
				    "path check, or mtr); Cassandra's gossip and "
				    "cross-datacenter reads feel every millisecond",
				    p->from, p->to);
	return written(f);
}

int an_explain_loss(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
		    const struct an_facts *x)
{
	f->summary = rm_arena_printf(c->a,
				     "%s -> %s: up to %.0f%% of echo requests are lost, over "
				     "the %.1f%% threshold",
				     p->from, p->to, x->worst, c->topo->thresholds.loss_warn_pct);
	f->remedy = rm_arena_printf(c->a,
				    "find the lossy link between %s and %s: interface "
				    "errors, a saturated VPN or overlay",
				    p->from, p->to);
	return written(f);
}

int an_explain_probe_missing(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			     const struct an_facts *x)
{
	const char *probe = f->from.probes[0];

	(void)p;
	(void)x;
	f->summary =
	    rm_arena_printf(c->a, "probe %s of %s sent no results", probe, f->from.cluster);
	f->remedy =
	    rm_arena_printf(c->a, "check that %s runs reachmap and can reach the collector", probe);
	return written(f);
}

int an_explain_unexplained(struct an_ctx *c, const struct an_pair *p, struct rm_finding *f,
			   const struct an_facts *x)
{
	(void)p;
	f->summary =
	    rm_arena_printf(c->a, "%s -> %s: %zu %s cells fail and no rule explains them (%s)",
			    f->from.cluster, f->to.cluster, f->cells, f->protocol, x->counted);
	f->remedy =
	    rm_arena_printf(c->a, "look at the cells in the evidence from both ends (reachmap "
				  "top shows each cell's detail); the verdict fails until they "
				  "work or a finding explains them");
	if (x->nblind == 0)
		return written(f);
	/* Without the far end's capture a request lost on the way and an
	 * answer lost on the way back look the same from both ends. */
	f->summary = rm_arena_printf(
	    c->a,
	    "%s; %s %s could not capture (reachmap without CAP_NET_RAW), so whether the "
	    "requests arrived is not known: a request lost on the way is not told from an "
	    "answer lost on the way back",
	    f->summary, x->nblind == 1 ? "the far end" : "the far ends", x->blind);
	f->remedy = rm_arena_printf(c->a,
				    "run reachmap at %s with CAP_NET_RAW (manifests component "
				    "raw-mode) so its capture says which way is lost; %s",
				    x->blind, f->remedy);
	return written(f);
}

int an_explain_collision_both(struct an_ctx *c, struct rm_finding *x)
{
	x->summary = rm_arena_printf(c->a,
				     "%s and %s answer for each other's addresses (%zu cells): "
				     "their pod ranges overlap; %s",
				     x->from.cluster, x->to.cluster, x->cells, an_ne(x->summary));
	return x->summary != NULL ? RM_OK : RM_ENOMEM;
}

/* y, the same zone's cut in the other direction, merged into x. When y's
 * requests arrived at the far end, its failure is x's cause seen from the
 * other side: the answers take x's broken direction back. */
int an_explain_zone_both(struct an_ctx *c, struct rm_finding *x, const struct rm_finding *y)
{
	size_t k;
	bool arrived = false;

	for (k = 0; k < y->nevidence; k++)
		arrived |= y->evidence[k].arrived == 1;
	if (arrived)
		x->summary = rm_arena_printf(c->a,
					     "%s; the other way the requests arrive, and the "
					     "answers are lost on the way back",
					     an_ne(x->summary));
	else
		x->summary = rm_arena_printf(c->a, "%s (both ways)", an_ne(x->summary));
	return x->summary != NULL ? RM_OK : RM_ENOMEM;
}

int an_explain_route_both(struct an_ctx *c, struct rm_finding *x)
{
	x->summary = rm_arena_printf(c->a,
				     "%s; %s's connections to %s get no answer "
				     "back, for the same reason",
				     an_ne(x->summary), x->to.cluster, x->from.cluster);
	return x->summary != NULL ? RM_OK : RM_ENOMEM;
}

int an_explain_gateway(struct an_ctx *c, struct rm_finding *x, const struct rm_addr *router)
{
	const char *pods = an_pods(c->a, topo_cluster(c->topo, x->to.cluster));
	const char *gw = an_addr(c->a, router);

	x->summary = rm_arena_printf(c->a,
				     "%s's gateway %s has no route back to %s's pods (%s): %s's "
				     "SYNs arrive in %s but no answer returns, and %s's own "
				     "connections to %s fail there",
				     x->from.cluster, gw, x->to.cluster, pods, x->to.cluster,
				     x->from.cluster, x->from.cluster, x->to.cluster);
	x->remedy =
	    rm_arena_printf(c->a, "add the route for %s on %s's gateway %s, towards the VPC", pods,
			    x->from.cluster, gw);
	return written(x);
}

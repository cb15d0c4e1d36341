/* One cause seen from both sides of a pair is one finding: the rules look
 * at A -> B and B -> A apart, and these merges join what they found. */
#include <string.h>

#include "analyze/rules.h"
#include "analyze/words.h"
#include "reachmap/error.h"

/* y is x seen from the other side: y's source is x's destination and the
 * other way round. */
static bool mirrored(const struct rm_finding *x, const struct rm_finding *y)
{
	return strcmp(y->from.cluster, x->to.cluster) == 0 &&
	       strcmp(y->to.cluster, x->from.cluster) == 0;
}

/* Marks y merged into x; drop_merged removes it. */
static void absorb(struct rm_finding *x, struct rm_finding *y)
{
	x->cells += y->cells;
	y->kind = RM_FINDING_KIND_COUNT;
}

static void drop_merged(struct rm_findings *out, size_t first)
{
	size_t i, j;

	for (i = j = first; i < out->n; i++)
		if (out->v[i].kind != RM_FINDING_KIND_COUNT)
			out->v[j++] = out->v[i];
	out->n = j;
}

/* The router named in a finding's evidence, or family RM_AF_NONE. */
static struct rm_addr router_of(const struct rm_finding *x)
{
	struct rm_addr router = { 0 };
	size_t k;

	for (k = 0; k < x->nevidence; k++)
		if (x->evidence[k].address != NULL &&
		    cidr_addr_parse(x->evidence[k].address, &router) == RM_OK)
			break;
	return router;
}

/* A missing route shows from both sides: A -> B "unreachable" (no-route)
 * and B -> A "the SYNs arrive, no answer" (asymmetric-route), one cause.
 * Keep one finding: asymmetric-route when the router without the route is
 * A's own gateway (an address of A's pods: the return path out of A is
 * what is missing), no-route otherwise. */
static int merge_routes(struct an_ctx *c, size_t first)
{
	size_t i, j;
	int rc = RM_OK;

	for (i = first; i < c->out->n && rc == RM_OK; i++) {
		struct rm_finding *x = &c->out->v[i];
		struct rm_addr router;

		if (x->kind != RM_FINDING_NO_ROUTE)
			continue;
		router = router_of(x);
		for (j = first; j < c->out->n && rc == RM_OK; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_ASYMMETRIC_ROUTE || !mirrored(x, y))
				continue;
			absorb(x, y);
			if (router.family != RM_AF_NONE &&
			    an_in_pods(topo_cluster(c->topo, x->from.cluster), &router)) {
				x->kind = RM_FINDING_ASYMMETRIC_ROUTE;
				rc = an_explain_gateway(c, x, &router);
			} else {
				rc = an_explain_route_both(c, x);
			}
		}
	}
	drop_merged(c->out, first);
	return rc;
}

/* Addresses answered by the wrong pod, seen from both clusters: the same
 * overlap. */
static int merge_collisions(struct an_ctx *c, size_t first)
{
	size_t i, j;
	int rc = RM_OK;

	for (i = first; i < c->out->n && rc == RM_OK; i++) {
		struct rm_finding *x = &c->out->v[i];

		if (x->kind != RM_FINDING_ADDRESS_COLLISION || x->to.cluster == NULL)
			continue;
		for (j = i + 1; j < c->out->n && rc == RM_OK; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_ADDRESS_COLLISION || y->to.cluster == NULL ||
			    !mirrored(x, y))
				continue;
			absorb(x, y);
			rc = an_explain_collision_both(c, x);
		}
	}
	return rc;
}

/* The zone cut seen from both sides, A -> B's zone and B's zone -> A. */
static int merge_zones(struct an_ctx *c, size_t first)
{
	size_t i, j;
	int rc = RM_OK;

	for (i = first; i < c->out->n && rc == RM_OK; i++) {
		struct rm_finding *x = &c->out->v[i];

		if (x->kind != RM_FINDING_NO_ROUTE || x->to.nzones != 1)
			continue;
		for (j = first; j < c->out->n && rc == RM_OK; j++) {
			struct rm_finding *y = &c->out->v[j];

			if (y->kind != RM_FINDING_NO_ROUTE || y->from.nzones != 1 ||
			    !mirrored(x, y) || strcmp(y->from.zones[0], x->to.zones[0]) != 0)
				continue;
			/* The direction an ICMP answer names the router of is the
			 * one that fails; the other is its consequence. */
			if (router_of(x).family == RM_AF_NONE &&
			    router_of(y).family != RM_AF_NONE) {
				struct rm_finding t = *x;

				*x = *y;
				*y = t;
			}
			absorb(x, y);
			rc = an_explain_zone_both(c, x, y);
		}
	}
	drop_merged(c->out, first);
	return rc;
}

int an_merge(struct an_ctx *c, size_t first)
{
	int rc = merge_routes(c, first);

	if (rc == RM_OK)
		rc = merge_collisions(c, first);
	if (rc == RM_OK)
		rc = merge_zones(c, first);
	return rc;
}

/* The topology's expectations (DESIGN.md, "expect"), judged cell by cell:
 * what `reachmap check` and the JUnit report will build on. */
#include <string.h>

#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/results.h"

#define MAX_VIOLATIONS 8

static bool matches(const char *rule, const char *cluster)
{
	return strcmp(rule, "*") == 0 || strcmp(rule, cluster) == 0;
}

static bool covers_port(const struct rm_topology *t, const struct rm_expect *e, uint16_t port)
{
	size_t i;

	for (i = 0; i < e->nports; i++)
		if (t->ports[e->ports[i]].port == port)
			return true;
	return false;
}

static bool meets(const struct rm_expect *e, enum rm_check_status st)
{
	switch (e->reach) {
	case RM_REACH_OPEN:
		return st == RM_STATUS_OPEN;
	case RM_REACH_BLOCKED:
		return st == RM_STATUS_FILTERED || st == RM_STATUS_REJECTED ||
		       st == RM_STATUS_UNREACHABLE || st == RM_STATUS_NO_ROUTE;
	case RM_REACH_RESOLVES:
		return st == RM_STATUS_OK;
	}
	return false;
}

static struct rm_expectation_pair *pair_of(struct rm_expectation_result *x, const char *from,
					   const char *to)
{
	size_t i;

	for (i = 0; i < x->npairs; i++)
		if (strcmp(x->pairs[i].from, from) == 0 && strcmp(x->pairs[i].to, to) == 0)
			return &x->pairs[i];
	return NULL;
}

int analyze_expectations(struct rm_report *report, const struct rm_results_doc *const *docs,
			 size_t ndocs)
{
	const struct rm_topology *t = report->topo;
	struct rm_arena *a = report->findings.arena;
	size_t k, d, i;

	report->nexpectations = t->nexpect;
	report->expectations = rm_arena_calloc(a, t->nexpect + 1, sizeof(*report->expectations));
	if (report->expectations == NULL)
		return RM_ENOMEM;
	for (k = 0; k < t->nexpect; k++) {
		const struct rm_expect *e = &t->expect[k];
		struct rm_expectation_result *x = &report->expectations[k];
		size_t cap = 0;

		x->rule = e;
		x->pairs = rm_arena_calloc(a, t->nclusters * t->nclusters + 1, sizeof(*x->pairs));
		if (x->pairs == NULL)
			return RM_ENOMEM;
		for (d = 0; d < t->nclusters; d++)
			for (i = 0; i < t->nclusters; i++)
				if (matches(e->from, t->clusters[d].name) &&
				    matches(e->to, t->clusters[i].name)) {
					x->pairs[x->npairs].from = t->clusters[d].name;
					x->pairs[x->npairs].to = t->clusters[i].name;
					x->npairs++;
				}
		for (d = 0; d < ndocs; d++) {
			const struct rm_results_doc *doc = docs[d];

			if (!matches(e->from, doc->cluster))
				continue;
			for (i = 0; i < doc->nresults; i++) {
				const struct rm_result *r = &doc->results[i];
				struct rm_expectation_pair *pp;
				struct rm_evidence *v;

				if (!matches(e->to, r->target_cluster))
					continue;
				if (e->reach == RM_REACH_RESOLVES
					? r->check != RM_CHECK_DNS
					: r->check != RM_CHECK_TCP || !covers_port(t, e, r->port))
					continue;
				pp = pair_of(x, doc->cluster, r->target_cluster);
				x->cells++;
				if (pp)
					pp->cells++;
				if (meets(e, r->status))
					continue;
				x->failed++;
				if (pp)
					pp->failed++;
				if (x->nviolations >= MAX_VIOLATIONS)
					continue;
				if (rm_arena_grow(a, (void **)&x->violations, &cap,
						  x->nviolations + 1,
						  sizeof(*x->violations)) != RM_OK)
					return RM_ENOMEM;
				v = &x->violations[x->nviolations++];
				memset(v, 0, sizeof(*v));
				v->from = doc->probe;
				v->to = r->target;
				v->check = rm_check_name(r->check);
				v->port = r->port;
				v->status = rm_status_name(r->status);
				v->arrived = -1;
			}
		}
		if (x->failed > 0)
			report->pass = 0;
	}
	return RM_OK;
}

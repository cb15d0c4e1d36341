/* The topology's expectations (DESIGN.md, "expect"), judged cell by cell:
 * what `reachmap check` and the JUnit report will build on. */
#include <string.h>

#include "analyze/index.h"
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

int an_expectations(const struct an_index *ix, struct rm_report *report)
{
	const struct rm_topology *t = report->topo;
	struct rm_arena *a = report->findings.arena;
	size_t k, ca, cb, i, n;

	report->nexpectations = t->nexpect;
	report->expectations = rm_arena_calloc(a, t->nexpect + 1, sizeof(*report->expectations));
	if (report->expectations == NULL)
		return RM_ENOMEM;
	for (k = 0; k < t->nexpect; k++) {
		const struct rm_expect *e = &t->expect[k];
		struct rm_expectation_result *x = &report->expectations[k];
		enum rm_check chk = e->reach == RM_REACH_RESOLVES ? RM_CHECK_DNS : RM_CHECK_TCP;
		size_t cap = 0;

		x->rule = e;
		x->pairs = rm_arena_calloc(a, t->nclusters * t->nclusters + 1, sizeof(*x->pairs));
		if (x->pairs == NULL)
			return RM_ENOMEM;
		for (ca = 0; ca < t->nclusters; ca++)
			for (cb = 0; cb < t->nclusters; cb++) {
				struct rm_expectation_pair *pp;
				const struct an_ref *v;

				if (!matches(e->from, t->clusters[ca].name) ||
				    !matches(e->to, t->clusters[cb].name))
					continue;
				pp = &x->pairs[x->npairs++];
				pp->from = t->clusters[ca].name;
				pp->to = t->clusters[cb].name;
				v = an_bucket(ix, ca, cb, chk, &n);
				for (i = 0; i < n; i++) {
					const struct rm_results_doc *doc = ix->docs[v[i].doc];
					const struct rm_result *r = &doc->results[v[i].res];
					struct rm_evidence *ev;

					if (chk == RM_CHECK_TCP && !covers_port(t, e, r->port))
						continue;
					x->cells++;
					pp->cells++;
					if (meets(e, r->status))
						continue;
					x->failed++;
					pp->failed++;
					if (x->nviolations >= MAX_VIOLATIONS)
						continue;
					if (rm_arena_grow(a, (void **)&x->violations, &cap,
							  x->nviolations + 1,
							  sizeof(*x->violations)) != RM_OK)
						return RM_ENOMEM;
					ev = &x->violations[x->nviolations++];
					memset(ev, 0, sizeof(*ev));
					ev->from = doc->probe;
					ev->to = r->target;
					ev->check = rm_check_name(r->check);
					ev->port = r->port;
					ev->status = rm_status_name(r->status);
					ev->arrived = -1;
				}
			}
		if (x->failed > 0)
			report->pass = 0;
	}
	return RM_OK;
}

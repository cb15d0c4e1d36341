/* The reachability matrix: how many cells of each check had each status,
 * per cluster pair (every pair of the topology, also when nothing was
 * measured) and per probe and destination. */
#include <string.h>

#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/results.h"

static struct rm_pair_counts *find(struct rm_pair_counts *v, size_t n, const char *from,
				   const char *to)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].from, from) == 0 && strcmp(v[i].to, to) == 0)
			return &v[i];
	return NULL;
}

int analyze_matrix(const struct rm_topology *topo, const struct rm_results_doc *const *docs,
		   size_t ndocs, struct rm_arena *arena, struct rm_matrix *out)
{
	size_t a, b, d, i, total = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	out->clusters =
	    rm_arena_calloc(arena, topo->nclusters * topo->nclusters + 1, sizeof(*out->clusters));
	if (out->clusters == NULL)
		return RM_ENOMEM;
	for (a = 0; a < topo->nclusters; a++)
		for (b = 0; b < topo->nclusters; b++) {
			out->clusters[out->nclusters].from = topo->clusters[a].name;
			out->clusters[out->nclusters].to = topo->clusters[b].name;
			out->nclusters++;
		}
	for (d = 0; d < ndocs; d++)
		total += docs[d]->nresults;
	for (d = 0; d < ndocs; d++) {
		const struct rm_results_doc *doc = docs[d];

		for (i = 0; i < doc->nresults; i++) {
			const struct rm_result *r = &doc->results[i];
			struct rm_pair_counts *cp =
			    find(out->clusters, out->nclusters, doc->cluster, r->target_cluster);
			struct rm_pair_counts *pp =
			    find(out->probes, out->nprobes, doc->probe, r->target);

			if (cp != NULL)
				cp->counts[r->check][r->status]++;
			if (pp == NULL) {
				if (rm_arena_grow(arena, (void **)&out->probes, &cap,
						  out->nprobes + 1, sizeof(*out->probes)) != RM_OK)
					return RM_ENOMEM;
				pp = &out->probes[out->nprobes++];
				memset(pp, 0, sizeof(*pp));
				pp->from = doc->probe;
				pp->to = r->target;
			}
			pp->counts[r->check][r->status]++;
			if (r->check == RM_CHECK_TCP) {
				size_t k;

				for (k = 0; k < pp->nports && pp->ports[k] != r->port; k++)
					;
				if (k == pp->nports && k < RM_MATRIX_PORTS)
					pp->ports[pp->nports++] = r->port;
				if (k < pp->nports)
					pp->port_counts[k][r->status]++;
			}
		}
	}
	(void)total;
	return RM_OK;
}

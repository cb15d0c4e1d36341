/* The reachability matrix: how many cells of each check had each status,
 * per cluster pair (every pair of the topology, also when nothing was
 * measured) and per probe and destination. */
#include <stdint.h>
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

/* FNV-1a over both names: the probe-pair index, so a round of a thousand
 * probes is counted in linear time. */
static uint64_t pair_hash(const char *from, const char *to)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (; *from; from++)
		h = (h ^ (uint8_t)*from) * UINT64_C(1099511628211);
	h = (h ^ 0xff) * UINT64_C(1099511628211);
	for (; *to; to++)
		h = (h ^ (uint8_t)*to) * UINT64_C(1099511628211);
	return h;
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
	size_t *slots, nslots = 16, mask;

	for (d = 0; d < ndocs; d++)
		total += docs[d]->nresults;
	while (nslots < 2 * total)
		nslots *= 2;
	mask = nslots - 1;
	/* slot: 0 empty, else index + 1 into out->probes */
	slots = rm_arena_calloc(arena, nslots, sizeof(*slots));
	if (slots == NULL)
		return RM_ENOMEM;
	for (d = 0; d < ndocs; d++) {
		const struct rm_results_doc *doc = docs[d];

		for (i = 0; i < doc->nresults; i++) {
			const struct rm_result *r = &doc->results[i];
			struct rm_pair_counts *cp =
			    find(out->clusters, out->nclusters, doc->cluster, r->target_cluster);
			struct rm_pair_counts *pp = NULL;
			size_t h = (size_t)pair_hash(doc->probe, r->target) & mask;

			while (slots[h] != 0) {
				struct rm_pair_counts *x = &out->probes[slots[h] - 1];

				if (strcmp(x->from, doc->probe) == 0 &&
				    strcmp(x->to, r->target) == 0) {
					pp = x;
					break;
				}
				h = (h + 1) & mask;
			}

			if (cp != NULL)
				cp->counts[r->check][r->status]++;
			if (pp == NULL) {
				if (rm_arena_grow(arena, (void **)&out->probes, &cap,
						  out->nprobes + 1, sizeof(*out->probes)) != RM_OK)
					return RM_ENOMEM;
				pp = &out->probes[out->nprobes++];
				memset(pp, 0, sizeof(*pp));
				slots[h] = out->nprobes;
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
	return RM_OK;
}

/* The reachability matrix of a round (struct rm_matrix): the counts per
 * cluster pair, the probe grid of worst statuses, and the detail of the
 * cells worth showing. Linear in the results. */
#include <stdlib.h>
#include <string.h>

#include "analyze/index.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/results.h"

static void count_pair(struct rm_pair_counts *cp, const struct rm_result *r)
{
	size_t k;

	cp->counts[r->check][r->status]++;
	if (r->check != RM_CHECK_TCP)
		return;
	for (k = 0; k < cp->nports && cp->ports[k] != r->port; k++)
		;
	if (k == cp->nports && k < RM_MATRIX_PORTS)
		cp->ports[cp->nports++] = r->port;
	if (k < cp->nports)
		cp->port_counts[k][r->status]++;
}

/* Where a port stands: its place in the topology's port list, the ports
 * the topology does not list after them, by number. */
static size_t port_rank(const struct rm_topology *t, uint16_t port)
{
	size_t i;

	for (i = 0; i < t->nports; i++)
		if (t->ports[i].port == port)
			return i;
	return t->nports + port;
}

/* The columns: every check that has results, in the order of enum
 * rm_check, tcp split by port. col_of maps a check to its column
 * (RM_CHECK_TCP: to the first port's). */
static void columns(const struct an_index *ix, struct rm_matrix *m, size_t *col_of)
{
	uint16_t ports[RM_MATRIX_PORTS];
	size_t nports = 0, a, b, i, j, n;
	bool has[RM_CHECK_COUNT] = { false };
	int chk;

	for (a = 0; a < ix->nclusters; a++)
		for (b = 0; b < ix->nclusters; b++)
			for (chk = 0; chk < RM_CHECK_COUNT; chk++) {
				const struct an_ref *v =
				    an_bucket(ix, a, b, (enum rm_check)chk, &n);

				has[chk] |= n > 0;
				for (i = 0; chk == RM_CHECK_TCP && i < n; i++) {
					uint16_t port = an_result(ix, &v[i])->port;

					for (j = 0; j < nports && ports[j] != port; j++)
						;
					if (j == nports && nports < RM_MATRIX_PORTS)
						ports[nports++] = port;
				}
			}
	/* insertion sort by rank: at most sixteen ports */
	for (i = 1; i < nports; i++)
		for (j = i;
		     j > 0 && port_rank(ix->topo, ports[j]) < port_rank(ix->topo, ports[j - 1]);
		     j--) {
			uint16_t x = ports[j];

			ports[j] = ports[j - 1];
			ports[j - 1] = x;
		}
	for (chk = 0; chk < RM_CHECK_COUNT; chk++) {
		col_of[chk] = SIZE_MAX;
		if (!has[chk])
			continue;
		col_of[chk] = m->ncolumns;
		if (chk != RM_CHECK_TCP) {
			m->columns[m->ncolumns++] =
			    (struct rm_matrix_column){ (enum rm_check)chk, 0 };
			continue;
		}
		for (i = 0; i < nports; i++)
			m->columns[m->ncolumns++] =
			    (struct rm_matrix_column){ RM_CHECK_TCP, ports[i] };
	}
}

static size_t column_of(const struct rm_matrix *m, const size_t *col_of, const struct rm_result *r)
{
	size_t c = col_of[r->check];

	if (c == SIZE_MAX || r->check != RM_CHECK_TCP)
		return c;
	for (; c < m->ncolumns && m->columns[c].check == RM_CHECK_TCP; c++)
		if (m->columns[c].port == r->port)
			return c;
	return SIZE_MAX; /* past the sixteenth port */
}

static int cell_cmp(const void *pa, const void *pb)
{
	const struct rm_matrix_cell *a = pa, *b = pb;

	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->result->check != b->result->check)
		return a->result->check < b->result->check ? -1 : 1;
	if (a->result->port != b->result->port)
		return a->result->port < b->result->port ? -1 : 1;
	return 0;
}

/* The matrix's frame: the cluster pairs, the rows, the destinations, the
 * columns (col_of as in columns()) and an empty grid, in arena. */
static int matrix_frame(const struct an_index *ix, struct rm_arena *arena, struct rm_matrix *out,
			size_t *col_of)
{
	size_t a, b, e, size;

	memset(out, 0, sizeof(*out));
	out->clusters =
	    rm_arena_calloc(arena, ix->nclusters * ix->nclusters + 1, sizeof(*out->clusters));
	out->from = rm_arena_calloc(arena, ix->nprobes + 1, sizeof(*out->from));
	out->to = rm_arena_calloc(arena, ix->nep + 1, sizeof(*out->to));
	if (out->clusters == NULL || out->from == NULL || out->to == NULL)
		return RM_ENOMEM;
	for (a = 0; a < ix->nclusters; a++)
		for (b = 0; b < ix->nclusters; b++) {
			out->clusters[out->nclusters].from = ix->topo->clusters[a].name;
			out->clusters[out->nclusters++].to = ix->topo->clusters[b].name;
		}
	columns(ix, out, col_of);
	for (e = 0; e < ix->nep; e++) {
		out->to[out->nto++] = ix->ep[e].name;
		if (ix->ep[e].row != AN_NONE)
			out->from[ix->ep[e].row] = ix->ep[e].name;
	}
	out->nfrom = ix->nprobes;
	size = out->nfrom * out->nto * out->ncolumns;
	out->grid = rm_arena_calloc(arena, size + 1, 1);
	if (out->grid == NULL)
		return RM_ENOMEM;
	memset(out->grid, RM_MATRIX_NONE, size + 1);
	return RM_OK;
}

int an_matrix(const struct an_index *ix, struct rm_arena *arena, struct rm_matrix *out)
{
	size_t col_of[RM_CHECK_COUNT], d, i, ncells = 0;
	bool all = ix->nrefs <= RM_MATRIX_DETAIL_ALL;

	if (matrix_frame(ix, arena, out, col_of) != RM_OK)
		return RM_ENOMEM;
	/* Document by document, in memory order: six million results are
	 * read once, not fetched one cache miss at a time. */
	for (int pass = 0; pass < 2; pass++) {
		for (d = 0; d < ix->ndocs; d++) {
			const struct rm_results_doc *doc = ix->docs[d];
			const uint32_t *to = ix->res_to + ix->doc_first[d];
			uint32_t ca = ix->doc_cluster[d], p = ix->doc_probe[d];
			uint32_t row = p == AN_NONE ? AN_NONE : ix->ep[p].row;
			struct an_last last = { 0 };

			if (ca == AN_NONE)
				continue;
			for (i = 0; i < doc->nresults; i++) {
				const struct rm_result *r = &doc->results[i];
				bool healthy = rm_status_healthy(r->check, r->status);
				size_t col;
				uint8_t *g;

				if (pass == 0) {
					uint32_t cb =
					    an_cluster_cached(ix, &last, r->target_cluster);

					if (cb != AN_NONE)
						count_pair(&out->clusters[ca * ix->nclusters + cb],
							   r);
				}
				if (row == AN_NONE || to[i] == AN_NONE ||
				    (col = column_of(out, col_of, r)) == SIZE_MAX)
					continue;
				if (pass == 1) {
					struct rm_matrix_cell *cell;

					if (!all && healthy)
						continue;
					cell = &out->cells[out->ncells++];
					cell->from = row;
					cell->to = to[i];
					cell->result = r;
					cell->arrived =
					    r->check == RM_CHECK_TCP
						? an_arrived(ix, to[i], (uint32_t)d, r->port)
						: -1;
					continue;
				}
				g = &out->grid[((size_t)row * out->nto + to[i]) * out->ncolumns +
					       col];
				if (*g == RM_MATRIX_NONE ||
				    (!healthy &&
				     rm_status_healthy(r->check, (enum rm_check_status) * g)))
					*g = (uint8_t)r->status;
				ncells += all || !healthy;
			}
		}
		if (pass == 0) {
			out->cells = rm_arena_calloc(arena, ncells + 1, sizeof(*out->cells));
			if (out->cells == NULL)
				return RM_ENOMEM;
		}
	}
	out->cells_complete = all;
	qsort(out->cells, out->ncells, sizeof(*out->cells), cell_cmp);
	return RM_OK;
}

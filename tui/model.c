/* What the dashboard adds to a report: the class (and glyph) of a status,
 * and the aggregates the matrix view draws at each level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "tui/model.h"

enum tui_class tui_status_class(enum rm_check check, uint8_t status)
{
	if (status >= RM_STATUS_COUNT)
		return TUI_CLASS_NONE;
	/* Healthy and degraded are the analyzer's words (analyze_health, the
	 * same the html page reads); the kinds of failing are the glyphs'. */
	switch (analyze_health(check, (enum rm_check_status)status)) {
	case RM_HEALTH_HEALTHY:
		return TUI_CLASS_OK;
	case RM_HEALTH_DEGRADED:
		return TUI_CLASS_DEGRADED;
	default:
		break;
	}
	switch ((enum rm_check_status)status) {
	case RM_STATUS_NXDOMAIN:
	case RM_STATUS_SERVFAIL:
	case RM_STATUS_WRONG_ANSWER:
		return TUI_CLASS_DNS;
	case RM_STATUS_REJECTED:
	case RM_STATUS_REFUSED:
	case RM_STATUS_CLOSED:
	case RM_STATUS_MISMATCH:
	case RM_STATUS_NOT_CQL:
		return TUI_CLASS_REJECTED;
	case RM_STATUS_UNREACHABLE:
	case RM_STATUS_NO_ROUTE:
		return TUI_CLASS_UNREACHABLE;
	default:
		/* filtered, timeout, blackhole, no-responder, and a word that
		 * does not belong to the check: nothing usable came back. */
		return TUI_CLASS_DROPPED;
	}
}

char tui_class_glyph(enum tui_class cls)
{
	static const char glyphs[TUI_CLASS_COUNT] = "-.~?!x#";

	return (unsigned)cls < TUI_CLASS_COUNT ? glyphs[cls] : ' ';
}

char *tui_age(time_t then, time_t now, char *buf, size_t len)
{
	long d = (long)(now - then);

	if (then == (time_t)-1)
		snprintf(buf, len, "-");
	else if (d < 120)
		snprintf(buf, len, "%lds", d < 0 ? 0 : d);
	else if (d < 7200)
		snprintf(buf, len, "%ldm", d / 60);
	else if (d < 172800)
		snprintf(buf, len, "%ldh", d / 3600);
	else
		snprintf(buf, len, "%ldd", d / 86400);
	return buf;
}

enum tui_class tui_pair_cell(const struct rm_report_pair *p, enum rm_check c,
			     enum tui_pair_mode mode, char *buf, size_t len)
{
	unsigned n, total;
	int st = rm_status_worst(c, p->counts[c], &n, &total);
	enum tui_class cls = st < 0 ? TUI_CLASS_NONE : tui_status_class(c, (uint8_t)st);
	const char *word = st < 0 ? "-" : rm_status_name((enum rm_check_status)st);

	if (st < 0)
		snprintf(buf, len, "-");
	else if (mode == TUI_PAIR_GLYPH && n > 0)
		snprintf(buf, len, "%c %u/%u", tui_class_glyph(cls), n, total);
	else if (mode == TUI_PAIR_GLYPH)
		snprintf(buf, len, "%c", tui_class_glyph(cls));
	else if (mode == TUI_PAIR_FULL && n > 0)
		snprintf(buf, len, "%s %u/%u", word, n, total);
	else
		snprintf(buf, len, "%s", word);
	return cls;
}

/* Aggregates -------------------------------------------------------------- */

static bool passes_filter(const char *name, const char *filter)
{
	return filter == NULL || filter[0] == '\0' || strcasestr(name, filter) != NULL;
}

/* The groups of one side (rows: the grid's from, cols: its to) for a scope:
 * one per cluster, per zone of a cluster, or per member of a zone. */
static int build_groups(struct rm_arena *arena, const struct rm_report_doc *m,
			const struct tui_scope *s, bool rows, struct tui_group **out, size_t *nout)
{
	const uint32_t *map = rows ? m->from : m->to;
	size_t n = rows ? m->nfrom : m->nto, nkeys, i, total = 0;
	uint32_t cluster = rows ? s->cluster_from : s->cluster_to;
	uint32_t zone = rows ? s->zone_from : s->zone_to;
	uint32_t *keys, *counts, *pool;
	struct tui_group *g;

	*out = NULL;
	*nout = 0;
	if (s->level != TUI_LEVEL_CLUSTER && cluster >= m->nclusters)
		return RM_OK;
	nkeys = s->level == TUI_LEVEL_CLUSTER ? m->nclusters
		: s->level == TUI_LEVEL_ZONE  ? m->clusters[cluster].nzones + 1
					      : n;
	keys = rm_arena_calloc(arena, n + 1, sizeof(*keys));
	counts = rm_arena_calloc(arena, nkeys + 1, sizeof(*counts));
	if (keys == NULL || counts == NULL)
		return RM_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct rm_report_member *mem = &m->members[map[i]];

		keys[i] = UINT32_MAX;
		if (rows && !passes_filter(mem->name, s->filter))
			continue;
		if (s->level != TUI_LEVEL_CLUSTER && mem->cluster != cluster)
			continue;
		if (s->level == TUI_LEVEL_PROBE && mem->zone_idx != zone)
			continue;
		keys[i] = s->level == TUI_LEVEL_CLUSTER ? mem->cluster
			  : s->level == TUI_LEVEL_ZONE	? mem->zone_idx
							: (uint32_t)i;
		counts[keys[i]]++;
		total++;
	}
	pool = rm_arena_calloc(arena, total + 1, sizeof(*pool));
	g = rm_arena_calloc(arena, nkeys + 1, sizeof(*g));
	if (pool == NULL || g == NULL)
		return RM_ENOMEM;
	for (i = 0; i < nkeys; i++) {
		if (counts[i] == 0)
			continue;
		g[*nout].id = (uint32_t)i;
		g[*nout].idx = pool;
		pool += counts[i];
		if (s->level == TUI_LEVEL_CLUSTER)
			g[*nout].label = m->clusters[i].name;
		else if (s->level == TUI_LEVEL_ZONE)
			g[*nout].label = i < m->clusters[cluster].nzones
					     ? m->clusters[cluster].zones[i]
					     : "(no zone)";
		else
			g[*nout].label = m->members[map[i]].name;
		counts[i] = (uint32_t)*nout; /* from here on: key -> group */
		(*nout)++;
	}
	for (i = 0; i < n; i++)
		if (keys[i] != UINT32_MAX) {
			struct tui_group *gr = &g[counts[keys[i]]];

			gr->idx[gr->n++] = (uint32_t)i;
		}
	*out = g;
	return RM_OK;
}

int tui_agg_build(const struct rm_report_doc *m, const struct tui_scope *s, struct tui_agg **out)
{
	struct rm_arena *arena = rm_arena_new();
	struct tui_agg *a;
	uint8_t *cls = NULL; /* ncolumns x 256: the class of each (column, byte) */
	size_t j0, j1, r, c, j, b;
	int rc = RM_ENOMEM;

	*out = NULL;
	if (arena == NULL)
		return RM_ENOMEM;
	a = rm_arena_calloc(arena, 1, sizeof(*a));
	if (a == NULL)
		goto out;
	a->arena = arena;
	if (!m->has_grid) {
		*out = a;
		return RM_OK;
	}
	if ((rc = build_groups(arena, m, s, true, &a->rows, &a->nrows)) != RM_OK ||
	    (rc = build_groups(arena, m, s, false, &a->cols, &a->ncols)) != RM_OK)
		goto out;
	rc = RM_ENOMEM;
	a->cells = rm_arena_calloc(arena, a->nrows * a->ncols + 1, sizeof(*a->cells));
	cls = rm_arena_calloc(arena, (m->ncolumns + 1) * 256, 1);
	if (a->cells == NULL || cls == NULL)
		goto out;
	for (j = 0; j < m->ncolumns; j++)
		for (b = 0; b < 256; b++)
			cls[j * 256 + b] =
			    (uint8_t)tui_status_class(m->columns[j].check, (uint8_t)b);
	j0 = s->column < 0 ? 0 : (size_t)s->column;
	j1 = s->column < 0 ? m->ncolumns : j0 + 1;
	if (j0 > m->ncolumns)
		j0 = j1 = 0;
	for (r = 0; r < a->nrows; r++) {
		const struct tui_group *rg = &a->rows[r];

		for (c = 0; c < a->ncols; c++) {
			const struct tui_group *cg = &a->cols[c];
			struct tui_agg_cell *cell = &a->cells[r * a->ncols + c];
			uint8_t worst_cls = TUI_CLASS_NONE;
			size_t ri, ci;

			cell->worst = RM_REPORT_UNMEASURED;
			for (ri = 0; ri < rg->n; ri++)
				for (ci = 0; ci < cg->n; ci++) {
					const uint8_t *p =
					    m->grid + ((size_t)rg->idx[ri] * m->nto + cg->idx[ci]) *
							  m->ncolumns;

					for (j = j0; j < j1; j++) {
						uint8_t k = cls[j * 256 + p[j]];

						if (k == TUI_CLASS_NONE)
							continue;
						cell->measured++;
						if (k > TUI_CLASS_OK)
							cell->failing++;
						if (k > worst_cls) {
							worst_cls = k;
							cell->worst = p[j];
							cell->worst_column = (uint16_t)j;
						}
					}
				}
			a->failing += cell->failing;
			a->measured += cell->measured;
			a->failing_cells += cell->failing > 0;
		}
	}
	*out = a;
	return RM_OK;
out:
	rm_arena_free(arena);
	return rc;
}

void tui_agg_free(struct tui_agg *agg)
{
	if (agg != NULL)
		rm_arena_free(agg->arena);
}

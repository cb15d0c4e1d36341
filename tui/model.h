/* The dashboard's presentation of a report (reachmap/report_doc.h): the
 * class and glyph of a status, and the small matrices the views draw. Pure
 * C, no curses: aggregation is unit-tested on its own
 * (tests/unit/test_tui_model.c). */
#ifndef REACHMAP_TUI_MODEL_H
#define REACHMAP_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "reachmap/report_doc.h"
#include "reachmap/results.h"

/* A status's class, in increasing order of how bad it is; the class picks
 * the glyph, so the matrix reads the same without colour. */
enum tui_class {
	TUI_CLASS_NONE = 0, /* not measured */
	TUI_CLASS_OK,
	TUI_CLASS_DEGRADED,    /* loss, snat, fragmentation needed */
	TUI_CLASS_DNS,	       /* nxdomain, servfail, wrong answer */
	TUI_CLASS_REJECTED,    /* rejected, refused, closed, someone else answered */
	TUI_CLASS_DROPPED,     /* filtered, timeout, blackhole, no responder */
	TUI_CLASS_UNREACHABLE, /* unreachable, no route */
	TUI_CLASS_COUNT,
};

enum tui_level {
	TUI_LEVEL_CLUSTER = 0,
	TUI_LEVEL_ZONE,
	TUI_LEVEL_PROBE,
};

enum tui_class tui_status_class(enum rm_check check, uint8_t status);
/* The glyph of a class: '.', '~', '?', '!', 'x', '#', '-'. */
char tui_class_glyph(enum tui_class cls);

/* How long ago `then` was, short: "42s", "12m", "5h", "3d"; "-" for
 * (time_t)-1 (not known), "0s" for a time ahead of now (a clock ahead). */
char *tui_age(time_t then, time_t now, char *buf, size_t len);

/* How much a cluster-pair cell says, from the most to what fits. */
enum tui_pair_mode {
	TUI_PAIR_FULL = 0, /* "filtered 4/20" */
	TUI_PAIR_WORD,	   /* "filtered" */
	TUI_PAIR_GLYPH,	   /* "x 4/20" */
	TUI_PAIR_MODES,
};

/* The cluster-pair table's cell (what the text report's CLUSTER PAIRS
 * prints): pair p's worst status for check c (rm_status_worst) as
 * "filtered 4/20", the healthy word ("open"), or "-" when nothing was
 * measured; shorter in the other modes (a healthy cell's glyph is ".").
 * Returns the class of that status. */
enum tui_class tui_pair_cell(const struct rm_report_pair *p, enum rm_check c,
			     enum tui_pair_mode mode, char *buf, size_t len);

/* What one view shows: which part of the model, through which check
 * selector and which name filter. */
struct tui_scope {
	enum tui_level level;
	uint32_t cluster_from, cluster_to; /* zone and probe levels */
	uint32_t zone_from, zone_to;	   /* probe level; nzones: members without a zone */
	int column;			   /* -1: every column */
	const char *filter; /* rows: probes whose names hold it (any case); NULL, "": all */
};

/* A row or column of an aggregate: the grid rows (or grid columns) it
 * covers. `id` is the cluster, zone or grid index the group stands for. */
struct tui_group {
	const char *label;
	uint32_t id;
	uint32_t *idx;
	size_t n;
};

struct tui_agg_cell {
	uint8_t worst;	       /* status, or RM_REPORT_UNMEASURED */
	uint16_t worst_column; /* the column the worst status came from */
	uint32_t failing;      /* unhealthy measurements */
	uint32_t measured;
};

/* A scope's matrix: rows x cols cells, computed once per scope change so a
 * frame costs only what it draws. */
struct tui_agg {
	struct rm_arena *arena; /* owns everything below */
	struct tui_group *rows, *cols;
	size_t nrows, ncols;
	struct tui_agg_cell *cells; /* nrows * ncols */
	uint64_t failing, measured;
	uint32_t failing_cells; /* cells with at least one failing measurement */
};

/* Builds the aggregate of `scope`. RM_OK and *out (free with tui_agg_free),
 * or RM_ENOMEM. A model without a grid gives an empty aggregate. */
int tui_agg_build(const struct rm_report_doc *m, const struct tui_scope *scope,
		  struct tui_agg **out);
void tui_agg_free(struct tui_agg *agg);

static inline const struct tui_agg_cell *tui_agg_at(const struct tui_agg *a, size_t r, size_t c)
{
	return &a->cells[r * a->ncols + c];
}

#endif

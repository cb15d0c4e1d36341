/* A report: what `plan` and `analyze` produce and every renderer reads
 * (reachmap.report/v1). Renderers decide how it looks, never what it says. */
#ifndef REACHMAP_REPORT_H
#define REACHMAP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "reachmap/finding.h"
#include "reachmap/topology.h"

/* A free block proposed for a new cluster (`plan --suggest`). */
struct rm_suggestion {
	enum rm_range_kind kind;
	unsigned len; /* the asked prefix length */
	int found;    /* 0: no free block of that size is left */
	struct rm_prefix prefix;
};

#include "reachmap/results.h"

/* Counts of statuses per check for a pair of clusters (DESIGN.md: the
 * matrix). */
#define RM_MATRIX_PORTS 16

struct rm_pair_counts {
	const char *from;
	const char *to;
	unsigned counts[RM_CHECK_COUNT][RM_STATUS_COUNT];
	/* tcp again, port by port (the first RM_MATRIX_PORTS ports seen) */
	uint16_t ports[RM_MATRIX_PORTS];
	unsigned port_counts[RM_MATRIX_PORTS][RM_STATUS_COUNT];
	size_t nports;
};

/* A column of the probe grid: a check, tcp split port by port. */
struct rm_matrix_column {
	enum rm_check check;
	uint16_t port; /* tcp only */
};

/* The detail of one cell of the grid, for the reports that show it. */
struct rm_matrix_cell {
	uint32_t from, to;		/* indices into matrix.from, matrix.to */
	const struct rm_result *result; /* lent by the results documents */
	int arrived; /* tcp: the far end saw it arrive (1) or not (0); -1 nobody said */
};

/* A grid byte for a cell with no result. */
#define RM_MATRIX_NONE ((uint8_t)RM_STATUS_COUNT)
/* Up to this many results, every cell's detail is kept; above, the
 * unhealthy cells' only (a thousand probes make six million). */
#define RM_MATRIX_DETAIL_ALL 20000

/* The matrix: the counts per cluster pair, and the probe grid, one byte a
 * cell: every probe of the topology (rows) x every probe and target
 * (destinations) x every column, the worst status seen there (an
 * unhealthy status wins over a healthy one) or RM_MATRIX_NONE. Six million
 * cells are six megabytes, where a count table per probe pair would take a
 * gigabyte. */
struct rm_matrix {
	struct rm_pair_counts *clusters; /* every cluster pair, in topology order */
	size_t nclusters;
	const char **from; /* the probes, in topology order */
	size_t nfrom;
	const char **to; /* the probes and targets, cluster by cluster */
	size_t nto;
	struct rm_matrix_column columns[RM_CHECK_COUNT + RM_MATRIX_PORTS];
	size_t ncolumns;
	uint8_t *grid; /* [(from * nto + to) * ncolumns + column] */
	struct rm_matrix_cell *cells;
	size_t ncells;
	int cells_complete; /* every measured cell is in cells, healthy or not */
};

/* The grid byte of (from, to, column). */
static inline uint8_t rm_matrix_at(const struct rm_matrix *m, size_t from, size_t to, size_t col)
{
	return m->grid[(from * m->nto + to) * m->ncolumns + col];
}

/* One expectation judged on one cluster pair. */
struct rm_expectation_pair {
	const char *from, *to;
	size_t cells, failed;
};

/* One expectation of the topology judged cell by cell. */
struct rm_expectation_result {
	const struct rm_expect *rule;
	struct rm_expectation_pair *pairs; /* every cluster pair the rule covers */
	size_t npairs;
	size_t cells;			/* cells the rule covers */
	size_t failed;			/* of which violate it */
	struct rm_evidence *violations; /* the first few */
	size_t nviolations;
};

/* A results document's note, with the probe that wrote it. */
struct rm_report_note {
	const char *probe;
	const char *text;
};

struct rm_report {
	const char *command;   /* "plan" or "analyze" */
	const char *generated; /* RFC 3339 UTC */
	const struct rm_topology *topo;
	struct rm_findings findings;		    /* sorted, most severe first */
	struct rm_matrix matrix;		    /* empty for plan; in findings.arena */
	struct rm_expectation_result *expectations; /* analyze only; in findings.arena */
	size_t nexpectations;
	struct rm_suggestion suggestions[RM_RANGE_KIND_COUNT];
	size_t nsuggestions;
	/* What the probes could not measure, in document order: a check that
	 * cannot run somewhere says so in its document (results notes). */
	const struct rm_report_note *notes; /* in findings.arena */
	size_t nnotes;
	size_t counts[RM_SEV_COUNT];
	/* html: the page reloads itself every refresh_s seconds (the
	 * collector's live page); 0: a static page. */
	unsigned refresh_s;
	int pass; /* the verdict: no error-severity finding, every suggestion found,
		   * every expectation met */
};

/* One renderer per output format, in one table (report/registry.c). */
struct report_ops {
	const char *name;
	const char *description;
	bool plan; /* renders a plan report too (reachmap plan --format) */
	/* Writes the report to `out`; 0, or a negative status (RM_EIO when
	 * writing failed, RM_ENOMEM). */
	int (*render)(const struct rm_report *report, FILE *out);
};

/* The renderer called `name`, or NULL. */
const struct report_ops *report_find(const char *name);

/* The i-th renderer of the registry, or NULL past the last: for help
 * texts and messages that list the formats. */
const struct report_ops *report_nth(size_t i);

#endif

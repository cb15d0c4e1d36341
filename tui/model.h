/* The dashboard's model of a reachmap.report/v1 document, and the small
 * matrices the views draw. Pure C, no curses: loading and aggregation are
 * unit-tested on their own (tests/unit/test_tui_model.c). */
#ifndef REACHMAP_TUI_MODEL_H
#define REACHMAP_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "reachmap/results.h"

/* A grid byte that holds no status: the cell was not measured. */
#define TUI_UNMEASURED 0xFFu

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

struct tui_cluster {
	const char *name;
	const char **zones; /* the zones its members name, topology order */
	size_t nzones;
};

/* A probe or a target of the topology. */
struct tui_member {
	const char *name;
	const char *address; /* NULL when the report does not say */
	const char *zone;    /* NULL when not known */
	uint32_t cluster;    /* index into clusters */
	uint32_t zone_idx;   /* index into the cluster's zones; nzones: none */
	bool probe;
};

/* One column of the grid: a check, tcp split per port. */
struct tui_column {
	enum rm_check check;
	uint16_t port;	   /* tcp only */
	const char *label; /* "icmp", "tcp/7000" */
};

/* What matrix.cells says about one cell. */
struct tui_cell {
	uint32_t from, to; /* indices into grid from/to */
	uint32_t column;
	enum rm_check_status status;
	double rtt_ms;	       /* < 0: none */
	const char *icmp_from; /* NULL: none */
	const char *answers;
	const char *error;
	int arrived; /* -1: not known */
};

struct tui_evidence {
	const char *from, *to, *check, *status, *address;
	int port;    /* 0: none */
	int arrived; /* -1: not known */
};

enum tui_severity {
	TUI_SEV_ERROR = 0,
	TUI_SEV_WARNING,
	TUI_SEV_INFO,
};

struct tui_finding {
	const char *kind;
	enum tui_severity severity;
	const char *from, *to; /* "cluster" or "cluster (zone, zone)"; NULL: none */
	const char *protocol;  /* NULL: none */
	const char *ports;     /* "7000,7001"; NULL: none */
	long cells;	       /* -1: not said */
	const char *summary;
	const char *remedy; /* NULL: none */
	struct tui_evidence *evidence;
	size_t nevidence;
};

struct rm_arena;

struct tui_model {
	struct rm_arena *arena;
	const char *verdict;   /* "pass", "fail" */
	const char *generated; /* RFC 3339; NULL when absent */
	time_t generated_t;    /* (time_t)-1: absent or not parsed */
	long errors, warnings, info;
	struct tui_cluster *clusters;
	size_t nclusters;
	struct tui_member *members;
	size_t nmembers;
	/* The grid; has_grid false for a report without one (plan). */
	bool has_grid;
	struct tui_column *columns;
	size_t ncolumns;
	uint32_t *from, *to; /* grid row/column -> member index */
	size_t nfrom, nto;
	uint8_t *grid;		/* nfrom * nto * ncolumns statuses, TUI_UNMEASURED */
	struct tui_cell *cells; /* sorted by (from, to, column) */
	size_t ncells;
	bool cells_complete;
	struct tui_finding *findings; /* most severe first */
	size_t nfindings;
};

/* Parses a reachmap.report/v1 document of `len` bytes. RM_OK and *out (free
 * with tui_model_free); otherwise a status and, in err, "NAME: field.path:
 * what is wrong" (RM_EPARSE, RM_EINVAL) or the reason (RM_ENOMEM). */
int tui_model_parse(const char *name, const char *text, size_t len, struct tui_model **out,
		    char *err, size_t errlen);
/* Reads the file and parses it; RM_EIO with "PATH: cannot read: reason". */
int tui_model_load(const char *path, struct tui_model **out, char *err, size_t errlen);
void tui_model_free(struct tui_model *model);

/* The status of (grid row, grid column, column); TUI_UNMEASURED or a status. */
static inline uint8_t tui_model_status(const struct tui_model *m, size_t from, size_t to,
				       size_t col)
{
	return m->grid[(from * m->nto + to) * m->ncolumns + col];
}

/* What matrix.cells says about the cell, or NULL. */
const struct tui_cell *tui_model_cell(const struct tui_model *m, uint32_t from, uint32_t to,
				      uint32_t column);

enum tui_class tui_status_class(enum rm_check check, uint8_t status);
/* The glyph of a class: '.', '~', '?', '!', 'x', '#', '-'. */
char tui_class_glyph(enum tui_class cls);

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
	uint8_t worst;	       /* status, or TUI_UNMEASURED */
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
int tui_agg_build(const struct tui_model *m, const struct tui_scope *scope, struct tui_agg **out);
void tui_agg_free(struct tui_agg *agg);

static inline const struct tui_agg_cell *tui_agg_at(const struct tui_agg *a, size_t r, size_t c)
{
	return &a->cells[r * a->ncols + c];
}

#endif

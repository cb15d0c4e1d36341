/* A reachmap.report/v1 document (what 'reachmap analyze --format json'
 * writes; report/schema/reachmap.report.v1.json) read back into plain C:
 * its clusters and members, the compact matrix.grid, the cells and the
 * findings. For whatever shows or checks a report: the dashboard today, the
 * collector and 'reachmap check' next. Everything belongs to the document
 * and is freed by report_doc_free. */
#ifndef REACHMAP_REPORT_DOC_H
#define REACHMAP_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "reachmap/diag.h"
#include "reachmap/finding.h"
#include "reachmap/results.h"

/* A grid byte that holds no status: the cell was not measured. */
#define RM_REPORT_UNMEASURED 0xFFu

struct rm_report_cluster {
	const char *name;
	const char **zones; /* the zones its members name, topology order */
	size_t nzones;
};

/* A probe or a target of the topology. */
struct rm_report_member {
	const char *name;
	const char *address; /* NULL when the report does not say */
	const char *zone;    /* NULL when not known */
	uint32_t cluster;    /* index into clusters */
	uint32_t zone_idx;   /* index into the cluster's zones; nzones: none */
	bool probe;
};

/* One column of the grid: a check, tcp split per port. */
struct rm_report_column {
	enum rm_check check;
	uint16_t port;	   /* tcp only */
	const char *label; /* "icmp", "tcp/7000" */
};

/* What matrix.cells says about one cell. */
struct rm_report_cell {
	uint32_t from, to; /* indices into grid from/to */
	uint32_t column;
	enum rm_check_status status;
	double rtt_ms;	       /* < 0: none */
	const char *icmp_from; /* NULL: none */
	const char *answers;
	const char *error;
	int arrived; /* -1: not known */
};

struct rm_report_evidence {
	const char *from, *to, *check, *status, *address;
	int port;     /* 0: none */
	int arrived;  /* -1: not known */
	time_t since; /* the live collector's: since when the cell has had this
		       * status; (time_t)-1: not said */
};

struct rm_report_finding {
	const char *kind;
	enum rm_severity severity;
	const char *from, *to; /* "cluster" or "cluster (zone, zone)"; NULL: none */
	const char *protocol;  /* NULL: none */
	const char *ports;     /* "7000,7001"; NULL: none */
	long cells;	       /* -1: not said */
	const char *summary;
	const char *remedy; /* NULL: none */
	struct rm_report_evidence *evidence;
	size_t nevidence;
	time_t since; /* the live collector's: since when the cause holds;
		       * (time_t)-1: not said (a one-shot report) */
};

/* A cluster pair's cells per check and status (matrix.clusterPairs). */
struct rm_report_pair {
	const char *from, *to; /* cluster names */
	unsigned counts[RM_CHECK_COUNT][RM_STATUS_COUNT];
};

struct rm_arena;

struct rm_report_doc {
	struct rm_arena *arena;
	const char *verdict;   /* "pass", "fail" */
	const char *generated; /* RFC 3339; NULL when absent */
	time_t generated_t;    /* (time_t)-1: absent or not parsed */
	long errors, warnings, info;
	struct rm_report_cluster *clusters;
	size_t nclusters;
	struct rm_report_member *members;
	size_t nmembers;
	/* The grid; has_grid false for a report without one (plan). */
	bool has_grid;
	struct rm_report_column *columns;
	size_t ncolumns;
	uint32_t *from, *to; /* grid row/column -> member index */
	size_t nfrom, nto;
	uint8_t *grid;		      /* nfrom * nto * ncolumns statuses, RM_REPORT_UNMEASURED */
	struct rm_report_cell *cells; /* sorted by (from, to, column) */
	size_t ncells;
	bool cells_complete;
	struct rm_report_finding *findings; /* most severe first */
	size_t nfindings;
	struct rm_report_pair *pairs; /* in the report's order; none in a plan */
	size_t npairs;
};

/* Parses a reachmap.report/v1 document of `len` bytes (no NUL needed);
 * `name` starts every message. RM_OK and *out (free with report_doc_free);
 * otherwise a status and, in d, "NAME: field.path: what is wrong"
 * (RM_EPARSE) or "NAME: out of memory" (RM_ENOMEM). d may be NULL. */
int report_doc_read(const char *name, const char *text, size_t len, struct rm_report_doc **out,
		    struct rm_diag *d);
/* Reads the file at path and parses it; a file that cannot be read is
 * rm_diag_file_read's status and message. */
int report_doc_load(const char *path, struct rm_report_doc **out, struct rm_diag *d);
void report_doc_free(struct rm_report_doc *doc);

/* The status of (grid row, grid column, column); RM_REPORT_UNMEASURED or a status. */
static inline uint8_t report_doc_status(const struct rm_report_doc *m, size_t from, size_t to,
					size_t col)
{
	return m->grid[(from * m->nto + to) * m->ncolumns + col];
}

/* What matrix.cells says about the cell, or NULL. */
const struct rm_report_cell *report_doc_cell(const struct rm_report_doc *m, uint32_t from,
					     uint32_t to, uint32_t column);

#endif

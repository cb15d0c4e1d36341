/* The renderers of report/, listed in one table in registry.c. */
#ifndef REACHMAP_REPORT_INTERNAL_H
#define REACHMAP_REPORT_INTERNAL_H

#include <stdio.h>

#include "reachmap/report.h"

/* Writes s (NULL: nothing) with <, >, & and " escaped for XML and HTML
 * text and attribute values. */
void report_escape(FILE *out, const char *s);

struct rm_jb;
typedef struct cJSON cJSON;
/* The matrix's grid ("grid", returned), its cells' detail ("cells",
 * "cellsComplete") and a cluster's members ("members": name, role, zone,
 * address) added to parent; failures set b->failed. */
cJSON *report_grid_json(struct rm_jb *b, cJSON *parent, const struct rm_matrix *m);
/* The analyzer's reading of every check's statuses (analyze_health) added
 * to grid as "health": {check: {status: "healthy" | "degraded" |
 * "failing"}}; failures set b->failed. */
void report_health_json(struct rm_jb *b, cJSON *grid);
void report_cells_json(struct rm_jb *b, cJSON *parent, const struct rm_matrix *m);
void report_members_json(struct rm_jb *b, cJSON *parent, const struct rm_cluster *c);

extern const struct report_ops report_json;
extern const struct report_ops report_text;
extern const struct report_ops report_junit;
extern const struct report_ops report_prom;
extern const struct report_ops report_html;

#endif

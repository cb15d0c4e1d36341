/* The renderers of report/, listed in one table in registry.c. */
#ifndef REACHMAP_REPORT_INTERNAL_H
#define REACHMAP_REPORT_INTERNAL_H

#include <stdio.h>

#include "reachmap/report.h"

/* Writes s (NULL: nothing) with <, >, & and " escaped for XML and HTML
 * text and attribute values. */
void report_escape(FILE *out, const char *s);

extern const struct report_ops report_json;
extern const struct report_ops report_text;
extern const struct report_ops report_junit;
extern const struct report_ops report_prom;
extern const struct report_ops report_html;

#endif

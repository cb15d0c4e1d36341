/* The renderers of report/, listed in one table in registry.c. */
#ifndef REACHMAP_REPORT_INTERNAL_H
#define REACHMAP_REPORT_INTERNAL_H

#include "reachmap/report.h"

extern const struct report_ops report_json;
extern const struct report_ops report_text;
extern const struct report_ops report_junit;
extern const struct report_ops report_prom;
extern const struct report_ops report_html;

#endif

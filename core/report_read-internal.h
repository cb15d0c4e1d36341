/* What the report reader's files share (report_read.c: the document, its
 * clusters and matrix; report_read_findings.c: the findings). Nothing
 * outside core/report_read*.c includes it. */
#ifndef REACHMAP_CORE_REPORT_READ_INTERNAL_H
#define REACHMAP_CORE_REPORT_READ_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <time.h>

#include "reachmap/report_doc.h"

/* The loader's context: where errors go and what they are prefixed with. */
struct ld {
	const char *name;
	struct rm_diag *diag;
	struct rm_report_doc *m;
};

/* "NAME: MESSAGE" into the diag (out of memory: "NAME: out of memory");
 * returns rc. */
int rr_fail(struct ld *ld, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "a string", "a number", ..., "missing" for NULL. */
const char *rr_type_name(const cJSON *j);
/* A string member copied into the model; a required one that is missing
 * or not a string fails naming path.key. */
int rr_get_str(struct ld *ld, const cJSON *obj, const char *key, const char *path, bool required,
	       const char **out);
int rr_get_array(struct ld *ld, const cJSON *obj, const char *key, const char *path, bool required,
		 const cJSON **out);
/* A count from 0 to 2^31, else -1 ("not said"). */
long rr_count(const cJSON *j);
/* "YYYY-MM-DDTHH:MM:SSZ" as a time_t; (time_t)-1 when it is not one. */
time_t rr_time(const char *s);

/* findings[], most severe first (report_read_findings.c). */
int rr_load_findings(struct ld *ld, const cJSON *root);

#endif

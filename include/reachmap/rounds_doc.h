/* reachmap.rounds/v1 (report/schema/reachmap.rounds.v1.json): a
 * collector's newest documents, GET /v1/rounds, read back for `reachmap
 * check`. The documents inside are reachmap.results/v1, each read by
 * results_doc_read, so a round from a collector is read exactly as
 * `analyze` reads the same round from a file. */
#ifndef REACHMAP_ROUNDS_DOC_H
#define REACHMAP_ROUNDS_DOC_H

#include <stddef.h>

#include "reachmap/diag.h"
#include "reachmap/results.h"
#include "reachmap/timefmt.h"

struct rm_rounds_doc {
	char collector_started[RM_TIME_STRLEN]; /* "" when absent */
	char generated[RM_TIME_STRLEN];		/* "" when absent */
	/* The documents in the order given, each rm_malloc'd and made by
	 * results_doc_init; a caller may take one (and set its slot NULL). */
	struct rm_results_doc **docs;
	size_t ndocs;
};

/* Reads len bytes of JSON text (no NUL needed). The envelope is walked
 * without building a tree of the whole answer (a fleet's answer is
 * hundreds of megabytes); each document is read on its own. RM_OK and
 * *out (free with rounds_doc_free); RM_EPARSE with d's error "NAME: what
 * is wrong" ("NAME: rounds[3]: results[2].status: ..." inside a document);
 * RM_ENOMEM. *out is empty after a failure. */
int rounds_doc_read(const char *name, const char *text, size_t len, struct rm_rounds_doc *out,
		    struct rm_diag *d);
void rounds_doc_free(struct rm_rounds_doc *r);

#endif

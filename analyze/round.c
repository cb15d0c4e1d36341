/* A round from end to end: the index built once, then the rules, the
 * matrix and the expectations over it; and the verdict every report ends
 * with. */
#include "analyze/index.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

/* The documents' notes, in order, lent to the report. */
static int gather_notes(struct rm_report *report, const struct rm_results_doc *const *docs,
			size_t ndocs)
{
	struct rm_report_note *v;
	size_t d, i, n = 0;

	for (d = 0; d < ndocs; d++)
		n += docs[d]->nnotes;
	if (n == 0)
		return RM_OK;
	v = rm_arena_calloc(report->findings.arena, n, sizeof(*v));
	if (v == NULL)
		return RM_ENOMEM;
	for (d = 0; d < ndocs; d++)
		for (i = 0; i < docs[d]->nnotes; i++)
			v[report->nnotes++] =
			    (struct rm_report_note){ docs[d]->probe, docs[d]->notes[i] };
	report->notes = v;
	return RM_OK;
}

int analyze_round(struct rm_report *report, const struct rm_results_doc *const *docs, size_t ndocs)
{
	struct an_index ix;
	int rc = analyze_plan(report->topo, &report->findings);

	if (rc != RM_OK)
		return rc;
	rc = an_index_build(&ix, report->topo, docs, ndocs);
	if (rc == RM_OK)
		rc = an_rules(&ix, &report->findings);
	if (rc == RM_OK)
		rc = an_matrix(&ix, report->findings.arena, &report->matrix);
	if (rc == RM_OK)
		rc = an_unexplained(&ix, &report->matrix, &report->findings);
	if (rc == RM_OK)
		rc = gather_notes(report, docs, ndocs);
	if (rc == RM_OK) {
		analyze_finish(report);
		/* After the verdict of the findings: a violated expectation
		 * fails it too. */
		rc = an_expectations(&ix, report);
	}
	an_index_free(&ix);
	return rc;
}

void analyze_finish(struct rm_report *report)
{
	size_t i;

	findings_sort(&report->findings);
	findings_count(&report->findings, report->counts);
	report->pass = report->counts[RM_SEV_ERROR] == 0;
	for (i = 0; i < report->nsuggestions; i++)
		if (!report->suggestions[i].found)
			report->pass = 0;
}

/* A round from end to end: the index built once, then the rules, the
 * matrix and the expectations over it; and the verdict every report ends
 * with. */
#include "analyze/index.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"

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
		rc = an_unexplained(&ix, &report->findings);
	if (rc == RM_OK)
		rc = an_matrix(&ix, report->findings.arena, &report->matrix);
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

/* The Prometheus text exposition format (version 0.0.4): series per
 * cluster pair and check, never per probe pair (DESIGN.md: the collector's
 * /metrics); finding counts by kind and severity; the verdict. */
#include <stdio.h>

#include "reachmap/error.h"
#include "report/report-internal.h"

/* Label values escape backslash, double quote and newline. */
static void label(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*v, out);
	}
}

static void pair_labels(FILE *out, const char *from, const char *to)
{
	fputs("from=\"", out);
	label(out, from);
	fputs("\",to=\"", out);
	label(out, to);
	fputc('"', out);
}

static int render_prom(const struct rm_report *r, FILE *out)
{
	size_t i, n;
	int c, st, k, sev;

	fputs("# HELP reachmap_cells Cells of the round by cluster pair, check and status.\n"
	      "# TYPE reachmap_cells gauge\n",
	      out);
	for (i = 0; i < r->matrix.nclusters; i++) {
		const struct rm_pair_counts *pc = &r->matrix.clusters[i];

		for (c = 0; c < RM_CHECK_COUNT; c++) {
			for (st = 0; st < RM_STATUS_COUNT; st++) {
				if (pc->counts[c][st] == 0)
					continue;
				fputs("reachmap_cells{", out);
				pair_labels(out, pc->from, pc->to);
				fprintf(out, ",check=\"%s\",status=\"%s\"} %u\n",
					rm_check_name((enum rm_check)c),
					rm_status_name((enum rm_check_status)st),
					pc->counts[c][st]);
			}
		}
	}
	fputs("# HELP reachmap_findings Findings by kind and severity.\n"
	      "# TYPE reachmap_findings gauge\n",
	      out);
	for (k = 0; k < RM_FINDING_KIND_COUNT; k++) {
		for (sev = 0; sev < RM_SEV_COUNT; sev++) {
			for (i = 0, n = 0; i < r->findings.n; i++)
				n += r->findings.v[i].kind == (enum rm_finding_kind)k &&
				     r->findings.v[i].severity == (enum rm_severity)sev;
			if (n > 0)
				fprintf(out, "reachmap_findings{kind=\"%s\",severity=\"%s\"} %zu\n",
					finding_kind_name((enum rm_finding_kind)k),
					finding_severity_name((enum rm_severity)sev), n);
		}
	}
	fputs("# HELP reachmap_expectation_failed_cells Cells violating each expectation, by "
	      "cluster pair.\n"
	      "# TYPE reachmap_expectation_failed_cells gauge\n",
	      out);
	for (i = 0; i < r->nexpectations; i++) {
		const struct rm_expectation_result *x = &r->expectations[i];

		for (n = 0; n < x->npairs; n++) {
			fprintf(out, "reachmap_expectation_failed_cells{rule=\"%zu\",", i);
			pair_labels(out, x->pairs[n].from, x->pairs[n].to);
			fprintf(out, "} %zu\n", x->pairs[n].failed);
		}
	}
	fprintf(out,
		"# HELP reachmap_verdict_pass 1 when no error-severity finding and every "
		"expectation holds.\n"
		"# TYPE reachmap_verdict_pass gauge\n"
		"reachmap_verdict_pass %d\n",
		r->pass ? 1 : 0);
	return ferror(out) ? RM_EIO : RM_OK;
}

const struct report_ops report_prom = {
	.name = "prom",
	.description = "Prometheus text, per cluster pair and check",
	.render = render_prom,
};

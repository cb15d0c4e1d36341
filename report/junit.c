/* JUnit XML for CI (the de facto schema of Ant's junit task that Jenkins,
 * GitLab and GitHub read): one test suite per expectation of the topology,
 * one test case per cluster pair it covers, a failure carrying the
 * summary of the pair's finding (the cause) and how many cells violate
 * the expectation; one more suite with a test case per error finding. */
#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"
#include "report/report-internal.h"

/* The first error finding between the two clusters: the cause to show. */
static const struct rm_finding *cause(const struct rm_report *r, const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < r->findings.n; i++) {
		const struct rm_finding *f = &r->findings.v[i];

		if (f->severity == RM_SEV_ERROR && f->from.cluster && f->to.cluster &&
		    strcmp(f->from.cluster, from) == 0 && strcmp(f->to.cluster, to) == 0)
			return f;
	}
	return NULL;
}

static void rule_name(FILE *out, const struct rm_report *r, const struct rm_expect *e)
{
	size_t k;

	if (e->reach == RM_REACH_RESOLVES) {
		fputs("names resolve", out);
		return;
	}
	for (k = 0; k < e->nports; k++)
		fprintf(out, "%s%s", k ? "," : "", r->topo->ports[e->ports[k]].name);
	fprintf(out, " %s", topo_reach_name(e->reach));
}

/* One testsuite per expectation, one testcase per cluster pair it covers;
 * a failing pair names the finding that explains it. */
static void expectation_suite(const struct rm_report *r, size_t i, FILE *out)
{
	const struct rm_expectation_result *x = &r->expectations[i];
	size_t k, f = 0;

	for (k = 0; k < x->npairs; k++)
		f += x->pairs[k].failed > 0;
	fprintf(out, "  <testsuite name=\"expect[%zu] ", i);
	report_escape(out, x->rule->from);
	fputs(" -&gt; ", out);
	report_escape(out, x->rule->to);
	fputc(' ', out);
	rule_name(out, r, x->rule);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", x->npairs, f);
	for (k = 0; k < x->npairs; k++) {
		const struct rm_expectation_pair *p = &x->pairs[k];
		const struct rm_finding *why;

		fprintf(out, "    <testcase classname=\"reachmap.expect%zu\" name=\"", i);
		report_escape(out, p->from);
		fputs(" -&gt; ", out);
		report_escape(out, p->to);
		fputc(' ', out);
		rule_name(out, r, x->rule);
		if (p->failed == 0) {
			fputs("\"/>\n", out);
			continue;
		}
		why = cause(r, p->from, p->to);
		fputs("\">\n      <failure type=\"", out);
		report_escape(out, why ? finding_kind_name(why->kind) : "expectation");
		fputs("\" message=\"", out);
		report_escape(out, why ? why->summary : "the expectation does not hold");
		fprintf(out, "\">%zu of %zu cells violate it.", p->failed, p->cells);
		if (why && why->remedy) {
			fputs(" Remedy: ", out);
			report_escape(out, why->remedy);
		}
		fputs("</failure>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

/* "no error-severity finding", then one failing testcase per error. */
static void findings_suite(const struct rm_report *r, size_t errors, FILE *out)
{
	size_t i;

	fprintf(out,
		"  <testsuite name=\"findings\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		errors + 1, errors);
	fputs("    <testcase classname=\"reachmap.findings\" name=\"no error-severity finding\"",
	      out);
	if (errors == 0) {
		fputs("/>\n", out);
	} else {
		fprintf(out,
			">\n      <failure type=\"findings\" message=\"%zu error findings\"/>\n"
			"    </testcase>\n",
			errors);
	}
	for (i = 0; i < r->findings.n; i++) {
		const struct rm_finding *f = &r->findings.v[i];

		if (f->severity != RM_SEV_ERROR)
			continue;
		fprintf(out, "    <testcase classname=\"reachmap.findings\" name=\"%s ",
			finding_kind_name(f->kind));
		report_escape(out, f->from.cluster);
		if (f->to.cluster) {
			fputs(" -&gt; ", out);
			report_escape(out, f->to.cluster);
		}
		fputs("\">\n      <failure type=\"", out);
		report_escape(out, finding_kind_name(f->kind));
		fputs("\" message=\"", out);
		report_escape(out, f->summary);
		fputs("\">", out);
		report_escape(out, f->remedy);
		fputs("</failure>\n    </testcase>\n", out);
	}
}

static int render_junit(const struct rm_report *r, FILE *out)
{
	size_t i, k, tests = 0, failures = 0, errors = r->counts[RM_SEV_ERROR];

	for (i = 0; i < r->nexpectations; i++)
		for (k = 0; k < r->expectations[i].npairs; k++) {
			tests++;
			failures += r->expectations[i].pairs[k].failed > 0;
		}
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"reachmap\" tests=\"%zu\" failures=\"%zu\">\n",
		tests + errors + 1, failures + errors);
	for (i = 0; i < r->nexpectations; i++)
		expectation_suite(r, i, out);
	findings_suite(r, errors, out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? RM_EIO : RM_OK;
}

const struct report_ops report_junit = {
	.name = "junit",
	.description = "JUnit XML: a case per expectation and pair",
	.render = render_junit,
};

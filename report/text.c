/* The report for people: a verdict line, then findings by severity, each
 * with its evidence and remedy, then suggestions. */
#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"
#include "reachmap/timefmt.h"
#include "report/report-internal.h"

/* Text evidence lines per finding; the JSON report carries all of them. */
#define TEXT_MAX_EVIDENCE 6

static size_t total_ranges(const struct rm_topology *t, size_t *probes, size_t *targets)
{
	size_t i, n = 0;

	*probes = *targets = 0;
	for (i = 0; i < t->nclusters; i++) {
		n += t->clusters[i].nranges;
		*probes += t->clusters[i].nprobes;
		*targets += t->clusters[i].ntargets;
	}
	return n;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_evidence(FILE *out, const struct rm_evidence *e)
{
	fputs("      at   ", out);
	if (e->from != NULL && e->to != NULL) {
		fprintf(out, "%s -> %s", e->from, e->to);
		if (e->check != NULL)
			fprintf(out, " %s", e->check);
		if (e->port)
			fprintf(out, "/%u", e->port);
		if (e->status != NULL)
			fprintf(out, " %s", e->status);
		/* Who answered: the ICMP error's sender, or the source address
		 * the responder saw. */
		if (e->address != NULL)
			fprintf(out,
				e->check != NULL && strcmp(e->check, "nat") == 0
				    ? " (seen as %s)"
				    : " (ICMP from %s)",
				e->address);
		if (e->arrived >= 0)
			fprintf(out, " (%s at the far end)",
				e->arrived ? "arrived" : "did not arrive");
	} else if (e->range != NULL) {
		fprintf(out, "%s %s %s", e->cluster, e->kind, e->range);
	} else if (e->address != NULL) {
		fprintf(out, "%s %s %s in %s", e->kind, e->name, e->address, e->cluster);
	} else if (e->name != NULL) {
		fprintf(out, "%s %s %s", e->cluster, e->kind, e->name);
	}
	if (e->line && e->field != NULL)
		fprintf(out, " (line %u: %s)", e->line, e->field);
	fputc('\n', out);
}

static void print_finding(FILE *out, const struct rm_finding *f)
{
	char when[RM_TIME_STRLEN];
	size_t i;

	fprintf(out, "  [%s] %s\n", finding_kind_name(f->kind), f->summary);
	if (f->since_ms > 0) /* the live collector's */
		fprintf(out, "      since %s\n",
			rm_time_format((time_t)(f->since_ms / 1000), when, sizeof(when)));
	for (i = 0; i < f->nevidence && i < TEXT_MAX_EVIDENCE; i++)
		print_evidence(out, &f->evidence[i]);
	if (f->nevidence > TEXT_MAX_EVIDENCE)
		fprintf(out, "      ...  and %zu more (see --format json)\n",
			f->nevidence - TEXT_MAX_EVIDENCE);
	if (f->remedy != NULL)
		fprintf(out, "      fix  %s\n", f->remedy);
}

/* The worst of a pair's cells for one check (rm_status_worst): "filtered
 * 4/20", the healthy word, "-" when nothing was measured. */
static void worst(const struct rm_pair_counts *pc, enum rm_check c, char *buf, size_t len)
{
	unsigned n, total;
	int st = rm_status_worst(c, pc->counts[c], &n, &total);

	if (st < 0)
		snprintf(buf, len, "-");
	else if (n > 0)
		snprintf(buf, len, "%s %u/%u", rm_status_name((enum rm_check_status)st), n, total);
	else
		snprintf(buf, len, "%s", rm_status_name((enum rm_check_status)st));
}

static void print_matrix(FILE *out, const struct rm_matrix *m)
{
	size_t i, k;

	char line[512];
	size_t used;

	fputs("\nCLUSTER PAIRS (the worst status of each check: status cells/all)\n", out);
	for (i = 0; i <= m->nclusters; i++) {
		char pair[64];

		if (i == 0)
			snprintf(pair, sizeof(pair), "from -> to");
		else
			snprintf(pair, sizeof(pair), "%s -> %s", m->clusters[i - 1].from,
				 m->clusters[i - 1].to);
		used = (size_t)snprintf(line, sizeof(line), "  %-22s", pair);
		for (k = 0; k < RM_CHECK_COUNT && used < sizeof(line); k++) {
			char cell[48];

			if (i == 0)
				snprintf(cell, sizeof(cell), "%s",
					 rm_check_name(rm_check_order[k]));
			else
				worst(&m->clusters[i - 1], rm_check_order[k], cell, sizeof(cell));
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %-16s", cell);
		}
		/* No trailing blanks. */
		used = strlen(line);
		while (used > 0 && line[used - 1] == ' ')
			line[--used] = '\0';
		fprintf(out, "%s\n", line);
	}
}

static void print_expectations(FILE *out, const struct rm_report *r)
{
	size_t i, k;

	fputs("\nEXPECTATIONS\n", out);
	for (i = 0; i < r->nexpectations; i++) {
		const struct rm_expectation_result *x = &r->expectations[i];

		fprintf(out, "  %s  %s -> %s ", x->failed ? "FAIL" : "pass", x->rule->from,
			x->rule->to);
		if (x->rule->reach == RM_REACH_RESOLVES) {
			fputs("names resolve", out);
		} else {
			for (k = 0; k < x->rule->nports; k++)
				fprintf(out, "%s%s", k ? "," : "",
					r->topo->ports[x->rule->ports[k]].name);
			fprintf(out, " %s", topo_reach_name(x->rule->reach));
		}
		if (x->failed)
			fprintf(out, ": %zu of %zu cells violate it\n", x->failed, x->cells);
		else
			fprintf(out, " (%zu cells)\n", x->cells);
		for (k = 0; k < x->nviolations && k < 3; k++)
			print_evidence(out, &x->violations[k]);
	}
}

static int render_text(const struct rm_report *r, FILE *out)
{
	static const char *const headings[RM_SEV_COUNT] = { "ERRORS", "WARNINGS", "INFO" };
	size_t probes, targets, nranges = total_ranges(r->topo, &probes, &targets);
	size_t i;
	int sev;

	fprintf(out, "%s  %s: ", r->pass ? "PASS" : "FAIL", r->topo->path);
	if (r->findings.n == 0)
		fputs("no findings", out);
	else
		fprintf(out, "%zu %s, %zu %s", r->counts[RM_SEV_ERROR],
			plural(r->counts[RM_SEV_ERROR], "error", "errors"),
			r->counts[RM_SEV_WARNING],
			plural(r->counts[RM_SEV_WARNING], "warning", "warnings"));
	fprintf(out, " (%zu %s, %zu %s, %zu %s, %zu %s)\n", r->topo->nclusters,
		plural(r->topo->nclusters, "cluster", "clusters"), nranges,
		plural(nranges, "range", "ranges"), probes, plural(probes, "probe", "probes"),
		targets, plural(targets, "target", "targets"));

	for (sev = 0; sev < RM_SEV_COUNT; sev++) {
		if (r->counts[sev] == 0)
			continue;
		fprintf(out, "\n%s\n", headings[sev]);
		for (i = 0; i < r->findings.n; i++)
			if (r->findings.v[i].severity == (enum rm_severity)sev)
				print_finding(out, &r->findings.v[i]);
	}

	if (r->nnotes > 0) {
		fputs("\nNOT MEASURED (the probes' notes)\n", out);
		for (i = 0; i < r->nnotes; i++)
			fprintf(out, "  %s: %s\n", r->notes[i].probe, r->notes[i].text);
	}
	if (r->nexpectations > 0)
		print_expectations(out, r);
	if (r->matrix.nclusters > 0)
		print_matrix(out, &r->matrix);

	if (r->nsuggestions) {
		fputs("\nSUGGESTED RANGES for a new cluster (RFC 1918, overlapping nothing "
		      "declared)\n",
		      out);
		for (i = 0; i < r->nsuggestions; i++) {
			const struct rm_suggestion *s = &r->suggestions[i];
			char buf[RM_PREFIX_STRLEN];

			if (s->found)
				fprintf(out, "  %-9s %s\n", topo_range_kind_name(s->kind),
					cidr_format(&s->prefix, buf, sizeof(buf)));
			else
				fprintf(out, "  %-9s none: no free /%u block is left\n",
					topo_range_kind_name(s->kind), s->len);
		}
	}
	return ferror(out) ? RM_EIO : RM_OK;
}

const struct report_ops report_text = {
	.name = "text",
	.description = "a verdict, then findings with remedies",
	.plan = true,
	.render = render_text,
};

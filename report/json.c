/* reachmap.report/v1 as JSON (schema: report/schema/reachmap.report.v1.json). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "reachmap/error.h"
#include "reachmap/jsonw.h"
#include "reachmap/timefmt.h"
#include "report/report-internal.h"

static void scope_json(struct rm_jb *b, cJSON *parent, const char *key, const struct rm_scope *s)
{
	cJSON *o, *a;
	size_t i;

	if (s->cluster == NULL)
		return;
	o = jb_obj(b, parent, key);
	jb_str(b, o, "cluster", s->cluster);
	if (s->nzones) {
		a = jb_arr(b, o, "zones");
		for (i = 0; i < s->nzones; i++)
			jb_push_str(b, a, s->zones[i]);
	}
	if (s->nprobes) {
		a = jb_arr(b, o, "probes");
		for (i = 0; i < s->nprobes; i++)
			jb_push_str(b, a, s->probes[i]);
	}
}

/* "since": set only by the live collector, absent in a one-shot report. */
static void since_json(struct rm_jb *b, cJSON *o, int64_t since_ms)
{
	char buf[RM_TIME_STRLEN];

	if (since_ms > 0)
		jb_str(b, o, "since", rm_time_format((time_t)(since_ms / 1000), buf, sizeof(buf)));
}

static cJSON *evidence_json(struct rm_jb *b, const struct rm_evidence *e)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	jb_str(b, o, "from", e->from);
	jb_str(b, o, "to", e->to);
	jb_str(b, o, "check", e->check);
	if (e->port)
		jb_num(b, o, "port", e->port);
	jb_str(b, o, "status", e->status);
	if (e->arrived >= 0 && cJSON_AddBoolToObject(o, "arrived", e->arrived) == NULL)
		b->failed = 1;
	jb_str(b, o, "cluster", e->cluster);
	jb_str(b, o, "kind", e->kind);
	jb_str(b, o, "name", e->name);
	jb_str(b, o, "range", e->range);
	jb_str(b, o, "address", e->address);
	jb_str(b, o, "field", e->field);
	if (e->line)
		jb_num(b, o, "line", e->line);
	since_json(b, o, e->since_ms);
	return o;
}

static cJSON *finding_json(struct rm_jb *b, const struct rm_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	jb_str(b, o, "kind", finding_kind_name(f->kind));
	jb_str(b, o, "severity", finding_severity_name(f->severity));
	scope_json(b, o, "from", &f->from);
	scope_json(b, o, "to", &f->to);
	jb_str(b, o, "protocol", f->protocol);
	a = jb_arr(b, o, "ports");
	for (i = 0; i < f->nports; i++)
		jb_push(b, a, cJSON_CreateNumber(f->ports[i]));
	jb_num(b, o, "cells", (double)f->cells);
	jb_str(b, o, "summary", f->summary);
	a = jb_arr(b, o, "evidence");
	for (i = 0; i < f->nevidence; i++)
		jb_push(b, a, evidence_json(b, &f->evidence[i]));
	jb_str(b, o, "remedy", f->remedy);
	since_json(b, o, f->since_ms);
	return o;
}

static cJSON *cluster_json(struct rm_jb *b, const struct rm_cluster *c)
{
	cJSON *o = cJSON_CreateObject(), *a, *cidrs, *dns;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int k;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	jb_str(b, o, "name", c->name);
	a = jb_arr(b, o, "zones");
	for (i = 0; i < c->nzones; i++)
		jb_push_str(b, a, c->zones[i]);
	cidrs = jb_obj(b, o, "cidrs");
	for (k = 0; k < RM_RANGE_KIND_COUNT; k++) {
		a = jb_arr(b, cidrs, topo_range_kind_name((enum rm_range_kind)k));
		for (i = 0; i < c->nranges; i++)
			if (c->ranges[i].kind == (enum rm_range_kind)k)
				jb_push_str(b, a,
					    cidr_format(&c->ranges[i].prefix, buf, sizeof(buf)));
	}
	if (c->dns_domain != NULL) {
		dns = jb_obj(b, o, "dns");
		jb_str(b, dns, "domain", c->dns_domain);
		a = jb_arr(b, dns, "servers");
		for (i = 0; i < c->ndns_servers; i++)
			jb_push_str(b, a, cidr_addr_format(&c->dns_servers[i], buf, sizeof(buf)));
	}
	a = jb_arr(b, o, "probes");
	for (i = 0; i < c->nprobes; i++)
		jb_push_str(b, a, c->probes[i].name);
	a = jb_arr(b, o, "targets");
	for (i = 0; i < c->ntargets; i++)
		jb_push_str(b, a, c->targets[i].name);
	report_members_json(b, o, c);
	return o;
}

static void pairs_json(struct rm_jb *b, cJSON *arr, const struct rm_pair_counts *v, size_t n)
{
	size_t i;
	int c, st;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *checks;

		jb_str(b, o, "from", v[i].from);
		jb_str(b, o, "to", v[i].to);
		checks = jb_obj(b, o, "checks");
		for (c = 0; c < RM_CHECK_COUNT; c++) {
			cJSON *co = NULL;

			for (st = 0; st < RM_STATUS_COUNT; st++) {
				if (v[i].counts[c][st] == 0)
					continue;
				if (co == NULL)
					co = jb_obj(b, checks, rm_check_name((enum rm_check)c));
				jb_num(b, co, rm_status_name((enum rm_check_status)st),
				       v[i].counts[c][st]);
			}
		}
		jb_push(b, arr, o);
	}
}

static cJSON *expectation_json(struct rm_jb *b, const struct rm_report *r,
			       const struct rm_expectation_result *x)
{
	cJSON *o = cJSON_CreateObject(), *rule, *a;
	size_t i;

	rule = jb_obj(b, o, "rule");
	jb_str(b, rule, "from", x->rule->from);
	jb_str(b, rule, "to", x->rule->to);
	if (x->rule->reach == RM_REACH_RESOLVES) {
		jb_str(b, rule, "dns", "resolves");
	} else {
		a = jb_arr(b, rule, "ports");
		for (i = 0; i < x->rule->nports; i++)
			jb_push_str(b, a, r->topo->ports[x->rule->ports[i]].name);
		jb_str(b, rule, "reach", topo_reach_name(x->rule->reach));
	}
	jb_str(b, o, "status", x->failed ? "fail" : "pass");
	jb_num(b, o, "cells", (double)x->cells);
	jb_num(b, o, "failed", (double)x->failed);
	a = jb_arr(b, o, "violations");
	for (i = 0; i < x->nviolations; i++)
		jb_push(b, a, evidence_json(b, &x->violations[i]));
	return o;
}

static int render_json(const struct rm_report *r, FILE *out)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *o, *a;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int rc = RM_OK;

	if (root == NULL)
		return RM_ENOMEM;
	jb_str(&b, root, "schema", "reachmap.report/v1");
	jb_str(&b, root, "generated", r->generated);
	o = jb_obj(&b, root, "generator");
	jb_str(&b, o, "name", "reachmap");
	jb_str(&b, o, "version", REACHMAP_VERSION);
	jb_str(&b, o, "command", r->command);
	jb_str(&b, root, "topology", r->topo->path);
	a = jb_arr(&b, root, "clusters");
	for (i = 0; i < r->topo->nclusters; i++)
		jb_push(&b, a, cluster_json(&b, &r->topo->clusters[i]));
	o = jb_obj(&b, root, "matrix");
	pairs_json(&b, jb_arr(&b, o, "clusterPairs"), r->matrix.clusters, r->matrix.nclusters);
	if (r->matrix.grid != NULL) {
		report_grid_json(&b, o, &r->matrix);
		report_cells_json(&b, o, &r->matrix);
	}
	a = jb_arr(&b, root, "findings");
	for (i = 0; i < r->findings.n; i++)
		jb_push(&b, a, finding_json(&b, &r->findings.v[i]));
	if (r->nnotes > 0) {
		a = jb_arr(&b, root, "notes");
		for (i = 0; i < r->nnotes; i++) {
			cJSON *no = cJSON_CreateObject();

			jb_str(&b, no, "probe", r->notes[i].probe);
			jb_str(&b, no, "text", r->notes[i].text);
			jb_push(&b, a, no);
		}
	}
	a = jb_arr(&b, root, "expectations");
	for (i = 0; i < r->nexpectations; i++)
		jb_push(&b, a, expectation_json(&b, r, &r->expectations[i]));
	if (r->nsuggestions) {
		a = jb_arr(&b, root, "suggestions");
		for (i = 0; i < r->nsuggestions; i++) {
			const struct rm_suggestion *s = &r->suggestions[i];
			cJSON *so = cJSON_CreateObject();

			jb_str(&b, so, "kind", topo_range_kind_name(s->kind));
			jb_num(&b, so, "prefixLength", s->len);
			if (s->found)
				jb_str(&b, so, "range", cidr_format(&s->prefix, buf, sizeof(buf)));
			else if (cJSON_AddNullToObject(so, "range") == NULL)
				b.failed = 1;
			jb_push(&b, a, so);
		}
	}
	o = jb_obj(&b, root, "summary");
	jb_num(&b, o, "errors", (double)r->counts[RM_SEV_ERROR]);
	jb_num(&b, o, "warnings", (double)r->counts[RM_SEV_WARNING]);
	jb_num(&b, o, "info", (double)r->counts[RM_SEV_INFO]);
	jb_str(&b, root, "verdict", r->pass ? "pass" : "fail");
	if (b.failed) {
		rc = RM_ENOMEM;
		goto out;
	}
	rc = rm_json_write(root, out);
out:
	cJSON_Delete(root);
	return rc;
}

const struct report_ops report_json = {
	.name = "json",
	.description = "reachmap.report/v1 JSON",
	.plan = true,
	.render = render_json,
};

/* reachmap.report/v1 as JSON (schema: report/schema/reachmap.report.v1.json). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "reachmap/error.h"
#include "reachmap/jsonw.h"
#include "report/report-internal.h"

/* cJSON's Add* functions return NULL on failure and accept a NULL parent, so
 * the builder records a failure and carries on; one check at the end turns
 * it into RM_ENOMEM. */
struct jb {
	int failed;
};

static cJSON *add_obj(struct jb *b, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);

	if (o == NULL)
		b->failed = 1;
	return o;
}

static cJSON *add_arr(struct jb *b, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_AddArrayToObject(parent, key);

	if (o == NULL)
		b->failed = 1;
	return o;
}

static void add_str(struct jb *b, cJSON *parent, const char *key, const char *val)
{
	if (val != NULL && cJSON_AddStringToObject(parent, key, val) == NULL)
		b->failed = 1;
}

static void add_num(struct jb *b, cJSON *parent, const char *key, double val)
{
	if (cJSON_AddNumberToObject(parent, key, val) == NULL)
		b->failed = 1;
}

static void push(struct jb *b, cJSON *arr, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		b->failed = 1;
	}
}

static void push_str(struct jb *b, cJSON *arr, const char *s)
{
	push(b, arr, cJSON_CreateString(s));
}

static void scope_json(struct jb *b, cJSON *parent, const char *key, const struct rm_scope *s)
{
	cJSON *o, *a;
	size_t i;

	if (s->cluster == NULL)
		return;
	o = add_obj(b, parent, key);
	add_str(b, o, "cluster", s->cluster);
	if (s->nzones) {
		a = add_arr(b, o, "zones");
		for (i = 0; i < s->nzones; i++)
			push_str(b, a, s->zones[i]);
	}
	if (s->nprobes) {
		a = add_arr(b, o, "probes");
		for (i = 0; i < s->nprobes; i++)
			push_str(b, a, s->probes[i]);
	}
}

static cJSON *evidence_json(struct jb *b, const struct rm_evidence *e)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	add_str(b, o, "from", e->from);
	add_str(b, o, "to", e->to);
	add_str(b, o, "check", e->check);
	if (e->port)
		add_num(b, o, "port", e->port);
	add_str(b, o, "status", e->status);
	if (e->arrived >= 0 && cJSON_AddBoolToObject(o, "arrived", e->arrived) == NULL)
		b->failed = 1;
	add_str(b, o, "cluster", e->cluster);
	add_str(b, o, "kind", e->kind);
	add_str(b, o, "name", e->name);
	add_str(b, o, "range", e->range);
	add_str(b, o, "address", e->address);
	add_str(b, o, "field", e->field);
	if (e->line)
		add_num(b, o, "line", e->line);
	return o;
}

static cJSON *finding_json(struct jb *b, const struct rm_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	add_str(b, o, "kind", finding_kind_name(f->kind));
	add_str(b, o, "severity", finding_severity_name(f->severity));
	scope_json(b, o, "from", &f->from);
	scope_json(b, o, "to", &f->to);
	add_str(b, o, "protocol", f->protocol);
	a = add_arr(b, o, "ports");
	for (i = 0; i < f->nports; i++)
		push(b, a, cJSON_CreateNumber(f->ports[i]));
	add_num(b, o, "cells", (double)f->cells);
	add_str(b, o, "summary", f->summary);
	a = add_arr(b, o, "evidence");
	for (i = 0; i < f->nevidence; i++)
		push(b, a, evidence_json(b, &f->evidence[i]));
	add_str(b, o, "remedy", f->remedy);
	return o;
}

static cJSON *cluster_json(struct jb *b, const struct rm_cluster *c)
{
	cJSON *o = cJSON_CreateObject(), *a, *cidrs, *dns;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int k;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	add_str(b, o, "name", c->name);
	a = add_arr(b, o, "zones");
	for (i = 0; i < c->nzones; i++)
		push_str(b, a, c->zones[i]);
	cidrs = add_obj(b, o, "cidrs");
	for (k = 0; k < RM_RANGE_KIND_COUNT; k++) {
		a = add_arr(b, cidrs, topo_range_kind_name((enum rm_range_kind)k));
		for (i = 0; i < c->nranges; i++)
			if (c->ranges[i].kind == (enum rm_range_kind)k)
				push_str(b, a, cidr_format(&c->ranges[i].prefix, buf, sizeof(buf)));
	}
	if (c->dns_domain != NULL) {
		dns = add_obj(b, o, "dns");
		add_str(b, dns, "domain", c->dns_domain);
		a = add_arr(b, dns, "servers");
		for (i = 0; i < c->ndns_servers; i++)
			push_str(b, a, cidr_addr_format(&c->dns_servers[i], buf, sizeof(buf)));
	}
	a = add_arr(b, o, "probes");
	for (i = 0; i < c->nprobes; i++)
		push_str(b, a, c->probes[i].name);
	a = add_arr(b, o, "targets");
	for (i = 0; i < c->ntargets; i++)
		push_str(b, a, c->targets[i].name);
	return o;
}

static int render_json(const struct rm_report *r, FILE *out)
{
	struct jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *o, *a;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int rc = RM_OK;

	if (root == NULL)
		return RM_ENOMEM;
	add_str(&b, root, "schema", "reachmap.report/v1");
	add_str(&b, root, "generated", r->generated);
	o = add_obj(&b, root, "generator");
	add_str(&b, o, "name", "reachmap");
	add_str(&b, o, "version", REACHMAP_VERSION);
	add_str(&b, o, "command", r->command);
	add_str(&b, root, "topology", r->topo->path);
	a = add_arr(&b, root, "clusters");
	for (i = 0; i < r->topo->nclusters; i++)
		push(&b, a, cluster_json(&b, &r->topo->clusters[i]));
	o = add_obj(&b, root, "matrix");
	add_arr(&b, o, "clusterPairs");
	add_arr(&b, o, "probePairs");
	a = add_arr(&b, root, "findings");
	for (i = 0; i < r->findings.n; i++)
		push(&b, a, finding_json(&b, &r->findings.v[i]));
	add_arr(&b, root, "expectations");
	if (r->nsuggestions) {
		a = add_arr(&b, root, "suggestions");
		for (i = 0; i < r->nsuggestions; i++) {
			const struct rm_suggestion *s = &r->suggestions[i];
			cJSON *so = cJSON_CreateObject();

			add_str(&b, so, "kind", topo_range_kind_name(s->kind));
			add_num(&b, so, "prefixLength", s->len);
			if (s->found)
				add_str(&b, so, "range", cidr_format(&s->prefix, buf, sizeof(buf)));
			else if (cJSON_AddNullToObject(so, "range") == NULL)
				b.failed = 1;
			push(&b, a, so);
		}
	}
	o = add_obj(&b, root, "summary");
	add_num(&b, o, "errors", (double)r->counts[RM_SEV_ERROR]);
	add_num(&b, o, "warnings", (double)r->counts[RM_SEV_WARNING]);
	add_num(&b, o, "info", (double)r->counts[RM_SEV_INFO]);
	add_str(&b, root, "verdict", r->pass ? "pass" : "fail");
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
	.render = render_json,
};

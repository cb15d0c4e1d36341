/* The findings of a reachmap.report/v1 document read back: kind,
 * severity, scope, evidence, remedy, and since when each holds (the live
 * collector's "since"). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/report_read-internal.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

/* "since": an RFC 3339 time when present; (time_t)-1 when absent (a
 * one-shot report). */
static int load_since(struct ld *ld, const cJSON *obj, const char *path, time_t *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "since");

	*out = (time_t)-1;
	if (j == NULL)
		return RM_OK;
	if (!cJSON_IsString(j) || (*out = rr_time(j->valuestring)) == (time_t)-1)
		return rr_fail(ld, RM_EPARSE,
			       "%s.since: %s, want a time such as 2026-11-24T09:00:00Z", path,
			       cJSON_IsString(j) ? "not a time" : rr_type_name(j));
	return RM_OK;
}

/* A finding's from/to: "cluster", "cluster (zone, zone)" or with probes. */
static int load_side(struct ld *ld, const cJSON *f, const char *key, const char *path,
		     const char **out)
{
	const cJSON *side = cJSON_GetObjectItemCaseSensitive(f, key), *list, *item;
	const char *cluster, *sub = "zones";
	bool first = true;
	char spath[80];
	char *s;
	int rc;

	*out = NULL;
	if (side == NULL || cJSON_IsNull(side))
		return RM_OK;
	snprintf(spath, sizeof(spath), "%s.%s", path, key);
	if (!cJSON_IsObject(side))
		return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", spath, rr_type_name(side));
	if ((rc = rr_get_str(ld, side, "cluster", spath, true, &cluster)) != RM_OK)
		return rc;
	list = cJSON_GetObjectItemCaseSensitive(side, "probes");
	if (cJSON_IsArray(list) && cJSON_GetArraySize(list) > 0)
		sub = "probes";
	else
		list = cJSON_GetObjectItemCaseSensitive(side, "zones");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		*out = cluster;
		return RM_OK;
	}
	s = rm_arena_printf(ld->m->arena, "%s (", cluster);
	cJSON_ArrayForEach(item, list)
	{
		if (!cJSON_IsString(item))
			return rr_fail(ld, RM_EPARSE, "%s.%s: an item is %s, want a string", spath,
				       sub, rr_type_name(item));
		if (s != NULL)
			s = rm_arena_printf(ld->m->arena, "%s%s%s", s, first ? "" : ", ",
					    item->valuestring);
		first = false;
	}
	if (s != NULL)
		s = rm_arena_printf(ld->m->arena, "%s)", s);
	*out = s;
	return s ? RM_OK : rr_fail(ld, RM_ENOMEM, "-");
}

static int load_evidence(struct ld *ld, const cJSON *arr, const char *path,
			 struct rm_report_finding *f)
{
	const cJSON *item, *j;
	size_t k = 0;
	int rc;

	f->evidence = rm_arena_calloc(ld->m->arena, (size_t)cJSON_GetArraySize(arr) + 1,
				      sizeof(*f->evidence));
	if (f->evidence == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		struct rm_report_evidence *e = &f->evidence[k];
		char epath[96];

		snprintf(epath, sizeof(epath), "%s.evidence[%zu]", path, k++);
		if (!cJSON_IsObject(item))
			return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", epath,
				       rr_type_name(item));
		if ((rc = rr_get_str(ld, item, "from", epath, false, &e->from)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "to", epath, false, &e->to)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "check", epath, false, &e->check)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "status", epath, false, &e->status)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "address", epath, false, &e->address)) != RM_OK ||
		    (rc = load_since(ld, item, epath, &e->since)) != RM_OK)
			return rc;
		j = cJSON_GetObjectItemCaseSensitive(item, "port");
		e->port = cJSON_IsNumber(j) ? j->valueint : 0;
		j = cJSON_GetObjectItemCaseSensitive(item, "arrived");
		e->arrived = cJSON_IsBool(j) ? cJSON_IsTrue(j) : -1;
		f->nevidence++;
	}
	return RM_OK;
}

static int load_finding(struct ld *ld, const cJSON *item, size_t k, struct rm_report_finding *f)
{
	static const char *const severities[] = { "error", "warning", "info" };
	const cJSON *j, *p;
	const char *sev;
	char path[48];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "findings[%zu]", k);
	if (!cJSON_IsObject(item))
		return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", path, rr_type_name(item));
	if ((rc = rr_get_str(ld, item, "kind", path, true, &f->kind)) != RM_OK ||
	    (rc = rr_get_str(ld, item, "severity", path, true, &sev)) != RM_OK ||
	    (rc = rr_get_str(ld, item, "summary", path, true, &f->summary)) != RM_OK ||
	    (rc = rr_get_str(ld, item, "remedy", path, false, &f->remedy)) != RM_OK ||
	    (rc = rr_get_str(ld, item, "protocol", path, false, &f->protocol)) != RM_OK ||
	    (rc = load_side(ld, item, "from", path, &f->from)) != RM_OK ||
	    (rc = load_side(ld, item, "to", path, &f->to)) != RM_OK ||
	    (rc = load_since(ld, item, path, &f->since)) != RM_OK)
		return rc;
	for (i = 0; i < ARRAY_SIZE(severities); i++)
		if (strcmp(sev, severities[i]) == 0)
			break;
	if (i == ARRAY_SIZE(severities))
		return rr_fail(ld, RM_EPARSE,
			       "%s.severity: \"%s\", want \"error\", \"warning\" or \"info\"", path,
			       sev);
	f->severity = (enum rm_severity)i;
	j = cJSON_GetObjectItemCaseSensitive(item, "cells");
	f->cells = rr_count(j);
	j = cJSON_GetObjectItemCaseSensitive(item, "ports");
	if (cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0) {
		char *s = NULL;

		cJSON_ArrayForEach(p, j)
		{
			if (!cJSON_IsNumber(p))
				return rr_fail(ld, RM_EPARSE,
					       "%s.ports: an item is %s, want a number", path,
					       rr_type_name(p));
			s = s ? rm_arena_printf(ld->m->arena, "%s,%d", s, p->valueint)
			      : rm_arena_printf(ld->m->arena, "%d", p->valueint);
			if (s == NULL)
				return rr_fail(ld, RM_ENOMEM, "-");
		}
		f->ports = s;
	}
	if ((rc = rr_get_array(ld, item, "evidence", path, false, &j)) != RM_OK)
		return rc;
	return j ? load_evidence(ld, j, path, f) : RM_OK;
}

/* findings[], most severe first; the report's order within a severity. */
int rr_load_findings(struct ld *ld, const cJSON *root)
{
	struct rm_report_doc *m = ld->m;
	const cJSON *arr, *item;
	struct rm_report_finding *all;
	size_t n, k = 0, i;
	int rc, sev;

	if ((rc = rr_get_array(ld, root, "findings", "", false, &arr)) != RM_OK || arr == NULL)
		return rc;
	n = (size_t)cJSON_GetArraySize(arr);
	all = rm_arena_calloc(m->arena, n + 1, sizeof(*all));
	m->findings = rm_arena_calloc(m->arena, n + 1, sizeof(*m->findings));
	if (all == NULL || m->findings == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		if ((rc = load_finding(ld, item, k, &all[k])) != RM_OK)
			return rc;
		k++;
	}
	for (sev = RM_SEV_ERROR; sev <= RM_SEV_INFO; sev++)
		for (i = 0; i < n; i++)
			if ((int)all[i].severity == sev)
				m->findings[m->nfindings++] = all[i];
	return RM_OK;
}

/* The probe grid and the cells' detail as JSON: one form for the json
 * report, the html page's data and `reachmap top` (schema: "grid" and
 * "cells" in reachmap.report.v1.json), and the analyzer's health of each
 * status for the page. A row is a string, one character a
 * cell and column, so a thousand probes make a few megabytes, not a few
 * hundred. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/jsonw.h"
#include "report/report-internal.h"

cJSON *report_grid_json(struct rm_jb *b, cJSON *parent, const struct rm_matrix *m)
{
	cJSON *g = jb_obj(b, parent, "grid"), *a;
	size_t i, k, c, width = m->nto * m->ncolumns;
	char *row;
	int st;

	a = jb_arr(b, g, "statuses");
	for (st = 0; st < RM_STATUS_COUNT; st++)
		jb_push_str(b, a, rm_status_name((enum rm_check_status)st));
	a = jb_arr(b, g, "columns");
	for (c = 0; c < m->ncolumns; c++) {
		char name[24];

		if (m->columns[c].check == RM_CHECK_TCP)
			snprintf(name, sizeof(name), "tcp/%u", m->columns[c].port);
		else
			snprintf(name, sizeof(name), "%s", rm_check_name(m->columns[c].check));
		jb_push_str(b, a, name);
	}
	a = jb_arr(b, g, "from");
	for (i = 0; i < m->nfrom; i++)
		jb_push_str(b, a, m->from[i]);
	a = jb_arr(b, g, "to");
	for (i = 0; i < m->nto; i++)
		jb_push_str(b, a, m->to[i]);
	a = jb_arr(b, g, "rows");
	row = rm_malloc(width + 1);
	if (row == NULL) {
		b->failed = 1;
		return g;
	}
	for (i = 0; i < m->nfrom; i++) {
		for (k = 0; k < width; k++) {
			uint8_t v = m->grid[i * width + k];

			row[k] = v == RM_MATRIX_NONE ? '.' : (char)('a' + v);
		}
		row[width] = '\0';
		jb_push_str(b, a, row);
	}
	rm_free(row);
	return g;
}

void report_health_json(struct rm_jb *b, cJSON *grid)
{
	cJSON *h = jb_obj(b, grid, "health");
	int chk, st;

	for (chk = 0; chk < RM_CHECK_COUNT; chk++) {
		cJSON *o = jb_obj(b, h, rm_check_name((enum rm_check)chk));

		for (st = 0; st < RM_STATUS_COUNT; st++)
			if (rm_status_valid((enum rm_check)chk, (enum rm_check_status)st))
				jb_str(b, o, rm_status_name((enum rm_check_status)st),
				       analyze_health_name(analyze_health(
					   (enum rm_check)chk, (enum rm_check_status)st)));
	}
}

static cJSON *cell_json(struct rm_jb *b, const struct rm_matrix *m, const struct rm_matrix_cell *c)
{
	const struct rm_result *r = c->result;
	cJSON *o = cJSON_CreateObject();

	jb_str(b, o, "from", m->from[c->from]);
	jb_str(b, o, "to", m->to[c->to]);
	jb_str(b, o, "check", rm_check_name(r->check));
	if (r->port)
		jb_num(b, o, "port", r->port);
	jb_str(b, o, "status", rm_status_name(r->status));
	if (r->rtt_ms >= 0)
		jb_num(b, o, "rttMs", round(r->rtt_ms * 1000) / 1000);
	jb_addr(b, o, "icmpFrom", &r->icmp_from);
	switch (r->check) {
	case RM_CHECK_DNS:
		jb_str(b, o, "name", r->dns_name);
		jb_str(b, o, "answers", r->answers);
		break;
	case RM_CHECK_IDENTITY:
		jb_str(b, o, "responder", r->responder);
		break;
	case RM_CHECK_NAT:
		jb_addr(b, o, "seen", &r->seen);
		break;
	case RM_CHECK_MTU:
		if (r->mtu_largest)
			jb_num(b, o, "largestWorking", r->mtu_largest);
		break;
	case RM_CHECK_PATH:
		jb_addr(b, o, "lastHop", &r->last_hop);
		break;
	default:
		break;
	}
	if (c->arrived >= 0 && cJSON_AddBoolToObject(o, "arrived", c->arrived) == NULL)
		b->failed = 1;
	jb_str(b, o, "error", r->error);
	return o;
}

void report_cells_json(struct rm_jb *b, cJSON *parent, const struct rm_matrix *m)
{
	cJSON *a = jb_arr(b, parent, "cells");
	size_t i;

	for (i = 0; i < m->ncells; i++)
		jb_push(b, a, cell_json(b, m, &m->cells[i]));
	if (cJSON_AddBoolToObject(parent, "cellsComplete", m->cells_complete) == NULL)
		b->failed = 1;
}

void report_members_json(struct rm_jb *b, cJSON *parent, const struct rm_cluster *c)
{
	cJSON *a = jb_arr(b, parent, "members");
	size_t i;

	for (i = 0; i < c->nprobes + c->ntargets; i++) {
		bool probe = i < c->nprobes;
		const char *name = probe ? c->probes[i].name : c->targets[i - c->nprobes].name;
		const char *zone = probe ? c->probes[i].zone : c->targets[i - c->nprobes].zone;
		const struct rm_addr *ad =
		    probe ? &c->probes[i].address : &c->targets[i - c->nprobes].address;
		const char *dns =
		    probe ? c->probes[i].dns_name : c->targets[i - c->nprobes].dns_name;
		cJSON *o = cJSON_CreateObject();

		jb_str(b, o, "name", name);
		jb_str(b, o, "role", probe ? "probe" : "target");
		jb_str(b, o, "zone", zone);
		/* A member whose address is not fixed is named by its dnsName. */
		if (cidr_addr_is_set(ad))
			jb_addr(b, o, "address", ad);
		else
			jb_str(b, o, "dnsName", dns);
		jb_push(b, a, o);
	}
}

/* Reading reachmap.report/v1 documents back (DESIGN.md, "Documents";
 * report/schema/reachmap.report.v1.json). The grid is the compact
 * matrix.grid: one string per probe, one letter per (target, column). Every
 * error names the document and the field, as "r.json: matrix.grid.rows[2]:
 * wrong length 5, want 6 (3 to x 2 columns)". */
#include "reachmap/report_doc.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report_read-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

/* A report is read whole; 1,000 probes make about 15 MB of grid. */
#define REPORT_MAX_FILE (256u << 20)

int rr_fail(struct ld *ld, int rc, const char *fmt, ...)
{
	char msg[RM_DIAG_LEN];
	va_list ap;

	if (rc == RM_ENOMEM) {
		rm_diag_error(ld->diag, "%s: out of memory", ld->name);
		return rc;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rm_diag_error(ld->diag, "%s: %s", ld->name, msg);
	return rc;
}

const char *rr_type_name(const cJSON *j)
{
	if (j == NULL)
		return "missing";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	return "an object";
}

/* An optional string member; required ones fail naming path.key. The copy
 * is the model's. */
int rr_get_str(struct ld *ld, const cJSON *obj, const char *key, const char *path, bool required,
	       const char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (j == NULL && !required)
		return RM_OK;
	if (!cJSON_IsString(j))
		return rr_fail(ld, RM_EPARSE, "%s%s%s: %s, want a string", path, *path ? "." : "",
			       key, j == NULL ? "missing" : rr_type_name(j));
	*out = rm_arena_strdup(ld->m->arena, j->valuestring);
	return *out ? RM_OK : rr_fail(ld, RM_ENOMEM, "-");
}

int rr_get_array(struct ld *ld, const cJSON *obj, const char *key, const char *path, bool required,
		 const cJSON **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (j == NULL && !required)
		return RM_OK;
	if (!cJSON_IsArray(j))
		return rr_fail(ld, RM_EPARSE, "%s%s%s: %s, want an array", path, *path ? "." : "",
			       key, rr_type_name(j));
	*out = j;
	return RM_OK;
}

/* A count: a number from 0 to 2^31, else -1 ("not said"). Converting a
 * double out of long's range is undefined, so the range comes first. */
long rr_count(const cJSON *j)
{
	if (!cJSON_IsNumber(j) || !(j->valuedouble >= 0 && j->valuedouble <= 2147483648.0))
		return -1;
	return (long)j->valuedouble;
}

time_t rr_time(const char *s)
{
	struct tm tm;
	char z = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
	    (z != 'Z' && z != 'z'))
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* Name lookups: a copy of the names' order, sorted, and a binary search.
 * qsort has no context argument, so the comparator sees (name, index)
 * pairs instead of indices. */
struct named {
	const char *name;
	uint32_t idx;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static struct named *named_index(struct rm_arena *arena, size_t n,
				 const char *(*name_of)(const struct rm_report_doc *, size_t),
				 const struct rm_report_doc *m)
{
	struct named *v = rm_arena_calloc(arena, n ? n : 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		v[i].name = name_of(m, i);
		v[i].idx = (uint32_t)i;
	}
	qsort(v, n, sizeof(*v), named_cmp);
	return v;
}

/* The first index of `name` (topology order among duplicates), or -1. */
static long named_find(const struct named *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strcmp(v[lo].name, name) == 0)
		return (long)v[lo].idx;
	return -1;
}

static const char *member_name(const struct rm_report_doc *m, size_t i)
{
	return m->members[i].name;
}

static const char *from_name(const struct rm_report_doc *m, size_t i)
{
	return m->members[m->from[i]].name;
}

static const char *to_name(const struct rm_report_doc *m, size_t i)
{
	return m->members[m->to[i]].name;
}

static int add_zone(struct ld *ld, struct rm_report_cluster *c, size_t *cap, const char *zone,
		    uint32_t *idx)
{
	size_t i;

	for (i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i], zone) == 0) {
			*idx = (uint32_t)i;
			return RM_OK;
		}
	if (rm_arena_grow(ld->m->arena, (void **)&c->zones, cap, c->nzones + 1,
			  sizeof(*c->zones)) != RM_OK)
		return rr_fail(ld, RM_ENOMEM, "-");
	c->zones[c->nzones] = zone;
	*idx = (uint32_t)c->nzones++;
	return RM_OK;
}

static int add_member(struct ld *ld, size_t *cap, const struct rm_report_member *mem)
{
	struct rm_report_doc *m = ld->m;

	if (rm_arena_grow(m->arena, (void **)&m->members, cap, m->nmembers + 1,
			  sizeof(*m->members)) != RM_OK)
		return rr_fail(ld, RM_ENOMEM, "-");
	m->members[m->nmembers++] = *mem;
	return RM_OK;
}

/* clusters[i].members[]: each with its role and, when known, zone and
 * address. */
static int load_members(struct ld *ld, const cJSON *members, const char *path, size_t ci,
			size_t *zcap, size_t *memcap)
{
	struct rm_report_cluster *c = &ld->m->clusters[ci];
	const cJSON *item;
	size_t k = 0;
	int rc;

	cJSON_ArrayForEach(item, members)
	{
		struct rm_report_member mem = { 0 };
		const char *role;
		char mpath[96];

		snprintf(mpath, sizeof(mpath), "%s.members[%zu]", path, k++);
		if (!cJSON_IsObject(item))
			return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", mpath,
				       rr_type_name(item));
		if ((rc = rr_get_str(ld, item, "name", mpath, true, &mem.name)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "role", mpath, true, &role)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "zone", mpath, false, &mem.zone)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "address", mpath, false, &mem.address)) != RM_OK)
			return rc;
		if (strcmp(role, "probe") != 0 && strcmp(role, "target") != 0)
			return rr_fail(ld, RM_EPARSE,
				       "%s.role: \"%s\", want \"probe\" or \"target\"", mpath,
				       role);
		mem.probe = strcmp(role, "probe") == 0;
		mem.cluster = (uint32_t)ci;
		if (mem.zone != NULL &&
		    (rc = add_zone(ld, c, zcap, mem.zone, &mem.zone_idx)) != RM_OK)
			return rc;
		mem.zone_idx = mem.zone ? mem.zone_idx : UINT32_MAX;
		if ((rc = add_member(ld, memcap, &mem)) != RM_OK)
			return rc;
	}
	return RM_OK;
}

/* clusters[i].members, or, in reports written before members existed, its
 * probes and targets without zones. */
static int load_cluster(struct ld *ld, const cJSON *jc, size_t ci, size_t *memcap)
{
	struct rm_report_doc *m = ld->m;
	struct rm_report_cluster *c = &m->clusters[ci];
	const cJSON *zones, *members, *item;
	char path[64];
	size_t zcap = 0, k = 0;
	int rc;

	snprintf(path, sizeof(path), "clusters[%zu]", ci);
	if (!cJSON_IsObject(jc))
		return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", path, rr_type_name(jc));
	if ((rc = rr_get_str(ld, jc, "name", path, true, &c->name)) != RM_OK)
		return rc;
	if ((rc = rr_get_array(ld, jc, "zones", path, false, &zones)) != RM_OK)
		return rc;
	cJSON_ArrayForEach(item, zones)
	{
		uint32_t dummy;
		const char *z;

		if (!cJSON_IsString(item))
			return rr_fail(ld, RM_EPARSE, "%s.zones[%zu]: %s, want a string", path, k,
				       rr_type_name(item));
		z = rm_arena_strdup(m->arena, item->valuestring);
		if (z == NULL)
			return rr_fail(ld, RM_ENOMEM, "-");
		if ((rc = add_zone(ld, c, &zcap, z, &dummy)) != RM_OK)
			return rc;
		k++;
	}
	if ((rc = rr_get_array(ld, jc, "members", path, false, &members)) != RM_OK)
		return rc;
	if (members != NULL)
		return load_members(ld, members, path, ci, &zcap, memcap);
	for (int role = 0; role < 2; role++) {
		const char *key = role == 0 ? "probes" : "targets";
		const cJSON *names;

		if ((rc = rr_get_array(ld, jc, key, path, false, &names)) != RM_OK)
			return rc;
		k = 0;
		cJSON_ArrayForEach(item, names)
		{
			struct rm_report_member mem = { 0 };

			if (!cJSON_IsString(item))
				return rr_fail(ld, RM_EPARSE, "%s.%s[%zu]: %s, want a string", path,
					       key, k, rr_type_name(item));
			k++;
			mem.name = rm_arena_strdup(m->arena, item->valuestring);
			if (mem.name == NULL)
				return rr_fail(ld, RM_ENOMEM, "-");
			mem.probe = role == 0;
			mem.cluster = (uint32_t)ci;
			mem.zone_idx = UINT32_MAX;
			if ((rc = add_member(ld, memcap, &mem)) != RM_OK)
				return rc;
		}
	}
	return RM_OK;
}

static int load_clusters(struct ld *ld, const cJSON *root)
{
	struct rm_report_doc *m = ld->m;
	const cJSON *clusters, *jc;
	size_t i = 0, memcap = 0;
	int rc;

	if ((rc = rr_get_array(ld, root, "clusters", "", true, &clusters)) != RM_OK)
		return rc;
	m->nclusters = (size_t)cJSON_GetArraySize(clusters);
	m->clusters = rm_arena_calloc(m->arena, m->nclusters + 1, sizeof(*m->clusters));
	if (m->clusters == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(jc, clusters)
	{
		if ((rc = load_cluster(ld, jc, i++, &memcap)) != RM_OK)
			return rc;
	}
	/* Members without a zone are grouped after the named zones. */
	for (i = 0; i < m->nmembers; i++)
		if (m->members[i].zone_idx == UINT32_MAX)
			m->members[i].zone_idx =
			    (uint32_t)m->clusters[m->members[i].cluster].nzones;
	return RM_OK;
}

static int parse_column(const char *word, struct rm_report_column *col)
{
	const char *slash = strchr(word, '/');
	char *end;
	long port;

	if (slash == NULL)
		return rm_check_parse(word, &col->check) == RM_OK && strcmp(word, "tcp") != 0
			   ? RM_OK
			   : RM_EPARSE;
	if ((size_t)(slash - word) != 3 || strncmp(word, "tcp", 3) != 0)
		return RM_EPARSE;
	port = strtol(slash + 1, &end, 10);
	if (*end != '\0' || end == slash + 1 || port < 1 || port > 65535)
		return RM_EPARSE;
	col->check = RM_CHECK_TCP;
	col->port = (uint16_t)port;
	return RM_OK;
}

/* A list of member names -> member indices. */
static int load_names(struct ld *ld, const cJSON *grid, const char *key, const struct named *idx,
		      uint32_t **out, size_t *nout)
{
	const cJSON *arr, *item;
	size_t k = 0;
	int rc;

	if ((rc = rr_get_array(ld, grid, key, "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	*nout = (size_t)cJSON_GetArraySize(arr);
	*out = rm_arena_calloc(ld->m->arena, *nout + 1, sizeof(**out));
	if (*out == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		long mi;

		if (!cJSON_IsString(item))
			return rr_fail(ld, RM_EPARSE, "matrix.grid.%s[%zu]: %s, want a string", key,
				       k, rr_type_name(item));
		mi = named_find(idx, ld->m->nmembers, item->valuestring);
		if (mi < 0)
			return rr_fail(ld, RM_EPARSE,
				       "matrix.grid.%s[%zu]: \"%s\" is not a member of any cluster",
				       key, k, item->valuestring);
		(*out)[k++] = (uint32_t)mi;
	}
	return RM_OK;
}

/* matrix.grid.rows[]: one string per from, one letter per (to, column),
 * '.' for a cell not measured, else a letter indexing statuses. */
static int load_rows(struct ld *ld, const cJSON *arr, size_t rowlen,
		     const enum rm_check_status *statuses, size_t nstatuses)
{
	struct rm_report_doc *m = ld->m;
	const cJSON *item;
	size_t k, i;

	k = 0;
	cJSON_ArrayForEach(item, arr)
	{
		const char *s;
		uint8_t *dst = m->grid + k * rowlen;
		size_t len;

		if (!cJSON_IsString(item))
			return rr_fail(ld, RM_EPARSE, "matrix.grid.rows[%zu]: %s, want a string", k,
				       rr_type_name(item));
		s = item->valuestring;
		len = strlen(s);
		if (len != rowlen)
			return rr_fail(
			    ld, RM_EPARSE,
			    "matrix.grid.rows[%zu]: wrong length %zu, want %zu (%zu to x "
			    "%zu columns)",
			    k, len, rowlen, m->nto, m->ncolumns);
		for (i = 0; i < rowlen; i++) {
			if (s[i] == '.') {
				dst[i] = RM_REPORT_UNMEASURED;
			} else if (s[i] >= 'a' && (size_t)(s[i] - 'a') < nstatuses) {
				dst[i] = (uint8_t)statuses[s[i] - 'a'];
			} else {
				return rr_fail(
				    ld, RM_EPARSE,
				    "matrix.grid.rows[%zu][%zu]: '%c' is neither '.' nor "
				    "a letter of statuses (a-%c)",
				    k, i, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?',
				    nstatuses ? (char)('a' + nstatuses - 1) : 'a');
			}
		}
		k++;
	}
	return RM_OK;
}

static int load_grid(struct ld *ld, const cJSON *grid, const struct named *members)
{
	struct rm_report_doc *m = ld->m;
	enum rm_check_status statuses[26];
	const cJSON *arr, *item;
	size_t nstatuses = 0, k = 0, rowlen;
	int rc;

	if (!cJSON_IsObject(grid))
		return rr_fail(ld, RM_EPARSE, "matrix.grid: %s, want an object",
			       rr_type_name(grid));
	if ((rc = rr_get_array(ld, grid, "statuses", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	cJSON_ArrayForEach(item, arr)
	{
		if (nstatuses == ARRAY_SIZE(statuses))
			return rr_fail(ld, RM_EPARSE,
				       "matrix.grid.statuses: more than %zu, the letters a-z",
				       ARRAY_SIZE(statuses));
		if (!cJSON_IsString(item) ||
		    rm_status_parse(item->valuestring, &statuses[nstatuses]) != RM_OK)
			return rr_fail(
			    ld, RM_EPARSE, "matrix.grid.statuses[%zu]: %s%s%s is not a status",
			    nstatuses, cJSON_IsString(item) ? "\"" : "",
			    cJSON_IsString(item) ? item->valuestring : rr_type_name(item),
			    cJSON_IsString(item) ? "\"" : "");
		nstatuses++;
	}
	if ((rc = rr_get_array(ld, grid, "columns", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	m->ncolumns = (size_t)cJSON_GetArraySize(arr);
	m->columns = rm_arena_calloc(m->arena, m->ncolumns + 1, sizeof(*m->columns));
	if (m->columns == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsString(item) ||
		    parse_column(item->valuestring, &m->columns[k]) != RM_OK)
			return rr_fail(ld, RM_EPARSE,
				       "matrix.grid.columns[%zu]: %s%s%s is not a check (icmp, "
				       "tcp/PORT, dns, identity, nat, mtu, cql, path)",
				       k, cJSON_IsString(item) ? "\"" : "",
				       cJSON_IsString(item) ? item->valuestring
							    : rr_type_name(item),
				       cJSON_IsString(item) ? "\"" : "");
		m->columns[k].label = rm_arena_strdup(m->arena, item->valuestring);
		if (m->columns[k++].label == NULL)
			return rr_fail(ld, RM_ENOMEM, "-");
	}
	if ((rc = load_names(ld, grid, "from", members, &m->from, &m->nfrom)) != RM_OK ||
	    (rc = load_names(ld, grid, "to", members, &m->to, &m->nto)) != RM_OK)
		return rc;
	if ((rc = rr_get_array(ld, grid, "rows", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	if ((size_t)cJSON_GetArraySize(arr) != m->nfrom)
		return rr_fail(ld, RM_EPARSE, "matrix.grid.rows: %d rows, want %zu (one per from)",
			       cJSON_GetArraySize(arr), m->nfrom);
	rowlen = m->nto * m->ncolumns;
	if (m->nfrom && rowlen && SIZE_MAX / m->nfrom < rowlen)
		return rr_fail(ld, RM_EPARSE, "matrix.grid: too large");
	m->grid = rm_malloc(m->nfrom * rowlen + 1);
	if (m->grid == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	if ((rc = load_rows(ld, arr, rowlen, statuses, nstatuses)) != RM_OK)
		return rc;
	m->has_grid = true;
	return RM_OK;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct rm_report_cell *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

static long find_column(const struct rm_report_doc *m, enum rm_check check, long port)
{
	size_t j;

	for (j = 0; j < m->ncolumns; j++)
		if (m->columns[j].check == check &&
		    (check != RM_CHECK_TCP || m->columns[j].port == port))
			return (long)j;
	return -1;
}

static int load_cells(struct ld *ld, const cJSON *matrix)
{
	struct rm_report_doc *m = ld->m;
	const struct named *fi, *ti;
	const cJSON *arr, *item;
	size_t k = 0;
	int rc;

	if ((rc = rr_get_array(ld, matrix, "cells", "matrix", false, &arr)) != RM_OK || arr == NULL)
		return rc;
	fi = named_index(m->arena, m->nfrom, from_name, m);
	ti = named_index(m->arena, m->nto, to_name, m);
	m->cells =
	    rm_arena_calloc(m->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->cells));
	if (fi == NULL || ti == NULL || m->cells == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		struct rm_report_cell *c = &m->cells[m->ncells];
		const char *from, *to, *check, *status;
		const cJSON *j;
		enum rm_check chk;
		enum rm_check_status st;
		long fidx, tidx, col, port = 0;
		char path[48];

		snprintf(path, sizeof(path), "matrix.cells[%zu]", k++);
		if (!cJSON_IsObject(item))
			return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", path,
				       rr_type_name(item));
		if ((rc = rr_get_str(ld, item, "from", path, true, &from)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "to", path, true, &to)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "check", path, true, &check)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "status", path, true, &status)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "icmpFrom", path, false, &c->icmp_from)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "answers", path, false, &c->answers)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "error", path, false, &c->error)) != RM_OK)
			return rc;
		if ((fidx = named_find(fi, m->nfrom, from)) < 0)
			return rr_fail(ld, RM_EPARSE, "%s.from: \"%s\" is not in matrix.grid.from",
				       path, from);
		if ((tidx = named_find(ti, m->nto, to)) < 0)
			return rr_fail(ld, RM_EPARSE, "%s.to: \"%s\" is not in matrix.grid.to",
				       path, to);
		if (rm_check_parse(check, &chk) != RM_OK)
			return rr_fail(ld, RM_EPARSE, "%s.check: \"%s\" is not a check", path,
				       check);
		if (rm_status_parse(status, &st) != RM_OK)
			return rr_fail(ld, RM_EPARSE, "%s.status: \"%s\" is not a status", path,
				       status);
		j = cJSON_GetObjectItemCaseSensitive(item, "port");
		if (j != NULL) {
			if (!cJSON_IsNumber(j) || j->valuedouble < 1 || j->valuedouble > 65535)
				return rr_fail(ld, RM_EPARSE, "%s.port: %s, want a port number",
					       path, rr_type_name(j));
			port = (long)j->valuedouble;
		}
		col = find_column(m, chk, port);
		if (col < 0)
			return rr_fail(ld, RM_EPARSE, "%s: %s%s%ld is not a column of matrix.grid",
				       path, check, chk == RM_CHECK_TCP ? "/" : "",
				       chk == RM_CHECK_TCP ? port : 0L);
		j = cJSON_GetObjectItemCaseSensitive(item, "rttMs");
		c->rtt_ms = cJSON_IsNumber(j) ? j->valuedouble : -1;
		j = cJSON_GetObjectItemCaseSensitive(item, "arrived");
		c->arrived = cJSON_IsBool(j) ? cJSON_IsTrue(j) : -1;
		c->from = (uint32_t)fidx;
		c->to = (uint32_t)tidx;
		c->column = (uint32_t)col;
		c->status = st;
		m->ncells++;
	}
	qsort(m->cells, m->ncells, sizeof(*m->cells), cell_cmp);
	m->cells_complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(matrix, "cellsComplete"));
	return RM_OK;
}

/* One check's counts of a pair: {"filtered": 4, "open": 16}. */
static int load_pair_check(struct ld *ld, const cJSON *co, const char *path,
			   struct rm_report_pair *p)
{
	const cJSON *n;
	enum rm_check c;
	enum rm_check_status st;

	if (rm_check_parse(co->string, &c) != RM_OK)
		return rr_fail(ld, RM_EPARSE, "%s.checks: \"%s\" is not a check", path, co->string);
	if (!cJSON_IsObject(co))
		return rr_fail(ld, RM_EPARSE, "%s.checks.%s: %s, want an object", path, co->string,
			       rr_type_name(co));
	cJSON_ArrayForEach(n, co)
	{
		long v = rr_count(n);

		if (rm_status_parse(n->string, &st) != RM_OK)
			return rr_fail(ld, RM_EPARSE, "%s.checks.%s: \"%s\" is not a status", path,
				       co->string, n->string);
		if (v < 0)
			return rr_fail(ld, RM_EPARSE, "%s.checks.%s.%s: %s, want a count", path,
				       co->string, n->string, rr_type_name(n));
		p->counts[c][st] = (unsigned)v;
	}
	return RM_OK;
}

/* matrix.clusterPairs[]: each cluster pair's cells per check and status,
 * what the text report's CLUSTER PAIRS table is made of. */
static int load_pairs(struct ld *ld, const cJSON *matrix)
{
	struct rm_report_doc *m = ld->m;
	const cJSON *arr, *item, *checks, *co;
	size_t k = 0;
	int rc;

	if ((rc = rr_get_array(ld, matrix, "clusterPairs", "matrix", false, &arr)) != RM_OK ||
	    arr == NULL)
		return rc;
	m->pairs =
	    rm_arena_calloc(m->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->pairs));
	if (m->pairs == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		struct rm_report_pair *p = &m->pairs[k];
		char path[48];

		snprintf(path, sizeof(path), "matrix.clusterPairs[%zu]", k++);
		if (!cJSON_IsObject(item))
			return rr_fail(ld, RM_EPARSE, "%s: %s, want an object", path,
				       rr_type_name(item));
		if ((rc = rr_get_str(ld, item, "from", path, true, &p->from)) != RM_OK ||
		    (rc = rr_get_str(ld, item, "to", path, true, &p->to)) != RM_OK)
			return rc;
		checks = cJSON_GetObjectItemCaseSensitive(item, "checks");
		if (checks != NULL && !cJSON_IsObject(checks))
			return rr_fail(ld, RM_EPARSE, "%s.checks: %s, want an object", path,
				       rr_type_name(checks));
		cJSON_ArrayForEach(co, checks)
		{
			if ((rc = load_pair_check(ld, co, path, p)) != RM_OK)
				return rc;
		}
		m->npairs++;
	}
	return RM_OK;
}

static long get_count(const cJSON *obj, const char *key)
{
	return rr_count(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static int load_root(struct ld *ld, const cJSON *root)
{
	struct rm_report_doc *m = ld->m;
	const cJSON *matrix, *grid, *summary;
	const char *schema;
	struct named *members;
	size_t i;
	int rc;

	if (!cJSON_IsObject(root))
		return rr_fail(ld, RM_EPARSE, "the document is %s, want an object",
			       rr_type_name(root));
	if ((rc = rr_get_str(ld, root, "schema", "", true, &schema)) != RM_OK)
		return rc;
	if (strcmp(schema, "reachmap.report/v1") != 0)
		return rr_fail(ld, RM_EPARSE, "schema: \"%s\", want \"reachmap.report/v1\"",
			       schema);
	if ((rc = rr_get_str(ld, root, "verdict", "", true, &m->verdict)) != RM_OK ||
	    (rc = rr_get_str(ld, root, "generated", "", false, &m->generated)) != RM_OK)
		return rc;
	if (strcmp(m->verdict, "pass") != 0 && strcmp(m->verdict, "fail") != 0)
		return rr_fail(ld, RM_EPARSE, "verdict: \"%s\", want \"pass\" or \"fail\"",
			       m->verdict);
	m->generated_t = m->generated ? rr_time(m->generated) : (time_t)-1;
	if ((rc = load_clusters(ld, root)) != RM_OK)
		return rc;
	members = named_index(m->arena, m->nmembers, member_name, m);
	if (members == NULL)
		return rr_fail(ld, RM_ENOMEM, "-");
	matrix = cJSON_GetObjectItemCaseSensitive(root, "matrix");
	if (matrix != NULL && !cJSON_IsObject(matrix))
		return rr_fail(ld, RM_EPARSE, "matrix: %s, want an object", rr_type_name(matrix));
	if (matrix != NULL && (rc = load_pairs(ld, matrix)) != RM_OK)
		return rc;
	grid = cJSON_GetObjectItemCaseSensitive(matrix, "grid");
	if (grid != NULL) {
		if ((rc = load_grid(ld, grid, members)) != RM_OK ||
		    (rc = load_cells(ld, matrix)) != RM_OK)
			return rc;
	}
	if ((rc = rr_load_findings(ld, root)) != RM_OK)
		return rc;
	summary = cJSON_GetObjectItemCaseSensitive(root, "summary");
	m->errors = get_count(summary, "errors");
	m->warnings = get_count(summary, "warnings");
	m->info = get_count(summary, "info");
	if (m->errors < 0 || m->warnings < 0 || m->info < 0) {
		m->errors = m->warnings = m->info = 0;
		for (i = 0; i < m->nfindings; i++) {
			long *c = m->findings[i].severity == RM_SEV_ERROR     ? &m->errors
				  : m->findings[i].severity == RM_SEV_WARNING ? &m->warnings
									      : &m->info;
			(*c)++;
		}
	}
	return rm_arena_failed(m->arena) ? rr_fail(ld, RM_ENOMEM, "-") : RM_OK;
}

int report_doc_read(const char *name, const char *text, size_t len, struct rm_report_doc **out,
		    struct rm_diag *d)
{
	struct ld ld = { .name = name, .diag = d };
	const char *end = NULL;
	cJSON *root;
	int rc;

	*out = NULL;
	if (d != NULL)
		rm_diag_clear(d);
	ld.m = rm_calloc(1, sizeof(*ld.m));
	if (ld.m == NULL || (ld.m->arena = rm_arena_new()) == NULL) {
		rm_free(ld.m);
		return rr_fail(&ld, RM_ENOMEM, "-");
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0, line = 1, col = 1, i;

		for (i = 0; i < off && i < len; i++, col++)
			if (text[i] == '\n') {
				line++;
				col = 0;
			}
		rc = rr_fail(&ld, RM_EPARSE, "%zu:%zu: not valid JSON", line, col);
		report_doc_free(ld.m);
		return rc;
	}
	rc = load_root(&ld, root);
	cJSON_Delete(root);
	if (rc != RM_OK) {
		report_doc_free(ld.m);
		return rc;
	}
	*out = ld.m;
	return RM_OK;
}

int report_doc_load(const char *path, struct rm_report_doc **out, struct rm_diag *d)
{
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	if (d != NULL)
		rm_diag_clear(d);
	rc = rm_diag_file_read(path, REPORT_MAX_FILE, "report", &buf, &n, d);
	if (rc != RM_OK)
		return rc;
	rc = report_doc_read(path, buf, n, out, d);
	rm_free(buf);
	return rc;
}

void report_doc_free(struct rm_report_doc *doc)
{
	if (doc == NULL)
		return;
	rm_free(doc->grid);
	rm_arena_free(doc->arena);
	rm_free(doc);
}

const struct rm_report_cell *report_doc_cell(const struct rm_report_doc *m, uint32_t from,
					     uint32_t to, uint32_t column)
{
	struct rm_report_cell key = { .from = from, .to = to, .column = column };

	if (m->ncells == 0)
		return NULL;
	return bsearch(&key, m->cells, m->ncells, sizeof(*m->cells), cell_cmp);
}

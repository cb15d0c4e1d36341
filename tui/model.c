/* reachmap.report/v1 -> the dashboard's model (DESIGN.md, "Documents";
 * report/schema/reachmap.report.v1.json). The grid is the compact
 * matrix.grid: one string per probe, one letter per (target, column). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/file.h"
#include "reachmap/util.h"
#include "tui/model.h"

/* A report is read whole; 1,000 probes make about 15 MB of grid. */
#define TUI_MAX_REPORT (256u << 20)

/* The loader's context: where errors go and what they are prefixed with. */
struct ld {
	const char *name;
	char *err;
	size_t errlen;
	struct tui_model *m;
	/* name -> index lookups: indices sorted by name */
	uint32_t *by_name; /* members */
	uint32_t *from_by_name, *to_by_name;
};

__attribute__((format(printf, 3, 4))) static int ld_fail(struct ld *ld, int rc, const char *fmt,
							 ...)
{
	va_list ap;
	int n;

	if (ld->errlen == 0)
		return rc;
	if (rc == RM_ENOMEM) {
		snprintf(ld->err, ld->errlen, "%s: out of memory", ld->name);
		return rc;
	}
	n = snprintf(ld->err, ld->errlen, "%s: ", ld->name);
	if (n < 0 || (size_t)n >= ld->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *type_name(const cJSON *j)
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
static int get_str(struct ld *ld, const cJSON *obj, const char *key, const char *path,
		   bool required, const char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (j == NULL && !required)
		return RM_OK;
	if (!cJSON_IsString(j))
		return ld_fail(ld, RM_EPARSE, "%s%s%s: %s, want a string", path, *path ? "." : "",
			       key, j == NULL ? "missing" : type_name(j));
	*out = rm_arena_strdup(ld->m->arena, j->valuestring);
	return *out ? RM_OK : ld_fail(ld, RM_ENOMEM, "-");
}

static int get_array(struct ld *ld, const cJSON *obj, const char *key, const char *path,
		     bool required, const cJSON **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (j == NULL && !required)
		return RM_OK;
	if (!cJSON_IsArray(j))
		return ld_fail(ld, RM_EPARSE, "%s%s%s: %s, want an array", path, *path ? "." : "",
			       key, type_name(j));
	*out = j;
	return RM_OK;
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
				 const char *(*name_of)(const struct tui_model *, size_t),
				 const struct tui_model *m)
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

static const char *member_name(const struct tui_model *m, size_t i)
{
	return m->members[i].name;
}

static const char *from_name(const struct tui_model *m, size_t i)
{
	return m->members[m->from[i]].name;
}

static const char *to_name(const struct tui_model *m, size_t i)
{
	return m->members[m->to[i]].name;
}

static int add_zone(struct ld *ld, struct tui_cluster *c, size_t *cap, const char *zone,
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
		return ld_fail(ld, RM_ENOMEM, "-");
	c->zones[c->nzones] = zone;
	*idx = (uint32_t)c->nzones++;
	return RM_OK;
}

static int add_member(struct ld *ld, size_t *cap, const struct tui_member *mem)
{
	struct tui_model *m = ld->m;

	if (rm_arena_grow(m->arena, (void **)&m->members, cap, m->nmembers + 1,
			  sizeof(*m->members)) != RM_OK)
		return ld_fail(ld, RM_ENOMEM, "-");
	m->members[m->nmembers++] = *mem;
	return RM_OK;
}

/* clusters[i].members, or, in reports written before members existed, its
 * probes and targets without zones. */
static int load_cluster(struct ld *ld, const cJSON *jc, size_t ci, size_t *memcap)
{
	struct tui_model *m = ld->m;
	struct tui_cluster *c = &m->clusters[ci];
	const cJSON *zones, *members, *item;
	char path[64];
	size_t zcap = 0, k = 0;
	int rc;

	snprintf(path, sizeof(path), "clusters[%zu]", ci);
	if (!cJSON_IsObject(jc))
		return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", path, type_name(jc));
	if ((rc = get_str(ld, jc, "name", path, true, &c->name)) != RM_OK)
		return rc;
	if ((rc = get_array(ld, jc, "zones", path, false, &zones)) != RM_OK)
		return rc;
	cJSON_ArrayForEach(item, zones)
	{
		uint32_t dummy;
		const char *z;

		if (!cJSON_IsString(item))
			return ld_fail(ld, RM_EPARSE, "%s.zones[%zu]: %s, want a string", path, k,
				       type_name(item));
		z = rm_arena_strdup(m->arena, item->valuestring);
		if (z == NULL)
			return ld_fail(ld, RM_ENOMEM, "-");
		if ((rc = add_zone(ld, c, &zcap, z, &dummy)) != RM_OK)
			return rc;
		k++;
	}
	if ((rc = get_array(ld, jc, "members", path, false, &members)) != RM_OK)
		return rc;
	if (members != NULL) {
		k = 0;
		cJSON_ArrayForEach(item, members)
		{
			struct tui_member mem = { 0 };
			const char *role;
			char mpath[96];

			snprintf(mpath, sizeof(mpath), "%s.members[%zu]", path, k++);
			if (!cJSON_IsObject(item))
				return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", mpath,
					       type_name(item));
			if ((rc = get_str(ld, item, "name", mpath, true, &mem.name)) != RM_OK ||
			    (rc = get_str(ld, item, "role", mpath, true, &role)) != RM_OK ||
			    (rc = get_str(ld, item, "zone", mpath, false, &mem.zone)) != RM_OK ||
			    (rc = get_str(ld, item, "address", mpath, false, &mem.address)) !=
				RM_OK)
				return rc;
			if (strcmp(role, "probe") != 0 && strcmp(role, "target") != 0)
				return ld_fail(ld, RM_EPARSE,
					       "%s.role: \"%s\", want \"probe\" or \"target\"",
					       mpath, role);
			mem.probe = strcmp(role, "probe") == 0;
			mem.cluster = (uint32_t)ci;
			if (mem.zone != NULL &&
			    (rc = add_zone(ld, c, &zcap, mem.zone, &mem.zone_idx)) != RM_OK)
				return rc;
			mem.zone_idx = mem.zone ? mem.zone_idx : UINT32_MAX;
			if ((rc = add_member(ld, memcap, &mem)) != RM_OK)
				return rc;
		}
		return RM_OK;
	}
	for (int role = 0; role < 2; role++) {
		const char *key = role == 0 ? "probes" : "targets";
		const cJSON *names;

		if ((rc = get_array(ld, jc, key, path, false, &names)) != RM_OK)
			return rc;
		k = 0;
		cJSON_ArrayForEach(item, names)
		{
			struct tui_member mem = { 0 };

			if (!cJSON_IsString(item))
				return ld_fail(ld, RM_EPARSE, "%s.%s[%zu]: %s, want a string", path,
					       key, k, type_name(item));
			k++;
			mem.name = rm_arena_strdup(m->arena, item->valuestring);
			if (mem.name == NULL)
				return ld_fail(ld, RM_ENOMEM, "-");
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
	struct tui_model *m = ld->m;
	const cJSON *clusters, *jc;
	size_t i = 0, memcap = 0;
	int rc;

	if ((rc = get_array(ld, root, "clusters", "", true, &clusters)) != RM_OK)
		return rc;
	m->nclusters = (size_t)cJSON_GetArraySize(clusters);
	m->clusters = rm_arena_calloc(m->arena, m->nclusters + 1, sizeof(*m->clusters));
	if (m->clusters == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
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

static int parse_column(const char *word, struct tui_column *col)
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

	if ((rc = get_array(ld, grid, key, "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	*nout = (size_t)cJSON_GetArraySize(arr);
	*out = rm_arena_calloc(ld->m->arena, *nout + 1, sizeof(**out));
	if (*out == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		long mi;

		if (!cJSON_IsString(item))
			return ld_fail(ld, RM_EPARSE, "matrix.grid.%s[%zu]: %s, want a string", key,
				       k, type_name(item));
		mi = named_find(idx, ld->m->nmembers, item->valuestring);
		if (mi < 0)
			return ld_fail(ld, RM_EPARSE,
				       "matrix.grid.%s[%zu]: \"%s\" is not a member of any cluster",
				       key, k, item->valuestring);
		(*out)[k++] = (uint32_t)mi;
	}
	return RM_OK;
}

static int load_grid(struct ld *ld, const cJSON *grid, const struct named *members)
{
	struct tui_model *m = ld->m;
	enum rm_check_status statuses[26];
	const cJSON *arr, *item;
	size_t nstatuses = 0, k = 0, rowlen, i;
	int rc;

	if (!cJSON_IsObject(grid))
		return ld_fail(ld, RM_EPARSE, "matrix.grid: %s, want an object", type_name(grid));
	if ((rc = get_array(ld, grid, "statuses", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	cJSON_ArrayForEach(item, arr)
	{
		if (nstatuses == ARRAY_SIZE(statuses))
			return ld_fail(ld, RM_EPARSE,
				       "matrix.grid.statuses: more than %zu, the letters a-z",
				       ARRAY_SIZE(statuses));
		if (!cJSON_IsString(item) ||
		    rm_status_parse(item->valuestring, &statuses[nstatuses]) != RM_OK)
			return ld_fail(ld, RM_EPARSE,
				       "matrix.grid.statuses[%zu]: %s%s%s is not a status",
				       nstatuses, cJSON_IsString(item) ? "\"" : "",
				       cJSON_IsString(item) ? item->valuestring : type_name(item),
				       cJSON_IsString(item) ? "\"" : "");
		nstatuses++;
	}
	if ((rc = get_array(ld, grid, "columns", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	m->ncolumns = (size_t)cJSON_GetArraySize(arr);
	m->columns = rm_arena_calloc(m->arena, m->ncolumns + 1, sizeof(*m->columns));
	if (m->columns == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsString(item) ||
		    parse_column(item->valuestring, &m->columns[k]) != RM_OK)
			return ld_fail(ld, RM_EPARSE,
				       "matrix.grid.columns[%zu]: %s%s%s is not a check (icmp, "
				       "tcp/PORT, dns, identity, nat, mtu, cql, path)",
				       k, cJSON_IsString(item) ? "\"" : "",
				       cJSON_IsString(item) ? item->valuestring : type_name(item),
				       cJSON_IsString(item) ? "\"" : "");
		m->columns[k].label = rm_arena_strdup(m->arena, item->valuestring);
		if (m->columns[k++].label == NULL)
			return ld_fail(ld, RM_ENOMEM, "-");
	}
	if ((rc = load_names(ld, grid, "from", members, &m->from, &m->nfrom)) != RM_OK ||
	    (rc = load_names(ld, grid, "to", members, &m->to, &m->nto)) != RM_OK)
		return rc;
	if ((rc = get_array(ld, grid, "rows", "matrix.grid", true, &arr)) != RM_OK)
		return rc;
	if ((size_t)cJSON_GetArraySize(arr) != m->nfrom)
		return ld_fail(ld, RM_EPARSE, "matrix.grid.rows: %d rows, want %zu (one per from)",
			       cJSON_GetArraySize(arr), m->nfrom);
	rowlen = m->nto * m->ncolumns;
	if (m->nfrom && rowlen && SIZE_MAX / m->nfrom < rowlen)
		return ld_fail(ld, RM_EPARSE, "matrix.grid: too large");
	m->grid = rm_malloc(m->nfrom * rowlen + 1);
	if (m->grid == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	k = 0;
	cJSON_ArrayForEach(item, arr)
	{
		const char *s;
		uint8_t *dst = m->grid + k * rowlen;
		size_t len;

		if (!cJSON_IsString(item))
			return ld_fail(ld, RM_EPARSE, "matrix.grid.rows[%zu]: %s, want a string", k,
				       type_name(item));
		s = item->valuestring;
		len = strlen(s);
		if (len != rowlen)
			return ld_fail(
			    ld, RM_EPARSE,
			    "matrix.grid.rows[%zu]: wrong length %zu, want %zu (%zu to x "
			    "%zu columns)",
			    k, len, rowlen, m->nto, m->ncolumns);
		for (i = 0; i < rowlen; i++) {
			if (s[i] == '.') {
				dst[i] = TUI_UNMEASURED;
			} else if (s[i] >= 'a' && (size_t)(s[i] - 'a') < nstatuses) {
				dst[i] = (uint8_t)statuses[s[i] - 'a'];
			} else {
				return ld_fail(
				    ld, RM_EPARSE,
				    "matrix.grid.rows[%zu][%zu]: '%c' is neither '.' nor "
				    "a letter of statuses (a-%c)",
				    k, i, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?',
				    nstatuses ? (char)('a' + nstatuses - 1) : 'a');
			}
		}
		k++;
	}
	m->has_grid = true;
	return RM_OK;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct tui_cell *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

static long find_column(const struct tui_model *m, enum rm_check check, long port)
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
	struct tui_model *m = ld->m;
	const struct named *fi, *ti;
	const cJSON *arr, *item;
	size_t k = 0;
	int rc;

	if ((rc = get_array(ld, matrix, "cells", "matrix", false, &arr)) != RM_OK || arr == NULL)
		return rc;
	fi = named_index(m->arena, m->nfrom, from_name, m);
	ti = named_index(m->arena, m->nto, to_name, m);
	m->cells =
	    rm_arena_calloc(m->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*m->cells));
	if (fi == NULL || ti == NULL || m->cells == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		struct tui_cell *c = &m->cells[m->ncells];
		const char *from, *to, *check, *status;
		const cJSON *j;
		enum rm_check chk;
		enum rm_check_status st;
		long fidx, tidx, col, port = 0;
		char path[48];

		snprintf(path, sizeof(path), "matrix.cells[%zu]", k++);
		if (!cJSON_IsObject(item))
			return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", path,
				       type_name(item));
		if ((rc = get_str(ld, item, "from", path, true, &from)) != RM_OK ||
		    (rc = get_str(ld, item, "to", path, true, &to)) != RM_OK ||
		    (rc = get_str(ld, item, "check", path, true, &check)) != RM_OK ||
		    (rc = get_str(ld, item, "status", path, true, &status)) != RM_OK ||
		    (rc = get_str(ld, item, "icmpFrom", path, false, &c->icmp_from)) != RM_OK ||
		    (rc = get_str(ld, item, "answers", path, false, &c->answers)) != RM_OK ||
		    (rc = get_str(ld, item, "error", path, false, &c->error)) != RM_OK)
			return rc;
		if ((fidx = named_find(fi, m->nfrom, from)) < 0)
			return ld_fail(ld, RM_EPARSE, "%s.from: \"%s\" is not in matrix.grid.from",
				       path, from);
		if ((tidx = named_find(ti, m->nto, to)) < 0)
			return ld_fail(ld, RM_EPARSE, "%s.to: \"%s\" is not in matrix.grid.to",
				       path, to);
		if (rm_check_parse(check, &chk) != RM_OK)
			return ld_fail(ld, RM_EPARSE, "%s.check: \"%s\" is not a check", path,
				       check);
		if (rm_status_parse(status, &st) != RM_OK)
			return ld_fail(ld, RM_EPARSE, "%s.status: \"%s\" is not a status", path,
				       status);
		j = cJSON_GetObjectItemCaseSensitive(item, "port");
		if (j != NULL) {
			if (!cJSON_IsNumber(j) || j->valuedouble < 1 || j->valuedouble > 65535)
				return ld_fail(ld, RM_EPARSE, "%s.port: %s, want a port number",
					       path, type_name(j));
			port = (long)j->valuedouble;
		}
		col = find_column(m, chk, port);
		if (col < 0)
			return ld_fail(ld, RM_EPARSE, "%s: %s%s%ld is not a column of matrix.grid",
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

/* A count: a number from 0 to 2^31, else -1 ("not said"). Converting a
 * double out of long's range is undefined, so the range comes first. */
static long json_count(const cJSON *j)
{
	if (!cJSON_IsNumber(j) || !(j->valuedouble >= 0 && j->valuedouble <= 2147483648.0))
		return -1;
	return (long)j->valuedouble;
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
		return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", spath, type_name(side));
	if ((rc = get_str(ld, side, "cluster", spath, true, &cluster)) != RM_OK)
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
			return ld_fail(ld, RM_EPARSE, "%s.%s: an item is %s, want a string", spath,
				       sub, type_name(item));
		if (s != NULL)
			s = rm_arena_printf(ld->m->arena, "%s%s%s", s, first ? "" : ", ",
					    item->valuestring);
		first = false;
	}
	if (s != NULL)
		s = rm_arena_printf(ld->m->arena, "%s)", s);
	*out = s;
	return s ? RM_OK : ld_fail(ld, RM_ENOMEM, "-");
}

static int load_evidence(struct ld *ld, const cJSON *arr, const char *path, struct tui_finding *f)
{
	const cJSON *item, *j;
	size_t k = 0;
	int rc;

	f->evidence = rm_arena_calloc(ld->m->arena, (size_t)cJSON_GetArraySize(arr) + 1,
				      sizeof(*f->evidence));
	if (f->evidence == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		struct tui_evidence *e = &f->evidence[k];
		char epath[96];

		snprintf(epath, sizeof(epath), "%s.evidence[%zu]", path, k++);
		if (!cJSON_IsObject(item))
			return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", epath,
				       type_name(item));
		if ((rc = get_str(ld, item, "from", epath, false, &e->from)) != RM_OK ||
		    (rc = get_str(ld, item, "to", epath, false, &e->to)) != RM_OK ||
		    (rc = get_str(ld, item, "check", epath, false, &e->check)) != RM_OK ||
		    (rc = get_str(ld, item, "status", epath, false, &e->status)) != RM_OK ||
		    (rc = get_str(ld, item, "address", epath, false, &e->address)) != RM_OK)
			return rc;
		j = cJSON_GetObjectItemCaseSensitive(item, "port");
		e->port = cJSON_IsNumber(j) ? j->valueint : 0;
		j = cJSON_GetObjectItemCaseSensitive(item, "arrived");
		e->arrived = cJSON_IsBool(j) ? cJSON_IsTrue(j) : -1;
		f->nevidence++;
	}
	return RM_OK;
}

static int load_finding(struct ld *ld, const cJSON *item, size_t k, struct tui_finding *f)
{
	static const char *const severities[] = { "error", "warning", "info" };
	const cJSON *j, *p;
	const char *sev;
	char path[48];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "findings[%zu]", k);
	if (!cJSON_IsObject(item))
		return ld_fail(ld, RM_EPARSE, "%s: %s, want an object", path, type_name(item));
	if ((rc = get_str(ld, item, "kind", path, true, &f->kind)) != RM_OK ||
	    (rc = get_str(ld, item, "severity", path, true, &sev)) != RM_OK ||
	    (rc = get_str(ld, item, "summary", path, true, &f->summary)) != RM_OK ||
	    (rc = get_str(ld, item, "remedy", path, false, &f->remedy)) != RM_OK ||
	    (rc = get_str(ld, item, "protocol", path, false, &f->protocol)) != RM_OK ||
	    (rc = load_side(ld, item, "from", path, &f->from)) != RM_OK ||
	    (rc = load_side(ld, item, "to", path, &f->to)) != RM_OK)
		return rc;
	for (i = 0; i < ARRAY_SIZE(severities); i++)
		if (strcmp(sev, severities[i]) == 0)
			break;
	if (i == ARRAY_SIZE(severities))
		return ld_fail(ld, RM_EPARSE,
			       "%s.severity: \"%s\", want \"error\", \"warning\" or \"info\"", path,
			       sev);
	f->severity = (enum tui_severity)i;
	j = cJSON_GetObjectItemCaseSensitive(item, "cells");
	f->cells = json_count(j);
	j = cJSON_GetObjectItemCaseSensitive(item, "ports");
	if (cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0) {
		char *s = NULL;

		cJSON_ArrayForEach(p, j)
		{
			if (!cJSON_IsNumber(p))
				return ld_fail(ld, RM_EPARSE,
					       "%s.ports: an item is %s, want a number", path,
					       type_name(p));
			s = s ? rm_arena_printf(ld->m->arena, "%s,%d", s, p->valueint)
			      : rm_arena_printf(ld->m->arena, "%d", p->valueint);
			if (s == NULL)
				return ld_fail(ld, RM_ENOMEM, "-");
		}
		f->ports = s;
	}
	if ((rc = get_array(ld, item, "evidence", path, false, &j)) != RM_OK)
		return rc;
	return j ? load_evidence(ld, j, path, f) : RM_OK;
}

/* findings[], most severe first; the report's order within a severity. */
static int load_findings(struct ld *ld, const cJSON *root)
{
	struct tui_model *m = ld->m;
	const cJSON *arr, *item;
	struct tui_finding *all;
	size_t n, k = 0, i;
	int rc, sev;

	if ((rc = get_array(ld, root, "findings", "", false, &arr)) != RM_OK || arr == NULL)
		return rc;
	n = (size_t)cJSON_GetArraySize(arr);
	all = rm_arena_calloc(m->arena, n + 1, sizeof(*all));
	m->findings = rm_arena_calloc(m->arena, n + 1, sizeof(*m->findings));
	if (all == NULL || m->findings == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	cJSON_ArrayForEach(item, arr)
	{
		if ((rc = load_finding(ld, item, k, &all[k])) != RM_OK)
			return rc;
		k++;
	}
	for (sev = TUI_SEV_ERROR; sev <= TUI_SEV_INFO; sev++)
		for (i = 0; i < n; i++)
			if ((int)all[i].severity == sev)
				m->findings[m->nfindings++] = all[i];
	return RM_OK;
}

static time_t parse_rfc3339(const char *s)
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

static long get_count(const cJSON *obj, const char *key)
{
	return json_count(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static int load_root(struct ld *ld, const cJSON *root)
{
	struct tui_model *m = ld->m;
	const cJSON *matrix, *grid, *summary;
	const char *schema;
	struct named *members;
	size_t i;
	int rc;

	if (!cJSON_IsObject(root))
		return ld_fail(ld, RM_EPARSE, "the document is %s, want an object",
			       type_name(root));
	if ((rc = get_str(ld, root, "schema", "", true, &schema)) != RM_OK)
		return rc;
	if (strcmp(schema, "reachmap.report/v1") != 0)
		return ld_fail(ld, RM_EPARSE, "schema: \"%s\", want \"reachmap.report/v1\"",
			       schema);
	if ((rc = get_str(ld, root, "verdict", "", true, &m->verdict)) != RM_OK ||
	    (rc = get_str(ld, root, "generated", "", false, &m->generated)) != RM_OK)
		return rc;
	if (strcmp(m->verdict, "pass") != 0 && strcmp(m->verdict, "fail") != 0)
		return ld_fail(ld, RM_EPARSE, "verdict: \"%s\", want \"pass\" or \"fail\"",
			       m->verdict);
	m->generated_t = m->generated ? parse_rfc3339(m->generated) : (time_t)-1;
	if ((rc = load_clusters(ld, root)) != RM_OK)
		return rc;
	members = named_index(m->arena, m->nmembers, member_name, m);
	if (members == NULL)
		return ld_fail(ld, RM_ENOMEM, "-");
	matrix = cJSON_GetObjectItemCaseSensitive(root, "matrix");
	if (matrix != NULL && !cJSON_IsObject(matrix))
		return ld_fail(ld, RM_EPARSE, "matrix: %s, want an object", type_name(matrix));
	grid = cJSON_GetObjectItemCaseSensitive(matrix, "grid");
	if (grid != NULL) {
		if ((rc = load_grid(ld, grid, members)) != RM_OK ||
		    (rc = load_cells(ld, matrix)) != RM_OK)
			return rc;
	}
	if ((rc = load_findings(ld, root)) != RM_OK)
		return rc;
	summary = cJSON_GetObjectItemCaseSensitive(root, "summary");
	m->errors = get_count(summary, "errors");
	m->warnings = get_count(summary, "warnings");
	m->info = get_count(summary, "info");
	if (m->errors < 0 || m->warnings < 0 || m->info < 0) {
		m->errors = m->warnings = m->info = 0;
		for (i = 0; i < m->nfindings; i++) {
			long *c = m->findings[i].severity == TUI_SEV_ERROR     ? &m->errors
				  : m->findings[i].severity == TUI_SEV_WARNING ? &m->warnings
									       : &m->info;
			(*c)++;
		}
	}
	return rm_arena_failed(m->arena) ? ld_fail(ld, RM_ENOMEM, "-") : RM_OK;
}

int tui_model_parse(const char *name, const char *text, size_t len, struct tui_model **out,
		    char *err, size_t errlen)
{
	struct ld ld = { .name = name, .err = err, .errlen = errlen };
	const char *end = NULL;
	cJSON *root;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ld.m = rm_calloc(1, sizeof(*ld.m));
	if (ld.m == NULL || (ld.m->arena = rm_arena_new()) == NULL) {
		rm_free(ld.m);
		return ld_fail(&ld, RM_ENOMEM, "-");
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0, line = 1, col = 1, i;

		for (i = 0; i < off && i < len; i++, col++)
			if (text[i] == '\n') {
				line++;
				col = 0;
			}
		rc = ld_fail(&ld, RM_EPARSE, "%zu:%zu: not valid JSON", line, col);
		tui_model_free(ld.m);
		return rc;
	}
	rc = load_root(&ld, root);
	cJSON_Delete(root);
	if (rc != RM_OK) {
		tui_model_free(ld.m);
		return rc;
	}
	*out = ld.m;
	return RM_OK;
}

int tui_model_load(const char *path, struct tui_model **out, char *err, size_t errlen)
{
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	rc = rm_file_read(path, TUI_MAX_REPORT, &buf, &n);
	if (rc == RM_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (rc == RM_ERANGE)
		snprintf(err, errlen, "%s: larger than %u MiB; not a report", path,
			 TUI_MAX_REPORT >> 20);
	else if (rc != RM_OK)
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
	if (rc != RM_OK)
		return rc;
	rc = tui_model_parse(path, buf, n, out, err, errlen);
	rm_free(buf);
	return rc;
}

void tui_model_free(struct tui_model *model)
{
	if (model == NULL)
		return;
	rm_free(model->grid);
	rm_arena_free(model->arena);
	rm_free(model);
}

const struct tui_cell *tui_model_cell(const struct tui_model *m, uint32_t from, uint32_t to,
				      uint32_t column)
{
	struct tui_cell key = { .from = from, .to = to, .column = column };

	if (m->ncells == 0)
		return NULL;
	return bsearch(&key, m->cells, m->ncells, sizeof(*m->cells), cell_cmp);
}

enum tui_class tui_status_class(enum rm_check check, uint8_t status)
{
	if (status >= RM_STATUS_COUNT)
		return TUI_CLASS_NONE;
	if (rm_status_healthy(check, (enum rm_check_status)status))
		return TUI_CLASS_OK;
	switch ((enum rm_check_status)status) {
	case RM_STATUS_LOSS:
	case RM_STATUS_SNAT:
	case RM_STATUS_FRAGMENTATION_NEEDED:
		return TUI_CLASS_DEGRADED;
	case RM_STATUS_NXDOMAIN:
	case RM_STATUS_SERVFAIL:
	case RM_STATUS_WRONG_ANSWER:
		return TUI_CLASS_DNS;
	case RM_STATUS_REJECTED:
	case RM_STATUS_REFUSED:
	case RM_STATUS_CLOSED:
	case RM_STATUS_MISMATCH:
	case RM_STATUS_NOT_CQL:
		return TUI_CLASS_REJECTED;
	case RM_STATUS_UNREACHABLE:
	case RM_STATUS_NO_ROUTE:
		return TUI_CLASS_UNREACHABLE;
	default:
		/* filtered, timeout, blackhole, no-responder, and a word that
		 * does not belong to the check: nothing usable came back. */
		return TUI_CLASS_DROPPED;
	}
}

char tui_class_glyph(enum tui_class cls)
{
	static const char glyphs[TUI_CLASS_COUNT] = "-.~?!x#";

	return (unsigned)cls < TUI_CLASS_COUNT ? glyphs[cls] : ' ';
}

/* Aggregates -------------------------------------------------------------- */

static bool passes_filter(const char *name, const char *filter)
{
	return filter == NULL || filter[0] == '\0' || strcasestr(name, filter) != NULL;
}

/* The groups of one side (rows: the grid's from, cols: its to) for a scope:
 * one per cluster, per zone of a cluster, or per member of a zone. */
static int build_groups(struct rm_arena *arena, const struct tui_model *m,
			const struct tui_scope *s, bool rows, struct tui_group **out, size_t *nout)
{
	const uint32_t *map = rows ? m->from : m->to;
	size_t n = rows ? m->nfrom : m->nto, nkeys, i, total = 0;
	uint32_t cluster = rows ? s->cluster_from : s->cluster_to;
	uint32_t zone = rows ? s->zone_from : s->zone_to;
	uint32_t *keys, *counts, *pool;
	struct tui_group *g;

	*out = NULL;
	*nout = 0;
	if (s->level != TUI_LEVEL_CLUSTER && cluster >= m->nclusters)
		return RM_OK;
	nkeys = s->level == TUI_LEVEL_CLUSTER ? m->nclusters
		: s->level == TUI_LEVEL_ZONE  ? m->clusters[cluster].nzones + 1
					      : n;
	keys = rm_arena_calloc(arena, n + 1, sizeof(*keys));
	counts = rm_arena_calloc(arena, nkeys + 1, sizeof(*counts));
	if (keys == NULL || counts == NULL)
		return RM_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct tui_member *mem = &m->members[map[i]];

		keys[i] = UINT32_MAX;
		if (rows && !passes_filter(mem->name, s->filter))
			continue;
		if (s->level != TUI_LEVEL_CLUSTER && mem->cluster != cluster)
			continue;
		if (s->level == TUI_LEVEL_PROBE && mem->zone_idx != zone)
			continue;
		keys[i] = s->level == TUI_LEVEL_CLUSTER ? mem->cluster
			  : s->level == TUI_LEVEL_ZONE	? mem->zone_idx
							: (uint32_t)i;
		counts[keys[i]]++;
		total++;
	}
	pool = rm_arena_calloc(arena, total + 1, sizeof(*pool));
	g = rm_arena_calloc(arena, nkeys + 1, sizeof(*g));
	if (pool == NULL || g == NULL)
		return RM_ENOMEM;
	for (i = 0; i < nkeys; i++) {
		if (counts[i] == 0)
			continue;
		g[*nout].id = (uint32_t)i;
		g[*nout].idx = pool;
		pool += counts[i];
		if (s->level == TUI_LEVEL_CLUSTER)
			g[*nout].label = m->clusters[i].name;
		else if (s->level == TUI_LEVEL_ZONE)
			g[*nout].label = i < m->clusters[cluster].nzones
					     ? m->clusters[cluster].zones[i]
					     : "(no zone)";
		else
			g[*nout].label = m->members[map[i]].name;
		counts[i] = (uint32_t)*nout; /* from here on: key -> group */
		(*nout)++;
	}
	for (i = 0; i < n; i++)
		if (keys[i] != UINT32_MAX) {
			struct tui_group *gr = &g[counts[keys[i]]];

			gr->idx[gr->n++] = (uint32_t)i;
		}
	*out = g;
	return RM_OK;
}

int tui_agg_build(const struct tui_model *m, const struct tui_scope *s, struct tui_agg **out)
{
	struct rm_arena *arena = rm_arena_new();
	struct tui_agg *a;
	uint8_t *cls = NULL; /* ncolumns x 256: the class of each (column, byte) */
	size_t j0, j1, r, c, j, b;
	int rc = RM_ENOMEM;

	*out = NULL;
	if (arena == NULL)
		return RM_ENOMEM;
	a = rm_arena_calloc(arena, 1, sizeof(*a));
	if (a == NULL)
		goto out;
	a->arena = arena;
	if (!m->has_grid) {
		*out = a;
		return RM_OK;
	}
	if ((rc = build_groups(arena, m, s, true, &a->rows, &a->nrows)) != RM_OK ||
	    (rc = build_groups(arena, m, s, false, &a->cols, &a->ncols)) != RM_OK)
		goto out;
	rc = RM_ENOMEM;
	a->cells = rm_arena_calloc(arena, a->nrows * a->ncols + 1, sizeof(*a->cells));
	cls = rm_arena_calloc(arena, (m->ncolumns + 1) * 256, 1);
	if (a->cells == NULL || cls == NULL)
		goto out;
	for (j = 0; j < m->ncolumns; j++)
		for (b = 0; b < 256; b++)
			cls[j * 256 + b] =
			    (uint8_t)tui_status_class(m->columns[j].check, (uint8_t)b);
	j0 = s->column < 0 ? 0 : (size_t)s->column;
	j1 = s->column < 0 ? m->ncolumns : j0 + 1;
	if (j0 > m->ncolumns)
		j0 = j1 = 0;
	for (r = 0; r < a->nrows; r++) {
		const struct tui_group *rg = &a->rows[r];

		for (c = 0; c < a->ncols; c++) {
			const struct tui_group *cg = &a->cols[c];
			struct tui_agg_cell *cell = &a->cells[r * a->ncols + c];
			uint8_t worst_cls = TUI_CLASS_NONE;
			size_t ri, ci;

			cell->worst = TUI_UNMEASURED;
			for (ri = 0; ri < rg->n; ri++)
				for (ci = 0; ci < cg->n; ci++) {
					const uint8_t *p =
					    m->grid + ((size_t)rg->idx[ri] * m->nto + cg->idx[ci]) *
							  m->ncolumns;

					for (j = j0; j < j1; j++) {
						uint8_t k = cls[j * 256 + p[j]];

						if (k == TUI_CLASS_NONE)
							continue;
						cell->measured++;
						if (k > TUI_CLASS_OK)
							cell->failing++;
						if (k > worst_cls) {
							worst_cls = k;
							cell->worst = p[j];
							cell->worst_column = (uint16_t)j;
						}
					}
				}
			a->failing += cell->failing;
			a->measured += cell->measured;
			a->failing_cells += cell->failing > 0;
		}
	}
	*out = a;
	return RM_OK;
out:
	rm_arena_free(arena);
	return rc;
}

void tui_agg_free(struct tui_agg *agg)
{
	if (agg != NULL)
		rm_arena_free(agg->arena);
}

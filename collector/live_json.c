/* The live matrix's small documents: a registration read
 * (reachmap.register/v1), the registered peers (reachmap.peers/v1) and a
 * pair's history (reachmap.history/v1) written. */
/* open_memstream: _GNU_SOURCE comes from CMakeLists.txt */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/live-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/cidr.h"
#include "reachmap/error.h"
#include "reachmap/jsonw.h"
#include "reachmap/timefmt.h"

#define MAX_ADDRESSES	 16
#define MAX_NAME	 253
#define HISTORY_MAX_ROWS 100000

/* The tree written as JSON into *out (rm_malloc'd); deletes it. */
static int emit(cJSON *root, struct rm_jb *b, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc = b->failed ? RM_ENOMEM : RM_OK;

	if (rc == RM_OK && (f = open_memstream(&buf, &n)) != NULL) {
		rc = rm_json_write(root, f);
		if (fclose(f) != 0 && rc == RM_OK)
			rc = RM_ENOMEM;
	} else if (rc == RM_OK) {
		rc = RM_ENOMEM;
	}
	cJSON_Delete(root);
	if (rc == RM_OK && (*out = rm_malloc(n + 1)) == NULL)
		rc = RM_ENOMEM;
	if (rc == RM_OK) {
		memcpy(*out, buf, n + 1);
		*len = n;
	}
	free(buf); /* open_memstream's */
	return rc;
}

static void time_str(struct rm_jb *b, cJSON *o, const char *key, int64_t ms)
{
	char buf[RM_TIME_STRLEN];

	if (ms > 0)
		jb_str(b, o, key, rm_time_format((time_t)(ms / 1000), buf, sizeof(buf)));
	else if (cJSON_AddNullToObject(o, key) == NULL)
		b->failed = 1;
}

/* ---- register ---- */

struct reg {
	const char *name, *cluster, *zone, *dns_name;
	char addresses[MAX_ADDRESSES * 48];
};

static int reg_str(const cJSON *root, const char *key, bool required, const char **out,
		   struct rm_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*out = NULL;
	if (v == NULL && !required)
		return RM_OK;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) > MAX_NAME) {
		rm_diag_error(d, "body: %s: %s", key,
			      v == NULL ? "missing" : "must be a string of 1 to 253 characters");
		return RM_EPARSE;
	}
	*out = v->valuestring;
	return RM_OK;
}

/* A name or zone as the topology allows them: it becomes a label of
 * /metrics and a string of the answers, so quotes and newlines are never
 * let in. */
static int reg_name(const cJSON *root, const char *key, bool required, const char **out,
		    struct rm_diag *d)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	int rc = reg_str(root, key, required, out, d);

	if (rc != RM_OK || *out == NULL || strspn(*out, ok) == strlen(*out))
		return rc;
	rm_diag_error(
	    d, "body: %s: \"%s\" is not a valid name (letters, digits, '-', '_' and '.' only)", key,
	    *out);
	return RM_EPARSE;
}

static int reg_addresses(const cJSON *root, struct reg *r, struct rm_diag *d)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "addresses"), *v;
	char buf[RM_ADDR_STRLEN];
	size_t i = 0, n = 0;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > MAX_ADDRESSES) {
		rm_diag_error(d, "body: addresses: %s",
			      a == NULL ? "missing" : "must be an array of 1 to 16 addresses");
		return RM_EPARSE;
	}
	cJSON_ArrayForEach(v, a)
	{
		struct rm_addr addr;

		if (!cJSON_IsString(v) || cidr_addr_parse(v->valuestring, &addr) != RM_OK) {
			rm_diag_error(d, "body: addresses[%zu]: not an IPv4 or IPv6 address", i);
			return RM_EPARSE;
		}
		n += (size_t)snprintf(r->addresses + n, sizeof(r->addresses) - n, "%s%s",
				      n ? "," : "", cidr_addr_format(&addr, buf, sizeof(buf)));
		i++;
	}
	return RM_OK;
}

static int reg_read(const cJSON *root, struct reg *r, struct rm_diag *d)
{
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	int rc;

	if (!cJSON_IsObject(root)) {
		rm_diag_error(d, "body: must be a JSON object");
		return RM_EPARSE;
	}
	if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "reachmap.register/v1") != 0) {
		rm_diag_error(d, "body: schema: must be \"reachmap.register/v1\"");
		return RM_EPARSE;
	}
	if ((rc = reg_name(root, "name", true, &r->name, d)) != RM_OK ||
	    (rc = reg_str(root, "cluster", true, &r->cluster, d)) != RM_OK ||
	    (rc = reg_name(root, "zone", false, &r->zone, d)) != RM_OK ||
	    (rc = reg_str(root, "dnsName", false, &r->dns_name, d)) != RM_OK)
		return rc;
	return reg_addresses(root, r, d);
}

/* Under live.lock: the node, once the topology agrees. */
static int reg_apply(struct live *l, const struct reg *r, int64_t now_ms, struct rm_diag *d)
{
	const struct rm_cluster *cl = topo_cluster(l->topo, r->cluster);
	struct lnode *n = live_node_find(l, r->name);
	struct store_peer p = { .name = r->name,
				.cluster = r->cluster,
				.zone = r->zone,
				.addresses = r->addresses,
				.dns_name = r->dns_name,
				.registered_ms = now_ms };
	char *cluster;
	int rc;

	if (cl == NULL) {
		rm_diag_error(d, "cluster %s is not in the topology (%s)", r->cluster,
			      l->topo->path);
		return RM_ENOTFOUND;
	}
	if (n != NULL && n->declared && strcmp(n->cluster, r->cluster) != 0) {
		rm_diag_error(d, "%s belongs to cluster %s in the topology, not %s", r->name,
			      n->cluster, r->cluster);
		return RM_ENOTFOUND;
	}
	if ((rc = l->store->ops->register_peer(l->store, &p, d)) != RM_OK)
		return rc;
	if (n == NULL && (n = live_node(l, r->name)) == NULL)
		return RM_ENOMEM;
	if (!n->declared && (n->cluster == NULL || strcmp(n->cluster, cl->name) != 0)) {
		if ((cluster = rm_strdup(cl->name)) == NULL)
			return RM_ENOMEM;
		rm_free((char *)n->cluster);
		n->cluster = cluster;
	}
	n->registered = true;
	return RM_OK;
}

int live_register(struct live *l, const char *text, size_t len, int64_t now_ms, struct rm_diag *d)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	struct reg r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (root == NULL) {
		rm_diag_error(d, "body: not valid JSON");
		return RM_EPARSE;
	}
	rc = reg_read(root, &r, d);
	if (rc == RM_OK) {
		pthread_mutex_lock(&l->lock);
		rc = reg_apply(l, &r, now_ms, d);
		pthread_mutex_unlock(&l->lock);
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- peers ---- */

struct peers_walk {
	struct rm_jb *b;
	cJSON *arr;
};

static int peer_json(const struct store_peer *p, void *arg)
{
	struct peers_walk *w = arg;
	cJSON *o = cJSON_CreateObject(), *a;
	const char *s, *comma;

	jb_push(w->b, w->arr, o);
	if (o == NULL)
		return RM_ENOMEM;
	jb_str(w->b, o, "name", p->name);
	jb_str(w->b, o, "cluster", p->cluster);
	jb_str(w->b, o, "zone", p->zone);
	a = jb_arr(w->b, o, "addresses");
	for (s = p->addresses; s != NULL && *s; s = comma ? comma + 1 : NULL) {
		char one[64];
		size_t n;

		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		snprintf(one, sizeof(one), "%.*s", (int)n, s);
		jb_push_str(w->b, a, one);
	}
	jb_str(w->b, o, "dnsName", p->dns_name);
	time_str(w->b, o, "registered", p->registered_ms);
	time_str(w->b, o, "lastReport", p->last_report_ms);
	return w->b->failed ? RM_ENOMEM : RM_OK;
}

int live_peers(struct live *l, const char *cluster, char **out, size_t *len, struct rm_diag *d)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject();
	struct peers_walk w = { &b, NULL };
	int rc;

	jb_str(&b, root, "schema", "reachmap.peers/v1");
	w.arr = jb_arr(&b, root, "peers");
	rc = b.failed ? RM_ENOMEM : l->store->ops->peers(l->store, cluster, peer_json, &w, d);
	if (rc != RM_OK) {
		cJSON_Delete(root);
		return rc;
	}
	return emit(root, &b, out, len);
}

/* ---- history ---- */

struct history_walk {
	struct rm_jb *b;
	cJSON *arr;
	size_t n;
	bool truncated;
};

static int transition_json(const struct store_transition *t, void *arg)
{
	struct history_walk *w = arg;
	cJSON *o;

	if (w->n == HISTORY_MAX_ROWS) {
		w->truncated = true;
		return 1;
	}
	o = cJSON_CreateObject();
	jb_push(w->b, w->arr, o);
	jb_str(w->b, o, "from", t->cell.from);
	jb_str(w->b, o, "to", t->cell.to);
	jb_str(w->b, o, "check", rm_check_name(t->cell.check));
	if (t->cell.port)
		jb_num(w->b, o, "port", t->cell.port);
	if (t->first) {
		if (cJSON_AddNullToObject(o, "old") == NULL)
			w->b->failed = 1;
	} else {
		jb_str(w->b, o, "old", rm_status_name(t->old_status));
	}
	jb_str(w->b, o, "new", rm_status_name(t->new_status));
	time_str(w->b, o, "at", t->at_ms);
	w->n++;
	return w->b->failed ? RM_ENOMEM : RM_OK;
}

int live_history(struct live *l, const char *from, const char *to, int64_t since_ms,
		 int64_t until_ms, char **out, size_t *len, struct rm_diag *d)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject();
	struct history_walk w = { &b, NULL, 0, false };
	struct store_history_query q = { from, to, since_ms, until_ms };
	int rc;

	jb_str(&b, root, "schema", "reachmap.history/v1");
	jb_str(&b, root, "from", from);
	jb_str(&b, root, "to", to);
	time_str(&b, root, "since", since_ms);
	time_str(&b, root, "until", until_ms);
	w.arr = jb_arr(&b, root, "transitions");
	rc = b.failed ? RM_ENOMEM : l->store->ops->history(l->store, &q, transition_json, &w, d);
	if (rc == 1)
		rc = RM_OK;
	if (rc == RM_OK && cJSON_AddBoolToObject(root, "truncated", w.truncated) == NULL)
		rc = RM_ENOMEM;
	if (rc != RM_OK) {
		cJSON_Delete(root);
		return rc;
	}
	return emit(root, &b, out, len);
}

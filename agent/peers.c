/* reachmap.peers/v1 read for the agent (schema report/schema/
 * reachmap.peers.v1.json). Only the name, cluster, first address and
 * registration time of each peer matter here. */
#include "agent/peers.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

void peers_init(struct agent_peers *l)
{
	memset(l, 0, sizeof(*l));
}

void peers_free(struct agent_peers *l)
{
	rm_free(l->v);
	rm_arena_free(l->arena);
	memset(l, 0, sizeof(*l));
}

static struct agent_peer *find(const struct agent_peers *l, const char *cluster, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0 && strcmp(l->v[i].cluster, cluster) == 0)
			return &l->v[i];
	return NULL;
}

/* A copy of p at the end of l (its strings in l's arena). */
static int append(struct agent_peers *l, const struct agent_peer *p)
{
	struct agent_peer *x;

	if (l->arena == NULL && (l->arena = rm_arena_new()) == NULL)
		return RM_ENOMEM;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct agent_peer *v = rm_realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return RM_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	x = &l->v[l->n];
	*x = *p;
	x->name = rm_arena_strdup(l->arena, p->name);
	x->cluster = rm_arena_strdup(l->arena, p->cluster);
	if (x->name == NULL || x->cluster == NULL)
		return RM_ENOMEM;
	l->n++;
	return RM_OK;
}

/* One peer of the list into *p (borrowing the tree's strings); false when
 * it lacks what the agent needs. */
static bool read_peer(const cJSON *o, struct agent_peer *p)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON *cluster = cJSON_GetObjectItemCaseSensitive(o, "cluster");
	const cJSON *addrs = cJSON_GetObjectItemCaseSensitive(o, "addresses");
	const cJSON *reg = cJSON_GetObjectItemCaseSensitive(o, "registered");
	const cJSON *first = cJSON_IsArray(addrs) ? cJSON_GetArrayItem(addrs, 0) : NULL;

	if (!cJSON_IsString(name) || !cJSON_IsString(cluster) || !cJSON_IsString(first) ||
	    cidr_addr_parse(first->valuestring, &p->addr) != RM_OK)
		return false;
	p->name = name->valuestring;
	p->cluster = cluster->valuestring;
	p->registered_ms = cJSON_IsString(reg) ? rm_time_parse_ms(reg->valuestring) : -1;
	return true;
}

int peers_parse(const char *text, size_t len, size_t max, struct agent_peers *l, struct rm_diag *d)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "peers"), *o;
	int rc = RM_OK;

	peers_free(l);
	if (root == NULL || !cJSON_IsObject(root)) {
		rm_diag_error(d, "peers: not a JSON object");
		rc = RM_EPARSE;
	} else if (!cJSON_IsString(schema) ||
		   strcmp(schema->valuestring, "reachmap.peers/v1") != 0 || !cJSON_IsArray(list)) {
		rm_diag_error(d, "peers: not a reachmap.peers/v1 document");
		rc = RM_EPARSE;
	}
	if (rc != RM_OK)
		list = NULL;
	cJSON_ArrayForEach(o, list)
	{
		struct agent_peer p;

		if (l->n == max)
			break;
		if (read_peer(o, &p) && (rc = append(l, &p)) != RM_OK)
			break;
	}
	cJSON_Delete(root);
	return rc;
}

int peers_merge(struct agent_peers *into, const struct agent_peers *from)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		const struct agent_peer *p = &from->v[i];
		struct agent_peer *x = find(into, p->cluster, p->name);
		int rc;

		if (x == NULL) {
			if ((rc = append(into, p)) != RM_OK)
				return rc;
		} else if (p->registered_ms > x->registered_ms) {
			x->addr = p->addr;
			x->registered_ms = p->registered_ms;
		}
	}
	return RM_OK;
}

/* kube_init_build: every --from file parsed and sorted into clusters (the
 * files holding Nodes) and Cassandra specs (K8ssandraCluster,
 * CassandraDatacenter, in any file), then read in that order: specs first,
 * as the targets' ports come from them. */
#include <string.h>

#include "kube/init-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

#define HOW_TO "give the output of kubectl get nodes,pods,services -A -o json"

static bool is_spec(const char *kind)
{
	return kind != NULL &&
	       (strcmp(kind, "K8ssandraCluster") == 0 || strcmp(kind, "CassandraDatacenter") == 0);
}

static bool is_list(const char *kind)
{
	static const char *const lists[] = { "List", "NodeList", "PodList", "ServiceList" };
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(kind, lists[i]) == 0)
			return true;
	return false;
}

static int parse_file(const struct kube_input *in, cJSON **root, struct rm_diag *diag)
{
	const char *end = NULL;
	unsigned line = 1, col = 1;
	const char *p;

	const char *again = NULL;

	*root = cJSON_ParseWithLengthOpts(in->text, in->len, &end, 0);
	if (*root != NULL)
		return RM_OK;
	/* cJSON says NULL both for bad text and for an allocation that
	 * failed; bad text fails again at the same place. */
	*root = cJSON_ParseWithLengthOpts(in->text, in->len, &again, 0);
	if (*root != NULL)
		return RM_OK;
	if (again != end)
		return RM_ENOMEM;
	if (end == NULL || end < in->text || end > in->text + in->len)
		end = in->text + in->len;
	for (p = in->text; p < end; p++) {
		if (*p == '\n')
			line++, col = 1;
		else
			col++;
	}
	rm_diag_error(diag, "%s:%u:%u: not JSON (%s)", in->path, line, col, HOW_TO);
	return RM_EPARSE;
}

/* Reads the specs of one file; *nodes tells whether it holds any Node. */
static int file_specs(struct kube_topo *t, const struct kube_input *in, const cJSON *root,
		      bool *nodes, bool *specs, struct rm_diag *diag)
{
	struct kread r = { t, NULL, in->path, diag };
	const cJSON *items = NULL, *item;
	const char *kind;
	struct kj j;
	size_t i = 0;
	int rc;

	kj_init(&j, in->path, diag);
	*nodes = *specs = false;
	if (!cJSON_IsObject(root))
		return kj_fail(&j, NULL, "%s is not a Kubernetes object (%s)", kj_kind(root),
			       HOW_TO);
	rc = kj_string(&j, root, "kind", &kind);
	if (rc == RM_OK && is_spec(kind)) {
		*specs = true;
		return kread_spec(&r, &j, root, kind);
	}
	if (rc == RM_OK && kind == NULL)
		return kj_fail(&j, NULL, "no \"kind\": not a Kubernetes object (%s)", HOW_TO);
	if (rc == RM_OK && !is_list(kind))
		return kj_fail(&j, "kind",
			       "\"%s\" is not a List, a K8ssandraCluster or a CassandraDatacenter "
			       "(%s)",
			       kind, HOW_TO);
	if (rc == RM_OK)
		rc = kj_array(&j, root, "items", &items);
	cJSON_ArrayForEach(item, items)
	{
		if (rc != RM_OK)
			break;
		kj_push(&j, "items");
		kj_push_index(&j, i++);
		rc = kj_string(&j, item, "kind", &kind);
		if (rc == RM_OK && kind != NULL && strcmp(kind, "Node") == 0)
			*nodes = true;
		if (rc == RM_OK && is_spec(kind)) {
			*specs = true;
			rc = kread_spec(&r, &j, item, kind);
		}
		kj_pop(&j, 0);
	}
	return rc;
}

/* A cluster's name goes into probe and StatefulSet names: a DNS label,
 * short enough that "<cluster>-<zone>-<ordinal>" stays one. */
static bool dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 40 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int cluster_name(struct kube_topo *t, const struct kube_input *in, struct kcluster *c,
			struct rm_diag *diag)
{
	const char *base = strrchr(in->path, '/'), *dot;
	size_t i;

	base = base ? base + 1 : in->path;
	dot = strrchr(base, '.');
	if (in->cluster != NULL) {
		c->name = in->cluster;
		c->name_from = "--cluster";
	} else {
		c->name = rm_arena_strndup(
		    t->arena, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
		c->name_from = "its file name";
		if (c->name == NULL)
			return RM_ENOMEM;
	}
	if (!dns_label(c->name)) {
		rm_diag_error(diag,
			      "%s: the cluster name \"%s\" (%s) is not a DNS label of at most 40 "
			      "characters (a-z, 0-9 and '-')%s",
			      in->path, c->name, c->name_from,
			      in->cluster ? "" : "; give --cluster NAME after this --from");
		return RM_EINVAL;
	}
	for (i = 0; i + 1 < t->nclusters; i++)
		if (strcmp(t->clusters[i].name, c->name) == 0) {
			rm_diag_error(diag,
				      "%s: the cluster name \"%s\" (%s) is %s's already; give "
				      "each file its --cluster NAME",
				      in->path, c->name, c->name_from, t->clusters[i].file);
			return RM_EINVAL;
		}
	return RM_OK;
}

static int read_cluster(struct kube_topo *t, const struct kube_input *in, const cJSON *root,
			struct rm_diag *diag)
{
	struct kread r = { t, NULL, in->path, diag };
	int rc;

	if (rm_arena_grow(t->arena, (void **)&t->clusters, &t->clusters_cap, t->nclusters + 1,
			  sizeof(*t->clusters)) != RM_OK)
		return RM_ENOMEM;
	r.c = &t->clusters[t->nclusters++];
	memset(r.c, 0, sizeof(*r.c));
	r.c->file = in->path;
	rc = cluster_name(t, in, r.c, diag);
	if (rc == RM_OK)
		rc = kread_cluster_items(&r, kj_get(root, "items"));
	if (rc == RM_OK && r.c->domain == NULL) {
		r.c->domain = "cluster.local";
		r.c->domain_from = NULL;
	}
	if (rc == RM_OK)
		rc = kread_targets(&r);
	return rc;
}

static int build(struct kube_topo *t, const struct kube_input *in, size_t n, struct rm_diag *diag)
{
	bool *nodes = rm_arena_calloc(t->arena, n ? n : 1, sizeof(*nodes));
	bool specs;
	size_t i;
	int rc = nodes ? RM_OK : RM_ENOMEM;

	for (i = 0; rc == RM_OK && i < n; i++) {
		rc = parse_file(&in[i], &t->roots[i], diag);
		if (rc == RM_OK)
			t->nroots = i + 1;
		if (rc == RM_OK)
			rc = file_specs(t, &in[i], t->roots[i], &nodes[i], &specs, diag);
		if (rc != RM_OK || nodes[i])
			continue;
		if (!specs) {
			rm_diag_error(diag,
				      "%s: holds no Node, K8ssandraCluster or CassandraDatacenter "
				      "(%s)",
				      in[i].path, HOW_TO);
			rc = RM_EINVAL;
		} else if (in[i].cluster != NULL) {
			rm_diag_error(diag,
				      "%s: --cluster %s: this file holds Cassandra specs but no "
				      "Node, so it is no cluster of its own",
				      in[i].path, in[i].cluster);
			rc = RM_EINVAL;
		}
	}
	for (i = 0; rc == RM_OK && i < n; i++)
		if (nodes[i])
			rc = read_cluster(t, &in[i], t->roots[i], diag);
	if (rc == RM_OK && t->nclusters == 0) {
		rm_diag_error(diag, "no --from file holds a Node: %s for each cluster", HOW_TO);
		rc = RM_EINVAL;
	}
	if (rc == RM_OK && t->ndcs == 0)
		rc = kread_default_ports(t, "Cassandra's default (no K8ssandraCluster or "
					    "CassandraDatacenter given)");
	return rc;
}

int kube_init_build(const struct kube_input *in, size_t n, const struct kube_init_opts *opts,
		    struct kube_topo **out, struct rm_diag *diag)
{
	struct rm_arena *arena = rm_arena_new();
	struct kube_topo *t = arena ? rm_arena_calloc(arena, 1, sizeof(*t)) : NULL;
	size_t i;
	int rc;

	*out = NULL;
	rm_diag_clear(diag);
	if (t == NULL || (t->roots = rm_arena_calloc(arena, n ? n : 1, sizeof(cJSON *))) == NULL) {
		rm_arena_free(arena);
		rm_diag_error(diag, "out of memory");
		return RM_ENOMEM;
	}
	t->arena = arena;
	t->probes_per_zone = opts->probes_per_zone ? opts->probes_per_zone : 1;
	t->inputs = rm_arena_calloc(arena, n ? n : 1, sizeof(*t->inputs));
	for (i = 0; t->inputs != NULL && i < n; i++)
		t->inputs[i] = in[i].path;
	rc = t->inputs ? build(t, in, n, diag) : RM_ENOMEM;
	if (rc == RM_OK)
		rc = kube_init_derive(t, diag);
	if (rc != RM_OK) {
		if (rc == RM_ENOMEM)
			rm_diag_error(diag, "out of memory");
		kube_topo_free(t);
		return rc;
	}
	*out = t;
	return RM_OK;
}

void kube_topo_free(struct kube_topo *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nroots; i++)
		cJSON_Delete(t->roots[i]);
	rm_arena_free(t->arena);
}

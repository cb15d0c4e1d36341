/* The files of a cluster's overlay (kube/overlay.h). Strategic-merge
 * patches throughout: a list without a merge key (ingress, nodeSelectorTerms)
 * is replaced whole, so the overlay says the same thing whatever the base's
 * template holds there. */
#include <stdio.h>
#include <string.h>

#include "kube/overlay.h"
#include "kube/text.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/cidr.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

#define KUSTOMIZATION_HEAD                                                                         \
	"apiVersion: kustomize.config.k8s.io/v1beta1\n"                                            \
	"kind: Kustomization\n"
#define AGENT_SELECTOR "app.kubernetes.io/component=agent"

struct build {
	const struct rm_topology *topo;
	const struct rm_cluster *c;
	const struct kube_overlay_opts *o;
	struct kube_overlay *ov;
};

static void header(struct kube_text *t, const struct build *b)
{
	kt_printf(t, KUBE_HEADER " from ");
	kt_comment(t, b->topo->path);
	kt_printf(t, ", cluster ");
	kt_comment(t, b->c->name);
	kt_printf(t, ".\n# Do not edit: change the topology, then regenerate with\n#   ");
	kt_comment(t, b->o->command);
	kt_printf(t, "\n");
}

static void env_var(struct kube_text *t, const char *name, const char *value)
{
	kt_printf(t, "                  - name: %s\n                    value: ", name);
	kt_scalar(t, value);
	kt_printf(t, "\n");
}

static void patch_agents(struct kube_text *t, const struct build *b)
{
	struct kube_text urls = { 0 };
	char interval[16];
	size_t i;

	for (i = 0; i < b->o->ncollectors; i++)
		kt_printf(&urls, "%s%s", i ? "," : "", b->o->collectors[i]);
	kt_printf(t, "  # Every agent: this cluster's name and the collectors it pushes to.\n"
		     "  - target:\n      kind: StatefulSet\n      labelSelector: " AGENT_SELECTOR
		     "\n    patch: |-\n"
		     "      apiVersion: apps/v1\n      kind: StatefulSet\n"
		     "      metadata:\n        name: agent\n"
		     "      spec:\n        template:\n          spec:\n            containers:\n"
		     "              - name: agent\n                env:\n");
	env_var(t, "REACHMAP_CLUSTER", b->c->name);
	env_var(t, "REACHMAP_COLLECTOR", urls.failed ? "" : urls.data);
	if (b->o->interval) {
		snprintf(interval, sizeof(interval), "%u", b->o->interval);
		env_var(t, "REACHMAP_INTERVAL", interval);
	}
	t->failed |= urls.failed;
	rm_free(urls.data);
}

/* Every cluster's pod and node ranges: a probe of any cluster may probe
 * these pods, and traffic from another cluster arrives from its pods or,
 * behind source NAT, from its nodes. */
static void from_ranges(struct kube_text *t, const struct build *b)
{
	char cidr[RM_PREFIX_STRLEN];
	size_t i, r;

	kt_printf(t, "          - from:\n");
	for (i = 0; i < b->topo->nclusters; i++) {
		const struct rm_cluster *c = &b->topo->clusters[i];

		for (r = 0; r < c->nranges; r++) {
			const struct rm_range *g = &c->ranges[r];

			if (g->kind == RM_RANGE_SERVICES)
				continue;
			kt_printf(t, "              # cluster ");
			kt_comment(t, c->name);
			kt_printf(t, ", %s: ", topo_range_kind_name(g->kind));
			kt_comment(t, b->topo->path);
			kt_printf(t,
				  ":%u:%u\n              - ipBlock:\n                  cidr: %s\n",
				  g->pos.line, g->pos.column,
				  cidr_format(&g->prefix, cidr, sizeof(cidr)));
		}
	}
	kt_printf(t, "            ports:\n");
}

static void port(struct kube_text *t, const char *proto, unsigned n)
{
	kt_printf(t, "              - protocol: %s\n                port: %u\n", proto, n);
}

/* The responder, then each port of the topology (the topology has no port
 * number twice) with where it came from. */
static void agent_ports(struct kube_text *t, const struct build *b)
{
	size_t i;

	kt_printf(t, "              # the responder, tcp and udp\n");
	port(t, "TCP", KUBE_RESPONDER_PORT);
	port(t, "UDP", KUBE_RESPONDER_PORT);
	for (i = 0; i < b->topo->nports; i++) {
		const struct rm_port *p = &b->topo->ports[i];

		if (p->port == KUBE_RESPONDER_PORT)
			continue;
		kt_printf(t, "              # ");
		kt_comment(t, p->name);
		kt_printf(t, " (stand-in): ");
		kt_comment(t, b->topo->path);
		kt_printf(t, ":%u:%u\n", p->pos.line, p->pos.column);
		port(t, "TCP", p->port);
	}
}

static void netpol_head(struct kube_text *t, const char *name)
{
	kt_printf(t,
		  "    patch: |-\n      apiVersion: networking.k8s.io/v1\n"
		  "      kind: NetworkPolicy\n      metadata:\n        name: %s\n"
		  "      spec:\n        ingress:\n",
		  name);
}

static void patch_netpols(struct kube_text *t, const struct build *b)
{
	kt_printf(t, "  # The agents: the responder and the stand-ins on the topology's ports,\n"
		     "  # from every cluster's pods and nodes.\n  - target:\n"
		     "      kind: NetworkPolicy\n      name: reachmap-agent\n");
	netpol_head(t, "reachmap-agent");
	from_ranges(t, b);
	agent_ports(t, b);
	kt_printf(t, "  # The collector: the agents' pushes, from the same ranges.\n"
		     "  - target:\n      kind: NetworkPolicy\n      name: reachmap-collector\n");
	netpol_head(t, "reachmap-collector");
	from_ranges(t, b);
	kt_printf(t, "              # the collector (https)\n");
	port(t, "TCP", KUBE_COLLECTOR_PORT);
}

static void images(struct kube_text *t, const struct kube_image *img)
{
	kt_printf(t, "images:\n  - name: reachmap\n    newName: ");
	kt_scalar(t, img->name);
	if (img->tag != NULL) {
		kt_printf(t, "\n    newTag: ");
		kt_scalar(t, img->tag);
	}
	if (img->digest != NULL) {
		kt_printf(t, "\n    digest: ");
		kt_scalar(t, img->digest);
	}
	kt_printf(t, "\n");
}

/* The base's common/ (everything but the agents), then the zones: the
 * base itself holds an agent StatefulSet of the example's, which would clash
 * with a zone of that name. */
static void top_kustomization(struct kube_text *t, const struct build *b)
{
	struct kube_text common = { 0 };
	size_t i;

	kt_printf(&common, "%s/common", b->o->base);
	header(t, b);
	kt_printf(t, KUSTOMIZATION_HEAD "namespace: reachmap\nresources:\n"
					"  # The base without its agents.\n  - ");
	kt_scalar(t, common.failed ? "" : common.data);
	kt_printf(t, "\n  # One StatefulSet per zone of cluster ");
	kt_comment(t, b->c->name);
	kt_printf(t, ", from the base's template agent.\n");
	for (i = 0; i < b->ov->nsets; i++)
		kt_printf(t, "  - zones/%s\n", b->ov->sets[i].name);
	images(t, &b->o->image);
	kt_printf(t, "configMapGenerator:\n  # topology.yaml: ");
	kt_comment(t, b->topo->path);
	kt_printf(t, ", byte for byte.\n  - name: reachmap-topology\n    behavior: replace\n"
		     "    files:\n      - topology.yaml\npatches:\n");
	patch_agents(t, b);
	patch_netpols(t, b);
	t->failed |= common.failed;
	rm_free(common.data);
}

/* From zones/NAME, the base's agent kustomization: the base's own path one
 * level further and two levels up. */
static void zone_kustomization(struct kube_text *t, const struct build *b,
			       const struct kube_statefulset *s)
{
	struct kube_text agent = { 0 };

	kt_printf(&agent, "../../%s/agent", b->o->base);
	header(t, b);
	kt_printf(t, "# StatefulSet %s: %u pod%s (%s-0", s->name, s->replicas,
		  s->replicas == 1 ? "" : "s", s->name);
	if (s->replicas > 1)
		kt_printf(t, " to %s-%u", s->name, s->replicas - 1);
	kt_printf(t, ") in zone ");
	kt_comment(t, s->zone);
	kt_printf(t, ".\n" KUSTOMIZATION_HEAD "resources:\n  - ");
	kt_scalar(t, agent.failed ? "" : agent.data);
	/* Its own selector label: two StatefulSets must not select each
	 * other's pods. */
	kt_printf(t,
		  "\nlabels:\n  - pairs:\n      app.kubernetes.io/instance: %s\n"
		  "    includeSelectors: true\n"
		  "patches:\n  - target:\n      kind: StatefulSet\n      name: agent\n"
		  "    options:\n      allowNameChange: true\n    patch: |-\n"
		  "      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata:\n"
		  "        name: %s\n      spec:\n        replicas: %u\n"
		  "        template:\n          spec:\n            affinity:\n"
		  "              nodeAffinity:\n"
		  "                requiredDuringSchedulingIgnoredDuringExecution:\n"
		  "                  nodeSelectorTerms:\n"
		  "                    - matchExpressions:\n"
		  "                        - key: topology.kubernetes.io/zone\n"
		  "                          operator: In\n"
		  "                          values:\n"
		  "                            - ",
		  s->name, s->name, s->replicas);
	kt_scalar(t, s->zone);
	kt_printf(t, "\n");
	t->failed |= agent.failed;
	rm_free(agent.data);
}

/* Takes t's text as file `path` of the overlay. */
static int add_file(struct kube_overlay *ov, const char *path, struct kube_text *t)
{
	struct kube_file *f = &ov->files[ov->nfiles];

	if (t->failed || (f->path = rm_arena_strdup(ov->arena, path)) == NULL) {
		rm_free(t->data);
		return RM_ENOMEM;
	}
	f->data = t->data;
	f->len = t->len;
	ov->nfiles++;
	return RM_OK;
}

static int check_collectors(const struct kube_overlay_opts *o, struct rm_diag *diag)
{
	size_t i;

	if (o->ncollectors == 0) {
		rm_diag_error(diag, "no collector URL: the agents need at least one");
		return RM_EINVAL;
	}
	for (i = 0; i < o->ncollectors; i++) {
		const char *u = o->collectors[i], *p;
		size_t scheme = strncmp(u, "https://", 8) == 0	? 8
				: strncmp(u, "http://", 7) == 0 ? 7
								: 0;

		for (p = u; *p && *p > ' ' && *p != ',' && *p != 0x7f; p++)
			;
		if (scheme == 0 || u[scheme] == '\0' || *p != '\0') {
			rm_diag_error(diag,
				      "%s: not a collector URL (https://HOST:PORT or "
				      "http://HOST:PORT, no comma or space)",
				      u);
			return RM_EINVAL;
		}
	}
	return RM_OK;
}

static int find_cluster(const struct rm_topology *topo, const char *name, size_t *ci,
			struct rm_diag *diag)
{
	for (*ci = 0; *ci < topo->nclusters; (*ci)++)
		if (strcmp(topo->clusters[*ci].name, name) == 0)
			return RM_OK;
	rm_diag_error(diag, "no cluster %s in %s", name, topo->path);
	return RM_ENOTFOUND;
}

static int build_files(struct build *b)
{
	struct kube_overlay *ov = b->ov;
	struct kube_text t = { 0 };
	char path[128];
	size_t i;
	int rc;

	ov->files = rm_arena_calloc(ov->arena, ov->nsets + 2, sizeof(*ov->files));
	if (ov->files == NULL)
		return RM_ENOMEM;
	top_kustomization(&t, b);
	if ((rc = add_file(ov, "kustomization.yaml", &t)) != RM_OK)
		return rc;
	memset(&t, 0, sizeof(t));
	kt_bytes(&t, b->o->topology, b->o->topology_len);
	if ((rc = add_file(ov, "topology.yaml", &t)) != RM_OK)
		return rc;
	for (i = 0; i < ov->nsets; i++) {
		memset(&t, 0, sizeof(t));
		zone_kustomization(&t, b, &ov->sets[i]);
		snprintf(path, sizeof(path), "zones/%s/kustomization.yaml", ov->sets[i].name);
		if ((rc = add_file(ov, path, &t)) != RM_OK)
			return rc;
	}
	return RM_OK;
}

int kube_overlay_build(const struct rm_topology *topo, const struct kube_overlay_opts *o,
		       struct kube_overlay **out, struct rm_diag *diag)
{
	struct build b = { .topo = topo, .o = o };
	size_t ci;
	int rc;

	*out = NULL;
	rm_diag_clear(diag);
	if ((rc = find_cluster(topo, o->cluster, &ci, diag)) != RM_OK ||
	    (rc = check_collectors(o, diag)) != RM_OK)
		return rc;
	b.c = &topo->clusters[ci];
	if (b.c->nprobes == 0) {
		rm_diag_error(diag,
			      "%s:%u:%u: clusters[%zu]: cluster %s has no probes: the overlay runs "
			      "the agents of a cluster's probes",
			      topo->path, b.c->pos.line, b.c->pos.column, ci, b.c->name);
		return RM_EINVAL;
	}
	if ((b.ov = rm_calloc(1, sizeof(*b.ov))) == NULL ||
	    (b.ov->arena = rm_arena_new()) == NULL) {
		rm_free(b.ov);
		return RM_ENOMEM;
	}
	rc = kube_statefulsets(topo, ci, b.ov->arena, &b.ov->sets, &b.ov->nsets, diag);
	if (rc == RM_OK)
		rc = build_files(&b);
	if (rc != RM_OK) {
		kube_overlay_free(b.ov);
		return rc;
	}
	*out = b.ov;
	return RM_OK;
}

void kube_overlay_free(struct kube_overlay *ov)
{
	size_t i;

	if (ov == NULL)
		return;
	for (i = 0; i < ov->nfiles; i++)
		rm_free(ov->files[i].data);
	rm_arena_free(ov->arena);
	rm_free(ov);
}

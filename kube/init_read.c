/* The dumps, item by item: Nodes, Pods and Services of `kubectl get
 * nodes,pods,services -A -o json` (a v1 List), and the Cassandra specs
 * (kube/init_spec.c). Every value kept says which file and field it came
 * from; every bad value is reported with its file and JSON path. */
#include <string.h>

#include "kube/init-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

#define ZONE_LABEL	  "topology.kubernetes.io/zone"
#define ZONE_LABEL_LEGACY "failure-domain.beta.kubernetes.io/zone"
#define DC_LABEL	  "cassandra.datastax.com/datacenter"

int kaddr_add(struct rm_arena *a, struct kaddrs *l, const struct rm_addr *addr)
{
	if (rm_arena_grow(a, (void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) != RM_OK)
		return RM_ENOMEM;
	l->v[l->n++] = *addr;
	return RM_OK;
}

int krange_add(struct rm_arena *a, struct kranges *l, const struct rm_prefix *p)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cidr_cmp(&l->v[i], p) == 0)
			return RM_OK;
	if (rm_arena_grow(a, (void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) != RM_OK)
		return RM_ENOMEM;
	l->v[l->n++] = *p;
	return RM_OK;
}

/* obj[key] (a string) as an address; `what` names it in the message. */
static int read_addr(struct kj *j, const cJSON *obj, const char *key, struct rm_addr *out)
{
	const char *s;
	int rc = kj_string(j, obj, key, &s);

	out->family = RM_AF_NONE;
	if (rc != RM_OK || s == NULL || *s == '\0')
		return rc;
	if (cidr_addr_parse(s, out) != RM_OK)
		return kj_fail(j, key, "\"%s\" is not an IP address", s);
	return RM_OK;
}

static int read_cidr(struct kj *j, const cJSON *v, struct rm_prefix *out)
{
	const char *why = NULL;
	int rc;

	if (!cJSON_IsString(v))
		return kj_fail(j, NULL, "must be a string, not %s", kj_kind(v));
	rc = cidr_parse(v->valuestring, out, NULL, &why);
	if (rc != RM_OK)
		return kj_fail(j, NULL, "\"%s\" is not a CIDR (%s)", v->valuestring,
			       why ? why : rm_strerror(rc));
	return RM_OK;
}

bool kname_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

bool kdns_ok(const char *s)
{
	size_t i, n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (s[i] == '_' || s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
			   (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

int kread_name(struct kj *j, const char *key, const char *s)
{
	if (s == NULL || kname_ok(s))
		return RM_OK;
	return kj_fail(j, key,
		       "\"%s\" is not a name reachmap can write (1 to 63 letters, digits, '-', "
		       "'_' and '.')",
		       s);
}

int kread_meta(struct kj *j, const cJSON *item, const char **name, const char **ns)
{
	const cJSON *meta;
	size_t old;
	int rc = kj_object(j, item, "metadata", &meta);

	*name = *ns = NULL;
	if (rc != RM_OK)
		return rc;
	old = kj_push(j, "metadata");
	rc = kj_string(j, meta, "name", name);
	if (rc == RM_OK)
		rc = kj_string(j, meta, "namespace", ns);
	if (rc == RM_OK && *name == NULL)
		rc = kj_fail(j, "name", "missing: every object has a name");
	kj_pop(j, old);
	return rc;
}

int kread_domain(struct kread *r, struct kj *j, const char *v, const char *from)
{
	size_t n = strlen(v), i;
	char *d;

	if (n > 0 && v[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
		      (v[i] == '.' && i > 0 && v[i - 1] != '.')))
			break;
	if (n == 0 || i < n || n > 253)
		return kj_fail(j, NULL, "\"%s\" is not a DNS domain", v);
	if (r->c->domain != NULL) /* every kube-dns replica says the same */
		return RM_OK;
	d = rm_arena_strndup(r->t->arena, v, n);
	if (d == NULL)
		return RM_ENOMEM;
	r->c->domain = d;
	r->c->domain_from = from;
	return RM_OK;
}

/* ---- Nodes -------------------------------------------------------------- */

static int node_cidrs(struct kj *j, const cJSON *spec, struct knode *node)
{
	const cJSON *list, *one = kj_get(spec, "podCIDR"), *v;
	size_t old, i = 0;
	int rc = kj_array(j, spec, "podCIDRs", &list);

	if (rc != RM_OK)
		return rc;
	if (list == NULL) { /* before Kubernetes 1.16: one block only */
		if (one == NULL || cJSON_IsNull(one) ||
		    (cJSON_IsString(one) && *one->valuestring == '\0'))
			return RM_OK;
		old = kj_push(j, "podCIDR");
		rc = read_cidr(j, one, &node->cidr[0]);
		kj_pop(j, old);
		node->ncidr = rc == RM_OK;
		return rc;
	}
	cJSON_ArrayForEach(v, list)
	{
		old = kj_push(j, "podCIDRs");
		kj_push_index(j, i);
		if (i >= 2)
			rc = kj_fail(j, NULL, "a node has at most two pod CIDRs (one per family)");
		else
			rc = read_cidr(j, v, &node->cidr[i]);
		kj_pop(j, old);
		if (rc != RM_OK)
			return rc;
		node->ncidr = ++i;
	}
	return RM_OK;
}

static int node_ips(struct kj *j, const cJSON *status, struct knode *node)
{
	const cJSON *list, *v;
	size_t i = 0, old = j->len;
	int rc = kj_array(j, status, "addresses", &list);

	if (rc != RM_OK)
		return rc;
	kj_push(j, "addresses");
	cJSON_ArrayForEach(v, list)
	{
		const char *type;
		size_t o = kj_push_index(j, i++);

		rc = kj_string(j, v, "type", &type);
		if (rc == RM_OK && type != NULL && strcmp(type, "InternalIP") == 0 &&
		    node->nip < 2) {
			rc = read_addr(j, v, "address", &node->ip[node->nip]);
			if (rc == RM_OK && node->ip[node->nip].family != RM_AF_NONE)
				node->nip++;
		}
		kj_pop(j, o);
		if (rc != RM_OK)
			break;
	}
	if (rc == RM_OK && node->nip == 0)
		rc = kj_fail(j, NULL,
			     "node \"%s\" has no InternalIP (reachmap takes the nodes' range from "
			     "their InternalIPs)",
			     node->name);
	kj_pop(j, old);
	return rc;
}

static int read_node(struct kread *r, struct kj *j, const cJSON *item)
{
	struct kcluster *c = r->c;
	struct knode *node;
	const cJSON *spec, *status;
	const char *ns;
	size_t old;
	int rc;

	if (rm_arena_grow(r->t->arena, (void **)&c->nodes, &c->nodes_cap, c->nnodes + 1,
			  sizeof(*c->nodes)) != RM_OK)
		return RM_ENOMEM;
	node = &c->nodes[c->nnodes];
	memset(node, 0, sizeof(*node));
	rc = kread_meta(j, item, &node->name, &ns);
	if (rc == RM_OK)
		rc = kj_label(j, item, ZONE_LABEL, &node->zone);
	if (rc == RM_OK && node->zone == NULL) {
		rc = kj_label(j, item, ZONE_LABEL_LEGACY, &node->zone);
		node->zone_legacy = node->zone != NULL;
	}
	if (rc == RM_OK && node->zone != NULL) {
		old = kj_push(j, "metadata");
		kj_push(j, "labels");
		rc = kread_name(j, node->zone_legacy ? ZONE_LABEL_LEGACY : ZONE_LABEL, node->zone);
		kj_pop(j, old);
	}
	if (rc == RM_OK)
		rc = kj_object(j, item, "spec", &spec);
	if (rc == RM_OK && spec != NULL) {
		old = kj_push(j, "spec");
		rc = node_cidrs(j, spec, node);
		kj_pop(j, old);
	}
	if (rc == RM_OK)
		rc = kj_object(j, item, "status", &status);
	if (rc == RM_OK) {
		old = kj_push(j, "status");
		rc = node_ips(j, status, node);
		kj_pop(j, old);
	}
	if (rc == RM_OK)
		c->nnodes++;
	return rc;
}

/* ---- Pods ---------------------------------------------------------------- */

/* The value of `--flag=V` or `--flag V` in a container's command or args;
 * *value NULL when no container has it. The path is left at the element
 * holding the value, for messages about it; the caller pops it. */
static int pod_flag(struct kj *j, const cJSON *pod, const char *flag, const char **value)
{
	static const char *const lists[] = { "command", "args" };
	const cJSON *spec = kj_get(pod, "spec"), *containers = kj_get(spec, "containers"), *ct;
	size_t flen = strlen(flag), ci = 0, l;

	*value = NULL;
	cJSON_ArrayForEach(ct, containers)
	{
		for (l = 0; l < 2; l++) {
			const cJSON *list = kj_get(ct, lists[l]), *a;
			size_t ai = 0;

			cJSON_ArrayForEach(a, list)
			{
				const char *s = cJSON_IsString(a) ? a->valuestring : "";
				const cJSON *next = a->next;

				if (strncmp(s, flag, flen) == 0 && s[flen] == '=')
					*value = s + flen + 1;
				else if (strcmp(s, flag) == 0 && cJSON_IsString(next))
					*value = next->valuestring, ai++;
				if (*value != NULL) {
					kj_push(j, "spec");
					kj_push(j, "containers");
					kj_push_index(j, ci);
					kj_push(j, lists[l]);
					kj_push_index(j, ai);
					return RM_OK;
				}
				ai++;
			}
		}
		ci++;
	}
	return RM_OK;
}

/* "10.244.0.0/16" or "10.244.0.0/16,fd00:10:244::/56" from a flag. */
static int flag_cidrs(struct kread *r, struct kj *j, const char *v, struct kranges *out,
		      const char *from)
{
	char buf[256];
	char *tok, *save = NULL;
	struct rm_prefix p;
	const char *why = NULL;

	if (strlen(v) >= sizeof(buf))
		return kj_fail(j, NULL, "\"%.40s...\" is too long for a list of CIDRs", v);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int rc = cidr_parse(tok, &p, NULL, &why);

		if (rc != RM_OK)
			return kj_fail(j, NULL, "\"%s\" is not a CIDR (%s)", tok,
				       why ? why : rm_strerror(rc));
		if (krange_add(r->t->arena, out, &p) != RM_OK)
			return RM_ENOMEM;
	}
	out->from = from;
	return RM_OK;
}

/* What a flag of a kube-system pod tells. */
enum cp_flag { CP_CLUSTER_CIDR, CP_SERVICE_RANGE, CP_ISSUER, CP_DNS_DOMAIN };

/* kubeadm's service account issuer, https://kubernetes.default.svc.DOMAIN
 * (from its networking.dnsDomain); an issuer of another form (an OIDC
 * provider's URL) says nothing about the domain. */
#define KUBEADM_ISSUER "https://kubernetes.default.svc."

static int cp_value(struct kread *r, struct kj *j, enum cp_flag f, const char *v, const char *from)
{
	switch (f) {
	case CP_CLUSTER_CIDR:
		return flag_cidrs(r, j, v, &r->c->cm_cidr, from);
	case CP_SERVICE_RANGE:
		return flag_cidrs(r, j, v, &r->c->api_services, from);
	case CP_ISSUER:
		if (strncmp(v, KUBEADM_ISSUER, strlen(KUBEADM_ISSUER)) != 0)
			return RM_OK;
		return kread_domain(r, j, v + strlen(KUBEADM_ISSUER), from);
	default:
		return kread_domain(r, j, v, from);
	}
}

/* kubeadm runs the control plane as pods in kube-system, and their flags
 * are the cluster's own address plan: --cluster-cidr of the controller
 * manager, --service-cluster-ip-range of the API server, and the domain in
 * its --service-account-issuer. GKE's kube-dns says the domain in its
 * --domain. */
static int control_plane(struct kread *r, struct kj *j, const cJSON *pod, const char *name)
{
	static const struct {
		bool app; /* the label k8s-app, else component */
		const char *label, *flag;
		enum cp_flag what;
	} flags[] = {
		{ false, "kube-controller-manager", "--cluster-cidr", CP_CLUSTER_CIDR },
		{ false, "kube-apiserver", "--service-cluster-ip-range", CP_SERVICE_RANGE },
		{ false, "kube-apiserver", "--service-account-issuer", CP_ISSUER },
		{ true, "kube-dns", "--domain", CP_DNS_DOMAIN },
	};
	const char *component, *app, *v, *from;
	size_t f, old = j->len;
	int rc = kj_label(j, pod, "component", &component);

	if (rc == RM_OK)
		rc = kj_label(j, pod, "k8s-app", &app);
	for (f = 0; rc == RM_OK && f < sizeof(flags) / sizeof(flags[0]); f++) {
		const char *which = flags[f].app ? app : component;

		if (which == NULL || strcmp(which, flags[f].label) != 0)
			continue;
		rc = pod_flag(j, pod, flags[f].flag, &v);
		if (rc == RM_OK && v != NULL) {
			from =
			    rm_arena_printf(r->t->arena, "%s's %s (pod kube-system/%s, %s) in %s",
					    flags[f].label, flags[f].flag, name, j->path, j->file);
			rc = from ? cp_value(r, j, flags[f].what, v, from) : RM_ENOMEM;
		}
		kj_pop(j, old);
	}
	return rc;
}

static int pod_ips(struct kread *r, struct kj *j, const cJSON *item)
{
	const cJSON *status, *list, *v, *host = kj_get(kj_get(item, "spec"), "hostNetwork");
	struct rm_addr a;
	size_t i = 0, old;
	int rc = kj_object(j, item, "status", &status);

	/* A pod on the host's network has the node's address: not a pod's. */
	if (rc != RM_OK || status == NULL || cJSON_IsTrue(host))
		return rc;
	old = kj_push(j, "status");
	rc = kj_array(j, status, "podIPs", &list);
	if (rc == RM_OK && list == NULL) {
		rc = read_addr(j, status, "podIP", &a);
		if (rc == RM_OK && a.family != RM_AF_NONE)
			rc = kaddr_add(r->t->arena, &r->c->pod_ips, &a);
	}
	cJSON_ArrayForEach(v, list)
	{
		size_t o = kj_push(j, "podIPs");

		kj_push_index(j, i++);
		rc = read_addr(j, v, "ip", &a);
		kj_pop(j, o);
		if (rc == RM_OK && a.family != RM_AF_NONE)
			rc = kaddr_add(r->t->arena, &r->c->pod_ips, &a);
		if (rc != RM_OK)
			break;
	}
	kj_pop(j, old);
	return rc;
}

static int read_pod(struct kread *r, struct kj *j, const cJSON *item, size_t idx)
{
	struct kcluster *c = r->c;
	const char *name, *ns, *dc;
	int rc = kread_meta(j, item, &name, &ns);

	if (rc == RM_OK)
		rc = pod_ips(r, j, item);
	if (rc == RM_OK && ns != NULL && strcmp(ns, "kube-system") == 0)
		rc = control_plane(r, j, item, name);
	if (rc == RM_OK)
		rc = kj_label(j, item, DC_LABEL, &dc);
	if (rc != RM_OK || dc == NULL)
		return rc;
	/* Cassandra's pods become targets once every node (their zones) and
	 * every spec (their ports) is known. */
	if (rm_arena_grow(r->t->arena, (void **)&c->cass, &c->cass_cap, c->ncass + 1,
			  sizeof(*c->cass)) != RM_OK)
		return RM_ENOMEM;
	c->cass[c->ncass].pod = item;
	c->cass[c->ncass++].item = idx;
	return RM_OK;
}

/* ---- Services ------------------------------------------------------------ */

static int read_service(struct kread *r, struct kj *j, const cJSON *item)
{
	struct kcluster *c = r->c;
	const cJSON *spec, *list, *v;
	const char *name, *ns, *app;
	struct rm_addr a;
	size_t old, i = 0, before = c->cluster_ips.n;
	int rc = kread_meta(j, item, &name, &ns);

	if (rc == RM_OK)
		rc = kj_object(j, item, "spec", &spec);
	if (rc != RM_OK || spec == NULL)
		return rc;
	old = kj_push(j, "spec");
	rc = kj_array(j, spec, "clusterIPs", &list);
	if (rc == RM_OK && list == NULL) {
		const char *s;

		rc = kj_string(j, spec, "clusterIP", &s);
		/* Headless Services have "None"; ExternalName ones none. */
		if (rc == RM_OK && s != NULL && strcmp(s, "None") != 0)
			rc = read_addr(j, spec, "clusterIP", &a);
		if (rc == RM_OK && s != NULL && strcmp(s, "None") != 0 && a.family != RM_AF_NONE)
			rc = kaddr_add(r->t->arena, &c->cluster_ips, &a);
	}
	cJSON_ArrayForEach(v, list)
	{
		size_t o = kj_push(j, "clusterIPs");

		kj_push_index(j, i++);
		if (cJSON_IsString(v) && strcmp(v->valuestring, "None") == 0) {
			kj_pop(j, o);
			continue;
		}
		if (!cJSON_IsString(v))
			rc = kj_fail(j, NULL, "must be a string, not %s", kj_kind(v));
		else if (cidr_addr_parse(v->valuestring, &a) != RM_OK)
			rc = kj_fail(j, NULL, "\"%s\" is not an IP address", v->valuestring);
		else
			rc = kaddr_add(r->t->arena, &c->cluster_ips, &a);
		kj_pop(j, o);
		if (rc != RM_OK)
			break;
	}
	kj_pop(j, old);
	if (rc == RM_OK)
		rc = kj_label(j, item, "k8s-app", &app);
	if (rc != RM_OK || ns == NULL || strcmp(ns, "kube-system") != 0 || app == NULL ||
	    strcmp(app, "kube-dns") != 0)
		return rc;
	for (i = before; i < c->cluster_ips.n; i++)
		if (kaddr_add(r->t->arena, &c->dns, &c->cluster_ips.v[i]) != RM_OK)
			return RM_ENOMEM;
	c->dns_from =
	    rm_arena_printf(r->t->arena,
			    "Service kube-system/%s (k8s-app=kube-dns): %s.spec.clusterIP "
			    "in %s",
			    name, j->path, j->file);
	return c->dns_from ? RM_OK : RM_ENOMEM;
}

/* ---- One cluster's dump -------------------------------------------------- */

int kread_cluster_items(struct kread *r, const cJSON *items)
{
	const cJSON *item;
	size_t i = 0;
	int rc = RM_OK;

	cJSON_ArrayForEach(item, items)
	{
		struct kj j;
		const char *kind;

		kj_init(&j, r->file, r->diag);
		kj_push(&j, "items");
		kj_push_index(&j, i);
		rc = kj_string(&j, item, "kind", &kind);
		if (rc == RM_OK && kind != NULL) {
			if (strcmp(kind, "Node") == 0)
				rc = read_node(r, &j, item);
			else if (strcmp(kind, "Pod") == 0)
				rc = read_pod(r, &j, item, i);
			else if (strcmp(kind, "Service") == 0)
				rc = read_service(r, &j, item);
		}
		if (rc != RM_OK)
			return rc;
		i++;
	}
	return RM_OK;
}

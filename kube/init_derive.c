/* From what the dumps hold to what the topology declares: each cluster's
 * ranges, zones, probes, and names unique across the topology.
 *
 * How ranges are made, and why:
 * - pods: the controller manager's --cluster-cidr when a kube-system pod
 *   shows it (kubeadm) and every node's podCIDR lies inside it: that is the
 *   cluster's range, provably. Otherwise the nodes' podCIDRs themselves,
 *   merged only where two blocks are the exact halves of one (10.244.0.0/24
 *   and 10.244.1.0/24 make 10.244.0.0/23, and nothing more): a larger block
 *   would be a guess, and a guess that overlaps another cluster is a false
 *   cidr-overlap. With no podCIDR at all (EKS's VPC CNI, GKE's VPC-native
 *   pods without node ranges) the pods' own IPs' covering block stands in,
 *   and the comment says so.
 * - nodes: the smallest block covering the InternalIPs.
 * - services: the API server's --service-cluster-ip-range when shown and
 *   every ClusterIP lies inside it, else the smallest block covering the
 *   ClusterIPs seen. */
#include <stdlib.h>
#include <string.h>

#include "kube/init-internal.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

/* The smallest block of `family` holding every address of l; false when l
 * has none of that family. */
static bool cover(const struct rm_addr *v, size_t n, int family, struct rm_prefix *out)
{
	const struct rm_addr *lo = NULL, *hi = NULL;
	unsigned len;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].family != family)
			continue;
		if (lo == NULL || cidr_addr_cmp(&v[i], lo) < 0)
			lo = &v[i];
		if (hi == NULL || cidr_addr_cmp(&v[i], hi) > 0)
			hi = &v[i];
	}
	if (lo == NULL)
		return false;
	for (len = family == RM_AF_INET ? 32 : 128;; len--) {
		cidr_make(lo, len, out);
		if (cidr_contains(out, hi) || len == 0)
			return true;
	}
}

static int cover_both(struct rm_arena *a, const struct rm_addr *v, size_t n, struct kranges *out)
{
	static const int families[] = { RM_AF_INET, RM_AF_INET6 };
	struct rm_prefix p;
	size_t f;

	for (f = 0; f < 2; f++)
		if (cover(v, n, families[f], &p) && krange_add(a, out, &p) != RM_OK)
			return RM_ENOMEM;
	return RM_OK;
}

static int prefix_order(const void *x, const void *y)
{
	return cidr_cmp(x, y);
}

/* Sorts l, drops blocks inside others, and joins exact halves. */
static void merge_halves(struct kranges *l)
{
	size_t i, k;
	bool changed = true;

	qsort(l->v, l->n, sizeof(*l->v), prefix_order);
	for (i = 0, k = 0; i < l->n; i++)
		if (k == 0 || !cidr_contains_prefix(&l->v[k - 1], &l->v[i]))
			l->v[k++] = l->v[i];
	l->n = k;
	while (changed) {
		changed = false;
		for (i = 0; i + 1 < l->n; i++) {
			struct rm_prefix up;

			if (l->v[i].len != l->v[i + 1].len || l->v[i].len == 0 ||
			    l->v[i].addr.family != l->v[i + 1].addr.family)
				continue;
			cidr_make(&l->v[i].addr, l->v[i].len - 1u, &up);
			if (!cidr_contains_prefix(&up, &l->v[i + 1]))
				continue;
			l->v[i] = up;
			memmove(&l->v[i + 1], &l->v[i + 2], (l->n - i - 2) * sizeof(*l->v));
			l->n--;
			changed = true;
		}
	}
}

static bool all_inside(const struct kranges *outer, const struct rm_prefix *v, size_t n)
{
	size_t i, o;

	for (i = 0; i < n; i++) {
		for (o = 0; o < outer->n; o++)
			if (cidr_contains_prefix(&outer->v[o], &v[i]))
				break;
		if (o == outer->n)
			return false;
	}
	return true;
}

static bool addrs_inside(const struct kranges *outer, const struct kaddrs *a)
{
	size_t i, o;

	for (i = 0; i < a->n; i++) {
		for (o = 0; o < outer->n; o++)
			if (cidr_contains(&outer->v[o], &a->v[i]))
				break;
		if (o == outer->n)
			return false;
	}
	return true;
}

static bool ranges_overlap(const struct kranges *x, const struct kranges *y)
{
	size_t i, k;

	for (i = 0; i < x->n; i++)
		for (k = 0; k < y->n; k++)
			if (cidr_overlaps(&x->v[i], &y->v[k]))
				return true;
	return false;
}

static int node_ranges(struct rm_arena *a, struct kcluster *c, struct kranges *cidrs,
		       struct kaddrs *ips, size_t *with_cidr)
{
	size_t i, k;

	*with_cidr = 0;
	for (i = 0; i < c->nnodes; i++) {
		for (k = 0; k < c->nodes[i].ncidr; k++)
			if (krange_add(a, cidrs, &c->nodes[i].cidr[k]) != RM_OK)
				return RM_ENOMEM;
		for (k = 0; k < c->nodes[i].nip; k++)
			if (kaddr_add(a, ips, &c->nodes[i].ip[k]) != RM_OK)
				return RM_ENOMEM;
		*with_cidr += c->nodes[i].ncidr > 0;
	}
	return RM_OK;
}

/* VPC CNIs give pods addresses from the nodes' own subnets: one block
 * holds both, declared once as pods (nodes and pods overlapping in one
 * cluster would be a cidr-overlap error of its own making). */
static int pods_from_ips(struct rm_arena *a, struct kcluster *c, const struct kaddrs *node_ips)
{
	struct kaddrs both = { 0 };
	size_t i;

	if (cover_both(a, c->pod_ips.v, c->pod_ips.n, &c->pods) != RM_OK)
		return RM_ENOMEM;
	if (!ranges_overlap(&c->pods, &c->nodes_r)) {
		c->pods.from = rm_arena_printf(
		    a,
		    "no node has a podCIDR (a VPC CNI, e.g. EKS's): the smallest block covering "
		    "the %zu pod IPs (status.podIP of the pods not on the host network) in %s",
		    c->pod_ips.n, c->file);
		return c->pods.from ? RM_OK : RM_ENOMEM;
	}
	for (i = 0; i < c->pod_ips.n; i++)
		if (kaddr_add(a, &both, &c->pod_ips.v[i]) != RM_OK)
			return RM_ENOMEM;
	for (i = 0; i < node_ips->n; i++)
		if (kaddr_add(a, &both, &node_ips->v[i]) != RM_OK)
			return RM_ENOMEM;
	c->pods.n = c->nodes_r.n = 0;
	if (cover_both(a, both.v, both.n, &c->pods) != RM_OK)
		return RM_ENOMEM;
	c->pods.from = rm_arena_printf(
	    a,
	    "no node has a podCIDR (a VPC CNI, e.g. EKS's) and the pods' IPs share the nodes' "
	    "subnets: the smallest block covering the %zu pod IPs (status.podIP of the pods not "
	    "on the host network) and the %zu InternalIPs in %s, declared once, as pods: "
	    "declared as nodes too, the range would overlap itself (cidr-overlap)",
	    c->pod_ips.n, node_ips->n, c->file);
	return c->pods.from ? RM_OK : RM_ENOMEM;
}

static int pod_ranges(struct rm_arena *a, struct kcluster *c, struct kranges *cidrs,
		      size_t with_cidr, const struct kaddrs *node_ips, struct rm_diag *diag)
{
	if (c->cm_cidr.n > 0 && cidrs->n > 0 && all_inside(&c->cm_cidr, cidrs->v, cidrs->n)) {
		c->pods = c->cm_cidr;
		c->pods.from = rm_arena_printf(a, "%s; the %zu nodes' podCIDRs lie inside it",
					       c->cm_cidr.from, with_cidr);
		return c->pods.from ? RM_OK : RM_ENOMEM;
	}
	if (c->cm_cidr.n > 0 && cidrs->n > 0)
		rm_diag_warn(diag,
			     "%s: a node's podCIDR lies outside %s: the nodes' podCIDRs are "
			     "taken instead",
			     c->file, c->cm_cidr.from);
	if (cidrs->n > 0) {
		c->pods = *cidrs;
		merge_halves(&c->pods);
		c->pods.from = rm_arena_printf(
		    a,
		    "the nodes' spec.podCIDRs (%zu of %zu nodes) in %s, joined only where two "
		    "blocks are exact halves of one: the cluster's pod range (--cluster-cidr) is "
		    "not in the dump, and may be larger",
		    with_cidr, c->nnodes, c->file);
		return c->pods.from ? RM_OK : RM_ENOMEM;
	}
	if (c->pod_ips.n > 0)
		return pods_from_ips(a, c, node_ips);
	return RM_OK;
}

static int service_ranges(struct rm_arena *a, struct kcluster *c, struct rm_diag *diag)
{
	if (c->api_services.n > 0 && addrs_inside(&c->api_services, &c->cluster_ips)) {
		c->services = c->api_services;
		c->services.from = rm_arena_printf(a, "%s; the %zu ClusterIPs seen lie inside it",
						   c->api_services.from, c->cluster_ips.n);
		return c->services.from ? RM_OK : RM_ENOMEM;
	}
	if (c->api_services.n > 0)
		rm_diag_warn(diag,
			     "%s: a ClusterIP lies outside %s: the ClusterIPs are taken instead",
			     c->file, c->api_services.from);
	if (cover_both(a, c->cluster_ips.v, c->cluster_ips.n, &c->services) != RM_OK)
		return RM_ENOMEM;
	c->services.from = rm_arena_printf(
	    a,
	    "the smallest block covering the %zu ClusterIPs seen (spec.clusterIP of the "
	    "Services) in %s; the cluster's service range (--service-cluster-ip-range) holds it, "
	    "and may be larger",
	    c->cluster_ips.n, c->file);
	return c->services.from ? RM_OK : RM_ENOMEM;
}

static int cluster_ranges(struct rm_arena *a, struct kcluster *c, struct rm_diag *diag)
{
	struct kranges cidrs = { 0 };
	struct kaddrs ips = { 0 };
	size_t with_cidr;
	int rc = node_ranges(a, c, &cidrs, &ips, &with_cidr);

	if (rc != RM_OK)
		return rc;
	if (cover_both(a, ips.v, ips.n, &c->nodes_r) != RM_OK)
		return RM_ENOMEM;
	c->nodes_r.from = rm_arena_printf(
	    a, "the smallest block covering the %zu nodes' InternalIPs (status.addresses) in %s",
	    c->nnodes, c->file);
	if (c->nodes_r.from == NULL)
		return RM_ENOMEM;
	rc = pod_ranges(a, c, &cidrs, with_cidr, &ips, diag);
	if (rc == RM_OK)
		rc = service_ranges(a, c, diag);
	return rc;
}

/* ---- zones and probes ---------------------------------------------------- */

static int zone_order(const void *x, const void *y)
{
	return strcmp(((const struct kzone *)x)->zone, ((const struct kzone *)y)->zone);
}

/* Lowercase letters, digits and '-': a piece of a pod name. */
static char *sanitize(struct rm_arena *a, const char *s)
{
	char *d = rm_arena_strdup(a, s), *p;

	for (p = d; p != NULL && *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			*p = '-';
	}
	return d;
}

/* A zone's short name in probe names: its last dash-separated part
 * (us-west1-a: a, us-east-1a: 1a), or the whole zone when another zone of
 * the cluster ends the same way. */
static int zone_suffixes(struct rm_arena *a, struct kcluster *c)
{
	size_t i, k;

	for (i = 0; i < c->nzones; i++) {
		const char *dash = strrchr(c->zones[i].zone, '-');

		c->zones[i].suffix = sanitize(a, dash && dash[1] ? dash + 1 : c->zones[i].zone);
		if (c->zones[i].suffix == NULL)
			return RM_ENOMEM;
	}
	/* Decided on the short names of all zones first: one zone's renaming
	 * must not hide its twin's. */
	for (i = 0; i < c->nzones; i++)
		for (k = 0; k < c->nzones; k++)
			if (i != k && strcmp(c->zones[i].suffix, c->zones[k].suffix) == 0)
				c->zones[i].shared = true;
	for (i = 0; i < c->nzones; i++) {
		if (!c->zones[i].shared)
			continue;
		c->zones[i].suffix = sanitize(a, c->zones[i].zone);
		if (c->zones[i].suffix == NULL)
			return RM_ENOMEM;
	}
	/* Zones that differ only in case or punctuation sanitize alike: their
	 * place in the sorted list tells them apart. */
	for (i = 0; i < c->nzones; i++)
		for (k = i + 1; k < c->nzones; k++)
			if (strcmp(c->zones[i].suffix, c->zones[k].suffix) == 0) {
				c->zones[k].suffix = rm_arena_printf(a, "z%zu", k);
				if (c->zones[k].suffix == NULL)
					return RM_ENOMEM;
			}
	return RM_OK;
}

static int cluster_zones(struct rm_arena *a, struct kcluster *c, struct rm_diag *diag)
{
	size_t i, k, legacy = 0, none = 0;

	for (i = 0; i < c->nnodes; i++) {
		const char *z = c->nodes[i].zone;

		if (z == NULL) {
			none++;
			continue;
		}
		legacy += c->nodes[i].zone_legacy;
		for (k = 0; k < c->nzones && strcmp(c->zones[k].zone, z) != 0; k++)
			;
		if (k == c->nzones) {
			if (rm_arena_grow(a, (void **)&c->zones, &c->zones_cap, k + 1,
					  sizeof(*c->zones)) != RM_OK)
				return RM_ENOMEM;
			c->zones[c->nzones++] = (struct kzone){ z, NULL, 0, false };
		}
		c->zones[k].nnodes++;
	}
	if (none > 0)
		rm_diag_warn(diag,
			     "%s: %zu of %zu nodes have no topology.kubernetes.io/zone label; "
			     "the pods on them get no zone",
			     c->file, none, c->nnodes);
	if (c->nzones > 1)
		qsort(c->zones, c->nzones, sizeof(*c->zones), zone_order);
	c->zones_from = rm_arena_printf(
	    a, "the nodes' topology.kubernetes.io/zone labels (%zu nodes%s) in %s",
	    c->nnodes - none,
	    legacy ? ", some by the legacy failure-domain.beta.kubernetes.io/zone" : "", c->file);
	if (c->zones_from == NULL)
		return RM_ENOMEM;
	return zone_suffixes(a, c);
}

/* A probe's name is its pod's, and the first label of its DNS name. */
static int probe_name(struct rm_arena *a, struct kcluster *c, struct kprobe *p,
		      struct rm_diag *diag)
{
	const char *dns;

	if (p->name == NULL)
		return RM_ENOMEM;
	dns = rm_arena_printf(a, "%s.reachmap.reachmap.svc.%s", p->name, c->domain);
	if (dns == NULL)
		return RM_ENOMEM;
	if (strlen(p->name) <= 63 && kdns_ok(dns))
		return RM_OK;
	rm_diag_error(diag,
		      "%s: the probe name %s (or its DNS name %s) is too long for DNS; give a "
		      "shorter --cluster",
		      c->file, p->name, dns);
	return RM_EINVAL;
}

static int cluster_probes(struct rm_arena *a, struct kcluster *c, unsigned per_zone,
			  struct rm_diag *diag)
{
	size_t z, nz = c->nzones ? c->nzones : 1;
	unsigned i;
	int rc;

	c->probes = rm_arena_calloc(a, nz * per_zone, sizeof(*c->probes));
	if (c->probes == NULL)
		return RM_ENOMEM;
	for (z = 0; z < nz; z++)
		for (i = 0; i < per_zone; i++) {
			struct kprobe *p = &c->probes[c->nprobes++];

			p->zone = c->nzones ? c->zones[z].zone : NULL;
			p->name = c->nzones ? rm_arena_printf(a, "%s-%s-%u", c->name,
							      c->zones[z].suffix, i)
					    : rm_arena_printf(a, "%s-%u", c->name, i);
			rc = probe_name(a, c, p, diag);
			if (rc != RM_OK)
				return rc;
		}
	return RM_OK;
}

/* Probes and targets share one name space across the topology. A target
 * whose pod name another cluster uses too is called <cluster>-<pod>. */
static bool name_taken(const struct kube_topo *t, size_t upto_c, size_t upto_t, const char *name)
{
	size_t c, i;

	for (c = 0; c < t->nclusters; c++) {
		const struct kcluster *k = &t->clusters[c];
		size_t ntargets = c < upto_c ? k->ntargets : c == upto_c ? upto_t : 0;

		for (i = 0; i < k->nprobes; i++)
			if (strcmp(k->probes[i].name, name) == 0)
				return true;
		for (i = 0; i < ntargets; i++)
			if (strcmp(k->targets[i].name, name) == 0)
				return true;
	}
	return false;
}

static int unique_targets(struct kube_topo *t, size_t ci, struct rm_diag *diag)
{
	struct kcluster *c = &t->clusters[ci];
	size_t i, k;

	for (i = 0; i < c->ntargets; i++) {
		struct ktarget *tg = &c->targets[i];

		if (!name_taken(t, ci, i, tg->name))
			continue;
		tg->name = rm_arena_printf(t->arena, "%s-%s", c->name, tg->name);
		if (tg->name == NULL)
			return RM_ENOMEM;
		if (!name_taken(t, ci, i, tg->name))
			continue;
		rm_diag_warn(diag, "%s: pod %s is listed twice: once is kept", c->file, tg->name);
		for (k = i; k + 1 < c->ntargets; k++)
			c->targets[k] = c->targets[k + 1];
		c->ntargets--;
		i--;
	}
	return RM_OK;
}

int kube_init_derive(struct kube_topo *t, struct rm_diag *diag)
{
	size_t i;
	int rc = RM_OK;

	for (i = 0; rc == RM_OK && i < t->nclusters; i++) {
		rc = cluster_ranges(t->arena, &t->clusters[i], diag);
		if (rc == RM_OK)
			rc = cluster_zones(t->arena, &t->clusters[i], diag);
		if (rc == RM_OK)
			rc = cluster_probes(t->arena, &t->clusters[i], t->probes_per_zone, diag);
	}
	for (i = 0; rc == RM_OK && i < t->nclusters; i++)
		rc = unique_targets(t, i, diag);
	return rc;
}

/* The StatefulSets of an overlay from a cluster's probes: one per name with
 * the ordinal stripped (`west-a-0` and `west-a-1` are StatefulSet `west-a`
 * with two replicas), each in the one zone of its probes, because a
 * StatefulSet's pods are named NAME-ORDINAL and share one node affinity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/overlay.h"
#include "reachmap/arena.h"
#include "reachmap/cidr.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

/* The base's template StatefulSet, which the overlay deletes: a zone's
 * StatefulSet cannot have its name. */
#define TEMPLATE_NAME "agent"
/* The headless Service and namespace of the base: a probe's DNS name is
 * POD.reachmap.reachmap.svc.DOMAIN. */
#define POD_DNS_MIDDLE ".reachmap.reachmap.svc."

struct set_acc {
	struct kube_statefulset set;
	size_t first;	/* the probe that named it, for messages */
	size_t highest; /* the probe with the highest ordinal */
	bool *seen;	/* [KUBE_MAX_REPLICAS] ordinals given */
};

struct zones_ctx {
	const struct rm_topology *topo;
	const struct rm_cluster *c;
	size_t ci;
	struct rm_arena *arena;
	struct rm_diag *diag;
	struct set_acc *acc;
	size_t nacc, cap;
};

/* A pod's name is a DNS label (RFC 1123): lowercase letters, digits and
 * '-', a letter or digit at both ends, at most 63 characters. */
static bool is_dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

enum ordinal_kind {
	ORDINAL_OK,
	ORDINAL_NONE, /* no "-DIGITS" end after a non-empty prefix */
	ORDINAL_BAD,  /* digits no StatefulSet gives: a leading zero, too high */
};

/* "west-a-12": *prefix 6, *ordinal 12. */
static enum ordinal_kind split_ordinal(const char *name, size_t *prefix, unsigned *ordinal)
{
	const char *dash = strrchr(name, '-');
	const char *p;
	unsigned v = 0;

	if (dash == NULL || dash == name || dash[-1] == '-' || dash[1] == '\0')
		return ORDINAL_NONE;
	for (p = dash + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return ORDINAL_NONE;
	if (dash[1] == '0' && dash[2] != '\0')
		return ORDINAL_BAD;
	for (p = dash + 1; *p; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v >= KUBE_MAX_REPLICAS)
			return ORDINAL_BAD;
	}
	*prefix = (size_t)(dash - name);
	*ordinal = v;
	return ORDINAL_OK;
}

static int probe_error(struct zones_ctx *z, size_t i, const char *field, const char *what)
{
	const struct rm_probe *p = &z->c->probes[i];

	rm_diag_error(z->diag, "%s:%u:%u: clusters[%zu].probes[%zu]%s: %s", z->topo->path,
		      p->pos.line, p->pos.column, z->ci, i, field, what);
	return RM_EINVAL;
}

/* Whether probe i can be a pod of an overlay's StatefulSet; RM_EINVAL with
 * the error naming it when not. */
static int check_name(struct zones_ctx *z, size_t i, size_t *prefix, unsigned *ordinal)
{
	const struct rm_probe *p = &z->c->probes[i];
	char msg[RM_DIAG_LEN];

	if (!is_dns_label(p->name)) {
		snprintf(msg, sizeof(msg),
			 "\"%s\" cannot be a pod's name: lowercase letters, digits and '-', "
			 "at most 63 characters",
			 p->name);
		return probe_error(z, i, ".name", msg);
	}
	switch (split_ordinal(p->name, prefix, ordinal)) {
	case ORDINAL_OK:
		break;
	case ORDINAL_NONE:
		snprintf(msg, sizeof(msg),
			 "probe %s has no ordinal: the agents are StatefulSet pods, named "
			 "NAME-ORDINAL (%s-0 is pod 0 of StatefulSet %s)",
			 p->name, p->name, p->name);
		return probe_error(z, i, ".name", msg);
	default:
		snprintf(msg, sizeof(msg),
			 "probe %s: %s is not an ordinal a StatefulSet gives its pods (0, 1, "
			 "2, ... without leading zeros, below %d)",
			 p->name, strrchr(p->name, '-') + 1, KUBE_MAX_REPLICAS);
		return probe_error(z, i, ".name", msg);
	}
	if (*prefix == strlen(TEMPLATE_NAME) && strncmp(p->name, TEMPLATE_NAME, *prefix) == 0) {
		snprintf(msg, sizeof(msg),
			 "probe %s would be a pod of StatefulSet %s, the base's template "
			 "that the overlay deletes; give it another name",
			 p->name, TEMPLATE_NAME);
		return probe_error(z, i, ".name", msg);
	}
	if (p->zone == NULL) {
		snprintf(msg, sizeof(msg),
			 "probe %s has no zone: each StatefulSet of the overlay runs in one "
			 "zone (node affinity on topology.kubernetes.io/zone)",
			 p->name);
		return probe_error(z, i, "", msg);
	}
	return RM_OK;
}

static struct set_acc *find_or_add(struct zones_ctx *z, size_t i, size_t prefix)
{
	const struct rm_probe *p = &z->c->probes[i];
	struct set_acc *a;
	size_t k;

	for (k = 0; k < z->nacc; k++)
		if (strlen(z->acc[k].set.name) == prefix &&
		    strncmp(z->acc[k].set.name, p->name, prefix) == 0)
			return &z->acc[k];
	if (rm_arena_grow(z->arena, (void **)&z->acc, &z->cap, z->nacc + 1, sizeof(*z->acc)))
		return NULL;
	a = &z->acc[z->nacc];
	memset(a, 0, sizeof(*a));
	a->set.name = rm_arena_strndup(z->arena, p->name, prefix);
	a->set.zone = p->zone;
	a->first = a->highest = i;
	a->seen = rm_arena_calloc(z->arena, KUBE_MAX_REPLICAS, sizeof(*a->seen));
	if (a->set.name == NULL || a->seen == NULL)
		return NULL;
	z->nacc++;
	return a;
}

static int add_probe(struct zones_ctx *z, size_t i)
{
	const struct rm_probe *p = &z->c->probes[i];
	struct set_acc *a;
	char msg[RM_DIAG_LEN];
	size_t prefix;
	unsigned ordinal;
	int rc = check_name(z, i, &prefix, &ordinal);

	if (rc != RM_OK)
		return rc;
	if ((a = find_or_add(z, i, prefix)) == NULL)
		return RM_ENOMEM;
	if (strcmp(a->set.zone, p->zone) != 0) {
		const struct rm_probe *f = &z->c->probes[a->first];

		snprintf(msg, sizeof(msg),
			 "probe %s is in zone %s but %s (line %u) is in %s: both would be pods "
			 "of StatefulSet %s, which runs in one zone; rename one",
			 p->name, p->zone, f->name, f->pos.line, f->zone, a->set.name);
		return probe_error(z, i, ".zone", msg);
	}
	a->seen[ordinal] = true;
	if (ordinal + 1 > a->set.replicas) {
		a->set.replicas = ordinal + 1;
		a->highest = i;
	}
	return RM_OK;
}

static void warn_probe(struct zones_ctx *z, size_t i)
{
	const struct rm_probe *p = &z->c->probes[i];
	const char *domain = z->c->dns_domain;
	char addr[RM_ADDR_STRLEN], want[256];

	want[0] = '\0';
	if (domain != NULL)
		snprintf(want, sizeof(want), "%s" POD_DNS_MIDDLE "%s", p->name, domain);
	if (cidr_addr_is_set(&p->address)) {
		char advice[320];

		if (p->dns_name != NULL)
			snprintf(advice, sizeof(advice), "keep its dnsName and drop the address");
		else if (domain != NULL)
			snprintf(advice, sizeof(advice), "give it dnsName %s instead", want);
		else
			snprintf(advice, sizeof(advice), "give it a dnsName instead");
		rm_diag_warn(z->diag,
			     "%s:%u:%u: clusters[%zu].probes[%zu].address: probe %s has a fixed "
			     "address %s, but a pod's address changes when it restarts: %s",
			     z->topo->path, p->pos.line, p->pos.column, z->ci, i, p->name,
			     cidr_addr_format(&p->address, addr, sizeof(addr)), advice);
	}
	if (p->dns_name != NULL && domain != NULL && strcmp(p->dns_name, want) != 0)
		rm_diag_warn(z->diag,
			     "%s:%u:%u: clusters[%zu].probes[%zu].dnsName: %s is not the name the "
			     "overlay's pod %s gets, %s",
			     z->topo->path, p->pos.line, p->pos.column, z->ci, i, p->dns_name,
			     p->name, want);
}

/* A gap in the ordinals is a pod the StatefulSet runs that the topology does
 * not know: its agent finds no probe of its name and exits. The first few
 * are named. */
static int check_gaps(struct zones_ctx *z, const struct set_acc *a)
{
	const struct rm_probe *h = &z->c->probes[a->highest];
	char names[256];
	size_t at = 0;
	unsigned k, missing = 0;

	names[0] = '\0';
	for (k = 0; k < a->set.replicas; k++) {
		if (a->seen[k])
			continue;
		if (missing++ < 4 && at < sizeof(names))
			at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s-%u",
					       missing > 1 ? ", " : "", a->set.name, k);
		else if (missing == 5 && at < sizeof(names))
			at += (size_t)snprintf(names + at, sizeof(names) - at, ", ...");
	}
	if (missing == 0)
		return RM_OK;
	rm_diag_error(z->diag,
		      "%s:%u:%u: clusters[%zu].probes[%zu]: StatefulSet %s would run pods %s-0 to "
		      "%s but the topology has no probe %s, which %s; add %s or renumber",
		      z->topo->path, h->pos.line, h->pos.column, z->ci, a->highest, a->set.name,
		      a->set.name, h->name, names,
		      missing > 1 ? "would not find themselves in it"
				  : "would not find itself in it",
		      missing > 1 ? "them" : "it");
	return RM_EINVAL;
}

static int set_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kube_statefulset *)a)->name,
		      ((const struct kube_statefulset *)b)->name);
}

int kube_statefulsets(const struct rm_topology *topo, size_t cluster, struct rm_arena *arena,
		      struct kube_statefulset **out, size_t *n, struct rm_diag *diag)
{
	struct zones_ctx z = { .topo = topo,
			       .c = &topo->clusters[cluster],
			       .ci = cluster,
			       .arena = arena,
			       .diag = diag };
	struct kube_statefulset *sets;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	for (i = 0; i < z.c->nprobes; i++)
		if ((rc = add_probe(&z, i)) != RM_OK)
			return rc;
	for (i = 0; i < z.c->nprobes; i++)
		warn_probe(&z, i);
	for (i = 0; i < z.nacc; i++)
		if ((rc = check_gaps(&z, &z.acc[i])) != RM_OK)
			return rc;
	sets = rm_arena_calloc(arena, z.nacc ? z.nacc : 1, sizeof(*sets));
	if (sets == NULL)
		return RM_ENOMEM;
	for (i = 0; i < z.nacc; i++)
		sets[i] = z.acc[i].set;
	qsort(sets, z.nacc, sizeof(*sets), set_cmp);
	*out = sets;
	*n = z.nacc;
	return RM_OK;
}

/* Cassandra in the dumps: the datacenters' specs give the ports, the pods
 * cass-operator labels become targets.
 *
 * cass-operator gives every Cassandra container the same container ports
 * (native 9042, internode 7000, tls-internode 7001, jmx 7199,
 * mgmt-api-http 8080); what Cassandra listens on is its cassandra.yaml,
 * which a CassandraDatacenter sets in spec.config["cassandra-yaml"] and a
 * K8ssandraCluster in spec.cassandra.config.cassandraYaml, overridden per
 * datacenter in spec.cassandra.datacenters[].config.cassandraYaml. JMX and
 * the management API are not set there. */
#include <stdio.h>
#include <string.h>

#include "kube/init-internal.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

static const struct {
	const char *name;
	uint16_t port;
	const char *yaml_key; /* NULL: not set by cassandra.yaml */
	const char *fixed;    /* why, when not */
} roles[KPORT_ROLES] = {
	[KPORT_GOSSIP] = { "gossip", 7000, "storage_port", NULL },
	[KPORT_GOSSIP_TLS] = { "gossip-tls", 7001, "ssl_storage_port", NULL },
	[KPORT_JMX] = { "jmx", 7199, NULL, "cass-operator's container port jmx" },
	[KPORT_CQL] = { "cql", 9042, "native_transport_port", NULL },
	[KPORT_MGMT] = { "mgmt-api", 8080, NULL,
			 "cass-operator's container port mgmt-api-http, the management API" },
};

const char *kport_role_name(enum kport_role role)
{
	return roles[role].name;
}

int kport_add(struct kube_topo *t, enum kport_role role, uint16_t port, const char *dc,
	      const char *from, size_t *idx)
{
	const char *name = roles[role].name;
	size_t i;
	int renamed = 0;

again:
	for (i = 0; i < t->nports; i++) {
		if (strcmp(t->ports[i].name, name) != 0)
			continue;
		if (t->ports[i].port == port) {
			*idx = i;
			return RM_OK;
		}
		/* Datacenters that disagree get a row each: cql-dc2. */
		if (renamed)
			return RM_EEXIST;
		name = rm_arena_printf(t->arena, "%s-%s", roles[role].name, dc ? dc : "default");
		if (name == NULL)
			return RM_ENOMEM;
		renamed = 1;
		goto again;
	}
	for (i = 0; i < t->nports; i++)
		if (t->ports[i].port == port)
			return RM_EEXIST;
	if (rm_arena_grow(t->arena, (void **)&t->ports, &t->ports_cap, t->nports + 1,
			  sizeof(*t->ports)) != RM_OK)
		return RM_ENOMEM;
	t->ports[t->nports] = (struct kport){ name, port, role, from };
	*idx = t->nports++;
	return RM_OK;
}

/* Where cassandra.yaml's keys are, most specific first. */
struct yaml_src {
	const cJSON *obj;
	const char *path; /* below the object, for messages */
};

static int port_taken(struct kread *r, const char *where, uint16_t port)
{
	size_t i;

	for (i = 0; i < r->t->nports; i++)
		if (r->t->ports[i].port == port)
			break;
	rm_diag_error(r->diag, "%s: %s: port %u is already the %s port (%s)", r->file, where, port,
		      i < r->t->nports ? r->t->ports[i].name : "?",
		      i < r->t->nports ? r->t->ports[i].from : "?");
	return RM_EINVAL;
}

static int dc_port(struct kread *r, struct kj *j, struct kdc *dc, enum kport_role role,
		   const struct yaml_src *src, size_t nsrc)
{
	const char *key = roles[role].yaml_key, *from = NULL, *where = NULL;
	uint16_t port = roles[role].port;
	size_t s;
	int rc;

	for (s = 0; key != NULL && s < nsrc && from == NULL; s++) {
		const cJSON *v = kj_get(src[s].obj, key);

		if (v == NULL || cJSON_IsNull(v))
			continue;
		where = rm_arena_printf(r->t->arena, "%s%s%s.%s", j->path, j->len ? "." : "",
					src[s].path, key);
		if (where == NULL)
			return RM_ENOMEM;
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 65535 ||
		    v->valuedouble != (double)v->valueint) {
			rm_diag_error(r->diag, "%s: %s: must be a port (1 to 65535), not %s",
				      r->file, where, kj_kind(v));
			return RM_EINVAL;
		}
		port = (uint16_t)v->valueint;
		from = rm_arena_printf(r->t->arena, "%s in %s", where, r->file);
	}
	if (from == NULL && key != NULL)
		from = rm_arena_printf(r->t->arena, "Cassandra's default: %s sets no %s", dc->from,
				       key);
	else if (from == NULL)
		from = roles[role].fixed;
	if (from == NULL)
		return RM_ENOMEM;
	rc = kport_add(r->t, role, port, dc->name, from, &dc->port[role]);
	if (rc == RM_EEXIST)
		return port_taken(r, where ? where : dc->from, port);
	return rc;
}

static int dc_ports(struct kread *r, struct kj *j, struct kdc *dc, const struct yaml_src *src,
		    size_t nsrc)
{
	int role, rc = RM_OK;

	for (role = 0; role < KPORT_ROLES && rc == RM_OK; role++)
		rc = dc_port(r, j, dc, (enum kport_role)role, src, nsrc);
	return rc;
}

/* A datacenter described twice (a K8ssandraCluster and the
 * CassandraDatacenter k8ssandra-operator made from it) is read once: the
 * first description given wins, and a warning says which was left out. */
static bool dc_known(struct kread *r, struct kj *j, const char *name, const char *what)
{
	size_t i;

	for (i = 0; i < r->t->ndcs; i++)
		if (strcmp(r->t->dcs[i].name, name) == 0) {
			rm_diag_warn(r->diag,
				     "%s: %s: datacenter %s is described by %s already; %s is not "
				     "read",
				     r->file, j->path, name, r->t->dcs[i].from, what);
			return true;
		}
	return false;
}

static struct kdc *dc_new(struct kread *r)
{
	struct kube_topo *t = r->t;

	if (rm_arena_grow(t->arena, (void **)&t->dcs, &t->dcs_cap, t->ndcs + 1, sizeof(*t->dcs)) !=
	    RM_OK)
		return NULL;
	memset(&t->dcs[t->ndcs], 0, sizeof(t->dcs[0]));
	return &t->dcs[t->ndcs++];
}

static int cassdc(struct kread *r, struct kj *j, const cJSON *obj, const char *name, const char *ns)
{
	const cJSON *spec, *config, *yaml = NULL;
	struct yaml_src src;
	struct kdc *dc;
	size_t old;
	int rc = kj_object(j, obj, "spec", &spec);

	if (rc == RM_OK) {
		old = kj_push(j, "metadata");
		rc = kread_name(j, "name", name);
		kj_pop(j, old);
	}
	if (rc != RM_OK || dc_known(r, j, name, "this CassandraDatacenter"))
		return rc;
	if ((dc = dc_new(r)) == NULL)
		return RM_ENOMEM;
	dc->name = name;
	dc->from =
	    rm_arena_printf(r->t->arena, "CassandraDatacenter %s/%s", ns ? ns : "default", name);
	if (dc->from == NULL)
		return RM_ENOMEM;
	old = kj_push(j, "spec");
	if (rc == RM_OK)
		rc = kj_string(j, spec, "clusterName", &dc->cluster);
	if (rc == RM_OK)
		rc = kj_object(j, spec, "config", &config);
	if (rc == RM_OK && config != NULL) {
		kj_push(j, "config");
		rc = kj_object(j, config, "cassandra-yaml", &yaml);
	}
	kj_pop(j, old);
	src = (struct yaml_src){ yaml, "spec.config.cassandra-yaml" };
	return rc == RM_OK ? dc_ports(r, j, dc, &src, 1) : rc;
}

static int k8ssandra_dc(struct kread *r, struct kj *j, const cJSON *d, size_t i,
			const struct yaml_src *cluster, const char *kname)
{
	struct yaml_src src[2];
	const cJSON *meta, *config, *yaml = NULL;
	const char *name = NULL;
	struct kdc *dc = NULL;
	size_t old = kj_push(j, "spec");
	int rc;

	kj_push(j, "cassandra");
	kj_push(j, "datacenters");
	kj_push_index(j, i);
	rc = kj_object(j, d, "metadata", &meta);
	if (rc == RM_OK && meta != NULL) {
		size_t o = kj_push(j, "metadata");

		rc = kj_string(j, meta, "name", &name);
		kj_pop(j, o);
	}
	if (rc == RM_OK && name == NULL)
		rc = kj_fail(j, "metadata", "missing name: a datacenter needs metadata.name");
	if (rc == RM_OK) {
		size_t o = kj_push(j, "metadata");

		rc = kread_name(j, "name", name);
		kj_pop(j, o);
	}
	if (rc == RM_OK && dc_known(r, j, name, "this datacenter")) {
		kj_pop(j, old);
		return RM_OK;
	}
	if (rc == RM_OK && (dc = dc_new(r)) == NULL)
		rc = RM_ENOMEM;
	if (rc == RM_OK)
		dc->name = name;
	if (rc == RM_OK)
		rc = kj_object(j, d, "config", &config);
	if (rc == RM_OK && config != NULL) {
		size_t o = kj_push(j, "config");

		rc = kj_object(j, config, "cassandraYaml", &yaml);
		kj_pop(j, o);
	}
	kj_pop(j, old);
	if (rc != RM_OK)
		return rc;
	dc->from =
	    rm_arena_printf(r->t->arena, "K8ssandraCluster %s, datacenter %s", kname, dc->name);
	src[0].obj = yaml;
	src[0].path = rm_arena_printf(r->t->arena,
				      "spec.cassandra.datacenters[%zu].config."
				      "cassandraYaml",
				      i);
	src[1] = *cluster;
	if (dc->from == NULL || src[0].path == NULL)
		return RM_ENOMEM;
	return dc_ports(r, j, dc, src, 2);
}

static int k8ssandra(struct kread *r, struct kj *j, const cJSON *obj, const char *name,
		     const char *ns)
{
	const cJSON *spec, *cass = NULL, *config = NULL, *yaml = NULL, *dcs = NULL, *d;
	const char *cluster = NULL, *kname;
	struct yaml_src src;
	size_t old = j->len, i = 0, first = r->t->ndcs;
	int rc = kj_object(j, obj, "spec", &spec);

	kj_push(j, "spec");
	if (rc == RM_OK)
		rc = kj_object(j, spec, "cassandra", &cass);
	kj_push(j, "cassandra");
	if (rc == RM_OK)
		rc = kj_string(j, cass, "clusterName", &cluster);
	if (rc == RM_OK && cluster == NULL)
		rc = kj_string(j, cass, "cluster", &cluster);
	if (rc == RM_OK)
		rc = kj_object(j, cass, "config", &config);
	if (rc == RM_OK && config != NULL) {
		size_t o = kj_push(j, "config");

		rc = kj_object(j, config, "cassandraYaml", &yaml);
		kj_pop(j, o);
	}
	if (rc == RM_OK)
		rc = kj_array(j, cass, "datacenters", &dcs);
	if (rc == RM_OK && (dcs == NULL || cJSON_GetArraySize(dcs) == 0))
		rc = kj_fail(j, "datacenters", "a K8ssandraCluster lists its datacenters here");
	kj_pop(j, old);
	kname = rm_arena_printf(r->t->arena, "%s/%s", ns ? ns : "default", name);
	if (kname == NULL)
		return RM_ENOMEM;
	src = (struct yaml_src){ yaml, "spec.cassandra.config.cassandraYaml" };
	cJSON_ArrayForEach(d, dcs)
	{
		if (rc != RM_OK)
			break;
		rc = k8ssandra_dc(r, j, d, i++, &src, kname);
	}
	for (i = first; rc == RM_OK && i < r->t->ndcs; i++)
		r->t->dcs[i].cluster = cluster ? cluster : name;
	return rc;
}

int kread_spec(struct kread *r, struct kj *j, const cJSON *obj, const char *kind)
{
	const char *name, *ns;
	int rc = kread_meta(j, obj, &name, &ns);

	if (rc != RM_OK)
		return rc;
	if (strcmp(kind, "CassandraDatacenter") == 0)
		return cassdc(r, j, obj, name, ns);
	return k8ssandra(r, j, obj, name, ns);
}

int kread_default_ports(struct kube_topo *t, const char *why)
{
	int role, rc = RM_OK;

	if (t->has_dflt)
		return RM_OK;
	t->dflt.from = why;
	for (role = 0; role < KPORT_ROLES && rc == RM_OK; role++) {
		const char *from = roles[role].fixed ? roles[role].fixed : why;

		rc = kport_add(t, (enum kport_role)role, roles[role].port, NULL, from,
			       &t->dflt.port[role]);
	}
	t->has_dflt = rc == RM_OK;
	return rc == RM_EEXIST ? RM_EINVAL : rc;
}

/* ---- Cassandra's pods as targets ---------------------------------------- */

static const struct kdc *target_spec(struct kread *r, const char *dc)
{
	size_t i;

	for (i = 0; i < r->t->ndcs; i++)
		if (strcmp(r->t->dcs[i].name, dc) == 0)
			return &r->t->dcs[i];
	return NULL;
}

static const char *node_zone(const struct kcluster *c, const char *node)
{
	size_t i;

	for (i = 0; node != NULL && i < c->nnodes; i++)
		if (strcmp(c->nodes[i].name, node) == 0)
			return c->nodes[i].zone;
	return NULL;
}

/* The pod's first IP; RM_AF_NONE while it has none. */
static int target_addr(struct kj *j, const cJSON *pod, struct rm_addr *out)
{
	const cJSON *status = kj_get(pod, "status");
	const cJSON *first = cJSON_GetArrayItem(kj_get(status, "podIPs"), 0);
	const char *s;
	size_t old = kj_push(j, "status");
	int rc;

	out->family = RM_AF_NONE;
	if (first != NULL) {
		kj_push(j, "podIPs[0]");
		rc = kj_string(j, first, "ip", &s);
	} else {
		rc = kj_string(j, status, "podIP", &s);
	}
	if (rc == RM_OK && s != NULL && *s != '\0' && cidr_addr_parse(s, out) != RM_OK)
		rc = kj_fail(j, first ? "ip" : "podIP", "\"%s\" is not an IP address", s);
	kj_pop(j, old);
	return rc;
}

/* A StatefulSet's pod is <hostname>.<subdomain>, the governing Service;
 * cass-operator's is <cluster>-<dc>-all-pods-service. */
static int target_dns(struct kread *r, struct kj *j, const cJSON *pod, const char *ns,
		      const char *cluster, struct ktarget *tg)
{
	const cJSON *spec = kj_get(pod, "spec");
	const char *host, *sub, *domain = r->c->domain;
	size_t old = kj_push(j, "spec");
	int rc = kj_string(j, spec, "hostname", &host);

	if (rc == RM_OK)
		rc = kj_string(j, spec, "subdomain", &sub);
	kj_pop(j, old);
	if (rc != RM_OK)
		return rc;
	if (host != NULL && sub != NULL)
		tg->dns = rm_arena_printf(r->t->arena, "%s.%s.%s.svc.%s", host, sub, ns, domain);
	else if (cluster != NULL)
		tg->dns = rm_arena_printf(r->t->arena, "%s.%s-%s-all-pods-service.%s.svc.%s",
					  tg->name, cluster, tg->dc, ns, domain);
	else
		return RM_OK;
	if (tg->dns == NULL)
		return RM_ENOMEM;
	if (!kdns_ok(tg->dns))
		return kj_fail(j, "spec",
			       "the pod's DNS name \"%s\" is not one (RFC 1035 lengths; "
			       "letters, digits, '-' and '_')",
			       tg->dns);
	return RM_OK;
}

/* What goes into the target's name, DNS name, ports and comment. */
static int target_names(struct kj *j, const char *name, const char *ns, const char *dc,
			const char *rack, const char *cluster)
{
	size_t old = kj_push(j, "metadata");
	int rc = kread_name(j, "name", name);

	if (rc == RM_OK)
		rc = kread_name(j, "namespace", ns);
	kj_push(j, "labels");
	if (rc == RM_OK)
		rc = kread_name(j, "cassandra.datastax.com/datacenter", dc);
	if (rc == RM_OK)
		rc = kread_name(j, "cassandra.datastax.com/rack", rack);
	if (rc == RM_OK)
		rc = kread_name(j, "cassandra.datastax.com/cluster", cluster);
	kj_pop(j, old);
	return rc;
}

static int read_target(struct kread *r, struct kj *j, const cJSON *pod, struct ktarget *tg)
{
	const char *ns, *seed, *cluster, *node;
	int rc = kread_meta(j, pod, &tg->name, &ns);

	if (rc == RM_OK)
		rc = kj_label(j, pod, "cassandra.datastax.com/datacenter", &tg->dc);
	if (rc == RM_OK)
		rc = kj_label(j, pod, "cassandra.datastax.com/rack", &tg->rack);
	if (rc == RM_OK)
		rc = kj_label(j, pod, "cassandra.datastax.com/seed-node", &seed);
	if (rc == RM_OK)
		rc = kj_label(j, pod, "cassandra.datastax.com/cluster", &cluster);
	if (rc == RM_OK)
		rc = kj_string(j, kj_get(pod, "spec"), "nodeName", &node);
	if (rc == RM_OK)
		rc = target_addr(j, pod, &tg->addr);
	if (rc == RM_OK)
		rc = target_names(j, tg->name, ns, tg->dc, tg->rack, cluster);
	if (rc != RM_OK)
		return rc;
	tg->seed = seed != NULL && strcmp(seed, "true") == 0;
	tg->zone = node_zone(r->c, node);
	tg->spec = target_spec(r, tg->dc);
	if (cluster == NULL && tg->spec != NULL)
		cluster = tg->spec->cluster;
	return target_dns(r, j, pod, ns ? ns : "default", cluster, tg);
}

int kread_targets(struct kread *r)
{
	struct kcluster *c = r->c;
	size_t i;
	int rc;

	for (i = 0; i < c->ncass; i++) {
		struct ktarget *tg;
		struct kj j;

		if (rm_arena_grow(r->t->arena, (void **)&c->targets, &c->targets_cap,
				  c->ntargets + 1, sizeof(*c->targets)) != RM_OK)
			return RM_ENOMEM;
		tg = &c->targets[c->ntargets];
		memset(tg, 0, sizeof(*tg));
		kj_init(&j, r->file, r->diag);
		kj_push(&j, "items");
		kj_push_index(&j, c->cass[i].item);
		rc = read_target(r, &j, c->cass[i].pod, tg);
		if (rc != RM_OK)
			return rc;
		if (tg->addr.family == RM_AF_NONE && tg->dns == NULL) {
			rm_diag_warn(r->diag,
				     "%s: %s: pod %s has neither an IP nor a DNS name reachmap can "
				     "know (no spec.hostname and spec.subdomain, no "
				     "cassandra.datastax.com/cluster label): left out",
				     r->file, j.path, tg->name);
			continue;
		}
		if (tg->spec == NULL) {
			rc = kread_default_ports(r->t,
						 "Cassandra's default (no K8ssandraCluster "
						 "or CassandraDatacenter of these pods given)");
			if (rc != RM_OK) {
				rm_diag_error(r->diag,
					      "%s: %s: datacenter %s has no spec given, and "
					      "Cassandra's default ports clash with another "
					      "datacenter's; give its K8ssandraCluster or "
					      "CassandraDatacenter too",
					      r->file, j.path, tg->dc);
				return rc;
			}
			tg->spec = &r->t->dflt;
		}
		c->ntargets++;
	}
	return RM_OK;
}

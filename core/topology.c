/* Topology files (DESIGN.md, "The topology file"): the schema, walked by
 * core/yamlwalk.c, which names file:line:column and the field path in every
 * error. Fields are checked against fixed tables: an unknown field is an
 * error, never silently ignored. */
#include "reachmap/topology.h"

#include <stdio.h>
#include <string.h>

#include "core/yamlwalk.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/file.h"
#include "reachmap/util.h"

#define TOPO_MAX_FILE (16u * 1024u * 1024u)

/* Probes and targets share one name space across the whole topology, as
 * results identify them by name alone. */
struct name_seen {
	const char *name;
	const char *where;
	unsigned line;
};

/* Names seen so far across all clusters, for the duplicate check. */
struct names {
	struct name_seen *v;
	size_t n, cap;
};

/* The walk and what the topology's field parsers need besides it; the
 * walker comes first, so a parser's struct yw * is its loader. */
struct loader {
	struct yw w;
	struct rm_topology *topo;
	struct names names;
};

static struct loader *loader_of(struct yw *w)
{
	return (struct loader *)w;
}

static struct rm_topology *topo_of(struct yw *w)
{
	return loader_of(w)->topo;
}

/* ---- defaults.ports ---------------------------------------------------- */

static int port_name(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_name(w, v, &((struct rm_port *)obj)->name);
}

static int port_number(struct yw *w, yaml_node_t *v, void *obj)
{
	unsigned long n;
	int rc = yw_uint(w, v, 1, 65535, &n);

	if (rc == RM_OK)
		((struct rm_port *)obj)->port = (uint16_t)n;
	return rc;
}

static int port_protocol(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_port *p = obj;
	const char *s;
	int rc = yw_string(w, v, &s);

	if (rc != RM_OK)
		return rc;
	if (strcmp(s, "tcp") == 0)
		p->protocol = RM_PORT_TCP;
	else if (strcmp(s, "cql") == 0)
		p->protocol = RM_PORT_CQL;
	else
		return yw_fail(w, v, "\"%s\" is not a protocol (tcp or cql)", s);
	return RM_OK;
}

static const struct yw_field port_fields[] = {
	{ "name", 1, port_name },
	{ "port", 1, port_number },
	{ "protocol", 0, port_protocol },
};

static int port_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct rm_port *p = &t->ports[i];
	size_t j;
	int rc;

	p->pos = yw_pos(v);
	rc = YW_MAP(w, v, port_fields, p);
	if (rc != RM_OK)
		return rc;
	for (j = 0; j < i; j++) {
		if (strcmp(t->ports[j].name, p->name) == 0)
			return yw_fail(w, v, "duplicate port name \"%s\" (first at line %u)",
				       p->name, t->ports[j].pos.line);
		if (t->ports[j].port == p->port)
			return yw_fail(w, v, "port %u is already defined as \"%s\" (line %u)",
				       p->port, t->ports[j].name, t->ports[j].pos.line);
	}
	t->nports = i + 1;
	return RM_OK;
}

static int defaults_ports(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;
	size_t n;

	t->ports = yw_list_alloc(w, v, sizeof(*t->ports), &n);
	if (t->ports == NULL)
		return w->status;
	if (n == 0)
		return yw_fail(w, v, "must list at least one port");
	t->nports = 0;
	return yw_list(w, v, t, port_each, NULL);
}

static int defaults_timeout(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_u32(w, v, 1, 60000, &((struct rm_topology *)obj)->timeout_ms);
}

static int defaults_rate(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_u32(w, v, 1, 1000000, &((struct rm_topology *)obj)->rate);
}

static int defaults_mtu(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_u32(w, v, 68, 65535, &((struct rm_topology *)obj)->mtu);
}

static const struct yw_field defaults_fields[] = {
	{ "ports", 0, defaults_ports },
	{ "timeoutMs", 0, defaults_timeout },
	{ "rate", 0, defaults_rate },
	{ "mtu", 0, defaults_mtu },
};

static int top_defaults(struct yw *w, yaml_node_t *v, void *obj)
{
	return YW_MAP(w, v, defaults_fields, obj);
}

/* The Cassandra ports, used when the file names none (DESIGN.md). */
static int default_ports(struct yw *w)
{
	static const struct {
		const char *name;
		uint16_t port;
		enum rm_port_proto proto;
	} cassandra[] = {
		{ "gossip", 7000, RM_PORT_TCP },   { "gossip-tls", 7001, RM_PORT_TCP },
		{ "jmx", 7199, RM_PORT_TCP },	   { "cql", 9042, RM_PORT_CQL },
		{ "mgmt-api", 8080, RM_PORT_TCP },
	};
	size_t i, n = ARRAY_SIZE(cassandra);
	struct rm_topology *t = topo_of(w);

	t->ports = rm_arena_calloc(w->arena, n, sizeof(*t->ports));
	if (t->ports == NULL)
		return yw_oom(w);
	for (i = 0; i < n; i++) {
		t->ports[i].name = cassandra[i].name;
		t->ports[i].port = cassandra[i].port;
		t->ports[i].protocol = cassandra[i].proto;
	}
	t->nports = n;
	return RM_OK;
}

/* A port named in `targets` or `expect` must be defined in defaults.ports. */
static int port_ref_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	size_t *idx = obj;
	const struct rm_topology *t = topo_of(w);
	const char *s;
	size_t p;
	int rc = yw_string(w, v, &s);

	if (rc != RM_OK)
		return rc;
	for (p = 0; p < t->nports; p++) {
		if (strcmp(t->ports[p].name, s) == 0) {
			idx[i] = p;
			return RM_OK;
		}
	}
	{
		char known[256] = "";
		size_t used = 0;

		for (p = 0; p < t->nports && used < sizeof(known); p++) {
			int n = snprintf(known + used, sizeof(known) - used, "%s%s", p ? ", " : "",
					 t->ports[p].name);
			if (n > 0)
				used += (size_t)n;
		}
		return yw_fail(w, v, "port \"%s\" is not defined in defaults.ports (defined: %s)",
			       s, known);
	}
}

static int get_port_refs(struct yw *w, yaml_node_t *v, size_t **out, size_t *n)
{
	size_t count, i, j;
	int rc;

	if (v->type != YAML_SEQUENCE_NODE)
		return yw_fail(w, v, "must be a list of port names, not %s", yw_node_kind(v));
	count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (count == 0)
		return yw_fail(w, v, "must name at least one port");
	*out = rm_arena_calloc(w->arena, count, sizeof(**out));
	if (*out == NULL)
		return yw_oom(w);
	rc = yw_list(w, v, *out, port_ref_each, n);
	if (rc != RM_OK)
		return rc;
	for (i = 0; i < count; i++)
		for (j = 0; j < i; j++)
			if ((*out)[i] == (*out)[j]) {
				size_t old = yw_path_index(w, i);

				yw_fail(w, yw_node(w, v->data.sequence.items.start[i]),
					"port \"%s\" is listed twice",
					topo_of(w)->ports[(*out)[i]].name);
				yw_path_pop(w, old);
				return w->status;
			}
	return RM_OK;
}

/* ---- clusters ---------------------------------------------------------- */

struct cluster_ctx {
	struct rm_cluster *c;
	size_t cidx;
	size_t ranges_cap;
	enum rm_range_kind kind;
};

static int zone_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_cluster *c = obj;
	size_t j;
	int rc = yw_name(w, v, &c->zones[i]);

	if (rc != RM_OK)
		return rc;
	for (j = 0; j < i; j++)
		if (strcmp(c->zones[j], c->zones[i]) == 0)
			return yw_fail(w, v, "zone \"%s\" is listed twice", c->zones[i]);
	return RM_OK;
}

static int cluster_zones(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->zones = yw_list_alloc(w, v, sizeof(*c->zones), &c->nzones);
	if (c->zones == NULL)
		return w->status;
	return yw_list(w, v, c, zone_each, NULL);
}

static int range_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct rm_cluster *c = cx->c;
	struct rm_range *r;
	const char *why = NULL;
	bool host_bits = false;
	int rc;

	(void)i;
	rc = yw_expect_scalar(w, v, "a CIDR such as 10.200.0.0/16");
	if (rc != RM_OK)
		return rc;
	if (rm_arena_grow(w->arena, (void **)&c->ranges, &cx->ranges_cap, c->nranges + 1,
			  sizeof(*c->ranges)) != RM_OK)
		return yw_oom(w);
	r = &c->ranges[c->nranges];
	rc = cidr_parse(yw_text(v), &r->prefix, &host_bits, &why);
	if (rc != RM_OK)
		return yw_fail(w, v, "\"%s\" is not a CIDR (%s)", yw_text(v),
			       why ? why : rm_strerror(rc));
	if (host_bits) {
		char buf[RM_PREFIX_STRLEN];

		yw_warn(w, v, "\"%s\" has host bits set; it is read as %s", yw_text(v),
			cidr_format(&r->prefix, buf, sizeof(buf)));
	}
	r->kind = cx->kind;
	r->pos = yw_pos(v);
	c->nranges++;
	return RM_OK;
}

static int cidrs_kind(struct yw *w, yaml_node_t *v, struct cluster_ctx *cx, enum rm_range_kind kind)
{
	cx->kind = kind;
	return yw_list(w, v, cx, range_each, NULL);
}

static int cidrs_nodes(struct yw *w, yaml_node_t *v, void *obj)
{
	return cidrs_kind(w, v, obj, RM_RANGE_NODES);
}

static int cidrs_pods(struct yw *w, yaml_node_t *v, void *obj)
{
	return cidrs_kind(w, v, obj, RM_RANGE_PODS);
}

static int cidrs_services(struct yw *w, yaml_node_t *v, void *obj)
{
	return cidrs_kind(w, v, obj, RM_RANGE_SERVICES);
}

static const struct yw_field cidrs_fields[] = {
	{ "nodes", 0, cidrs_nodes },
	{ "pods", 0, cidrs_pods },
	{ "services", 0, cidrs_services },
};

static int cluster_cidrs(struct yw *w, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;
	int rc = YW_MAP(w, v, cidrs_fields, cx);

	if (rc != RM_OK)
		return rc;
	if (cx->c->nranges == 0)
		return yw_fail(w, v, "declares no range (give at least pods)");
	return RM_OK;
}

static int dns_domain(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->dns_domain_pos = yw_pos(v);
	return yw_dns_name(w, v, &c->dns_domain);
}

static int dns_server_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	return yw_addr(w, v, &((struct rm_cluster *)obj)->dns_servers[i]);
}

static int dns_servers(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->dns_servers = yw_list_alloc(w, v, sizeof(*c->dns_servers), &c->ndns_servers);
	if (c->dns_servers == NULL)
		return w->status;
	return yw_list(w, v, c, dns_server_each, NULL);
}

static const struct yw_field dns_fields[] = {
	{ "domain", 1, dns_domain },
	{ "servers", 0, dns_servers },
};

static int cluster_dns(struct yw *w, yaml_node_t *v, void *obj)
{
	return YW_MAP(w, v, dns_fields, obj);
}

/* A cluster that lists zones catches a typo in a probe's zone; one that
 * lists none takes its probes' and targets' zones as its own (zones are
 * copied from Kubernetes' topology labels, and a topology made from them
 * need not say each twice). */
static int check_zone(struct yw *w, yaml_node_t *v, const struct rm_cluster *c, const char *zone)
{
	size_t z;

	if (c->nzones == 0)
		return RM_OK;
	for (z = 0; z < c->nzones; z++)
		if (strcmp(c->zones[z], zone) == 0)
			return RM_OK;
	return yw_fail(w, v, "zone \"%s\" is not one of cluster \"%s\"'s zones", zone, c->name);
}

static bool zone_listed(const char **zones, size_t n, const char *zone)
{
	size_t z;

	for (z = 0; z < n; z++)
		if (strcmp(zones[z], zone) == 0)
			return true;
	return false;
}

/* The zones of a cluster that lists none: its probes' and targets', each
 * once, in the order they first appear. */
static int derive_zones(struct yw *w, struct rm_cluster *c)
{
	size_t cap = c->nprobes + c->ntargets, i;
	const char **zones;

	if (c->nzones > 0 || cap == 0)
		return RM_OK;
	zones = rm_arena_calloc(w->arena, cap, sizeof(*zones));
	if (zones == NULL)
		return yw_oom(w);
	for (i = 0; i < cap; i++) {
		const char *z =
		    i < c->nprobes ? c->probes[i].zone : c->targets[i - c->nprobes].zone;

		if (z != NULL && !zone_listed(zones, c->nzones, z))
			zones[c->nzones++] = z;
	}
	c->zones = zones;
	return RM_OK;
}

/* Probes and targets are parsed through one struct of the fields both have. */
struct endpoint {
	struct cluster_ctx *cx;
	const char *name;
	struct rm_addr address;
	const char *zone;
	const char *dns_name;
	size_t *ports;
	size_t nports;
	int has_ports;
};

static int name_unique(struct yw *w, struct names *seen, yaml_node_t *v, const char *name,
		       const char *what);

static int ep_name(struct yw *w, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;
	int rc = yw_name(w, v, &e->name);

	if (rc != RM_OK)
		return rc;
	return name_unique(w, &loader_of(w)->names, v, e->name, "probe or target");
}

static int ep_address(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_addr(w, v, &((struct endpoint *)obj)->address);
}

static int ep_zone(struct yw *w, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;
	int rc = yw_name(w, v, &e->zone);

	if (rc != RM_OK)
		return rc;
	return check_zone(w, v, e->cx->c, e->zone);
}

static int ep_dns_name(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_dns_name(w, v, &((struct endpoint *)obj)->dns_name);
}

static int ep_ports(struct yw *w, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;

	e->has_ports = 1;
	return get_port_refs(w, v, &e->ports, &e->nports);
}

/* "address" may be left out when "dnsName" is given: the pod's address is
 * not fixed (endpoint_map). */
static const struct yw_field probe_fields[] = {
	{ "name", 1, ep_name },
	{ "address", 0, ep_address },
	{ "zone", 0, ep_zone },
	{ "dnsName", 0, ep_dns_name },
};

static const struct yw_field target_fields[] = {
	{ "name", 1, ep_name },	       { "address", 0, ep_address }, { "zone", 0, ep_zone },
	{ "dnsName", 0, ep_dns_name }, { "ports", 0, ep_ports },
};

/* A probe or target's fields, and one of address and dnsName at least. */
static int endpoint_map(struct yw *w, yaml_node_t *v, const struct yw_field *fields, size_t n,
			struct endpoint *e)
{
	int rc = yw_map(w, v, fields, n, e);

	if (rc == RM_OK && e->address.family == RM_AF_NONE && e->dns_name == NULL)
		return yw_fail(w, v,
			       "missing required field \"address\" (or \"dnsName\", for a pod "
			       "whose address is not fixed)");
	return rc;
}

static int name_unique(struct yw *w, struct names *seen, yaml_node_t *v, const char *name,
		       const char *what)
{
	size_t i;
	char *where;

	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i].name, name) == 0)
			return yw_fail(w, v, "duplicate %s name \"%s\" (first at %s, line %u)",
				       what, name, seen->v[i].where, seen->v[i].line);
	if (rm_arena_grow(w->arena, (void **)&seen->v, &seen->cap, seen->n + 1, sizeof(*seen->v)) !=
	    RM_OK)
		return yw_oom(w);
	where = rm_arena_strdup(w->arena, w->path);
	if (where == NULL)
		return yw_oom(w);
	seen->v[seen->n].name = name;
	seen->v[seen->n].where = where;
	seen->v[seen->n].line = yw_pos(v).line;
	seen->n++;
	return RM_OK;
}

static int probe_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct endpoint e = { .cx = cx };
	struct rm_probe *p = &cx->c->probes[i];
	int rc = endpoint_map(w, v, probe_fields, ARRAY_SIZE(probe_fields), &e);

	if (rc != RM_OK)
		return rc;
	p->name = e.name;
	p->address = e.address;
	p->zone = e.zone;
	p->dns_name = e.dns_name;
	p->pos = yw_pos(v);
	return RM_OK;
}

static int target_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct endpoint e = { .cx = cx };
	struct rm_target *t = &cx->c->targets[i];
	size_t p;
	int rc = endpoint_map(w, v, target_fields, ARRAY_SIZE(target_fields), &e);

	if (rc != RM_OK)
		return rc;
	t->name = e.name;
	t->address = e.address;
	t->zone = e.zone;
	t->dns_name = e.dns_name;
	t->pos = yw_pos(v);
	if (e.has_ports) {
		t->ports = e.ports;
		t->nports = e.nports;
	} else {
		/* A target that names no ports is checked on all of them. */
		t->nports = topo_of(w)->nports;
		t->ports = rm_arena_calloc(w->arena, t->nports, sizeof(*t->ports));
		if (t->ports == NULL)
			return yw_oom(w);
		for (p = 0; p < t->nports; p++)
			t->ports[p] = p;
	}
	return RM_OK;
}

static int cluster_probes(struct yw *w, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;

	cx->c->probes = yw_list_alloc(w, v, sizeof(*cx->c->probes), &cx->c->nprobes);
	if (cx->c->probes == NULL)
		return w->status;
	return yw_list(w, v, cx, probe_each, NULL);
}

static int cluster_targets(struct yw *w, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;

	cx->c->targets = yw_list_alloc(w, v, sizeof(*cx->c->targets), &cx->c->ntargets);
	if (cx->c->targets == NULL)
		return w->status;
	return yw_list(w, v, cx, target_each, NULL);
}

static int cluster_name(struct yw *w, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct rm_topology *t = topo_of(w);
	size_t j;
	int rc = yw_name(w, v, &cx->c->name);

	if (rc != RM_OK)
		return rc;
	for (j = 0; j < cx->cidx; j++)
		if (strcmp(t->clusters[j].name, cx->c->name) == 0)
			return yw_fail(
			    w, v, "duplicate cluster name \"%s\" (first at clusters[%zu], line %u)",
			    cx->c->name, j, t->clusters[j].pos.line);
	if (strcmp(cx->c->name, "*") == 0)
		return yw_fail(w, v, "\"*\" is not a cluster name");
	return RM_OK;
}

/* Zones come before probes and targets, whose zone must be one of them. */
static const struct yw_field cluster_fields[] = {
	{ "name", 1, cluster_name },	 { "zones", 0, cluster_zones },
	{ "cidrs", 1, cluster_cidrs },	 { "dns", 0, cluster_dns },
	{ "probes", 0, cluster_probes }, { "targets", 0, cluster_targets },
};

static int cluster_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct cluster_ctx cx = { .c = &t->clusters[i], .cidx = i };

	int rc;

	cx.c->pos = yw_pos(v);
	rc = YW_MAP(w, v, cluster_fields, &cx);
	return rc == RM_OK ? derive_zones(w, cx.c) : rc;
}

static int top_clusters(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;

	t->clusters = yw_list_alloc(w, v, sizeof(*t->clusters), &t->nclusters);
	if (t->clusters == NULL)
		return w->status;
	if (t->nclusters == 0)
		return yw_fail(w, v, "must list at least one cluster");
	return yw_list(w, v, t, cluster_each, NULL);
}

/* ---- expect ------------------------------------------------------------ */

struct expect_ctx {
	struct rm_expect *e;
	int has_reach, has_dns, has_ports;
	yaml_node_t *node;
};

static int expect_cluster_ref(struct yw *w, yaml_node_t *v, const char **out)
{
	int rc = yw_string(w, v, out);

	if (rc != RM_OK)
		return rc;
	if (strcmp(*out, "*") != 0 && topo_cluster(topo_of(w), *out) == NULL)
		return yw_fail(w, v, "\"%s\" is not a cluster of this topology (nor \"*\")", *out);
	return RM_OK;
}

static int expect_from(struct yw *w, yaml_node_t *v, void *obj)
{
	return expect_cluster_ref(w, v, &((struct expect_ctx *)obj)->e->from);
}

static int expect_to(struct yw *w, yaml_node_t *v, void *obj)
{
	return expect_cluster_ref(w, v, &((struct expect_ctx *)obj)->e->to);
}

static int expect_ports(struct yw *w, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;

	x->has_ports = 1;
	return get_port_refs(w, v, &x->e->ports, &x->e->nports);
}

static int expect_reach(struct yw *w, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;
	const char *s;
	int rc = yw_string(w, v, &s);

	if (rc != RM_OK)
		return rc;
	x->has_reach = 1;
	if (strcmp(s, "open") == 0)
		x->e->reach = RM_REACH_OPEN;
	else if (strcmp(s, "blocked") == 0)
		x->e->reach = RM_REACH_BLOCKED;
	else if (strcmp(s, "resolves") == 0)
		x->e->reach = RM_REACH_RESOLVES;
	else
		return yw_fail(w, v, "\"%s\" is not a reach (open, blocked or resolves)", s);
	return RM_OK;
}

static int expect_dns(struct yw *w, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;
	const char *s;
	int rc = yw_string(w, v, &s);

	if (rc != RM_OK)
		return rc;
	if (strcmp(s, "resolves") != 0)
		return yw_fail(w, v, "\"%s\" is not a DNS expectation (resolves)", s);
	x->has_dns = 1;
	return RM_OK;
}

static const struct yw_field expect_fields[] = {
	{ "from", 1, expect_from },   { "to", 1, expect_to },	{ "ports", 0, expect_ports },
	{ "reach", 0, expect_reach }, { "dns", 0, expect_dns },
};

static int expect_each(struct yw *w, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct expect_ctx x = { .e = &t->expect[i], .node = v };
	int rc;

	x.e->pos = yw_pos(v);
	rc = YW_MAP(w, v, expect_fields, &x);
	if (rc != RM_OK)
		return rc;
	if (x.has_dns && x.has_reach)
		return yw_fail(w, v, "give either \"reach\" or \"dns\", not both");
	if (x.has_dns)
		x.e->reach = RM_REACH_RESOLVES;
	else if (!x.has_reach)
		return yw_fail(w, v,
			       "missing required field \"reach\" (open or blocked) or \"dns\"");
	if (x.e->reach == RM_REACH_RESOLVES && x.has_ports)
		return yw_fail(w, v, "a DNS expectation takes no \"ports\"");
	if (x.e->reach != RM_REACH_RESOLVES && !x.has_ports)
		return yw_fail(w, v, "missing required field \"ports\" for reach: %s",
			       topo_reach_name(x.e->reach));
	return RM_OK;
}

static int top_expect(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;

	t->expect = yw_list_alloc(w, v, sizeof(*t->expect), &t->nexpect);
	if (t->expect == NULL)
		return w->status;
	return yw_list(w, v, t, expect_each, NULL);
}

/* ---- thresholds, version ----------------------------------------------- */

static int thr_rtt_warn(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_u32(w, v, 0, 3600000, &((struct rm_thresholds *)obj)->rtt_warn_ms);
}

static int thr_rtt_error(struct yw *w, yaml_node_t *v, void *obj)
{
	struct rm_thresholds *th = obj;
	int rc = yw_u32(w, v, 0, 3600000, &th->rtt_error_ms);

	if (rc == RM_OK && th->rtt_error_ms < th->rtt_warn_ms)
		return yw_fail(w, v, "%u is below rttWarnMs (%u)", th->rtt_error_ms,
			       th->rtt_warn_ms);
	return rc;
}

static int thr_loss(struct yw *w, yaml_node_t *v, void *obj)
{
	return yw_percent(w, v, &((struct rm_thresholds *)obj)->loss_warn_pct);
}

static const struct yw_field thresholds_fields[] = {
	{ "rttWarnMs", 0, thr_rtt_warn },
	{ "rttErrorMs", 0, thr_rtt_error },
	{ "lossWarnPct", 0, thr_loss },
};

static int top_thresholds(struct yw *w, yaml_node_t *v, void *obj)
{
	return YW_MAP(w, v, thresholds_fields, &((struct rm_topology *)obj)->thresholds);
}

static int top_version(struct yw *w, yaml_node_t *v, void *obj)
{
	unsigned long n;
	int rc = yw_uint(w, v, 0, 1000000, &n);

	if (rc != RM_OK)
		return rc;
	if (n != 1)
		return yw_fail(w, v, "version %lu is not supported (this reachmap reads version 1)",
			       n);
	((struct rm_topology *)obj)->version = 1;
	return RM_OK;
}

/* defaults first: the clusters' targets and the expectations name its ports;
 * clusters before expect, which names clusters. */
static const struct yw_field top_fields[] = {
	{ "version", 1, top_version },	     { "defaults", 0, top_defaults },
	{ "clusters", 1, top_clusters },     { "expect", 0, top_expect },
	{ "thresholds", 0, top_thresholds },
};

/* ---- entry points ------------------------------------------------------ */

/* A topology with the defaults DESIGN.md gives, before the file is read. */
static struct rm_topology *topo_new(struct rm_arena *arena, const char *name)
{
	struct rm_topology *topo = rm_arena_calloc(arena, 1, sizeof(*topo));

	if (topo == NULL)
		return NULL;
	topo->arena = arena;
	topo->path = rm_arena_strdup(arena, name);
	if (topo->path == NULL)
		return NULL;
	topo->timeout_ms = 1000;
	topo->rate = 1000;
	topo->mtu = 1500;
	topo->thresholds.rtt_warn_ms = 50;
	topo->thresholds.rtt_error_ms = 150;
	topo->thresholds.loss_warn_pct = 1.0;
	return topo;
}

int topo_load_buffer(const char *name, const uint8_t *data, size_t len, struct rm_topology **out,
		     struct rm_diag *diag)
{
	struct loader l;
	struct rm_arena *arena = rm_arena_new();
	struct rm_topology *topo = arena ? topo_new(arena, name) : NULL;
	int rc;

	*out = NULL;
	rm_diag_clear(diag);
	if (topo == NULL) {
		rm_diag_error(diag, "%s: out of memory", name);
		rm_arena_free(arena);
		return RM_ENOMEM;
	}
	memset(&l, 0, sizeof(l));
	rc = yw_load(&l.w, name, data, len, arena, diag);
	l.topo = topo;
	/* Ports may come from the file; until then the defaults stand, and a
	 * file that gives defaults.ports replaces them. */
	if (rc == RM_OK)
		rc = default_ports(&l.w);
	if (rc == RM_OK)
		rc = YW_MAP(&l.w, yw_root(&l.w), top_fields, topo);
	yw_done(&l.w);
	if (rc != RM_OK) {
		rm_arena_free(arena);
		return rc;
	}
	*out = topo;
	return RM_OK;
}

int topo_load_file(const char *path, struct rm_topology **out, struct rm_diag *diag)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	rm_diag_clear(diag);
	rc = rm_diag_file_read(path, TOPO_MAX_FILE, "topology file", &buf, &len, diag);
	if (rc != RM_OK)
		return rc;
	rc = topo_load_buffer(path, (const uint8_t *)buf, len, out, diag);
	rm_free(buf);
	return rc;
}

void topo_free(struct rm_topology *topo)
{
	if (topo != NULL)
		rm_arena_free(topo->arena);
}

const struct rm_cluster *topo_cluster(const struct rm_topology *topo, const char *name)
{
	size_t i;

	for (i = 0; i < topo->nclusters; i++)
		if (topo->clusters[i].name != NULL && strcmp(topo->clusters[i].name, name) == 0)
			return &topo->clusters[i];
	return NULL;
}

const char *topo_range_kind_name(enum rm_range_kind kind)
{
	switch (kind) {
	case RM_RANGE_NODES:
		return "nodes";
	case RM_RANGE_PODS:
		return "pods";
	case RM_RANGE_SERVICES:
		return "services";
	default:
		return "?";
	}
}

const char *topo_reach_name(enum rm_reach reach)
{
	switch (reach) {
	case RM_REACH_OPEN:
		return "open";
	case RM_REACH_BLOCKED:
		return "blocked";
	case RM_REACH_RESOLVES:
		return "resolves";
	default:
		return "?";
	}
}

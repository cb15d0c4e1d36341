/* Topology files: YAML 1.1 through libyaml's document API, and JSON, which
 * libyaml reads as YAML flow style. The document tree keeps each node's
 * position, so every error names file:line:column and the field path. Fields
 * are checked against fixed tables: an unknown field is an error, never
 * silently ignored (DESIGN.md, "The topology file"). */
#include "reachmap/topology.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/file.h"

#define TOPO_MAX_FILE (16u * 1024u * 1024u)
#define TOPO_MAX_NAME 253

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

struct loader {
	const char *name;
	yaml_document_t *doc;
	struct rm_topology *topo;
	struct rm_arena *arena;
	struct rm_diag *diag;
	char path[256];
	size_t pathlen;
	int status; /* first failure; later checks are skipped */
	struct names names;
};

static struct rm_pos node_pos(const yaml_node_t *node)
{
	struct rm_pos p = { (unsigned)node->start_mark.line + 1,
			    (unsigned)node->start_mark.column + 1 };

	return p;
}

__attribute__((format(printf, 4, 5))) static int fail_at(struct loader *l, struct rm_pos pos,
							 int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (l->status != RM_OK)
		return l->status;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->pathlen > 0)
		snprintf(l->diag->error, sizeof(l->diag->error), "%s:%u:%u: %s: %s", l->name,
			 pos.line, pos.column, l->path, msg);
	else
		snprintf(l->diag->error, sizeof(l->diag->error), "%s:%u:%u: %s", l->name, pos.line,
			 pos.column, msg);
	l->status = status;
	return status;
}

#define fail(l, node, ...) fail_at((l), node_pos(node), RM_EINVAL, __VA_ARGS__)

static int oom(struct loader *l)
{
	if (l->status == RM_OK) {
		snprintf(l->diag->error, sizeof(l->diag->error), "%s: out of memory", l->name);
		l->status = RM_ENOMEM;
	}
	return RM_ENOMEM;
}

__attribute__((format(printf, 3, 4))) static void warn(struct loader *l, const yaml_node_t *node,
						       const char *fmt, ...)
{
	struct rm_diag *d = l->diag;
	char msg[512];
	va_list ap;

	if (d->nwarnings >= RM_DIAG_MAX_WARNINGS) {
		d->nwarnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->warnings[d->nwarnings++], sizeof(d->warnings[0]), "%s:%lu:%lu: %s: %s", l->name,
		 (unsigned long)node->start_mark.line + 1,
		 (unsigned long)node->start_mark.column + 1, l->path, msg);
}

/* The field path, as in "clusters[1].cidrs.pods[0]": pushed on the way down,
 * cut back on the way up. A path too long for the buffer is truncated, which
 * only shortens a message. */
static size_t path_key(struct loader *l, const char *key)
{
	size_t old = l->pathlen;
	int n = snprintf(l->path + old, sizeof(l->path) - old, "%s%s", old ? "." : "", key);

	if (n > 0)
		l->pathlen =
		    old + (size_t)n < sizeof(l->path) ? old + (size_t)n : sizeof(l->path) - 1;
	return old;
}

static size_t path_index(struct loader *l, size_t i)
{
	size_t old = l->pathlen;
	int n = snprintf(l->path + old, sizeof(l->path) - old, "[%zu]", i);

	if (n > 0)
		l->pathlen =
		    old + (size_t)n < sizeof(l->path) ? old + (size_t)n : sizeof(l->path) - 1;
	return old;
}

static void path_pop(struct loader *l, size_t old)
{
	l->pathlen = old;
	l->path[old] = '\0';
}

/* "a mapping", "a list", "empty", or the scalar itself in quotes (cut to
 * 40 characters), for "must be X, not Y" messages. The result lives in buf. */
static const char *node_kind_buf(const yaml_node_t *node, char *buf, size_t len)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		if (node->data.scalar.length == 0)
			return "empty";
		snprintf(buf, len, "\"%.40s%s\"", (const char *)node->data.scalar.value,
			 node->data.scalar.length > 40 ? "..." : "");
		return buf;
	default:
		return "nothing";
	}
}

#define node_kind(node) node_kind_buf((node), (char[64]){ 0 }, 64)

static yaml_node_t *get_node(struct loader *l, int index)
{
	return yaml_document_get_node(l->doc, index);
}

static const char *scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* Plain scalars "", "~" and "null" are YAML's null. */
static int scalar_is_null(const yaml_node_t *node)
{
	const char *s = scalar_text(node);

	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

static int expect_scalar(struct loader *l, yaml_node_t *node, const char *what)
{
	if (node->type != YAML_SCALAR_NODE)
		return fail(l, node, "must be %s, not %s", what, node_kind(node));
	if (scalar_is_null(node))
		return fail(l, node, "must be %s, not empty", what);
	if (strlen(scalar_text(node)) != node->data.scalar.length)
		return fail(l, node, "contains a NUL character");
	return RM_OK;
}

static int get_string(struct loader *l, yaml_node_t *node, const char **out)
{
	int rc = expect_scalar(l, node, "a string");

	if (rc != RM_OK)
		return rc;
	*out = rm_arena_strndup(l->arena, scalar_text(node), node->data.scalar.length);
	return *out ? RM_OK : oom(l);
}

static int get_name(struct loader *l, yaml_node_t *node, const char **out)
{
	const char *s;
	size_t i, n;
	int rc = get_string(l, node, &s);

	if (rc != RM_OK)
		return rc;
	n = strlen(s);
	if (n > TOPO_MAX_NAME)
		return fail(l, node, "name is %zu characters long; at most %d", n, TOPO_MAX_NAME);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return fail(
			    l, node,
			    "\"%s\" is not a valid name (letters, digits, '-', '_' and '.' only)",
			    s);
	}
	*out = s;
	return RM_OK;
}

/* A DNS domain or name (RFC 1035 lengths; letters, digits, '-', '_'). */
static int get_dns_name(struct loader *l, yaml_node_t *node, const char **out)
{
	const char *s;
	size_t label = 0, i, n;
	int rc = get_string(l, node, &s);

	if (rc != RM_OK)
		return rc;
	n = strlen(s);
	if (n > 253)
		return fail(l, node, "\"%s\" is longer than 253 characters", s);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return fail(l, node, "\"%s\" is not a DNS name (empty label)", s);
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return fail(l, node, "\"%s\" is not a DNS name ('%c' is not allowed)", s,
				    c);
		if (++label > 63)
			return fail(l, node,
				    "\"%s\" is not a DNS name (a label is over 63 characters)", s);
	}
	if (label == 0 && n > 0 && s[n - 1] != '.')
		return fail(l, node, "\"%s\" is not a DNS name", s);
	*out = s;
	return RM_OK;
}

static int get_uint(struct loader *l, yaml_node_t *node, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	const char *s;
	unsigned long v = 0;
	size_t i;

	if (node->type != YAML_SCALAR_NODE)
		return fail(l, node, "must be a number, not %s", node_kind(node));
	s = scalar_text(node);
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(l, node, "must be a number, not the string \"%s\"", s);
	if (s[0] == '\0')
		return fail(l, node, "must be a number, not empty");
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail(l, node, "must be a whole number, not \"%s\"", s);
		if (v > (max + 9) / 10 + 1) {
			v = max + 1;
			continue;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return fail_at(l, node_pos(node), RM_ERANGE, "%s is out of range %lu..%lu", s, min,
			       max);
	*out = v;
	return RM_OK;
}

static int get_u32(struct loader *l, yaml_node_t *node, unsigned long min, unsigned long max,
		   uint32_t *out)
{
	unsigned long v;
	int rc = get_uint(l, node, min, max, &v);

	if (rc == RM_OK)
		*out = (uint32_t)v;
	return rc;
}

static int get_percent(struct loader *l, yaml_node_t *node, double *out)
{
	const char *s;
	char *end;
	double v;

	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(l, node, "must be a number, not %s",
			    node->type == YAML_SCALAR_NODE ? "a string" : node_kind(node));
	s = scalar_text(node);
	errno = 0;
	v = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || s[0] == ' ' || s[0] == '+' ||
	    s[0] == '-' || v != v)
		return fail(l, node, "must be a number, not \"%s\"", s);
	if (v < 0.0 || v > 100.0)
		return fail_at(l, node_pos(node), RM_ERANGE, "%s is out of range 0..100", s);
	*out = v;
	return RM_OK;
}

static int get_addr(struct loader *l, yaml_node_t *node, struct rm_addr *out)
{
	int rc = expect_scalar(l, node, "an IP address");

	if (rc != RM_OK)
		return rc;
	if (cidr_addr_parse(scalar_text(node), out) != RM_OK)
		return fail(l, node, "\"%s\" is not an IPv4 or IPv6 address", scalar_text(node));
	return RM_OK;
}

/* Walks a sequence, calling `each` with the path pushed to "[i]". */
static int walk_list(struct loader *l, yaml_node_t *node, void *obj,
		     int (*each)(struct loader *, yaml_node_t *, size_t, void *), size_t *count)
{
	yaml_node_item_t *it;
	size_t i = 0, n;

	if (node->type != YAML_SEQUENCE_NODE)
		return fail(l, node, "must be a list, not %s", node_kind(node));
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count)
		*count = n;
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		size_t old = path_index(l, i);
		int rc = each(l, get_node(l, *it), i, obj);

		if (rc != RM_OK)
			return rc;
		path_pop(l, old);
	}
	return RM_OK;
}

/* True when a and b differ by at most one edit (a typo such as "zome" for
 * "zone" or "dnsname" for "dnsName"), ignoring case. */
static int near_miss(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;
	int edits = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && j < lb) {
		if ((a[i] | 0x20) == (b[j] | 0x20)) {
			i++;
			j++;
			continue;
		}
		if (++edits > 1)
			return 0;
		if (la > lb)
			i++;
		else if (lb > la)
			j++;
		else {
			i++;
			j++;
		}
	}
	return edits + (int)(la - i) + (int)(lb - j) <= 1;
}

/* The array for a list's items: checks that v is a list, allocates one zeroed
 * element per item and gives their number. NULL (l->status set) on error. */
static void *list_alloc(struct loader *l, yaml_node_t *v, size_t size, size_t *n)
{
	void *array;

	if (v->type != YAML_SEQUENCE_NODE) {
		fail(l, v, "must be a list, not %s", node_kind(v));
		return NULL;
	}
	*n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	array = rm_arena_calloc(l->arena, *n, size);
	if (array == NULL)
		oom(l);
	return array;
}

/* A field of a mapping: its key, whether it must be there, and what parses
 * its value into `obj`. */
struct field {
	const char *key;
	int required;
	int (*parse)(struct loader *l, yaml_node_t *value, void *obj);
};

/* Checks a mapping against `fields`: every key known, none twice, every
 * required one present; then parses the values in the table's order, not the
 * file's, so that a later field may refer to an earlier one (ports before the
 * targets that name them) wherever the user put it. */
static int walk_map(struct loader *l, yaml_node_t *node, const struct field *fields, size_t nfields,
		    void *obj)
{
	yaml_node_pair_t *pair;
	yaml_node_t *values[16] = { 0 };
	size_t f;

	if (nfields > sizeof(values) / sizeof(values[0]))
		return fail(l, node, "internal error: too many fields");
	if (node->type != YAML_MAPPING_NODE)
		return fail(l, node, "must be a mapping, not %s", node_kind(node));
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = get_node(l, pair->key);
		const char *k;

		if (key->type != YAML_SCALAR_NODE)
			return fail(l, key, "a key must be a string, not %s", node_kind(key));
		k = scalar_text(key);
		for (f = 0; f < nfields; f++)
			if (strcmp(fields[f].key, k) == 0)
				break;
		if (f == nfields) {
			char known[256] = "";
			size_t i, used = 0;

			for (i = 0; i < nfields && used < sizeof(known); i++) {
				int n = snprintf(known + used, sizeof(known) - used, "%s%s",
						 i ? ", " : "", fields[i].key);
				if (n > 0)
					used += (size_t)n;
			}
			for (i = 0; i < nfields; i++)
				if (near_miss(k, fields[i].key))
					return fail(l, key,
						    "unknown field \"%s\" (did you mean \"%s\"?)",
						    k, fields[i].key);
			return fail(l, key, "unknown field \"%s\" (known fields: %s)", k, known);
		}
		if (values[f] != NULL) {
			size_t old = path_key(l, k);

			fail(l, key, "field appears twice (first at line %lu)",
			     (unsigned long)values[f]->start_mark.line + 1);
			path_pop(l, old);
			return l->status;
		}
		values[f] = get_node(l, pair->value);
	}
	for (f = 0; f < nfields; f++) {
		size_t old;
		int rc;

		if (values[f] == NULL) {
			if (fields[f].required)
				return fail(l, node, "missing required field \"%s\"",
					    fields[f].key);
			continue;
		}
		old = path_key(l, fields[f].key);
		rc = fields[f].parse(l, values[f], obj);
		if (rc != RM_OK)
			return rc;
		path_pop(l, old);
	}
	return RM_OK;
}

#define WALK_MAP(l, node, table, obj)                                                              \
	walk_map((l), (node), (table), sizeof(table) / sizeof((table)[0]), (obj))

/* ---- defaults.ports ---------------------------------------------------- */

static int port_name(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_name(l, v, &((struct rm_port *)obj)->name);
}

static int port_number(struct loader *l, yaml_node_t *v, void *obj)
{
	unsigned long n;
	int rc = get_uint(l, v, 1, 65535, &n);

	if (rc == RM_OK)
		((struct rm_port *)obj)->port = (uint16_t)n;
	return rc;
}

static int port_protocol(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_port *p = obj;
	const char *s;
	int rc = get_string(l, v, &s);

	if (rc != RM_OK)
		return rc;
	if (strcmp(s, "tcp") == 0)
		p->protocol = RM_PORT_TCP;
	else if (strcmp(s, "cql") == 0)
		p->protocol = RM_PORT_CQL;
	else
		return fail(l, v, "\"%s\" is not a protocol (tcp or cql)", s);
	return RM_OK;
}

static const struct field port_fields[] = {
	{ "name", 1, port_name },
	{ "port", 1, port_number },
	{ "protocol", 0, port_protocol },
};

static int port_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct rm_port *p = &t->ports[i];
	size_t j;
	int rc;

	p->pos = node_pos(v);
	rc = WALK_MAP(l, v, port_fields, p);
	if (rc != RM_OK)
		return rc;
	for (j = 0; j < i; j++) {
		if (strcmp(t->ports[j].name, p->name) == 0)
			return fail(l, v, "duplicate port name \"%s\" (first at line %u)", p->name,
				    t->ports[j].pos.line);
		if (t->ports[j].port == p->port)
			return fail(l, v, "port %u is already defined as \"%s\" (line %u)", p->port,
				    t->ports[j].name, t->ports[j].pos.line);
	}
	t->nports = i + 1;
	return RM_OK;
}

static int defaults_ports(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;
	size_t n;

	t->ports = list_alloc(l, v, sizeof(*t->ports), &n);
	if (t->ports == NULL)
		return l->status;
	if (n == 0)
		return fail(l, v, "must list at least one port");
	t->nports = 0;
	return walk_list(l, v, t, port_each, NULL);
}

static int defaults_timeout(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_u32(l, v, 1, 60000, &((struct rm_topology *)obj)->timeout_ms);
}

static int defaults_rate(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_u32(l, v, 1, 1000000, &((struct rm_topology *)obj)->rate);
}

static int defaults_mtu(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_u32(l, v, 68, 65535, &((struct rm_topology *)obj)->mtu);
}

static const struct field defaults_fields[] = {
	{ "ports", 0, defaults_ports },
	{ "timeoutMs", 0, defaults_timeout },
	{ "rate", 0, defaults_rate },
	{ "mtu", 0, defaults_mtu },
};

static int top_defaults(struct loader *l, yaml_node_t *v, void *obj)
{
	return WALK_MAP(l, v, defaults_fields, obj);
}

/* The Cassandra ports, used when the file names none (DESIGN.md). */
static int default_ports(struct loader *l)
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
	size_t i, n = sizeof(cassandra) / sizeof(cassandra[0]);
	struct rm_topology *t = l->topo;

	t->ports = rm_arena_calloc(l->arena, n, sizeof(*t->ports));
	if (t->ports == NULL)
		return oom(l);
	for (i = 0; i < n; i++) {
		t->ports[i].name = cassandra[i].name;
		t->ports[i].port = cassandra[i].port;
		t->ports[i].protocol = cassandra[i].proto;
	}
	t->nports = n;
	return RM_OK;
}

/* A port named in `targets` or `expect` must be defined in defaults.ports. */
static int port_ref_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	size_t *idx = obj;
	const struct rm_topology *t = l->topo;
	const char *s;
	size_t p;
	int rc = get_string(l, v, &s);

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
		return fail(l, v, "port \"%s\" is not defined in defaults.ports (defined: %s)", s,
			    known);
	}
}

static int get_port_refs(struct loader *l, yaml_node_t *v, size_t **out, size_t *n)
{
	size_t count, i, j;
	int rc;

	if (v->type != YAML_SEQUENCE_NODE)
		return fail(l, v, "must be a list of port names, not %s", node_kind(v));
	count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (count == 0)
		return fail(l, v, "must name at least one port");
	*out = rm_arena_calloc(l->arena, count, sizeof(**out));
	if (*out == NULL)
		return oom(l);
	rc = walk_list(l, v, *out, port_ref_each, n);
	if (rc != RM_OK)
		return rc;
	for (i = 0; i < count; i++)
		for (j = 0; j < i; j++)
			if ((*out)[i] == (*out)[j]) {
				size_t old = path_index(l, i);

				fail(l, get_node(l, v->data.sequence.items.start[i]),
				     "port \"%s\" is listed twice", l->topo->ports[(*out)[i]].name);
				path_pop(l, old);
				return l->status;
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

static int zone_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_cluster *c = obj;
	size_t j;
	int rc = get_name(l, v, &c->zones[i]);

	if (rc != RM_OK)
		return rc;
	for (j = 0; j < i; j++)
		if (strcmp(c->zones[j], c->zones[i]) == 0)
			return fail(l, v, "zone \"%s\" is listed twice", c->zones[i]);
	return RM_OK;
}

static int cluster_zones(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->zones = list_alloc(l, v, sizeof(*c->zones), &c->nzones);
	if (c->zones == NULL)
		return l->status;
	return walk_list(l, v, c, zone_each, NULL);
}

static int range_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct rm_cluster *c = cx->c;
	struct rm_range *r;
	const char *why = NULL;
	bool host_bits = false;
	int rc;

	(void)i;
	rc = expect_scalar(l, v, "a CIDR such as 10.200.0.0/16");
	if (rc != RM_OK)
		return rc;
	if (rm_arena_grow(l->arena, (void **)&c->ranges, &cx->ranges_cap, c->nranges + 1,
			  sizeof(*c->ranges)) != RM_OK)
		return oom(l);
	r = &c->ranges[c->nranges];
	rc = cidr_parse(scalar_text(v), &r->prefix, &host_bits, &why);
	if (rc != RM_OK)
		return fail(l, v, "\"%s\" is not a CIDR (%s)", scalar_text(v),
			    why ? why : rm_strerror(rc));
	if (host_bits) {
		char buf[RM_PREFIX_STRLEN];

		warn(l, v, "\"%s\" has host bits set; it is read as %s", scalar_text(v),
		     cidr_format(&r->prefix, buf, sizeof(buf)));
	}
	r->kind = cx->kind;
	r->pos = node_pos(v);
	c->nranges++;
	return RM_OK;
}

static int cidrs_kind(struct loader *l, yaml_node_t *v, struct cluster_ctx *cx,
		      enum rm_range_kind kind)
{
	cx->kind = kind;
	return walk_list(l, v, cx, range_each, NULL);
}

static int cidrs_nodes(struct loader *l, yaml_node_t *v, void *obj)
{
	return cidrs_kind(l, v, obj, RM_RANGE_NODES);
}

static int cidrs_pods(struct loader *l, yaml_node_t *v, void *obj)
{
	return cidrs_kind(l, v, obj, RM_RANGE_PODS);
}

static int cidrs_services(struct loader *l, yaml_node_t *v, void *obj)
{
	return cidrs_kind(l, v, obj, RM_RANGE_SERVICES);
}

static const struct field cidrs_fields[] = {
	{ "nodes", 0, cidrs_nodes },
	{ "pods", 0, cidrs_pods },
	{ "services", 0, cidrs_services },
};

static int cluster_cidrs(struct loader *l, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;
	int rc = WALK_MAP(l, v, cidrs_fields, cx);

	if (rc != RM_OK)
		return rc;
	if (cx->c->nranges == 0)
		return fail(l, v, "declares no range (give at least pods)");
	return RM_OK;
}

static int dns_domain(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->dns_domain_pos = node_pos(v);
	return get_dns_name(l, v, &c->dns_domain);
}

static int dns_server_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	return get_addr(l, v, &((struct rm_cluster *)obj)->dns_servers[i]);
}

static int dns_servers(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_cluster *c = ((struct cluster_ctx *)obj)->c;

	c->dns_servers = list_alloc(l, v, sizeof(*c->dns_servers), &c->ndns_servers);
	if (c->dns_servers == NULL)
		return l->status;
	return walk_list(l, v, c, dns_server_each, NULL);
}

static const struct field dns_fields[] = {
	{ "domain", 1, dns_domain },
	{ "servers", 0, dns_servers },
};

static int cluster_dns(struct loader *l, yaml_node_t *v, void *obj)
{
	return WALK_MAP(l, v, dns_fields, obj);
}

static int check_zone(struct loader *l, yaml_node_t *v, const struct rm_cluster *c,
		      const char *zone)
{
	size_t z;

	for (z = 0; z < c->nzones; z++)
		if (strcmp(c->zones[z], zone) == 0)
			return RM_OK;
	if (c->nzones == 0)
		return fail(l, v, "zone \"%s\" is not declared: cluster \"%s\" lists no zones",
			    zone, c->name);
	return fail(l, v, "zone \"%s\" is not one of cluster \"%s\"'s zones", zone, c->name);
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

static int name_unique(struct loader *l, struct names *seen, yaml_node_t *v, const char *name,
		       const char *what);

static int ep_name(struct loader *l, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;
	int rc = get_name(l, v, &e->name);

	if (rc != RM_OK)
		return rc;
	return name_unique(l, &l->names, v, e->name, "probe or target");
}

static int ep_address(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_addr(l, v, &((struct endpoint *)obj)->address);
}

static int ep_zone(struct loader *l, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;
	int rc = get_name(l, v, &e->zone);

	if (rc != RM_OK)
		return rc;
	return check_zone(l, v, e->cx->c, e->zone);
}

static int ep_dns_name(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_dns_name(l, v, &((struct endpoint *)obj)->dns_name);
}

static int ep_ports(struct loader *l, yaml_node_t *v, void *obj)
{
	struct endpoint *e = obj;

	e->has_ports = 1;
	return get_port_refs(l, v, &e->ports, &e->nports);
}

static const struct field probe_fields[] = {
	{ "name", 1, ep_name },
	{ "address", 1, ep_address },
	{ "zone", 0, ep_zone },
	{ "dnsName", 0, ep_dns_name },
};

static const struct field target_fields[] = {
	{ "name", 1, ep_name },	       { "address", 1, ep_address }, { "zone", 0, ep_zone },
	{ "dnsName", 0, ep_dns_name }, { "ports", 0, ep_ports },
};

static int name_unique(struct loader *l, struct names *seen, yaml_node_t *v, const char *name,
		       const char *what)
{
	size_t i;
	char *where;

	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i].name, name) == 0)
			return fail(l, v, "duplicate %s name \"%s\" (first at %s, line %u)", what,
				    name, seen->v[i].where, seen->v[i].line);
	if (rm_arena_grow(l->arena, (void **)&seen->v, &seen->cap, seen->n + 1, sizeof(*seen->v)) !=
	    RM_OK)
		return oom(l);
	where = rm_arena_strdup(l->arena, l->path);
	if (where == NULL)
		return oom(l);
	seen->v[seen->n].name = name;
	seen->v[seen->n].where = where;
	seen->v[seen->n].line = node_pos(v).line;
	seen->n++;
	return RM_OK;
}

static int probe_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct endpoint e = { .cx = cx };
	struct rm_probe *p = &cx->c->probes[i];
	int rc = WALK_MAP(l, v, probe_fields, &e);

	if (rc != RM_OK)
		return rc;
	p->name = e.name;
	p->address = e.address;
	p->zone = e.zone;
	p->dns_name = e.dns_name;
	p->pos = node_pos(v);
	return RM_OK;
}

static int target_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct endpoint e = { .cx = cx };
	struct rm_target *t = &cx->c->targets[i];
	size_t p;
	int rc = WALK_MAP(l, v, target_fields, &e);

	if (rc != RM_OK)
		return rc;
	t->name = e.name;
	t->address = e.address;
	t->zone = e.zone;
	t->dns_name = e.dns_name;
	t->pos = node_pos(v);
	if (e.has_ports) {
		t->ports = e.ports;
		t->nports = e.nports;
	} else {
		/* A target that names no ports is checked on all of them. */
		t->nports = l->topo->nports;
		t->ports = rm_arena_calloc(l->arena, t->nports, sizeof(*t->ports));
		if (t->ports == NULL)
			return oom(l);
		for (p = 0; p < t->nports; p++)
			t->ports[p] = p;
	}
	return RM_OK;
}

static int cluster_probes(struct loader *l, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;

	cx->c->probes = list_alloc(l, v, sizeof(*cx->c->probes), &cx->c->nprobes);
	if (cx->c->probes == NULL)
		return l->status;
	return walk_list(l, v, cx, probe_each, NULL);
}

static int cluster_targets(struct loader *l, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;

	cx->c->targets = list_alloc(l, v, sizeof(*cx->c->targets), &cx->c->ntargets);
	if (cx->c->targets == NULL)
		return l->status;
	return walk_list(l, v, cx, target_each, NULL);
}

static int cluster_name(struct loader *l, yaml_node_t *v, void *obj)
{
	struct cluster_ctx *cx = obj;
	struct rm_topology *t = l->topo;
	size_t j;
	int rc = get_name(l, v, &cx->c->name);

	if (rc != RM_OK)
		return rc;
	for (j = 0; j < cx->cidx; j++)
		if (strcmp(t->clusters[j].name, cx->c->name) == 0)
			return fail(
			    l, v, "duplicate cluster name \"%s\" (first at clusters[%zu], line %u)",
			    cx->c->name, j, t->clusters[j].pos.line);
	if (strcmp(cx->c->name, "*") == 0)
		return fail(l, v, "\"*\" is not a cluster name");
	return RM_OK;
}

/* Zones come before probes and targets, whose zone must be one of them. */
static const struct field cluster_fields[] = {
	{ "name", 1, cluster_name },	 { "zones", 0, cluster_zones },
	{ "cidrs", 1, cluster_cidrs },	 { "dns", 0, cluster_dns },
	{ "probes", 0, cluster_probes }, { "targets", 0, cluster_targets },
};

static int cluster_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct cluster_ctx cx = { .c = &t->clusters[i], .cidx = i };

	cx.c->pos = node_pos(v);
	return WALK_MAP(l, v, cluster_fields, &cx);
}

static int top_clusters(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;

	t->clusters = list_alloc(l, v, sizeof(*t->clusters), &t->nclusters);
	if (t->clusters == NULL)
		return l->status;
	if (t->nclusters == 0)
		return fail(l, v, "must list at least one cluster");
	return walk_list(l, v, t, cluster_each, NULL);
}

/* ---- expect ------------------------------------------------------------ */

struct expect_ctx {
	struct rm_expect *e;
	int has_reach, has_dns, has_ports;
	yaml_node_t *node;
};

static int expect_cluster_ref(struct loader *l, yaml_node_t *v, const char **out)
{
	int rc = get_string(l, v, out);

	if (rc != RM_OK)
		return rc;
	if (strcmp(*out, "*") != 0 && topo_cluster(l->topo, *out) == NULL)
		return fail(l, v, "\"%s\" is not a cluster of this topology (nor \"*\")", *out);
	return RM_OK;
}

static int expect_from(struct loader *l, yaml_node_t *v, void *obj)
{
	return expect_cluster_ref(l, v, &((struct expect_ctx *)obj)->e->from);
}

static int expect_to(struct loader *l, yaml_node_t *v, void *obj)
{
	return expect_cluster_ref(l, v, &((struct expect_ctx *)obj)->e->to);
}

static int expect_ports(struct loader *l, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;

	x->has_ports = 1;
	return get_port_refs(l, v, &x->e->ports, &x->e->nports);
}

static int expect_reach(struct loader *l, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;
	const char *s;
	int rc = get_string(l, v, &s);

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
		return fail(l, v, "\"%s\" is not a reach (open, blocked or resolves)", s);
	return RM_OK;
}

static int expect_dns(struct loader *l, yaml_node_t *v, void *obj)
{
	struct expect_ctx *x = obj;
	const char *s;
	int rc = get_string(l, v, &s);

	if (rc != RM_OK)
		return rc;
	if (strcmp(s, "resolves") != 0)
		return fail(l, v, "\"%s\" is not a DNS expectation (resolves)", s);
	x->has_dns = 1;
	return RM_OK;
}

static const struct field expect_fields[] = {
	{ "from", 1, expect_from },   { "to", 1, expect_to },	{ "ports", 0, expect_ports },
	{ "reach", 0, expect_reach }, { "dns", 0, expect_dns },
};

static int expect_each(struct loader *l, yaml_node_t *v, size_t i, void *obj)
{
	struct rm_topology *t = obj;
	struct expect_ctx x = { .e = &t->expect[i], .node = v };
	int rc;

	x.e->pos = node_pos(v);
	rc = WALK_MAP(l, v, expect_fields, &x);
	if (rc != RM_OK)
		return rc;
	if (x.has_dns && x.has_reach)
		return fail(l, v, "give either \"reach\" or \"dns\", not both");
	if (x.has_dns)
		x.e->reach = RM_REACH_RESOLVES;
	else if (!x.has_reach)
		return fail(l, v, "missing required field \"reach\" (open or blocked) or \"dns\"");
	if (x.e->reach == RM_REACH_RESOLVES && x.has_ports)
		return fail(l, v, "a DNS expectation takes no \"ports\"");
	if (x.e->reach != RM_REACH_RESOLVES && !x.has_ports)
		return fail(l, v, "missing required field \"ports\" for reach: %s",
			    topo_reach_name(x.e->reach));
	return RM_OK;
}

static int top_expect(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_topology *t = obj;

	t->expect = list_alloc(l, v, sizeof(*t->expect), &t->nexpect);
	if (t->expect == NULL)
		return l->status;
	return walk_list(l, v, t, expect_each, NULL);
}

/* ---- thresholds, version ----------------------------------------------- */

static int thr_rtt_warn(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_u32(l, v, 0, 3600000, &((struct rm_thresholds *)obj)->rtt_warn_ms);
}

static int thr_rtt_error(struct loader *l, yaml_node_t *v, void *obj)
{
	struct rm_thresholds *th = obj;
	int rc = get_u32(l, v, 0, 3600000, &th->rtt_error_ms);

	if (rc == RM_OK && th->rtt_error_ms < th->rtt_warn_ms)
		return fail(l, v, "%u is below rttWarnMs (%u)", th->rtt_error_ms, th->rtt_warn_ms);
	return rc;
}

static int thr_loss(struct loader *l, yaml_node_t *v, void *obj)
{
	return get_percent(l, v, &((struct rm_thresholds *)obj)->loss_warn_pct);
}

static const struct field thresholds_fields[] = {
	{ "rttWarnMs", 0, thr_rtt_warn },
	{ "rttErrorMs", 0, thr_rtt_error },
	{ "lossWarnPct", 0, thr_loss },
};

static int top_thresholds(struct loader *l, yaml_node_t *v, void *obj)
{
	return WALK_MAP(l, v, thresholds_fields, &((struct rm_topology *)obj)->thresholds);
}

static int top_version(struct loader *l, yaml_node_t *v, void *obj)
{
	unsigned long n;
	int rc = get_uint(l, v, 0, 1000000, &n);

	if (rc != RM_OK)
		return rc;
	if (n != 1)
		return fail(l, v, "version %lu is not supported (this reachmap reads version 1)",
			    n);
	((struct rm_topology *)obj)->version = 1;
	return RM_OK;
}

/* defaults first: the clusters' targets and the expectations name its ports;
 * clusters before expect, which names clusters. */
static const struct field top_fields[] = {
	{ "version", 1, top_version },	     { "defaults", 0, top_defaults },
	{ "clusters", 1, top_clusters },     { "expect", 0, top_expect },
	{ "thresholds", 0, top_thresholds },
};

/* ---- entry points ------------------------------------------------------ */

static int load_document(struct loader *l, yaml_parser_t *parser)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int rc;

	if (!yaml_parser_load(parser, l->doc)) {
		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s:%lu:%lu: YAML syntax error: %s%s%s", l->name,
			 (unsigned long)parser->problem_mark.line + 1,
			 (unsigned long)parser->problem_mark.column + 1,
			 parser->problem ? parser->problem : "unknown problem",
			 parser->context ? " " : "", parser->context ? parser->context : "");
		return RM_EPARSE;
	}
	root = yaml_document_get_root_node(l->doc);
	if (root == NULL) {
		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s:1:1: the file holds no document", l->name);
		yaml_document_delete(l->doc);
		return RM_EPARSE;
	}
	/* A second document in the stream would be silently ignored: refuse it. */
	if (!yaml_parser_load(parser, &extra)) {
		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s:%lu:%lu: YAML syntax error: %s", l->name,
			 (unsigned long)parser->problem_mark.line + 1,
			 (unsigned long)parser->problem_mark.column + 1,
			 parser->problem ? parser->problem : "unknown problem");
		yaml_document_delete(l->doc);
		return RM_EPARSE;
	}
	rc = RM_OK;
	if (yaml_document_get_root_node(&extra) != NULL) {
		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s:%lu:%lu: the file holds more than one YAML document; give one",
			 l->name, (unsigned long)extra.start_mark.line + 1,
			 (unsigned long)extra.start_mark.column + 1);
		rc = RM_EPARSE;
	}
	yaml_document_delete(&extra);
	if (rc != RM_OK)
		yaml_document_delete(l->doc);
	return rc;
}

int topo_load_buffer(const char *name, const uint8_t *data, size_t len, struct rm_topology **out,
		     struct rm_diag *diag)
{
	struct loader lf;
	struct loader *l = &lf;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct rm_topology *topo = NULL;
	struct rm_arena *arena = NULL;
	int rc;

	*out = NULL;
	memset(diag, 0, sizeof(*diag));
	memset(&lf, 0, sizeof(lf));
	arena = rm_arena_new();
	if (arena == NULL)
		goto nomem;
	topo = rm_arena_calloc(arena, 1, sizeof(*topo));
	if (topo == NULL)
		goto nomem;
	topo->arena = arena;
	topo->path = rm_arena_strdup(arena, name);
	if (topo->path == NULL)
		goto nomem;
	topo->timeout_ms = 1000;
	topo->rate = 1000;
	topo->mtu = 1500;
	topo->thresholds.rtt_warn_ms = 50;
	topo->thresholds.rtt_error_ms = 150;
	topo->thresholds.loss_warn_pct = 1.0;

	l->name = name;
	l->doc = &doc;
	l->topo = topo;
	l->arena = arena;
	l->diag = diag;

	if (!yaml_parser_initialize(&parser))
		goto nomem;
	yaml_parser_set_input_string(&parser, data, len);
	rc = load_document(l, &parser);
	yaml_parser_delete(&parser);
	if (rc != RM_OK)
		goto fail;

	/* Ports may come from the file; until then the defaults stand, and a
	 * file that gives defaults.ports replaces them. */
	rc = default_ports(l);
	if (rc == RM_OK)
		rc = WALK_MAP(l, yaml_document_get_root_node(&doc), top_fields, topo);
	yaml_document_delete(&doc);
	if (rc != RM_OK)
		goto fail;
	*out = topo;
	return RM_OK;

nomem:
	snprintf(diag->error, sizeof(diag->error), "%s: out of memory", name);
	rc = RM_ENOMEM;
fail:
	rm_arena_free(arena);
	return rc;
}

int topo_load_file(const char *path, struct rm_topology **out, struct rm_diag *diag)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	memset(diag, 0, sizeof(*diag));
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

const struct rm_port *topo_port_by_name(const struct rm_topology *topo, const char *name)
{
	size_t i;

	for (i = 0; i < topo->nports; i++)
		if (strcmp(topo->ports[i].name, name) == 0)
			return &topo->ports[i];
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

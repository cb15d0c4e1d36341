/* What kube/init_read.c takes from the dumps and kube/init_emit.c writes:
 * every value with the words saying where it came from. Everything lives
 * in the topology's arena. */
#ifndef REACHMAP_KUBE_INIT_INTERNAL_H
#define REACHMAP_KUBE_INIT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "kube/init.h"
#include "kube/kjson.h"
#include "reachmap/cidr.h"

struct rm_arena;

/* The ports Cassandra's pods listen on, one row per role. */
enum kport_role {
	KPORT_GOSSIP = 0,
	KPORT_GOSSIP_TLS,
	KPORT_JMX,
	KPORT_CQL,
	KPORT_MGMT,
	KPORT_ROLES,
};

struct kport {
	const char *name;
	uint16_t port;
	enum kport_role role;
	const char *from; /* provenance */
};

/* A Cassandra datacenter from a K8ssandraCluster or CassandraDatacenter. */
struct kdc {
	const char *name;	  /* metadata.name: the pods' datacenter label */
	const char *cluster;	  /* Cassandra's cluster name, or NULL */
	const char *from;	  /* "CassandraDatacenter k8ssandra/dc1 in east.json" */
	size_t port[KPORT_ROLES]; /* indices into kube_topo.ports */
};

struct knode {
	const char *name;
	const char *zone; /* NULL: no zone label */
	bool zone_legacy; /* from failure-domain.beta.kubernetes.io/zone */
	struct rm_prefix cidr[2];
	size_t ncidr;
	struct rm_addr ip[2];
	size_t nip;
};

struct ktarget {
	const char *name;
	struct rm_addr addr; /* RM_AF_NONE: the pod has no IP yet */
	const char *zone;
	const char *dns;
	const char *dc, *rack;
	bool seed;
	const struct kdc *spec; /* NULL: Cassandra's default ports */
};

struct kprobe {
	const char *name;
	const char *zone; /* NULL: the cluster's nodes have no zones */
};

struct kzone {
	const char *zone;
	const char *suffix;
	size_t nnodes;
	bool shared; /* another zone of the cluster ends the same way */
};

/* A list of addresses or blocks of one kind, and what it came from. */
struct kranges {
	struct rm_prefix *v;
	size_t n, cap;
	const char *from;
};

struct kaddrs {
	struct rm_addr *v;
	size_t n, cap;
};

struct kcluster {
	const char *name, *name_from;
	const char *file;
	struct knode *nodes;
	size_t nnodes, nodes_cap;
	struct kzone *zones;
	size_t nzones, zones_cap;
	struct kranges pods, nodes_r, services;
	struct kaddrs pod_ips, cluster_ips;
	/* Control-plane flags seen in kube-system's pods (kubeadm), with
	 * where each was found. */
	struct kranges cm_cidr, api_services;
	const char *domain, *domain_from;
	struct kaddrs dns;
	const char *dns_from;
	struct ktarget *targets;
	size_t ntargets, targets_cap;
	struct kprobe *probes;
	size_t nprobes;
	const char *zones_from, *probes_from, *targets_from;
	/* Cassandra's pods (and their index in items), read as targets once
	 * every node and spec is known. */
	struct kcass {
		const cJSON *pod;
		size_t item;
	} * cass;
	size_t ncass, cass_cap;
};

struct kube_topo {
	struct rm_arena *arena;
	unsigned probes_per_zone;
	struct kcluster *clusters;
	size_t nclusters, clusters_cap;
	struct kport *ports;
	size_t nports, ports_cap;
	struct kdc *dcs;
	size_t ndcs, dcs_cap;
	struct kdc dflt; /* Cassandra's defaults, for pods of no known spec */
	bool has_dflt;
	cJSON **roots;	     /* every parsed file, alive until kube_topo_free */
	const char **inputs; /* their names */
	size_t nroots;
};

/* Adds a port of `role` for datacenter `dc` (NULL: the defaults); reuses a
 * row of the same name and number. 0 and *idx; RM_EEXIST when the number
 * is another role's (the caller says where); RM_ENOMEM. */
int kport_add(struct kube_topo *t, enum kport_role role, uint16_t port, const char *dc,
	      const char *from, size_t *idx);

/* Role names as the topology writes them: gossip, gossip-tls, ... */
const char *kport_role_name(enum kport_role role);

/* Reading one file. */
struct kread {
	struct kube_topo *t;
	struct kcluster *c; /* NULL while reading specs */
	const char *file;
	struct rm_diag *diag;
};

/* Appends to a list (no search: a dump of 50,000 pods must not cost their
 * square); 0 or RM_ENOMEM. */
int kaddr_add(struct rm_arena *a, struct kaddrs *l, const struct rm_addr *addr);
/* Adds a block unless the list holds it already (the nodes' podCIDRs, a
 * flag's few blocks); 0 or RM_ENOMEM. */
int krange_add(struct rm_arena *a, struct kranges *l, const struct rm_prefix *p);

/* Whether s can be written as a name of the topology (1 to 63 letters,
 * digits, '-', '_' and '.', as the loader and Kubernetes' labels take),
 * and as a DNS name (the loader's rules: RFC 1035 lengths). */
bool kname_ok(const char *s);
bool kdns_ok(const char *s);

/* RM_OK when kname_ok(s) (or s is NULL), else an error at j's path plus
 * key. */
int kread_name(struct kj *j, const char *key, const char *s);

/* metadata.name (required) and metadata.namespace (NULL when absent). */
int kread_meta(struct kj *j, const cJSON *item, const char **name, const char **ns);

/* The cluster's DNS domain from a flag's value ("cluster.local."). */
int kread_domain(struct kread *r, struct kj *j, const char *v, const char *from);

/* The Nodes, Pods and Services of a List's items into r->c. */
int kread_cluster_items(struct kread *r, const cJSON *items);

/* The K8ssandraCluster or CassandraDatacenter `obj` (at the path j holds)
 * into t->dcs and t->ports. */
int kread_spec(struct kread *r, struct kj *j, const cJSON *obj, const char *kind);

/* Adds the ports Cassandra uses when no spec says otherwise, once: t->dflt,
 * its rows saying `why`. 0 or RM_ENOMEM. */
int kread_default_ports(struct kube_topo *t, const char *why);

/* r->c's Cassandra pods as targets. */
int kread_targets(struct kread *r);

/* Each cluster's ranges, zones, DNS and probes from what was read. */
int kube_init_derive(struct kube_topo *t, struct rm_diag *diag);

#endif

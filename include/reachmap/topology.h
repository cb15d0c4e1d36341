/* The topology: the network as it should be. One file for all clusters,
 * given to every probe, the collector and the analyzer (DESIGN.md, "The
 * topology file"). Loaded once, read-only afterwards; every string and array
 * belongs to the topology and is freed by topo_free(). */
#ifndef REACHMAP_TOPOLOGY_H
#define REACHMAP_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"
#include "reachmap/diag.h"

struct rm_arena;

enum rm_port_proto {
	RM_PORT_TCP = 0, /* a TCP port: reachability only */
	RM_PORT_CQL,	 /* TCP that must speak the CQL native protocol */
};

struct rm_port {
	const char *name;
	uint16_t port;
	enum rm_port_proto protocol;
	struct rm_pos pos;
};

/* The kinds of address range a cluster declares. */
enum rm_range_kind {
	RM_RANGE_NODES = 0,
	RM_RANGE_PODS,
	RM_RANGE_SERVICES,
	RM_RANGE_KIND_COUNT,
};

struct rm_range {
	struct rm_prefix prefix;
	enum rm_range_kind kind;
	struct rm_pos pos;
};

/* A probe's or target's address is optional when it has a dnsName (pods
 * get new addresses when they restart): then address.family is
 * RM_AF_NONE (cidr_addr_is_set() false) and the probes resolve the name
 * each round (probes/resolve.h), the analyzer takes the address from the
 * documents. Every reader of `address` checks cidr_addr_is_set first; one
 * of address and dns_name is always there. */
struct rm_probe {
	const char *name;
	struct rm_addr address; /* family RM_AF_NONE: none declared */
	const char *zone;	/* NULL when not given */
	const char *dns_name;	/* NULL when not given */
	struct rm_pos pos;
};

struct rm_target {
	const char *name;
	struct rm_addr address; /* family RM_AF_NONE: none declared */
	const char *zone;	/* NULL when not given */
	const char *dns_name;	/* NULL when not given */
	size_t *ports;		/* indices into topology.ports */
	size_t nports;
	struct rm_pos pos;
};

struct rm_cluster {
	const char *name;
	const char **zones;
	size_t nzones;
	struct rm_range *ranges; /* nodes, pods and services, in file order */
	size_t nranges;
	const char *dns_domain; /* NULL when not given */
	struct rm_addr *dns_servers;
	size_t ndns_servers;
	struct rm_probe *probes;
	size_t nprobes;
	struct rm_target *targets;
	size_t ntargets;
	struct rm_pos pos;
	struct rm_pos dns_domain_pos;
};

enum rm_reach {
	RM_REACH_OPEN = 0, /* every listed port must answer */
	RM_REACH_BLOCKED,  /* every listed port must not answer */
	RM_REACH_RESOLVES, /* every DNS name must resolve to its address */
};

struct rm_expect {
	const char *from; /* a cluster name, or "*" */
	const char *to;	  /* a cluster name, or "*" */
	size_t *ports;	  /* indices into topology.ports; none for RESOLVES */
	size_t nports;
	enum rm_reach reach;
	struct rm_pos pos;
};

struct rm_thresholds {
	uint32_t rtt_warn_ms;
	uint32_t rtt_error_ms;
	double loss_warn_pct;
};

struct rm_topology {
	const char *path; /* the file name it was read from, as given */
	int version;
	struct rm_port *ports; /* defaults.ports */
	size_t nports;
	uint32_t timeout_ms;
	uint32_t rate;
	uint32_t mtu;
	struct rm_cluster *clusters;
	size_t nclusters;
	struct rm_expect *expect;
	size_t nexpect;
	struct rm_thresholds thresholds;
	struct rm_arena *arena; /* owns every string and array above */
};

/* Load a topology from a YAML or JSON file. 0 and *out (the caller owns it;
 * free with topo_free) on success; otherwise a negative status, *out NULL and
 * diag->error set. Warnings (e.g. a CIDR with host bits set) go to diag. */
int topo_load_file(const char *path, struct rm_topology **out, struct rm_diag *diag);

/* The same from bytes in memory; `name` is used in messages. */
int topo_load_buffer(const char *name, const uint8_t *data, size_t len, struct rm_topology **out,
		     struct rm_diag *diag);

void topo_free(struct rm_topology *topo);

/* The cluster called `name`, or NULL. Borrowed. */
const struct rm_cluster *topo_cluster(const struct rm_topology *topo, const char *name);

/* "nodes", "pods", "services". */
const char *topo_range_kind_name(enum rm_range_kind kind);
const char *topo_reach_name(enum rm_reach reach);

#endif

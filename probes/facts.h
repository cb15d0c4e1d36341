/* Local facts a results document carries, so the analyzer can see the
 * probe's side: interfaces with their MTU, the routing table, resolv.conf. */
#ifndef REACHMAP_PROBES_FACTS_H
#define REACHMAP_PROBES_FACTS_H

#include "reachmap/results.h"
#include "reachmap/topology.h"

/* Fills doc's interfaces, routes and resolver facts from this host (network
 * namespace). Facts that cannot be read are left empty. 0 or RM_ENOMEM. */
int facts_collect(struct rm_results_doc *doc, const char *resolv_conf);

/* Parses resolv.conf text: nameserver and search lines. 0 or RM_ENOMEM. */
int facts_parse_resolv(struct rm_results_doc *doc, const char *text);

/* This host's own address in cluster c: the first address of a
 * non-loopback interface inside one of c's ranges (tried in the file's
 * order). For a probe whose topology entry has no address. 0 and *out, or
 * RM_ENOTFOUND (*out unset). */
int facts_own_address(const struct rm_cluster *c, struct rm_addr *out);

#endif

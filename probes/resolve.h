/* The addresses of destinations whose address is not (or no longer) the
 * topology's, for one round at a time (DESIGN.md, "The live system": pods
 * get new addresses when they restart). Two sources fill the table:
 *   - probe_addrs_resolve: every probe and target with a dnsName and no
 *     address in the topology, resolved with c-ares through this host's
 *     resolv.conf, all names in one batch, in bounded time;
 *   - probe_addrs_set: an address learned elsewhere (the agent reads its
 *     peers' current addresses from a collector's GET /v1/peers); it wins
 *     over a resolved address and over the topology's (a pod that moved).
 * Safety rule (DESIGN.md): an address outside the destination cluster's
 * CIDRs, or in a reserved range, is refused with a note and never given
 * out. The engine reads the table through probe_config.addrs
 * (probes/engine.h). Not thread-safe: one owner calls everything. */
#ifndef REACHMAP_PROBES_RESOLVE_H
#define REACHMAP_PROBES_RESOLVE_H

#include <stdbool.h>

#include "reachmap/cidr.h"
#include "reachmap/topology.h"

struct probe_addrs;

/* Called with a one-line reason when an address is refused (outside the
 * cluster's ranges, reserved) or a name did not resolve; msg is the
 * callee's to copy, valid during the call. */
typedef void (*probe_addrs_note_fn)(const char *msg, void *arg);

/* A table for the probes and targets of topo (borrowed: it must outlive the
 * table). resolv_conf: the resolver configuration to use (borrowed; NULL:
 * /etc/resolv.conf). note (may be NULL) hears refusals and failures.
 * 0 and *out (free with probe_addrs_free), or RM_ENOMEM. */
int probe_addrs_new(const struct rm_topology *topo, const char *resolv_conf,
		    probe_addrs_note_fn note, void *arg, struct probe_addrs **out);

/* Resolves the dnsName of every entry without an address in the topology
 * (A and AAAA; the first answer inside the entry's cluster's ranges is
 * taken), waiting timeout_ms at most in all. A name that does not resolve
 * this time loses the address an earlier call resolved for it (the
 * engine then runs only its dns check). Addresses set with probe_addrs_set
 * are kept. 0 (also when names did not resolve: their failures go to the
 * note callback), RM_ENOMEM, or RM_ESYS when c-ares could not start (no
 * usable resolv.conf); the table is then as before. */
int probe_addrs_resolve(struct probe_addrs *t, unsigned timeout_ms);

/* Sets the address of probe or target `name` of `cluster` (copied), or
 * forgets the one set before when addr is NULL. 0; RM_ENOTFOUND when the
 * topology has no such entry; RM_ERANGE, after a note, when addr is outside
 * the cluster's ranges or reserved (the entry keeps what it had). */
int probe_addrs_set(struct probe_addrs *t, const char *cluster, const char *name,
		    const struct rm_addr *addr);

/* The address to probe (cluster, name) at this round when it is not the
 * topology's: the one set, else the one resolved. NULL: use the topology's
 * address (or, for an entry without one, there is none this round).
 * Borrowed from the table until its next resolve, set or free. */
const struct rm_addr *probe_addrs_get(const struct probe_addrs *t, const char *cluster,
				      const char *name);

/* Whether probe_addrs_get's address for (cluster, name) was set (the pod's
 * own registration), not resolved: only such an address, or the
 * topology's, is a truth to judge a DNS answer against. */
bool probe_addrs_learned(const struct probe_addrs *t, const char *cluster, const char *name);

void probe_addrs_free(struct probe_addrs *t);

#endif

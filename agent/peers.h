/* What a collector says of the fleet (GET /v1/peers, reachmap.peers/v1):
 * each registered probe's current address, which the agent probes instead
 * of the topology's (a pod re-created elsewhere) or of one resolved from
 * DNS. With several collectors the newest registration wins. */
#ifndef REACHMAP_AGENT_PEERS_H
#define REACHMAP_AGENT_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"
#include "reachmap/diag.h"

struct agent_peer {
	const char *name, *cluster; /* in the list's arena */
	struct rm_addr addr;	    /* its first address */
	int64_t registered_ms;	    /* when it registered, by the collector's clock */
};

struct agent_peers {
	struct agent_peer *v;
	size_t n, cap;
	struct rm_arena *arena;
};

/* An empty list; peers_free frees what it holds. */
void peers_init(struct agent_peers *l);
void peers_free(struct agent_peers *l);

/* Reads a reachmap.peers/v1 document (len bytes of JSON) into l (emptied
 * first): every peer with a name, a cluster and an address that parses; a
 * peer without them is left out (an agent registers before it has an
 * address only never). At most max peers are kept. 0; RM_EPARSE with
 * "peers: why" in d (not JSON, another schema); RM_ENOMEM. */
int peers_parse(const char *text, size_t len, size_t max, struct agent_peers *l, struct rm_diag *d);

/* Adds from's peers to into: a (cluster, name) already there keeps the
 * newer registration's address. 0 or RM_ENOMEM. */
int peers_merge(struct agent_peers *into, const struct agent_peers *from);

#endif

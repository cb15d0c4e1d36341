/* The probe engine: one round of checks against every destination of the
 * topology, all in one event loop (probes/loop.h). The checks are ops
 * tables (probes/check.h) listed in probes/registry.c. */
#ifndef REACHMAP_PROBES_ENGINE_H
#define REACHMAP_PROBES_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "reachmap/diag.h"
#include "reachmap/results.h"
#include "reachmap/topology.h"

struct probe_addrs;

struct probe_config {
	const struct rm_topology *topo;
	const struct rm_cluster *cluster; /* the source's */
	const char *name;		  /* the source probe's */
	unsigned timeout_ms;
	double rate;	 /* packets per second */
	unsigned checks; /* bit (1 << enum rm_check) per check to run */
	bool allow_loopback;
	uint16_t responder_port;
	unsigned icmp_count; /* echo requests per destination */
	bool raw;	     /* tcp in raw mode: libnet SYN, libpcap answers */
	/* The address to probe a destination at this round when it is not the
	 * topology's (see probes/resolve.h); NULL: the topology's. */
	const struct probe_addrs *addrs;
	/* NULL, or a descriptor that ends the round once it is readable (the
	 * agent's signalfd): engine_run then returns RM_ECANCEL within a
	 * loop turn, its results partial. The engine never reads it. */
	const int *cancel_fd;
	/* Told about a check that cannot run here (icmp without a socket);
	 * may be NULL. */
	void (*note)(const char *msg, void *arg);
	/* Where engine_run says why it could not start; may be NULL. */
	struct rm_diag *diag;
	/* Called once the raw sockets are open and before the first packet:
	 * where the caller drops its capabilities. May be NULL. */
	void (*opened)(void *arg);
	/* Called as checks finish, for a progress line; may be NULL. */
	void (*progress)(size_t done, size_t total, void *arg);
	void *progress_arg;
};

struct probe_ops;

/* The ops of a check in connect mode, or NULL when this build has none for
 * it (probes/registry.c). */
const struct probe_ops *probe_ops_for(enum rm_check check);

/* Runs one round; appends results to doc (sorted by cluster, destination,
 * check and port). 0, RM_ENOMEM, RM_ECANCEL (cfg->cancel_fd became
 * readable), or RM_ESYS when the loop itself failed or a check could not
 * open what it needs (then cfg->diag says why). */
int engine_run(const struct probe_config *cfg, struct rm_results_doc *doc);

/* How many packets a round of cfg starts before any path check (what the
 * rate limit meters: one token per check started), without opening
 * anything: the agent compares packets / rate with its interval. 0 and
 * *packets, or RM_ENOMEM. */
int engine_plan(const struct probe_config *cfg, size_t *packets);

#endif

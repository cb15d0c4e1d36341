/* reachmap agent's round loop (DESIGN.md, "The live system"): for its
 * whole life what `serve` does (probes/serve.h, in the background), and
 * every interval (+-10% jitter, on the monotonic clock) one round of the
 * probe engine to every peer and target; each round's results document
 * and an arrivals document go to every collector (agent/pusher.h). Rounds
 * never overlap and are never skipped: one that takes longer than the
 * interval is followed at once by the next, and the log line says so. */
#ifndef REACHMAP_AGENT_AGENT_H
#define REACHMAP_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "probes/engine.h"
#include "probes/serve.h"
#include "reachmap/cidr.h"
#include "reachmap/diag.h"

struct agent_config {
	const struct rm_topology *topo;
	const struct rm_cluster *cluster;
	const char *name, *zone, *dns_name;
	/* A probe of the topology; false: a target, which only serves and
	 * pushes arrivals. */
	bool probe;
	/* The pod's address as given (--address, POD_IP); RM_AF_NONE: the
	 * topology's when it is on an interface here, else the first
	 * interface address in the cluster's ranges, else the topology's. */
	struct rm_addr address;
	const struct rm_addr *topo_address; /* may be unset (a dnsName only) */
	const char *const *collectors;
	size_t ncollectors;
	const char *token;   /* NULL: none */
	const char *ca_file; /* NULL: the system's */
	const char *spool;   /* the spool's directory; one directory per collector in it */
	unsigned spool_max;  /* rounds per collector */
	unsigned interval_s;
	const char *mode; /* "raw" or "connect" */
	/* The engine's settings (cancel_fd, addrs, diag are the agent's). */
	struct probe_config probe_cfg;
	/* The responder's (ready is called once listening, before any thread
	 * starts: where capabilities are dropped). */
	struct serve_config serve_cfg;
	bool quiet; /* no line per round */
	/* Every line the agent says, without prefix or newline. */
	void (*log)(const char *line, void *arg);
	void *log_arg;
};

/* Runs the agent until SIGTERM or SIGINT, which it blocks (before any
 * thread starts) and takes through a signalfd: the round in flight is
 * abandoned within a loop turn, pushes in flight within about 100 ms,
 * every document not pushed is in the spool when it returns. 0 after a
 * signal; otherwise what kept it from starting, with d's reason naming the
 * thing: RM_ESYS (the responder's port, errno), RM_EEXIST (a spool in use
 * by another agent), RM_EIO (a spool that cannot be made), RM_EINVAL (a
 * collector URL), RM_ENOMEM. */
int agent_run(const struct agent_config *cfg, struct rm_diag *d);

#endif

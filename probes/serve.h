/* The receiving end: the identity/NAT/MTU responder (TCP and UDP), stand-in
 * listeners on the topology's ports (CQL-speaking on CQL ports), and the
 * record of what arrived. */
#ifndef REACHMAP_PROBES_SERVE_H
#define REACHMAP_PROBES_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "reachmap/results.h"
#include "reachmap/topology.h"

struct serve_config {
	const struct rm_topology *topo;
	const char *name;    /* this responder's name (the probe's) */
	const char *cluster; /* and cluster */
	uint16_t port;	     /* the responder's port (8788) */
	bool standins;	     /* listen on the topology's ports too */
	/* Told about each listener that could not be opened (a port in use
	 * by the real service, say); may be NULL. */
	void (*note)(const char *msg, void *arg);
	void *note_arg;
	/* Called once every listener is open: where the caller drops its
	 * capabilities and says it is ready. May be NULL. */
	void (*ready)(unsigned listeners, void *arg);
};

/* Serves until SIGTERM or SIGINT, then fills doc's arrivals (sources by
 * port and protocol, with counts and first/last times). 0; RM_ESYS when
 * the responder's own port cannot be opened (errno tells why); RM_ENOMEM. */
int serve_run(const struct serve_config *cfg, struct rm_results_doc *doc);

#endif

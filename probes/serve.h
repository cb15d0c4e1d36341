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

/* The same listeners in the background, for the agent. */
struct serve_bg;

/* Opens every listener and the capture on the caller's thread and calls
 * cfg->ready there, then serves on a thread of its own until serve_stop:
 * capabilities dropped in ready are dropped for that thread too. cfg (and
 * its topology) must outlive it. 0 and *out; RM_ESYS when the responder's
 * own port cannot be opened (errno tells why) or the thread cannot start;
 * RM_ENOMEM. The caller blocks SIGTERM and SIGINT itself: serve_start
 * does not touch signals. */
int serve_start(const struct serve_config *cfg, struct serve_bg **out);

/* Appends to doc's arrivals what arrived in the last three intervals (the
 * time since the third take before this one), without stopping, then
 * starts a new interval; called once per push. Why three, not "since the
 * last push": the analyzer takes an arrivals document as the whole truth
 * about what reached this pod (analyze/index.c: a probe's packet that is
 * not in it never arrived). Peers' rounds are not in step with ours: a
 * peer's round that started up to an interval before our last push, and
 * took up to an interval, sent its packets across two of our intervals;
 * the collector pairs our newest arrivals with that round. Three intervals
 * cover it with one to spare for jitter, and older entries go, so memory
 * stays bounded (and each interval's sources are bounded too; those beyond
 * are counted in a note). 0 or RM_ENOMEM. Thread-safe against the serve
 * thread; one caller at a time. */
int serve_take(struct serve_bg *bg, struct rm_results_doc *doc);

/* Stops the serve thread (through an eventfd, not a signal), closes every
 * listener and frees bg. 0, or what went wrong while serving: RM_ENOMEM
 * (an arrival could not be recorded), RM_ESYS. NULL is a no-op. */
int serve_stop(struct serve_bg *bg);

#endif

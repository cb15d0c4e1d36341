/* What `reachmap check` waits for (DESIGN.md, "The live system"): the
 * newest documents of every probe, gathered from one or more collectors
 * (GET /v1/rounds) until every probe of the topology has a round that
 * started at or after t0, the moment check started, and every pod's
 * newest arrivals document finished after the newest of those rounds did
 * (so what the responders saw of those rounds is in). Across collectors a
 * probe's newest round wins (by its start) and a pod's newest arrivals (by
 * their end): agents push to every collector, and a collector cut off by
 * a partition only has older ones. A probe's fresh round, once a poll
 * brought it, stays: newer rounds keep coming every interval, and waiting
 * for arrivals that cover the newest would never end.
 *
 * Times are the documents' own, to the second (a round that started in
 * t0's second counts). One thread; the collectors are asked one after the
 * other. */
#ifndef REACHMAP_COLLECTOR_GATHER_H
#define REACHMAP_COLLECTOR_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/client.h"
#include "reachmap/diag.h"
#include "reachmap/report.h"
#include "reachmap/results.h"
#include "reachmap/topology.h"

enum gather_state {
	GATHER_UNTRIED = 0,
	GATHER_ANSWERS, /* its last answer was read */
	GATHER_FAILING, /* no answer, a 5xx, or not reachmap.rounds/v1: asked again */
	GATHER_REFUSED, /* 401, 403, 404: asking again cannot help */
};

struct gather_source {
	const char *url;
	enum gather_state state;
	bool answered;		       /* an answer was read at least once */
	char reason[RM_DIAG_LEN + 64]; /* why its last request failed; "" when it answers */
};

struct gather;

/* A gatherer of the collectors at urls (copied), each through a client
 * made with copts, for the probes and pods of topo (which must outlive
 * it); t0_ms: check's start (ms since the epoch). RM_OK and *out;
 * RM_EINVAL with "URL: why" in d for a URL that is not one; RM_ENOMEM. */
int gather_new(const struct rm_topology *topo, const char *const *urls, size_t nurls,
	       const struct client_opts *copts, int64_t t0_ms, struct gather **out,
	       struct rm_diag *d);
void gather_free(struct gather *g);

/* Asks every collector not refused for GET /v1/rounds, once, and keeps the
 * newest documents. *changed: how many collectors' state changed (a note
 * is due: gather_source says which and why). RM_OK or RM_ENOMEM. */
int gather_poll(struct gather *g, size_t *changed);

size_t gather_nsources(const struct gather *g);
const struct gather_source *gather_source(const struct gather *g, size_t i);
/* Every collector refused (401, 403, 404): nothing will come. */
bool gather_all_refused(const struct gather *g);
/* At least one collector answered at least once. */
bool gather_any_answered(const struct gather *g);

/* What is still awaited. The names are the topology's. */
struct gather_wait {
	const char **probes; /* probes without a round started at or after t0 */
	size_t nprobes;
	size_t nall;	   /* the topology's probes */
	const char **pods; /* pods whose newest arrivals finished before the newest fresh round */
	size_t npods;
};

/* RM_OK and *w (free with gather_wait_free), or RM_ENOMEM. Done when both
 * lists are empty. */
int gather_waiting(const struct gather *g, struct gather_wait *w);
void gather_wait_free(struct gather_wait *w);

/* The documents to analyze, lent until gather_free: every round that
 * started at or after t0 (by probe name), then every arrivals document
 * that finished at or after t0 (by pod name; an older one says nothing of
 * the rounds judged). RM_OK and *docs (rm_free the array), or RM_ENOMEM. */
int gather_docs(const struct gather *g, const struct rm_results_doc ***docs, size_t *n);

/* Rewrites the summary of each probe-missing finding of a probe without a
 * fresh round: it sent no round since check started at t0, within the
 * wait_s seconds waited, and when its last round (if any collector has
 * one) started. RM_OK or RM_ENOMEM. */
int gather_explain_missing(const struct gather *g, struct rm_report *r, unsigned wait_s);

#endif

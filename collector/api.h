/* The collector's HTTP API (DESIGN.md, "Collector HTTP API"): the route
 * table that joins the HTTP front (http.h) to the live matrix (live.h) and
 * the store. The server answers /healthz at once and the rest once the
 * store is open (503 until then), so a large store loading at start never
 * makes a liveness probe kill the pod. */
#ifndef REACHMAP_COLLECTOR_API_H
#define REACHMAP_COLLECTOR_API_H

#include <stdint.h>

#include "collector/http.h"
#include "collector/live.h"
#include "collector/store.h"
#include "reachmap/topology.h"

struct collector_opts {
	const char *db; /* the SQLite file */
	struct store_opts store;
	struct live_opts live;
	struct http_opts http;
};

struct collector;

/* Serves, not ready yet. The topology and o's strings must outlive it. */
int collector_start(const struct rm_topology *topo, const struct collector_opts *o,
		    struct collector **out, struct rm_diag *d);
uint16_t collector_port(const struct collector *c);
/* Opens the store, loads the live matrix from it, then answers every
 * route. */
int collector_open(struct collector *c, int64_t now_ms, struct rm_diag *d);
/* The store's pruning (--retain, --history); a no-op before collector_open. */
int collector_prune(struct collector *c, int64_t now_ms, struct rm_diag *d);
/* Stops serving (requests in flight finish), then closes the store. */
void collector_stop(struct collector *c);

/* Wall-clock ms since the epoch. */
int64_t collector_now_ms(void);

#endif

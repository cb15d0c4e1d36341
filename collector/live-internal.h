/* The live matrix's state, shared by live.c (ingest, restart), live_report.c
 * (the cached report, since, metrics) and live_json.c (register, peers,
 * history). Nothing outside collector/live*.c includes it. */
#ifndef REACHMAP_COLLECTOR_LIVE_INTERNAL_H
#define REACHMAP_COLLECTOR_LIVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "collector/live.h"
#include "collector/names.h"
#include "reachmap/report.h"
#include "reachmap/results.h"

/* A document as read, shared by the live state and the reports analyzed
 * from it (the matrix lends its results): freed by the last unref. */
struct ldoc {
	atomic_int refs;
	int64_t received_ms;
	struct rm_results_doc doc;
};

/* A cell's current status: 16 bytes, kept sorted by (to, check, port) in
 * its probe's array, so a round is merged against the last in one walk. */
struct lcell {
	uint32_t to; /* id in live.ends */
	uint16_t port;
	uint8_t check;
	uint8_t status;
	int64_t since_ms;
};

/* A name the collector knows: declared in the topology (a probe or a
 * target), registered, or met in the store. */
struct lnode {
	const char *name; /* live.node_names owns it */
	const char *cluster;
	bool declared, registered, probe;
	struct ldoc *round;    /* its newest round, NULL: none */
	struct ldoc *arrivals; /* its newest serve document */
	struct lcell *cells;
	size_t ncells, capcells;
};

#define LIVE_RENDERERS 8

/* A rendered report's bytes, shared by the cache and the responses still
 * sending them: a slow reader holds these, never the fleet's documents. */
struct lbytes {
	atomic_int refs;
	size_t len;
	char data[];
};

/* One analysis of the fresh documents, with each renderer's bytes made
 * when first asked for. */
struct lcache {
	int refs; /* under live.cache_lock */
	struct rm_report report;
	struct ldoc **docs; /* what it was made from, in node order */
	size_t ndocs;
	int64_t at_ms;
	double compute_s;
	pthread_mutex_t render_lock;
	struct lbytes *out[LIVE_RENDERERS];
	char generated[21];
};

enum live_outcome {
	LIVE_STORED = 0,
	LIVE_DUPLICATE,
	LIVE_OUTDATED,
	LIVE_INVALID,
	LIVE_UNKNOWN,
	LIVE_FAILED,
	LIVE_OUTCOME_COUNT,
};

struct live {
	const struct rm_topology *topo;
	struct store *store;
	struct live_opts o;
	int64_t start_ms;

	pthread_mutex_t lock; /* everything below up to the cache */
	struct names node_names;
	struct lnode *nodes; /* by id in node_names */
	size_t capnodes;
	struct names ends; /* the endpoints cells go to */

	pthread_mutex_t cache_lock;
	pthread_cond_t cache_cond;
	bool computing;
	struct lcache *cache;
	uint64_t computations;

	atomic_ullong outcomes[LIVE_OUTCOME_COUNT];
	atomic_ullong results;
	atomic_ullong lost; /* rounds agents' spools dropped, as their pushes said */
};

/* The node called name, added (undeclared) when new; NULL when out of
 * memory. Under live.lock. */
struct lnode *live_node(struct live *l, const char *name);
/* The node called name, or NULL. Under live.lock. */
struct lnode *live_node_find(struct live *l, const char *name);
/* The cell of node n toward endpoint `to`, or NULL. Under live.lock. */
const struct lcell *live_cell(const struct live *l, const struct lnode *n, const char *to,
			      enum rm_check check, uint16_t port);

/* A stored document's gzip bytes (RFC 1952) inflated into *out
 * (rm_malloc'd), *outlen bytes. RM_OK, RM_EPARSE for bytes that are not
 * gzip, RM_ENOMEM. */
int live_gunzip(const void *in, size_t inlen, char **out, size_t *outlen);

void ldoc_unref(struct ldoc *d);
/* A round is fresh while younger than three intervals. */
bool live_fresh(const struct live *l, const struct ldoc *d, int64_t now_ms);
/* Drops the cache (live_free). */
void live_cache_free(struct live *l);

#endif

/* The live matrix (DESIGN.md, "The live system"): what a collector knows
 * of its fleet between pushes. It reads each pushed round through the same
 * reader as `analyze`, keeps the newest round of every probe (and the
 * newest arrivals of every responder) in memory, the current status of
 * every cell and since when, hands the store the round and the cells that
 * changed, and analyzes on demand: the report is cached and recomputed at
 * most once a second, and only after something changed.
 *
 * A round is fresh while it is younger than three intervals (by the
 * collector's clock: agents' clocks may be wrong); the report is
 * analyze_round over the fresh ones, so a probe whose last round is older,
 * or that never sent one, is a probe-missing finding: a matrix with a hole
 * is never a pass.
 *
 * Thread-safe: HTTP workers call every function at once. Times are ms
 * since the epoch, given by the caller. */
#ifndef REACHMAP_COLLECTOR_LIVE_H
#define REACHMAP_COLLECTOR_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collector/store.h"
#include "reachmap/diag.h"
#include "reachmap/topology.h"

struct live;

struct live_opts {
	int64_t interval_ms; /* the agents' --interval; 0: 10 s */
	unsigned retain;     /* rounds kept per probe; 0: keep all */
	int64_t history_ms;  /* transitions kept; 0: 7 days */
};

/* Loads the cells' statuses and the newest rounds from the store (the
 * collector restarts where it stopped). The topology and the store must
 * outlive it. */
int live_new(const struct rm_topology *topo, struct store *store, const struct live_opts *o,
	     int64_t now_ms, struct live **out, struct rm_diag *d);
void live_free(struct live *l);

struct live_ingest_info {
	const char *probe; /* in the live's memory, valid while it lives */
	size_t results;
	size_t transitions;
	unsigned lost; /* the document's "lost": rounds its agent's spool dropped */
	bool stored;   /* false: (probe, started) was stored before: a retry */
	bool outdated; /* stored, but older than the probe's newest round */
};

/* One pushed reachmap.results/v1 document: text (len bytes, JSON) is
 * what is read; raw/rawlen/gzip what the store keeps. Returns after the
 * store committed. RM_EPARSE: the document is invalid (d: "field.path:
 * what"); RM_ENOTFOUND: its probe is neither in the topology nor
 * registered; RM_EIO: the store failed; RM_ENOMEM. */
int live_ingest(struct live *l, const char *text, size_t len, const void *raw, size_t rawlen,
		bool gzip, int64_t now_ms, struct live_ingest_info *info, struct rm_diag *d);

/* A reachmap.register/v1 document {name, cluster, zone?, addresses[],
 * dnsName?}. RM_EPARSE, RM_ENOTFOUND (a cluster the topology does not
 * have, or a name the topology gives another cluster), RM_EIO. */
int live_register(struct live *l, const char *text, size_t len, int64_t now_ms, struct rm_diag *d);

/* The live report rendered by the renderer called `format` ("json": the
 * reachmap.report/v1 document with since per finding and evidence cell;
 * "html": the heat map, reloading itself every interval; "prom", "text",
 * "junit"), from the cache when nothing changed or the cache is younger
 * than a second. *out is rm_malloc'd. RM_EINVAL for an unknown format.
 * info (may be NULL) says what the call cost. */
struct live_report_info {
	bool analyzed;	    /* this call analyzed anew (the cache did not hold) */
	double analysis_ms; /* how long that took */
	double render_ms;   /* rendering done by this call; 0: the bytes were cached */
};

int live_report(struct live *l, const char *format, int64_t now_ms, char **out, size_t *len,
		struct live_report_info *info, struct rm_diag *d);
/* The same, the cached bytes lent instead of copied (megabytes for a
 * thousand probes): they stay valid until live_report_release(*lent). */
int live_report_lend(struct live *l, const char *format, int64_t now_ms, const char **out,
		     size_t *len, void **lent, struct live_report_info *info, struct rm_diag *d);
void live_report_release(void *lent);

/* reachmap.history/v1: the transitions of the cells from probe `from` to
 * endpoint `to` (either NULL: any) in [since_ms, until_ms). */
int live_history(struct live *l, const char *from, const char *to, int64_t since_ms,
		 int64_t until_ms, char **out, size_t *len, struct rm_diag *d);

/* reachmap.rounds/v1: the newest round and the newest arrivals document
 * of every probe the store holds, each copied as it was pushed (gzip ones
 * inflated), never parsed again: {"schema", "collectorStarted",
 * "generated", "rounds": [DOC, ...]}. Every latest document, not only the
 * fresh ones the live report is analyzed from: `reachmap check` judges a
 * round by whether it started after check did, which the collector's
 * three intervals neither give nor take away, and with several
 * collectors the newest of each probe is check's to pick. A stored
 * document that cannot be inflated is left out. RM_EIO when the store
 * fails, RM_ENOMEM. */
int live_rounds(struct live *l, int64_t now_ms, char **out, size_t *len, struct rm_diag *d);

/* reachmap.peers/v1: the registered probes of `cluster` (NULL: all). */
int live_peers(struct live *l, const char *cluster, char **out, size_t *len, struct rm_diag *d);

/* The report's series (cells per status per cluster pair and check,
 * findings per kind and severity) and the live's own (each probe's
 * last-round age, rounds ingested by outcome, results ingested). */
int live_metrics(struct live *l, int64_t now_ms, FILE *out);

/* How long transitions are kept (--history, its default applied): the
 * window a history query covers when it names no start. */
int64_t live_history_ms(const struct live *l);

/* Drops the transitions older than --history and, with rounds, every
 * probe's rounds beyond --retain (each push drops its own probe's, so
 * that is needed only at start). */
int live_prune(struct live *l, int64_t now_ms, bool rounds, struct rm_diag *d);

#endif

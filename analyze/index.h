/* The index of a round, built once and shared by the rules, the matrix and
 * the expectations: every endpoint of the topology numbered, every result
 * filed under its (source cluster, destination cluster, check), and the
 * arrivals the responders saw as a set. Without it every rule walks every
 * result of every document for every cluster pair; a round of a thousand
 * probes has six million. Internal to analyze/. */
#ifndef ANALYZE_INDEX_H
#define ANALYZE_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "reachmap/report.h"
#include "reachmap/results.h"
#include "reachmap/topology.h"

#define AN_NONE UINT32_MAX

/* A probe or target of the topology. */
struct an_endpoint {
	const char *name;
	const char *zone; /* NULL when not given */
	/* The topology's, or for an entry without one the documents'
	 * (endpoint_addresses); NULL: none known. */
	const struct rm_addr *address;
	uint32_t cluster; /* index into topo->clusters */
	uint32_t row;	  /* probes: the row of the matrix; targets: AN_NONE */
};

/* One result: the document, the result in it, the destination endpoint
 * (AN_NONE: not in the topology). */
struct an_ref {
	uint32_t doc, res, to;
};

struct an_index {
	const struct rm_topology *topo;
	const struct rm_results_doc *const *docs;
	size_t ndocs;
	size_t nclusters;
	struct an_endpoint *ep; /* each cluster's probes, then its targets */
	size_t nep, nprobes;
	uint32_t *ep_slots; /* open addressing by name: endpoint + 1, 0 empty */
	size_t ep_mask;
	uint32_t *doc_cluster; /* per document: its cluster, or AN_NONE */
	uint32_t *doc_probe;   /* per document: its probe's endpoint, or AN_NONE */
	bool *reported;	       /* per endpoint: a document of its with results */
	struct an_ref *refs;
	size_t nrefs;
	/* The destination endpoint of every result in document order: result
	 * i of document d is res_to[doc_first[d] + i] (AN_NONE: not in the
	 * topology, or its clusters are not). For passes that read the
	 * results in memory order. */
	uint32_t *res_to;
	size_t *doc_first;
	size_t *bucket;	   /* refs of (a, b, check) are refs[bucket[k] .. bucket[k + 1]) */
	uint64_t *arrived; /* set of (responder, source, port) + 1 keys, 0 empty */
	size_t arrived_mask;
	bool *responder_said; /* per endpoint: a serve document with arrivals */
	/* per endpoint: a serve document of it could not capture ("arrivalsBy":
	 * "accept"): what it did not accept may still have arrived */
	bool *responder_blind;
};

/* 0, RM_ENOMEM. Free with an_index_free (also after a failure). */
int an_index_build(struct an_index *ix, const struct rm_topology *topo,
		   const struct rm_results_doc *const *docs, size_t ndocs);
void an_index_free(struct an_index *ix);

/* The endpoint called name, or AN_NONE. */
uint32_t an_endpoint_find(const struct an_index *ix, const char *name);

/* The cluster index of name, or AN_NONE. */
uint32_t an_cluster_find(const struct an_index *ix, const char *name);

/* The last name looked up and its answer: documents list their results
 * target by target, so the previous lookup is nearly always the answer. */
struct an_last {
	const char *name;
	uint32_t id;
};

/* an_cluster_find, remembering the last answer in l (zeroed to start). */
uint32_t an_cluster_cached(const struct an_index *ix, struct an_last *l, const char *name);

/* The refs of source cluster a, destination cluster b, check chk are
 * refs[bucket[k] .. bucket[k + 1]) for this k. */
static inline size_t an_bucket_key(const struct an_index *ix, size_t a, size_t b, enum rm_check chk)
{
	return (a * ix->nclusters + b) * RM_CHECK_COUNT + (size_t)chk;
}

/* Those refs, and how many in *n. */
static inline const struct an_ref *an_bucket(const struct an_index *ix, size_t a, size_t b,
					     enum rm_check chk, size_t *n)
{
	size_t k = an_bucket_key(ix, a, b, chk);

	*n = ix->bucket[k + 1] - ix->bucket[k];
	return ix->refs + ix->bucket[k];
}

static inline const struct rm_result *an_result(const struct an_index *ix, const struct an_ref *ref)
{
	return &ix->docs[ref->doc]->results[ref->res];
}

/* Whether the responder at endpoint `to` saw tcp traffic from the probe of
 * document `doc` arrive on port: 1 yes, 0 no, -1 nobody said (no serve
 * document for `to`, or `to` could not capture and did not accept it). */
int an_arrived(const struct an_index *ix, uint32_t to, uint32_t doc, uint16_t port);

/* Whether the endpoint's serve documents say it could not capture. */
static inline bool an_blind(const struct an_index *ix, uint32_t to)
{
	return to != AN_NONE && ix->responder_blind[to];
}

/* The matrix (cluster-pair counts, the grid, the cells' detail), in arena. */
int an_matrix(const struct an_index *ix, struct rm_arena *arena, struct rm_matrix *out);

/* The topology's expectations judged cell by cell into report. */
int an_expectations(const struct an_index *ix, struct rm_report *report);

/* The causes of the round (not the plan findings), appended to out. */
int an_rules(const struct an_index *ix, struct rm_findings *out);

/* The unhealthy cells no finding of out covers, as `unexplained` findings
 * appended to out (analyze/coverage.c); the matrix's counts say which
 * cluster pairs and checks have no unhealthy cell to look at. 0, or
 * RM_ENOMEM. */
int an_unexplained(const struct an_index *ix, const struct rm_matrix *m, struct rm_findings *out);

#endif

/* The live report: analyze_round over the fresh documents, cached. A new
 * analysis is made only when the set of fresh documents changed (a push
 * came, or a round aged out) and the last one is at least a second old;
 * one thread makes it while the others serve the previous one, so a fleet
 * of a thousand probes pushing ten rounds a second costs one analysis a
 * second at most, and none when nobody asks. */
/* open_memstream: _GNU_SOURCE comes from CMakeLists.txt */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/live-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/json_scratch.h"
#include "reachmap/timefmt.h"

#define RECOMPUTE_MS 1000

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bytes_unref(struct lbytes *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		rm_free(b);
}

static void cache_unref(struct lcache *c)
{
	size_t i;

	if (c == NULL || --c->refs > 0)
		return;
	findings_free(&c->report.findings);
	for (i = 0; i < c->ndocs; i++)
		ldoc_unref(c->docs[i]);
	for (i = 0; i < LIVE_RENDERERS; i++)
		bytes_unref(c->out[i]);
	rm_free(c->docs);
	pthread_mutex_destroy(&c->render_lock);
	rm_free(c);
}

void live_cache_free(struct live *l)
{
	pthread_mutex_lock(&l->cache_lock);
	cache_unref(l->cache);
	l->cache = NULL;
	pthread_mutex_unlock(&l->cache_lock);
}

/* The fresh documents, referenced, in node order. Under live.lock. */
static int fresh_docs(struct live *l, int64_t now_ms, struct ldoc ***out, size_t *n)
{
	struct ldoc **v = rm_malloc((2 * (size_t)l->node_names.n + 1) * sizeof(*v));
	uint32_t i;

	*n = 0;
	if ((*out = v) == NULL)
		return RM_ENOMEM;
	for (i = 0; i < l->node_names.n; i++) {
		struct ldoc *pair[2] = { l->nodes[i].round, l->nodes[i].arrivals };
		int k;

		for (k = 0; k < 2; k++)
			if (live_fresh(l, pair[k], now_ms)) {
				atomic_fetch_add(&pair[k]->refs, 1);
				v[(*n)++] = pair[k];
			}
	}
	return RM_OK;
}

static void release(struct ldoc **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ldoc_unref(v[i]);
	rm_free(v);
}

/* A probe-missing finding says how long the probe has been silent: since
 * its last round aged out, or since the collector's first interval
 * passed without one (never later than now: a report made during the
 * first interval must not date the finding in its future). */
static void annotate_missing(struct live *l, struct rm_finding *f, struct rm_arena *a,
			     int64_t now_ms)
{
	const struct lnode *n = live_node_find(l, f->from.probes[0]);
	int64_t three = 3 * l->o.interval_ms;
	char when[RM_TIME_STRLEN];

	if (n == NULL)
		return;
	if (n->round == NULL) {
		f->since_ms = l->start_ms + l->o.interval_ms;
		if (f->since_ms > now_ms)
			f->since_ms = now_ms;
		f->summary = rm_arena_printf(
		    a,
		    "probe %s of %s has sent no round since the collector "
		    "started at %s (rounds come every %" PRId64 " s)",
		    n->name, f->from.cluster,
		    rm_time_format((time_t)(l->start_ms / 1000), when, sizeof(when)),
		    l->o.interval_ms / 1000);
		return;
	}
	f->since_ms = n->round->received_ms + three;
	f->summary = rm_arena_printf(
	    a,
	    "probe %s of %s: its last round arrived at %s, more than three intervals (%" PRId64
	    " s) ago",
	    n->name, f->from.cluster,
	    rm_time_format((time_t)(n->round->received_ms / 1000), when, sizeof(when)),
	    three / 1000);
}

/* since, per evidence cell and per finding (its oldest cell). Under
 * live.lock: the cells change with every push. */
static void annotate(struct live *l, struct rm_report *r, int64_t now_ms)
{
	size_t i, k;

	for (i = 0; i < r->findings.n; i++) {
		struct rm_finding *f = &r->findings.v[i];

		if (f->kind == RM_FINDING_PROBE_MISSING && f->from.nprobes == 1) {
			annotate_missing(l, f, r->findings.arena, now_ms);
			continue;
		}
		for (k = 0; k < f->nevidence; k++) {
			struct rm_evidence *e = &f->evidence[k];
			const struct lnode *n;
			const struct lcell *c;
			enum rm_check check;

			enum rm_check_status st;

			/* A cell whose status is not the evidence's (a round came
			 * in since the analysis), or a healthy one a finding lists
			 * beside the failing ones, says nothing of when this
			 * failure began. */
			if (e->from == NULL || e->to == NULL || e->check == NULL ||
			    e->status == NULL || rm_check_parse(e->check, &check) != RM_OK ||
			    rm_status_parse(e->status, &st) != RM_OK ||
			    analyze_health(check, st) == RM_HEALTH_HEALTHY ||
			    (n = live_node_find(l, e->from)) == NULL ||
			    (c = live_cell(l, n, e->to, check, e->port)) == NULL || c->status != st)
				continue;
			e->since_ms = c->since_ms;
			if (f->since_ms == 0 || c->since_ms < f->since_ms)
				f->since_ms = c->since_ms;
		}
	}
}

static struct lcache *compute(struct live *l, struct ldoc **docs, size_t n, int64_t now_ms)
{
	struct lcache *c = rm_calloc(1, sizeof(*c));
	const struct rm_results_doc **ptrs = rm_malloc((n + 1) * sizeof(*ptrs));
	double t0 = mono_s();
	size_t i;
	int rc;

	if (c == NULL || ptrs == NULL || findings_init(&c->report.findings) != RM_OK) {
		rm_free(c);
		rm_free(ptrs);
		release(docs, n);
		return NULL;
	}
	c->refs = 1;
	c->docs = docs;
	c->ndocs = n;
	c->at_ms = now_ms;
	pthread_mutex_init(&c->render_lock, NULL);
	for (i = 0; i < n; i++)
		ptrs[i] = &docs[i]->doc;
	c->report.command = "collect";
	c->report.generated =
	    rm_time_format((time_t)(now_ms / 1000), c->generated, sizeof(c->generated));
	c->report.topo = l->topo;
	c->report.refresh_s = (unsigned)((l->o.interval_ms + 999) / 1000);
	rc = analyze_round(&c->report, ptrs, n);
	rm_free(ptrs);
	if (rc != RM_OK) {
		cache_unref(c);
		return NULL;
	}
	pthread_mutex_lock(&l->lock);
	annotate(l, &c->report, now_ms);
	pthread_mutex_unlock(&l->lock);
	c->compute_s = mono_s() - t0;
	return c;
}

static bool same_docs(const struct lcache *c, struct ldoc **v, size_t n)
{
	return c != NULL && c->ndocs == n && memcmp(c->docs, v, n * sizeof(*v)) == 0;
}

/* The report to serve, referenced: the cache when it still holds or is
 * younger than a second, a new one otherwise. NULL when out of memory. */
static struct lcache *current(struct live *l, int64_t now_ms)
{
	struct ldoc **docs;
	struct lcache *c;
	size_t n;

	pthread_mutex_lock(&l->lock);
	if (fresh_docs(l, now_ms, &docs, &n) != RM_OK) {
		pthread_mutex_unlock(&l->lock);
		return NULL;
	}
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_lock(&l->cache_lock);
	/* While another thread analyzes, the last report stands in only
	 * while it is younger than an interval: an older one may predate the
	 * fault the new one will show. */
	while (l->computing && (l->cache == NULL || now_ms - l->cache->at_ms >= l->o.interval_ms))
		pthread_cond_wait(&l->cache_cond, &l->cache_lock);
	c = l->cache;
	if (c != NULL &&
	    (same_docs(c, docs, n) || now_ms - c->at_ms < RECOMPUTE_MS || l->computing)) {
		c->refs++;
		pthread_mutex_unlock(&l->cache_lock);
		release(docs, n);
		return c;
	}
	l->computing = true;
	pthread_mutex_unlock(&l->cache_lock);
	c = compute(l, docs, n, now_ms);
	pthread_mutex_lock(&l->cache_lock);
	l->computing = false;
	/* A failed analysis leaves the last report in place for those who
	 * may still have it, but this caller gets the failure: serving it
	 * on and on would hide that nothing new can be analyzed. */
	if (c != NULL) {
		cache_unref(l->cache);
		l->cache = c;
		l->computations++;
		c->refs++;
	}
	pthread_cond_broadcast(&l->cache_cond);
	pthread_mutex_unlock(&l->cache_lock);
	return c;
}

/* The renderer's bytes of c, made once. */
static int rendered(struct lcache *c, size_t k, const struct report_ops *ops,
		    struct live_report_info *info)
{
	int rc = RM_OK;

	pthread_mutex_lock(&c->render_lock);
	if (c->out[k] == NULL) {
		char *buf = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&buf, &n);
		double t0 = mono_s();

		/* The json renderer's tree is made and printed here, and
		 * gone before the scope ends. */
		rm_json_scratch_begin();
		rc = f == NULL ? RM_ENOMEM : ops->render(&c->report, f);
		rm_json_scratch_end();
		if (f != NULL && fclose(f) != 0 && rc == RM_OK)
			rc = RM_ENOMEM;
		if (rc == RM_OK && (c->out[k] = rm_malloc(sizeof(struct lbytes) + n + 1)) == NULL)
			rc = RM_ENOMEM;
		if (rc == RM_OK) {
			atomic_init(&c->out[k]->refs, 1);
			c->out[k]->len = n;
			memcpy(c->out[k]->data, buf, n + 1);
		}
		free(buf); /* open_memstream's, not ours */
		info->render_ms = (mono_s() - t0) * 1e3;
	}
	pthread_mutex_unlock(&c->render_lock);
	return rc;
}

/* The current report rendered by `format`, referenced (bytes_unref). */
static int report_bytes(struct live *l, const char *format, int64_t now_ms, struct lbytes **out,
			struct live_report_info *info, struct rm_diag *d)
{
	const struct report_ops *ops;
	struct lcache *c;
	uint64_t before;
	size_t k;
	int rc;

	memset(info, 0, sizeof(*info));
	for (k = 0; (ops = report_nth(k)) != NULL; k++)
		if (strcmp(ops->name, format) == 0)
			break;
	if (ops == NULL || k >= LIVE_RENDERERS) {
		rm_diag_error(d, "no such format: %s", format);
		return RM_EINVAL;
	}
	pthread_mutex_lock(&l->cache_lock);
	before = l->computations;
	pthread_mutex_unlock(&l->cache_lock);
	if ((c = current(l, now_ms)) == NULL) {
		rm_diag_error(d, "the report cannot be analyzed: out of memory");
		return RM_ENOMEM;
	}
	pthread_mutex_lock(&l->cache_lock);
	if (l->computations != before && c == l->cache) {
		info->analyzed = true;
		info->analysis_ms = c->compute_s * 1e3;
	}
	pthread_mutex_unlock(&l->cache_lock);
	rc = rendered(c, k, ops, info);
	if (rc == RM_OK) {
		*out = c->out[k];
		atomic_fetch_add(&(*out)->refs, 1);
	} else {
		rm_diag_error(d, "cannot render the report as %s: %s", format, rm_strerror(rc));
	}
	pthread_mutex_lock(&l->cache_lock);
	cache_unref(c);
	pthread_mutex_unlock(&l->cache_lock);
	return rc;
}

int live_report(struct live *l, const char *format, int64_t now_ms, char **out, size_t *len,
		struct live_report_info *info, struct rm_diag *d)
{
	struct live_report_info ignored;
	struct lbytes *b;
	int rc = report_bytes(l, format, now_ms, &b, info != NULL ? info : &ignored, d);

	if (rc != RM_OK)
		return rc;
	if ((*out = rm_malloc(b->len + 1)) != NULL) {
		memcpy(*out, b->data, b->len + 1);
		*len = b->len;
	} else {
		rm_diag_error(d, "out of memory");
		rc = RM_ENOMEM;
	}
	bytes_unref(b);
	return rc;
}

void live_report_release(void *lent)
{
	bytes_unref(lent);
}

int live_report_lend(struct live *l, const char *format, int64_t now_ms, const char **out,
		     size_t *len, void **lent, struct live_report_info *info, struct rm_diag *d)
{
	struct live_report_info ignored;
	struct lbytes *b;
	int rc = report_bytes(l, format, now_ms, &b, info != NULL ? info : &ignored, d);

	if (rc != RM_OK)
		return rc;
	*out = b->data;
	*len = b->len;
	*lent = b;
	return RM_OK;
}

static const char *const outcome_names[LIVE_OUTCOME_COUNT] = {
	[LIVE_STORED] = "stored",   [LIVE_DUPLICATE] = "duplicate",   [LIVE_OUTDATED] = "outdated",
	[LIVE_INVALID] = "invalid", [LIVE_UNKNOWN] = "unknown_probe", [LIVE_FAILED] = "failed",
};

/* Per probe, never per probe pair: a fleet of a thousand is a thousand
 * series here, not a million. */
static void probe_ages(struct live *l, int64_t now_ms, FILE *out)
{
	uint32_t i;

	fputs("# HELP reachmap_probe_last_round_age_seconds Age of each probe's newest round.\n"
	      "# TYPE reachmap_probe_last_round_age_seconds gauge\n",
	      out);
	pthread_mutex_lock(&l->lock);
	for (i = 0; i < l->node_names.n; i++) {
		const struct lnode *n = &l->nodes[i];

		if (n->round != NULL && n->cluster != NULL)
			fprintf(
			    out,
			    "reachmap_probe_last_round_age_seconds{probe=\"%s\",cluster=\"%s\"} "
			    "%.3f\n",
			    n->name, n->cluster, (double)(now_ms - n->round->received_ms) / 1e3);
	}
	pthread_mutex_unlock(&l->lock);
}

int live_metrics(struct live *l, int64_t now_ms, FILE *out)
{
	char *prom = NULL;
	size_t len = 0, k;
	double compute_s = 0;
	uint64_t computations;
	int rc = live_report(l, "prom", now_ms, &prom, &len, NULL, NULL);

	if (rc == RM_OK)
		fwrite(prom, 1, len, out);
	rm_free(prom);
	probe_ages(l, now_ms, out);
	fputs("# HELP reachmap_ingest_rounds_total Pushed documents by outcome.\n"
	      "# TYPE reachmap_ingest_rounds_total counter\n",
	      out);
	for (k = 0; k < LIVE_OUTCOME_COUNT; k++)
		fprintf(out, "reachmap_ingest_rounds_total{outcome=\"%s\"} %llu\n",
			outcome_names[k], (unsigned long long)atomic_load(&l->outcomes[k]));
	fprintf(out,
		"# HELP reachmap_ingest_results_total Results of the rounds stored.\n"
		"# TYPE reachmap_ingest_results_total counter\n"
		"reachmap_ingest_results_total %llu\n"
		"# HELP reachmap_collector_rounds_lost_total Rounds agents' spools dropped unsent, "
		"as their next pushes said.\n"
		"# TYPE reachmap_collector_rounds_lost_total counter\n"
		"reachmap_collector_rounds_lost_total %llu\n",
		(unsigned long long)atomic_load(&l->results),
		(unsigned long long)atomic_load(&l->lost));
	pthread_mutex_lock(&l->cache_lock);
	computations = l->computations;
	if (l->cache != NULL)
		compute_s = l->cache->compute_s;
	pthread_mutex_unlock(&l->cache_lock);
	fprintf(out,
		"# HELP reachmap_report_analyses_total Analyses of the live report made.\n"
		"# TYPE reachmap_report_analyses_total counter\n"
		"reachmap_report_analyses_total %llu\n"
		"# HELP reachmap_report_analysis_seconds How long the newest analysis took.\n"
		"# TYPE reachmap_report_analysis_seconds gauge\n"
		"reachmap_report_analysis_seconds %.6f\n",
		(unsigned long long)computations, compute_s);
	return ferror(out) ? RM_EIO : rc;
}

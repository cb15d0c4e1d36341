/* The live matrix: ingest of pushed rounds, the cells' current statuses,
 * and the restart from the store. The report built from it is in
 * live_report.c; register, peers and history in live_json.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "collector/live-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

#define DAY_MS (24 * 3600 * 1000LL)

void ldoc_unref(struct ldoc *d)
{
	if (d != NULL && atomic_fetch_sub(&d->refs, 1) == 1) {
		results_doc_free(&d->doc);
		rm_free(d);
	}
}

bool live_fresh(const struct live *l, const struct ldoc *d, int64_t now_ms)
{
	return d != NULL && now_ms - d->received_ms < 3 * l->o.interval_ms;
}

struct lnode *live_node_find(struct live *l, const char *name)
{
	uint32_t id = names_find(&l->node_names, name);

	return id == NAMES_NONE ? NULL : &l->nodes[id];
}

struct lnode *live_node(struct live *l, const char *name)
{
	uint32_t id = names_add(&l->node_names, name);

	if (id == NAMES_NONE)
		return NULL;
	if (id >= l->capnodes) {
		size_t cap = l->capnodes ? l->capnodes * 2 : 256;
		struct lnode *v = rm_realloc(l->nodes, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		memset(v + l->capnodes, 0, (cap - l->capnodes) * sizeof(*v));
		l->nodes = v;
		l->capnodes = cap;
	}
	if (l->nodes[id].name == NULL)
		l->nodes[id].name = l->node_names.v[id];
	return &l->nodes[id];
}

static int cell_cmp(const struct lcell *a, const struct lcell *b)
{
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static int cell_qcmp(const void *a, const void *b)
{
	return cell_cmp(a, b);
}

const struct lcell *live_cell(const struct live *l, const struct lnode *n, const char *to,
			      enum rm_check check, uint16_t port)
{
	struct lcell key = { .to = names_find(&l->ends, to),
			     .port = port,
			     .check = (uint8_t)check };

	if (key.to == NAMES_NONE || n->ncells == 0)
		return NULL;
	return bsearch(&key, n->cells, n->ncells, sizeof(key), cell_qcmp);
}

/* Room for `need` cells in n. */
static int cells_reserve(struct lnode *n, size_t need)
{
	struct lcell *v;
	size_t cap = n->capcells ? n->capcells : 64;

	if (need <= n->capcells)
		return RM_OK;
	while (cap < need)
		cap *= 2;
	if ((v = rm_realloc(n->cells, cap * sizeof(*v))) == NULL)
		return RM_ENOMEM;
	n->cells = v;
	n->capcells = cap;
	return RM_OK;
}

/* ---- restart: the store's cells, peers and newest documents ---- */

static int restore_cell(const struct store_cell_state *s, void *arg)
{
	struct live *l = arg;
	struct lnode *n = live_node(l, s->cell.from);
	uint32_t to = names_add(&l->ends, s->cell.to);

	if (n == NULL || to == NAMES_NONE || cells_reserve(n, n->ncells + 1) != RM_OK)
		return RM_ENOMEM;
	n->cells[n->ncells++] = (struct lcell){ .to = to,
						.port = s->cell.port,
						.check = (uint8_t)s->cell.check,
						.status = (uint8_t)s->status,
						.since_ms = s->since_ms };
	return RM_OK;
}

static int restore_peer(const struct store_peer *p, void *arg)
{
	struct live *l = arg;
	struct lnode *n = live_node(l, p->name);

	if (n == NULL)
		return RM_ENOMEM;
	n->registered = true;
	if (!n->declared && (n->cluster = rm_strdup(p->cluster)) == NULL)
		return RM_ENOMEM;
	return RM_OK;
}

int live_gunzip(const void *in, size_t inlen, char **out, size_t *outlen)
{
	z_stream z;
	size_t cap = inlen * 8 + 4096;
	char *buf = rm_malloc(cap), *grown;
	int zr;

	if (buf == NULL)
		return RM_ENOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		rm_free(buf);
		return RM_ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)inlen;
	do {
		if (z.total_out == cap) {
			if ((grown = rm_realloc(buf, cap * 2)) == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
		z.next_out = (Bytef *)buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
	} while (zr == Z_OK);
	*outlen = z.total_out;
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		rm_free(buf);
		return RM_EPARSE;
	}
	*out = buf;
	return RM_OK;
}

static int restore_round(const struct store_round *r, void *arg)
{
	struct live *l = arg;
	struct lnode *n = live_node(l, r->probe);
	struct ldoc *d = rm_calloc(1, sizeof(*d));
	char *text = (char *)r->doc;
	size_t len = r->doclen;
	int rc;

	if (n == NULL || d == NULL || results_doc_init(&d->doc) != RM_OK) {
		rm_free(d);
		return RM_ENOMEM;
	}
	atomic_init(&d->refs, 1);
	d->received_ms = r->received_ms;
	rc = r->gzip ? live_gunzip(r->doc, r->doclen, &text, &len) : RM_OK;
	if (rc == RM_OK)
		rc = results_doc_read(r->probe, text, len, &d->doc, NULL);
	if (text != r->doc)
		rm_free(text);
	if (rc != RM_OK) {
		/* Stored after it was read once: only a newer reader that
		 * refuses an old document gets here. The next round replaces it. */
		ldoc_unref(d);
		return rc == RM_ENOMEM ? rc : RM_OK;
	}
	if (n->cluster == NULL && (n->cluster = rm_strdup(d->doc.cluster)) == NULL) {
		ldoc_unref(d);
		return RM_ENOMEM;
	}
	ldoc_unref(r->arrivals ? n->arrivals : n->round);
	*(r->arrivals ? &n->arrivals : &n->round) = d;
	return RM_OK;
}

static int declare(struct live *l)
{
	size_t c, i;
	struct lnode *n;

	for (c = 0; c < l->topo->nclusters; c++) {
		const struct rm_cluster *cl = &l->topo->clusters[c];

		for (i = 0; i < cl->nprobes + cl->ntargets; i++) {
			const char *name = i < cl->nprobes ? cl->probes[i].name
							   : cl->targets[i - cl->nprobes].name;

			if ((n = live_node(l, name)) == NULL)
				return RM_ENOMEM;
			n->declared = true;
			n->probe = i < cl->nprobes;
			n->cluster = cl->name;
		}
	}
	return RM_OK;
}

static int restore(struct live *l, struct rm_diag *d)
{
	struct store *s = l->store;
	size_t i;
	int rc;

	if ((rc = declare(l)) != RM_OK)
		return rc;
	rc = s->ops->peers(s, NULL, restore_peer, l, d);
	if (rc == RM_OK)
		rc = s->ops->cell_states(s, restore_cell, l, d);
	if (rc == RM_OK)
		rc = s->ops->latest_rounds(s, restore_round, l, d);
	for (i = 0; rc == RM_OK && i < l->node_names.n; i++)
		if (l->nodes[i].ncells > 1)
			qsort(l->nodes[i].cells, l->nodes[i].ncells, sizeof(struct lcell),
			      cell_qcmp);
	if (rc == RM_ENOMEM && d != NULL && d->error[0] == '\0')
		rm_diag_error(d, "out of memory while loading the store");
	return rc;
}

int live_new(const struct rm_topology *topo, struct store *store, const struct live_opts *o,
	     int64_t now_ms, struct live **out, struct rm_diag *d)
{
	struct live *l = rm_calloc(1, sizeof(*l));
	int rc;

	*out = NULL;
	if (l == NULL)
		return RM_ENOMEM;
	l->topo = topo;
	l->store = store;
	l->o = *o;
	if (l->o.interval_ms <= 0)
		l->o.interval_ms = 10000;
	if (l->o.history_ms <= 0)
		l->o.history_ms = 7 * DAY_MS;
	l->start_ms = now_ms;
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->cache_lock, NULL);
	pthread_cond_init(&l->cache_cond, NULL);
	if ((rc = restore(l, d)) != RM_OK) {
		live_free(l);
		return rc;
	}
	*out = l;
	return RM_OK;
}

void live_free(struct live *l)
{
	uint32_t i;

	if (l == NULL)
		return;
	live_cache_free(l);
	for (i = 0; i < l->node_names.n; i++) {
		struct lnode *n = &l->nodes[i];

		ldoc_unref(n->round);
		ldoc_unref(n->arrivals);
		rm_free(n->cells);
		if (!n->declared)
			rm_free((char *)n->cluster);
	}
	rm_free(l->nodes);
	names_free(&l->node_names);
	names_free(&l->ends);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->cache_lock);
	pthread_cond_destroy(&l->cache_cond);
	rm_free(l);
}

/* ---- ingest ---- */

/* A round's cells, sorted, one per (to, check, port): where a round holds
 * several results for one cell, the least healthy stands for it. */
struct merge {
	struct lcell *cells; /* the new array: the round's cells and the old ones it lacks */
	size_t n;
	struct store_transition *t;
	size_t nt;
};

static bool worse(uint8_t check, uint8_t a, uint8_t b)
{
	enum rm_health ha = analyze_health(check, a), hb = analyze_health(check, b);

	return ha != hb ? ha > hb : a > b;
}

static int round_cells(struct live *l, const struct rm_results_doc *doc, struct lcell **out,
		       size_t *nout)
{
	struct lcell *v = rm_malloc((doc->nresults ? doc->nresults : 1) * sizeof(*v));
	size_t i, m = 0, n = 0;

	if (v == NULL)
		return RM_ENOMEM;
	for (i = 0; i < doc->nresults; i++) {
		const struct rm_result *r = &doc->results[i];
		uint32_t to;

		/* Cells are kept toward the endpoints the collector knows (the
		 * topology's, the registered): a round naming a million
		 * others must not grow the memory for good. */
		if (live_node_find(l, r->target) == NULL)
			continue;
		if ((to = names_add(&l->ends, r->target)) == NAMES_NONE) {
			rm_free(v);
			return RM_ENOMEM;
		}
		v[m++] = (struct lcell){ .to = to,
					 .port = r->port,
					 .check = (uint8_t)r->check,
					 .status = (uint8_t)r->status };
	}
	if (m > 1)
		qsort(v, m, sizeof(*v), cell_qcmp);
	for (i = 0; i < m; i++) {
		if (n > 0 && cell_cmp(&v[n - 1], &v[i]) == 0) {
			if (worse(v[i].check, v[i].status, v[n - 1].status))
				v[n - 1].status = v[i].status;
			continue;
		}
		v[n++] = v[i];
	}
	*out = v;
	*nout = n;
	return RM_OK;
}

static bool healthy(const struct lcell *c)
{
	return analyze_health((enum rm_check)c->check, (enum rm_check_status)c->status) ==
	       RM_HEALTH_HEALTHY;
}

static void transition(struct live *l, struct merge *m, const struct lnode *node,
		       const struct lcell *old, const struct lcell *cell, int64_t at, int64_t since)
{
	m->t[m->nt++] = (struct store_transition){
		.cell = { .from = node->name,
			  .to = l->ends.v[cell->to],
			  .check = (enum rm_check)cell->check,
			  .port = cell->port },
		.first = old == NULL,
		.old_status = old != NULL ? (enum rm_check_status)old->status : RM_STATUS_OK,
		.new_status = (enum rm_check_status)cell->status,
		.at_ms = at,
		.since_ms = since,
	};
}

/* Merges the round's cells (nw, sorted) into node's: a cell whose status
 * changed, or that is new and not healthy, is a transition at `at`; a cell
 * the round did not measure keeps its status. */
static int merge_cells(struct live *l, const struct lnode *node, struct lcell *nw, size_t nnw,
		       int64_t at, struct merge *m)
{
	const struct lcell *old = node->cells;
	size_t i = 0, j = 0, nold = node->ncells;

	m->cells = rm_malloc((nold + nnw + 1) * sizeof(*m->cells));
	m->t = rm_malloc((nnw + 1) * sizeof(*m->t));
	m->n = m->nt = 0;
	if (m->cells == NULL || m->t == NULL)
		return RM_ENOMEM;
	while (i < nold || j < nnw) {
		int c = i == nold ? 1 : j == nnw ? -1 : cell_cmp(&old[i], &nw[j]);
		int64_t since;

		if (c < 0) {
			m->cells[m->n++] = old[i++];
			continue;
		}
		m->cells[m->n] = nw[j];
		if (c == 0 && old[i].status == nw[j].status) {
			m->cells[m->n].since_ms = old[i].since_ms;
		} else {
			/* since says when the cell stopped being healthy: a
			 * change from one failing status to another (filtered
			 * to rejected) is a transition, not a new since. */
			m->cells[m->n].since_ms =
			    c == 0 && !healthy(&old[i]) && !healthy(&nw[j]) ? old[i].since_ms : at;
			since = m->cells[m->n].since_ms;
			/* A cell's first status is stored only when it is not
			 * healthy: healthy is what a cell is unless told
			 * otherwise, and the first round of a thousand probes
			 * would otherwise write twelve million rows. */
			if (c == 0 || !healthy(&nw[j]))
				transition(l, m, node, c == 0 ? &old[i] : NULL, &nw[j], at, since);
		}
		m->n++;
		j++;
		if (c == 0)
			i++;
	}
	return RM_OK;
}

/* Who may push: a name of the topology, or one that registered. 0, or
 * RM_ENOTFOUND with the reason in d. Under live.lock. */
static struct lnode *sender(struct live *l, const struct rm_results_doc *doc, struct rm_diag *d)
{
	struct lnode *n = live_node_find(l, doc->probe);

	if (n == NULL || (!n->declared && !n->registered)) {
		rm_diag_error(d,
			      "probe %s is neither in the topology (%s) nor registered "
			      "(POST /v1/register)",
			      doc->probe, l->topo->path);
		return NULL;
	}
	if (n->cluster != NULL && strcmp(n->cluster, doc->cluster) != 0) {
		rm_diag_error(d, "probe %s belongs to cluster %s, the document says %s", doc->probe,
			      n->cluster, doc->cluster);
		return NULL;
	}
	return n;
}

struct push {
	struct ldoc *doc;
	const void *raw;
	size_t rawlen;
	bool gzip;
	int64_t now_ms;
};

/* Under live.lock: the cells, the store's transaction, and the node's
 * newest document when this one is newer. */
static int commit(struct live *l, struct lnode *n, struct push *p, struct live_ingest_info *info,
		  struct rm_diag *d)
{
	const struct rm_results_doc *doc = &p->doc->doc;
	bool arrivals = doc->mode == NULL, inserted = false;
	struct ldoc **slot = arrivals ? &n->arrivals : &n->round;
	bool newer = *slot == NULL || strcmp(doc->started, (*slot)->doc.started) > 0;
	struct merge m = { 0 };
	struct lcell *nw = NULL;
	size_t nnw = 0;
	int64_t at = rm_time_parse_ms(doc->started);
	int rc = RM_OK;

	/* A transition is dated by the round that saw it (a spooled round
	 * arrives late), never later than now: an agent's clock can be ahead. */
	if (at < 0 || at > p->now_ms)
		at = p->now_ms;
	if (newer && !arrivals) {
		rc = round_cells(l, doc, &nw, &nnw);
		if (rc == RM_OK)
			rc = merge_cells(l, n, nw, nnw, at, &m);
	}
	if (rc == RM_OK) {
		struct store_round r = { .probe = doc->probe,
					 .cluster = doc->cluster,
					 .arrivals = arrivals,
					 .started = doc->started,
					 .received_ms = p->now_ms,
					 .doc = p->raw,
					 .doclen = p->rawlen,
					 .gzip = p->gzip };

		rc = l->store->ops->put_round(l->store, &r, m.t, m.nt, &inserted, d);
	}
	rm_free(nw);
	rm_free(m.t);
	if (rc != RM_OK || !inserted || !newer) {
		rm_free(m.cells);
		info->stored = inserted;
		info->outdated = inserted && !newer;
		return rc;
	}
	if (!arrivals) {
		rm_free(n->cells);
		n->cells = m.cells;
		n->ncells = n->capcells = m.n;
		info->transitions = m.nt;
	}
	ldoc_unref(*slot);
	*slot = p->doc;
	p->doc = NULL;
	info->stored = true;
	return RM_OK;
}

/* A round is identified by its probe and start time, and ordered by it:
 * documents without a valid one would all be one round. The core reader
 * leaves "started" optional (analyze needs no key) and keeps its first 20
 * characters, so the message does not quote it. */
/* How far ahead of the collector's clock a round may say it started: a
 * round from further ahead would hold the probe's newest slot, every
 * correct round after it "outdated", until the clock caught up. */
#define AHEAD_MAX_MS (5 * 60 * 1000)

/* The round's start, checked and written the one way (it is the round's
 * identity: "11:12:5Z" and "11:12:05Z" are one round, and order is by
 * time, not by text). */
static int read_started(struct rm_results_doc *doc, int64_t now_ms, struct rm_diag *d)
{
	int64_t t = rm_time_parse_ms(doc->started);

	if (t < 0) {
		rm_diag_error(d, "body: started: %s, such as 2026-11-24T11:12:51Z",
			      doc->started[0] == '\0' ? "missing: the time the round started in UTC"
						      : "not a time in UTC to the second");
		return RM_EPARSE;
	}
	if (t > now_ms + AHEAD_MAX_MS) {
		rm_diag_error(d,
			      "body: started: %s is %lld s ahead of the collector's clock; the "
			      "probe's clock is wrong (NTP)",
			      doc->started, (long long)((t - now_ms) / 1000));
		return RM_EPARSE;
	}
	rm_time_format((time_t)(t / 1000), doc->started, sizeof(doc->started));
	return RM_OK;
}

int live_ingest(struct live *l, const char *text, size_t len, const void *raw, size_t rawlen,
		bool gzip, int64_t now_ms, struct live_ingest_info *info, struct rm_diag *d)
{
	struct push p = { .raw = raw, .rawlen = rawlen, .gzip = gzip, .now_ms = now_ms };
	struct lnode *n;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((p.doc = rm_calloc(1, sizeof(*p.doc))) == NULL ||
	    results_doc_init(&p.doc->doc) != RM_OK) {
		rm_free(p.doc);
		return RM_ENOMEM;
	}
	atomic_init(&p.doc->refs, 1);
	p.doc->received_ms = now_ms;
	rc = results_doc_read("body", text, len, &p.doc->doc, d);
	if (rc == RM_OK)
		rc = read_started(&p.doc->doc, now_ms, d);
	if (rc != RM_OK) {
		atomic_fetch_add(&l->outcomes[rc == RM_ENOMEM ? LIVE_FAILED : LIVE_INVALID], 1);
		ldoc_unref(p.doc);
		return rc;
	}
	info->results = p.doc->doc.nresults;
	info->lost = p.doc->doc.lost;
	pthread_mutex_lock(&l->lock);
	if ((n = sender(l, &p.doc->doc, d)) == NULL) {
		rc = RM_ENOTFOUND;
	} else {
		info->probe = n->name;
		rc = commit(l, n, &p, info, d);
	}
	pthread_mutex_unlock(&l->lock);
	ldoc_unref(p.doc);
	atomic_fetch_add(&l->outcomes[rc == RM_ENOTFOUND ? LIVE_UNKNOWN
				      : rc != RM_OK	 ? LIVE_FAILED
				      : !info->stored	 ? LIVE_DUPLICATE
				      : info->outdated	 ? LIVE_OUTDATED
							 : LIVE_STORED],
			 1);
	if (rc == RM_OK && info->stored && !info->outdated)
		atomic_fetch_add(&l->results, info->results);
	/* Counted once: a retry of a stored document is not stored again. */
	if (rc == RM_OK && info->stored)
		atomic_fetch_add(&l->lost, info->lost);
	return rc;
}

int64_t live_history_ms(const struct live *l)
{
	return l->o.history_ms;
}

int live_prune(struct live *l, int64_t now_ms, bool rounds, struct rm_diag *d)
{
	/* Each push keeps --retain for its probe (store_opts.retain); the
	 * rounds of all are pruned once, at start, where --retain may have
	 * been lowered since the last run. */
	return l->store->ops->prune(l->store, rounds ? l->o.retain : 0, now_ms - l->o.history_ms,
				    d);
}

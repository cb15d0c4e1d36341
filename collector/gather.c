/* The newest documents of every probe, gathered from several collectors
 * for `reachmap check` (gather.h). */
#include "collector/gather.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/rounds_doc.h"
#include "reachmap/timefmt.h"

/* Names a collector hands on beyond the topology's (registered probes);
 * past this they are left out, so a collector cannot grow check's memory
 * without end. */
#define GATHER_MAX_EXTRA 4096

/* A name's newest documents, with their times in ms. */
struct entry {
	const char *name; /* the topology's, or owned (extra) */
	bool declared, probe;
	struct rm_results_doc *round, *arrivals;
	unsigned round_poll; /* the poll that brought round */
	int64_t round_started, round_finished;
	int64_t arr_started, arr_finished;
};

struct source {
	struct gather_source pub;
	struct client *client;
};

struct gather {
	const struct rm_topology *topo;
	int64_t t0_ms;
	bool token; /* a token is sent */
	struct source *src;
	size_t nsrc;
	struct entry *e; /* sorted by name */
	size_t n, cap, nextra;
	unsigned poll; /* polls begun */
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static struct entry *find(const struct gather *g, const char *name)
{
	struct entry key = { .name = name };

	return g->n ? bsearch(&key, g->e, g->n, sizeof(key), entry_cmp) : NULL;
}

/* The entry of a name a collector gave that the topology does not have;
 * NULL out of memory or past GATHER_MAX_EXTRA. */
static struct entry *add_extra(struct gather *g, const char *name)
{
	size_t lo = 0, hi = g->n;
	char *copy;

	if (g->nextra == GATHER_MAX_EXTRA)
		return NULL;
	if (g->n == g->cap) {
		size_t cap = g->cap * 2 + 16;
		struct entry *v = rm_realloc(g->e, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		g->e = v;
		g->cap = cap;
	}
	if ((copy = rm_strdup(name)) == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(g->e[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&g->e[lo + 1], &g->e[lo], (g->n - lo) * sizeof(*g->e));
	memset(&g->e[lo], 0, sizeof(*g->e));
	g->e[lo].name = copy;
	g->n++;
	g->nextra++;
	return &g->e[lo];
}

static int declare(struct gather *g)
{
	const struct rm_topology *t = g->topo;
	size_t c, i, n = 0;

	for (c = 0; c < t->nclusters; c++)
		n += t->clusters[c].nprobes + t->clusters[c].ntargets;
	g->cap = n + 16;
	if ((g->e = rm_calloc(g->cap, sizeof(*g->e))) == NULL)
		return RM_ENOMEM;
	for (c = 0; c < t->nclusters; c++) {
		const struct rm_cluster *cl = &t->clusters[c];

		for (i = 0; i < cl->nprobes + cl->ntargets; i++) {
			struct entry *e = &g->e[g->n++];

			e->name = i < cl->nprobes ? cl->probes[i].name
						  : cl->targets[i - cl->nprobes].name;
			e->declared = true;
			e->probe = i < cl->nprobes;
		}
	}
	qsort(g->e, g->n, sizeof(*g->e), entry_cmp);
	return RM_OK;
}

int gather_new(const struct rm_topology *topo, const char *const *urls, size_t nurls,
	       const struct client_opts *copts, int64_t t0_ms, struct gather **out,
	       struct rm_diag *d)
{
	struct gather *g = rm_calloc(1, sizeof(*g));
	size_t i;
	int rc = RM_ENOMEM;

	*out = NULL;
	if (g == NULL || (g->src = rm_calloc(nurls + 1, sizeof(*g->src))) == NULL)
		goto fail;
	g->topo = topo;
	g->t0_ms = t0_ms;
	g->token = copts != NULL && copts->token != NULL;
	if (declare(g) != RM_OK)
		goto fail;
	for (i = 0; i < nurls; i++) {
		rc = client_new(urls[i], copts, &g->src[i].client, d);
		if (rc != RM_OK)
			goto fail;
		g->src[i].pub.url = client_url(g->src[i].client);
		g->nsrc++;
	}
	*out = g;
	return RM_OK;
fail:
	if (rc == RM_ENOMEM)
		rm_diag_error(d, "out of memory");
	gather_free(g);
	return rc;
}

static void doc_free(struct rm_results_doc *doc)
{
	if (doc != NULL) {
		results_doc_free(doc);
		rm_free(doc);
	}
}

void gather_free(struct gather *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nsrc; i++)
		client_free(g->src[i].client);
	for (i = 0; i < g->n; i++) {
		doc_free(g->e[i].round);
		doc_free(g->e[i].arrivals);
		if (!g->e[i].declared)
			rm_free((char *)g->e[i].name);
	}
	rm_free(g->src);
	rm_free(g->e);
	rm_free(g);
}

/* Takes *slot's document when it is newer than what e holds. */
static int keep(struct gather *g, struct rm_results_doc **slot)
{
	struct rm_results_doc *doc = *slot;
	int64_t started = rm_time_parse_ms(doc->started),
		finished = rm_time_parse_ms(doc->finished);
	struct entry *e = find(g, doc->probe);

	/* A document without valid times cannot be placed in time: the
	 * collector refuses those, so it is left out. */
	if (started < 0 || finished < 0)
		return RM_OK;
	if (e == NULL && (e = add_extra(g, doc->probe)) == NULL)
		return g->nextra == GATHER_MAX_EXTRA ? RM_OK : RM_ENOMEM;
	if (doc->mode != NULL) {
		if (e->round != NULL && started <= e->round_started)
			return RM_OK;
		/* A fresh round is kept once a later poll has come: agents take a
		 * round every interval, and the arrivals can only catch up with
		 * rounds that stop moving (gather_waiting). Within one poll the
		 * newest of the collectors' wins. */
		if (e->round != NULL && e->round_started >= g->t0_ms && e->round_poll != g->poll)
			return RM_OK;
		doc_free(e->round);
		e->round = doc;
		e->round_poll = g->poll;
		e->round_started = started;
		e->round_finished = finished;
	} else {
		if (e->arrivals != NULL &&
		    (finished < e->arr_finished ||
		     (finished == e->arr_finished && started <= e->arr_started)))
			return RM_OK;
		doc_free(e->arrivals);
		e->arrivals = doc;
		e->arr_started = started;
		e->arr_finished = finished;
	}
	*slot = NULL;
	return RM_OK;
}

/* The message of an error answer ({"error": "..."}), or its first bytes. */
static void answer_text(const struct client_resp *r, char *buf, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(r->body, r->len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");

	if (cJSON_IsString(e))
		snprintf(buf, len, "%s", e->valuestring);
	else
		snprintf(buf, len, "%.120s", r->len ? r->body : "an empty answer");
	cJSON_Delete(root);
}

/* The state and reason an answer that is not 200 gives. */
static enum gather_state refusal(const struct gather *g, const struct client_resp *r, char *buf,
				 size_t len)
{
	char text[300];

	answer_text(r, text, sizeof(text));
	if (r->status == 401 || r->status == 403) {
		snprintf(buf, len, "answered %ld: %s (%s)", r->status, text,
			 g->token ? "the token of --token-file is not the collector's"
				  : "give the collector's token with --token-file");
		return GATHER_REFUSED;
	}
	if (r->status == 404) {
		snprintf(buf, len,
			 "answered 404: %s (no GET /v1/rounds: not a reachmap collector, or "
			 "one older than reachmap check)",
			 text);
		return GATHER_REFUSED;
	}
	snprintf(buf, len, "answered %ld: %s", r->status, text);
	return GATHER_FAILING;
}

/* One answer of 200: its documents kept. */
static int take_answer(struct gather *g, struct source *s, const struct client_resp *r,
		       enum gather_state *st)
{
	struct rm_rounds_doc rd;
	struct rm_diag d;
	char name[300];
	size_t i;
	int rc;

	snprintf(name, sizeof(name), "%s/v1/rounds", s->pub.url);
	rc = rounds_doc_read(name, r->body, r->len, &rd, &d);
	if (rc == RM_EPARSE) {
		snprintf(s->pub.reason, sizeof(s->pub.reason),
			 "its answer is not reachmap.rounds/v1: %s", d.error);
		*st = GATHER_FAILING;
		return RM_OK;
	}
	for (i = 0; rc == RM_OK && i < rd.ndocs; i++)
		rc = keep(g, &rd.docs[i]);
	rounds_doc_free(&rd);
	*st = GATHER_ANSWERS;
	s->pub.answered = true;
	s->pub.reason[0] = '\0';
	return rc;
}

static int poll_one(struct gather *g, struct source *s, enum gather_state *st)
{
	struct client_resp r;
	struct rm_diag d;
	size_t n = strlen(s->pub.url);
	int rc;

	rm_diag_clear(&d);
	rc = client_get(s->client, "/v1/rounds", &r, &d);
	if (rc == RM_ENOMEM)
		return rc;
	if (rc != RM_OK) {
		/* "URL/v1/rounds: what went wrong": the URL is said apart */
		const char *why =
		    strncmp(d.error, s->pub.url, n) == 0 ? strstr(d.error + n, ": ") : NULL;

		snprintf(s->pub.reason, sizeof(s->pub.reason), "%s", why ? why + 2 : d.error);
		*st = GATHER_FAILING;
		return RM_OK;
	}
	if (r.status == 200)
		rc = take_answer(g, s, &r, st);
	else
		*st = refusal(g, &r, s->pub.reason, sizeof(s->pub.reason));
	client_resp_free(&r);
	return rc;
}

int gather_poll(struct gather *g, size_t *changed)
{
	size_t i;
	int rc = RM_OK;

	*changed = 0;
	g->poll++;
	for (i = 0; rc == RM_OK && i < g->nsrc; i++) {
		struct source *s = &g->src[i];
		enum gather_state st = s->pub.state;

		if (st == GATHER_REFUSED)
			continue;
		rc = poll_one(g, s, &st);
		if (st != s->pub.state) {
			s->pub.state = st;
			(*changed)++;
		}
	}
	return rc;
}

size_t gather_nsources(const struct gather *g)
{
	return g->nsrc;
}

const struct gather_source *gather_source(const struct gather *g, size_t i)
{
	return i < g->nsrc ? &g->src[i].pub : NULL;
}

bool gather_all_refused(const struct gather *g)
{
	size_t i;

	for (i = 0; i < g->nsrc; i++)
		if (g->src[i].pub.state != GATHER_REFUSED)
			return false;
	return g->nsrc > 0;
}

bool gather_any_answered(const struct gather *g)
{
	size_t i;

	for (i = 0; i < g->nsrc; i++)
		if (g->src[i].pub.answered)
			return true;
	return false;
}

static bool fresh_round(const struct gather *g, const struct entry *e)
{
	return e->round != NULL && e->round_started >= g->t0_ms;
}

int gather_waiting(const struct gather *g, struct gather_wait *w)
{
	int64_t newest = -1;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->probes = rm_calloc(g->n + 1, sizeof(*w->probes));
	w->pods = rm_calloc(g->n + 1, sizeof(*w->pods));
	if (w->probes == NULL || w->pods == NULL) {
		gather_wait_free(w);
		return RM_ENOMEM;
	}
	for (i = 0; i < g->n; i++) {
		const struct entry *e = &g->e[i];

		if (!e->declared || !e->probe)
			continue;
		w->nall++;
		if (!fresh_round(g, e))
			w->probes[w->nprobes++] = e->name;
		else if (e->round_finished > newest)
			newest = e->round_finished;
	}
	for (i = 0; i < g->n; i++) {
		const struct entry *e = &g->e[i];

		if (e->declared && e->arrivals != NULL && e->arr_finished < newest)
			w->pods[w->npods++] = e->name;
	}
	return RM_OK;
}

void gather_wait_free(struct gather_wait *w)
{
	rm_free(w->probes);
	rm_free(w->pods);
	memset(w, 0, sizeof(*w));
}

int gather_docs(const struct gather *g, const struct rm_results_doc ***docs, size_t *n)
{
	size_t i;

	*n = 0;
	if ((*docs = rm_calloc(2 * g->n + 1, sizeof(**docs))) == NULL)
		return RM_ENOMEM;
	for (i = 0; i < g->n; i++)
		if (fresh_round(g, &g->e[i]))
			(*docs)[(*n)++] = g->e[i].round;
	for (i = 0; i < g->n; i++)
		if (g->e[i].arrivals != NULL && g->e[i].arr_finished >= g->t0_ms)
			(*docs)[(*n)++] = g->e[i].arrivals;
	return RM_OK;
}

int gather_explain_missing(const struct gather *g, struct rm_report *r, unsigned wait_s)
{
	char t0[RM_TIME_STRLEN];
	size_t i;

	rm_time_format((time_t)(g->t0_ms / 1000), t0, sizeof(t0));
	for (i = 0; i < r->findings.n; i++) {
		struct rm_finding *f = &r->findings.v[i];
		const struct entry *e;
		const char *s;

		if (f->kind != RM_FINDING_PROBE_MISSING || f->from.nprobes != 1 ||
		    (e = find(g, f->from.probes[0])) == NULL || fresh_round(g, e))
			continue;
		if (e->round != NULL)
			s = rm_arena_printf(
			    r->findings.arena,
			    "probe %s of %s sent no round since check started at %s "
			    "(waited %u s); its last round started at %s",
			    e->name, f->from.cluster, t0, wait_s, e->round->started);
		else
			s = rm_arena_printf(
			    r->findings.arena,
			    "probe %s of %s sent no round since check started at %s "
			    "(waited %u s); no collector has a round of it",
			    e->name, f->from.cluster, t0, wait_s);
		if (s == NULL)
			return RM_ENOMEM;
		f->summary = s;
	}
	return RM_OK;
}

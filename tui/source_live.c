/* The live source: a collector's report (GET /v1/report?format=json) and
 * its probes' last rounds (GET /v1/peers), asked for every period on a
 * thread of the source's own. The screen never waits on the network: the
 * thread leaves what it got (or why it got nothing) for the next poll, and
 * the last good report stays on screen until a new one comes. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "reachmap/report_doc.h"
#include "reachmap/timefmt.h"
#include "tui/top.h"

/* The probes' last rounds as one allocation set. */
struct seen_list {
	struct rm_arena *arena;
	struct tui_seen *v;
	size_t n;
};

struct live_source {
	struct tui_source base; /* first: the ops see a struct tui_source */
	struct tui_fetch fetch;
	unsigned period_ms;
	pthread_t thread;
	bool started;

	pthread_mutex_t lock; /* the fields below, up to seen */
	pthread_cond_t cond;
	bool stop;
	struct rm_report_doc *pending; /* a report not taken by poll yet */
	time_t pending_at;	       /* when it came */
	struct seen_list *pending_seen;
	char error[RM_DIAG_LEN]; /* why the last attempt failed; "" when it worked */

	struct seen_list *seen; /* the UI thread's, behind base.seen */
};

static void seen_free(struct seen_list *s)
{
	if (s != NULL) {
		rm_arena_free(s->arena);
		rm_free(s);
	}
}

/* "LABEL: why" from a message that may start with the URL and a path. */
static void say(const struct live_source *ls, const char *msg, char *buf, size_t len)
{
	size_t n = strlen(ls->fetch.label);
	const char *why = strncmp(msg, ls->fetch.label, n) == 0 ? strstr(msg + n, ": ") : NULL;

	snprintf(buf, len, "%s: %s", ls->fetch.label, why != NULL ? why + 2 : msg);
}

/* GET path, 200 wanted: RM_OK and the body, or a failure said in err. */
static int get(struct live_source *ls, const char *path, char **body, size_t *len, char *err,
	       size_t errlen)
{
	struct rm_diag d;
	long status = 0;
	int rc;

	rm_diag_clear(&d);
	*body = NULL;
	rc = ls->fetch.get(ls->fetch.ctx, path, &status, body, len, &d);
	if (rc != RM_OK) {
		say(ls, d.error[0] ? d.error : rm_strerror(rc), err, errlen);
		return rc;
	}
	if (status != 200) {
		cJSON *root = cJSON_ParseWithLength(*body, *len);
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");

		snprintf(err, errlen, "%s: answered %ld: %.200s", ls->fetch.label, status,
			 cJSON_IsString(e) ? e->valuestring : *body);
		cJSON_Delete(root);
		rm_free(*body);
		*body = NULL;
		return RM_EIO;
	}
	return RM_OK;
}

static int fetch_report(struct live_source *ls, struct rm_report_doc **out, char *err,
			size_t errlen)
{
	struct rm_diag d;
	char *body;
	size_t len;
	int rc = get(ls, "/v1/report?format=json", &body, &len, err, errlen);

	if (rc != RM_OK)
		return rc;
	rc = report_doc_read(ls->fetch.label, body, len, out, &d);
	if (rc != RM_OK)
		snprintf(err, errlen, "%s", d.error);
	rm_free(body);
	return rc;
}

static int seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tui_seen *)a)->name, ((const struct tui_seen *)b)->name);
}

/* reachmap.peers/v1's names and lastReport, by name. */
static struct seen_list *seen_read(const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len), *p;
	const cJSON *peers = cJSON_GetObjectItemCaseSensitive(root, "peers");
	struct seen_list *s = rm_calloc(1, sizeof(*s));

	if (s == NULL || !cJSON_IsArray(peers) || (s->arena = rm_arena_new()) == NULL ||
	    (s->v = rm_arena_calloc(s->arena, (size_t)cJSON_GetArraySize(peers) + 1,
				    sizeof(*s->v))) == NULL)
		goto fail;
	cJSON_ArrayForEach(p, peers)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
		const cJSON *last = cJSON_GetObjectItemCaseSensitive(p, "lastReport");
		int64_t ms = cJSON_IsString(last) ? rm_time_parse_ms(last->valuestring) : -1;

		if (!cJSON_IsString(name))
			continue;
		s->v[s->n].name = rm_arena_strdup(s->arena, name->valuestring);
		s->v[s->n].last = ms < 0 ? (time_t)-1 : (time_t)(ms / 1000);
		if (s->v[s->n].name != NULL)
			s->n++;
	}
	qsort(s->v, s->n, sizeof(*s->v), seen_cmp);
	cJSON_Delete(root);
	return s;
fail:
	cJSON_Delete(root);
	seen_free(s);
	return NULL;
}

/* The last rounds; NULL when they cannot be had (the last ones stay). */
static struct seen_list *fetch_seen(struct live_source *ls)
{
	struct seen_list *s;
	char *body, err[RM_DIAG_LEN];
	size_t len;

	if (get(ls, "/v1/peers", &body, &len, err, sizeof(err)) != RM_OK)
		return NULL;
	s = seen_read(body, len);
	rm_free(body);
	return s;
}

/* One round of asking, its outcome left for poll. */
static void refresh(struct live_source *ls)
{
	struct rm_report_doc *m = NULL;
	struct seen_list *s = NULL;
	char err[RM_DIAG_LEN] = "";

	if (fetch_report(ls, &m, err, sizeof(err)) == RM_OK)
		s = fetch_seen(ls);
	pthread_mutex_lock(&ls->lock);
	if (m != NULL) {
		report_doc_free(ls->pending);
		ls->pending = m;
		ls->pending_at = time(NULL);
	}
	if (s != NULL) {
		seen_free(ls->pending_seen);
		ls->pending_seen = s;
	}
	snprintf(ls->error, sizeof(ls->error), "%s", err);
	pthread_mutex_unlock(&ls->lock);
}

static void *run(void *arg)
{
	struct live_source *ls = arg;
	struct timespec until;

	pthread_mutex_lock(&ls->lock);
	while (!ls->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += ls->period_ms / 1000;
		until.tv_nsec += (long)(ls->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!ls->stop && pthread_cond_timedwait(&ls->cond, &ls->lock, &until) == 0)
			;
		if (ls->stop)
			break;
		pthread_mutex_unlock(&ls->lock);
		refresh(ls);
		pthread_mutex_lock(&ls->lock);
	}
	pthread_mutex_unlock(&ls->lock);
	return NULL;
}

/* A report the thread left replaces the model (the poll says changed,
 * never an error then: the loop must see the new model); otherwise the
 * last attempt's failure is the poll's. */
static int live_poll(struct tui_source *src, bool *changed, struct rm_diag *d)
{
	struct live_source *ls = (struct live_source *)src;
	int rc = RM_OK;

	*changed = false;
	pthread_mutex_lock(&ls->lock);
	if (ls->pending != NULL) {
		report_doc_free(src->model);
		src->model = ls->pending;
		src->as_of = ls->pending_at;
		ls->pending = NULL;
		*changed = true;
	}
	if (ls->pending_seen != NULL) {
		seen_free(ls->seen);
		ls->seen = ls->pending_seen;
		ls->pending_seen = NULL;
		src->seen = ls->seen->v;
		src->nseen = ls->seen->n;
	}
	if (!*changed && ls->error[0] != '\0') {
		rm_diag_clear(d);
		rm_diag_error(d, "%s", ls->error);
		rc = RM_EIO;
	}
	pthread_mutex_unlock(&ls->lock);
	return rc;
}

static void live_free(struct tui_source *src)
{
	struct live_source *ls = (struct live_source *)src;

	if (ls->started) {
		pthread_mutex_lock(&ls->lock);
		ls->stop = true;
		pthread_cond_signal(&ls->cond);
		pthread_mutex_unlock(&ls->lock);
		if (ls->fetch.cancel != NULL)
			ls->fetch.cancel(ls->fetch.ctx);
		pthread_join(ls->thread, NULL);
	}
	report_doc_free(ls->pending);
	report_doc_free(src->model);
	seen_free(ls->pending_seen);
	seen_free(ls->seen);
	pthread_cond_destroy(&ls->cond);
	pthread_mutex_destroy(&ls->lock);
	rm_free(ls);
}

static const struct tui_source_ops live_source_ops = {
	.name = "collector",
	.poll = live_poll,
	.free = live_free,
	.stale_before = "last report kept, asking again: ",
	.stale_after = "",
	.help = "The report comes from the collector every 2 s; ages are of each probe's\n"
		"last round there and of each finding's since.",
};

int tui_source_live_open(const struct tui_fetch *fetch, unsigned period_ms, struct tui_source **out,
			 struct rm_diag *d)
{
	struct live_source *ls = rm_calloc(1, sizeof(*ls));
	pthread_condattr_t ca;
	char err[RM_DIAG_LEN] = "";
	int rc;

	*out = NULL;
	if (ls == NULL) {
		rm_diag_error(d, "%s: out of memory", fetch->label);
		return RM_ENOMEM;
	}
	ls->base.ops = &live_source_ops;
	ls->base.label = fetch->label;
	ls->fetch = *fetch;
	ls->period_ms = period_ms ? period_ms : 2000;
	pthread_mutex_init(&ls->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ls->cond, &ca);
	pthread_condattr_destroy(&ca);
	ls->base.as_of = time(NULL);
	if ((rc = fetch_report(ls, &ls->base.model, err, sizeof(err))) != RM_OK) {
		rm_diag_error(d, "%s", err);
		live_free(&ls->base);
		return rc;
	}
	if ((ls->seen = fetch_seen(ls)) != NULL) {
		ls->base.seen = ls->seen->v;
		ls->base.nseen = ls->seen->n;
	}
	if (pthread_create(&ls->thread, NULL, run, ls) != 0) {
		rm_diag_error(d, "%s: cannot start a thread", fetch->label);
		live_free(&ls->base);
		return RM_ESYS;
	}
	ls->started = true;
	*out = &ls->base;
	return RM_OK;
}

/* The collector's routes: each turns a request into a call on the live
 * matrix and its answer into a status code and a JSON body. */
#include "collector/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/live.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

struct collector {
	const struct rm_topology *topo;
	struct collector_opts o;
	struct http_server *http;
	struct store *store;
	struct live *live;
};

int64_t collector_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The status code of a live_* failure. */
static int code_of(int rc)
{
	switch (rc) {
	case RM_EPARSE:
	case RM_EINVAL:
		return 400;
	case RM_ENOTFOUND:
		return 422;
	case RM_EIO:
		return 503;
	default:
		return 500;
	}
}

static void fail(struct http_resp *resp, int rc, const struct rm_diag *d)
{
	http_resp_error(resp, code_of(rc), "%s", d->error[0] ? d->error : rm_strerror(rc));
}

static void take(struct http_resp *resp, int status, const char *type, int rc, char *out,
		 size_t len, const struct rm_diag *d)
{
	if (rc == RM_OK)
		http_resp_take(resp, status, type, out, len);
	else
		fail(resp, rc, d);
}

static void on_healthz(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	static const char ok[] = "{\"status\": \"ok\"}\n";

	(void)ctx;
	(void)req;
	http_resp_set(resp, 200, NULL, ok, sizeof(ok) - 1);
}

static void on_readyz(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	static const char ok[] = "{\"ready\": true}\n";
	struct collector *c = ctx;

	(void)req;
	if (!http_ready(c->http)) {
		resp->retry_after_s = 1;
		http_resp_error(resp, 503, "the store is not ready yet");
		return;
	}
	http_resp_set(resp, 200, NULL, ok, sizeof(ok) - 1);
}

static void on_results(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct collector *c = ctx;
	struct live_ingest_info info;
	struct rm_diag d;
	char body[256];
	int rc, n;

	rm_diag_clear(&d);
	rc = live_ingest(c->live, req->body, req->len, req->raw, req->rawlen, req->gzip,
			 collector_now_ms(), &info, &d);
	if (rc != RM_OK) {
		fail(resp, rc, &d);
		return;
	}
	n = snprintf(body, sizeof(body),
		     "{\"probe\": \"%s\", \"stored\": %s, \"outdated\": %s, \"results\": %zu, "
		     "\"transitions\": %zu}\n",
		     info.probe, info.stored ? "true" : "false", info.outdated ? "true" : "false",
		     info.results, info.transitions);
	http_resp_set(resp, 202, NULL, body, (size_t)n);
	n = snprintf(resp->log, sizeof(resp->log),
		     " probe=%s results=%zu transitions=%zu outcome=%s", info.probe, info.results,
		     info.transitions,
		     !info.stored    ? "duplicate"
		     : info.outdated ? "outdated"
				     : "stored");
	/* Rounds the agent's spool dropped: said where an operator looks. */
	if (info.lost > 0 && n > 0 && (size_t)n < sizeof(resp->log))
		snprintf(resp->log + n, sizeof(resp->log) - (size_t)n, " lost=%u", info.lost);
}

static void on_register(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct collector *c = ctx;
	struct rm_diag d;
	int rc;

	rm_diag_clear(&d);
	rc = live_register(c->live, req->body, req->len, collector_now_ms(), &d);
	if (rc != RM_OK) {
		fail(resp, rc, &d);
		return;
	}
	http_resp_set(resp, 200, NULL, "{\"registered\": true}\n", 21);
}

static const struct {
	const char *format, *type;
} report_types[] = {
	{ "json", "application/json" },
	{ "text", "text/plain; charset=utf-8" },
	{ "html", "text/html; charset=utf-8" },
	{ "junit", "application/xml" },
	{ "prom", "text/plain; version=0.0.4; charset=utf-8" },
};

static void report_as(struct collector *c, const char *format, struct http_resp *resp)
{
	struct live_report_info info;
	struct rm_diag d;
	const char *out = NULL;
	void *lent = NULL;
	size_t i, len = 0;
	int rc;

	for (i = 0; i < sizeof(report_types) / sizeof(report_types[0]); i++)
		if (strcmp(report_types[i].format, format) == 0)
			break;
	if (i == sizeof(report_types) / sizeof(report_types[0])) {
		http_resp_error(resp, 400, "format: %s is not one of json, text, html, junit, prom",
				format);
		return;
	}
	rm_diag_clear(&d);
	rc = live_report_lend(c->live, format, collector_now_ms(), &out, &len, &lent, &info, &d);
	if (rc != RM_OK) {
		fail(resp, rc, &d);
		return;
	}
	http_resp_lend(resp, 200, report_types[i].type, out, len, live_report_release, lent);
	if (info.analyzed)
		snprintf(resp->log, sizeof(resp->log), " analysis_ms=%.1f render_ms=%.1f",
			 info.analysis_ms, info.render_ms);
	else
		snprintf(resp->log, sizeof(resp->log), " cached=%s render_ms=%.1f",
			 info.render_ms > 0 ? "analysis" : "yes", info.render_ms);
}

static void on_report(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	const char *format = http_query(req, "format");

	report_as(ctx, format != NULL ? format : "json", resp);
}

static void on_root(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	(void)req;
	report_as(ctx, "html", resp);
}

static void on_peers(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct collector *c = ctx;
	const char *cluster = http_query(req, "cluster");
	struct rm_diag d;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (cluster != NULL && topo_cluster(c->topo, cluster) == NULL) {
		http_resp_error(resp, 400, "cluster: %s is not in the topology", cluster);
		return;
	}
	rm_diag_clear(&d);
	rc = live_peers(c->live, cluster, &out, &len, &d);
	take(resp, 200, NULL, rc, out, len, &d);
}

static void on_rounds(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct collector *c = ctx;
	struct rm_diag d;
	char *out = NULL;
	size_t len = 0;
	int rc;

	(void)req;
	rm_diag_clear(&d);
	rc = live_rounds(c->live, collector_now_ms(), &out, &len, &d);
	take(resp, 200, NULL, rc, out, len, &d);
}

/* A time of the history query: RFC 3339, or a duration before now
 * ("90s", "15m", "2h", "7d"). */
static int parse_when(const char *s, int64_t now_ms, int64_t *out)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = { { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 } };
	char *end;
	long long n;
	size_t i;

	if ((*out = rm_time_parse_ms(s)) >= 0)
		return RM_OK;
	n = strtoll(s, &end, 10);
	if (end == s || n < 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return RM_EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == end[0]) {
			*out = now_ms - n * units[i].ms;
			return RM_OK;
		}
	return RM_EINVAL;
}

static void on_history(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	static const char *const keys[] = { "since", "until" };
	struct collector *c = ctx;
	int64_t now = collector_now_ms(), when[2] = { now - live_history_ms(c->live), now + 1 };
	struct rm_diag d;
	char *out = NULL;
	size_t i, len = 0;
	int rc;

	for (i = 0; i < 2; i++) {
		const char *v = http_query(req, keys[i]);

		if (v != NULL && parse_when(v, now, &when[i]) != RM_OK) {
			http_resp_error(resp, 400,
					"%s: %s is neither an RFC 3339 time nor a duration such "
					"as 15m, 2h or 7d",
					keys[i], v);
			return;
		}
	}
	rm_diag_clear(&d);
	rc = live_history(c->live, http_query(req, "from"), http_query(req, "to"), when[0], when[1],
			  &out, &len, &d);
	take(resp, 200, NULL, rc, out, len, &d);
}

static void on_metrics(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct collector *c = ctx;
	char *buf = NULL, *body;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	(void)req;
	if (f == NULL) {
		http_resp_error(resp, 500, "out of memory");
		return;
	}
	fprintf(f,
		"# HELP reachmap_collector_ready 1 once the store is open.\n"
		"# TYPE reachmap_collector_ready gauge\nreachmap_collector_ready %d\n",
		http_ready(c->http));
	rc = http_ready(c->http) ? live_metrics(c->live, collector_now_ms(), f) : RM_OK;
	if (rc == RM_OK)
		rc = http_metrics_write(c->http, f);
	if (fclose(f) != 0 && rc == RM_OK)
		rc = RM_ENOMEM;
	if (rc == RM_OK && (body = rm_malloc(len + 1)) != NULL) {
		memcpy(body, buf, len + 1);
		http_resp_take(resp, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
	} else {
		http_resp_error(resp, 500, "cannot write the metrics: %s", rm_strerror(rc));
	}
	free(buf); /* open_memstream's */
}

#define READY HTTP_NEEDS_READY
static const struct http_route routes[] = {
	{ "GET", "/healthz", HTTP_PUBLIC, on_healthz, 0 },
	{ "GET", "/readyz", HTTP_PUBLIC, on_readyz, 0 },
	{ "GET", "/metrics", HTTP_PUBLIC | HTTP_HEAVY, on_metrics, 0 },
	{ "POST", "/v1/results", HTTP_JSON_BODY | HTTP_HEAVY | READY, on_results, 0 },
	/* A registration is a few hundred bytes; its parser makes a node per
	 * value, so its body is kept small. */
	{ "POST", "/v1/register", HTTP_JSON_BODY | HTTP_HEAVY | READY, on_register, 64 << 10 },
	{ "GET", "/v1/report", HTTP_HEAVY | READY, on_report, 0 },
	{ "GET", "/v1/history", HTTP_HEAVY | READY, on_history, 0 },
	{ "GET", "/v1/peers", HTTP_HEAVY | READY, on_peers, 0 },
	{ "GET", "/v1/rounds", HTTP_HEAVY | READY, on_rounds, 0 },
	{ "GET", "/", HTTP_HEAVY | READY, on_root, 0 },
};
#undef READY

int collector_start(const struct rm_topology *topo, const struct collector_opts *o,
		    struct collector **out, struct rm_diag *d)
{
	struct collector *c = rm_calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL)
		return RM_ENOMEM;
	c->topo = topo;
	c->o = *o;
	rc = http_start(&c->o.http, routes, sizeof(routes) / sizeof(routes[0]), c, &c->http, d);
	if (rc != RM_OK) {
		rm_free(c);
		return rc;
	}
	*out = c;
	return RM_OK;
}

uint16_t collector_port(const struct collector *c)
{
	return http_port(c->http);
}

int collector_open(struct collector *c, int64_t now_ms, struct rm_diag *d)
{
	int rc;

	c->o.store.retain = c->o.live.retain;
	rc = store_sqlite.open(c->o.db, &c->o.store, &c->store, d);

	if (rc == RM_OK)
		rc = live_new(c->topo, c->store, &c->o.live, now_ms, &c->live, d);
	if (rc == RM_OK)
		rc = live_prune(c->live, now_ms, true, d);
	if (rc == RM_OK)
		http_set_ready(c->http, true);
	return rc;
}

int collector_prune(struct collector *c, int64_t now_ms, struct rm_diag *d)
{
	return c->live != NULL ? live_prune(c->live, now_ms, false, d) : RM_OK;
}

void collector_stop(struct collector *c)
{
	if (c == NULL)
		return;
	http_stop(c->http);
	live_free(c->live);
	if (c->store != NULL)
		c->store->ops->close(c->store);
	rm_free(c);
}

/* The HTTP front's own series, in the Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Every
 * label value comes from the route table or a fixed list: a client can
 * never add a series. */
#include <string.h>

#include "collector/http_int.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

static const double bucket_le[HTTP_NBUCKETS] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
						 0.5,	1,    2.5,   5,	   10 };

static const char *const refusal_name[HTTP_REFUSED_N] = {
	[HTTP_REFUSED_BODY] = "body",	[HTTP_REFUSED_BUFFERED] = "buffered",
	[HTTP_REFUSED_QUEUE] = "queue", [HTTP_REFUSED_CONNECTIONS] = "connections",
	[HTTP_REFUSED_SLOW] = "slow",	[HTTP_REFUSED_AUTH] = "auth",
};

int http_metrics_init(struct http_metrics *m, const struct http_route *routes, size_t nroutes)
{
	size_t i, j;

	memset(m, 0, sizeof(*m));
	m->labels = rm_calloc(nroutes + 1, sizeof(*m->labels));
	m->label_of_route = rm_calloc(nroutes + 1, sizeof(*m->label_of_route));
	m->stats = rm_calloc(nroutes + 1, sizeof(*m->stats));
	if (m->labels == NULL || m->label_of_route == NULL || m->stats == NULL) {
		http_metrics_free(m);
		return RM_ENOMEM;
	}
	for (i = 0; i < nroutes; i++) {
		for (j = 0; j < m->nlabels; j++)
			if (strcmp(m->labels[j], routes[i].path) == 0)
				break;
		if (j == m->nlabels)
			m->labels[m->nlabels++] = routes[i].path;
		m->label_of_route[i] = j;
	}
	m->labels[m->nlabels++] = "other";
	pthread_mutex_init(&m->lock, NULL);
	return 0;
}

void http_metrics_free(struct http_metrics *m)
{
	if (m->stats != NULL)
		pthread_mutex_destroy(&m->lock);
	rm_free(m->labels);
	rm_free(m->label_of_route);
	rm_free(m->stats);
	m->labels = NULL;
	m->label_of_route = NULL;
	m->stats = NULL;
}

void http_metrics_record(struct http_metrics *m, size_t label, int status, double seconds)
{
	struct http_route_stats *st = &m->stats[label];
	size_t b;

	pthread_mutex_lock(&m->lock);
	if (status >= 100 && status < 600)
		st->codes[status]++;
	for (b = 0; b < HTTP_NBUCKETS; b++)
		if (seconds <= bucket_le[b])
			st->buckets[b]++;
	st->count++;
	st->sum_s += seconds;
	pthread_mutex_unlock(&m->lock);
}

void http_metrics_refused(struct http_metrics *m, enum http_refusal why)
{
	atomic_fetch_add(&m->refused[why], 1);
}

static void write_requests(const struct http_metrics *m, FILE *out)
{
	size_t l;
	int code;

	fputs("# HELP reachmap_http_requests_total HTTP requests answered, by route and status "
	      "code.\n# TYPE reachmap_http_requests_total counter\n",
	      out);
	for (l = 0; l < m->nlabels; l++)
		for (code = 100; code < 600; code++)
			if (m->stats[l].codes[code] > 0)
				fprintf(
				    out,
				    "reachmap_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
				    m->labels[l], code,
				    (unsigned long long)m->stats[l].codes[code]);
}

static void write_durations(const struct http_metrics *m, FILE *out)
{
	size_t l, b;

	fputs("# HELP reachmap_http_request_duration_seconds Time from a request's headers to its "
	      "response, waiting for a worker included.\n"
	      "# TYPE reachmap_http_request_duration_seconds histogram\n",
	      out);
	for (l = 0; l < m->nlabels; l++) {
		const struct http_route_stats *st = &m->stats[l];
		const char *name = "reachmap_http_request_duration_seconds";

		for (b = 0; b < HTTP_NBUCKETS; b++)
			fprintf(out, "%s_bucket{route=\"%s\",le=\"%g\"} %llu\n", name, m->labels[l],
				bucket_le[b], (unsigned long long)st->buckets[b]);
		fprintf(out, "%s_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name, m->labels[l],
			(unsigned long long)st->count);
		fprintf(out, "%s_sum{route=\"%s\"} %.6f\n", name, m->labels[l], st->sum_s);
		fprintf(out, "%s_count{route=\"%s\"} %llu\n", name, m->labels[l],
			(unsigned long long)st->count);
	}
}

int http_metrics_write(struct http_server *s, FILE *out)
{
	struct http_metrics *m = &s->m;
	size_t i;

	pthread_mutex_lock(&m->lock);
	write_requests(m, out);
	write_durations(m, out);
	pthread_mutex_unlock(&m->lock);
	fprintf(out,
		"# HELP reachmap_http_received_bytes_total Request body bytes received, as sent.\n"
		"# TYPE reachmap_http_received_bytes_total counter\n"
		"reachmap_http_received_bytes_total %llu\n",
		(unsigned long long)atomic_load(&m->received));
	fprintf(out,
		"# HELP reachmap_http_connections Connections open now.\n"
		"# TYPE reachmap_http_connections gauge\n"
		"reachmap_http_connections %u\n",
		atomic_load(&s->conns));
	fputs("# HELP reachmap_http_refused_total Requests and connections refused by a limit or "
	      "for want of the token.\n# TYPE reachmap_http_refused_total counter\n",
	      out);
	for (i = 0; i < HTTP_REFUSED_N; i++)
		fprintf(out, "reachmap_http_refused_total{reason=\"%s\"} %llu\n", refusal_name[i],
			(unsigned long long)atomic_load(&m->refused[i]));
	return ferror(out) ? RM_EIO : 0;
}

/* What http.c, http_body.c and http_metrics.c share: the server, one
 * request's state, and the calls between them. Not part of the collector's
 * interface (that is http.h). */
#ifndef REACHMAP_COLLECTOR_HTTP_INT_H
#define REACHMAP_COLLECTOR_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <zlib.h>

#include "collector/http.h"
#include "reachmap/cidr.h"

enum http_refusal {
	HTTP_REFUSED_BODY,
	HTTP_REFUSED_BUFFERED,
	HTTP_REFUSED_QUEUE,
	HTTP_REFUSED_CONNECTIONS,
	HTTP_REFUSED_AUTH,
	HTTP_REFUSED_SLOW,
	HTTP_REFUSED_N
};

/* Prometheus' default buckets, which span a /healthz answer to a cold
 * report of a large fleet. */
#define HTTP_NBUCKETS 11

struct http_route_stats {
	uint64_t codes[600]; /* by status code; codes under 100 are not sent */
	uint64_t buckets[HTTP_NBUCKETS];
	uint64_t count;
	double sum_s;
};

struct http_metrics {
	pthread_mutex_t lock;
	/* One per distinct route path, and the last for "other" (404s): a
	 * label never takes a value a client chooses. */
	struct http_route_stats *stats;
	const char **labels;
	size_t nlabels;
	size_t *label_of_route; /* route index -> label index */
	atomic_uint_fast64_t received;
	atomic_uint_fast64_t refused[HTTP_REFUSED_N];
};

/* One request, from its headers to the end of its response. */
struct http_conn {
	struct http_server *s;
	struct MHD_Connection *mc;
	const struct http_route *route; /* NULL once answered before routing */
	size_t label;			/* metrics label index */
	struct http_req req;
	char remote[RM_ADDR_STRLEN + 8]; /* "[addr]:port" */
	struct timespec t0;		 /* monotonic, headers arrived */
	double elapsed_s;		 /* headers arrived to response queued */
	/* The body as it arrives, and decompressed when gzip. */
	char *raw;
	size_t rawlen, rawcap;
	char *body;
	size_t len, cap;
	size_t buffered; /* bytes counted in s->buffered for this request */
	z_stream z;
	bool zinit, zend;
	/* An answer decided while the body was still arriving (413, 503,
	 * 400): the rest is discarded and this is sent at the end. */
	struct http_resp early;
	bool queued_worker, worker_done, answered;
	int status;
	uint64_t bytes_in, bytes_out;
	struct http_resp resp;
	struct http_conn *next; /* in the worker queue */
};

struct http_server {
	struct http_opts o;
	const struct http_route *routes;
	size_t nroutes;
	void *ctx;
	struct MHD_Daemon *d;
	uint16_t port;
	atomic_bool ready;
	atomic_size_t buffered;
	atomic_uint conns;
	unsigned max_conns;
	char start_error[256]; /* libmicrohttpd's last message while starting */
	atomic_bool starting;

	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct http_conn *qhead, *qtail;
	size_t qlen;
	bool stopping;
	pthread_t *workers;
	size_t nworkers;

	/* http_deadline.c: the connections, for the sweeper. */
	pthread_mutex_t slock;
	pthread_cond_t scond;
	struct http_sock *socks;
	pthread_t sweeper;
	bool sweeping, sweeper_stop;

	struct http_metrics m;
};

/* http_deadline.c: each connection waiting for a request must have all
 * of it within request_timeout_s (open/close from the connection
 * notifications; mark waiting=false once a request is in, true once it is
 * answered). */
void http_deadline_open(struct http_server *s, struct MHD_Connection *mc, void **ctx);
void http_deadline_close(struct http_server *s, void **ctx);
void http_deadline_mark(struct http_server *s, struct MHD_Connection *mc, bool waiting);
int http_deadline_start(struct http_server *s);
void http_deadline_stop(struct http_server *s);

/* http_body.c */
/* Checks Content-Type and Content-Encoding and the announced length of a
 * request about to send a body to route; fills c->early and returns false
 * when the request must be refused before its body is read. */
bool http_body_admit(struct http_conn *c);
/* Takes the next n bytes of the body; on a refusal, fills c->early and
 * drops what was buffered. */
void http_body_feed(struct http_conn *c, const char *data, size_t n);
/* The body is complete: finishes decompression, checks UTF-8, sets
 * c->req's body fields. false with c->early filled on a refusal. */
bool http_body_finish(struct http_conn *c);
/* Frees the buffers and gives their bytes back to s->buffered. */
void http_body_release(struct http_conn *c);
/* The length of the UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one. */
size_t http_utf8_seq(const unsigned char *p, size_t n);

/* http_metrics.c */
/* The body limit of c's route: its own when lower than --max-body. */
size_t http_max_body(const struct http_conn *c);

int http_metrics_init(struct http_metrics *m, const struct http_route *routes, size_t nroutes);
void http_metrics_free(struct http_metrics *m);
void http_metrics_record(struct http_metrics *m, size_t label, int status, double seconds);
void http_metrics_refused(struct http_metrics *m, enum http_refusal why);

#endif

/* The collector's HTTP front (DESIGN.md, "Collector HTTP API"): a route
 * table over libmicrohttpd (internal epoll, a thread pool), with everything
 * a server exposed across clusters must bound done here once, before any
 * route's handler runs: the bearer token (constant time), the body limit
 * (413, on the decompressed size too, so a gzip bomb stops at the limit),
 * the bytes buffered by all requests together (503), Content-Type and
 * Content-Encoding (415), UTF-8 (400), unknown paths (404), wrong methods
 * (405 with Allow), readiness (503), the connection limit, the
 * per-connection timeout, TLS (GnuTLS inside libmicrohttpd), and one
 * key=value log line per request.
 *
 * Handlers marked HTTP_HEAVY (parsing a pushed round, analyzing the
 * fleet) run on a pool of worker threads while their connection is
 * suspended, so /healthz never waits behind a 1 MB document: the epoll
 * threads only move bytes. A full worker queue answers 503 with
 * Retry-After. */
#ifndef REACHMAP_COLLECTOR_HTTP_H
#define REACHMAP_COLLECTOR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reachmap/diag.h"

struct http_server;

struct http_req {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* without the query */
	const char *remote; /* "127.0.0.1:41234", "[::1]:41234" */
	/* The body, decompressed and NUL-terminated (len excludes the NUL);
	 * "" for a request without one. */
	const char *body;
	size_t len;
	/* The body as it arrived, for a store that keeps it as given; gzip
	 * tells whether it is gzip-compressed (raw == body otherwise). */
	const void *raw;
	size_t rawlen;
	bool gzip;
	int64_t arrived_ms; /* when the request's headers arrived, ms since the epoch */
	void *conn;	    /* the library's connection, for http_query only */
};

/* The value of query argument `key` (percent-decoded), or NULL. */
const char *http_query(const struct http_req *req, const char *key);

struct http_resp {
	int status;		  /* 0: the handler said nothing, 500 is sent */
	const char *content_type; /* static string; NULL: application/json */
	char *body;		  /* rm_malloc'd; the server frees it (unless lent) */
	size_t len;
	/* Set by http_resp_lend: the body is not the server's, release(arg)
	 * gives it back once sent or dropped. */
	void (*release)(void *arg);
	void *release_arg;
	unsigned retry_after_s; /* > 0: a Retry-After header */
	/* Appended to the request's log line, " key=value..." (a probe name, a
	 * count); never a secret. */
	char log[160];
};

/* The body is a copy of the len bytes at text (which need not be
 * NUL-terminated). 0 or RM_ENOMEM. */
int http_resp_set(struct http_resp *r, int status, const char *content_type, const char *text,
		  size_t len);
/* Takes an rm_malloc'd body. */
void http_resp_take(struct http_resp *r, int status, const char *content_type, char *body,
		    size_t len);
/* The body is lent, not copied (a cached report of megabytes):
 * release(arg) is called exactly once, after it was sent or dropped, from
 * any thread. */
void http_resp_lend(struct http_resp *r, int status, const char *content_type, const char *body,
		    size_t len, void (*release)(void *arg), void *arg);
/* Frees or gives back the body; the response is empty after. */
void http_resp_drop(struct http_resp *r);
/* {"error": "MESSAGE"}, the message escaped as JSON. */
void http_resp_error(struct http_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef void (*http_handler)(void *ctx, const struct http_req *req, struct http_resp *resp);

enum http_route_flags {
	HTTP_PUBLIC = 1u << 0,	   /* answers without the token (/healthz, /readyz, /metrics) */
	HTTP_HEAVY = 1u << 1,	   /* runs on a worker thread */
	HTTP_JSON_BODY = 1u << 2,  /* takes a JSON body: Content-Type, encoding, UTF-8 checked */
	HTTP_NEEDS_READY = 1u << 3 /* 503 until http_set_ready(true) */
};

struct http_route {
	const char *method;
	const char *path; /* exact match */
	unsigned flags;
	http_handler fn;
	size_t max_body; /* a lower limit than the server's for this route; 0: none */
};

struct http_opts {
	const char *listen; /* "ADDR:PORT", "[V6]:PORT"; port 0 picks a free one */
	/* The bearer token; NULL: no authentication. Not copied: lives as long
	 * as the server. */
	const char *token;
	/* PEM text of the certificate chain and key; both NULL: plain HTTP. */
	const char *tls_cert_pem, *tls_key_pem;
	size_t max_body;     /* one body, decompressed; 0: 64 MiB */
	size_t max_buffered; /* all bodies being received or queued; 0: 4 * max_body */
	unsigned max_conns;  /* 0: 4096, lowered to fit RLIMIT_NOFILE */
	unsigned timeout_s;  /* idle time before a connection is closed; 0: 15 */
	/* A connection waiting for a request must have all of it (headers and
	 * body) within this; 0: 30. Slowloris sends a byte at a time, which
	 * the idle timeout never sees. */
	unsigned request_timeout_s;
	unsigned threads;     /* epoll threads; 0: 2 */
	unsigned workers;     /* threads for HTTP_HEAVY; 0: the number of CPUs, at least 2 */
	unsigned queue;	      /* HTTP_HEAVY requests waiting for a worker; 0: 256 */
	FILE *log;	      /* one line per request; NULL: none */
	bool log_errors_only; /* only requests answered >= 400 */
};

/* Binds, starts the threads and serves `routes` (which, like ctx, must
 * outlive the server). RM_EINVAL for a bad listen address or TLS
 * material, RM_EIO when the port cannot be bound, with d's message naming
 * the address. Starts not ready. */
int http_start(const struct http_opts *o, const struct http_route *routes, size_t nroutes,
	       void *ctx, struct http_server **out, struct rm_diag *d);
/* The port bound (the one picked for port 0). */
uint16_t http_port(const struct http_server *s);
void http_set_ready(struct http_server *s, bool ready);
bool http_ready(const struct http_server *s);
/* Stops accepting, finishes the requests the workers hold, frees. */
void http_stop(struct http_server *s);

/* The server's own series in Prometheus text format: requests by route
 * and status code, request duration histograms by route (arrival to
 * response queued, worker wait included), bytes received, connections
 * open, requests refused by the limits (body, buffered, queue,
 * connections). 0 or RM_EIO. */
int http_metrics_write(struct http_server *s, FILE *out);

#endif

/* A client of the collector's HTTP API (DESIGN.md, "Collector HTTP API"),
 * over libcurl: what agents push with, and what `check` and `top
 * --collector` read with. One client per collector URL keeps its
 * connection alive between requests (and its TLS session). A client is
 * used by one thread at a time; different clients may be used by
 * different threads at once. cli/main.c calls client_global_init once
 * before any thread starts. */
#ifndef REACHMAP_COLLECTOR_CLIENT_H
#define REACHMAP_COLLECTOR_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "reachmap/diag.h"

struct client_opts {
	const char *token;	     /* bearer token; NULL: none. Copied. */
	const char *ca_file;	     /* PEM CA bundle for https; NULL: the system's */
	unsigned timeout_ms;	     /* a whole request at most; 0: 10,000 */
	unsigned connect_timeout_ms; /* 0: 3,000 */
	/* Largest response body kept; a longer one is an error. 0: 256 MiB. */
	size_t max_response;
	/* When set and non-zero, a request in flight is abandoned within
	 * about 100 ms (an agent told to stop). Not copied. */
	const atomic_int *cancel;
};

struct client_resp {
	long status;	    /* the HTTP status; 0: no answer */
	char *body;	    /* NUL-terminated, decoded (gzip); rm_free'd by client_resp_free */
	size_t len;	    /* without the NUL */
	char *content_type; /* NULL when absent */
};

struct client;

/* Process-wide libcurl set-up; 0 or RM_ESYS. */
int client_global_init(void);
void client_global_cleanup(void);

/* A client of the collector at url ("http://host:port" or "https://...",
 * an optional path prefix; a trailing '/' is dropped). RM_OK and *out;
 * RM_EINVAL with "URL: why" in d for a URL that is not one; RM_ENOMEM. */
int client_new(const char *url, const struct client_opts *opts, struct client **out,
	       struct rm_diag *d);
void client_free(struct client *c);
/* The URL as given (without the trailing '/'). */
const char *client_url(const struct client *c);

/* GET url + path (path starts with '/', may carry a query). RM_OK when an
 * answer came, whatever its status (r->status says); otherwise RM_EIO with
 * "URL: what went wrong" in d (refused, timed out, TLS, cancelled, too
 * large), RM_ENOMEM. *r is the caller's to free with client_resp_free. */
int client_get(struct client *c, const char *path, struct client_resp *r, struct rm_diag *d);

/* POST a JSON body to url + path, gzip-compressed on the wire when gzip
 * (Content-Encoding: gzip). Statuses as client_get. */
int client_post(struct client *c, const char *path, const void *body, size_t len, bool gzip,
		struct client_resp *r, struct rm_diag *d);

void client_resp_free(struct client_resp *r);

/* body compressed as one gzip member (RFC 1952) into *out (rm_malloc'd),
 * *outlen bytes. RM_OK, RM_ENOMEM, RM_EIO when zlib fails. */
int client_gzip(const void *body, size_t len, void **out, size_t *outlen);

#endif

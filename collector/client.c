/* The collector's client over libcurl's easy interface: one handle per
 * collector, reused so its connection (and TLS session) stays alive
 * between requests. */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "collector/client.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

#define CLIENT_TIMEOUT_MS	  10000u
#define CLIENT_CONNECT_TIMEOUT_MS 3000u
#define CLIENT_MAX_RESPONSE	  (256u << 20)

struct client {
	CURL *curl;
	char *url;
	char *auth; /* "Authorization: Bearer ..." or NULL */
	size_t max_response;
	const atomic_int *cancel;
	char errbuf[CURL_ERROR_SIZE];
};

/* The response as it arrives, bounded. */
struct sink {
	char *buf;
	size_t len, cap, max;
	bool too_large;
};

int client_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? RM_OK : RM_ESYS;
}

void client_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, cap;
	char *b;

	if (n > s->max - s->len) {
		s->too_large = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 16384;
		while (cap < s->len + n + 1)
			cap *= 2;
		if ((b = rm_realloc(s->buf, cap)) == NULL)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, ptr, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const struct client *c = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return c->cancel != NULL && atomic_load(c->cancel) != 0;
}

/* The URL is parsed here once, so a typo is a usage error at start and
 * never a failure at each push. */
static int check_url(const char *url, struct rm_diag *d)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = RM_EINVAL;

	if (u == NULL) {
		rm_diag_error(d, "%s: out of memory", url);
		return RM_ENOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rm_diag_error(d, "%s: not a URL (give http://HOST:PORT or https://HOST:PORT)", url);
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		rm_diag_error(d, "%s: scheme %s is not http or https", url, scheme);
	else if (strpbrk(url, "?#") != NULL)
		rm_diag_error(d, "%s: give the collector's address without a query or fragment",
			      url);
	else
		rc = RM_OK;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

static int client_setup(struct client *c, const struct client_opts *o)
{
	CURL *h = c->curl;
	long timeout = o->timeout_ms ? (long)o->timeout_ms : (long)CLIENT_TIMEOUT_MS;
	long connect =
	    o->connect_timeout_ms ? (long)o->connect_timeout_ms : (long)CLIENT_CONNECT_TIMEOUT_MS;
	CURLcode e = CURLE_OK;

	e |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	e |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	e |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect);
	e |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	e |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	e |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	e |= curl_easy_setopt(h, CURLOPT_USERAGENT, "reachmap/" REACHMAP_VERSION);
	e |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	e |= curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	e |= curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	e |= curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (o->ca_file != NULL)
		e |= curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	return e == CURLE_OK ? RM_OK : RM_ENOMEM;
}

int client_new(const char *url, const struct client_opts *opts, struct client **out,
	       struct rm_diag *d)
{
	struct client_opts none = { 0 };
	struct client *c;
	size_t n;
	int rc;

	*out = NULL;
	if (opts == NULL)
		opts = &none;
	if ((rc = check_url(url, d)) != RM_OK)
		return rc;
	c = rm_calloc(1, sizeof(*c));
	if (c == NULL || (c->url = rm_strdup(url)) == NULL || (c->curl = curl_easy_init()) == NULL)
		goto nomem;
	n = strlen(c->url);
	while (n > 0 && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	if (opts->token != NULL) {
		n = strlen(opts->token) + sizeof("Authorization: Bearer ");
		if ((c->auth = rm_malloc(n)) == NULL)
			goto nomem;
		snprintf(c->auth, n, "Authorization: Bearer %s", opts->token);
	}
	c->max_response = opts->max_response ? opts->max_response : CLIENT_MAX_RESPONSE;
	c->cancel = opts->cancel;
	if (client_setup(c, opts) != RM_OK)
		goto nomem;
	*out = c;
	return RM_OK;
nomem:
	client_free(c);
	rm_diag_error(d, "%s: out of memory", url);
	return RM_ENOMEM;
}

void client_free(struct client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->auth != NULL) {
		memset(c->auth, 0, strlen(c->auth));
		rm_free(c->auth);
	}
	rm_free(c->url);
	rm_free(c);
}

const char *client_url(const struct client *c)
{
	return c->url;
}

void client_resp_free(struct client_resp *r)
{
	if (r == NULL)
		return;
	rm_free(r->body);
	rm_free(r->content_type);
	memset(r, 0, sizeof(*r));
}

/* The transfer as set up, its answer into r; the header list is the
 * request's own. */
static int perform(struct client *c, const char *path, struct curl_slist *hdrs,
		   struct client_resp *r, struct rm_diag *d)
{
	struct sink s = { .max = c->max_response };
	size_t n = strlen(c->url) + strlen(path) + 1;
	char *url = rm_malloc(n), *ct = NULL;
	CURLcode e;

	memset(r, 0, sizeof(*r));
	if (url == NULL) {
		rm_diag_error(d, "%s: out of memory", c->url);
		return RM_ENOMEM;
	}
	snprintf(url, n, "%s%s", c->url, path);
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &s);
	e = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	if (e != CURLE_OK) {
		if (s.too_large)
			rm_diag_error(d, "%s: the answer is larger than %zu bytes", url, s.max);
		else if (e == CURLE_ABORTED_BY_CALLBACK)
			rm_diag_error(d, "%s: cancelled", url);
		else
			rm_diag_error(d, "%s: %s", url,
				      c->errbuf[0] ? c->errbuf : curl_easy_strerror(e));
		rm_free(url);
		rm_free(s.buf);
		return e == CURLE_WRITE_ERROR && !s.too_large ? RM_ENOMEM : RM_EIO;
	}
	rm_free(url);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		r->content_type = rm_strdup(ct);
	if (s.buf == NULL)
		s.buf = rm_strdup("");
	r->body = s.buf;
	r->len = s.len;
	if (r->body == NULL) {
		client_resp_free(r);
		rm_diag_error(d, "%s: out of memory", c->url);
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* The request's headers: the token, then extra ones. NULL out of memory. */
static struct curl_slist *headers(const struct client *c, const char *const *extra, size_t n)
{
	struct curl_slist *l = NULL, *t;
	size_t i;

	/* libcurl sends "Expect: 100-continue" for large POSTs and waits for
	 * an answer first; the collector reads the body at once. */
	if ((l = curl_slist_append(NULL, "Expect:")) == NULL)
		return NULL;
	if (c->auth != NULL) {
		if ((t = curl_slist_append(l, c->auth)) == NULL)
			goto nomem;
		l = t;
	}
	for (i = 0; i < n; i++) {
		if ((t = curl_slist_append(l, extra[i])) == NULL)
			goto nomem;
		l = t;
	}
	return l;
nomem:
	curl_slist_free_all(l);
	return NULL;
}

int client_get(struct client *c, const char *path, struct client_resp *r, struct rm_diag *d)
{
	struct curl_slist *h = headers(c, NULL, 0);
	int rc;

	memset(r, 0, sizeof(*r));
	if (h == NULL) {
		rm_diag_error(d, "%s: out of memory", c->url);
		return RM_ENOMEM;
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	rc = perform(c, path, h, r, d);
	curl_slist_free_all(h);
	return rc;
}

int client_post(struct client *c, const char *path, const void *body, size_t len, bool gzip,
		struct client_resp *r, struct rm_diag *d)
{
	static const char *const plain[] = { "Content-Type: application/json" };
	static const char *const zipped[] = { "Content-Type: application/json",
					      "Content-Encoding: gzip" };
	struct curl_slist *h = headers(c, gzip ? zipped : plain, gzip ? 2 : 1);
	void *z = NULL;
	size_t zlen = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (h == NULL || (gzip && client_gzip(body, len, &z, &zlen) != RM_OK)) {
		curl_slist_free_all(h);
		rm_diag_error(d, "%s: out of memory", c->url);
		return RM_ENOMEM;
	}
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, gzip ? z : body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(gzip ? zlen : len));
	rc = perform(c, path, h, r, d);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(h);
	rm_free(z);
	return rc;
}

int client_gzip(const void *body, size_t len, void **out, size_t *outlen)
{
	z_stream zs;
	uLong cap;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: the gzip wrapper; level 1: the agent's CPU matters
	 * more than a few bytes (a round's JSON compresses 15:1 at level 1). */
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return RM_ENOMEM;
	cap = deflateBound(&zs, (uLong)len);
	if ((*out = rm_malloc(cap)) == NULL) {
		deflateEnd(&zs);
		return RM_ENOMEM;
	}
	zs.next_in = (Bytef *)(uintptr_t)body;
	zs.avail_in = (uInt)len;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	rc = deflate(&zs, Z_FINISH);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		rm_free(*out);
		*out = NULL;
		return RM_EIO;
	}
	return RM_OK;
}

/* The collector's HTTP front, served for real on 127.0.0.1 with libcurl as
 * the client: every gate's status and exact body, gzip bodies (a bomb
 * included), the worker pool beside a light route, the queue limit, the
 * metrics, the log line, the token file and TLS with a CA made here by
 * openssl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "collector/http.h"
#include "reachmap/alloc.h"
#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "reachmap/token.h"

#define TOKEN "s3cret-token"

struct ctx {
	atomic_int heavy_running;
	unsigned heavy_ms;
	char last_body[256];
	size_t last_len, last_rawlen;
	bool last_gzip;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void h_health(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	(void)ctx;
	(void)req;
	http_resp_set(resp, 200, "text/plain", "ok\n", 3);
}

static void h_echo(void *vctx, const struct http_req *req, struct http_resp *resp)
{
	struct ctx *ctx = vctx;
	char out[128];
	int n;

	snprintf(ctx->last_body, sizeof(ctx->last_body), "%s", req->body);
	ctx->last_len = req->len;
	ctx->last_rawlen = req->rawlen;
	ctx->last_gzip = req->gzip;
	n = snprintf(out, sizeof(out), "{\"len\": %zu, \"x\": \"%s\"}", req->len,
		     http_query(req, "x") ? http_query(req, "x") : "");
	http_resp_set(resp, 200, NULL, out, (size_t)n);
	snprintf(resp->log, sizeof(resp->log), " echoed=%zu", req->len);
}

static void h_heavy(void *vctx, const struct http_req *req, struct http_resp *resp)
{
	struct ctx *ctx = vctx;

	(void)req;
	atomic_fetch_add(&ctx->heavy_running, 1);
	usleep(ctx->heavy_ms * 1000u);
	http_resp_set(resp, 202, NULL, "{}", 2);
	atomic_fetch_sub(&ctx->heavy_running, 1);
}

static struct http_server *metrics_srv;

static void h_metrics(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)ctx;
	(void)req;
	http_metrics_write(metrics_srv, f);
	fclose(f);
	http_resp_set(resp, 200, "text/plain; version=0.0.4", buf, len);
	free(buf);
}

static const struct http_route routes[] = {
	{ "GET", "/healthz", HTTP_PUBLIC, h_health, 0 },
	{ "GET", "/metrics", HTTP_PUBLIC, h_metrics, 0 },
	{ "POST", "/v1/echo", HTTP_JSON_BODY | HTTP_NEEDS_READY, h_echo, 0 },
	{ "GET", "/v1/echo", 0, h_echo, 0 },
	{ "POST", "/v1/heavy", HTTP_HEAVY, h_heavy, 0 },
};

struct reply {
	long status;
	char body[65536];
	size_t len;
	char headers[4096];
	size_t hlen;
	CURLcode rc;
	double seconds;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = sz * n;
	size_t room = sizeof(r->body) - 1 - r->len;

	memcpy(r->body + r->len, p, k < room ? k : room);
	r->len += k < room ? k : room;
	r->body[r->len] = '\0';
	return k;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = sz * n;
	size_t room = sizeof(r->headers) - 1 - r->hlen;

	memcpy(r->headers + r->hlen, p, k < room ? k : room);
	r->hlen += k < room ? k : room;
	r->headers[r->hlen] = '\0';
	return k;
}

struct call {
	const char *scheme; /* NULL: http */
	uint16_t port;
	const char *method, *path;
	const char *headers[6];
	const void *body;
	size_t len;
	const char *cafile;
};

static void do_call(const struct call *c, struct reply *r)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[256];
	double t0 = now_s();
	size_t i;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", c->scheme ? c->scheme : "http", c->port,
		 c->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	if (strcmp(c->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	for (i = 0; i < 6 && c->headers[i] != NULL; i++)
		hl = curl_slist_append(hl, c->headers[i]);
	/* No "Expect: 100-continue" pause: the answers are timed. */
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	if (c->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
	}
	if (c->cafile != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cafile);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	r->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	r->seconds = now_s() - t0;
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
}

static void call(uint16_t port, const char *method, const char *path, const char *h1,
		 const char *h2, const char *body, struct reply *r)
{
	struct call c = { .port = port,
			  .method = method,
			  .path = path,
			  .headers = { h1, h2 },
			  .body = body,
			  .len = body ? strlen(body) : 0 };

	do_call(&c, r);
}

static void expect(const struct reply *r, long status, const char *body)
{
	assert_int_equal(r->rc, CURLE_OK);
	assert_int_equal(r->status, status);
	assert_string_equal(r->body, body);
	if (status >= 400)
		assert_non_null(strstr(r->headers, "Content-Type: application/json\r\n"));
}

static struct http_server *start(struct http_opts *o, struct ctx *ctx)
{
	struct http_server *s = NULL;
	struct rm_diag d;

	rm_diag_clear(&d);
	if (o->listen == NULL)
		o->listen = "127.0.0.1:0";
	assert_int_equal(http_start(o, routes, sizeof(routes) / sizeof(routes[0]), ctx, &s, &d), 0);
	assert_true(http_port(s) > 0);
	metrics_srv = s;
	return s;
}

#define AUTH "Authorization: Bearer " TOKEN
#define JSON "Content-Type: application/json"

static void test_gates(void **state)
{
	struct http_opts o = { .token = TOKEN, .max_body = 1024 };
	struct ctx ctx = { 0 };
	struct http_server *s;
	struct reply r;
	char big[2000];
	uint16_t p;

	(void)state;
	s = start(&o, &ctx);
	p = http_port(s);
	call(p, "GET", "/x", NULL, NULL, NULL, &r);
	expect(&r, 404, "{\"error\": \"no such endpoint: /x\"}");
	call(p, "DELETE", "/healthz", AUTH, NULL, NULL, &r);
	expect(&r, 405, "{\"error\": \"DELETE is not allowed on /healthz; allowed: GET, HEAD\"}");
	assert_non_null(strstr(r.headers, "Allow: GET, HEAD\r\n"));
	call(p, "PUT", "/v1/echo", AUTH, NULL, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.headers, "Allow: POST, GET, HEAD\r\n"));
	call(p, "GET", "/healthz", NULL, NULL, NULL, &r);
	expect(&r, 200, "ok\n");
	call(p, "HEAD", "/healthz", NULL, NULL, NULL, &r);
	expect(&r, 200, "");

	call(p, "POST", "/v1/echo", JSON, NULL, "{}", &r);
	expect(&r, 401,
	       "{\"error\": \"this endpoint needs a bearer token (Authorization: Bearer "
	       "TOKEN)\"}");
	assert_non_null(strstr(r.headers, "WWW-Authenticate: Bearer\r\n"));
	call(p, "POST", "/v1/echo", JSON, "Authorization: Bearer s3cret-tokeN", "{}", &r);
	expect(&r, 401, "{\"error\": \"the bearer token is not the collector's\"}");
	call(p, "POST", "/v1/echo", JSON, "Authorization: Bearer s3cret-token2", "{}", &r);
	assert_int_equal(r.status, 401);

	call(p, "POST", "/v1/echo", AUTH, JSON, "{}", &r);
	expect(&r, 503, "{\"error\": \"the store is not ready yet\"}");
	assert_non_null(strstr(r.headers, "Retry-After: 1\r\n"));
	http_set_ready(s, true);
	assert_true(http_ready(s));
	call(p, "POST", "/v1/echo?x=a%20b", AUTH, "Content-Type: application/json; charset=utf-8",
	     "{\"a\": \"\xc3\xa9\"}", &r);
	expect(&r, 200, "{\"len\": 11, \"x\": \"a b\"}");
	assert_string_equal(ctx.last_body, "{\"a\": \"\xc3\xa9\"}");

	call(p, "POST", "/v1/echo", AUTH, "Content-Type: text/plain", "{}", &r);
	expect(&r, 415, "{\"error\": \"Content-Type must be application/json, not text/plain\"}");
	call(p, "POST", "/v1/echo", AUTH, "Content-Type:", "{}", &r);
	expect(&r, 415, "{\"error\": \"Content-Type must be application/json (none given)\"}");
	{
		struct call c = { .port = p,
				  .method = "POST",
				  .path = "/v1/echo",
				  .headers = { AUTH, JSON, "Content-Encoding: br" },
				  .body = "{}",
				  .len = 2 };

		do_call(&c, &r);
		expect(&r, 415,
		       "{\"error\": \"Content-Encoding br is not supported: send identity or "
		       "gzip\"}");
	}
	memset(big, ' ', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	call(p, "POST", "/v1/echo", AUTH, JSON, big, &r);
	expect(&r, 413,
	       "{\"error\": \"body of 1999 bytes is larger than the limit of 1024 bytes\"}");
	call(p, "POST", "/v1/echo", AUTH, JSON, "{\"a\": \"\xc3\x28\"}", &r);
	expect(&r, 400, "{\"error\": \"body is not valid UTF-8 at byte 7\"}");
	call(p, "POST", "/v1/echo", AUTH, JSON, "\xed\xa0\x80", &r);
	expect(&r, 400, "{\"error\": \"body is not valid UTF-8 at byte 0\"}");
	http_stop(s);
}

/* gzip of n bytes of text (or zeros when text is NULL), in a buffer the
 * caller frees. */
static unsigned char *gzip_of(const char *text, size_t n, size_t *outlen)
{
	z_stream z = { 0 };
	size_t cap = n / 100 + 4096, chunk = 1 << 20, done = 0;
	unsigned char *out = malloc(cap), *zeros = calloc(1, chunk);

	assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while (done < n) {
		size_t k = n - done < chunk ? n - done : chunk;
		int rc;

		z.next_in = text ? (Bytef *)text + done : zeros;
		z.avail_in = (uInt)k;
		done += k;
		do
			rc = deflate(&z, done == n ? Z_FINISH : Z_NO_FLUSH);
		while (rc == Z_OK && (z.avail_in > 0 || done == n) && z.avail_out > 0);
		assert_int_equal(rc, done == n ? Z_STREAM_END : Z_OK);
	}
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	free(zeros);
	return out;
}

static void post_gzip(uint16_t p, const void *body, size_t len, struct reply *r)
{
	struct call c = { .port = p,
			  .method = "POST",
			  .path = "/v1/echo",
			  .headers = { AUTH, JSON, "Content-Encoding: gzip" },
			  .body = body,
			  .len = len };

	do_call(&c, r);
}

static void test_gzip(void **state)
{
	struct http_opts o = { .token = TOKEN, .max_body = 1 << 20 };
	struct ctx ctx = { 0 };
	const char *doc = "{\"kind\": \"reachmap.results/v1\", \"results\": []}";
	struct http_server *s;
	unsigned char *gz;
	struct reply r;
	size_t gzlen;
	double t0;

	(void)state;
	s = start(&o, &ctx);
	http_set_ready(s, true);
	gz = gzip_of(doc, strlen(doc), &gzlen);
	post_gzip(http_port(s), gz, gzlen, &r);
	expect(&r, 200, "{\"len\": 46, \"x\": \"\"}");
	assert_string_equal(ctx.last_body, doc);
	assert_true(ctx.last_gzip);
	assert_int_equal(ctx.last_rawlen, gzlen);
	post_gzip(http_port(s), gz, gzlen - 9, &r);
	expect(&r, 400, "{\"error\": \"gzip body ends before the end of its stream\"}");
	free(gz);
	post_gzip(http_port(s), "{\"not\": \"gzip\"}", 15, &r);
	expect(&r, 400, "{\"error\": \"body is not valid gzip: incorrect header check\"}");

	/* 200 MB of zeros in about 200 kB: refused once 1 MiB is out. */
	gz = gzip_of(NULL, 200u << 20, &gzlen);
	assert_true(gzlen < (1u << 20));
	t0 = now_s();
	post_gzip(http_port(s), gz, gzlen, &r);
	expect(&r, 413,
	       "{\"error\": \"body larger than the limit of 1048576 bytes once decompressed\"}");
	assert_true(now_s() - t0 < 5.0);
	free(gz);
	http_stop(s);
}

struct stream {
	size_t left;
};

static size_t stream_read(char *buf, size_t sz, size_t n, void *arg)
{
	struct stream *st = arg;
	size_t k = sz * n < st->left ? sz * n : st->left;

	memset(buf, ' ', k);
	st->left -= k;
	return k;
}

/* Streams `total` bytes as a chunked body (no length to refuse at once);
 * returns curl's code, the status in r. */
static CURLcode stream_body(uint16_t port, size_t total, struct reply *r)
{
	struct stream st = { .left = total };
	struct curl_slist *hl = NULL;
	char url[128];
	CURLcode rc;
	CURL *h = curl_easy_init();

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/echo", port);
	hl = curl_slist_append(hl, AUTH);
	hl = curl_slist_append(hl, JSON);
	hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, stream_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &st);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return rc;
}

/* A chunked body is refused when it passes the limit: the rest is dropped
 * unbuffered and the answer sent at its end, unless the rest goes on past
 * 16 MiB, when the connection is cut. */
static void test_streamed_too_big(void **state)
{
	struct http_opts o = { .token = TOKEN, .max_body = 1024 };
	struct ctx ctx = { 0 };
	struct http_server *s;
	struct reply r;

	(void)state;
	s = start(&o, &ctx);
	http_set_ready(s, true);
	assert_int_equal(stream_body(http_port(s), 8u << 20, &r), CURLE_OK);
	assert_int_equal(r.status, 413);
	assert_string_equal(r.body, "{\"error\": \"body larger than the limit of 1024 bytes\"}");
	/* curl saw "100 Continue" and then the connection close. */
	assert_int_not_equal(stream_body(http_port(s), 64u << 20, &r), CURLE_OK);
	assert_true(r.status == 0 || r.status == 100);
	assert_string_equal(r.body, "");
	http_stop(s);
}

struct bg {
	pthread_t t;
	uint16_t port;
	struct reply r;
};

static void *bg_heavy(void *arg)
{
	struct bg *b = arg;

	call(b->port, "POST", "/v1/heavy", AUTH, NULL, "x", &b->r);
	return NULL;
}

static void wait_running(struct ctx *ctx, int n)
{
	int i;

	for (i = 0; i < 500 && atomic_load(&ctx->heavy_running) < n; i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&ctx->heavy_running), n);
}

/* A heavy handler holds a worker, not an epoll thread. */
static void test_heavy_beside_light(void **state)
{
	struct http_opts o = { .token = TOKEN, .threads = 1, .workers = 2 };
	struct ctx ctx = { .heavy_ms = 1000 };
	struct http_server *s;
	struct bg b;
	struct reply r;

	(void)state;
	s = start(&o, &ctx);
	b.port = http_port(s);
	pthread_create(&b.t, NULL, bg_heavy, &b);
	wait_running(&ctx, 1);
	call(http_port(s), "GET", "/healthz", NULL, NULL, NULL, &r);
	expect(&r, 200, "ok\n");
	assert_true(r.seconds < 0.4);
	pthread_join(b.t, NULL);
	expect(&b.r, 202, "{}");
	assert_true(b.r.seconds >= 1.0);
	http_stop(s);
}

static void test_queue_full(void **state)
{
	struct http_opts o = { .token = TOKEN, .workers = 1, .queue = 1 };
	struct ctx ctx = { .heavy_ms = 600 };
	struct http_server *s;
	struct bg b[2];
	struct reply r;
	int i;

	(void)state;
	s = start(&o, &ctx);
	for (i = 0; i < 2; i++) {
		b[i].port = http_port(s);
		pthread_create(&b[i].t, NULL, bg_heavy, &b[i]);
		if (i == 0)
			wait_running(&ctx, 1);
	}
	/* The second one reaches the queue well within this. */
	usleep(200 * 1000);
	call(http_port(s), "POST", "/v1/heavy", AUTH, NULL, "x", &r);
	expect(&r, 503, "{\"error\": \"too many requests wait for a worker; retry later\"}");
	assert_non_null(strstr(r.headers, "Retry-After: 1\r\n"));
	for (i = 0; i < 2; i++) {
		pthread_join(b[i].t, NULL);
		expect(&b[i].r, 202, "{}");
	}
	http_stop(s);
}

static bool has_line(const char *text, const char *line)
{
	const char *p;

	for (p = strstr(text, line); p != NULL; p = strstr(p + 1, line))
		if (p == text || p[-1] == '\n')
			return true;
	return false;
}

static void test_metrics_and_log(void **state)
{
	struct ctx ctx = { 0 };
	FILE *log = tmpfile();
	struct http_opts o = { .token = TOKEN, .log = log };
	char text[8192];
	struct http_server *s;
	struct reply r;
	size_t n;
	int i;

	(void)state;
	s = start(&o, &ctx);
	call(http_port(s), "GET", "/healthz", NULL, NULL, NULL, &r);
	call(http_port(s), "GET", "/nope", NULL, NULL, NULL, &r);
	call(http_port(s), "GET", "/v1/echo", "Authorization: Bearer wrong", NULL, NULL, &r);
	call(http_port(s), "GET", "/v1/echo", AUTH, NULL, NULL, &r);
	/* A request's series are counted once its connection is done with
	 * it, just after the client has its answer. */
	for (i = 0; i < 100; i++) {
		call(http_port(s), "GET", "/metrics", NULL, NULL, NULL, &r);
		if (strstr(r.body, "route=\"/v1/echo\",code=\"200\"} 1\n") != NULL)
			break;
		usleep(10 * 1000);
	}
	assert_true(has_line(r.body, "# TYPE reachmap_http_requests_total counter\n"));
	assert_true(
	    has_line(r.body, "reachmap_http_requests_total{route=\"/healthz\",code=\"200\"} 1\n"));
	assert_true(
	    has_line(r.body, "reachmap_http_requests_total{route=\"other\",code=\"404\"} 1\n"));
	assert_true(
	    has_line(r.body, "reachmap_http_requests_total{route=\"/v1/echo\",code=\"401\"} 1\n"));
	assert_true(has_line(r.body, "# TYPE reachmap_http_request_duration_seconds histogram\n"));
	assert_true(has_line(
	    r.body,
	    "reachmap_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"10\"} 1\n"));
	assert_true(
	    has_line(r.body, "reachmap_http_request_duration_seconds_count{route=\"other\"} 1\n"));
	assert_true(has_line(r.body, "reachmap_http_refused_total{reason=\"auth\"} 1\n"));
	assert_true(has_line(r.body, "reachmap_http_refused_total{reason=\"queue\"} 0\n"));
	assert_true(has_line(r.body, "reachmap_http_connections "));
	assert_true(has_line(r.body, "reachmap_http_received_bytes_total 0\n"));
	http_stop(s);

	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	fclose(log);
	assert_non_null(strstr(text, " remote=127.0.0.1:"));
	assert_non_null(
	    strstr(text, " method=GET path=/healthz status=200 bytes_in=0 bytes_out=3 ms="));
	assert_non_null(strstr(text, " method=GET path=/nope status=404 "));
	assert_non_null(strstr(text, " path=/v1/echo status=200 bytes_in=0 bytes_out=19 ms="));
	assert_non_null(strstr(text, " echoed=0\n"));
	assert_true(strncmp(text, "ts=20", 5) == 0);
	assert_null(strstr(text, TOKEN));
	assert_null(strstr(text, "wrong"));
}

static void test_log_errors_only(void **state)
{
	struct ctx ctx = { 0 };
	FILE *log = tmpfile();
	struct http_opts o = { .log = log, .log_errors_only = true };
	char text[4096];
	struct http_server *s;
	struct reply r;
	size_t n;

	(void)state;
	s = start(&o, &ctx);
	call(http_port(s), "GET", "/healthz", NULL, NULL, NULL, &r);
	call(http_port(s), "GET", "/a%20b%0a", NULL, NULL, NULL, &r);
	http_stop(s);
	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	fclose(log);
	assert_null(strstr(text, "/healthz"));
	/* The client's bytes cannot break the line or forge a field. */
	assert_non_null(strstr(text, " path=/a%20b%0A status=404 "));
}

static char tmpdir[64];

static void write_file(const char *name, const char *text, mode_t mode, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_token_load(void **state)
{
	struct rm_diag d;
	char path[128], want[512];
	char *tok = NULL;

	(void)state;
	rm_diag_clear(&d);
	write_file("t1", "  tok-1 \nsecond\n", 0644, path, sizeof(path));
	assert_int_equal(rm_token_load(path, &tok, &d), RM_EINVAL);
	snprintf(want, sizeof(want),
		 "%s: mode 0644 lets others read the token or the group change it; chmod 600 %s",
		 path, path);
	assert_string_equal(d.error, want);
	assert_null(tok);
	assert_int_equal(chmod(path, 0660), 0);
	rm_diag_clear(&d);
	assert_int_equal(rm_token_load(path, &tok, &d), RM_EINVAL);
	snprintf(want, sizeof(want),
		 "%s: mode 0660 lets others read the token or the group change it; chmod 600 %s",
		 path, path);
	assert_string_equal(d.error, want);
	/* A Secret in a non-root pod: root:fsGroup, 0440. */
	assert_int_equal(chmod(path, 0440), 0);
	rm_diag_clear(&d);
	assert_int_equal(rm_token_load(path, &tok, &d), 0);
	assert_string_equal(tok, "tok-1");
	rm_free(tok);
	assert_int_equal(chmod(path, 0600), 0);
	rm_diag_clear(&d);
	assert_int_equal(rm_token_load(path, &tok, &d), 0);
	assert_string_equal(tok, "tok-1");
	rm_free(tok);
	write_file("t2", " \n", 0600, path, sizeof(path));
	rm_diag_clear(&d);
	assert_int_equal(rm_token_load(path, &tok, &d), RM_EINVAL);
	snprintf(want, sizeof(want), "%s: the token is empty", path);
	assert_string_equal(d.error, want);
}

static void test_listen(void **state)
{
	static const char *const bad[] = { "127.0.0.1",	      "::1:80",	      "[::1]80",
					   "127.0.0.1:65536", "localhost:80", "[127.0.0.1]:80",
					   "127.0.0.1:" };
	struct http_opts o = { 0 };
	struct http_server *s = NULL, *s2 = NULL;
	struct ctx ctx = { 0 };
	struct rm_diag d;
	char spec[64], want[160];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rm_diag_clear(&d);
		o.listen = bad[i];
		assert_int_equal(http_start(&o, routes, 1, &ctx, &s, &d), RM_EINVAL);
		snprintf(want, sizeof(want), "listen address %s: expected ADDR:PORT or [IPV6]:PORT",
			 bad[i]);
		assert_string_equal(d.error, want);
		assert_null(s);
	}
	o.listen = "127.0.0.1:0";
	s = start(&o, &ctx);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", http_port(s));
	o.listen = spec;
	rm_diag_clear(&d);
	assert_int_equal(http_start(&o, routes, 1, &ctx, &s2, &d), RM_EIO);
	snprintf(want, sizeof(want), "listen %s: cannot bind: Address already in use", spec);
	assert_string_equal(d.error, want);
	http_stop(s);

	o.listen = "[::1]:0";
	rm_diag_clear(&d);
	rc = http_start(&o, routes, 1, &ctx, &s, &d);
	if (rc == RM_EIO && strstr(d.error, "Cannot assign requested address") != NULL)
		return; /* no IPv6 loopback in this sandbox */
	assert_int_equal(rc, 0);
	{
		char url[64];
		long status = 0;
		CURL *h = curl_easy_init();

		snprintf(url, sizeof(url), "http://[::1]:%u/healthz", http_port(s));
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		assert_int_equal(curl_easy_perform(h), CURLE_OK);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		assert_int_equal(status, 200);
		curl_easy_cleanup(h);
	}
	http_stop(s);
}

static char *slurp(const char *name)
{
	char path[128], *text = NULL;
	size_t len;
	struct rm_diag d;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(rm_diag_file_read(path, 1 << 20, "PEM file", &text, &len, &d), 0);
	return text;
}

/* A CA, and a certificate it signs for IP 127.0.0.1; another CA that
 * signed nothing. */
static void make_pki(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; exec >openssl.log 2>&1;"
		 "ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';"
		 "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca;"
		 "openssl req -x509 $ec -keyout other.key -out other.pem -days 2 -subj /CN=other;"
		 "openssl req $ec -keyout srv.key -out srv.csr -subj /CN=127.0.0.1;"
		 "echo subjectAltName=IP:127.0.0.1 >ext;"
		 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
		 " -out srv.pem -days 2 -extfile ext",
		 tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_tls(void **state)
{
	struct ctx ctx = { 0 };
	struct http_opts o = { 0 };
	struct http_server *s;
	char ca[128], other[128];
	char *cert, *key;
	struct reply r;
	struct rm_diag d;
	struct call c = { .scheme = "https", .method = "GET", .path = "/healthz", .cafile = ca };

	(void)state;
	make_pki();
	snprintf(ca, sizeof(ca), "%s/ca.pem", tmpdir);
	snprintf(other, sizeof(other), "%s/other.pem", tmpdir);
	cert = slurp("srv.pem");
	key = slurp("srv.key");
	o.tls_cert_pem = cert;
	o.tls_key_pem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
	o.listen = "127.0.0.1:0";
	rm_diag_clear(&d);
	assert_int_equal(http_start(&o, routes, 1, &ctx, &s, &d), RM_EINVAL);
	assert_true(strncmp(d.error, "TLS certificate or key rejected: ", 33) == 0);
	o.tls_key_pem = NULL;
	rm_diag_clear(&d);
	assert_int_equal(http_start(&o, routes, 1, &ctx, &s, &d), RM_EINVAL);
	assert_string_equal(d.error, "TLS needs both a certificate and its key");

	o.tls_key_pem = key;
	s = start(&o, &ctx);
	c.port = http_port(s);
	do_call(&c, &r);
	expect(&r, 200, "ok\n");
	c.cafile = other;
	do_call(&c, &r);
	assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
	assert_int_equal(r.rc, 60);
	c.scheme = "http";
	do_call(&c, &r);
	assert_int_not_equal(r.rc, CURLE_OK);
	assert_int_equal(r.status, 0);
	http_stop(s);
	rm_free(cert);
	rm_free(key);
}

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_http.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_streamed_too_big),
		cmocka_unit_test(test_heavy_beside_light),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_metrics_and_log),
		cmocka_unit_test(test_log_errors_only),
		cmocka_unit_test(test_token_load),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_tls),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
	curl_global_cleanup();
	return rc;
}

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
#include "reachmap/error.h"

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
	{ "GET", "/healthz", HTTP_PUBLIC, h_health },
	{ "GET", "/metrics", HTTP_PUBLIC, h_metrics },
	{ "POST", "/v1/echo", HTTP_JSON_BODY | HTTP_NEEDS_READY, h_echo },
	{ "GET", "/v1/echo", 0, h_echo },
	{ "POST", "/v1/heavy", HTTP_HEAVY, h_heavy },
};

struct reply {
	long status;
	char body[4096];
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}

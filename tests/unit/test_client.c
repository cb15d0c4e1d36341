/* The collector's client (collector/client.c) against the real HTTP front
 * (collector/http.c) on loopback: the token, gzip on the wire both ways,
 * statuses passed through, bounded answers, transport errors named by
 * URL, bad URLs refused at start, and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector/client.h"
#include "collector/http.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

#define TOKEN "s3cret-token"

static void echo(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	(void)ctx;
	/* What arrived, decoded, and whether it came compressed. */
	char *b = rm_malloc(req->len + 16);

	assert_non_null(b);
	memcpy(b, req->gzip ? "gz:" : "id:", 3);
	memcpy(b + 3, req->body, req->len);
	http_resp_take(resp, 202, "text/plain", b, req->len + 3);
}

static void big(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	char *b = rm_malloc(100000);

	(void)ctx, (void)req;
	assert_non_null(b);
	memset(b, 'x', 100000);
	http_resp_take(resp, 200, "text/plain", b, 100000);
}

static void slow(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	(void)ctx, (void)req;
	usleep(3000 * 1000);
	http_resp_error(resp, 500, "late");
}

static const struct http_route routes[] = {
	{ "POST", "/echo", HTTP_JSON_BODY, echo, 0 },
	{ "GET", "/big", 0, big, 0 },
	{ "GET", "/slow", HTTP_HEAVY, slow, 0 },
};

static struct http_server *start(void)
{
	struct http_opts o = { .listen = "127.0.0.1:0", .token = TOKEN };
	struct http_server *s = NULL;
	struct rm_diag d;

	rm_diag_clear(&d);
	assert_int_equal(http_start(&o, routes, 3, NULL, &s, &d), RM_OK);
	http_set_ready(s, true);
	return s;
}

static struct client *client_at(uint16_t port, const struct client_opts *o)
{
	struct client *c = NULL;
	struct rm_diag d;
	char url[64];

	rm_diag_clear(&d);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
	assert_int_equal(client_new(url, o, &c, &d), RM_OK);
	return c;
}

static void test_post_token_gzip(void **state)
{
	struct http_server *s = start();
	struct client_opts o = { .token = TOKEN };
	struct client *c = client_at(http_port(s), &o), *anon;
	struct client_resp r;
	struct rm_diag d;

	(void)state;
	rm_diag_clear(&d);
	assert_int_equal(client_post(c, "/echo", "{\"a\": 1}", 8, true, &r, &d), RM_OK);
	assert_int_equal(r.status, 202);
	assert_string_equal(r.body, "gz:{\"a\": 1}");
	assert_string_equal(r.content_type, "text/plain");
	client_resp_free(&r);
	/* The same connection, uncompressed this time. */
	assert_int_equal(client_post(c, "/echo", "{}", 2, false, &r, &d), RM_OK);
	assert_string_equal(r.body, "id:{}");
	client_resp_free(&r);
	anon = client_at(http_port(s), NULL);
	assert_int_equal(client_post(anon, "/echo", "{}", 2, false, &r, &d), RM_OK);
	assert_int_equal(r.status, 401);
	client_resp_free(&r);
	client_free(anon);
	client_free(c);
	http_stop(s);
}

static void test_bounded_answer(void **state)
{
	struct http_server *s = start();
	struct client_opts o = { .token = TOKEN, .max_response = 1000 };
	struct client *c = client_at(http_port(s), &o);
	struct client_resp r;
	struct rm_diag d;
	char want[128];

	(void)state;
	rm_diag_clear(&d);
	assert_int_equal(client_get(c, "/big", &r, &d), RM_EIO);
	snprintf(want, sizeof(want),
		 "http://127.0.0.1:%u/big: the answer is larger than 1000 bytes", http_port(s));
	assert_string_equal(d.error, want);
	assert_null(r.body);
	client_free(c);
	http_stop(s);
}

static void test_refused_and_bad_url(void **state)
{
	struct http_server *s = start();
	uint16_t port = http_port(s);
	struct client *c;
	struct client_resp r;
	struct rm_diag d;
	char want[128];

	(void)state;
	http_stop(s);
	c = client_at(port, NULL);
	rm_diag_clear(&d);
	assert_int_equal(client_get(c, "/healthz", &r, &d), RM_EIO);
	snprintf(want, sizeof(want), "http://127.0.0.1:%u/healthz: ", port);
	assert_memory_equal(d.error, want, strlen(want));
	assert_non_null(strstr(d.error, "onnect"));
	client_free(c);

	rm_diag_clear(&d);
	assert_int_equal(client_new("ftp://x:1", NULL, &c, &d), RM_EINVAL);
	assert_string_equal(d.error, "ftp://x:1: scheme ftp is not http or https");
	rm_diag_clear(&d);
	assert_int_equal(client_new("collector:8787", NULL, &c, &d), RM_EINVAL);
	assert_string_equal(
	    d.error, "collector:8787: not a URL (give http://HOST:PORT or https://HOST:PORT)");
	rm_diag_clear(&d);
	assert_int_equal(client_new("http://c:1/?x=1", NULL, &c, &d), RM_EINVAL);
	assert_null(c);
}

static void test_cancel_and_timeout(void **state)
{
	struct http_server *s = start();
	atomic_int cancel = 1;
	struct client_opts o = { .token = TOKEN, .cancel = &cancel };
	struct client_opts t = { .token = TOKEN, .timeout_ms = 500 };
	struct client *c = client_at(http_port(s), &o), *ct = client_at(http_port(s), &t);
	struct client_resp r;
	struct rm_diag d;

	(void)state;
	rm_diag_clear(&d);
	assert_int_equal(client_get(c, "/slow", &r, &d), RM_EIO);
	assert_non_null(strstr(d.error, "/slow: cancelled"));
	rm_diag_clear(&d);
	assert_int_equal(client_get(ct, "/slow", &r, &d), RM_EIO);
	assert_non_null(strstr(d.error, "/slow: Operation timed out after "));
	client_free(c);
	client_free(ct);
	http_stop(s);
}

static void test_gzip_roundtrip(void **state)
{
	char text[4096];
	void *z;
	size_t zlen, i;

	(void)state;
	for (i = 0; i < sizeof(text); i++)
		text[i] = "reachmap "[i % 9];
	assert_int_equal(client_gzip(text, sizeof(text), &z, &zlen), RM_OK);
	assert_true(zlen > 18 && zlen < 200);
	assert_int_equal(((unsigned char *)z)[0], 0x1f);
	assert_int_equal(((unsigned char *)z)[1], 0x8b);
	rm_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_token_gzip),
		cmocka_unit_test(test_bounded_answer),
		cmocka_unit_test(test_refused_and_bad_url),
		cmocka_unit_test(test_cancel_and_timeout),
		cmocka_unit_test(test_gzip_roundtrip),
	};
	int rc;

	client_global_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	client_global_cleanup();
	return rc;
}

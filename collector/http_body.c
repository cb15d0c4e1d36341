/* Request bodies: admitted by their headers (RFC 9110 8.3 Content-Type,
 * 8.4 Content-Encoding, 8.6 Content-Length), buffered within the limits
 * of one body and of all bodies together, inflated as they arrive (RFC
 * 1952 gzip, never more than max_body + 1 bytes out, so a bomb stops at
 * the limit) and checked as UTF-8 (RFC 3629). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "collector/http_int.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

static const char *header(const struct http_conn *c, const char *name)
{
	return MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name);
}

static void refuse(struct http_conn *c, int status, enum http_refusal why, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills c->early once (the first refusal is the one to report) and drops
 * the buffers: whatever still arrives is discarded unread. */
static void refuse(struct http_conn *c, int status, enum http_refusal why, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (c->early.status != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_resp_error(&c->early, status, "%s", msg);
	if (status == 503)
		c->early.retry_after_s = 1;
	if (why != HTTP_REFUSED_N)
		http_metrics_refused(&c->s->m, why);
	http_body_release(c);
}

/* The media type without parameters, compared case-insensitively
 * (RFC 9110 8.3.1): "application/json; charset=utf-8" is JSON. */
static bool is_json_type(const char *v)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, want, n) != 0)
		return false;
	v += n;
	while (*v == ' ' || *v == '\t')
		v++;
	return *v == '\0' || *v == ';';
}

/* Grows *buf to hold need bytes, up to limit, counting the growth in the
 * server's total of buffered bytes. */
static bool reserve(struct http_conn *c, char **buf, size_t *cap, size_t need, size_t limit)
{
	struct http_server *s = c->s;
	size_t ncap, grow;
	char *nb;

	if (need <= *cap)
		return true;
	ncap = *cap < 4096 ? 4096 : *cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap > limit)
		ncap = limit;
	grow = ncap - *cap;
	if (atomic_fetch_add(&s->buffered, grow) + grow > s->o.max_buffered) {
		atomic_fetch_sub(&s->buffered, grow);
		refuse(c, 503, HTTP_REFUSED_BUFFERED,
		       "the server holds too many request bodies at once; retry later");
		return false;
	}
	nb = rm_realloc(*buf, ncap);
	if (nb == NULL) {
		atomic_fetch_sub(&s->buffered, grow);
		refuse(c, 503, HTTP_REFUSED_N, "out of memory for the request body; retry later");
		return false;
	}
	c->buffered += grow;
	*buf = nb;
	*cap = ncap;
	return true;
}

static bool admit_encoding(struct http_conn *c)
{
	const char *enc = header(c, MHD_HTTP_HEADER_CONTENT_ENCODING);

	if (enc == NULL || strcasecmp(enc, "identity") == 0)
		return true;
	if (strcasecmp(enc, "gzip") != 0) {
		refuse(c, 415, HTTP_REFUSED_N,
		       "Content-Encoding %.64s is not supported: send identity or gzip", enc);
		return false;
	}
	/* 16 + MAX_WBITS: a gzip wrapper only, never zlib or raw deflate. */
	if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
		refuse(c, 503, HTTP_REFUSED_N, "cannot start decompression; retry later");
		return false;
	}
	c->zinit = true;
	c->req.gzip = true;
	return true;
}

size_t http_max_body(const struct http_conn *c)
{
	size_t route = c->route != NULL ? c->route->max_body : 0;

	return route > 0 && route < c->s->o.max_body ? route : c->s->o.max_body;
}

bool http_body_admit(struct http_conn *c)
{
	size_t max = http_max_body(c);
	const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long announced = 0;

	if (c->route->flags & HTTP_JSON_BODY) {
		const char *ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);

		if (ct == NULL) {
			refuse(c, 415, HTTP_REFUSED_N,
			       "Content-Type must be application/json (none given)");
			return false;
		}
		if (!is_json_type(ct)) {
			refuse(c, 415, HTTP_REFUSED_N,
			       "Content-Type must be application/json, not %.64s", ct);
			return false;
		}
		if (!admit_encoding(c))
			return false;
	}
	/* libmicrohttpd has already refused a malformed Content-Length. */
	if (cl != NULL)
		announced = strtoull(cl, NULL, 10);
	if (announced > max) {
		refuse(c, 413, HTTP_REFUSED_BODY,
		       "body of %llu bytes is larger than the limit of %zu bytes", announced, max);
		return false;
	}
	/* A known length is reserved whole, so a body that cannot be held is
	 * refused before it is sent. */
	if (announced > 0) {
		if (c->req.gzip)
			return reserve(c, &c->raw, &c->rawcap, (size_t)announced, max);
		return reserve(c, &c->body, &c->cap, (size_t)announced + 1, max + 1);
	}
	return true;
}

static void inflate_some(struct http_conn *c, int flush)
{
	size_t max = http_max_body(c);

	for (;;) {
		int rc;

		if (c->len == c->cap && !reserve(c, &c->body, &c->cap, c->cap + 1, max + 1))
			return;
		c->z.next_out = (Bytef *)c->body + c->len;
		c->z.avail_out = (uInt)(c->cap - c->len);
		rc = inflate(&c->z, flush);
		c->len = c->cap - c->z.avail_out;
		if (c->len > max) {
			refuse(c, 413, HTTP_REFUSED_BODY,
			       "body larger than the limit of %zu bytes once decompressed", max);
			return;
		}
		if (rc == Z_STREAM_END) {
			c->zend = true;
			if (c->z.avail_in > 0)
				refuse(c, 400, HTTP_REFUSED_N,
				       "data after the end of the gzip stream");
			return;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			refuse(c, 400, HTTP_REFUSED_N, "body is not valid gzip: %s",
			       c->z.msg ? c->z.msg : "corrupt data");
			return;
		}
		/* Room left for output means the input is used up. */
		if (c->z.avail_out > 0)
			return;
	}
}

void http_body_feed(struct http_conn *c, const char *data, size_t n)
{
	size_t max = http_max_body(c);
	size_t have = c->req.gzip ? c->rawlen : c->len;

	if (c->early.status != 0)
		return;
	if (n > max - have) {
		refuse(c, 413, HTTP_REFUSED_BODY, "body larger than the limit of %zu bytes", max);
		return;
	}
	if (!c->req.gzip) {
		if (reserve(c, &c->body, &c->cap, c->len + n + 1, max + 1)) {
			memcpy(c->body + c->len, data, n);
			c->len += n;
		}
		return;
	}
	if (!reserve(c, &c->raw, &c->rawcap, c->rawlen + n, max))
		return;
	memcpy(c->raw + c->rawlen, data, n);
	if (c->zend) {
		refuse(c, 400, HTTP_REFUSED_N, "data after the end of the gzip stream");
		return;
	}
	c->z.next_in = (Bytef *)c->raw + c->rawlen;
	c->z.avail_in = (uInt)n;
	c->rawlen += n;
	inflate_some(c, Z_NO_FLUSH);
}

size_t http_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char b = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range is what rules out overlong forms,
	 * surrogates and code points past U+10FFFF. */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

bool http_body_finish(struct http_conn *c)
{
	const unsigned char *p;
	size_t i = 0;

	if (c->early.status == 0 && c->zinit && !c->zend) {
		c->z.next_in = NULL;
		c->z.avail_in = 0;
		inflate_some(c, Z_FINISH);
		if (c->early.status == 0 && !c->zend && c->rawlen > 0)
			refuse(c, 400, HTTP_REFUSED_N,
			       "gzip body ends before the end of its stream");
	}
	if (c->early.status != 0)
		return false;
	if (c->body == NULL && !reserve(c, &c->body, &c->cap, 1, http_max_body(c) + 1))
		return false;
	if (c->len == c->cap && !reserve(c, &c->body, &c->cap, c->len + 1, http_max_body(c) + 1))
		return false;
	c->body[c->len] = '\0';
	p = (const unsigned char *)c->body;
	while (i < c->len) {
		size_t k;
		uint64_t w;

		/* JSON is mostly ASCII: eight bytes at a time while it is. */
		if (c->len - i >= 8) {
			memcpy(&w, p + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		k = http_utf8_seq(p + i, c->len - i);

		if (k == 0) {
			refuse(c, 400, HTTP_REFUSED_N, "body is not valid UTF-8 at byte %zu", i);
			return false;
		}
		i += k;
	}
	c->req.body = c->body;
	c->req.len = c->len;
	c->req.raw = c->req.gzip ? (const void *)c->raw : (const void *)c->body;
	c->req.rawlen = c->req.gzip ? c->rawlen : c->len;
	return true;
}

void http_body_release(struct http_conn *c)
{
	if (c->zinit)
		inflateEnd(&c->z);
	c->zinit = false;
	rm_free(c->raw);
	rm_free(c->body);
	c->raw = c->body = NULL;
	c->rawlen = c->rawcap = c->len = c->cap = 0;
	atomic_fetch_sub(&c->s->buffered, c->buffered);
	c->buffered = 0;
	c->req.body = "";
	c->req.len = 0;
	c->req.raw = "";
	c->req.rawlen = 0;
}

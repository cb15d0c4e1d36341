/* Responses as handlers build them, and the bearer token's file. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/http_int.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

int http_resp_set(struct http_resp *r, int status, const char *content_type, const char *text,
		  size_t len)
{
	char *b = rm_malloc(len + 1);

	if (b == NULL)
		return RM_ENOMEM;
	memcpy(b, text, len);
	b[len] = '\0';
	http_resp_take(r, status, content_type, b, len);
	return 0;
}

void http_resp_drop(struct http_resp *r)
{
	if (r->release != NULL)
		r->release(r->release_arg);
	else
		rm_free(r->body);
	r->release = NULL;
	r->release_arg = NULL;
	r->body = NULL;
	r->len = 0;
}

void http_resp_lend(struct http_resp *r, int status, const char *content_type, const char *body,
		    size_t len, void (*release)(void *arg), void *arg)
{
	http_resp_drop(r);
	r->status = status;
	r->content_type = content_type;
	r->body = (char *)body; /* never written: MHD only sends it */
	r->len = len;
	r->release = release;
	r->release_arg = arg;
}

void http_resp_take(struct http_resp *r, int status, const char *content_type, char *body,
		    size_t len)
{
	http_resp_drop(r);
	r->status = status;
	r->content_type = content_type;
	r->body = body;
	r->len = len;
}

/* JSON string contents (RFC 8259 7) of s; a byte that does not start a
 * UTF-8 sequence (a path may hold any byte) becomes U+FFFD, so the
 * document stays valid. Returns the length written, or would write when
 * out is NULL. */
static size_t json_escape(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, w = 0;

	while (i < n) {
		char esc[8];
		const char *piece = esc;
		size_t plen, k = http_utf8_seq(p + i, n - i);

		if (k == 0) {
			piece = "\\ufffd";
			plen = 6;
			k = 1;
		} else if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			plen = 2;
		} else if (p[i] < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
			plen = 6;
		} else {
			piece = s + i;
			plen = k;
		}
		if (out != NULL)
			memcpy(out + w, piece, plen);
		w += plen;
		i += k;
	}
	return w;
}

void http_resp_error(struct http_resp *r, int status, const char *fmt, ...)
{
	static const char head[] = "{\"error\": \"", tail[] = "\"}";
	char msg[1024];
	size_t n;
	char *b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = sizeof(head) - 1 + json_escape(msg, NULL) + sizeof(tail) - 1;
	b = rm_malloc(n + 1);
	if (b == NULL) {
		/* The status still tells the client what happened. */
		http_resp_take(r, status, NULL, NULL, 0);
		return;
	}
	memcpy(b, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	n += json_escape(msg, b + n);
	memcpy(b + n, tail, sizeof(tail));
	n += sizeof(tail) - 1;
	http_resp_take(r, status, NULL, b, n);
}

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

/* The token file's text, its mode checked on the file that is read (open,
 * then fstat: a file swapped in between a stat and a read of the name
 * would escape the check). A symlink is followed: Kubernetes mounts a
 * Secret's keys as symlinks into its current version. */
static int token_text(const char *path, char **text, struct rm_diag *d)
{
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		rm_diag_error(d, "%s: cannot read: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return RM_EIO;
	}
	if (st.st_mode & 077) {
		rm_diag_error(d, "%s: mode %04o lets group or others read the token; chmod 600 %s",
			      path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return RM_EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		rm_diag_error(d, "%s: cannot read: %s", path, strerror(errno));
		return RM_EIO;
	}
	buf[n] = '\0';
	if ((*text = rm_strdup(buf)) == NULL) {
		rm_diag_error(d, "%s: out of memory", path);
		return RM_ENOMEM;
	}
	memset(buf, 0, sizeof(buf));
	return RM_OK;
}

int http_token_load(const char *path, char **out, struct rm_diag *d)
{
	char *text = NULL, *start, *end;
	int rc;

	*out = NULL;
	if ((rc = token_text(path, &text, d)) != RM_OK)
		return rc;
	start = text;
	while (*start != '\0' && isspace((unsigned char)*start))
		start++;
	end = start;
	while (*end != '\0' && *end != '\n' && *end != '\r')
		end++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end == start) {
		rm_diag_error(d, "%s: the token is empty", path);
		rm_free(text);
		return RM_EINVAL;
	}
	*out = rm_strndup(start, (size_t)(end - start));
	memset(text, 0, strlen(text));
	rm_free(text);
	if (*out == NULL) {
		rm_diag_error(d, "%s: out of memory", path);
		return RM_ENOMEM;
	}
	return 0;
}

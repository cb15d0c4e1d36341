/* Reading reachmap.rounds/v1 (GET /v1/rounds) back. The envelope
 *
 *   {"schema": "reachmap.rounds/v1", "collectorStarted": T,
 *    "generated": T, "rounds": [DOC, DOC, ...]}
 *
 * is walked by a length-checked scanner that only finds where each value
 * begins and ends (RFC 8259's grammar of strings, objects and arrays;
 * numbers and literals as runs of their characters); each DOC's bytes
 * then go to results_doc_read, which parses and checks them whole. A tree
 * of the entire answer would take seven times its size. */
#include "reachmap/rounds_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"

/* Deeper nesting than any results document has is refused, so the
 * scanner's recursion is bounded. */
#define SCAN_MAX_DEPTH 64

struct scan {
	const char *text, *p, *end;
	const char *name;
	struct rm_diag *d;
};

__attribute__((format(printf, 2, 3))) static int fail(struct scan *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rm_diag_error(s->d, "%s: at byte %ld: %s", s->name, (long)(s->p - s->text), msg);
	return RM_EPARSE;
}

static void blank(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

/* The next character after blanks is c: consumed. */
static bool take(struct scan *s, char c)
{
	blank(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* A string; *start and *n its bytes between the quotes, escapes as written. */
static int string(struct scan *s, const char **start, size_t *n)
{
	blank(s);
	if (s->p == s->end || *s->p != '"')
		return fail(s, "want a string");
	*start = ++s->p;
	while (s->p < s->end && *s->p != '"') {
		if ((unsigned char)*s->p < 0x20)
			return fail(s, "a control character in a string");
		if (*s->p == '\\' && s->end - s->p < 2)
			break;
		s->p += *s->p == '\\' ? 2 : 1;
	}
	if (s->p >= s->end)
		return fail(s, "the text ends inside a string");
	*n = (size_t)(s->p - *start);
	s->p++;
	return RM_OK;
}

static int value(struct scan *s, int depth);

/* The members or items of an object or array, after its opening bracket. */
static int members(struct scan *s, bool object, int depth)
{
	const char *k;
	size_t n;
	int rc;

	if (take(s, object ? '}' : ']'))
		return RM_OK;
	do {
		if (object && (rc = string(s, &k, &n)) != RM_OK)
			return rc;
		if (object && !take(s, ':'))
			return fail(s, "want ':'");
		if ((rc = value(s, depth + 1)) != RM_OK)
			return rc;
	} while (take(s, ','));
	if (!take(s, object ? '}' : ']'))
		return fail(s, "want ',' or '%c'", object ? '}' : ']');
	return RM_OK;
}

/* Skips one value. */
static int value(struct scan *s, int depth)
{
	const char *str;
	size_t n;

	blank(s);
	if (s->p == s->end)
		return fail(s, "the text ends where a value should be");
	if (depth > SCAN_MAX_DEPTH)
		return fail(s, "nested more than %d deep", SCAN_MAX_DEPTH);
	if (*s->p == '{' || *s->p == '[') {
		bool object = *s->p++ == '{';

		return members(s, object, depth);
	}
	if (*s->p == '"')
		return string(s, &str, &n);
	str = s->p;
	while (s->p < s->end && strchr("+-.0123456789eEtrufalsn", *s->p) != NULL && *s->p != '\0')
		s->p++;
	return s->p > str ? RM_OK : fail(s, "not a JSON value");
}

/* A time member: a string of at most 20 characters without escapes. */
static int time_member(struct scan *s, const char *key, char out[RM_TIME_STRLEN])
{
	const char *v;
	size_t n;
	int rc;

	if ((rc = string(s, &v, &n)) != RM_OK)
		return rc;
	if (n >= RM_TIME_STRLEN || memchr(v, '\\', n) != NULL)
		return fail(s, "%s: not a time such as 2026-11-24T11:12:51Z", key);
	memcpy(out, v, n);
	out[n] = '\0';
	return RM_OK;
}

static int add_doc(struct scan *s, struct rm_rounds_doc *out, size_t *cap, const char *start)
{
	struct rm_results_doc *doc, **v;
	char name[RM_DIAG_LEN / 2];
	int rc;

	if (out->ndocs == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		if ((v = rm_realloc(out->docs, c * sizeof(*v))) == NULL)
			return RM_ENOMEM;
		out->docs = v;
		*cap = c;
	}
	if ((doc = rm_calloc(1, sizeof(*doc))) == NULL)
		return RM_ENOMEM;
	if (results_doc_init(doc) != RM_OK) {
		rm_free(doc);
		return RM_ENOMEM;
	}
	out->docs[out->ndocs++] = doc;
	snprintf(name, sizeof(name), "%s: rounds[%zu]", s->name, out->ndocs - 1);
	rc = results_doc_read(name, start, (size_t)(s->p - start), doc, s->d);
	return rc;
}

static int rounds(struct scan *s, struct rm_rounds_doc *out)
{
	size_t cap = 0;
	const char *start;
	int rc;

	if (!take(s, '['))
		return fail(s, "rounds: want a list");
	if (take(s, ']'))
		return RM_OK;
	do {
		blank(s);
		start = s->p;
		if ((rc = value(s, 1)) != RM_OK || (rc = add_doc(s, out, &cap, start)) != RM_OK)
			return rc;
	} while (take(s, ','));
	return take(s, ']') ? RM_OK : fail(s, "rounds: want ',' or ']'");
}

static bool is_key(const char *k, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(k, want, n) == 0;
}

static int envelope(struct scan *s, struct rm_rounds_doc *out)
{
	bool schema = false, list = false;
	const char *k, *v;
	size_t n, vn;
	int rc;

	if (!take(s, '{'))
		return fail(s, "want a JSON object");
	if (!take(s, '}')) {
		do {
			if ((rc = string(s, &k, &n)) != RM_OK)
				return rc;
			if (!take(s, ':'))
				return fail(s, "want ':'");
			if (is_key(k, n, "schema")) {
				if ((rc = string(s, &v, &vn)) != RM_OK)
					return rc;
				if (!is_key(v, vn, "reachmap.rounds/v1"))
					return fail(s, "schema \"%.*s\" is not reachmap.rounds/v1",
						    (int)(vn < 64 ? vn : 64), v);
				schema = true;
			} else if (is_key(k, n, "collectorStarted")) {
				rc = time_member(s, "collectorStarted", out->collector_started);
			} else if (is_key(k, n, "generated")) {
				rc = time_member(s, "generated", out->generated);
			} else if (is_key(k, n, "rounds")) {
				rc = rounds(s, out);
				list = true;
			} else {
				rc = value(s, 1);
			}
			if (rc != RM_OK)
				return rc;
		} while (take(s, ','));
		if (!take(s, '}'))
			return fail(s, "want ',' or '}'");
	}
	blank(s);
	if (s->p != s->end)
		return fail(s, "data after the JSON document");
	if (!schema || !list)
		return fail(s, "no \"%s\": not a reachmap.rounds/v1 document",
			    schema ? "rounds" : "schema");
	return RM_OK;
}

int rounds_doc_read(const char *name, const char *text, size_t len, struct rm_rounds_doc *out,
		    struct rm_diag *d)
{
	struct scan s = { .text = text, .p = text, .end = text + len, .name = name, .d = d };
	int rc;

	memset(out, 0, sizeof(*out));
	if (d != NULL)
		rm_diag_clear(d);
	rc = envelope(&s, out);
	if (rc == RM_ENOMEM)
		rm_diag_error(d, "%s: out of memory", name);
	if (rc != RM_OK)
		rounds_doc_free(out);
	return rc;
}

void rounds_doc_free(struct rm_rounds_doc *r)
{
	size_t i;

	for (i = 0; i < r->ndocs; i++)
		if (r->docs[i] != NULL) {
			results_doc_free(r->docs[i]);
			rm_free(r->docs[i]);
		}
	rm_free(r->docs);
	memset(r, 0, sizeof(*r));
}

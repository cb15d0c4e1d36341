/* Text of the overlay's files (kube/text.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kube/text.h"
#include "reachmap/alloc.h"
#include "reachmap/util.h"

static bool reserve(struct kube_text *t, size_t more)
{
	size_t cap = t->cap ? t->cap : 1024;
	char *p;

	if (t->failed)
		return false;
	if (t->len + more + 1 <= t->cap)
		return true;
	while (cap < t->len + more + 1)
		cap *= 2;
	if ((p = rm_realloc(t->data, cap)) == NULL) {
		t->failed = true;
		return false;
	}
	t->data = p;
	t->cap = cap;
	return true;
}

void kt_printf(struct kube_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(t, (size_t)n)) {
		t->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void kt_bytes(struct kube_text *t, const void *data, size_t n)
{
	if (!reserve(t, n))
		return;
	if (n > 0)
		memcpy(t->data + t->len, data, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* YAML 1.1 reads these as booleans or null, and Kubernetes' parser follows
 * 1.1 in places: a cluster named "on" must stay a string. */
static bool is_yaml_word(const char *s)
{
	static const char *const words[] = { "y",   "n",    "yes",   "no",   "on",
					     "off", "true", "false", "null", "nan" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

static bool is_plain(const char *s)
{
	const char *p;

	/* A path may start with "./", "../" or "/"; ".inf" and ".nan" may not. */
	if (!is_alpha(s[0]) && strncmp(s, "./", 2) != 0 && strncmp(s, "../", 3) != 0 && s[0] != '/')
		return false;
	if (is_yaml_word(s))
		return false;
	for (p = s; *p; p++)
		if (!is_alpha(*p) && !(*p >= '0' && *p <= '9') && !strchr("._/-", *p))
			return false;
	return true;
}

void kt_scalar(struct kube_text *t, const char *s)
{
	const unsigned char *p;

	if (is_plain(s)) {
		kt_printf(t, "%s", s);
		return;
	}
	kt_printf(t, "\"");
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			kt_printf(t, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			kt_printf(t, "\\x%02x", *p);
		else
			kt_printf(t, "%c", *p);
	}
	kt_printf(t, "\"");
}

void kt_comment(struct kube_text *t, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		kt_printf(t, "%c", *p < 0x20 || *p == 0x7f ? '?' : *p);
}

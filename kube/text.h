/* The growing text the overlay's files are written into, and YAML's
 * quoting of the values that come from the user. Internal to kube/. */
#ifndef REACHMAP_KUBE_TEXT_H
#define REACHMAP_KUBE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Out of memory once sets `failed` and makes every later call a no-op, so
 * a file is built with one check at its end. */
struct kube_text {
	char *data; /* NUL-terminated; rm_free */
	size_t len, cap;
	bool failed;
};

void kt_printf(struct kube_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* n bytes as they are (NUL bytes too). */
void kt_bytes(struct kube_text *t, const void *data, size_t n);

/* s as a YAML scalar: plain when it cannot be read as anything but this
 * string (a letter, "./", "../" or "/" first, then letters, digits, '.',
 * '_', '/', '-'; no boolean or null word), else double-quoted with
 * escapes. */
void kt_scalar(struct kube_text *t, const char *s);

/* s in a comment: control characters (a newline would end the comment)
 * as '?'. */
void kt_comment(struct kube_text *t, const char *s);

#endif

/* Reading Kubernetes objects with cJSON, each value by its path, so that a
 * bad value is reported as "FILE: items[3].spec.podCIDR: what is wrong".
 * Missing optional fields are NULL, never errors; a field of the wrong type
 * is an error. */
#ifndef REACHMAP_KUBE_KJSON_H
#define REACHMAP_KUBE_KJSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "reachmap/diag.h"

#define KJ_PATH_MAX 512

struct kj {
	const char *file;
	char path[KJ_PATH_MAX];
	size_t len;
	struct rm_diag *diag;
};

void kj_init(struct kj *j, const char *file, struct rm_diag *diag);

/* Appends ".key" (or "key" at the root) or "[i]" to the path; returns the
 * old length for kj_pop. */
size_t kj_push(struct kj *j, const char *key);
size_t kj_push_index(struct kj *j, size_t i);
void kj_pop(struct kj *j, size_t old);

/* Sets diag's error "FILE: PATH: message" (the path as pushed, plus `key`
 * when not NULL); returns RM_EINVAL. */
int kj_fail(struct kj *j, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* obj[key] when obj is an object holding it, else NULL. */
const cJSON *kj_get(const cJSON *obj, const char *key);

/* obj[key] as a string: RM_OK and *out (NULL when absent or null), or an
 * error naming the path when it is there but not a string. */
int kj_string(struct kj *j, const cJSON *obj, const char *key, const char **out);
/* The same for an object and an array. */
int kj_object(struct kj *j, const cJSON *obj, const char *key, const cJSON **out);
int kj_array(struct kj *j, const cJSON *obj, const char *key, const cJSON **out);

/* obj.metadata.labels[key] as a string, or NULL; labels of another type
 * are an error. */
int kj_label(struct kj *j, const cJSON *obj, const char *key, const char **out);

/* "a string", "a number", ... for messages. */
const char *kj_kind(const cJSON *v);

#endif

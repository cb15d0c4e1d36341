#include "kube/kjson.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"

void kj_init(struct kj *j, const char *file, struct rm_diag *diag)
{
	j->file = file;
	j->path[0] = '\0';
	j->len = 0;
	j->diag = diag;
}

/* Adds what was written to the path; a path past the buffer is cut,
 * never overrun, and kj_pop restores the exact old length. */
static void kj_grow(struct kj *j, int n)
{
	size_t room = sizeof(j->path) - j->len;

	if (n > 0)
		j->len += (size_t)n < room ? (size_t)n : room - 1;
}

size_t kj_push(struct kj *j, const char *key)
{
	size_t old = j->len, room = sizeof(j->path) - j->len;

	/* Label keys hold dots and slashes: labels["topology.kubernetes.io/zone"]. */
	if (strpbrk(key, "./") != NULL)
		kj_grow(j, snprintf(j->path + j->len, room, "[\"%s\"]", key));
	else if (j->len == 0)
		kj_grow(j, snprintf(j->path, room, "%s", key));
	else
		kj_grow(j, snprintf(j->path + j->len, room, ".%s", key));
	return old;
}

size_t kj_push_index(struct kj *j, size_t i)
{
	size_t old = j->len;

	kj_grow(j, snprintf(j->path + j->len, sizeof(j->path) - j->len, "[%zu]", i));
	return old;
}

void kj_pop(struct kj *j, size_t old)
{
	j->len = old;
	j->path[old] = '\0';
}

int kj_fail(struct kj *j, const char *key, const char *fmt, ...)
{
	char msg[RM_DIAG_LEN];
	size_t old = j->len;
	va_list ap;

	if (key != NULL)
		kj_push(j, key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->len > 0)
		rm_diag_error(j->diag, "%s: %s: %s", j->file, j->path, msg);
	else
		rm_diag_error(j->diag, "%s: %s", j->file, msg);
	kj_pop(j, old);
	return RM_EINVAL;
}

const cJSON *kj_get(const cJSON *obj, const char *key)
{
	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *kj_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

int kj_string(struct kj *j, const cJSON *obj, const char *key, const char **out)
{
	const cJSON *v = kj_get(obj, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return RM_OK;
	if (!cJSON_IsString(v))
		return kj_fail(j, key, "must be a string, not %s", kj_kind(v));
	*out = v->valuestring;
	return RM_OK;
}

int kj_object(struct kj *j, const cJSON *obj, const char *key, const cJSON **out)
{
	const cJSON *v = kj_get(obj, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return RM_OK;
	if (!cJSON_IsObject(v))
		return kj_fail(j, key, "must be an object, not %s", kj_kind(v));
	*out = v;
	return RM_OK;
}

int kj_array(struct kj *j, const cJSON *obj, const char *key, const cJSON **out)
{
	const cJSON *v = kj_get(obj, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return RM_OK;
	if (!cJSON_IsArray(v))
		return kj_fail(j, key, "must be a list, not %s", kj_kind(v));
	*out = v;
	return RM_OK;
}

int kj_label(struct kj *j, const cJSON *obj, const char *key, const char **out)
{
	const cJSON *meta, *labels;
	size_t old = j->len;
	int rc;

	*out = NULL;
	rc = kj_object(j, obj, "metadata", &meta);
	if (rc != RM_OK || meta == NULL)
		return rc;
	kj_push(j, "metadata");
	rc = kj_object(j, meta, "labels", &labels);
	if (rc == RM_OK && labels != NULL) {
		kj_push(j, "labels");
		rc = kj_string(j, labels, key, out);
	}
	kj_pop(j, old);
	return rc;
}

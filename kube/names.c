/* Names the overlay is written with: the image reference, the base's path
 * relative to the overlay, and the header that marks a file as ours. */
#include <string.h>

#include "kube/overlay.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

static bool has_bad_char(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return true;
	return false;
}

void kube_image_clear(struct kube_image *img)
{
	rm_free(img->name);
	rm_free(img->tag);
	rm_free(img->digest);
	memset(img, 0, sizeof(*img));
}

/* A registry's port ("registry:5000/reachmap") is a colon before the last
 * '/'; a tag's is after it. */
int kube_image_parse(const char *s, struct kube_image *out, const char **why)
{
	const char *at = strchr(s, '@'), *slash, *colon;
	size_t name_end = at ? (size_t)(at - s) : strlen(s);

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (has_bad_char(s))
		*why = "a space or control character in it";
	else if (at != NULL && at[1] == '\0')
		*why = "an empty digest after '@'";
	if (*why != NULL)
		return RM_EINVAL;
	slash = memrchr(s, '/', name_end);
	colon = memrchr(slash ? slash : s, ':', name_end - (size_t)(slash ? slash - s : 0));
	if (colon != NULL && (size_t)(colon - s) + 1 == name_end)
		*why = "an empty tag after ':'";
	else if ((colon ? (size_t)(colon - s) : name_end) == 0)
		*why = "no image name";
	if (*why != NULL)
		return RM_EINVAL;
	out->name = rm_strndup(s, colon ? (size_t)(colon - s) : name_end);
	if (colon != NULL)
		out->tag = rm_strndup(colon + 1, name_end - (size_t)(colon - s) - 1);
	if (at != NULL)
		out->digest = rm_strdup(at + 1);
	if (out->name == NULL || (colon && out->tag == NULL) || (at && out->digest == NULL)) {
		kube_image_clear(out);
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* The length of the component of p that starts at p (no leading '/'). */
static size_t component(const char *p)
{
	const char *e = strchr(p, '/');

	return e ? (size_t)(e - p) : strlen(p);
}

char *kube_relpath(const char *from, const char *to)
{
	const char *f = from, *t = to, *common_f = from + 1, *common_t = to + 1;
	size_t ups = 0, len, n;
	char *out;

	if (from[0] != '/' || to[0] != '/')
		return NULL;
	/* The longest run of whole components both start with. */
	for (f = from + 1, t = to + 1; *f && *t;) {
		n = component(f);
		if (n != component(t) || memcmp(f, t, n) != 0)
			break;
		f += n;
		t += n;
		f += *f == '/';
		t += *t == '/';
		common_f = f;
		common_t = t;
	}
	for (f = common_f; *f; f += *f == '/')
		if ((n = component(f)) > 0) {
			ups++;
			f += n;
		}
	len = ups * 3 + strlen(common_t) + 2;
	if ((out = rm_malloc(len)) == NULL)
		return NULL;
	out[0] = '\0';
	for (n = 0; n < ups; n++)
		strcat(out, "../");
	strcat(out, common_t);
	n = strlen(out);
	if (n == 0)
		strcpy(out, ".");
	else if (out[n - 1] == '/')
		out[n - 1] = '\0';
	return out;
}

bool kube_is_generated(const char *data, size_t len)
{
	return len >= strlen(KUBE_HEADER) && memcmp(data, KUBE_HEADER, strlen(KUBE_HEADER)) == 0;
}

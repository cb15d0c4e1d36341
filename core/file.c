#include <errno.h>
#include <stdio.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/file.h"

int rm_file_read(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, got;
	int rc = RM_EIO, saved;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return RM_EIO;
	/* Read to the end rather than trust a size from stat: pipes and
	 * /proc files have none. */
	for (;;) {
		if (*len + 1 >= cap) {
			char *grown;

			if (cap > max) {
				rc = RM_ERANGE;
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((grown = rm_realloc(buf, cap)) == NULL) {
				rc = RM_ENOMEM;
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + *len, 1, cap - 1 - *len, f);
		*len += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	if (*len > max) {
		rc = RM_ERANGE;
		goto fail;
	}
	fclose(f);
	buf[*len] = '\0';
	*out = buf;
	return RM_OK;
fail:
	saved = errno;
	fclose(f);
	rm_free(buf);
	*len = 0;
	errno = saved;
	return rc;
}

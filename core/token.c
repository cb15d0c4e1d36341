/* A bearer token read from a file: the collector's, and its clients' (agent,
 * check, top). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reachmap/alloc.h"
#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "reachmap/token.h"

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
	/* Group read is allowed: a Secret mounted into a non-root pod is
	 * readable only through its group (kubelet gives it root:fsGroup,
	 * mode 0440). Others, and a group that may write, are refused. */
	if (st.st_mode & 037) {
		rm_diag_error(d,
			      "%s: mode %04o lets others read the token or the group change it; "
			      "chmod 600 %s",
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

int rm_token_load(const char *path, char **out, struct rm_diag *d)
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

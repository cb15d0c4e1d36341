#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "reachmap/file.h"

#define MIB ((size_t)1 << 20)

void rm_diag_clear(struct rm_diag *d)
{
	d->error[0] = '\0';
	d->nwarnings = 0;
	d->nwarnings_dropped = 0;
}

void rm_diag_error(struct rm_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL || d->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
}

void rm_diag_warn(struct rm_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	if (d->nwarnings == RM_DIAG_MAX_WARNINGS) {
		d->nwarnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->warnings[d->nwarnings++], sizeof(d->warnings[0]), fmt, ap);
	va_end(ap);
}

int rm_diag_file_read(const char *path, size_t max, const char *what, char **out, size_t *len,
		      struct rm_diag *d)
{
	int rc = rm_file_read(path, max, out, len);

	if (rc == RM_ERANGE && max % MIB == 0)
		rm_diag_error(d, "%s: larger than %zu MiB; not a %s", path, max / MIB, what);
	else if (rc == RM_ERANGE)
		rm_diag_error(d, "%s: larger than %zu bytes; not a %s", path, max, what);
	else if (rc == RM_ENOMEM)
		rm_diag_error(d, "%s: out of memory", path);
	else if (rc != RM_OK)
		rm_diag_error(d, "%s: cannot read: %s", path, strerror(errno));
	return rc;
}

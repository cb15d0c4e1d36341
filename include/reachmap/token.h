/* The bearer token shared by the collector and its clients. */
#ifndef REACHMAP_TOKEN_H
#define REACHMAP_TOKEN_H

#include "reachmap/diag.h"

/* Reads a bearer token from path: the first line, surrounding whitespace
 * removed. A file that others may read or the group may change (group
 * read is allowed: a Secret in a non-root pod is root:fsGroup 0440), or an
 * empty one, is refused (RM_EINVAL) with a message naming it and its mode; RM_EIO when
 * it cannot be read. *out is rm_malloc'd; the caller frees it. */
int rm_token_load(const char *path, char **out, struct rm_diag *d);

#endif

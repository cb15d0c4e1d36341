/* Reading a whole input file: topologies, results documents, reports. */
#ifndef REACHMAP_FILE_H
#define REACHMAP_FILE_H

#include <stddef.h>

/* The file at path, whole, NUL-terminated (the NUL not counted in *len),
 * in *out, which the caller frees with rm_free. 0; RM_ERANGE when it is
 * longer than max bytes; RM_EIO when it cannot be opened or read (errno
 * says why: a directory is EISDIR); RM_ENOMEM. */
int rm_file_read(const char *path, size_t max, char **out, size_t *len);

#endif

/* The one way a reader says what is wrong with its input: the first error
 * ("FILE:LINE:COL: field.path: what is wrong", or "PEER: what is wrong" for
 * bytes from the network) and any warnings. Every reader of a document
 * (topology, results, report) and every stage that must say why it could
 * not start fills one of these; only main() prints it. */
#ifndef REACHMAP_DIAG_H
#define REACHMAP_DIAG_H

#include <stddef.h>

/* Where a value stood in its file, for messages that name the place. */
struct rm_pos {
	unsigned line;	 /* 1-based; 0 when unknown */
	unsigned column; /* 1-based */
};

#define RM_DIAG_MAX_WARNINGS 32
#define RM_DIAG_LEN	     1024

struct rm_diag {
	char error[RM_DIAG_LEN]; /* "" when there is none */
	char warnings[RM_DIAG_MAX_WARNINGS][RM_DIAG_LEN];
	size_t nwarnings;	  /* how many are stored */
	size_t nwarnings_dropped; /* warnings past RM_DIAG_MAX_WARNINGS */
};

/* Empties d (no error, no warnings). */
void rm_diag_clear(struct rm_diag *d);

/* Sets the error unless one is set already: the first error is the one a
 * user must fix first, later ones are often its consequences. */
void rm_diag_error(struct rm_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a warning; past RM_DIAG_MAX_WARNINGS they are counted, not kept. */
void rm_diag_warn(struct rm_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* rm_file_read that says why it failed, the same way for every input file:
 * "PATH: cannot read: REASON", "PATH: larger than MAX MiB (or bytes, when
 * not a whole number of MiB); not a WHAT",
 * "PATH: out of memory". Returns rm_file_read's status; on success *out
 * is the caller's to rm_free. */
int rm_diag_file_read(const char *path, size_t max, const char *what, char **out, size_t *len,
		      struct rm_diag *d);

#endif

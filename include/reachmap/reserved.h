/* The one table of reserved address ranges (RFC 6890's special-purpose
 * blocks, and blocks commonly taken on the hosts), each row flagged with
 * who cares: the probe engine never sends there, `plan` reports a range
 * of a cluster that overlaps one. */
#ifndef REACHMAP_RESERVED_H
#define REACHMAP_RESERVED_H

#include <stddef.h>

#include "reachmap/cidr.h"

enum {
	RM_RESERVED_NEVER_PROBE = 1u << 0, /* DESIGN.md's safety rules */
	RM_RESERVED_LOOPBACK = 1u << 1,	   /* probed only when a test allows loopback */
	RM_RESERVED_PLAN_ERROR = 1u << 2,  /* can never hold pods or nodes */
	RM_RESERVED_PLAN_WARN = 1u << 3,   /* legal, but often taken on the hosts */
};

struct rm_reserved {
	const char *cidr;
	const char *what; /* why it is reserved, for messages */
	unsigned flags;
	struct rm_prefix prefix; /* cidr, parsed */
};

/* The table, in the order `plan` reports it; *n is set to its length.
 * Static, never freed. */
const struct rm_reserved *rm_reserved_table(size_t *n);

/* The first row with any of `flags` that contains a, or NULL. */
const struct rm_reserved *rm_reserved_find(const struct rm_addr *a, unsigned flags);

#endif

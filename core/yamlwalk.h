/* The YAML walker: a document read whole, then walked against tables of
 * fields, with the field path ("clusters[1].cidrs.pods[0]") kept on the way
 * down so every message names FILE:LINE:COL and the field. Internal to
 * core/: the readers built on it (topology.c) publish their own API. */
#ifndef REACHMAP_CORE_YAMLWALK_H
#define REACHMAP_CORE_YAMLWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "reachmap/arena.h"
#include "reachmap/cidr.h"
#include "reachmap/diag.h"

/* Nesting deeper than this is refused before the document is built. A
 * topology's deepest node (clusters[].targets[].ports[]) is four levels
 * down; flow-style lists inside it add a few more. */
#define YW_MAX_DEPTH 32u

/* One walk over one document. A reader embeds it first in its own context
 * when its field parsers need more than the walker. */
struct yw {
	const char *name; /* the file name, first in every message */
	yaml_document_t doc;
	bool loaded;		/* doc holds a document to delete */
	struct rm_arena *arena; /* strings and lists the parsers return */
	struct rm_diag *diag;
	char path[256]; /* the field path of the node being parsed */
	size_t pathlen;
	int status; /* the first failure; later checks are skipped */
};

/* Parses `data` as exactly one YAML document. 0; RM_EPARSE with a syntax
 * error, an empty stream or a second document in d; RM_ENOMEM. The strings
 * the walk returns go to `arena`. Release with yw_done, also on failure. */
int yw_load(struct yw *w, const char *name, const uint8_t *data, size_t len, struct rm_arena *arena,
	    struct rm_diag *d);
yaml_node_t *yw_root(struct yw *w);
void yw_done(struct yw *w);

struct rm_pos yw_pos(const yaml_node_t *node);
yaml_node_t *yw_node(struct yw *w, int index);
/* A scalar node's text, NUL-terminated. */
const char *yw_text(const yaml_node_t *node);

/* Records the first error, at pos and the current field path, and returns
 * the walk's status (status unless an earlier error stands). */
int yw_fail_at(struct yw *w, struct rm_pos pos, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define yw_fail(w, node, ...) yw_fail_at((w), yw_pos(node), RM_EINVAL, __VA_ARGS__)
/* "NAME: out of memory"; RM_ENOMEM. */
int yw_oom(struct yw *w);
void yw_warn(struct yw *w, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Push ".key" or "[i]" on the field path; each returns what yw_path_pop
 * needs to cut it back. */
size_t yw_path_key(struct yw *w, const char *key);
size_t yw_path_index(struct yw *w, size_t i);
void yw_path_pop(struct yw *w, size_t old);

/* "a mapping", "a list", "empty", or the scalar in quotes (cut to 40
 * characters), for "must be X, not Y" messages. The result lives in buf. */
const char *yw_node_kind_buf(const yaml_node_t *node, char *buf, size_t len);
#define yw_node_kind(node) yw_node_kind_buf((node), (char[64]){ 0 }, 64)

/* Value readers: each checks the node's type and range and fails naming
 * the place; strings are copied into the walk's arena. */
int yw_expect_scalar(struct yw *w, yaml_node_t *node, const char *what);
int yw_string(struct yw *w, yaml_node_t *node, const char **out);
/* Letters, digits, '-', '_' and '.', at most 253 characters. */
int yw_name(struct yw *w, yaml_node_t *node, const char **out);
/* A DNS domain or name (RFC 1035 lengths; letters, digits, '-', '_'). */
int yw_dns_name(struct yw *w, yaml_node_t *node, const char **out);
int yw_uint(struct yw *w, yaml_node_t *node, unsigned long min, unsigned long max,
	    unsigned long *out);
int yw_u32(struct yw *w, yaml_node_t *node, unsigned long min, unsigned long max, uint32_t *out);
int yw_percent(struct yw *w, yaml_node_t *node, double *out);
int yw_addr(struct yw *w, yaml_node_t *node, struct rm_addr *out);

/* Walks a sequence, calling `each` with the path pushed to "[i]"; *count,
 * when not NULL, is the number of items. */
int yw_list(struct yw *w, yaml_node_t *node, void *obj,
	    int (*each)(struct yw *, yaml_node_t *, size_t, void *), size_t *count);
/* The array for a list's items: checks that v is a list, allocates one
 * zeroed element per item and gives their number. NULL (status set) on
 * error. */
void *yw_list_alloc(struct yw *w, yaml_node_t *v, size_t size, size_t *n);

/* A field of a mapping: its key, whether it must be there, and what parses
 * its value into `obj`. */
struct yw_field {
	const char *key;
	int required;
	int (*parse)(struct yw *w, yaml_node_t *value, void *obj);
};

/* Checks a mapping against `fields`: every key known (a near miss is named:
 * "did you mean"), none twice, every required one present; then parses the
 * values in the table's order, not the file's, so that a later field may
 * refer to an earlier one wherever the user put it. */
int yw_map(struct yw *w, yaml_node_t *node, const struct yw_field *fields, size_t nfields,
	   void *obj);
#define YW_MAP(w, node, table, obj) yw_map((w), (node), (table), ARRAY_SIZE(table), (obj))

#endif

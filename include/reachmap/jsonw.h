/* JSON out: cJSON trees written with two-space indentation, arrays of
 * scalars on one line (easier on people and on diffs of golden files than
 * cJSON_Print's tabs). */
#ifndef REACHMAP_JSONW_H
#define REACHMAP_JSONW_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "reachmap/cidr.h"

/* Writes item and a newline. 0, RM_ENOMEM or RM_EIO. */
int rm_json_write(const cJSON *item, FILE *out);

/* Building a tree: cJSON's Add* functions return NULL on failure and accept
 * a NULL parent, so the builder records the failure and carries on; one
 * check of `failed` at the end turns it into RM_ENOMEM. */
struct rm_jb {
	int failed;
};

/* A new object or array member `key` of parent (NULL on failure). */
cJSON *jb_obj(struct rm_jb *b, cJSON *parent, const char *key);
cJSON *jb_arr(struct rm_jb *b, cJSON *parent, const char *key);
/* A string member; a NULL val adds nothing. */
void jb_str(struct rm_jb *b, cJSON *parent, const char *key, const char *val);
void jb_num(struct rm_jb *b, cJSON *parent, const char *key, double val);
/* An address member in RFC 5952 / dotted form; RM_AF_NONE adds nothing. */
void jb_addr(struct rm_jb *b, cJSON *parent, const char *key, const struct rm_addr *a);
/* Appends item (owned by the array from then on; deleted on failure). */
void jb_push(struct rm_jb *b, cJSON *array, cJSON *item);
/* Appends a string. */
void jb_push_str(struct rm_jb *b, cJSON *array, const char *s);

#endif

/* JSON out: cJSON trees written with two-space indentation, arrays of
 * scalars on one line (easier on people and on diffs of golden files than
 * cJSON_Print's tabs). */
#ifndef REACHMAP_JSONW_H
#define REACHMAP_JSONW_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Writes item and a newline. 0, RM_ENOMEM or RM_EIO. */
int rm_json_write(const cJSON *item, FILE *out);

#endif

/* cJSON's memory while one document is read. Reading a pushed round of
 * 6,000 results makes some 100,000 cJSON nodes and strings, each a malloc
 * and a free, only to copy what matters into the document's arena; in the
 * collector, where rounds arrive a hundred a second on two cores, that
 * churn was a quarter of the time. Inside a scratch scope, this thread's
 * cJSON allocations are cut from one block kept between documents, and
 * their frees cost nothing; the scope's end gives them all back at once.
 *
 * The hooks take effect once installed (cJSON_InitHooks with
 * rm_json_malloc and rm_json_free: `reachmap` does it at start); without
 * them cJSON uses malloc and free and the scopes change nothing. Nothing
 * made by cJSON inside a scope may outlive it. */
#ifndef REACHMAP_JSON_SCRATCH_H
#define REACHMAP_JSON_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>

void *rm_json_malloc(size_t size);
void rm_json_free(void *ptr);

/* Scopes nest; only the outermost end gives the memory back. */
void rm_json_scratch_begin(void);
void rm_json_scratch_end(void);
/* The most the current scope may take; past it cJSON's allocations fail
 * (the parse fails as out of memory). A body of a flat array of zeros is
 * one 64-byte node per two bytes: without a bound, the 64 MiB a server
 * accepts would be 2 GiB of nodes. */
void rm_json_scratch_limit(size_t bytes);
/* Whether the current scope refused an allocation for its limit. */
bool rm_json_scratch_over(void);

#endif

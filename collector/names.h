/* Interned names: each distinct string gets a small dense id, so the live
 * matrix keys its millions of cells by integers instead of strings. Not
 * thread-safe: the live matrix holds its lock. Ids are never taken back. */
#ifndef REACHMAP_COLLECTOR_NAMES_H
#define REACHMAP_COLLECTOR_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define NAMES_NONE UINT32_MAX

struct names {
	char **v; /* id -> the name, owned */
	uint32_t n, cap;
	uint32_t *slots; /* open addressing, id + 1, 0 empty */
	uint32_t nslots; /* a power of two */
};

/* The id of s, or NAMES_NONE. */
uint32_t names_find(const struct names *t, const char *s);
/* The id of s, added when new; NAMES_NONE when out of memory. */
uint32_t names_add(struct names *t, const char *s);
void names_free(struct names *t);

#endif

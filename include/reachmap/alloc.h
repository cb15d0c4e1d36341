/* The one allocation wrapper. Everything in reachmap allocates through it so
 * that tests can make the Nth allocation fail and check the error paths. */
#ifndef REACHMAP_ALLOC_H
#define REACHMAP_ALLOC_H

#include <stddef.h>

/* Like malloc/calloc/realloc/strdup/free; return NULL on failure (and when a
 * test has asked for this allocation to fail). rm_free(NULL) is a no-op. */
void *rm_malloc(size_t size);
void *rm_calloc(size_t count, size_t size);
void *rm_realloc(void *ptr, size_t size);
char *rm_strdup(const char *s);
char *rm_strndup(const char *s, size_t n);
void rm_free(void *ptr);

/* Test hook: the allocation that comes `n` allocations from now (1 = the very
 * next) fails, and every later one succeeds again; 0 switches failing off.
 * Returns how many allocations have been made since the last call, so a test
 * can first count the allocations of an operation, then fail each in turn.
 * This is the one piece of global mutable state in the library, for the
 * same reason c-ares keeps its allocator hooks global: the hook must reach
 * allocations made deep inside code that has no context argument. It is
 * per thread: it counts and fails the calling thread's allocations. */
unsigned long rm_alloc_fail_at(unsigned long n);

#endif

#include "reachmap/alloc.h"

#include <stdlib.h>
#include <string.h>

/* See alloc.h for why this is global. Per thread: the failure hook is for
 * single-threaded tests, and one counter shared by the collector's threads
 * was a cache line bounced between cores on every allocation. */
static _Thread_local unsigned long alloc_count;
static _Thread_local unsigned long alloc_fail_at;

static int alloc_should_fail(void)
{
	alloc_count++;
	if (alloc_fail_at != 0 && alloc_count == alloc_fail_at)
		return 1;
	return 0;
}

unsigned long rm_alloc_fail_at(unsigned long n)
{
	unsigned long made = alloc_count;

	alloc_count = 0;
	alloc_fail_at = n;
	return made;
}

void *rm_malloc(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *rm_calloc(size_t count, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *rm_realloc(void *ptr, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(ptr, size ? size : 1);
}

char *rm_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = rm_malloc(len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *rm_strdup(const char *s)
{
	return rm_strndup(s, strlen(s));
}

void rm_free(void *ptr)
{
	free(ptr);
}

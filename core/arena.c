#include "reachmap/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"

/* Chunks are chained; a request larger than the default chunk gets a chunk
 * of its own, so there is no upper bound on one allocation but memory. */
#define ARENA_CHUNK 2048
#define ARENA_ALIGN (_Alignof(max_align_t))

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	_Alignas(max_align_t) unsigned char data[];
};

struct rm_arena {
	struct arena_chunk *head;
	int failed; /* an allocation has failed: see rm_arena_failed */
};

struct rm_arena *rm_arena_new(void)
{
	return rm_calloc(1, sizeof(struct rm_arena));
}

void rm_arena_free(struct rm_arena *arena)
{
	struct arena_chunk *c, *next;

	if (arena == NULL)
		return;
	for (c = arena->head; c != NULL; c = next) {
		next = c->next;
		rm_free(c);
	}
	rm_free(arena);
}

static void *arena_alloc(struct rm_arena *arena, size_t size)
{
	struct arena_chunk *c = arena->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	void *p;

	if (need < size) {
		arena->failed = 1;
		return NULL;
	}
	if (c == NULL || c->size - c->used < need) {
		size_t chunk = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		if (chunk > SIZE_MAX - sizeof(*c))
			c = NULL;
		else
			c = rm_malloc(sizeof(*c) + chunk);
		if (c == NULL) {
			arena->failed = 1;
			return NULL;
		}
		c->used = 0;
		c->size = chunk;
		c->next = arena->head;
		arena->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *rm_arena_calloc(struct rm_arena *arena, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size) {
		arena->failed = 1;
		return NULL;
	}
	p = arena_alloc(arena, count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

char *rm_arena_strndup(struct rm_arena *arena, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = arena_alloc(arena, len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *rm_arena_strdup(struct rm_arena *arena, const char *s)
{
	return rm_arena_strndup(arena, s, strlen(s));
}

char *rm_arena_vprintf(struct rm_arena *arena, const char *fmt, va_list ap)
{
	va_list again;
	int n;
	char *buf;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0) {
		va_end(again);
		return NULL;
	}
	buf = arena_alloc(arena, (size_t)n + 1);
	if (buf != NULL)
		vsnprintf(buf, (size_t)n + 1, fmt, again);
	va_end(again);
	return buf;
}

char *rm_arena_printf(struct rm_arena *arena, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = rm_arena_vprintf(arena, fmt, ap);
	va_end(ap);
	return s;
}

int rm_arena_grow(struct rm_arena *arena, void **array, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *fresh;

	if (need <= *cap)
		return RM_OK;
	ncap = *cap ? *cap : 4;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return RM_ENOMEM;
		ncap *= 2;
	}
	fresh = rm_arena_calloc(arena, ncap, size);
	if (fresh == NULL)
		return RM_ENOMEM;
	if (*cap)
		memcpy(fresh, *array, *cap * size);
	*array = fresh;
	*cap = ncap;
	return RM_OK;
}

int rm_arena_failed(const struct rm_arena *arena)
{
	return arena->failed;
}

/* A bump allocator for data that lives and dies together: a loaded topology,
 * a list of findings. One rm_arena_free() releases everything, so loaders
 * and analyzers have a single cleanup path. */
#ifndef REACHMAP_ARENA_H
#define REACHMAP_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct rm_arena;

/* A new, empty arena, or NULL when out of memory. Free with rm_arena_free. */
struct rm_arena *rm_arena_new(void);
void rm_arena_free(struct rm_arena *arena);

/* Zeroed memory aligned for any type, owned by the arena; NULL when out of
 * memory or when count * size overflows. */
void *rm_arena_calloc(struct rm_arena *arena, size_t count, size_t size);
/* Copies owned by the arena; NULL when out of memory. */
char *rm_arena_strdup(struct rm_arena *arena, const char *s);
char *rm_arena_strndup(struct rm_arena *arena, const char *s, size_t n);
/* A formatted string owned by the arena; NULL when out of memory. */
char *rm_arena_printf(struct rm_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *rm_arena_vprintf(struct rm_arena *arena, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Grow an arena array of `*cap` elements of `size` bytes to hold at least
 * `need`; old contents are copied (the old block stays in the arena until it
 * is freed). 0, or RM_ENOMEM. */
int rm_arena_grow(struct rm_arena *arena, void **array, size_t *cap, size_t need, size_t size);

/* True once any allocation from the arena has failed. Code that builds many
 * strings can check once at the end instead of after every call. */
int rm_arena_failed(const struct rm_arena *arena);

#endif

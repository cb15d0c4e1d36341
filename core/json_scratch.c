/* A per-thread bump allocator for cJSON inside a scratch scope (see
 * json_scratch.h). The first block is kept between scopes, sized by the
 * largest document seen up to a cap, so a steady stream of rounds
 * allocates nothing from malloc once warm; what outgrows it goes to extra
 * blocks freed at the scope's end. */
#include "reachmap/json_scratch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "reachmap/alloc.h"

#define ALIGN	   16
#define FIRST_MIN  (1u << 20)
#define KEEP_MAX   (64u << 20) /* the most a thread keeps between documents */
#define EXTRA_SIZE (4u << 20)

struct block {
	struct block *next;
	size_t cap, used;
	_Alignas(ALIGN) unsigned char data[];
};

struct scratch {
	unsigned depth;
	struct block *first; /* kept between scopes */
	struct block *extra; /* this scope's overflow, newest first */
	size_t want;	     /* what the scope needed in all */
	size_t limit;	     /* the most it may take; 0: no limit */
	bool over;	     /* an allocation was refused for the limit */
};

static _Thread_local struct scratch sc;

/* The kept block outlives the scope but not its thread: a thread that
 * ends (an HTTP worker at the collector's stop) hands it to this key's
 * destructor, which frees it. */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static bool key_ok;

static void thread_ends(void *block)
{
	rm_free(block);
}

static void key_init(void)
{
	key_ok = pthread_key_create(&key, thread_ends) == 0;
}

static struct block *block_new(size_t cap)
{
	struct block *b = rm_malloc(sizeof(*b) + cap);

	if (b != NULL) {
		b->next = NULL;
		b->cap = cap;
		b->used = 0;
	}
	return b;
}

static bool owns(const struct block *b, const void *p)
{
	return (const unsigned char *)p >= b->data && (const unsigned char *)p < b->data + b->cap;
}

static void *bump(struct block *b, size_t n)
{
	void *p;

	if (b == NULL || b->cap - b->used < n)
		return NULL;
	p = b->data + b->used;
	b->used += n;
	return p;
}

void *rm_json_malloc(size_t size)
{
	size_t n = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct block *b;
	void *p;

	if (sc.depth == 0)
		return rm_malloc(size);
	if (sc.limit > 0 && sc.want + n > sc.limit) {
		sc.over = true;
		return NULL; /* cJSON then fails the parse */
	}
	sc.want += n;
	if ((p = bump(sc.first, n)) != NULL || (p = bump(sc.extra, n)) != NULL)
		return p;
	b = block_new(n > EXTRA_SIZE ? n : EXTRA_SIZE);
	if (b == NULL)
		return NULL;
	b->next = sc.extra;
	sc.extra = b;
	return bump(b, n);
}

void rm_json_free(void *ptr)
{
	const struct block *b;

	if (ptr == NULL)
		return;
	if (sc.depth > 0) {
		if (sc.first != NULL && owns(sc.first, ptr))
			return;
		for (b = sc.extra; b != NULL; b = b->next)
			if (owns(b, ptr))
				return;
	}
	rm_free(ptr);
}

void rm_json_scratch_begin(void)
{
	if (sc.depth++ > 0)
		return;
	sc.want = 0;
	sc.limit = 0;
	sc.over = false;
	if (sc.first != NULL)
		sc.first->used = 0;
}

void rm_json_scratch_limit(size_t bytes)
{
	if (sc.depth > 0)
		sc.limit = bytes;
}

bool rm_json_scratch_over(void)
{
	return sc.over;
}

void rm_json_scratch_end(void)
{
	struct block *b, *next;
	size_t keep;

	if (sc.depth == 0 || --sc.depth > 0)
		return;
	for (b = sc.extra; b != NULL; b = next) {
		next = b->next;
		rm_free(b);
	}
	sc.extra = NULL;
	/* Next time, one block for what this scope needed. */
	keep = sc.want < FIRST_MIN ? FIRST_MIN : sc.want > KEEP_MAX ? KEEP_MAX : sc.want;
	if (sc.first == NULL || sc.first->cap < keep) {
		rm_free(sc.first);
		sc.first = block_new(keep);
		pthread_once(&key_once, key_init);
		if (key_ok)
			pthread_setspecific(key, sc.first);
	}
}

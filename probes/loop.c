#include "probes/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"

struct watch {
	loop_fd_cb cb;
	void *arg;
	int active;
};

struct loop_timer {
	uint64_t deadline;
	uint64_t seq; /* ties fire in the order they were set */
	size_t index; /* position in the heap */
	loop_timer_cb cb;
	void *arg;
};

struct rm_loop {
	int epfd;
	struct watch *watches; /* indexed by fd */
	size_t nwatches;
	size_t active;
	struct loop_timer **heap;
	size_t nheap, capheap;
	uint64_t seq;
	uint64_t now;
	int stop;
};

uint64_t loop_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int loop_new(struct rm_loop **out)
{
	struct rm_loop *l = rm_calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL)
		return RM_ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		rm_free(l);
		return RM_ESYS;
	}
	l->now = loop_clock();
	*out = l;
	return RM_OK;
}

void loop_free(struct rm_loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nheap; i++)
		rm_free(l->heap[i]);
	rm_free(l->heap);
	rm_free(l->watches);
	close(l->epfd);
	rm_free(l);
}

uint64_t loop_now(const struct rm_loop *l)
{
	return l->now;
}

int loop_watch(struct rm_loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int op;

	if (fd < 0)
		return RM_EINVAL;
	if ((size_t)fd >= l->nwatches) {
		size_t n = (size_t)fd + 64;
		struct watch *w = rm_realloc(l->watches, n * sizeof(*w));

		if (w == NULL)
			return RM_ENOMEM;
		memset(w + l->nwatches, 0, (n - l->nwatches) * sizeof(*w));
		l->watches = w;
		l->nwatches = n;
	}
	op = l->watches[fd].active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->epfd, op, fd, &ev) != 0)
		return RM_ESYS;
	if (!l->watches[fd].active)
		l->active++;
	l->watches[fd] = (struct watch){ cb, arg, 1 };
	return RM_OK;
}

void loop_unwatch(struct rm_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].active)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watches[fd].active = 0;
	l->active--;
}

static int timer_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct rm_loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->index = i;
}

static void heap_up(struct rm_loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0 && timer_less(t, l->heap[(i - 1) / 2])) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void heap_down(struct rm_loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && timer_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_less(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

struct loop_timer *loop_timer_at(struct rm_loop *l, uint64_t deadline, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t;

	if (l->nheap == l->capheap) {
		size_t n = l->capheap ? l->capheap * 2 : 64;
		struct loop_timer **h = rm_realloc(l->heap, n * sizeof(*h));

		if (h == NULL)
			return NULL;
		l->heap = h;
		l->capheap = n;
	}
	t = rm_malloc(sizeof(*t));
	if (t == NULL)
		return NULL;
	t->deadline = deadline;
	t->seq = l->seq++;
	t->cb = cb;
	t->arg = arg;
	heap_set(l, l->nheap++, t);
	heap_up(l, t->index);
	return t;
}

static void heap_remove(struct rm_loop *l, struct loop_timer *t)
{
	size_t i = t->index;

	l->nheap--;
	if (i != l->nheap) {
		heap_set(l, i, l->heap[l->nheap]);
		heap_down(l, i);
		heap_up(l, l->heap[i]->index);
	}
}

void loop_timer_cancel(struct rm_loop *l, struct loop_timer *t)
{
	if (t == NULL)
		return;
	heap_remove(l, t);
	rm_free(t);
}

void loop_stop(struct rm_loop *l)
{
	l->stop = 1;
}

static void run_timers(struct rm_loop *l)
{
	while (l->nheap > 0 && l->heap[0]->deadline <= l->now && !l->stop) {
		struct loop_timer *t = l->heap[0];
		loop_timer_cb cb = t->cb;
		void *arg = t->arg;

		heap_remove(l, t);
		rm_free(t);
		cb(l, arg);
	}
}

int loop_run(struct rm_loop *l)
{
	struct epoll_event evs[256];

	l->stop = 0;
	while (!l->stop && (l->active > 0 || l->nheap > 0)) {
		int timeout = -1, n, i;

		l->now = loop_clock();
		run_timers(l);
		if (l->stop || (l->active == 0 && l->nheap == 0))
			break;
		if (l->nheap > 0) {
			uint64_t d = l->heap[0]->deadline;
			/* Round up: waking a little late is fine, early is a spin. */
			timeout = d <= l->now ? 0 : (int)((d - l->now + 999999) / 1000000);
		}
		n = epoll_wait(l->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return RM_ESYS;
		}
		l->now = loop_clock();
		for (i = 0; i < n && !l->stop; i++) {
			int fd = evs[i].data.fd;

			/* An earlier callback of this turn may have closed it. */
			if ((size_t)fd < l->nwatches && l->watches[fd].active)
				l->watches[fd].cb(l, fd, evs[i].events, l->watches[fd].arg);
		}
	}
	return RM_OK;
}

void bucket_init(struct rm_bucket *b, double rate, uint64_t now)
{
	b->rate = rate > 0 ? rate : 1;
	/* At most 2 ms of packets at once, and at least one. */
	b->burst = b->rate * 0.002 > 1 ? b->rate * 0.002 : 1;
	b->tokens = 1;
	b->last = now;
}

uint64_t bucket_take(struct rm_bucket *b, uint64_t now)
{
	double need;

	if (now > b->last) {
		b->tokens += (double)(now - b->last) * b->rate / 1e9;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	need = (1 - b->tokens) * 1e9 / b->rate;
	return need < 1 ? 1 : (uint64_t)need;
}

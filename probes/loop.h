/* The probe engine's one event loop: epoll for every descriptor (sockets,
 * the capture handle, c-ares's sockets, signals), a heap of timers on the
 * monotonic clock, and a token bucket for the packet rate. No thread per
 * target, no sleep-and-poll. */
#ifndef REACHMAP_PROBES_LOOP_H
#define REACHMAP_PROBES_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct rm_loop;
struct loop_timer;

typedef void (*loop_fd_cb)(struct rm_loop *loop, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(struct rm_loop *loop, void *arg);

/* 0 and *out, RM_ENOMEM, or RM_ESYS (epoll_create1 failed; errno). */
int loop_new(struct rm_loop **out);
void loop_free(struct rm_loop *loop);

/* Watches fd for `events` (EPOLLIN, EPOLLOUT, ...), replacing an earlier
 * watch of the same fd. 0, RM_ENOMEM or RM_ESYS. */
int loop_watch(struct rm_loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg);
void loop_unwatch(struct rm_loop *loop, int fd);

/* Nanoseconds on CLOCK_MONOTONIC, read once per loop turn. */
uint64_t loop_now(const struct rm_loop *loop);
uint64_t loop_clock(void);

/* A timer that fires once at `deadline` (monotonic ns). The handle is the
 * caller's until it fires or is cancelled; NULL when out of memory. */
struct loop_timer *loop_timer_at(struct rm_loop *loop, uint64_t deadline, loop_timer_cb cb,
				 void *arg);
/* Cancels a pending timer; NULL is a no-op. */
void loop_timer_cancel(struct rm_loop *loop, struct loop_timer *t);

/* Runs until nothing is watched and no timer is pending, or loop_stop.
 * 0, or RM_ESYS when epoll_wait failed for another reason than EINTR. */
int loop_run(struct rm_loop *loop);
void loop_stop(struct rm_loop *loop);

/* A token bucket (packets per second) that never bursts to catch up: idle
 * time fills it to at most `burst` tokens. */
struct rm_bucket {
	double rate;
	double burst;
	double tokens;
	uint64_t last;
};

void bucket_init(struct rm_bucket *b, double rate, uint64_t now);
/* Takes a token: 0 when one was there, otherwise the nanoseconds until the
 * next one (nothing taken). */
uint64_t bucket_take(struct rm_bucket *b, uint64_t now);

#endif

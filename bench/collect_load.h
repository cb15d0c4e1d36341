/* bench/collect's client side: an open-loop load of pushes over libcurl's
 * multi interface (a bounded pool of keep-alive connections), and the
 * servers under test as child processes whose memory is read from
 * /proc/PID/status. */
#ifndef BENCH_COLLECT_LOAD_H
#define BENCH_COLLECT_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "collect_gen.h"

/* Monotonic seconds. */
double load_now(void);

/* One push's body and URL: round `round` of fleet probe k, started at
 * `started`. 0 or an RM_E* status (the run stops). */
typedef int (*load_body_fn)(void *ctx, unsigned k, unsigned round, time_t started,
			    struct gen_buf *body, char *url, size_t urllen);

struct load_cfg {
	unsigned fleet;	   /* probes, each pushing once per interval */
	double interval_s; /* 10 */
	double duration_s; /* pushes are due during this long */
	unsigned conns;	   /* connections at most, kept alive */
	long expect;	   /* the answer that counts as taken: 202, or 0 for any 2xx */
	bool put;	   /* PUT instead of POST */
	const char *ctype; /* Content-Type */
	bool gzip;	   /* Content-Encoding: gzip */
	load_body_fn body;
	void *ctx;
	pid_t pid;	 /* the server, for its memory (0: not sampled) */
	const char *db;	 /* its database, for its size (NULL: not sampled) */
	double steady_s; /* db growth is measured from this far into the run */
	/* The server's RSS past which no more pushes are sent (0: no limit). */
	unsigned long rss_limit_kib;
};

struct load_res {
	size_t due, sent, taken, failed;
	/* From when a push was due to its answer, rounds after the first of
	 * each probe; the first rounds' apart. */
	double p50_ms, p99_ms, max_ms;
	double first_p50_ms, first_p99_ms;
	double wait_max_ms; /* longest a due push waited for a connection */
	size_t unsent;	    /* due but never sent: the backlog at the end */
	double elapsed_s;
	unsigned long rss_max_kib, hwm_kib;
	double db_end_bytes, db_per_hour; /* db_per_hour < 0: run too short to tell */
	size_t body_bytes;		  /* mean body size, for the table */
	bool over_rss;			  /* stopped at rss_limit_kib */
	long first_code;		  /* the first unexpected answer, 0 if none */
	char first_error[160];
};

/* Runs the load: fleet * duration / interval pushes, push i due at
 * i * interval / fleet seconds, probe i % fleet, its round i / fleet. The
 * answers still outstanding get 15 s after the last one is due. 0, or an
 * RM_E* status when the client itself failed (curl, memory). */
int load_run(const struct load_cfg *c, struct load_res *r);

/* One request on a fresh keep-alive-less handle: GET url (body NULL) or
 * POST body. Returns the HTTP code (0: no answer); *ms the time to the
 * whole answer; the answer's body in *answer (caller's, gen_buf_free)
 * when answer is not NULL. */
long load_request(const char *url, const struct gen_buf *body, bool gzip, double *ms,
		  struct gen_buf *answer);

/* VmRSS and VmHWM of pid in KiB (0 when unreadable). */
void load_proc_mem(pid_t pid, unsigned long *rss_kib, unsigned long *hwm_kib);

/* Waits up to timeout_s until pid uses under a tenth of a CPU: a server
 * that fell behind still works through what it had queued. */
bool load_wait_idle(pid_t pid, double timeout_s);

/* Starts argv[0] (a path) with argv, stdout and stderr to log. -1 on
 * failure. */
pid_t load_spawn(char *const argv[], const char *log);
/* SIGTERM, then SIGKILL after grace_s; reaps it. */
void load_stop(pid_t pid, double grace_s);
/* Waits up to timeout_s for `prefix` followed by a port in the log of a
 * running pid. The port, or 0 (the process ended or never said it). */
unsigned load_wait_port(pid_t pid, const char *log, const char *prefix, double timeout_s);
/* The last `max` bytes of a log on stderr, indented, for a failure's why. */
void load_log_tail(const char *log, size_t max);

#endif

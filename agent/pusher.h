/* The agent's side of one collector: a thread with its own client
 * (collector/client.h) and spool (agent/spool.h). It registers (at start,
 * after each failure until it succeeds, and again when the agent's address
 * changes), pushes every document it is offered, oldest first, reads GET
 * /v1/peers once a round, and spools what cannot go now:
 *   - a new document is pushed from memory when nothing older waits, and
 *     spooled when its push fails (or when older ones wait on disk);
 *   - 202 deletes it; 400 and 413 (it will never be accepted) drop it with
 *     a log line; 401, 5xx and transport errors keep it, retried with
 *     exponential backoff (1 s doubling to 60 s, +-20% jitter);
 *   - the next document pushed after the spool dropped rounds carries
 *     "lost": N, and the counter goes down by N once it is accepted.
 * Every call below is for the agent's round thread; the pusher's own
 * thread does the HTTP. */
#ifndef REACHMAP_AGENT_PUSHER_H
#define REACHMAP_AGENT_PUSHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/peers.h"
#include "agent/spool.h"
#include "reachmap/cidr.h"
#include "reachmap/diag.h"

struct pusher_opts {
	const char *url;
	const char *token;   /* bearer token; NULL: none */
	const char *ca_file; /* NULL: the system's CAs */
	unsigned timeout_ms; /* one request at most */
	const char *spool_dir;
	unsigned spool_max; /* rounds */
	/* Who registers (borrowed; must outlive the pusher). */
	const char *name, *cluster, *zone, *dns_name;
	/* One line per event worth a person's eyes (a push refused, pushes
	 * failing and going through again, a spool file skipped); msg has no
	 * prefix and no newline. Called from the pusher's thread. */
	void (*log)(const char *msg, void *arg);
	void *log_arg;
};

struct pusher;

/* Opens the spool and makes the client; the thread starts with
 * pusher_start. 0 and *out; RM_EINVAL (the URL is not one), RM_EEXIST
 * (the spool is another agent's), RM_EIO (the spool cannot be made),
 * RM_ENOMEM; d says why. */
int pusher_new(const struct pusher_opts *o, struct pusher **out, struct rm_diag *d);
/* 0, or RM_ESYS when the thread cannot start. */
int pusher_start(struct pusher *p);
/* Stops the thread: a push in flight is abandoned within about 100 ms and
 * spooled, like every document still in memory. pusher_depth still says
 * what the spool holds. */
void pusher_stop(struct pusher *p);
/* Stops it when running, closes the spool, frees p. NULL is a no-op. */
void pusher_free(struct pusher *p);

/* A document of the agent's round `round` to push (copied). */
void pusher_offer(struct pusher *p, uint64_t round, enum spool_kind kind, const char *doc,
		  size_t len);
/* How the documents of the newest round offered fare: *ok of them got 202;
 * *settled when all did or a push failed since they were offered (the
 * rest wait in the spool). */
void pusher_outcome(struct pusher *p, unsigned *ok, bool *settled);

/* The agent's address now (RM_AF_NONE: none known): registered again when
 * it changed. */
void pusher_set_address(struct pusher *p, const struct rm_addr *addr);
/* Asks for GET /v1/peers at the next chance. */
void pusher_want_peers(struct pusher *p);
/* Merges the peers the collector listed last into `into`. 0 or RM_ENOMEM. */
int pusher_peers(struct pusher *p, struct agent_peers *into);

/* Documents waiting (in the spool, or in memory for a first try); lost
 * rounds not yet told to the collector. */
void pusher_depth(struct pusher *p, size_t *spooled, unsigned *lost);
const char *pusher_url(const struct pusher *p);

#endif

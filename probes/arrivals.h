/* What a responder saw arrive (DESIGN.md, "Checks": arrivals), counted per
 * (source address, port, protocol) with first and last times, in
 * generations: `serve` keeps one for its whole run; the agent starts a new
 * one at each push and pushes the last few merged (probes/serve.h says
 * why). Each generation is bounded; a hash index keeps a packet's lookup
 * constant however many sources there are. Not thread-safe: serve.c holds
 * its lock around every call. */
#ifndef REACHMAP_PROBES_ARRIVALS_H
#define REACHMAP_PROBES_ARRIVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/results.h"

/* Generations kept at most (the current one included). */
#define ARRIVALS_GENERATIONS 3

struct arrivals;

/* A record whose generations hold at most max_per_gen entries each.
 * 0 and *out (free with arrivals_free), or RM_ENOMEM. */
int arrivals_new(size_t max_per_gen, struct arrivals **out);
void arrivals_free(struct arrivals *a);

/* One arrival from `from` on port/protocol at `now` (RFC 3339) in the
 * current generation. protocol is a static string ("tcp", "udp", "icmp");
 * probe (may be NULL) the name a WHO gave, copied. With count false the
 * arrival was counted already (by the capture): only its name is added,
 * and it is counted when the current generation has no such entry (the
 * capture missed it). RM_OK; RM_ERANGE when the generation is full (not
 * recorded; arrivals_dropped counts it); RM_ENOMEM. */
int arrivals_note(struct arrivals *a, const struct rm_addr *from, uint16_t port,
		  const char *protocol, const char *probe, bool count, const char *now);

/* Appends to doc the arrivals of the newest `keep` generations (1 to
 * ARRIVALS_GENERATIONS; the current one included) merged per (source,
 * port, protocol): counts summed, the earliest first, the latest last,
 * the name any of them had (copied into doc's arena). With rotate, a new
 * generation then starts and the oldest beyond ARRIVALS_GENERATIONS - 1
 * is dropped. RM_OK or RM_ENOMEM (then nothing rotated). */
int arrivals_take(struct arrivals *a, unsigned keep, bool rotate, struct rm_results_doc *doc);

/* Arrivals not recorded because a generation was full, since the start. */
uint64_t arrivals_dropped(const struct arrivals *a);

#endif

/* The agent's spool for one collector (DESIGN.md, "The live system"): the
 * documents a push could not deliver, one file per document in a
 * directory of their own, retried oldest first. It survives a restart:
 * documents are written atomically (a temporary file, fsync, rename, fsync
 * of the directory), so a file in it is whole or absent. It is bounded in
 * rounds (a round is its results document and its arrivals document):
 * when a new round does not fit, the oldest round's documents go and a
 * counter of lost rounds, kept on disk too, grows; the next document
 * pushed carries it ("lost" in reachmap.results/v1).
 *
 * Not thread-safe: the owner (agent/pusher.c) holds its lock around every
 * call. Notes (a file skipped, the lock taken) go to the note callback. */
#ifndef REACHMAP_AGENT_SPOOL_H
#define REACHMAP_AGENT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/diag.h"

enum spool_kind {
	SPOOL_RESULTS = 0, /* a round's results document */
	SPOOL_ARRIVALS,	   /* what the responder saw */
};

typedef void (*spool_note_fn)(const char *msg, void *arg);

struct spool;

/* A document taken from the spool: sequence number, kind, the bytes. */
struct spool_item {
	uint64_t seq;
	enum spool_kind kind;
	char *doc; /* rm_malloc'd, NUL-terminated; spool_item_free */
	size_t len;
};

/* Opens the spool in directory dir (made with mode 0700 when missing, its
 * parent too), holding at most max_rounds rounds (>= 1). Takes an
 * exclusive lock on it (two agents in one spool would push each other's
 * documents twice); reads the lost counter and the names of the documents
 * there; removes temporary files a crash left (with a note). When more
 * rounds are there than max_rounds allows, the oldest go (lost). 0 and
 * *out; RM_EEXIST when another process holds the lock; RM_EIO when the
 * directory cannot be made or read (d says why, naming it); RM_ENOMEM. */
int spool_open(const char *dir, unsigned max_rounds, spool_note_fn note, void *arg,
	       struct spool **out, struct rm_diag *d);
/* Closes it; the files stay. NULL is a no-op. */
void spool_close(struct spool *s);

/* The sequence number after every one on disk: a new document's. */
uint64_t spool_next_seq(const struct spool *s);

/* Writes doc (len bytes) as document (seq, kind), atomically. A new round
 * that does not fit pushes out the oldest round not being pushed (lost + 1,
 * written before the new file); one older than every round of a full spool
 * is itself the oldest: not written, counted lost. 0; RM_EEXIST when (seq, kind) is there;
 * RM_EIO when it cannot be written (d says why; the spool is as before);
 * RM_ENOMEM. */
int spool_put(struct spool *s, uint64_t seq, enum spool_kind kind, const void *doc, size_t len,
	      struct rm_diag *d);

/* The oldest document not being pushed, read and marked as being pushed
 * (spool_put's eviction skips it) until spool_done. A file that is not a
 * whole results document (cut short, damaged, not JSON) is removed with a
 * note, counted lost, and the next one read. 0 and *item; RM_ENOTFOUND when
 * there is none. */
int spool_take(struct spool *s, struct spool_item *item);
/* The sequence number spool_take would give next, without reading the
 * file; false when there is none. */
bool spool_oldest(const struct spool *s, uint64_t *seq);
/* Ends a take: remove (pushed, or refused for good) deletes the file;
 * otherwise it stays, to be taken again. */
void spool_done(struct spool *s, const struct spool_item *item, bool remove);
void spool_item_free(struct spool_item *item);

/* Documents in the spool; rounds they belong to. */
size_t spool_count(const struct spool *s);
size_t spool_rounds(const struct spool *s);
/* Rounds lost and not yet told to the collector; the counter as on disk. */
unsigned spool_lost(const struct spool *s);
/* n rounds lost outside the spool (a document that could not be
 * written to it): lost + n, on disk when it can be. */
void spool_lost_add(struct spool *s, unsigned n);
/* A pushed document told the collector of n lost rounds: lost - n, on
 * disk. 0 or RM_EIO. */
int spool_lost_told(struct spool *s, unsigned n);

/* The directory's file name for a spool of the collector at url:
 * its host, port and path with other characters as '_', and a hash of the
 * whole URL, so two URLs never share one ("127.0.0.1_8787-5d2a09c1").
 * Returns buf. */
const char *spool_dir_name(const char *url, char *buf, size_t len);

#endif

/* The collector's store behind one ops table (DESIGN.md, "The live system"):
 * the latest rounds of every probe, the registered peers, and the
 * transitions of every cell. SQLite (store_sqlite) is the embedded default;
 * another back end is another table, never a branch in the collector.
 *
 * A cell is (from probe, to endpoint, check, port). The collector keeps the
 * current status of every cell in memory (rebuilt at start from
 * cell_states) and hands put_round only the cells whose status changed in
 * that round, so an unchanged round of 6,000 results writes one row.
 *
 * Times are milliseconds since the Unix epoch, given by the caller: the
 * store never reads a clock, so tests and replays decide what "now" is.
 *
 * Every op returns 0 or a negative RM_E* status; when d is not NULL a
 * failure says why there ("FILE: what went wrong: what SQLite said").
 * Callbacks get records that live only until they return; a callback that
 * returns non-zero stops the walk and that value is returned. Callbacks run
 * inside the store and must not call back into it. */
#ifndef REACHMAP_COLLECTOR_STORE_H
#define REACHMAP_COLLECTOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/diag.h"
#include "reachmap/results.h"

/* What every back end's store starts with; its own state follows
 * (struct store_sqlite embeds this as `super`). */
struct store {
	const struct store_ops *ops;
};

struct store_opts {
	/* How long a write waits for another connection's lock; 0: 5000. */
	int busy_timeout_ms;
	/* Survive power loss, not only a crash of the process, before a push
	 * is acknowledged: an fsync per commit instead of per checkpoint. */
	bool sync_full;
	/* Rounds kept per probe (and kind): put_round drops the pushing
	 * probe's older ones as it stores a new one; 0: keep all. */
	unsigned retain;
};

struct store_cell {
	const char *from; /* source probe */
	const char *to;	  /* target or peer name */
	enum rm_check check;
	uint16_t port; /* 0: the check has no port */
};

/* One document as pushed: a probe's round, or what a responder saw arrive
 * (a serve document, which has no results). Identified by (probe,
 * arrivals, started): a second put of the same is a retry and changes
 * nothing. */
struct store_round {
	const char *probe;
	const char *cluster;
	bool arrivals;	     /* a serve document: arrivals only */
	const char *started; /* the document's "started", RFC 3339 */
	int64_t received_ms; /* when the collector accepted it */
	const void *doc;     /* the document's bytes, stored as given */
	size_t doclen;
	bool gzip; /* doc is gzip-compressed JSON */
};

/* A cell whose status changed. */
struct store_transition {
	struct store_cell cell;
	bool first;			 /* the cell had no status before */
	enum rm_check_status old_status; /* when !first */
	enum rm_check_status new_status;
	int64_t at_ms;
	/* Since when the cell has not been healthy, when that is earlier than
	 * at_ms (filtered, then rejected: still failing since the first);
	 * 0: at_ms. */
	int64_t since_ms;
};

/* A cell's current status and since when it has held it. */
struct store_cell_state {
	struct store_cell cell;
	enum rm_check_status status;
	int64_t since_ms;
};

struct store_peer {
	const char *name;
	const char *cluster;
	const char *zone;	/* NULL: not known */
	const char *addresses;	/* "10.200.1.10,fd00::10" */
	const char *dns_name;	/* NULL: none */
	int64_t registered_ms;	/* the latest registration */
	int64_t last_report_ms; /* read only: its newest round's received_ms, 0: none */
};

/* Which transitions history walks: those of [since_ms, until_ms), of the
 * cells from `from` to `to` (NULL: any probe, any endpoint), oldest first. */
struct store_history_query {
	const char *from;
	const char *to;
	int64_t since_ms;
	int64_t until_ms;
};

typedef int (*store_round_cb)(const struct store_round *round, void *arg);
typedef int (*store_peer_cb)(const struct store_peer *peer, void *arg);
typedef int (*store_cell_cb)(const struct store_cell_state *state, void *arg);
typedef int (*store_transition_cb)(const struct store_transition *t, void *arg);

struct store_ops {
	const char *name;
	/* Opens (creating when missing) the store at path; *out is the caller's
	 * to close. A store written by a newer reachmap, or a file that is
	 * not one, is refused with RM_EINVAL. */
	int (*open)(const char *path, const struct store_opts *opts, struct store **out,
		    struct rm_diag *d);
	void (*close)(struct store *s);
	/* Stores the round, its transitions and the cells' new current status
	 * in one transaction; returns after it committed (the push may then be
	 * acknowledged). *inserted is false when (probe, started) was already
	 * stored: nothing is written then, the transitions included. */
	int (*put_round)(struct store *s, const struct store_round *round,
			 const struct store_transition *t, size_t nt, bool *inserted,
			 struct rm_diag *d);
	/* The newest round and the newest arrivals document of every probe,
	 * by probe name. */
	int (*latest_rounds)(struct store *s, store_round_cb cb, void *arg, struct rm_diag *d);
	/* Adds or replaces (by name) a peer's registration. */
	int (*register_peer)(struct store *s, const struct store_peer *peer, struct rm_diag *d);
	/* Registered peers of `cluster` (NULL: all), by name. */
	int (*peers)(struct store *s, const char *cluster, store_peer_cb cb, void *arg,
		     struct rm_diag *d);
	/* The current status of every cell that ever had one. */
	int (*cell_states)(struct store *s, store_cell_cb cb, void *arg, struct rm_diag *d);
	int (*history)(struct store *s, const struct store_history_query *q, store_transition_cb cb,
		       void *arg, struct rm_diag *d);
	/* Keeps the `retain` newest rounds of each probe (0: keep all) and the
	 * transitions at or after `history_cutoff_ms`. The cells' current
	 * status is kept whatever its age. */
	int (*prune)(struct store *s, unsigned retain, int64_t history_cutoff_ms,
		     struct rm_diag *d);
};

/* SQLite in WAL mode; the schema's version is PRAGMA user_version. Safe to
 * call from several threads: each op holds the store's lock. */
extern const struct store_ops store_sqlite;

#endif

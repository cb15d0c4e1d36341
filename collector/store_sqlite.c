/* The collector's store in SQLite (https://sqlite.org/lang.html): one
 * connection in WAL mode, statements prepared once for the store's life,
 * the schema's version in PRAGMA user_version and its steps in
 * `migrations` below.
 *
 * Threads: the HTTP layer calls from several threads. One connection with
 * one mutex around every op is the simplest correct choice: SQLite allows a
 * single writer anyway, a put_round is a few statements in one transaction,
 * and prepared statements may not be shared between threads running at
 * once. Readers wait for writers; a second, read-only connection (WAL lets
 * it read while the writer writes) is the step to take if reads ever queue
 * behind pushes. */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "collector/store.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

/* "rmap": a SQLite file whose application_id is neither this nor 0
 * belongs to another program and is refused, never migrated. */
#define STORE_APPLICATION_ID  0x726d6170
#define STORE_BUSY_TIMEOUT_MS 5000

/* Schema steps: migrations[i] takes user_version i to i + 1. A step is
 * appended, never edited, once it has shipped. Statuses and checks are
 * stored as their words, not enum values, so a build that renumbers the
 * enums still reads old files. */
static const char *const migrations[] = {
	/* v1 */
	"CREATE TABLE rounds ("
	"  id INTEGER PRIMARY KEY,"
	"  probe TEXT NOT NULL,"
	"  cluster TEXT NOT NULL,"
	"  arrivals INTEGER NOT NULL,"
	"  started TEXT NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  gzip INTEGER NOT NULL,"
	"  doc BLOB NOT NULL,"
	"  UNIQUE (probe, arrivals, started));"
	"CREATE TABLE peers ("
	"  name TEXT PRIMARY KEY,"
	"  cluster TEXT NOT NULL,"
	"  zone TEXT,"
	"  addresses TEXT NOT NULL,"
	"  dns_name TEXT,"
	"  registered INTEGER NOT NULL);"
	"CREATE TABLE cells ("
	"  id INTEGER PRIMARY KEY,"
	"  src TEXT NOT NULL,"
	"  dst TEXT NOT NULL,"
	"  chk TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  UNIQUE (src, dst, chk, port));"
	"CREATE TABLE transitions ("
	"  id INTEGER PRIMARY KEY,"
	"  cell INTEGER NOT NULL REFERENCES cells (id),"
	"  old_status TEXT,"
	"  new_status TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX transitions_at ON transitions (at);"
	"CREATE INDEX transitions_cell ON transitions (cell, at);",
};

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_ROUND_INSERT,
	ST_CELL_UPSERT,
	ST_TRANSITION_INSERT,
	ST_LATEST,
	ST_PEER_UPSERT,
	ST_PEERS,
	ST_CELLS,
	ST_HISTORY,
	ST_PRUNE_ROUNDS,
	ST_RETAIN,
	ST_PRUNE_TRANSITIONS,
	ST_COUNT,
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_ROUND_INSERT] = "INSERT INTO rounds (probe, cluster, started, received, gzip, doc,"
			    " arrivals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			    " ON CONFLICT (probe, arrivals, started) DO NOTHING",
	[ST_CELL_UPSERT] = "INSERT INTO cells (src, dst, chk, port, status, since)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
			   " ON CONFLICT (src, dst, chk, port) DO UPDATE"
			   " SET status = excluded.status, since = excluded.since"
			   " RETURNING id",
	[ST_TRANSITION_INSERT] = "INSERT INTO transitions (cell, old_status, new_status, at)"
				 " VALUES (?1, ?2, ?3, ?4)",
	/* The index of UNIQUE (probe, arrivals, started) answers the inner
	 * query. */
	[ST_LATEST] = "SELECT r.probe, r.cluster, r.started, r.received, r.gzip, r.doc,"
		      " r.arrivals FROM rounds r JOIN (SELECT probe, arrivals,"
		      "  max(started) AS started FROM rounds GROUP BY probe, arrivals) m"
		      " ON r.probe = m.probe AND r.arrivals = m.arrivals"
		      " AND r.started = m.started ORDER BY r.probe, r.arrivals",
	[ST_PEER_UPSERT] = "INSERT OR REPLACE INTO peers"
			   " (name, cluster, zone, addresses, dns_name, registered)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_PEERS] = "SELECT p.name, p.cluster, p.zone, p.addresses, p.dns_name, p.registered,"
		     " (SELECT max(received) FROM rounds WHERE probe = p.name)"
		     " FROM peers p WHERE ?1 IS NULL OR p.cluster = ?1 ORDER BY p.name",
	[ST_CELLS] = "SELECT src, dst, chk, port, status, since FROM cells ORDER BY id",
	[ST_HISTORY] = "SELECT c.src, c.dst, c.chk, c.port, t.old_status, t.new_status, t.at"
		       " FROM transitions t JOIN cells c ON c.id = t.cell"
		       " WHERE t.at >= ?1 AND t.at < ?2"
		       " AND (?3 IS NULL OR c.src = ?3) AND (?4 IS NULL OR c.dst = ?4)"
		       " ORDER BY t.at, t.id",
	[ST_PRUNE_ROUNDS] = "DELETE FROM rounds WHERE id IN (SELECT id FROM"
			    " (SELECT id, row_number() OVER"
			    "  (PARTITION BY probe, arrivals ORDER BY started DESC) AS n"
			    "  FROM rounds)"
			    " WHERE n > ?1)",
	/* The same probe's documents of the same kind older than its ?3 + 1
	 * newest, by the UNIQUE (probe, arrivals, started) index. */
	[ST_RETAIN] = "DELETE FROM rounds WHERE probe = ?1 AND arrivals = ?2 AND started <"
		      " (SELECT started FROM rounds WHERE probe = ?1 AND arrivals = ?2"
		      "  ORDER BY started DESC LIMIT 1 OFFSET ?3)",
	[ST_PRUNE_TRANSITIONS] = "DELETE FROM transitions WHERE at < ?1",
};

struct store_sqlite {
	struct store super;
	unsigned retain;
	sqlite3 *db;
	char *path;
	pthread_mutex_t lock;
	sqlite3_stmt *st[ST_COUNT];
};

/* SQLite counts its memory under one process-wide mutex by default, a lock
 * on every allocation it makes; nothing here reads the count. It can only
 * be switched off before SQLite starts, hence once, before the first
 * open. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

static struct store_sqlite *sq_of(struct store *s)
{
	return (struct store_sqlite *)s;
}

static int sq_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return RM_ENOMEM;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
		return RM_EINVAL;
	default:
		return RM_EIO;
	}
}

/* "PATH: WHAT: what SQLite said"; the status that fits SQLite's code. */
static int sq_fail(struct store_sqlite *s, int rc, const char *what, struct rm_diag *d)
{
	rm_diag_error(d, "%s: %s: %s", s->path, what,
		      s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return sq_status(rc);
}

/* Runs a statement that returns no rows and makes it ready for the next
 * use. SQLITE_DONE or SQLite's error code. */
static int sq_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static void sq_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* ---- opening: identity, schema version, migrations ---- */

static int pragma_int(struct store_sqlite *s, const char *sql, int64_t *out, struct rm_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return sq_fail(s, rc, "not a reachmap store", d);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "cannot read the schema version", d);
	return RM_OK;
}

/* A file of another program, or a newer reachmap's, is never written to. */
static int check_identity(struct store_sqlite *s, int64_t version, struct rm_diag *d)
{
	int64_t app = 0, objects = 0;
	int rc;

	if ((rc = pragma_int(s, "PRAGMA application_id", &app, d)) != RM_OK)
		return rc;
	if ((rc = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects, d)) != RM_OK)
		return rc;
	if ((app != 0 && app != STORE_APPLICATION_ID) || version < 0 ||
	    (version == 0 && objects != 0)) {
		rm_diag_error(d, "%s: not a reachmap store (a SQLite database of another program)",
			      s->path);
		return RM_EINVAL;
	}
	if (version > (int64_t)ARRAY_SIZE(migrations)) {
		rm_diag_error(
		    d, "%s: written by a newer reachmap (schema %" PRId64 ", this build knows %zu)",
		    s->path, version, ARRAY_SIZE(migrations));
		return RM_EINVAL;
	}
	return RM_OK;
}

/* One transaction per step, the version read again inside it, so two
 * collectors opening one file at once migrate it once. */
static int migrate(struct store_sqlite *s, struct rm_diag *d)
{
	char sql[96];
	int64_t version;
	int rc;

	for (;;) {
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return sq_fail(s, rc, "cannot migrate the schema", d);
		if ((rc = pragma_int(s, "PRAGMA user_version", &version, d)) != RM_OK ||
		    (rc = check_identity(s, version, d)) != RM_OK)
			goto out;
		if (version == (int64_t)ARRAY_SIZE(migrations)) {
			rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
			return rc == SQLITE_OK ? RM_OK : sq_fail(s, rc, "cannot commit", d);
		}
		snprintf(sql, sizeof(sql),
			 "PRAGMA user_version = %" PRId64 ";"
			 "PRAGMA application_id = %d",
			 version + 1, STORE_APPLICATION_ID);
		if ((rc = sqlite3_exec(s->db, migrations[version], NULL, NULL, NULL)) !=
			SQLITE_OK ||
		    (rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK ||
		    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
			rc = sq_fail(s, rc, "cannot migrate the schema", d);
			goto out;
		}
	}
out:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* WAL: a commit is one append to the log, and a second connection may
 * read while this one writes. synchronous=NORMAL syncs the log at checkpoints, not at each
 * commit: a committed transaction survives the death of the process (it
 * is in the kernel's page cache once write() returned) but the last ones
 * may be lost with the machine's power. That meets the test (kill
 * -9 in the middle of pushes), and a round lost with the power is replaced
 * by its probe's next one within an interval, so it is the default;
 * sync_full buys power-loss durability with an fsync per commit
 * (`bench-store 1000 5 90000 full` measures what that costs). */
static int configure(struct store_sqlite *s, const struct store_opts *opts, struct rm_diag *d)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		mode = col_text(st, 0);
		if (mode == NULL || strcmp(mode, "wal") != 0) {
			rm_diag_error(d, "%s: cannot use write-ahead logging (journal mode %s)",
				      s->path, mode != NULL ? mode : "unknown");
			sqlite3_finalize(st);
			return RM_EIO;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return sq_fail(s, rc, "not a reachmap store", d);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, "cannot use write-ahead logging", d);
	rc = sqlite3_exec(s->db,
			  opts != NULL && opts->sync_full ? "PRAGMA synchronous = FULL"
							  : "PRAGMA synchronous = NORMAL",
			  NULL, NULL, NULL);
	return rc == SQLITE_OK ? RM_OK : sq_fail(s, rc, "cannot set synchronous", d);
}

static void sq_close(struct store *base)
{
	struct store_sqlite *s = sq_of(base);
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* sqlite3_close_v2: the last connection checkpoints and removes the
	 * WAL file. */
	sqlite3_close_v2(s->db);
	pthread_mutex_destroy(&s->lock);
	rm_free(s->path);
	rm_free(s);
}

static int sq_open(const char *path, const struct store_opts *opts, struct store **out,
		   struct rm_diag *d)
{
	struct store_sqlite *s;
	int64_t version;
	size_t i;
	int rc;

	*out = NULL;
	s = rm_calloc(1, sizeof(*s));
	if (s == NULL || (s->path = rm_strdup(path)) == NULL ||
	    pthread_mutex_init(&s->lock, NULL) != 0) {
		rm_diag_error(d, "%s: out of memory", path);
		rm_free(s != NULL ? s->path : NULL);
		rm_free(s);
		return RM_ENOMEM;
	}
	s->super.ops = &store_sqlite;
	s->retain = opts != NULL ? opts->retain : 0;
	pthread_once(&sqlite_once, sqlite_setup);
	/* NOMUTEX: the store's own lock already serializes every use. */
	rc = sqlite3_open_v2(
	    path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = sq_fail(s, rc, "cannot open", d);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, opts != NULL && opts->busy_timeout_ms > 0
					? opts->busy_timeout_ms
					: STORE_BUSY_TIMEOUT_MS);
	/* Identity first: another program's file must not even be switched
	 * to WAL. migrate checks again inside its transaction. */
	if ((rc = pragma_int(s, "PRAGMA user_version", &version, d)) != RM_OK ||
	    (rc = check_identity(s, version, d)) != RM_OK ||
	    (rc = configure(s, opts, d)) != RM_OK || (rc = migrate(s, d)) != RM_OK)
		goto fail;
	for (i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->st[i], NULL);
		if (rc != SQLITE_OK) {
			rc = sq_fail(s, rc, "cannot prepare a statement", d);
			goto fail;
		}
	}
	*out = &s->super;
	return RM_OK;
fail:
	sq_close(&s->super);
	return rc;
}

/* ---- writing ---- */

static int put_transition(struct store_sqlite *s, const struct store_transition *t,
			  struct rm_diag *d)
{
	sqlite3_stmt *cell = s->st[ST_CELL_UPSERT], *tr = s->st[ST_TRANSITION_INSERT];
	int64_t id;
	int rc;

	sqlite3_bind_text(cell, 1, t->cell.from, -1, SQLITE_STATIC);
	sqlite3_bind_text(cell, 2, t->cell.to, -1, SQLITE_STATIC);
	sqlite3_bind_text(cell, 3, rm_check_name(t->cell.check), -1, SQLITE_STATIC);
	sqlite3_bind_int(cell, 4, t->cell.port);
	sqlite3_bind_text(cell, 5, rm_status_name(t->new_status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(cell, 6, t->since_ms > 0 ? t->since_ms : t->at_ms);
	rc = sqlite3_step(cell);
	if (rc != SQLITE_ROW) {
		sq_done(cell);
		return sq_fail(s, rc, "cannot store a cell's status", d);
	}
	id = sqlite3_column_int64(cell, 0);
	rc = sqlite3_step(cell); /* RETURNING's rows are made before the first */
	sq_done(cell);
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, "cannot store a cell's status", d);
	sqlite3_bind_int64(tr, 1, id);
	bind_text_or_null(tr, 2, t->first ? NULL : rm_status_name(t->old_status));
	sqlite3_bind_text(tr, 3, rm_status_name(t->new_status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(tr, 4, t->at_ms);
	if ((rc = sq_run(tr)) != SQLITE_DONE)
		return sq_fail(s, rc, "cannot store a transition", d);
	return RM_OK;
}

static int insert_round(struct store_sqlite *s, const struct store_round *r, bool *inserted,
			struct rm_diag *d)
{
	sqlite3_stmt *st = s->st[ST_ROUND_INSERT];
	int rc;

	if (r->doclen > INT_MAX) {
		rm_diag_error(d, "%s: round of %s at %s: %zu bytes is more than SQLite stores",
			      s->path, r->probe, r->started, r->doclen);
		return RM_ERANGE;
	}
	sqlite3_bind_text(st, 1, r->probe, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->started, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->received_ms);
	sqlite3_bind_int(st, 5, r->gzip);
	sqlite3_bind_int(st, 7, r->arrivals);
	/* A zero-length blob is still a blob, never NULL (the column is NOT
	 * NULL and an empty document is the caller's to refuse). */
	sqlite3_bind_blob(st, 6, r->doclen > 0 ? r->doc : "", (int)r->doclen, SQLITE_STATIC);
	if ((rc = sq_run(st)) != SQLITE_DONE)
		return sq_fail(s, rc, "cannot store a round", d);
	*inserted = sqlite3_changes(s->db) > 0;
	return RM_OK;
}

/* --retain, kept push by push: the pushing probe's rounds past its
 * `retain` newest go in the same transaction, one at a time, instead of a
 * fleet's worth at once in a periodic prune that would hold the store. */
static int drop_old_rounds(struct store_sqlite *s, const struct store_round *r, struct rm_diag *d)
{
	sqlite3_stmt *st = s->st[ST_RETAIN];
	int rc;

	sqlite3_bind_text(st, 1, r->probe, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->arrivals);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)s->retain - 1);
	if ((rc = sq_run(st)) != SQLITE_DONE)
		return sq_fail(s, rc, "cannot drop the rounds past --retain", d);
	return RM_OK;
}

static int sq_put_round(struct store *base, const struct store_round *r,
			const struct store_transition *t, size_t nt, bool *inserted,
			struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	size_t i;
	int rc;

	*inserted = false;
	pthread_mutex_lock(&s->lock);
	if ((rc = sq_run(s->st[ST_BEGIN])) != SQLITE_DONE) {
		rc = sq_fail(s, rc, "cannot begin a transaction", d);
		goto out;
	}
	rc = insert_round(s, r, inserted, d);
	for (i = 0; rc == RM_OK && *inserted && i < nt; i++)
		rc = put_transition(s, &t[i], d);
	if (rc == RM_OK && *inserted && s->retain > 0)
		rc = drop_old_rounds(s, r, d);
	if (rc != RM_OK || !*inserted)
		goto rollback;
	if ((rc = sq_run(s->st[ST_COMMIT])) != SQLITE_DONE) {
		rc = sq_fail(s, rc, "cannot commit a round", d);
		goto rollback;
	}
	rc = RM_OK;
	goto out;
rollback:
	*inserted = false;
	sq_run(s->st[ST_ROLLBACK]);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int sq_register_peer(struct store *base, const struct store_peer *p, struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	sqlite3_stmt *st = s->st[ST_PEER_UPSERT];
	int rc;

	pthread_mutex_lock(&s->lock);
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->cluster, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, p->zone);
	sqlite3_bind_text(st, 4, p->addresses != NULL ? p->addresses : "", -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, p->dns_name);
	sqlite3_bind_int64(st, 6, p->registered_ms);
	rc = sq_run(st);
	rc = rc == SQLITE_DONE ? RM_OK : sq_fail(s, rc, "cannot register a peer", d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int sq_prune(struct store *base, unsigned retain, int64_t history_cutoff_ms,
		    struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	int rc;

	pthread_mutex_lock(&s->lock);
	if ((rc = sq_run(s->st[ST_BEGIN])) != SQLITE_DONE) {
		rc = sq_fail(s, rc, "cannot begin a transaction", d);
		goto out;
	}
	if (retain > 0) {
		sqlite3_bind_int64(s->st[ST_PRUNE_ROUNDS], 1, retain);
		if ((rc = sq_run(s->st[ST_PRUNE_ROUNDS])) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_bind_int64(s->st[ST_PRUNE_TRANSITIONS], 1, history_cutoff_ms);
	if ((rc = sq_run(s->st[ST_PRUNE_TRANSITIONS])) != SQLITE_DONE ||
	    (rc = sq_run(s->st[ST_COMMIT])) != SQLITE_DONE)
		goto fail;
	rc = RM_OK;
	goto out;
fail:
	rc = sq_fail(s, rc, "cannot prune", d);
	sq_run(s->st[ST_ROLLBACK]);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- reading ---- */

/* The cell in columns first..first+3 (src, dst, chk, port). */
static int read_cell(struct store_sqlite *s, sqlite3_stmt *st, int first, struct store_cell *c,
		     struct rm_diag *d)
{
	const char *chk = col_text(st, first + 2);

	c->from = col_text(st, first);
	c->to = col_text(st, first + 1);
	c->port = (uint16_t)sqlite3_column_int(st, first + 3);
	if (c->from == NULL || c->to == NULL || chk == NULL ||
	    rm_check_parse(chk, &c->check) != RM_OK) {
		rm_diag_error(d, "%s: a cell with an unknown check \"%s\"", s->path,
			      chk != NULL ? chk : "");
		return RM_EPARSE;
	}
	return RM_OK;
}

static int read_status(struct store_sqlite *s, sqlite3_stmt *st, int col, enum rm_check_status *out,
		       struct rm_diag *d)
{
	const char *word = col_text(st, col);

	if (word == NULL || rm_status_parse(word, out) != RM_OK) {
		rm_diag_error(d, "%s: a cell with an unknown status \"%s\"", s->path,
			      word != NULL ? word : "");
		return RM_EPARSE;
	}
	return RM_OK;
}

/* A walk over a query's rows: the caller's callback, one of four kinds. */
struct walk {
	union {
		store_round_cb round;
		store_peer_cb peer;
		store_cell_cb cell;
		store_transition_cb transition;
	} cb;
	void *arg;
};

typedef int (*row_fn)(struct store_sqlite *s, sqlite3_stmt *st, const struct walk *w,
		      struct rm_diag *d);

/* Steps st (bound, under the store's lock) to its end, `row` turning each
 * row into its record and calling back. RM_OK, the callback's non-zero
 * value, or an error. */
static int walk(struct store_sqlite *s, sqlite3_stmt *st, row_fn row, const struct walk *w,
		const char *what, struct rm_diag *d)
{
	int rc, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row(s, st, w, d)) != RM_OK)
			goto out;
	}
	rc = step == SQLITE_DONE ? RM_OK : sq_fail(s, step, what, d);
out:
	sq_done(st);
	return rc;
}

static int round_row(struct store_sqlite *s, sqlite3_stmt *st, const struct walk *w,
		     struct rm_diag *d)
{
	struct store_round r = {
		.probe = col_text(st, 0),
		.cluster = col_text(st, 1),
		.started = col_text(st, 2),
		.received_ms = sqlite3_column_int64(st, 3),
		.gzip = sqlite3_column_int(st, 4) != 0,
		.doc = sqlite3_column_blob(st, 5),
		.arrivals = sqlite3_column_int(st, 6) != 0,
	};

	(void)s;
	(void)d;
	r.doclen = (size_t)sqlite3_column_bytes(st, 5);
	return w->cb.round(&r, w->arg);
}

static int sq_latest_rounds(struct store *base, store_round_cb cb, void *arg, struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	struct walk w = { .cb.round = cb, .arg = arg };
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = walk(s, s->st[ST_LATEST], round_row, &w, "cannot read the rounds", d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int peer_row(struct store_sqlite *s, sqlite3_stmt *st, const struct walk *w,
		    struct rm_diag *d)
{
	struct store_peer p = {
		.name = col_text(st, 0),
		.cluster = col_text(st, 1),
		.zone = col_text(st, 2),
		.addresses = col_text(st, 3),
		.dns_name = col_text(st, 4),
		.registered_ms = sqlite3_column_int64(st, 5),
		.last_report_ms = sqlite3_column_int64(st, 6),
	};

	(void)s;
	(void)d;
	return w->cb.peer(&p, w->arg);
}

static int sq_peers(struct store *base, const char *cluster, store_peer_cb cb, void *arg,
		    struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	struct walk w = { .cb.peer = cb, .arg = arg };
	int rc;

	pthread_mutex_lock(&s->lock);
	bind_text_or_null(s->st[ST_PEERS], 1, cluster);
	rc = walk(s, s->st[ST_PEERS], peer_row, &w, "cannot read the peers", d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int cell_row(struct store_sqlite *s, sqlite3_stmt *st, const struct walk *w,
		    struct rm_diag *d)
{
	struct store_cell_state c;
	int rc;

	if ((rc = read_cell(s, st, 0, &c.cell, d)) != RM_OK ||
	    (rc = read_status(s, st, 4, &c.status, d)) != RM_OK)
		return rc;
	c.since_ms = sqlite3_column_int64(st, 5);
	return w->cb.cell(&c, w->arg);
}

static int sq_cell_states(struct store *base, store_cell_cb cb, void *arg, struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	struct walk w = { .cb.cell = cb, .arg = arg };
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = walk(s, s->st[ST_CELLS], cell_row, &w, "cannot read the cells", d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int transition_row(struct store_sqlite *s, sqlite3_stmt *st, const struct walk *w,
			  struct rm_diag *d)
{
	struct store_transition t = { .old_status = RM_STATUS_COUNT };
	int rc;

	t.first = sqlite3_column_type(st, 4) == SQLITE_NULL;
	if ((rc = read_cell(s, st, 0, &t.cell, d)) != RM_OK ||
	    (!t.first && (rc = read_status(s, st, 4, &t.old_status, d)) != RM_OK) ||
	    (rc = read_status(s, st, 5, &t.new_status, d)) != RM_OK)
		return rc;
	t.at_ms = sqlite3_column_int64(st, 6);
	return w->cb.transition(&t, w->arg);
}

static int sq_history(struct store *base, const struct store_history_query *q,
		      store_transition_cb cb, void *arg, struct rm_diag *d)
{
	struct store_sqlite *s = sq_of(base);
	sqlite3_stmt *st = s->st[ST_HISTORY];
	struct walk w = { .cb.transition = cb, .arg = arg };
	int rc;

	pthread_mutex_lock(&s->lock);
	sqlite3_bind_int64(st, 1, q->since_ms);
	sqlite3_bind_int64(st, 2, q->until_ms);
	bind_text_or_null(st, 3, q->from);
	bind_text_or_null(st, 4, q->to);
	rc = walk(s, st, transition_row, &w, "cannot read the history", d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

const struct store_ops store_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.put_round = sq_put_round,
	.latest_rounds = sq_latest_rounds,
	.register_peer = sq_register_peer,
	.peers = sq_peers,
	.cell_states = sq_cell_states,
	.history = sq_history,
	.prune = sq_prune,
};

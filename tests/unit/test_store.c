/* The collector's store on real SQLite files in a temporary directory:
 * rounds, idempotent retries, transitions, cells after a restart, pruning,
 * files it must refuse, allocation failures, and a process killed with
 * SIGKILL in the middle of its pushes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector/store.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

#define T0 1790000000000 /* ms; any time will do */

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
	struct rm_diag diag;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/reachmap-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/reachmap.db", f->dir);
	*state = f;
	return 0;
}

static void remove_files(const struct fixture *f)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->s != NULL)
		f->s->ops->close(f->s);
	remove_files(f);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void open_store(struct fixture *f)
{
	rm_diag_clear(&f->diag);
	assert_int_equal(store_sqlite.open(f->path, NULL, &f->s, &f->diag), RM_OK);
	assert_string_equal(f->diag.error, "");
}

static void reopen(struct fixture *f)
{
	f->s->ops->close(f->s);
	f->s = NULL;
	open_store(f);
}

/* What SQLite itself says is in the file, past the store's API. */
static long long count(const struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void exec(const struct fixture *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void started(unsigned i, char *buf)
{
	rm_time_format((time_t)(T0 / 1000 + i * 10), buf, RM_TIME_STRLEN);
}

static bool put(struct fixture *f, const char *probe, unsigned i, const struct store_transition *t,
		size_t nt)
{
	char when[RM_TIME_STRLEN], doc[64];
	struct store_round r = { .probe = probe, .cluster = "west", .started = when };
	bool inserted = false;

	started(i, when);
	snprintf(doc, sizeof(doc), "{\"probe\":\"%s\",\"n\":%u}", probe, i);
	r.doc = doc;
	r.doclen = strlen(doc);
	r.received_ms = T0 + i * 10000 + 5;
	assert_int_equal(f->s->ops->put_round(f->s, &r, t, nt, &inserted, &f->diag), RM_OK);
	return inserted;
}

struct seen {
	char text[2048];
	size_t n;
};

static int add_round(const struct store_round *r, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s %s %s %lld %d %zu %.*s\n", r->probe,
		 r->cluster, r->started, (long long)r->received_ms, r->gzip, r->doclen,
		 (int)r->doclen, (const char *)r->doc);
	s->n++;
	return 0;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct seen seen = { "", 0 };
	char gz[4] = { 0x1f, (char)0x8b, 0, 1 };
	char when[RM_TIME_STRLEN];
	struct store_round r = { .probe = "east-a-0", .cluster = "east", .started = when };
	bool inserted;

	open_store(f);
	assert_true(put(f, "west-a-0", 1, NULL, 0));
	assert_true(put(f, "west-a-0", 3, NULL, 0));
	assert_true(put(f, "west-a-0", 2, NULL, 0));
	started(7, when);
	r.received_ms = 42;
	r.doc = gz;
	r.doclen = sizeof(gz);
	r.gzip = true;
	assert_int_equal(f->s->ops->put_round(f->s, &r, NULL, 0, &inserted, &f->diag), RM_OK);
	assert_true(inserted);
	assert_int_equal(f->s->ops->latest_rounds(f->s, add_round, &seen, &f->diag), RM_OK);
	assert_int_equal(seen.n, 2);
	/* The gzip bytes come back as given, a NUL inside included. */
	assert_string_equal(seen.text, "east-a-0 east 2026-09-21T14:14:30Z 42 1 4 \x1f\x8b\n"
				       "west-a-0 west 2026-09-21T14:13:50Z 1790000030005 0 26 "
				       "{\"probe\":\"west-a-0\",\"n\":3}\n");
	assert_int_equal(count(f, "SELECT length(doc) FROM rounds WHERE gzip = 1"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds WHERE doc = x'1f8b0001'"), 1);
}

static const struct store_transition down = {
	.cell = { "west-a-0", "east-b-0", RM_CHECK_TCP, 7000 },
	.old_status = RM_STATUS_OPEN,
	.new_status = RM_STATUS_FILTERED,
	.at_ms = T0 + 10000,
};

static void test_idempotent(void **state)
{
	struct fixture *f = *state;

	open_store(f);
	assert_true(put(f, "west-a-0", 1, &down, 1));
	/* A retry after a lost 202: nothing more, the transition included. */
	assert_false(put(f, "west-a-0", 1, &down, 1));
	assert_false(put(f, "west-a-0", 1, NULL, 0));
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM transitions"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM cells"), 1);
	/* The same start from another probe is another round. */
	assert_true(put(f, "west-a-1", 1, NULL, 0));
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 2);
}

static int add_transition(const struct store_transition *t, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s>%s %s/%u %s>%s %lld\n", t->cell.from,
		 t->cell.to, rm_check_name(t->cell.check), t->cell.port,
		 t->first ? "-" : rm_status_name(t->old_status), rm_status_name(t->new_status),
		 (long long)(t->at_ms - T0));
	s->n++;
	return 0;
}

static const struct store_transition history[] = {
	{ { "west-a-0", "east-b-0", RM_CHECK_TCP, 7000 }, true, 0, RM_STATUS_OPEN, T0, 0 },
	{ { "west-a-0", "east-b-0", RM_CHECK_ICMP, 0 }, true, 0, RM_STATUS_OK, T0, 0 },
	{ { "east-b-0", "west-a-0", RM_CHECK_TCP, 7000 }, true, 0, RM_STATUS_OPEN, T0, 0 },
};

static const struct store_transition later[] = {
	{ { "west-a-0", "east-b-0", RM_CHECK_TCP, 7000 },
	  false,
	  RM_STATUS_OPEN,
	  RM_STATUS_FILTERED,
	  T0 + 20000,
	  0 },
	{ { "east-b-0", "west-a-0", RM_CHECK_TCP, 7000 },
	  false,
	  RM_STATUS_OPEN,
	  RM_STATUS_REJECTED,
	  T0 + 20000,
	  0 },
};

static const struct store_transition again = { { "west-a-0", "east-b-0", RM_CHECK_TCP, 7000 },
					       false,
					       RM_STATUS_FILTERED,
					       RM_STATUS_OPEN,
					       T0 + 40000,
					       0 };

static void put_history(struct fixture *f)
{
	assert_true(put(f, "west-a-0", 0, history, 3));
	assert_true(put(f, "west-a-0", 2, later, 2));
	assert_true(put(f, "west-a-0", 4, &again, 1));
}

static void test_history(void **state)
{
	struct fixture *f = *state;
	struct store_history_query q = { NULL, NULL, T0, T0 + 60000 };
	struct seen seen = { "", 0 };

	open_store(f);
	put_history(f);
	assert_int_equal(f->s->ops->history(f->s, &q, add_transition, &seen, &f->diag), RM_OK);
	assert_string_equal(seen.text, "west-a-0>east-b-0 tcp/7000 ->open 0\n"
				       "west-a-0>east-b-0 icmp/0 ->ok 0\n"
				       "east-b-0>west-a-0 tcp/7000 ->open 0\n"
				       "west-a-0>east-b-0 tcp/7000 open>filtered 20000\n"
				       "east-b-0>west-a-0 tcp/7000 open>rejected 20000\n"
				       "west-a-0>east-b-0 tcp/7000 filtered>open 40000\n");
	/* A window: since inclusive, until exclusive; and one pair. */
	seen = (struct seen){ "", 0 };
	q = (struct store_history_query){ "west-a-0", "east-b-0", T0 + 20000, T0 + 40000 };
	assert_int_equal(f->s->ops->history(f->s, &q, add_transition, &seen, &f->diag), RM_OK);
	assert_string_equal(seen.text, "west-a-0>east-b-0 tcp/7000 open>filtered 20000\n");
	seen = (struct seen){ "", 0 };
	q = (struct store_history_query){ "east-b-0", NULL, T0 + 1, T0 + 60000 };
	assert_int_equal(f->s->ops->history(f->s, &q, add_transition, &seen, &f->diag), RM_OK);
	assert_string_equal(seen.text, "east-b-0>west-a-0 tcp/7000 open>rejected 20000\n");
}

static int add_cell(const struct store_cell_state *c, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s>%s %s/%u %s since %lld\n", c->cell.from,
		 c->cell.to, rm_check_name(c->cell.check), c->cell.port, rm_status_name(c->status),
		 (long long)(c->since_ms - T0));
	s->n++;
	return 0;
}

static int stop_at_first(const struct store_cell_state *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 7;
}

static void test_cells_after_reopen(void **state)
{
	struct fixture *f = *state;
	struct seen seen = { "", 0 };
	int calls = 0;

	open_store(f);
	put_history(f);
	reopen(f);
	assert_int_equal(f->s->ops->cell_states(f->s, add_cell, &seen, &f->diag), RM_OK);
	assert_string_equal(seen.text, "west-a-0>east-b-0 tcp/7000 open since 40000\n"
				       "west-a-0>east-b-0 icmp/0 ok since 0\n"
				       "east-b-0>west-a-0 tcp/7000 rejected since 20000\n");
	/* A callback's non-zero value ends the walk and is returned. */
	assert_int_equal(f->s->ops->cell_states(f->s, stop_at_first, &calls, &f->diag), 7);
	assert_int_equal(calls, 1);
}

static void test_prune(void **state)
{
	struct fixture *f = *state;
	struct seen seen = { "", 0 };
	struct store_history_query q = { NULL, NULL, 0, T0 + 60000 };
	unsigned i;

	open_store(f);
	put_history(f); /* west-a-0: rounds 0, 2, 4 */
	for (i = 0; i < 5; i++)
		assert_true(put(f, "east-b-0", i, NULL, 0));
	assert_true(put(f, "west-b-0", 9, NULL, 0));
	assert_int_equal(f->s->ops->prune(f->s, 2, T0 + 20000, &f->diag), RM_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds WHERE probe = 'east-b-0'"
				  " AND started >= '2026-09-21T14:13:50Z'"),
			 2);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 5);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds WHERE probe = 'west-b-0'"), 1);
	assert_int_equal(f->s->ops->history(f->s, &q, add_transition, &seen, &f->diag), RM_OK);
	assert_int_equal(seen.n, 3); /* at 20000 (twice) and 40000 */
	/* The cells keep their status and since-time whatever their age. */
	assert_int_equal(count(f, "SELECT count(*) FROM cells"), 3);
	/* retain 0 keeps every round. */
	assert_int_equal(f->s->ops->prune(f->s, 0, T0 + 20000, &f->diag), RM_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 5);
}

/* --retain kept as rounds come: a probe's rounds past its newest two go
 * with each push, arrivals documents counted apart; an older round pushed
 * late goes at once. */
static void test_retain_on_put(void **state)
{
	struct fixture *f = *state;
	struct store_opts o = { .retain = 2 };
	char when[RM_TIME_STRLEN];
	struct store_round r = { .probe = "east-b-0",
				 .cluster = "east",
				 .arrivals = true,
				 .started = when,
				 .doc = "{}",
				 .doclen = 2 };
	bool inserted;
	unsigned i;

	assert_int_equal(store_sqlite.open(f->path, &o, &f->s, &f->diag), RM_OK);
	for (i = 0; i < 5; i++) {
		assert_true(put(f, "east-b-0", i, NULL, 0));
		assert_int_equal(count(f, "SELECT count(*) FROM rounds"), i < 2 ? i + 1 : 2);
	}
	assert_int_equal(count(f, "SELECT count(*) FROM rounds WHERE started = "
				  "'2026-09-21T14:14:00Z'"),
			 1); /* round 4 */
	started(4, when);
	assert_int_equal(f->s->ops->put_round(f->s, &r, NULL, 0, &inserted, &f->diag), RM_OK);
	assert_true(inserted);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 3);
	assert_false(put(f, "east-b-0", 4, NULL, 0)); /* a retry */
	assert_true(put(f, "east-b-0", 1, NULL, 0));  /* late: stored, then dropped */
	assert_int_equal(count(f, "SELECT count(*) FROM rounds WHERE arrivals = 0"), 2);
}

static int add_peer(const struct store_peer *p, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s %s %s %s %s %lld %lld\n", p->name,
		 p->cluster, p->zone != NULL ? p->zone : "-", p->addresses,
		 p->dns_name != NULL ? p->dns_name : "-", (long long)p->registered_ms,
		 (long long)(p->last_report_ms == 0 ? 0 : p->last_report_ms - T0));
	s->n++;
	return 0;
}

static void test_peers(void **state)
{
	struct fixture *f = *state;
	struct store_peer a = { "west-a-0", "west", "us-west1-a", "10.200.1.10", NULL, 1, 0 };
	struct store_peer b = { "east-b-0", "east", NULL, "10.250.1.10,fd00::10", "e.local", 2, 0 };
	struct seen seen = { "", 0 };

	open_store(f);
	assert_int_equal(f->s->ops->register_peer(f->s, &a, &f->diag), RM_OK);
	assert_int_equal(f->s->ops->register_peer(f->s, &b, &f->diag), RM_OK);
	/* A restarted pod registers again with its new address. */
	a.addresses = "10.200.1.11";
	a.registered_ms = 3;
	assert_int_equal(f->s->ops->register_peer(f->s, &a, &f->diag), RM_OK);
	assert_true(put(f, "west-a-0", 1, NULL, 0));
	assert_true(put(f, "west-a-0", 2, NULL, 0));
	assert_int_equal(f->s->ops->peers(f->s, NULL, add_peer, &seen, &f->diag), RM_OK);
	assert_string_equal(seen.text, "east-b-0 east - 10.250.1.10,fd00::10 e.local 2 0\n"
				       "west-a-0 west us-west1-a 10.200.1.11 - 3 20005\n");
	seen = (struct seen){ "", 0 };
	assert_int_equal(f->s->ops->peers(f->s, "west", add_peer, &seen, &f->diag), RM_OK);
	assert_int_equal(seen.n, 1);
}

/* The message is the file's path, then `rest`. */
/* A transition that cannot be written takes its round with it: nothing of
 * the push is stored, and its retry is a first put, not a duplicate. */
static void test_failed_put_rolls_back(void **state)
{
	struct fixture *f = *state;
	char want[160], when[RM_TIME_STRLEN];
	struct store_round r = { .probe = "west-a-0",
				 .cluster = "west",
				 .started = when,
				 .received_ms = T0,
				 .doc = "{}",
				 .doclen = 2 };
	bool inserted = true;

	open_store(f);
	exec(f, "CREATE TRIGGER fire BEFORE INSERT ON transitions"
		" BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
	rm_diag_clear(&f->diag);
	started(1, when);
	assert_int_equal(f->s->ops->put_round(f->s, &r, &down, 1, &inserted, &f->diag), RM_EINVAL);
	assert_false(inserted);
	snprintf(want, sizeof(want), "%s: cannot store a transition: disk on fire", f->path);
	assert_string_equal(f->diag.error, want);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM cells"), 0);
	exec(f, "DROP TRIGGER fire");
	rm_diag_clear(&f->diag);
	assert_true(put(f, "west-a-0", 1, &down, 1));
	assert_int_equal(count(f, "SELECT count(*) FROM transitions"), 1);
}

#define THREADS		  4
#define ROUNDS_PER_THREAD 50

struct pusher_arg {
	struct store *s;
	const char *probe;
	int failures;
};

static void *push_thread(void *p)
{
	struct pusher_arg *a = p;
	char when[RM_TIME_STRLEN];
	struct store_round r = { .probe = a->probe,
				 .cluster = "west",
				 .started = when,
				 .received_ms = T0,
				 .doc = "{}",
				 .doclen = 2 };
	struct store_transition t = down;
	struct rm_diag d;
	bool inserted;
	unsigned i;

	t.cell.from = a->probe;
	for (i = 0; i < ROUNDS_PER_THREAD; i++) {
		started(i, when);
		t.at_ms = T0 + i;
		if (a->s->ops->put_round(a->s, &r, &t, 1, &inserted, &d) != RM_OK || !inserted)
			a->failures++;
	}
	return NULL;
}

/* The HTTP layer's threads share one store. */
static void test_threads(void **state)
{
	static const char *const probes[THREADS] = { "a", "b", "c", "d" };
	struct fixture *f = *state;
	struct pusher_arg args[THREADS];
	pthread_t th[THREADS];
	size_t i;

	open_store(f);
	for (i = 0; i < THREADS; i++) {
		args[i] = (struct pusher_arg){ f->s, probes[i], 0 };
		assert_int_equal(pthread_create(&th[i], NULL, push_thread, &args[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), THREADS * ROUNDS_PER_THREAD);
	assert_int_equal(count(f, "SELECT count(*) FROM transitions"), THREADS * ROUNDS_PER_THREAD);
	assert_int_equal(count(f, "SELECT count(*) FROM cells"), THREADS);
}

/* The message is the file's path, then `rest`. */
static void expect_refused(struct fixture *f, const char *rest)
{
	char want[256];

	snprintf(want, sizeof(want), "%s%s", f->path, rest);
	rm_diag_clear(&f->diag);
	assert_int_equal(store_sqlite.open(f->path, NULL, &f->s, &f->diag), RM_EINVAL);
	assert_null(f->s);
	assert_string_equal(f->diag.error, want);
}

static void test_newer_schema(void **state)
{
	struct fixture *f = *state;

	open_store(f);
	assert_true(put(f, "west-a-0", 1, NULL, 0));
	f->s->ops->close(f->s);
	f->s = NULL;
	exec(f, "PRAGMA user_version = 2");
	expect_refused(f, ": written by a newer reachmap (schema 2, this build knows 1)");
	/* Refused, not touched. */
	assert_int_equal(count(f, "PRAGMA user_version"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM rounds"), 1);
}

static void test_not_a_store(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fputs("{\"schema\": \"reachmap.results/v1\"} and more than a header's worth of text "
	      "so that SQLite reads it as a database header and refuses it\n",
	      fp);
	fclose(fp);
	expect_refused(f, ": not a reachmap store: file is not a database");
	remove_files(f);
	exec(f, "PRAGMA user_version = -1");
	expect_refused(f, ": not a reachmap store (a SQLite database of another program)");
	remove_files(f);
	exec(f, "CREATE TABLE other (x)");
	expect_refused(f, ": not a reachmap store (a SQLite database of another program)");
	assert_int_equal(count(f, "PRAGMA journal_mode"), 0); /* "delete", not "wal" */
}

static void test_alloc_failures(void **state)
{
	struct fixture *f = *state;
	unsigned long total, i;
	char want[160];

	rm_alloc_fail_at(0);
	open_store(f);
	total = rm_alloc_fail_at(0);
	f->s->ops->close(f->s);
	f->s = NULL;
	assert_true(total > 0);
	snprintf(want, sizeof(want), "%s: out of memory", f->path);
	for (i = 1; i <= total; i++) {
		rm_diag_clear(&f->diag);
		rm_alloc_fail_at(i);
		assert_int_equal(store_sqlite.open(f->path, NULL, &f->s, &f->diag), RM_ENOMEM);
		rm_alloc_fail_at(0);
		assert_null(f->s);
		assert_string_equal(f->diag.error, want);
	}
	open_store(f);
}

/* The child pushes rounds and reports each acknowledged one on the pipe
 * until it is killed; it never returns. */
static void pusher(const char *path, int fd)
{
	struct fixture f = { .s = NULL };
	struct store_transition t = down;
	unsigned i;

	strcpy(f.path, path);
	if (store_sqlite.open(path, NULL, &f.s, &f.diag) != RM_OK)
		_exit(2);
	for (i = 0; i < 2000; i++) {
		t.at_ms = T0 + i;
		if (!put(&f, i % 2 ? "west-a-0" : "east-b-0", i, &t, 1))
			_exit(3);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(4);
	}
	_exit(0);
}

static void test_kill_during_pushes(void **state)
{
	struct fixture *f = *state;
	char sql[160], when[RM_TIME_STRLEN];
	unsigned i, acked = 0, n;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		pusher(f->path, fds[1]);
	}
	close(fds[1]);
	while (acked < 300 && read(fds[0], &n, sizeof(n)) == sizeof(n))
		assert_int_equal(n, acked++);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* Acknowledged before the kill, still in the pipe. */
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		assert_int_equal(n, acked++);
	close(fds[0]);
	/* Killed in the middle, not after its last push. */
	assert_true(WIFSIGNALED(status));
	assert_in_range(acked, 300, 1999);
	print_message("killed after %u acknowledged pushes\n", acked);
	open_store(f);
	for (i = 0; i < acked; i++) {
		started(i, when);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM rounds WHERE started = '%s'",
			 when);
		assert_int_equal(count(f, sql), 1);
	}
	/* At most one more: committed, killed before it could say so. */
	assert_in_range(count(f, "SELECT count(*) FROM rounds"), acked, acked + 1);
	assert_int_equal(count(f, "SELECT count(*) FROM transitions"),
			 count(f, "SELECT count(*) FROM rounds"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cells_after_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retain_on_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_put_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_during_pushes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

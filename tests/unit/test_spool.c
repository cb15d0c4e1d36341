/* The agent's spool (agent/spool.c) in a directory of the test's own:
 * documents come back oldest first, the bound drops the oldest rounds and
 * counts them lost, the counter survives a reopen, writes leave no
 * temporary file behind, and a cut-short or foreign file is skipped with a
 * note, never a crash. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/spool.h"
#include "reachmap/error.h"

struct notes {
	char text[8][512];
	size_t n;
};

static void on_note(const char *msg, void *arg)
{
	struct notes *n = arg;

	if (n->n < 8)
		snprintf(n->text[n->n++], sizeof(n->text[0]), "%s", msg);
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_spool.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void doc_text(char *buf, size_t len, uint64_t seq, enum spool_kind kind)
{
	snprintf(buf, len, "{\"schema\": \"reachmap.results/v1\", \"seq\": %llu, \"kind\": %d}\n",
		 (unsigned long long)seq, (int)kind);
}

static void put(struct spool *s, uint64_t seq, enum spool_kind kind)
{
	char text[128];
	struct rm_diag d;

	doc_text(text, sizeof(text), seq, kind);
	assert_int_equal(spool_put(s, seq, kind, text, strlen(text), &d), RM_OK);
}

/* Takes the next document, checks it is (seq, kind) with its text, and
 * removes it. */
static void take_expect(struct spool *s, uint64_t seq, enum spool_kind kind)
{
	struct spool_item it;
	char want[128];

	assert_int_equal(spool_take(s, &it), RM_OK);
	assert_int_equal(it.seq, seq);
	assert_int_equal(it.kind, kind);
	doc_text(want, sizeof(want), seq, kind);
	assert_string_equal(it.doc, want);
	spool_done(s, &it, true);
	spool_item_free(&it);
}

static size_t files_named(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_oldest_first(void **state)
{
	struct spool *s;
	struct rm_diag d;
	struct spool_item it;

	(void)state;
	assert_int_equal(spool_open(dir, 10, NULL, NULL, &s, &d), RM_OK);
	put(s, 3, SPOOL_ARRIVALS);
	put(s, 1, SPOOL_ARRIVALS);
	put(s, 3, SPOOL_RESULTS);
	put(s, 1, SPOOL_RESULTS);
	put(s, 2, SPOOL_RESULTS);
	assert_int_equal(spool_count(s), 5);
	assert_int_equal(spool_rounds(s), 3);
	assert_int_equal(spool_next_seq(s), 4);
	take_expect(s, 1, SPOOL_RESULTS);
	take_expect(s, 1, SPOOL_ARRIVALS);
	take_expect(s, 2, SPOOL_RESULTS);
	/* A document taken and not removed comes back next time. */
	assert_int_equal(spool_take(s, &it), RM_OK);
	assert_int_equal(it.seq, 3);
	spool_done(s, &it, false);
	spool_item_free(&it);
	take_expect(s, 3, SPOOL_RESULTS);
	take_expect(s, 3, SPOOL_ARRIVALS);
	assert_int_equal(spool_take(s, &it), RM_ENOTFOUND);
	assert_int_equal(spool_count(s), 0);
	assert_int_equal(files_named("0000"), 0);
	assert_int_equal(spool_put(s, 9, SPOOL_RESULTS, "{}", 2, &d), RM_OK);
	assert_int_equal(spool_put(s, 9, SPOOL_RESULTS, "{}", 2, &d), RM_EEXIST);
	spool_close(s);
}

/* At most 3 rounds: five rounds of two documents leave the last three and
 * two lost, on disk across a reopen. */
static void test_bound_and_lost(void **state)
{
	struct spool *s;
	struct notes n = { 0 };
	struct rm_diag d;
	uint64_t seq;

	(void)state;
	assert_int_equal(spool_open(dir, 3, on_note, &n, &s, &d), RM_OK);
	for (seq = 1; seq <= 5; seq++) {
		put(s, seq, SPOOL_RESULTS);
		put(s, seq, SPOOL_ARRIVALS);
		assert_true(spool_rounds(s) <= 3);
	}
	assert_int_equal(spool_rounds(s), 3);
	assert_int_equal(spool_count(s), 6);
	assert_int_equal(spool_lost(s), 2);
	assert_int_equal(files_named("0000"), 6);
	assert_int_equal(files_named(".tmp-"), 0);
	assert_int_equal(n.n, 0);
	spool_close(s);

	assert_int_equal(spool_open(dir, 3, on_note, &n, &s, &d), RM_OK);
	assert_int_equal(spool_lost(s), 2);
	assert_int_equal(spool_next_seq(s), 6);
	assert_true(spool_oldest(s, &seq));
	assert_int_equal(seq, 3);
	/* A push said 1 of them: one left to tell, on disk too. */
	assert_int_equal(spool_lost_told(s, 1), RM_OK);
	spool_close(s);
	assert_int_equal(spool_open(dir, 3, on_note, &n, &s, &d), RM_OK);
	assert_int_equal(spool_lost(s), 1);
	spool_close(s);

	/* --spool-max lowered: the oldest rounds go at open. */
	assert_int_equal(spool_open(dir, 1, on_note, &n, &s, &d), RM_OK);
	assert_int_equal(spool_rounds(s), 1);
	assert_int_equal(spool_lost(s), 3);
	take_expect(s, 5, SPOOL_RESULTS);
	spool_close(s);
}

/* The round being pushed is not the one dropped. */
static void test_busy_kept(void **state)
{
	struct spool *s;
	struct rm_diag d;
	struct spool_item it;

	(void)state;
	assert_int_equal(spool_open(dir, 2, NULL, NULL, &s, &d), RM_OK);
	put(s, 1, SPOOL_RESULTS);
	put(s, 2, SPOOL_RESULTS);
	assert_int_equal(spool_take(s, &it), RM_OK);
	assert_int_equal(it.seq, 1);
	put(s, 3, SPOOL_RESULTS);
	assert_int_equal(spool_lost(s), 1);
	assert_int_equal(spool_count(s), 2);
	spool_done(s, &it, true);
	spool_item_free(&it);
	take_expect(s, 3, SPOOL_RESULTS);
	spool_close(s);
}

/* A file cut short, one that is not JSON, and a leftover temporary file: each
 * skipped with a note naming it; the good ones still come out in order. */
static void test_damaged_files(void **state)
{
	struct spool *s;
	struct notes n = { 0 };
	struct rm_diag d;
	struct spool_item it;

	(void)state;
	write_file("00000000000000000001-results.json", "{\"schema\": \"reachmap.results/v1\"}");
	write_file("00000000000000000002-results.json", "{\"schema\": \"reachmap.resu");
	write_file("00000000000000000003-arrivals.json", "\x01\x02 not json");
	write_file("00000000000000000004-results.json", "{\"schema\": \"reachmap.results/v1\"}");
	write_file(".tmp-00000000000000000005-results.json", "{\"sch");
	write_file("notes.txt", "mine");
	write_file("lost", "banana\n");
	assert_int_equal(spool_open(dir, 10, on_note, &n, &s, &d), RM_OK);
	assert_int_equal(files_named(".tmp-"), 0);
	assert_int_equal(spool_lost(s), 0);
	assert_int_equal(spool_count(s), 4);
	assert_int_equal(spool_take(s, &it), RM_OK);
	assert_int_equal(it.seq, 1);
	spool_done(s, &it, true);
	spool_item_free(&it);
	assert_int_equal(spool_take(s, &it), RM_OK);
	assert_int_equal(it.seq, 4);
	spool_done(s, &it, true);
	spool_item_free(&it);
	assert_int_equal(spool_take(s, &it), RM_ENOTFOUND);
	assert_int_equal(spool_lost(s), 2);
	assert_int_equal(files_named("0000"), 0);
	assert_int_equal(files_named("notes.txt"), 1);
	spool_close(s);
	assert_int_equal(n.n, 5);
	assert_non_null(strstr(n.text[0], "/lost: not a count of rounds; counting from 0"));
	/* readdir's order: the three notes of the open in any order. */
	assert_true(strstr(n.text[1], ".tmp-") != NULL || strstr(n.text[2], ".tmp-") != NULL);
	assert_true(strstr(n.text[1], "notes.txt: not a spool document; left alone") != NULL ||
		    strstr(n.text[2], "notes.txt: not a spool document; left alone") != NULL);
	assert_non_null(strstr(n.text[3],
			       "00000000000000000002-results.json: not a whole results "
			       "document (cut short or damaged); skipped, counted lost"));
	assert_non_null(strstr(n.text[4], "00000000000000000003-arrivals.json: not a whole"));
}

static void test_locked(void **state)
{
	struct spool *s, *t;
	struct rm_diag d;

	(void)state;
	assert_int_equal(spool_open(dir, 10, NULL, NULL, &s, &d), RM_OK);
	rm_diag_clear(&d);
	assert_int_equal(spool_open(dir, 10, NULL, NULL, &t, &d), RM_EEXIST);
	assert_non_null(strstr(d.error, ": in use by another reachmap agent"));
	spool_close(s);
	assert_int_equal(spool_open(dir, 10, NULL, NULL, &t, &d), RM_OK);
	spool_close(t);
}

static void test_unwritable(void **state)
{
	struct spool *s;
	struct rm_diag d;

	(void)state;
	rm_diag_clear(&d);
	write_file("plain", "a file, not a directory");
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/plain/sub", dir);
		assert_int_equal(spool_open(path, 10, NULL, NULL, &s, &d), RM_EIO);
		assert_non_null(strstr(d.error, "plain/sub: cannot make the spool directory: "));
	}
}

static void test_dir_name(void **state)
{
	char a[128], b[128], c[128];

	(void)state;
	spool_dir_name("http://127.0.0.1:8787", a, sizeof(a));
	spool_dir_name("https://127.0.0.1:8787", b, sizeof(b));
	spool_dir_name("http://127.0.0.1:8787/", c, sizeof(c));
	assert_memory_equal(a, "127.0.0.1_8787-", 15);
	assert_int_equal(strlen(a), 15 + 8);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	spool_dir_name("http://collector.west.svc:80/api/v1?x", a, sizeof(a));
	assert_memory_equal(a, "collector.west.svc_80_api_v1_x-", 31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oldest_first, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_bound_and_lost, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_busy_kept, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_damaged_files, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_locked, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_unwritable, make_dir, remove_dir),
		cmocka_unit_test(test_dir_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

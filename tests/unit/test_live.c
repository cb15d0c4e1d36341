/* The live matrix on a real SQLite file and the lab's recorded documents:
 * the pushed rounds give the findings `analyze` gives for the same files,
 * a retry is stored once, an older round never replaces a newer one, a
 * cell's change is a transition dated by its round, a stale or silent
 * probe is probe-missing, and a restart finds everything where it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>

#include "collector/live.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/file.h"

#define LAB	   REACHMAP_SOURCE_DIR "/tests/fixtures/lab/"
#define NOW	   1796000000000LL /* ms; later than every recorded round */
#define INTERVAL   10000
#define MAX_FILES  32
#define DOC_EAST_B "results-east-b-0.json"

struct fixture {
	char dir[64], db[96];
	struct rm_topology *topo;
	struct store *store;
	struct live *live;
	struct rm_diag d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/reachmap-live-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/reachmap.db", f->dir);
	*state = f;
	return 0;
}

static void close_live(struct fixture *f)
{
	live_free(f->live);
	f->live = NULL;
	if (f->store != NULL)
		f->store->ops->close(f->store);
	f->store = NULL;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];

	close_live(f);
	topo_free(f->topo);
	snprintf(p, sizeof(p), "rm -rf '%s'", f->dir);
	if (system(p) != 0)
		return -1;
	free(f);
	return 0;
}

static void open_live(struct fixture *f, const char *scenario, int64_t now)
{
	char path[256];
	struct live_opts o = { .interval_ms = INTERVAL };

	if (f->topo == NULL) {
		snprintf(path, sizeof(path), LAB "%s/topology.yaml", scenario);
		assert_int_equal(topo_load_file(path, &f->topo, &f->d), RM_OK);
	}
	assert_int_equal(store_sqlite.open(f->db, &(struct store_opts){ 0 }, &f->store, &f->d),
			 RM_OK);
	assert_int_equal(live_new(f->topo, f->store, &o, now, &f->live, &f->d), RM_OK);
}

/* Not inlined: GCC 12 then takes the text for a pointer to slurp's local. */
static __attribute__((noinline)) char *slurp(const char *scenario, const char *file, size_t *len)
{
	char path[256], *buf = NULL;

	snprintf(path, sizeof(path), LAB "%s/%s", scenario, file);
	assert_int_equal(rm_file_read(path, 1 << 24, &buf, len), RM_OK);
	return buf;
}

static int push(struct fixture *f, const char *text, size_t len, int64_t now,
		struct live_ingest_info *info)
{
	rm_diag_clear(&f->d);
	return live_ingest(f->live, text, len, text, len, false, now, info, &f->d);
}

static void push_file(struct fixture *f, const char *scenario, const char *file, int64_t now)
{
	struct live_ingest_info info;
	size_t len;
	char *text = slurp(scenario, file, &len);

	assert_int_equal(push(f, text, len, now, &info), RM_OK);
	assert_true(info.stored);
	rm_free(text);
}

/* The documents of a scenario, sorted, pushed at `now`. */
static size_t push_scenario(struct fixture *f, const char *scenario, int64_t now,
			    char names[MAX_FILES][64])
{
	char path[256];
	struct dirent **ents;
	int i, n;
	size_t k = 0;

	snprintf(path, sizeof(path), LAB "%s", scenario);
	n = scandir(path, &ents, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (strstr(ents[i]->d_name, ".json") != NULL && k < MAX_FILES) {
			push_file(f, scenario, ents[i]->d_name, now);
			snprintf(names[k++], 64, "%.63s", ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	return k;
}

static char *report(struct fixture *f, const char *format, int64_t now)
{
	char *out = NULL;
	size_t len;

	assert_int_equal(live_report(f->live, format, now, &out, &len, NULL, &f->d), RM_OK);
	assert_int_equal(strlen(out), len);
	return out;
}

/* The text report of analyze over the same files, from its ERRORS line on
 * (the first line names the command's inputs). */
static char *analyze_text(struct fixture *f, const char *scenario, char names[][64], size_t n)
{
	struct rm_results_doc docs[MAX_FILES];
	const struct rm_results_doc *ptrs[MAX_FILES];
	struct rm_report r = { .command = "analyze", .generated = "x", .topo = f->topo };
	char path[256], *buf = NULL;
	size_t i, len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(findings_init(&r.findings), RM_OK);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), LAB "%s/%s", scenario, names[i]);
		assert_int_equal(results_doc_init(&docs[i]), RM_OK);
		assert_int_equal(results_doc_load(path, &docs[i], NULL), RM_OK);
		ptrs[i] = &docs[i];
	}
	assert_int_equal(analyze_round(&r, ptrs, n), RM_OK);
	assert_int_equal(report_find("text")->render(&r, out), RM_OK);
	fclose(out);
	findings_free(&r.findings);
	for (i = 0; i < n; i++)
		results_doc_free(&docs[i]);
	return buf;
}

/* Drops the collector's "      since T" lines, which analyze has not. */
static void drop_since(char *s)
{
	size_t r = 0, w = 0;

	while (s[r] != '\0') {
		size_t end = r + strcspn(s + r, "\n");

		if (strncmp(s + r, "      since ", 12) != 0) {
			memmove(s + w, s + r, end - r + (s[end] == '\n'));
			w += end - r + (s[end] == '\n');
		}
		r = end + (s[end] == '\n');
	}
	s[w] = '\0';
}

static void test_same_findings_as_analyze(void **state)
{
	static const char *const scenarios[] = { "firewall-drop", "multi-fault", "clean" };
	struct fixture *f = *state;
	char names[MAX_FILES][64], *live_text, *want;
	size_t i, n;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		close_live(f);
		topo_free(f->topo);
		f->topo = NULL;
		unlink(f->db);
		open_live(f, scenarios[i], NOW);
		n = push_scenario(f, scenarios[i], NOW, names);
		live_text = report(f, "text", NOW + 1);
		want = analyze_text(f, scenarios[i], names, n);
		assert_non_null(strstr(live_text, i < 2 ? "\n      since 2026-11-" : "PASS"));
		drop_since(live_text);
		/* Past the first line: the same findings, matrix and verdict. */
		assert_string_equal(strchr(live_text, '\n'), strchr(want, '\n'));
		rm_free(live_text);
		free(want);
	}
}

static void test_retry_stored_once(void **state)
{
	struct fixture *f = *state;
	struct live_ingest_info info;
	size_t len;
	char *text = slurp("firewall-drop", DOC_EAST_B, &len);

	open_live(f, "firewall-drop", NOW);
	assert_int_equal(push(f, text, len, NOW, &info), RM_OK);
	assert_true(info.stored);
	assert_false(info.outdated);
	assert_string_equal(info.probe, "east-b-0");
	assert_true(info.results > 0);
	/* Every cell is new; the unhealthy ones are transitions (4 tcp/7000
	 * filtered, 4 path timeouts). */
	assert_int_equal(info.transitions, 8);
	assert_int_equal(push(f, text, len, NOW + 5, &info), RM_OK);
	assert_false(info.stored);
	assert_int_equal(info.transitions, 0);
	rm_free(text);
}

/* The same round with its started time and one status edited. */
static char *edited(const char *text, const char *started, const char *from, const char *to)
{
	char *s = rm_strdup(text), *p;

	assert_non_null(s);
	p = strstr(s, "\"started\": \"");
	assert_non_null(p);
	memcpy(p + 12, started, 20);
	if (from != NULL) {
		p = strstr(s, from);
		assert_non_null(p);
		assert_int_equal(strlen(from), strlen(to));
		memcpy(p, to, strlen(to));
	}
	return s;
}

/* The round with its "started" replaced by any text. */
static char *with_started(const char *text, const char *started)
{
	const char *p = strstr(text, "\"started\": \"");
	size_t n = strlen(text) + strlen(started) + 1;
	char *s = rm_malloc(n);

	assert_non_null(p);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(p - text) + 12, text, started, p + 12 + 20);
	return s;
}

static void test_transition_and_since(void **state)
{
	struct fixture *f = *state;
	struct live_ingest_info info;
	size_t len;
	char *text = slurp("firewall-drop", DOC_EAST_B, &len), *next, *old, *out;

	open_live(f, "firewall-drop", NOW);
	assert_int_equal(push(f, text, len, NOW, &info), RM_OK);
	/* A later round where one filtered cell is rejected (a word of the
	 * same length keeps the document's layout). */
	next = edited(text, "2026-11-24T11:20:00Z", "\"filtered\"", "\"rejected\"");
	assert_int_equal(push(f, next, strlen(next), NOW + 10000, &info), RM_OK);
	assert_true(info.stored);
	assert_int_equal(info.transitions, 1);
	/* An older round is stored, but does not replace the newer one. */
	old = edited(text, "2026-11-24T11:00:00Z", NULL, NULL);
	assert_int_equal(push(f, old, strlen(old), NOW + 11000, &info), RM_OK);
	assert_true(info.stored);
	assert_true(info.outdated);
	assert_int_equal(info.transitions, 0);
	assert_int_equal(live_history(f->live, "east-b-0", NULL, 0, NOW + 60000, &out, &len, &f->d),
			 RM_OK);
	/* The change is dated by its round's start. */
	assert_non_null(strstr(out, "\"old\": \"filtered\",\n      \"new\": \"rejected\",\n"
				    "      \"at\": \"2026-11-24T11:20:00Z\""));
	rm_free(out);
	out = report(f, "json", NOW + 12000);
	/* filtered -> rejected: still failing since the first round, not
	 * since the change; every since is the first round's. */
	assert_non_null(strstr(out, "\"since\": \"2026-11-24T11:12:51Z\""));
	assert_null(strstr(out, "\"since\": \"2026-11-24T11:20:00Z\""));
	rm_free(out);
	rm_free(text);
	rm_free(next);
	rm_free(old);
}

/* A round's start is its identity in one form: a start written with a
 * one-digit second is the same round; a start from a clock far ahead is
 * refused, never allowed to hold the newest slot. */
static void test_started_canonical(void **state)
{
	struct fixture *f = *state;
	struct live_ingest_info info;
	size_t len;
	char *text = slurp("firewall-drop", DOC_EAST_B, &len), *a, *b, *ahead;

	open_live(f, "firewall-drop", NOW);
	a = edited(text, "2026-11-24T11:40:00Z", NULL, NULL);
	b = with_started(text, "2026-11-24T11:40:0Z");
	assert_int_equal(push(f, a, strlen(a), NOW, &info), RM_OK);
	assert_true(info.stored);
	assert_int_equal(push(f, b, strlen(b), NOW, &info), RM_OK);
	assert_false(info.stored);
	ahead = edited(text, "2027-01-01T00:00:00Z", NULL, NULL);
	assert_int_equal(push(f, ahead, strlen(ahead), NOW, &info), RM_EPARSE);
	assert_string_equal(f->d.error, "body: started: 2027-01-01T00:00:00Z is 2761600 s ahead of "
					"the collector's clock; the probe's clock is wrong (NTP)");
	rm_free(a);
	rm_free(b);
	rm_free(ahead);
	rm_free(text);
}

/* RFC 3339 lets "started" carry a fraction of a second: the round is the
 * whole second's (a time cut at 20 bytes once made it unreadable). */
static void test_fractional_started(void **state)
{
	struct fixture *f = *state;
	struct live_ingest_info info;
	size_t len;
	char *text = slurp("firewall-drop", DOC_EAST_B, &len), *frac;

	open_live(f, "firewall-drop", NOW);
	frac = with_started(text, "2026-11-24T11:30:00.250Z");
	assert_int_equal(push(f, frac, strlen(frac), NOW, &info), RM_OK);
	assert_true(info.stored);
	/* The same second again is the same round. */
	assert_int_equal(push(f, frac, strlen(frac), NOW + 1, &info), RM_OK);
	assert_false(info.stored);
	rm_free(frac);
	rm_free(text);
}

static void test_unknown_probe_refused(void **state)
{
	static const char reg[] = "{\"schema\": \"reachmap.register/v1\", \"name\": \"zast-b-0\","
				  " \"cluster\": \"east\", \"addresses\": [\"10.250.1.99\"]}";
	struct fixture *f = *state;
	struct live_ingest_info info;
	size_t len;
	char *text = slurp("firewall-drop", DOC_EAST_B, &len), *p;

	open_live(f, "firewall-drop", NOW);
	p = strstr(text, "\"east-b-0\"");
	assert_non_null(p);
	p[1] = 'z';
	assert_int_equal(push(f, text, len, NOW, &info), RM_ENOTFOUND);
	assert_string_equal(f->d.error, "probe zast-b-0 is neither in the topology (" LAB
					"firewall-drop/topology.yaml) nor registered (POST "
					"/v1/register)");
	assert_int_equal(push(f, "{\"schema\": 1}", 13, NOW, &info), RM_EPARSE);
	assert_string_equal(f->d.error, "body: \"schema\" must be a string");
	/* Registered, it may push. */
	assert_int_equal(live_register(f->live, reg, strlen(reg), NOW, &f->d), RM_OK);
	assert_int_equal(push(f, text, len, NOW, &info), RM_OK);
	assert_true(info.stored);
	rm_free(text);
}

static void test_register_errors(void **state)
{
	static const struct {
		const char *body, *error;
		int rc;
	} cases[] = {
		{ "[", "body: not valid JSON", RM_EPARSE },
		{ "{\"schema\": \"reachmap.register/v1\", \"cluster\": \"east\"}",
		  "body: name: missing", RM_EPARSE },
		{ "{\"schema\": \"reachmap.register/v1\", \"name\": \"n\", \"cluster\": \"east\","
		  " \"addresses\": [\"10.1.1\"]}",
		  "body: addresses[0]: not an IPv4 or IPv6 address", RM_EPARSE },
		{ "{\"schema\": \"reachmap.register/v1\", \"name\": \"n\", \"cluster\": \"mars\","
		  " \"addresses\": [\"10.1.1.1\"]}",
		  "cluster mars is not in the topology (" LAB "firewall-drop/topology.yaml)",
		  RM_ENOTFOUND },
		{ "{\"schema\": \"reachmap.register/v1\", \"name\": \"east-b-0\", \"cluster\": "
		  "\"west\", \"addresses\": [\"10.1.1.1\"]}",
		  "east-b-0 belongs to cluster east in the topology, not west", RM_ENOTFOUND },
	};
	struct fixture *f = *state;
	size_t i;

	open_live(f, "firewall-drop", NOW);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rm_diag_clear(&f->d);
		assert_int_equal(
		    live_register(f->live, cases[i].body, strlen(cases[i].body), NOW, &f->d),
		    cases[i].rc);
		assert_string_equal(f->d.error, cases[i].error);
	}
}

static void test_stale_and_silent_probes_missing(void **state)
{
	struct fixture *f = *state;
	char *out;

	open_live(f, "firewall-drop", NOW);
	push_file(f, "firewall-drop", DOC_EAST_B, NOW);
	out = report(f, "text", NOW + 1000);
	assert_non_null(strstr(out,
			       "[probe-missing] probe west-a-0 of west has sent no round since "
			       "the collector started at "));
	assert_null(strstr(out, "[probe-missing] probe east-b-0"));
	rm_free(out);
	/* Three intervals later east-b-0's round is stale. */
	out = report(f, "text", NOW + 3 * INTERVAL);
	assert_non_null(strstr(out, "[probe-missing] probe east-b-0 of east: its last round "
				    "arrived at "));
	assert_non_null(strstr(out, ", more than three intervals (30 s) ago"));
	assert_non_null(strstr(out, "FAIL"));
	rm_free(out);
}

static void test_restart_restores(void **state)
{
	struct fixture *f = *state;
	char names[MAX_FILES][64], *before, *after;

	open_live(f, "firewall-drop", NOW);
	push_scenario(f, "firewall-drop", NOW, names);
	before = report(f, "json", NOW + 1000);
	close_live(f);
	open_live(f, "firewall-drop", NOW + 2000);
	after = report(f, "json", NOW + 1000);
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "\"since\""));
	rm_free(before);
	rm_free(after);
}

static void test_cache(void **state)
{
	struct fixture *f = *state;
	char *a, *b;

	open_live(f, "firewall-drop", NOW);
	push_file(f, "firewall-drop", DOC_EAST_B, NOW);
	a = report(f, "json", NOW + 100);
	/* A push within the second: the cached report still answers. */
	push_file(f, "firewall-drop", "results-west-a-0.json", NOW + 200);
	b = report(f, "json", NOW + 300);
	assert_string_equal(a, b);
	rm_free(b);
	/* After a second, the push shows. */
	b = report(f, "json", NOW + 1200);
	assert_string_not_equal(a, b);
	rm_free(a);
	rm_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_findings_as_analyze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_stored_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_and_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fractional_started, setup, teardown),
		cmocka_unit_test_setup_teardown(test_started_canonical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_probe_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_silent_probes_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* bench/collect: `reachmap collect` under the load of a fleet of agents
 * (issue 12, "Benchmark"). Each probe pushes one round every interval
 * (10 s), the pushes of the fleet spread evenly over it; a round is
 * shaped like bench/analyze's (1,000 destinations x 6 checks, 6,000
 * results, a few cells flapping from round to round), sent gzip-compressed
 * over keep-alive connections as an agent sends it. For each fleet size
 * tried it prints the latency of the 202s (counted from when each push was
 * due), errors, the collector's memory and its database's growth; then the
 * largest fleet it keeps up with, GET /v1/report for the full fleet cold
 * and cached, and, side by side on the same rounds, `reachmap analyze` of
 * them as files and a Prometheus Pushgateway taking the same cells at the
 * same rate. Exit 0 when the goals are met, 1 when not, 2 for a
 * usage error, 3 when the collector cannot be run.
 *
 *   bench-collect REACHMAP [--per N] [--fleets A,B,..] [--duration S]
 *                 [--interval S] [--retain N] [--conns N] [--budget S]
 *                 [--pgw-duration S] [--no-compare] [--write-round FILE]
 *
 * A benchmark, not a test: it measures this machine, shared or not. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect_gen.h"
#include "collect_load.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

#define GOAL_FLEET     1000
#define GOAL_P99_MS    250.0
#define GOAL_COLD_MS   1500.0
#define GOAL_CACHED_MS 20.0
#define GOAL_RSS_MIB   2048.0
#define MAX_FLEETS     16
#define WAIT_MAX_MS    1000.0 /* a due push waiting longer for a connection is a backlog */

struct opts {
	const char *reachmap, *write_round;
	unsigned per, retain, conns, nfleets;
	unsigned fleets[MAX_FLEETS];
	double duration_s, interval_s, budget_s, pgw_s;
	bool compare;
};

struct row {
	unsigned fleet;
	bool ran, keeps;
	char skipped[80];
	struct load_res r;
};

struct reportfig {
	bool ran, idle;
	double cold_ms, cached_ms;
	size_t bytes, missing;
	long code;
};

struct cmp {
	bool analyze_ran, pgw_ran;
	char pgw_why[120];
	double analyze_s, analyze_mib, json_mib;
	int analyze_exit;
	struct load_res pgw;
};

struct bench {
	struct opts o;
	struct gen g;
	char dir[64];
	double t0;
	struct row rows[MAX_FLEETS];
	struct reportfig rep;
	struct cmp cmp;
};

struct push_ctx {
	struct gen *g;
	char base[64];
};

static int push_collector(void *ctx, unsigned k, unsigned round, time_t started,
			  struct gen_buf *body, char *url, size_t urllen)
{
	struct push_ctx *p = ctx;

	snprintf(url, urllen, "%s/v1/results", p->base);
	return gen_round_gzip(p->g, k, round, started, body);
}

static int push_pgw(void *ctx, unsigned k, unsigned round, time_t started, struct gen_buf *body,
		    char *url, size_t urllen)
{
	struct push_ctx *p = ctx;
	char name[32];

	(void)started;
	gen_probe_name(k, name, sizeof(name));
	snprintf(url, urllen, "%s/metrics/job/reachmap/probe/%s", p->base, name);
	return gen_round_prom(p->g, k, round, body);
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");
	int rc = RM_OK;

	if (f == NULL)
		return RM_EIO;
	if (fwrite(p, 1, n, f) != n)
		rc = RM_EIO;
	if (fclose(f) != 0)
		rc = RM_EIO;
	return rc;
}

/* The topology of a fleet of n probes (and of the destinations). */
static int write_topology(struct bench *b, unsigned n, char *path, size_t len)
{
	struct gen_buf t = { 0 };
	int rc;

	snprintf(path, len, "%s/topology-%u.yaml", b->dir, n);
	rc = gen_topology(&b->g, (n + GEN_CLUSTERS - 1) / GEN_CLUSTERS, &t);
	if (rc == RM_OK)
		rc = write_file(path, t.p, t.n);
	gen_buf_free(&t);
	return rc;
}

static double mib(unsigned long kib)
{
	return (double)kib / 1024.0;
}

/* A round of probe 0 whose flapping cells differ from round `prev`'s, so
 * that the live report has something to recompute. */
static unsigned changed_round(unsigned prev)
{
	unsigned r = prev + 1;

	while (r < prev + 64 && gen_flap_mask(0, r) == gen_flap_mask(0, prev))
		r++;
	return r;
}

/* GET /v1/report right after a change (the collector analyzes anew) and
 * again at once (from its cache), three times; the worst of each. */
static void measure_report(struct bench *b, struct push_ctx *pc, unsigned last_round)
{
	struct gen_buf body = { 0 }, ans = { 0 };
	char url[128];
	double ms;
	unsigned r = last_round;

	snprintf(url, sizeof(url), "%s/v1/report", pc->base);
	b->rep.ran = true;
	for (int i = 0; i < 3; i++) {
		struct timespec pause = { 1, 200000000 }; /* past the cache's second */
		char push[96];
		long code;

		nanosleep(&pause, NULL);
		r = changed_round(r);
		snprintf(push, sizeof(push), "%s/v1/results", pc->base);
		if (gen_round_gzip(&b->g, 0, r, time(NULL) - 2, &body) != RM_OK ||
		    (code = load_request(push, &body, true, &ms, NULL)) != 202) {
			b->rep.code = -1;
			break;
		}
		ans.n = 0;
		b->rep.code = load_request(url, NULL, false, &ms, &ans);
		if (ms > b->rep.cold_ms)
			b->rep.cold_ms = ms;
		b->rep.bytes = ans.n;
		b->rep.missing = 0;
		for (const char *p = ans.p;
		     p && (p = memmem(p, ans.n - (size_t)(p - ans.p), "probe-missing", 13)) != NULL;
		     p += 13)
			b->rep.missing++;
		(void)load_request(url, NULL, false, &ms, NULL);
		if (ms > b->rep.cached_ms)
			b->rep.cached_ms = ms;
	}
	gen_buf_free(&body);
	gen_buf_free(&ans);
}

static bool keeps_up(const struct load_res *r)
{
	return r->failed == 0 && r->unsent == 0 && r->taken == r->due && r->p99_ms < GOAL_P99_MS &&
	       r->wait_max_ms < WAIT_MAX_MS;
}

/* The collector listens before its store is loaded: /readyz says when it
 * takes pushes. */
static bool wait_ready(const char *base)
{
	struct timespec pause = { 0, 50000000 };
	char url[96];
	double ms, end = load_now() + 60;

	snprintf(url, sizeof(url), "%s/readyz", base);
	while (load_request(url, NULL, false, &ms, NULL) != 200) {
		if (load_now() > end)
			return false;
		nanosleep(&pause, NULL);
	}
	return true;
}

/* One fleet size against a fresh collector on a fresh database. */
static int run_fleet(struct bench *b, struct row *row)
{
	char topo[128], db[128], log[128], listen[] = "127.0.0.1:0", iv[32], ret[32];
	struct push_ctx pc = { .g = &b->g };
	struct load_cfg c = { 0 };
	unsigned long rss, hwm;
	unsigned port;
	pid_t pid;
	int rc;

	if (write_topology(b, row->fleet, topo, sizeof(topo)) != RM_OK)
		return 3;
	snprintf(db, sizeof(db), "%s/collect-%u.db", b->dir, row->fleet);
	snprintf(log, sizeof(log), "%s/collect-%u.log", b->dir, row->fleet);
	snprintf(iv, sizeof(iv), "%g", b->o.interval_s);
	snprintf(ret, sizeof(ret), "%u", b->o.retain);
	char *argv[] = { (char *)b->o.reachmap,
			 "collect",
			 "--topology",
			 topo,
			 "--listen",
			 listen,
			 "--db",
			 db,
			 "--interval",
			 iv,
			 "--retain",
			 ret,
			 "--quiet",
			 NULL };
	if ((pid = load_spawn(argv, log)) < 0 ||
	    (port = load_wait_port(pid, log, "collect: listening on http://127.0.0.1:", 30)) == 0) {
		fprintf(stderr, "bench/collect: %s collect did not start listening\n",
			b->o.reachmap);
		load_log_tail(log, 2000);
		load_stop(pid, 1);
		return 3;
	}
	snprintf(pc.base, sizeof(pc.base), "http://127.0.0.1:%u", port);
	if (!wait_ready(pc.base)) {
		fprintf(stderr, "bench/collect: the collector never answered /readyz with 200\n");
		load_log_tail(log, 2000);
		load_stop(pid, 5);
		return 3;
	}
	c = (struct load_cfg){ .fleet = row->fleet,
			       .interval_s = b->o.interval_s,
			       .duration_s = b->o.duration_s,
			       .conns = b->o.conns,
			       .expect = 202,
			       .ctype = "application/json",
			       .gzip = true,
			       .body = push_collector,
			       .ctx = &pc,
			       .pid = pid,
			       .db = db,
			       .steady_s = (b->o.retain + 2) * b->o.interval_s };
	rc = load_run(&c, &row->r);
	row->ran = rc == RM_OK;
	row->keeps = row->ran && keeps_up(&row->r);
	if (row->ran && row->fleet == b->o.per * GEN_CLUSTERS) {
		b->rep.idle = load_wait_idle(pid, 90);
		measure_report(b, &pc, (unsigned)(b->o.duration_s / b->o.interval_s));
	}
	load_proc_mem(pid, &rss, &hwm);
	if (hwm > row->r.hwm_kib) /* the report's analysis may be the peak */
		row->r.hwm_kib = hwm;
	load_stop(pid, 10);
	if (rc != RM_OK) {
		fprintf(stderr, "bench/collect: the load generator failed: %s\n", rm_strerror(rc));
		return 3;
	}
	if (row->r.failed > 0)
		load_log_tail(log, 600);
	return 0;
}

/* `reachmap analyze` of the same rounds as files: the one-shot pipeline the
 * collector replaces, for the same fleet. */
static void compare_analyze(struct bench *b)
{
	unsigned n = b->o.per * GEN_CLUSTERS, k;
	size_t argc = 0, bytes = 0;
	char topo[128], log[128], **argv = rm_calloc(n + 10, sizeof(char *));
	struct rusage ru;
	double t0;
	pid_t pid;
	int st = 0;

	if (argv == NULL || write_topology(b, n, topo, sizeof(topo)) != RM_OK)
		goto out;
	snprintf(log, sizeof(log), "%s/analyze.log", b->dir);
	argv[argc++] = (char *)b->o.reachmap;
	argv[argc++] = "analyze";
	argv[argc++] = "--topology";
	argv[argc++] = topo;
	argv[argc++] = "--format";
	argv[argc++] = "json";
	argv[argc++] = "-o";
	argv[argc++] = "/dev/null";
	for (k = 0; k < n; k++) {
		char path[128];
		FILE *f;
		int rc;

		snprintf(path, sizeof(path), "%s/round-%04u.json", b->dir, k);
		if ((argv[argc] = rm_strdup(path)) == NULL || (f = fopen(path, "w")) == NULL)
			goto out;
		argc++;
		rc = gen_round_json(&b->g, k, 0, time(NULL) - 2, f);
		bytes += (size_t)ftell(f);
		if (fclose(f) != 0 || rc != RM_OK)
			goto out;
	}
	t0 = load_now();
	if ((pid = load_spawn(argv, log)) < 0 || wait4(pid, &st, 0, &ru) != pid)
		goto out;
	b->cmp.analyze_s = load_now() - t0;
	b->cmp.analyze_ran = true;
	b->cmp.analyze_mib = (double)ru.ru_maxrss / 1024.0;
	b->cmp.json_mib = (double)bytes / 1048576.0;
	b->cmp.analyze_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (b->cmp.analyze_exit > 1)
		load_log_tail(log, 600);
out:
	for (size_t i = 8; argv != NULL && i < argc; i++) {
		unlink(argv[i]);
		rm_free(argv[i]);
	}
	rm_free(argv);
}

static const char *find_pgw(char *buf, size_t len)
{
	const char *path = getenv("PATH");

	for (const char *p = path ? path : "/usr/bin"; p && *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, len, "%.*s/prometheus-pushgateway", (int)n, p);
		if (access(buf, X_OK) == 0)
			return buf;
		p = p[n] ? p + n + 1 : NULL;
	}
	return NULL;
}

/* A free port on 127.0.0.1 for a server that cannot be told to pick one. */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* The Pushgateway taking the same fleet's cells at the same rate. */
static void compare_pgw(struct bench *b)
{
	char bin[512], listen[64], persist[160], log[128], ready[96];
	struct push_ctx pc = { .g = &b->g };
	unsigned port = free_port();
	double ms, end;
	pid_t pid;

	if (find_pgw(bin, sizeof(bin)) == NULL) {
		snprintf(b->cmp.pgw_why, sizeof(b->cmp.pgw_why),
			 "prometheus-pushgateway is not installed (make deps)");
		return;
	}
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%u", port);
	snprintf(persist, sizeof(persist), "--persistence.file=%s/pushgateway.data", b->dir);
	snprintf(log, sizeof(log), "%s/pushgateway.log", b->dir);
	snprintf(pc.base, sizeof(pc.base), "http://127.0.0.1:%u", port);
	snprintf(ready, sizeof(ready), "%s/-/ready", pc.base);
	/* Its fastest mode: by default every push is checked against every
	 * series stored, a cost that grows with the fleet (seconds a push at a
	 * tenth of this size). */
	char *argv[] = { bin, listen, persist, "--push.disable-consistency-check", NULL };
	if (port == 0 || (pid = load_spawn(argv, log)) < 0) {
		snprintf(b->cmp.pgw_why, sizeof(b->cmp.pgw_why), "it could not be started");
		return;
	}
	for (end = load_now() + 20; load_request(ready, NULL, false, &ms, NULL) != 200;) {
		struct timespec pause = { 0, 100000000 };

		if (load_now() > end) {
			snprintf(b->cmp.pgw_why, sizeof(b->cmp.pgw_why), "it never got ready");
			load_log_tail(log, 600);
			load_stop(pid, 5);
			return;
		}
		nanosleep(&pause, NULL);
	}
	struct load_cfg c = { .fleet = b->o.per * GEN_CLUSTERS,
			      .interval_s = b->o.interval_s,
			      .duration_s =
				  b->o.pgw_s < b->o.duration_s ? b->o.pgw_s : b->o.duration_s,
			      .conns = b->o.conns,
			      .rss_limit_kib = 4ul << 20, /* the machine is shared */
			      .put = true,
			      .ctype = "text/plain; version=0.0.4",
			      .body = push_pgw,
			      .ctx = &pc,
			      .pid = pid };
	b->cmp.pgw_ran = load_run(&c, &b->cmp.pgw) == RM_OK;
	load_stop(pid, 15);
}

static const char *met(bool ok)
{
	return ok ? "met" : "NOT met";
}

/* "2.3x faster" from the side of the first of two times. */
static void ratio(const char *what, const char *a, double am, const char *bname, double bm)
{
	if (am <= 0 || bm <= 0)
		return;
	if (am <= bm)
		printf("    %s: %s is %.1fx faster (%.1f vs %.1f ms)\n", what, a, bm / am, am, bm);
	else
		printf("    %s: %s is %.1fx faster (%.1f vs %.1f ms)\n", what, bname, am / bm, bm,
		       am);
}

static void print_rows(const struct bench *b)
{
	printf("  %5s %8s %9s %6s %6s %6s %7s %7s %7s %8s %7s %7s %7s %7s %8s  %s\n", "fleet",
	       "rounds/s", "results/s", "pushes", "202", "failed", "p50 ms", "p99 ms", "max ms",
	       "1st p99", "wait ms", "RSS MiB", "HWM MiB", "db MiB", "db MiB/h", "keeps up");
	for (unsigned i = 0; i < b->o.nfleets; i++) {
		const struct row *w = &b->rows[i];
		const struct load_res *r = &w->r;
		double rate = w->fleet / b->o.interval_s;

		if (!w->ran) {
			printf("  %5u  not run: %s\n", w->fleet, w->skipped);
			continue;
		}
		printf("  %5u %8.1f %9.0f %6zu %6zu %6zu %7.1f %7.1f %7.1f %8.1f %7.1f %7.0f %7.0f "
		       "%7.1f ",
		       w->fleet, rate, rate * 6.0 * b->o.per * GEN_CLUSTERS, r->due, r->taken,
		       r->failed + r->unsent, r->p50_ms, r->p99_ms, r->max_ms, r->first_p99_ms,
		       r->wait_max_ms, mib(r->rss_max_kib), mib(r->hwm_kib),
		       r->db_end_bytes / 1048576.0);
		if (r->db_per_hour >= 0)
			printf("%8.0f", r->db_per_hour / 1048576.0);
		else
			printf("%8s", "n/a");
		printf("  %s", w->keeps ? "yes" : "NO");
		if (r->first_code != 0 || r->first_error[0] != '\0')
			printf(" (first failure: %ld %s)", r->first_code, r->first_error);
		printf("\n");
	}
}

static void print_compare(const struct bench *b, const struct row *goal)
{
	const struct cmp *c = &b->cmp;
	unsigned n = b->o.per * GEN_CLUSTERS;

	if (!b->o.compare)
		return;
	printf("side by side, the same %u probes' rounds:\n", n);
	if (c->analyze_ran) {
		printf("  reachmap analyze of one round of each probe as files (%.0f MiB of JSON), "
		       "read and analyzed in one run: %.2f s, peak %.0f MiB, exit %d\n",
		       c->json_mib, c->analyze_s, c->analyze_mib, c->analyze_exit);
		printf("    it does at once what the collector spreads over the interval (reading "
		       "each round as it is pushed) plus what GET /v1/report does; so:\n");
		if (b->rep.ran && b->rep.code == 200) {
			ratio("a fresh verdict", "GET /v1/report (cold)", b->rep.cold_ms, "analyze",
			      c->analyze_s * 1e3);
			ratio("a repeated verdict", "GET /v1/report (cached)", b->rep.cached_ms,
			      "analyze", c->analyze_s * 1e3);
		}
		if (goal != NULL && goal->ran)
			printf(
			    "    per round: analyze %.1f ms of one run's time; the collector's p50 "
			    "from due to 202 %.1f ms (parse, diff, commit to disk)\n",
			    c->analyze_s * 1e3 / n, goal->r.p50_ms);
	}
	if (!c->pgw_ran) {
		printf("  Prometheus Pushgateway: not run: %s\n", c->pgw_why);
		return;
	}
	printf("  Prometheus Pushgateway, %u probes at %g s, the same cells as Prometheus text "
	       "(a reachmap_cell_status gauge a cell, %.0f kB a push, not compressed), PUT per "
	       "probe group: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %zu of %zu taken, RSS peak "
	       "%.0f MiB\n",
	       n, b->o.interval_s, (double)c->pgw.body_bytes / 1024.0, c->pgw.p50_ms, c->pgw.p99_ms,
	       c->pgw.max_ms, c->pgw.taken, c->pgw.due, mib(c->pgw.rss_max_kib));
	if (c->pgw.over_rss)
		printf("    stopped early: its RSS passed 4 GiB\n");
	else if (!keeps_up(&c->pgw))
		printf(
		    "    it does NOT keep up at this rate (%zu failed or unsent; first: %ld %s)\n",
		    c->pgw.failed + c->pgw.unsent, c->pgw.first_code, c->pgw.first_error);
	printf("    run with --push.disable-consistency-check, its fastest mode; not the same "
	       "work: the Pushgateway keeps the last value of each series in "
	       "memory (persisted every 5 min) and does no analysis, no history, no "
	       "transitions; the collector's 202 means parsed, diffed and committed to SQLite\n");
	if (goal != NULL && goal->ran) {
		ratio("p50 of a push", "the collector", goal->r.p50_ms, "the Pushgateway",
		      c->pgw.p50_ms);
		ratio("p99 of a push", "the collector", goal->r.p99_ms, "the Pushgateway",
		      c->pgw.p99_ms);
	}
}

/* The table and the verdict against the goals: exit 0 or 1. */
static int print_summary(const struct bench *b)
{
	const struct row *goal = NULL;
	unsigned largest = 0, n = b->o.per * GEN_CLUSTERS;
	double hwm = 0;
	bool ok;

	print_rows(b);
	for (unsigned i = 0; i < b->o.nfleets; i++) {
		const struct row *w = &b->rows[i];

		if (w->keeps && w->fleet > largest)
			largest = w->fleet;
		if (w->fleet == n && w->ran)
			goal = w;
		if (mib(w->r.hwm_kib) > hwm)
			hwm = mib(w->r.hwm_kib);
	}
	printf("largest fleet kept up with at %g s: %u probes (goal >= %u: %s)\n", b->o.interval_s,
	       largest, GOAL_FLEET, met(largest >= GOAL_FLEET));
	ok = largest >= GOAL_FLEET;
	if (b->rep.ran && b->rep.code == 200) {
		printf("GET /v1/report at %u probes (after %g s of pushes): cold %.0f ms (goal < "
		       "%.0f ms: %s), cached %.1f ms (goal < %.0f ms: %s); %zu bytes, %zu "
		       "probe-missing\n",
		       n, b->o.duration_s, b->rep.cold_ms, GOAL_COLD_MS,
		       met(b->rep.cold_ms < GOAL_COLD_MS), b->rep.cached_ms, GOAL_CACHED_MS,
		       met(b->rep.cached_ms < GOAL_CACHED_MS), b->rep.bytes, b->rep.missing);
		printf("  measured once the collector %s; the report holds the probes whose rounds "
		       "it took (probe-missing counts the others)\n",
		       b->rep.idle ? "was idle again" : "was STILL busy after 90 s");
		ok = ok && b->rep.cold_ms < GOAL_COLD_MS && b->rep.cached_ms < GOAL_CACHED_MS;
	} else {
		printf("GET /v1/report at %u probes: NOT measured (%s)\n", n,
		       b->rep.ran ? "the push or the report failed" : "that fleet did not run");
		ok = false;
	}
	printf("collector peak RSS (VmHWM) %.0f MiB (goal < %.0f MiB: %s)\n", hwm, GOAL_RSS_MIB,
	       met(hwm > 0 && hwm < GOAL_RSS_MIB));
	ok = ok && hwm > 0 && hwm < GOAL_RSS_MIB;
	if (n != GOAL_FLEET)
		printf("(the goals are for %u probes; this run's rounds have %u destinations)\n",
		       GOAL_FLEET, n);
	print_compare(b, goal);
	printf("bench/collect: goals %s\n", ok ? "met" : "NOT met");
	return ok ? 0 : 1;
}

static int parse_fleets(struct opts *o, const char *s)
{
	char *end;

	o->nfleets = 0;
	while (*s != '\0' && o->nfleets < MAX_FLEETS) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < 5 || v > 20000 || (*end != ',' && *end != '\0'))
			return RM_EINVAL;
		o->fleets[o->nfleets++] = (unsigned)v;
		s = *end == ',' ? end + 1 : end;
	}
	/* Smallest first: a fleet too large to keep up with ends the search. */
	for (unsigned i = 1; i < o->nfleets; i++)
		for (unsigned j = i; j > 0 && o->fleets[j - 1] > o->fleets[j]; j--) {
			unsigned t = o->fleets[j];

			o->fleets[j] = o->fleets[j - 1];
			o->fleets[j - 1] = t;
		}
	return o->nfleets > 0 && *s == '\0' ? RM_OK : RM_EINVAL;
}

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: bench-collect REACHMAP [--per N] [--fleets A,B,..] [--duration S]\n"
	    "                     [--interval S] [--retain N] [--conns N] [--budget S]\n"
	    "                     [--no-compare] [--write-round FILE]\n"
	    "  --per N          destinations per cluster, 5 clusters (default 200: 1,000)\n"
	    "  --fleets LIST    fleet sizes to try (default 250,500,1000,1500,2000)\n"
	    "  --duration S     seconds of pushes per fleet size (default 60)\n"
	    "  --interval S     each probe's push interval (default 10)\n"
	    "  --retain N       the collector's --retain (default 2)\n"
	    "  --conns N        keep-alive connections at most (default 64)\n"
	    "  --budget S       stop trying fleet sizes past this many seconds (default 480)\n"
	    "  --no-compare     skip reachmap analyze and the Pushgateway\n"
	    "  --write-round F  write probe 0's first round, as pushed (gzip), to F and exit\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	/* The numbers first, in the order of u[] and d[]. */
	static const struct option lo[] = { { "per", required_argument, NULL, 0 },
					    { "retain", required_argument, NULL, 0 },
					    { "conns", required_argument, NULL, 0 },
					    { "duration", required_argument, NULL, 0 },
					    { "interval", required_argument, NULL, 0 },
					    { "budget", required_argument, NULL, 0 },
					    { "pgw-duration", required_argument, NULL, 0 },
					    { "fleets", required_argument, NULL, 'f' },
					    { "no-compare", no_argument, NULL, 'n' },
					    { "write-round", required_argument, NULL, 'w' },
					    { NULL, 0, NULL, 0 } };
	unsigned *u[] = { &o->per, &o->retain, &o->conns };
	double *d[] = { &o->duration_s, &o->interval_s, &o->budget_s, &o->pgw_s };
	int ch, li = 0;

	*o = (struct opts){ .per = 200,
			    .retain = 2,
			    .conns = 64,
			    .duration_s = 60,
			    .interval_s = 10,
			    .budget_s = 480,
			    .pgw_s = 20,
			    .compare = true };
	(void)parse_fleets(o, "250,500,1000,1500,2000");
	while ((ch = getopt_long(argc, argv, "", lo, &li)) != -1) {
		if (ch == 0 && li < 3)
			*u[li] = (unsigned)strtoul(optarg, NULL, 10);
		else if (ch == 0)
			*d[li - 3] = strtod(optarg, NULL);
		else if (ch == 'n')
			o->compare = false;
		else if (ch == 'w')
			o->write_round = optarg;
		else if (ch != 'f' || parse_fleets(o, optarg) != RM_OK)
			return usage();
	}
	if (optind + 1 != argc || o->per < 1 || o->per > 2000 || o->duration_s < 1 ||
	    o->duration_s > 600 || o->interval_s < 1 || o->interval_s > 60 || o->conns < 1 ||
	    o->conns > 1024 || o->retain < 1 || o->pgw_s < 1)
		return usage();
	o->reachmap = argv[optind];
	return 0;
}

/* The temporary directory is this program's (mkdtemp): all of it goes. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	if (rmdir(dir) != 0)
		fprintf(stderr, "bench/collect: %s left behind: %s\n", dir, strerror(errno));
}

static void print_header(const struct bench *b)
{
	struct gen_buf body = { 0 };
	const struct gen_mid *m = &b->g.mid[0][0];

	(void)gen_round_gzip((struct gen *)&b->g, 0, 0, time(NULL), &body);
	printf("bench/collect: %s collect on 127.0.0.1, %ld CPUs; each probe pushes a round "
	       "every %g s, the fleet's pushes spread evenly; %g s of pushes per fleet size, "
	       "%u keep-alive connections, --retain %u\n",
	       b->o.reachmap, sysconf(_SC_NPROCESSORS_ONLN), b->o.interval_s, b->o.duration_s,
	       b->o.conns, b->o.retain);
	printf("  p50/p99/max: rounds after each probe's first; 1st p99: first rounds, every "
	       "cell new to the collector; keeps up: every push 202, p99 < %.0f ms, no push "
	       "waiting %.0f ms for a connection\n",
	       GOAL_P99_MS, WAIT_MAX_MS);
	printf("  db MiB/h: the growth of the db and its WAL from when every probe has --retain "
	       "rounds stored and the collector has pruned once (it prunes every interval) to "
	       "the end, per hour\n");
	printf("  a round: %u destinations x 6 checks = %u results (%d tcp/7000 cells flapping "
	       "between rounds), %.0f kB of JSON, %.0f kB gzip; latency counts from when a push "
	       "was due to its 202\n",
	       b->o.per * GEN_CLUSTERS, b->o.per * GEN_CLUSTERS * 6, GEN_FLAPPY,
	       (double)m->json.n / 1024.0, (double)body.n / 1024.0);
	gen_buf_free(&body);
	fflush(stdout);
}

static int run_all(struct bench *b)
{
	bool behind = false;

	for (unsigned i = 0; i < b->o.nfleets; i++) {
		struct row *w = &b->rows[i];
		bool goal = b->o.fleets[i] == b->o.per * GEN_CLUSTERS;
		int rc;

		w->fleet = b->o.fleets[i];
		if (behind && !goal) {
			snprintf(w->skipped, sizeof(w->skipped), "a smaller fleet did not keep up");
			continue;
		}
		if (load_now() - b->t0 + b->o.duration_s + 30 > b->o.budget_s) {
			snprintf(w->skipped, sizeof(w->skipped), "past the --budget of %g s",
				 b->o.budget_s);
			continue;
		}
		fprintf(stderr, "bench/collect: %u probes for %g s...\n", w->fleet,
			b->o.duration_s);
		if ((rc = run_fleet(b, w)) != 0)
			return rc;
		behind = behind || !w->keeps;
		if (goal && b->o.compare) {
			fprintf(stderr, "bench/collect: reachmap analyze and the Pushgateway...\n");
			compare_analyze(b);
			compare_pgw(b);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench *b = rm_calloc(1, sizeof(*b));
	int rc;

	if (b == NULL)
		return 3;
	if ((rc = parse_opts(argc, argv, &b->o)) != 0)
		goto out;
	if (gen_init(&b->g, b->o.per) != RM_OK) {
		fprintf(stderr, "bench/collect: cannot build the rounds\n");
		rc = 3;
		goto out;
	}
	if (b->o.write_round != NULL) {
		struct gen_buf body = { 0 };

		rc = gen_round_gzip(&b->g, 0, 0, time(NULL), &body) == RM_OK &&
			     write_file(b->o.write_round, body.p, body.n) == RM_OK
			 ? 0
			 : 3;
		gen_buf_free(&body);
		goto out;
	}
	snprintf(b->dir, sizeof(b->dir), "/var/tmp/bench-collect-XXXXXX");
	if (mkdtemp(b->dir) == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench/collect: cannot set up: %s\n", strerror(errno));
		rc = 3;
		goto out;
	}
	b->t0 = load_now();
	print_header(b);
	rc = run_all(b);
	if (rc == 0)
		rc = print_summary(b);
	curl_global_cleanup();
	remove_dir(b->dir);
out:
	gen_free(&b->g);
	rm_free(b);
	return rc;
}

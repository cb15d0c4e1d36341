/* reachmap check --topology T --collector URL...: waits for a round of
 * every probe newer than its own start (collector/gather.h), then the
 * verdict as analyze gives it. This file parses the options, says what it
 * waits for, and turns the outcome into output and an exit code. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "collector/gather.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"
#include "reachmap/token.h"
#include "reachmap/topology.h"

#define CHECK_MAX_COLLECTORS 16
#define CHECK_WAIT_DEFAULT   120
#define CHECK_POLL_MS	     1000

struct check_args {
	const char *topology, *junit, *json, *token_file, *ca_file;
	const char *urls[CHECK_MAX_COLLECTORS];
	size_t nurls;
	unsigned long wait_s;
	bool quiet, help;
};

static void check_usage(FILE *out)
{
	fputs("usage: reachmap check --topology T --collector URL [--collector URL ...]\n"
	      "                      [--wait S] [--junit FILE] [--json FILE] [--token-file F]\n"
	      "                      [--ca-file F] [-q]\n"
	      "\n"
	      "The conformance gate: asks the collectors (GET /v1/rounds, about once a\n"
	      "second) until every probe of the topology has sent a round that started\n"
	      "after check did, and every responder's arrivals cover those rounds; then\n"
	      "judges those documents exactly as 'reachmap analyze' does. Across\n"
	      "collectors the newest round of each probe wins. A probe that sends no\n"
	      "round within --wait is a probe-missing finding.\n"
	      "\n"
	      "options:\n"
	      "  -t, --topology FILE   the topology the agents run with (required)\n"
	      "  -c, --collector URL   a collector, http://HOST:PORT or https://HOST:PORT;\n"
	      "                        give one per cluster (up to 16)\n"
	      "  -w, --wait S          how long to wait for the rounds, seconds (default 120)\n"
	      "      --junit FILE      also write the verdict as JUnit XML\n"
	      "      --json FILE       also write the report as reachmap.report/v1 JSON\n"
	      "      --token-file F    the collectors' bearer token (mode 0600)\n"
	      "      --ca-file F       PEM CA bundle to verify https collectors with\n"
	      "  -q, --quiet           do not say which probes are still awaited\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "Standard output: the text report of 'reachmap analyze --format text'.\n"
	      "Standard error, while it waits: the probes still missing (a line rewritten\n"
	      "in place on a terminal, a line per change otherwise).\n"
	      "exit codes: 0 pass, 1 the network is not as expected (a probe missing\n"
	      "included), 2 bad usage or an invalid topology or token, 3 no collector could\n"
	      "be read (each one's reason is given).\n",
	      out);
}

static int take_opt(int opt, const char *arg, struct check_args *a, char **argv)
{
	switch (opt) {
	case 't':
		a->topology = arg;
		return EXIT_OK;
	case 'c':
		if (a->nurls == CHECK_MAX_COLLECTORS)
			return cli_usage_error("check", "--collector %s: at most %d collectors",
					       arg, CHECK_MAX_COLLECTORS);
		a->urls[a->nurls++] = arg;
		return EXIT_OK;
	case 'w':
		return cli_parse_num("check", "--wait", arg, 0, 86400, "a number of seconds",
				     &a->wait_s);
	case 'J':
		a->junit = arg;
		return EXIT_OK;
	case 'j':
		a->json = arg;
		return EXIT_OK;
	case 'T':
		a->token_file = arg;
		return EXIT_OK;
	case 'C':
		a->ca_file = arg;
		return EXIT_OK;
	case 'q':
		a->quiet = true;
		return EXIT_OK;
	case 'h':
		a->help = true;
		return EXIT_OK;
	default:
		return cli_option_error("check", opt, argv);
	}
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "collector", required_argument, NULL, 'c' },
		{ "wait", required_argument, NULL, 'w' },
		{ "junit", required_argument, NULL, 'J' },
		{ "json", required_argument, NULL, 'j' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	memset(a, 0, sizeof(*a));
	a->wait_s = CHECK_WAIT_DEFAULT;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":t:c:w:qh", longopts, NULL)) != -1)
		if ((rc = take_opt(opt, optarg, a, argv)) != EXIT_OK)
			return rc;
	if (a->help)
		return EXIT_OK;
	if (optind < argc)
		return cli_usage_error("check",
				       "unexpected argument \"%s\"; see 'reachmap check "
				       "--help'",
				       argv[optind]);
	if (a->topology == NULL)
		return cli_usage_error("check",
				       "--topology is required; see 'reachmap check --help'");
	if (a->nurls == 0)
		return cli_usage_error("check", "--collector is required (one per collector); see "
						"'reachmap check --help'");
	if (a->ca_file != NULL && access(a->ca_file, R_OK) != 0)
		return cli_usage_error("check", "--ca-file %s: cannot read it", a->ca_file);
	return EXIT_OK;
}

/* ---- what check says while it waits ---- */

struct progress {
	bool tty, quiet, shown;
	char last[1024];
};

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* On a terminal the line is rewritten in place; elsewhere (a CI log) a
 * line is written when what is awaited changed, never once per poll. */
static void progress_show(struct progress *p, const char *text, const char *clock)
{
	if (p->quiet)
		return;
	if (p->tty) {
		int room = term_width() - 17 - (int)strlen(clock);

		/* one line, or the terminal scrolls it and it is no longer
		 * rewritten in place */
		room = room > 10 ? room : 10;
		if ((int)strlen(text) > room)
			fprintf(stderr, "\r\033[Kreachmap check: %.*s...%s", room - 3, text, clock);
		else
			fprintf(stderr, "\r\033[Kreachmap check: %s%s", text, clock);
		p->shown = true;
	} else if (strcmp(text, p->last) != 0) {
		fprintf(stderr, "reachmap check: %s\n", text);
	}
	snprintf(p->last, sizeof(p->last), "%s", text);
	fflush(stderr);
}

static void progress_clear(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}

static void note(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	progress_clear(p);
	fputs("reachmap check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "2 of 4 probes: a, b; the arrivals of 1 pod: c", the lists cut short. */
static void list_names(char *buf, size_t len, const char *const *v, size_t n)
{
	size_t i, used = strlen(buf);

	for (i = 0; i < n && used + strlen(v[i]) + 16 < len && i < 8; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v[i]);
	if (i < n)
		snprintf(buf + used, len - used, "%s%zu more", i ? " and " : "", n - i);
}

static void wait_text(const struct gather_wait *w, char *buf, size_t len)
{
	size_t used;

	buf[0] = '\0';
	if (w->nprobes > 0) {
		snprintf(buf, len, "waiting for %zu of %zu probes: ", w->nprobes, w->nall);
		list_names(buf, len, w->probes, w->nprobes);
	}
	if (w->npods > 0) {
		used = strlen(buf);
		snprintf(buf + used, len - used,
			 "%s the arrivals of %zu %s: ", used ? ";" : "waiting for", w->npods,
			 w->npods == 1 ? "pod" : "pods");
		list_names(buf, len, w->pods, w->npods);
	}
}

/* A note for each collector whose state changed since prev. */
static void source_notes(struct progress *p, const struct gather *g, enum gather_state *prev)
{
	size_t i, k, up = 0;

	for (i = 0; i < gather_nsources(g); i++)
		up += gather_source(g, i)->state == GATHER_ANSWERS;
	for (i = 0; i < gather_nsources(g); i++) {
		const struct gather_source *s = gather_source(g, i);

		k = up - (s->state == GATHER_ANSWERS);
		if (s->state != GATHER_ANSWERS && s->state != prev[i])
			note(p, "%s: %s; %s", s->url, s->reason,
			     k > 0 ? "the verdict comes from the collectors that answer"
			     : s->state == GATHER_REFUSED ? "not asked again"
							  : "asking again");
		else if (s->state == GATHER_ANSWERS && prev[i] != GATHER_UNTRIED &&
			 prev[i] != GATHER_ANSWERS)
			note(p, "%s answers again", s->url);
		prev[i] = s->state;
	}
}

/* ---- the wait ---- */

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* One poll and what it says; *done when nothing is awaited. What is
 * still awaited stays in p->last. */
static int poll_once(struct gather *g, struct progress *p, enum gather_state *prev, double start,
		     bool *done)
{
	struct gather_wait w;
	char text[900], clock[48];
	size_t changed;
	int rc = gather_poll(g, &changed);

	if (rc == RM_OK)
		rc = gather_waiting(g, &w);
	if (rc != RM_OK)
		return rc;
	source_notes(p, g, prev);
	*done = w.nprobes == 0 && w.npods == 0 && gather_any_answered(g);
	wait_text(&w, text, sizeof(text));
	snprintf(clock, sizeof(clock), " (%.0f s)", mono_s() - start);
	if (!*done && gather_any_answered(g))
		progress_show(p, text, clock);
	else
		snprintf(p->last, sizeof(p->last), "%s", text);
	gather_wait_free(&w);
	return RM_OK;
}

/* Polls until nothing is awaited, every collector refused, or the wait is
 * over; the collectors are asked about once a second, never faster than
 * twice the time their answers take. */
static int wait_rounds(struct gather *g, const struct check_args *a, struct progress *p)
{
	enum gather_state prev[CHECK_MAX_COLLECTORS] = { 0 };
	double start = mono_s(), deadline = start + (double)a->wait_s, t, took;
	bool done = false;
	int rc;

	for (;;) {
		t = mono_s();
		if ((rc = poll_once(g, p, prev, start, &done)) != RM_OK)
			return rc;
		if (done || gather_all_refused(g) || mono_s() >= deadline)
			break;
		took = mono_s() - t;
		t += took * 2 > CHECK_POLL_MS / 1e3 ? took * 2 : CHECK_POLL_MS / 1e3;
		sleep_s((t < deadline ? t : deadline) - mono_s());
	}
	progress_clear(p);
	if (a->quiet || !gather_any_answered(g))
		return RM_OK;
	if (done)
		fprintf(stderr,
			"reachmap check: every probe sent a round since check started (after %.0f "
			"s)\n",
			mono_s() - start);
	else
		fprintf(stderr, "reachmap check: the wait of %lu s is over, still missing: %s\n",
			a->wait_s,
			strncmp(p->last, "waiting for ", 12) == 0 ? p->last + 12 : p->last);
	return RM_OK;
}

/* No collector could be read: each one's reason, exit 3. */
static int no_collector(const struct gather *g, const struct check_args *a)
{
	size_t i;

	if (gather_all_refused(g))
		fprintf(stderr, "reachmap check: every collector refused:\n");
	else
		fprintf(stderr, "reachmap check: no collector could be read within %lu s:\n",
			a->wait_s);
	for (i = 0; i < gather_nsources(g); i++)
		fprintf(stderr, "reachmap check:   %s: %s\n", gather_source(g, i)->url,
			gather_source(g, i)->reason[0] ? gather_source(g, i)->reason : "not asked");
	return EXIT_RUNTIME;
}

/* ---- the verdict ---- */

/* Renders to path with r; the worse of exitcode and what rendering gave. */
static int render(const char *format, const struct rm_report *report, const char *path,
		  int exitcode)
{
	int rc = cli_render("check", report_find(format), report, path);

	return rc == EXIT_RUNTIME ? EXIT_RUNTIME : exitcode;
}

static int verdict(const struct gather *g, const struct rm_topology *topo,
		   const struct check_args *a)
{
	const struct rm_results_doc **docs = NULL;
	struct rm_report report;
	char generated[RM_TIME_STRLEN];
	size_t n = 0;
	int rc, exitcode;

	memset(&report, 0, sizeof(report));
	rc = gather_docs(g, &docs, &n);
	if (rc == RM_OK)
		rc = findings_init(&report.findings);
	if (rc == RM_OK) {
		report.command = "check";
		report.generated = rm_time_format(rm_time_document(), generated, sizeof(generated));
		report.topo = topo;
		rc = analyze_round(&report, docs, n);
	}
	if (rc == RM_OK)
		rc = gather_explain_missing(g, &report, (unsigned)a->wait_s);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap check: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	} else {
		exitcode = cli_render("check", report_find("text"), &report, NULL);
		if (a->junit != NULL)
			exitcode = render("junit", &report, a->junit, exitcode);
		if (a->json != NULL)
			exitcode = render("json", &report, a->json, exitcode);
	}
	findings_free(&report.findings);
	rm_free(docs);
	return exitcode;
}

static int load_token(const struct check_args *a, char **token)
{
	struct rm_diag d;

	*token = NULL;
	rm_diag_clear(&d);
	if (a->token_file == NULL || rm_token_load(a->token_file, token, &d) == RM_OK)
		return EXIT_OK;
	fprintf(stderr, "reachmap check: %s\n", d.error);
	return EXIT_USAGE;
}

static int run(const struct rm_topology *topo, const struct check_args *a, const char *token)
{
	struct client_opts co = { .token = token, .ca_file = a->ca_file };
	struct progress p = { .tty = isatty(STDERR_FILENO) == 1, .quiet = a->quiet };
	struct gather *g = NULL;
	struct rm_diag d;
	int rc, exitcode;
	/* Documents carry whole seconds: a round that started in check's
	 * first second counts. */
	int64_t t0 = (int64_t)time(NULL) * 1000;

	/* A collector that hangs must not hold the verdict past the wait
	 * for long. */
	co.timeout_ms = a->wait_s < 2 ? 2000 : a->wait_s > 10 ? 10000 : (unsigned)a->wait_s * 1000;
	co.connect_timeout_ms = co.timeout_ms < 3000 ? co.timeout_ms : 3000;
	rm_diag_clear(&d);
	rc = gather_new(topo, a->urls, a->nurls, &co, t0, &g, &d);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap check: %s\n", d.error);
		return rc == RM_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	rc = wait_rounds(g, a, &p);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap check: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	} else if (!gather_any_answered(g)) {
		exitcode = no_collector(g, a);
	} else {
		exitcode = verdict(g, topo, a);
	}
	gather_free(g);
	return exitcode;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct rm_topology *topo = NULL;
	char *token = NULL;
	int exitcode = parse_args(argc, argv, &a);

	if (exitcode != EXIT_OK || a.help) {
		if (a.help && exitcode == EXIT_OK)
			check_usage(stdout);
		return exitcode;
	}
	if ((exitcode = cli_load_topology("check", a.topology, &topo)) != EXIT_OK)
		return exitcode;
	if ((exitcode = load_token(&a, &token)) == EXIT_OK)
		exitcode = run(topo, &a, token);
	if (token != NULL) {
		memset(token, 0, strlen(token));
		rm_free(token);
	}
	topo_free(topo);
	return exitcode;
}

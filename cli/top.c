/* reachmap top REPORT.json | --collector URL: the dashboard (tui/). This
 * file parses the arguments, makes the collector's client for a live
 * source (tui/ never sees libcurl), and turns the outcome into an exit
 * code. */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "collector/client.h"
#include "reachmap/alloc.h"
#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "reachmap/token.h"
#include "tui/top.h"

/* How often a live source asks the collector. */
#define TOP_PERIOD_MS 2000

static void top_usage(FILE *out)
{
	fputs("usage: reachmap top REPORT.json [--iterations N] [--no-color]\n"
	      "       reachmap top --collector URL [--token-file F] [--ca-file F]\n"
	      "                    [--iterations N] [--no-color]\n"
	      "\n"
	      "The on-call view of a report: which cluster pairs are broken, why and where.\n"
	      "From a file (reachmap.report/v1, as written by 'reachmap analyze --format\n"
	      "json'), re-read when it changes; or live from a collector, asked every 2 s:\n"
	      "then each finding says how long it has held and each probe how old its last\n"
	      "round is, and when the collector goes away the last report stays on screen\n"
	      "with the reason while top keeps asking. Press ? inside for the keys.\n"
	      "\n"
	      "options:\n"
	      "  -c, --collector URL   a collector, http://HOST:PORT or https://HOST:PORT\n"
	      "      --token-file F    its bearer token (mode 0600)\n"
	      "      --ca-file F       PEM CA bundle to verify an https collector with\n"
	      "  -n, --iterations N    draw N frames (about 100 ms apart) and exit, for tests\n"
	      "                        and scripts\n"
	      "      --no-color        glyphs only (also when NO_COLOR is set)\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "exit codes: 0 quit, 2 bad usage, an unreadable or invalid report, or no\n"
	      "terminal, 3 a runtime failure (the collector gave no report at start),\n"
	      "128+N ended by signal N.\n",
	      out);
}

struct top_args {
	struct tui_options opt;
	const char *report, *collector, *token_file, *ca_file;
	bool help;
};

/* The collector behind a live source. */
struct top_fetch {
	struct client *client;
	atomic_int cancel;
};

static int fetch_get(void *ctx, const char *path, long *status, char **body, size_t *len,
		     struct rm_diag *d)
{
	struct top_fetch *f = ctx;
	struct client_resp r;
	int rc = client_get(f->client, path, &r, d);

	if (rc != RM_OK)
		return rc;
	*status = r.status;
	*body = r.body;
	*len = r.len;
	r.body = NULL;
	client_resp_free(&r);
	return RM_OK;
}

static void fetch_cancel(void *ctx)
{
	atomic_store(&((struct top_fetch *)ctx)->cancel, 1);
}

enum { OPT_NO_COLOR = 256, OPT_TOKEN, OPT_CA };

static int take_opt(int c, const char *arg, struct top_args *a, char **argv)
{
	char *end;

	switch (c) {
	case 'n':
		a->opt.iterations = strtol(arg, &end, 10);
		if (*end != '\0' || end == arg || a->opt.iterations < 1)
			return cli_usage_error("top",
					       "--iterations %s: want a whole number of frames, 1 "
					       "or more",
					       arg);
		return EXIT_OK;
	case 'c':
		a->collector = arg;
		return EXIT_OK;
	case OPT_TOKEN:
		a->token_file = arg;
		return EXIT_OK;
	case OPT_CA:
		a->ca_file = arg;
		return EXIT_OK;
	case OPT_NO_COLOR:
		a->opt.color = false;
		return EXIT_OK;
	case 'h':
		a->help = true;
		return EXIT_OK;
	default:
		return cli_option_error("top", c, argv);
	}
}

static int parse_args(int argc, char **argv, struct top_args *a)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "collector", required_argument, NULL, 'c' },
		{ "token-file", required_argument, NULL, OPT_TOKEN },
		{ "ca-file", required_argument, NULL, OPT_CA },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *no_color = getenv("NO_COLOR");
	int c, rc;

	memset(a, 0, sizeof(*a));
	/* https://no-color.org: set and not empty */
	a->opt.color = no_color == NULL || no_color[0] == '\0';
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:c:h", longopts, NULL)) != -1)
		if ((rc = take_opt(c, optarg, a, argv)) != EXIT_OK)
			return rc;
	if (a->help)
		return EXIT_OK;
	if (a->collector != NULL && optind < argc)
		return cli_usage_error("top", "give a report or --collector, not both (got \"%s\")",
				       argv[optind]);
	if (a->collector == NULL && (a->token_file != NULL || a->ca_file != NULL))
		return cli_usage_error("top", "--%s is for --collector",
				       a->token_file != NULL ? "token-file" : "ca-file");
	if (a->collector == NULL && optind >= argc)
		return cli_usage_error("top", "no report given; see 'reachmap top --help'");
	if (argc - optind > 1)
		return cli_usage_error("top", "one report only, got \"%s\" too", argv[optind + 1]);
	a->report = a->collector == NULL ? argv[optind] : NULL;
	return EXIT_OK;
}

/* The collector's client (no request yet): EXIT_OK, or the exit code
 * after a message. */
static int make_client(const struct top_args *a, struct top_fetch *f)
{
	struct client_opts co = { .ca_file = a->ca_file,
				  .timeout_ms = 5000,
				  .connect_timeout_ms = 2000,
				  .cancel = &f->cancel };
	char *token = NULL;
	struct rm_diag d;
	int rc;

	rm_diag_clear(&d);
	if (a->ca_file != NULL && access(a->ca_file, R_OK) != 0)
		return cli_usage_error("top", "--ca-file %s: cannot read it", a->ca_file);
	if (a->token_file != NULL && rm_token_load(a->token_file, &token, &d) != RM_OK) {
		fprintf(stderr, "reachmap top: %s\n", d.error);
		return EXIT_USAGE;
	}
	co.token = token;
	rc = client_new(a->collector, &co, &f->client, &d);
	if (token != NULL) {
		memset(token, 0, strlen(token));
		rm_free(token);
	}
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap top: %s\n", d.error);
		return rc == RM_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* The live source: its first report is asked for now. */
static int open_live(struct top_fetch *f, struct tui_source **src)
{
	struct tui_fetch tf = {
		.get = fetch_get, .cancel = fetch_cancel, .ctx = f, .label = client_url(f->client)
	};
	struct rm_diag d;

	rm_diag_clear(&d);
	if (tui_source_live_open(&tf, TOP_PERIOD_MS, src, &d) != RM_OK) {
		fprintf(stderr, "reachmap top: %s\n", d.error);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int open_file(const struct top_args *a, struct tui_source **src)
{
	struct rm_diag diag;
	int rc = tui_source_file_open(a->report, src, &diag);

	if (rc != RM_OK) {
		fprintf(stderr, "reachmap top: %s\n", diag.error);
		return rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_top(int argc, char **argv)
{
	struct top_args a;
	struct top_fetch f = { .client = NULL };
	struct tui_source *src = NULL;
	int rc, signo, exitcode = parse_args(argc, argv, &a);

	if (exitcode != EXIT_OK || a.help) {
		if (a.help && exitcode == EXIT_OK)
			top_usage(stdout);
		return exitcode;
	}
	atomic_init(&f.cancel, 0);
	/* A report's or the options' errors first; a collector is asked
	 * only with a terminal to show it on. */
	exitcode = a.collector == NULL ? open_file(&a, &src) : make_client(&a, &f);
	if (exitcode == EXIT_OK && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		exitcode = cli_usage_error("top",
					   "standard %s is not a terminal; for a report in text, "
					   "use: reachmap analyze --format text",
					   isatty(STDOUT_FILENO) ? "input" : "output");
	if (exitcode == EXIT_OK && a.collector != NULL)
		exitcode = open_live(&f, &src);
	if (exitcode != EXIT_OK) {
		tui_source_free(src);
		client_free(f.client);
		return exitcode;
	}
	rc = tui_top_run(src, &a.opt, &signo);
	tui_source_free(src);
	client_free(f.client);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap top: cannot set up the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return EXIT_RUNTIME;
	}
	return signo ? 128 + signo : EXIT_OK;
}

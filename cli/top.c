/* reachmap top REPORT.json: the dashboard (tui/). This file only parses
 * the arguments and turns the outcome into an exit code. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "reachmap/diag.h"
#include "reachmap/error.h"
#include "tui/top.h"

static void top_usage(FILE *out)
{
	fputs("usage: reachmap top REPORT.json [--iterations N] [--no-color]\n"
	      "\n"
	      "The on-call view of a report (reachmap.report/v1, as written by 'reachmap\n"
	      "analyze --format json'): which cluster pairs are broken, why and where. The\n"
	      "file is re-read when it changes. Press ? inside for the keys.\n"
	      "\n"
	      "options:\n"
	      "  -n, --iterations N    draw N frames (about 100 ms apart) and exit, for tests\n"
	      "                        and scripts\n"
	      "      --no-color        glyphs only (also when NO_COLOR is set)\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "exit codes: 0 quit, 2 bad usage, an unreadable or invalid report, or no\n"
	      "terminal, 3 a runtime failure, 128+N ended by signal N.\n",
	      out);
}

int cmd_top(int argc, char **argv)
{
	enum { OPT_NO_COLOR = 256 };
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *no_color = getenv("NO_COLOR");
	struct tui_options opt = { .iterations = 0, .color = true };
	struct tui_source *src = NULL;
	struct rm_diag diag;
	char *end;
	int c, rc, signo;

	/* https://no-color.org: set and not empty */
	if (no_color != NULL && no_color[0] != '\0')
		opt.color = false;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.iterations = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || opt.iterations < 1)
				return cli_usage_error("top",
						       "--iterations %s: want a whole number of "
						       "frames, 1 or more",
						       optarg);
			break;
		case OPT_NO_COLOR:
			opt.color = false;
			break;
		case 'h':
			top_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("top", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("top", "no report given; see 'reachmap top --help'");
	if (argc - optind > 1)
		return cli_usage_error("top", "one report only, got \"%s\" too", argv[optind + 1]);
	rc = tui_source_file_open(argv[optind], &src, &diag);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap top: %s\n", diag.error);
		return rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tui_source_free(src);
		return cli_usage_error("top",
				       "standard %s is not a terminal; for a report in text, "
				       "use: reachmap analyze --format text",
				       isatty(STDOUT_FILENO) ? "input" : "output");
	}
	rc = tui_top_run(src, &opt, &signo);
	tui_source_free(src);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap top: cannot set up the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return EXIT_RUNTIME;
	}
	return signo ? 128 + signo : EXIT_OK;
}

/* reachmap analyze --topology T FILE...: results documents in, findings out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static void analyze_usage(FILE *out)
{
	char formats[128];

	fprintf(out, "usage: reachmap analyze --topology T FILE... [--format FORMAT] [-o OUT]\n"
		     "\n"
		     "Reads the results documents of probe rounds and the arrivals documents of\n"
		     "serve (reachmap.results/v1, any mix, any order), and explains them: the\n"
		     "address plan's findings, then the causes the cells show, each with its\n"
		     "scope, evidence and a remedy. A failing cell no rule explains is an\n"
		     "'unexplained' finding, never a pass. The finding kinds:\n");
	cli_print_kinds(out);
	fprintf(out,
		"\n"
		"options:\n"
		"  -t, --topology FILE   the topology the probes ran with\n"
		"  -f, --format FORMAT   %s:\n",
		cli_format_names(formats, sizeof(formats), false, "text"));
	cli_print_formats(out, false);
	fputs("  -o, --output FILE     write the report to FILE instead of standard output\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "exit codes: 0 no error-severity finding, 1 at least one, 2 bad usage or an\n"
	      "invalid topology or document, 3 a runtime failure.\n",
	      out);
}

/* The documents named by argv, loaded into docs[0..n); EXIT_OK, or the exit
 * code after a message naming the file and what is wrong with it. Free
 * with free_docs, also after a failure. */
static int load_docs(char **argv, size_t n, struct rm_results_doc **docs,
		     const struct rm_results_doc ***ptrs, size_t *loaded)
{
	struct rm_diag diag;
	size_t i;
	int rc;

	*loaded = 0;
	*docs = rm_calloc(n, sizeof(**docs));
	*ptrs = rm_calloc(n, sizeof(**ptrs));
	if (*docs == NULL || *ptrs == NULL)
		return EXIT_RUNTIME;
	rm_diag_clear(&diag);
	for (i = 0; i < n; i++) {
		rc = results_doc_init(&(*docs)[i]);
		if (rc == RM_OK)
			rc = results_doc_load(argv[i], &(*docs)[i], &diag);
		*loaded = i + 1;
		if (rc != RM_OK) {
			fprintf(stderr, "reachmap analyze: %s\n",
				diag.error[0] ? diag.error : "out of memory");
			return rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		}
		(*ptrs)[i] = &(*docs)[i];
	}
	return EXIT_OK;
}

static void free_docs(struct rm_results_doc *docs, const struct rm_results_doc **ptrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		results_doc_free(&docs[i]);
	rm_free(docs);
	rm_free(ptrs);
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *topo_path = NULL, *format = "text", *output = NULL;
	const struct report_ops *renderer;
	struct rm_topology *topo = NULL;
	struct rm_results_doc *docs = NULL;
	const struct rm_results_doc **ptrs = NULL;
	struct rm_report report;
	char generated[RM_TIME_STRLEN];
	size_t ndocs = 0;
	int opt, rc, exitcode;

	memset(&report, 0, sizeof(report));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":t:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			topo_path = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			analyze_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("analyze", opt, argv);
		}
	}
	if (topo_path == NULL)
		return cli_usage_error("analyze",
				       "--topology is required; see 'reachmap analyze --help'");
	if (optind >= argc)
		return cli_usage_error("analyze",
				       "no results document given; see 'reachmap analyze "
				       "--help'");
	if ((renderer = cli_renderer("analyze", format, false)) == NULL)
		return EXIT_USAGE;
	exitcode = cli_load_topology("analyze", topo_path, &topo);
	if (exitcode != EXIT_OK)
		return exitcode;
	exitcode = load_docs(argv + optind, (size_t)(argc - optind), &docs, &ptrs, &ndocs);
	if (exitcode == EXIT_OK && findings_init(&report.findings) != RM_OK)
		exitcode = EXIT_RUNTIME;
	if (exitcode == EXIT_OK) {
		report.command = "analyze";
		report.generated = rm_time_format(rm_time_document(), generated, sizeof(generated));
		report.topo = topo;
		rc = analyze_round(&report, ptrs, ndocs);
		if (rc != RM_OK) {
			fprintf(stderr, "reachmap analyze: %s\n", rm_strerror(rc));
			exitcode = EXIT_RUNTIME;
		} else {
			exitcode = cli_render("analyze", renderer, &report, output);
		}
	}
	free_docs(docs, ptrs, ndocs);
	findings_free(&report.findings);
	topo_free(topo);
	return exitcode;
}

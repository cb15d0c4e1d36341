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
	fputs(
	    "usage: reachmap analyze --topology T FILE... [--format text|json|junit|prom|html] [-o "
	    "OUT]\n"
	    "\n"
	    "Reads the results documents of probe rounds and the arrivals documents of\n"
	    "serve (reachmap.results/v1, any mix, any order), and explains them: the\n"
	    "address plan's findings, then the causes the cells show (no-route,\n"
	    "asymmetric-route, firewall-drop, firewall-reject, port-closed, snat,\n"
	    "address-collision, not-cassandra, dns-unresolvable, dns-wrong-answer,\n"
	    "mtu-blackhole, probe-missing), each with its evidence and a remedy.\n"
	    "\n"
	    "options:\n"
	    "  -t, --topology FILE   the topology the probes ran with\n"
	    "  -f, --format FORMAT   text (default), json (reachmap.report/v1), junit (a test\n"
	    "                        case per expectation and cluster pair) or prom\n"
	    "                        (Prometheus text, per cluster pair and check) or html\n"
	    "                        (one self-contained file: findings and a heat map)\n"
	    "  -o, --output FILE     write the report to FILE instead of standard output\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "exit codes: 0 no error-severity finding, 1 at least one, 2 bad usage or an\n"
	    "invalid topology or document, 3 a runtime failure.\n",
	    out);
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
	struct rm_diag diag;
	char generated[RM_TIME_STRLEN];
	size_t ndocs = 0, i;
	FILE *out;
	int opt, rc, exitcode;

	memset(&report, 0, sizeof(report));
	rm_diag_clear(&diag);
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
	renderer = report_find(format);
	if (renderer == NULL)
		return cli_usage_error(
		    "analyze", "--format %s: analyze writes text, json, junit, prom or html",
		    format);
	exitcode = cli_load_topology("analyze", topo_path, &topo);
	if (exitcode != EXIT_OK)
		return exitcode;
	docs = rm_calloc((size_t)(argc - optind), sizeof(*docs));
	ptrs = rm_calloc((size_t)(argc - optind), sizeof(*ptrs));
	if (docs == NULL || ptrs == NULL || findings_init(&report.findings) != RM_OK) {
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		rc = results_doc_init(&docs[ndocs]);
		if (rc == RM_OK)
			rc = results_doc_load(argv[i], &docs[ndocs], &diag);
		ndocs++;
		if (rc != RM_OK) {
			fprintf(stderr, "reachmap analyze: %s\n",
				diag.error[0] ? diag.error : "out of memory");
			exitcode = rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
			goto done;
		}
		ptrs[ndocs - 1] = &docs[ndocs - 1];
	}
	report.command = "analyze";
	report.generated = rm_time_format(rm_time_document(), generated, sizeof(generated));
	report.topo = topo;
	rc = analyze_round(&report, ptrs, ndocs);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap analyze: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	out = cli_open_output("analyze", output);
	if (out == NULL) {
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rc = renderer->render(&report, out);
	exitcode = cli_close_output("analyze", output, out);
	if (rc != RM_OK && exitcode == EXIT_OK)
		exitcode = EXIT_RUNTIME;
	if (exitcode == EXIT_OK && !report.pass)
		exitcode = EXIT_NETWORK;
done:
	for (i = 0; i < ndocs; i++)
		results_doc_free(&docs[i]);
	rm_free(docs);
	rm_free(ptrs);
	findings_free(&report.findings);
	topo_free(topo);
	return exitcode;
}

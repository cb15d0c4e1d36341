/* reachmap plan TOPOLOGY: the pre-flight that needs no agents. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static void plan_usage(FILE *out)
{
	char formats[64];

	fputs("usage: reachmap plan TOPOLOGY [--format FORMAT] [--suggest KIND=/LEN,...]\n"
	      "                     [-o OUT]\n"
	      "\n"
	      "Checks a topology's address plan with no agents at all: CIDR ranges that\n"
	      "overlap between clusters or between kinds in one cluster (cidr-overlap),\n"
	      "ranges in reserved or commonly taken space (reserved-range), clusters\n"
	      "sharing a DNS domain (dns-domain-clash), probes and targets declared\n"
	      "inside another cluster's range or twice (address-collision) or outside\n"
	      "every declared range (address-out-of-range).\n"
	      "\n"
	      "options:\n",
	      out);
	fprintf(out, "  -f, --format FORMAT   %s:\n",
		cli_format_names(formats, sizeof(formats), true, "text"));
	cli_print_formats(out, true);
	fputs("  -s, --suggest SPEC    propose free RFC 1918 blocks for a new cluster,\n"
	      "                        e.g. pods=/16,services=/16,nodes=/20\n"
	      "  -o, --output FILE     write the report to FILE instead of standard output\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "exit codes: 0 no error-severity finding, 1 at least one (or no free block\n"
	      "for a suggestion), 2 bad usage or an invalid topology, 3 a runtime failure.\n",
	      out);
}

static int parse_kind(const char *s, size_t n, enum rm_range_kind *out)
{
	int k;

	for (k = 0; k < RM_RANGE_KIND_COUNT; k++) {
		const char *name = topo_range_kind_name((enum rm_range_kind)k);

		if (strlen(name) == n && strncmp(name, s, n) == 0) {
			*out = (enum rm_range_kind)k;
			return 0;
		}
	}
	return -1;
}

/* "pods=/16,services=/16,nodes=/20" into asks; 0, or EXIT_USAGE after a
 * message naming the bad item. */
static int parse_suggest(const char *spec, struct rm_suggestion *asks, size_t *n)
{
	const char *item = spec;

	*n = 0;
	if (*spec == '\0')
		return cli_usage_error("plan", "--suggest: empty; give e.g. pods=/16,services=/16");
	while (*item != '\0') {
		const char *end = strchr(item, ',');
		size_t len = end ? (size_t)(end - item) : strlen(item);
		const char *eq = memchr(item, '=', len);
		const char *num;
		enum rm_range_kind kind;
		unsigned long v = 0;
		size_t i, digits = 0;

		if (eq == NULL || parse_kind(item, (size_t)(eq - item), &kind) != 0)
			return cli_usage_error(
			    "plan",
			    "--suggest: \"%.*s\" is not KIND=/LEN with KIND one of "
			    "nodes, pods, services",
			    (int)len, item);
		num = eq + 1;
		if (*num == '/')
			num++;
		for (; num < item + len && *num >= '0' && *num <= '9' && digits < 3;
		     num++, digits++)
			v = v * 10 + (unsigned long)(*num - '0');
		if (digits == 0 || num != item + len || v < 8 || v > 30)
			return cli_usage_error(
			    "plan",
			    "--suggest: \"%.*s\": the prefix length must be a number "
			    "from 8 to 30",
			    (int)len, item);
		for (i = 0; i < *n; i++)
			if (asks[i].kind == kind)
				return cli_usage_error("plan", "--suggest: %s is asked for twice",
						       topo_range_kind_name(kind));
		asks[*n].kind = kind;
		asks[*n].len = (unsigned)v;
		(*n)++;
		item = end ? end + 1 : item + len;
		if (end && *item == '\0')
			return cli_usage_error("plan", "--suggest: \"%s\" ends with a comma", spec);
	}
	return 0;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "suggest", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *output = NULL, *suggest = NULL;
	const struct report_ops *renderer;
	struct rm_topology *topo = NULL;
	struct rm_report report;
	char generated[RM_TIME_STRLEN];
	int opt, rc, exitcode;

	memset(&report, 0, sizeof(report));
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f:s:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 's':
			suggest = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			plan_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("plan", opt, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("plan",
				       "no topology file given; see 'reachmap plan --help'");
	if (argc - optind > 1)
		return cli_usage_error("plan", "one topology file only, got \"%s\" too",
				       argv[optind + 1]);
	if ((renderer = cli_renderer("plan", format, true)) == NULL)
		return EXIT_USAGE;
	if (suggest != NULL &&
	    parse_suggest(suggest, report.suggestions, &report.nsuggestions) != 0)
		return EXIT_USAGE;

	exitcode = cli_load_topology("plan", argv[optind], &topo);
	if (exitcode != EXIT_OK)
		return exitcode;

	rc = cli_plan_findings(&report, topo, generated);
	if (rc == RM_OK)
		rc = analyze_suggest(topo, report.suggestions, report.nsuggestions);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap plan: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
		goto out;
	}
	analyze_finish(&report);
	exitcode = cli_render("plan", renderer, &report, output);
out:
	findings_free(&report.findings);
	topo_free(topo);
	return exitcode;
}

/* reachmap init --from FILE...: a topology from the clusters users have,
 * then plan's verdict on it. kube/ makes the text; this file reads the
 * files, writes the result and runs the analysis. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "kube/init.h"
#include "reachmap/alloc.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/file.h"
#include "reachmap/report.h"
#include "reachmap/timefmt.h"

#define INIT_MAX_FILES 64
#define INIT_MAX_BYTES (256u * 1024u * 1024u)

static void init_usage(FILE *out)
{
	fputs("usage: reachmap init --from FILE [--from FILE ...] [--cluster NAME ...]\n"
	      "                     [-o OUT] [--probes-per-zone N] [--force]\n"
	      "\n"
	      "Writes a topology from what the clusters already are: for each cluster the\n"
	      "output of `kubectl get nodes,pods,services -A -o json` (a List), and where\n"
	      "there is one a K8ssandraCluster or CassandraDatacenter (`kubectl get\n"
	      "k8ssandracluster NAME -o json`, in a dump or a file of its own) for\n"
	      "Cassandra's ports. Zones come from the nodes' topology.kubernetes.io/zone\n"
	      "labels; pod ranges from kube-controller-manager's --cluster-cidr where the\n"
	      "dump shows it, else the nodes' podCIDRs, else the pods' IPs; node ranges\n"
	      "from the InternalIPs; service ranges from kube-apiserver's\n"
	      "--service-cluster-ip-range, else the ClusterIPs; the DNS server from the\n"
	      "kube-dns Service, the domain from kube-apiserver's --service-account-issuer\n"
	      "(kubeadm) or kube-dns's --domain, else cluster.local, marked assumed; one\n"
	      "probe per zone; Cassandra's pods (cass-operator's labels) as targets. A\n"
	      "comment on each value says where it came from. Then the same checks as\n"
	      "`reachmap plan`, their findings on standard error.\n"
	      "\n"
	      "options:\n"
	      "  -f, --from FILE            a dump; repeat it, one per cluster\n"
	      "  -c, --cluster NAME         the name of the cluster of the --from in the same\n"
	      "                             position (the first --cluster names the first\n"
	      "                             --from); default: the file name without extension\n"
	      "  -o, --output OUT           write the topology to OUT (default: standard output)\n"
	      "  -n, --probes-per-zone N    probes per zone, 1 to 16 (default 1)\n"
	      "      --force                replace OUT when it exists\n"
	      "  -h, --help                 this text\n"
	      "\n"
	      "exit codes: 0 written and plan finds no error, 1 written and plan finds an\n"
	      "error-severity finding, 2 bad usage or input (the message names the file and\n"
	      "the JSON path), 3 a runtime failure.\n",
	      out);
}

struct init_opts {
	const char *from[INIT_MAX_FILES], *cluster[INIT_MAX_FILES];
	size_t nfrom, ncluster;
	const char *output;
	unsigned long per_zone;
	int force;
};

enum { OPT_FORCE = 0x100 };

/* init_args' answer after --help: exit 0 with nothing more to do. */
#define INIT_HELPED (-1)

/* EXIT_OK, INIT_HELPED, or EXIT_USAGE after a message. */
static int init_args(int argc, char **argv, struct init_opts *o)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "probes-per-zone", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f:c:o:n:h", longopts, NULL)) != -1) {
		if ((opt == 'f' && o->nfrom == INIT_MAX_FILES) ||
		    (opt == 'c' && o->ncluster == INIT_MAX_FILES))
			return cli_usage_error("init", "at most %d --from and --cluster",
					       INIT_MAX_FILES);
		if (opt == 'f')
			o->from[o->nfrom++] = optarg;
		else if (opt == 'c')
			o->cluster[o->ncluster++] = optarg;
		else if (opt == 'o')
			o->output = optarg;
		else if (opt == 'n' && cli_parse_num("init", "--probes-per-zone", optarg, 1, 16,
						     "a whole number", &o->per_zone) != EXIT_OK)
			return EXIT_USAGE;
		else if (opt == OPT_FORCE)
			o->force = 1;
		else if (opt == 'h') {
			init_usage(stdout);
			return INIT_HELPED;
		} else if (opt != 'n')
			return cli_option_error("init", opt, argv);
	}
	if (optind < argc)
		return cli_usage_error("init", "unexpected argument \"%s\"; give files with --from",
				       argv[optind]);
	if (o->nfrom == 0)
		return cli_usage_error("init", "no --from file given; see 'reachmap init --help'");
	if (o->ncluster > o->nfrom)
		return cli_usage_error("init",
				       "%zu --cluster for %zu --from: each --cluster names the "
				       "--from in its position",
				       o->ncluster, o->nfrom);
	if (o->output != NULL && strcmp(o->output, "-") != 0 && !o->force &&
	    access(o->output, F_OK) == 0)
		return cli_usage_error("init", "%s exists; give --force to replace it", o->output);
	return EXIT_OK;
}

static void print_diag(const struct rm_diag *d)
{
	size_t i;

	for (i = 0; i < d->nwarnings; i++)
		fprintf(stderr, "reachmap init: warning: %s\n", d->warnings[i]);
	if (d->nwarnings_dropped)
		fprintf(stderr, "reachmap init: %zu more warnings not shown\n",
			d->nwarnings_dropped);
}

/* The files read and made into the topology's text (*text, *len: the
 * caller frees *text with free(), open_memstream's). EXIT_OK or the exit
 * code after a message. */
static int make_text(const struct init_opts *o, char **text, size_t *len)
{
	struct kube_input in[INIT_MAX_FILES];
	struct kube_init_opts kopts = { (unsigned)o->per_zone };
	struct kube_topo *t = NULL;
	struct rm_diag diag;
	char *bufs[INIT_MAX_FILES] = { NULL };
	size_t i;
	int rc = RM_OK, exitcode = EXIT_OK;
	FILE *f;

	rm_diag_clear(&diag);
	for (i = 0; rc == RM_OK && i < o->nfrom; i++) {
		rc = rm_diag_file_read(o->from[i], INIT_MAX_BYTES, "kubectl dump", &bufs[i],
				       &in[i].len, &diag);
		in[i].path = o->from[i];
		in[i].text = bufs[i];
		in[i].cluster = i < o->ncluster ? o->cluster[i] : NULL;
	}
	if (rc == RM_OK)
		rc = kube_init_build(in, o->nfrom, &kopts, &t, &diag);
	print_diag(&diag);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap init: %s\n", diag.error);
		exitcode = rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		goto out;
	}
	f = open_memstream(text, len);
	if (f == NULL || kube_init_write(t, f) != RM_OK || fclose(f) != 0) {
		fprintf(stderr, "reachmap init: cannot make the topology's text: %s\n",
			strerror(errno));
		exitcode = EXIT_RUNTIME;
	}
out:
	kube_topo_free(t);
	for (i = 0; i < o->nfrom; i++)
		rm_free(bufs[i]);
	return exitcode;
}

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *out = cli_open_output("init", path);

	if (out == NULL)
		return EXIT_RUNTIME;
	fwrite(text, 1, len, out);
	return cli_close_output("init", path, out);
}

/* plan's checks on what was written, its text report on standard error. */
static int init_plan(const char *name, const char *text, size_t len)
{
	const struct report_ops *renderer = cli_renderer("init", "text", true);
	struct rm_topology *topo = NULL;
	struct rm_report report;
	struct rm_diag diag;
	char generated[RM_TIME_STRLEN];
	int rc, exitcode;

	memset(&report, 0, sizeof(report));
	rc = topo_load_buffer(name, (const uint8_t *)text, len, &topo, &diag);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap init: the topology written does not load: %s\n",
			diag.error);
		return EXIT_RUNTIME;
	}
	rc = cli_plan_findings(&report, topo, generated);
	if (rc != RM_OK || renderer == NULL) {
		fprintf(stderr, "reachmap init: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
		goto out;
	}
	analyze_finish(&report);
	rc = renderer->render(&report, stderr);
	if (rc != RM_OK)
		fprintf(stderr, "reachmap init: %s\n", rm_strerror(rc));
	exitcode = rc != RM_OK ? EXIT_RUNTIME : report.pass ? EXIT_OK : EXIT_NETWORK;
out:
	findings_free(&report.findings);
	topo_free(topo);
	return exitcode;
}

int cmd_init(int argc, char **argv)
{
	struct init_opts o;
	char *text = NULL;
	size_t len = 0;
	int exitcode;

	memset(&o, 0, sizeof(o));
	o.per_zone = 1;
	exitcode = init_args(argc, argv, &o);
	if (exitcode != EXIT_OK)
		return exitcode == INIT_HELPED ? EXIT_OK : exitcode;
	exitcode = make_text(&o, &text, &len);
	if (exitcode == EXIT_OK)
		exitcode = write_text(o.output, text, len);
	if (exitcode == EXIT_OK)
		exitcode = init_plan(o.output && strcmp(o.output, "-") != 0 ? o.output
									    : "(standard output)",
				     text, len);
	free(text); /* open_memstream's */
	return exitcode;
}

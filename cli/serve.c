/* reachmap serve: the receiving end of a probe round. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "probes/caps.h"
#include "probes/responder.h"
#include "probes/serve.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static void serve_usage(FILE *out)
{
	fputs(
	    "usage: reachmap serve --topology T --cluster C --name N [--standins] [--out FILE]\n"
	    "\n"
	    "The receiving end: answers probes' identity requests on tcp and udp port 8788\n"
	    "(who am I, which source address did I see, how large a datagram arrived),\n"
	    "and with --standins listens on every port of the topology that is free,\n"
	    "answering CQL's OPTIONS with SUPPORTED and STARTUP with READY on CQL ports.\n"
	    "It records what arrived, and on SIGTERM or SIGINT writes a\n"
	    "reachmap.results/v1 document with arrivals[] to FILE (or standard output).\n"
	    "\n"
	    "options:\n"
	    "  -t, --topology FILE   the topology (YAML or JSON)\n"
	    "  -c, --cluster NAME    this pod's cluster\n"
	    "  -n, --name NAME       this pod's name: a probe or target of that cluster\n"
	    "      --standins        listen on the topology's ports too\n"
	    "  -o, --out FILE        where the arrivals go at the end (default: standard output)\n"
	    "      --port P          the responder's port (default 8788)\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "exit codes: 0 stopped by a signal and the document written, 2 bad usage or\n"
	    "topology, 3 a runtime failure (the responder's port cannot be opened).\n",
	    out);
}

static void note(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "reachmap serve: note: %s\n", msg);
}

static void ready(unsigned listeners, void *arg)
{
	(void)arg;
	if (caps_drop_all() != RM_OK)
		fprintf(stderr, "reachmap serve: warning: could not drop capabilities\n");
	fprintf(stderr, "reachmap serve: ready: %u listeners\n", listeners);
	fflush(stderr);
}

int cmd_serve(int argc, char **argv)
{
	enum { O_STANDINS = 256, O_PORT };
	static const struct option longopts[] = {
		CLI_POD_LONGOPTS,
		{ "standins", no_argument, NULL, O_STANDINS },
		{ "port", required_argument, NULL, O_PORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_pod_opts o = { 0 };
	unsigned long port = RESP_DEFAULT_PORT;
	struct serve_config cfg;
	struct rm_topology *topo = NULL;
	struct rm_results_doc doc;
	struct cli_self self;
	bool standins = false;
	int opt, rc, exitcode = EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":t:c:n:o:h", longopts, NULL)) != -1) {
		if (cli_pod_opt(opt, optarg, &o))
			continue;
		switch (opt) {
		case O_STANDINS:
			standins = true;
			break;
		case O_PORT:
			if (cli_parse_num("serve", "--port", optarg, 1, 65535, "a port", &port))
				return EXIT_USAGE;
			break;
		case 'h':
			serve_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("serve", opt, argv);
		}
	}
	exitcode = cli_pod_args("serve", argc, argv, &o);
	if (exitcode == EXIT_OK)
		exitcode = cli_load_topology("serve", o.topology, &topo);
	if (exitcode == EXIT_OK)
		exitcode = cli_find_self("serve", topo, &o, true, &self);
	if (exitcode == EXIT_OK && results_doc_init(&doc) != RM_OK)
		exitcode = EXIT_RUNTIME;
	if (exitcode != EXIT_OK) {
		topo_free(topo);
		return exitcode;
	}
	cli_doc_start(&doc, &self);
	memset(&cfg, 0, sizeof(cfg));
	cfg.topo = topo;
	cfg.name = self.name;
	cfg.cluster = self.cluster->name;
	cfg.port = (uint16_t)port;
	cfg.standins = standins;
	cfg.note = note;
	cfg.ready = ready;
	rc = serve_run(&cfg, &doc);
	if (rc == RM_ESYS) {
		perror("reachmap serve: cannot open the responder's port");
		exitcode = EXIT_RUNTIME;
	} else if (rc != RM_OK) {
		fprintf(stderr, "reachmap serve: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	} else {
		exitcode = cli_doc_finish("serve", o.out, &doc);
	}
	results_doc_free(&doc);
	topo_free(topo);
	return exitcode;
}

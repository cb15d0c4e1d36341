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

static int name_in_cluster(const struct rm_cluster *c, const char *name, const char **zone,
			   const struct rm_addr **addr)
{
	size_t i;

	for (i = 0; i < c->nprobes; i++)
		if (strcmp(c->probes[i].name, name) == 0) {
			*zone = c->probes[i].zone;
			*addr = &c->probes[i].address;
			return 1;
		}
	for (i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i].name, name) == 0) {
			*zone = c->targets[i].zone;
			*addr = &c->targets[i].address;
			return 1;
		}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	enum { O_STANDINS = 256, O_PORT };
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "standins", no_argument, NULL, O_STANDINS },
		{ "port", required_argument, NULL, O_PORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *topo_path = NULL, *cluster = NULL, *name = NULL, *out_path = NULL;
	unsigned long port = RESP_DEFAULT_PORT;
	struct serve_config cfg;
	struct rm_topology *topo = NULL;
	const struct rm_cluster *c;
	struct rm_results_doc doc;
	const char *zone = NULL;
	const struct rm_addr *addr = NULL;
	bool standins = false;
	FILE *out;
	char *end;
	int opt, rc, exitcode;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":t:c:n:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			topo_path = optarg;
			break;
		case 'c':
			cluster = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case O_STANDINS:
			standins = true;
			break;
		case O_PORT:
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port < 1 || port > 65535)
				return cli_usage_error(
				    "serve", "--port %s: give a port from 1 to 65535", optarg);
			break;
		case 'h':
			serve_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("serve", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument \"%s\"", argv[optind]);
	if (topo_path == NULL || cluster == NULL || name == NULL)
		return cli_usage_error("serve", "--topology, --cluster and --name are required; "
						"see 'reachmap serve --help'");
	exitcode = cli_load_topology("serve", topo_path, &topo);
	if (exitcode != EXIT_OK)
		return exitcode;
	c = topo_cluster(topo, cluster);
	if (c == NULL || !name_in_cluster(c, name, &zone, &addr)) {
		fprintf(stderr, "reachmap serve: %s %s: no such %s in %s\n",
			c ? "--name" : "--cluster", c ? name : cluster,
			c ? "probe or target of that cluster" : "cluster", topo_path);
		topo_free(topo);
		return EXIT_USAGE;
	}
	if (results_doc_init(&doc) != RM_OK) {
		topo_free(topo);
		return EXIT_RUNTIME;
	}
	doc.probe = name;
	doc.cluster = cluster;
	doc.zone = zone;
	doc.addresses = (struct rm_addr *)addr;
	doc.naddresses = 1;
	rm_time_format(rm_time_document(), doc.started, sizeof(doc.started));
	memset(&cfg, 0, sizeof(cfg));
	cfg.topo = topo;
	cfg.name = name;
	cfg.cluster = cluster;
	cfg.port = (uint16_t)port;
	cfg.standins = standins;
	cfg.note = note;
	cfg.ready = ready;
	rc = serve_run(&cfg, &doc);
	if (rc != RM_OK) {
		if (rc == RM_ESYS)
			perror("reachmap serve: cannot open the responder's port");
		else
			fprintf(stderr, "reachmap serve: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rm_time_format(rm_time_document(), doc.finished, sizeof(doc.finished));
	out = cli_open_output("serve", out_path);
	if (out == NULL) {
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rc = results_doc_write_json(&doc, out);
	exitcode = cli_close_output("serve", out_path, out);
	if (rc != RM_OK && exitcode == EXIT_OK)
		exitcode = EXIT_RUNTIME;
done:
	results_doc_free(&doc);
	topo_free(topo);
	return exitcode;
}

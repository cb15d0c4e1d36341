#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "collector/client.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/json_scratch.h"
#include "reachmap/topology.h"
#include "reachmap/util.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "plan", cmd_plan,
	  "check a topology's address plan offline: CIDR overlaps, reserved ranges, DNS "
	  "domains, misplaced addresses; suggest free ranges" },
	{ "probe", cmd_probe,
	  "one round of checks to every peer and target ('reachmap probe --help' lists "
	  "them); a results document out" },
	{ "analyze", cmd_analyze,
	  "explain results documents: the causes behind the failing cells, with evidence "
	  "and remedies" },
	{ "top", cmd_top,
	  "the dashboard: which cluster pairs are broken, why and where, in a terminal" },
	{ "serve", cmd_serve,
	  "the receiving end: identity/NAT responder, stand-in listeners (CQL on CQL "
	  "ports), what arrived" },
	{ "agent", cmd_agent,
	  "what runs in a pod: serve, a probe round every interval, each round pushed to "
	  "every collector (spooled when it cannot go)" },
	{ "collect", cmd_collect,
	  "the collector: takes the agents' rounds over HTTP, keeps the live matrix and "
	  "its history, serves the report, a heat map and Prometheus metrics" },
	{ "check", cmd_check,
	  "the conformance gate: waits for a round of every probe at the collectors, "
	  "then the verdict as analyze gives it" },
	{ "init", cmd_init,
	  "a topology from kubectl's nodes, pods and services of each cluster (and a "
	  "K8ssandraCluster), then plan's checks on it" },
	{ "manifests", cmd_manifests,
	  "a cluster's kustomize overlay from the topology: one agent StatefulSet per "
	  "zone, the NetworkPolicies' ranges, the topology as a ConfigMap" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: reachmap COMMAND [OPTIONS]\n"
	      "\n"
	      "Finds out whether every pod of a database spread over several Kubernetes\n"
	      "clusters can reach every other one, and if not, says why.\n"
	      "\n"
	      "commands:\n",
	      out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "options:\n"
	      "  -h, --help            this text\n"
	      "      --version         the version of reachmap\n"
	      "\n"
	      "'reachmap COMMAND --help' describes a command.\n"
	      "exit codes: 0 all good, 1 the network is not as expected, 2 bad usage or\n"
	      "invalid input, 3 a runtime failure.\n",
	      out);
}

int main(int argc, char **argv)
{
	cJSON_Hooks hooks = { rm_json_malloc, rm_json_free };
	size_t i;

	cJSON_InitHooks(&hooks);
	/* Before any thread: libcurl's set-up is process-wide. */
	if (client_global_init() != RM_OK) {
		fprintf(stderr, "reachmap: cannot set up libcurl\n");
		return EXIT_RUNTIME;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("reachmap %s\n", REACHMAP_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "reachmap: unknown command \"%s\"; 'reachmap --help' lists the commands\n",
		argv[1]);
	return EXIT_USAGE;
}

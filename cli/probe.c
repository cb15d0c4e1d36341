/* reachmap probe --once: one round of checks from this probe to every peer
 * and target of the topology; a reachmap.results/v1 document out. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "probes/caps.h"
#include "probes/engine.h"
#include "probes/facts.h"
#include "probes/resolve.h"
#include "probes/responder.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static void probe_usage(FILE *out)
{
	char checks[128];

	fputs("usage: reachmap probe --topology T --cluster C --name N --once [options]\n"
	      "\n"
	      "One round of checks from probe N of cluster C to every peer probe and target\n"
	      "of every cluster of topology T; writes a reachmap.results/v1 document.\n"
	      "\n"
	      "options:\n"
	      "  -t, --topology FILE   the topology (YAML or JSON)\n"
	      "  -c, --cluster NAME    this probe's cluster\n"
	      "  -n, --name NAME       this probe's name in the topology\n"
	      "      --once            one round, then exit (continuous rounds: reachmap agent)\n"
	      "  -o, --out FILE        write the document to FILE (default: standard output)\n"
	      "      --responder-port P  the responders' port (default 8788)\n",
	      out);
	cli_round_help(out, NULL);
	fputs("  -h, --help            this text\n", out);
	fprintf(out, "\nchecks: %s\n\n", cli_check_names(checks, sizeof(checks)));
	fputs("It sends only to addresses inside the topology's ranges, never to reserved\n"
	      "ones; it opens its raw ICMP socket first and then drops every capability.\n"
	      "exit codes: 0 the round ran (whatever it found), 2 bad usage or topology,\n"
	      "3 a runtime failure.\n",
	      out);
}

struct probe_cli {
	struct rm_results_doc *doc;
	bool tty;
};

static void progress(size_t done, size_t total, void *arg)
{
	struct probe_cli *pc = arg;

	if (pc->tty && (done == total || done % 16 == 0))
		fprintf(stderr, "\rreachmap probe: %zu/%zu checks done%s", done, total,
			done == total ? "\n" : "");
}

static void note(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "reachmap probe: note: %s\n", msg);
}

/* The resolver's notes (a name that did not resolve, an address refused)
 * go where the engine's go: stderr and the document's notes. */
static void resolve_note(const char *msg, void *arg)
{
	struct probe_cli *pc = arg;

	note(msg, NULL);
	if (results_doc_add_note(pc->doc, msg) != RM_OK)
		fprintf(stderr, "reachmap probe: out of memory\n");
}

/* The current address of every entry known only by its dnsName, resolved
 * through this pod's resolv.conf within the round's timeout. RM_OK (names
 * that did not resolve are notes, and dns results of the round),
 * RM_ENOMEM. */
static int resolve_names(const struct rm_topology *topo, struct probe_cli *pc, unsigned timeout_ms,
			 struct probe_addrs **out)
{
	int rc = probe_addrs_new(topo, NULL, resolve_note, pc, out);

	if (rc == RM_OK)
		rc = probe_addrs_resolve(*out, timeout_ms);
	/* Without a usable resolv.conf the table stays empty: the engine
	 * then runs only the dns checks of those entries. */
	return rc == RM_ESYS ? RM_OK : rc;
}

static void opened(void *arg)
{
	struct probe_cli *pc = arg;
	char hex[32];

	if (caps_drop_all() != RM_OK)
		fprintf(stderr, "reachmap probe: warning: could not drop capabilities\n");
	snprintf(hex, sizeof(hex), "%016" PRIx64, caps_effective());
	pc->doc->cap_eff = rm_arena_strdup(pc->doc->arena, hex);
}

struct probe_opts {
	struct cli_pod_opts pod;
	struct cli_round_opts round;
	unsigned long rport;
	bool once;
};

/* The command line into o; EXIT_OK, EXIT_USAGE after a message, or -1 when
 * --help was printed. */
static int probe_args(int argc, char **argv, struct probe_opts *o)
{
	enum { O_ONCE = 256, O_RESPPORT };
	static const struct option longopts[] = {
		CLI_POD_LONGOPTS,
		CLI_ROUND_LONGOPTS,
		{ "once", no_argument, NULL, O_ONCE },
		{ "responder-port", required_argument, NULL, O_RESPPORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	opterr = 0;
	optind = 1;
	while (rc == EXIT_OK &&
	       (opt = getopt_long(argc, argv, ":t:c:n:o:h", longopts, NULL)) != -1) {
		if (cli_pod_opt(opt, optarg, &o->pod) ||
		    cli_round_opt("probe", opt, optarg, &o->round, &rc))
			continue;
		switch (opt) {
		case O_ONCE:
			o->once = true;
			break;
		case O_RESPPORT:
			rc = cli_parse_num("probe", "--responder-port", optarg, 1, 65535,
					   "a whole number", &o->rport);
			break;
		case 'h':
			probe_usage(stdout);
			return -1;
		default:
			return cli_option_error("probe", opt, argv);
		}
	}
	if (rc == EXIT_OK)
		rc = cli_pod_args("probe", argc, argv, &o->pod);
	if (rc == EXIT_OK && !o->once)
		rc = cli_usage_error("probe", "give --once (continuous rounds: reachmap agent)");
	return rc;
}

static void probe_config_fill(struct probe_config *cfg, struct probe_opts *o,
			      const struct rm_topology *topo, const struct cli_self *self,
			      struct probe_cli *pc)
{
	cli_round_config(&o->round, topo, self, cfg);
	cfg->responder_port = (uint16_t)o->rport;
	cfg->progress = progress;
	cfg->progress_arg = pc;
	cfg->opened = opened;
	cfg->note = note;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = { .rport = RESP_DEFAULT_PORT };
	struct rm_topology *topo = NULL;
	struct rm_results_doc doc;
	struct probe_config cfg;
	struct probe_cli pc;
	struct probe_addrs *addrs = NULL;
	struct cli_self self;
	struct rm_diag diag;
	int rc, exitcode;

	cli_round_defaults(&o.round);
	exitcode = probe_args(argc, argv, &o);
	if (exitcode != EXIT_OK)
		return exitcode < 0 ? EXIT_OK : exitcode;
	exitcode = cli_load_topology("probe", o.pod.topology, &topo);
	if (exitcode == EXIT_OK)
		exitcode = cli_find_self("probe", topo, &o.pod, false, &self);
	if (exitcode == EXIT_OK && results_doc_init(&doc) != RM_OK)
		exitcode = EXIT_RUNTIME;
	if (exitcode != EXIT_OK) {
		topo_free(topo);
		return exitcode;
	}
	cli_raise_fd_limit();
	pc.doc = &doc;
	pc.tty = isatty(STDERR_FILENO);
	probe_config_fill(&cfg, &o, topo, &self, &pc);
	rm_diag_clear(&diag);
	cfg.diag = &diag;
	cli_doc_start(&doc, &self);
	doc.mode = o.round.mode;
	if (facts_collect(&doc, "/etc/resolv.conf") != RM_OK ||
	    resolve_names(topo, &pc, cfg.timeout_ms, &addrs) != RM_OK) {
		fprintf(stderr, "reachmap probe: out of memory\n");
		exitcode = EXIT_RUNTIME;
	} else {
		cfg.addrs = addrs;
		rc = engine_run(&cfg, &doc);
		if (rc != RM_OK) {
			fprintf(stderr, "reachmap probe: %s\n",
				diag.error[0] ? diag.error : rm_strerror(rc));
			exitcode = EXIT_RUNTIME;
		} else {
			exitcode = cli_doc_finish("probe", o.pod.out, &doc);
		}
	}
	probe_addrs_free(addrs);
	results_doc_free(&doc);
	topo_free(topo);
	return exitcode;
}

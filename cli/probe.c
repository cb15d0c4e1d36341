/* reachmap probe --once: one round of checks from this probe to every peer
 * and target of the topology; a reachmap.results/v1 document out. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

	fputs(
	    "usage: reachmap probe --topology T --cluster C --name N --once [options]\n"
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
	    "      --rate PPS        packets per second at most (default: the topology's rate)\n"
	    "      --timeout MS      how long to wait for an answer (default: the topology's)\n"
	    "      --mode MODE       raw (SYNs built with libnet, answers captured with libpcap;\n"
	    "                        needs CAP_NET_RAW) or connect (non-blocking connect());\n"
	    "                        default raw with CAP_NET_RAW, else connect\n"
	    "      --checks LIST     some of the checks below, comma-separated (default: all)\n"
	    "      --responder-port P  the responders' port (default 8788)\n"
	    "      --icmp-count N    echo requests per destination, 1 to 8 (default 3)\n"
	    "      --allow-loopback  also probe 127.0.0.0/8 (tests only)\n"
	    "  -h, --help            this text\n",
	    out);
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

static int parse_checks(const char *list, unsigned *out)
{
	char buf[256], names[128];
	char *tok, *save = NULL;

	*out = 0;
	if (strlen(list) >= sizeof(buf))
		return cli_usage_error("probe", "--checks: too long");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum rm_check c;

		if (rm_check_parse(tok, &c) != RM_OK || probe_ops_for(c) == NULL)
			return cli_usage_error("probe", "--checks: \"%s\" is not a check (%s)", tok,
					       cli_check_names(names, sizeof(names)));
		*out |= 1u << c;
	}
	if (*out == 0)
		return cli_usage_error("probe", "--checks: empty");
	return 0;
}

/* Every check the engine runs. */
static unsigned all_checks(void)
{
	unsigned checks = 0, c;

	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (probe_ops_for((enum rm_check)c) != NULL)
			checks |= 1u << c;
	return checks;
}

struct probe_opts {
	struct cli_pod_opts pod;
	unsigned long rate, timeout, rport, icmpn;
	unsigned checks;
	bool once, loopback;
	const char *mode;
};

/* The command line into o; EXIT_OK, EXIT_USAGE after a message, or -1 when
 * --help was printed. */
static int probe_args(int argc, char **argv, struct probe_opts *o)
{
	enum { O_ONCE = 256, O_RATE, O_TIMEOUT, O_MODE, O_CHECKS, O_LOOPBACK, O_RESPPORT, O_ICMPN };
	static const struct option longopts[] = {
		CLI_POD_LONGOPTS,
		{ "once", no_argument, NULL, O_ONCE },
		{ "rate", required_argument, NULL, O_RATE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "mode", required_argument, NULL, O_MODE },
		{ "checks", required_argument, NULL, O_CHECKS },
		{ "allow-loopback", no_argument, NULL, O_LOOPBACK },
		{ "responder-port", required_argument, NULL, O_RESPPORT },
		{ "icmp-count", required_argument, NULL, O_ICMPN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *num = "a whole number";
	int opt, rc = EXIT_OK;

	opterr = 0;
	optind = 1;
	while (rc == EXIT_OK &&
	       (opt = getopt_long(argc, argv, ":t:c:n:o:h", longopts, NULL)) != -1) {
		if (cli_pod_opt(opt, optarg, &o->pod))
			continue;
		switch (opt) {
		case O_ONCE:
			o->once = true;
			break;
		case O_RATE:
			rc = cli_parse_num("probe", "--rate", optarg, 1, 1000000, num, &o->rate);
			break;
		case O_TIMEOUT:
			rc =
			    cli_parse_num("probe", "--timeout", optarg, 1, 60000, num, &o->timeout);
			break;
		case O_ICMPN:
			rc = cli_parse_num("probe", "--icmp-count", optarg, 1, 8, num, &o->icmpn);
			break;
		case O_RESPPORT:
			rc = cli_parse_num("probe", "--responder-port", optarg, 1, 65535, num,
					   &o->rport);
			break;
		case O_MODE:
			if (strcmp(optarg, "raw") != 0 && strcmp(optarg, "connect") != 0)
				return cli_usage_error("probe", "--mode %s: give raw or connect",
						       optarg);
			o->mode = optarg;
			break;
		case O_CHECKS:
			rc = parse_checks(optarg, &o->checks) ? EXIT_USAGE : EXIT_OK;
			break;
		case O_LOOPBACK:
			o->loopback = true;
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
		rc = cli_usage_error("probe", "give --once (continuous rounds are reachmap "
					      "agent's, not built yet)");
	return rc;
}

/* One socket per check in flight: take all the descriptors the hard limit
 * allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void probe_config_fill(struct probe_config *cfg, const struct probe_opts *o,
			      const struct rm_topology *topo, const struct cli_self *self,
			      struct probe_cli *pc)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->topo = topo;
	cfg->cluster = self->cluster;
	cfg->name = self->name;
	cfg->timeout_ms = o->timeout ? (unsigned)o->timeout : topo->timeout_ms;
	cfg->rate = o->rate ? (double)o->rate : topo->rate;
	cfg->checks = o->checks;
	cfg->allow_loopback = o->loopback;
	cfg->responder_port = (uint16_t)o->rport;
	cfg->icmp_count = (unsigned)o->icmpn;
	cfg->raw = strcmp(o->mode, "raw") == 0;
	cfg->progress = progress;
	cfg->progress_arg = pc;
	cfg->opened = opened;
	cfg->note = note;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = { .rport = RESP_DEFAULT_PORT, .icmpn = 3, .checks = all_checks() };
	struct rm_topology *topo = NULL;
	struct rm_results_doc doc;
	struct probe_config cfg;
	struct probe_cli pc;
	struct probe_addrs *addrs = NULL;
	struct cli_self self;
	struct rm_diag diag;
	int rc, exitcode = probe_args(argc, argv, &o);

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
	raise_fd_limit();
	if (o.mode == NULL)
		o.mode = caps_have_net_raw() ? "raw" : "connect";
	pc.doc = &doc;
	pc.tty = isatty(STDERR_FILENO);
	probe_config_fill(&cfg, &o, topo, &self, &pc);
	rm_diag_clear(&diag);
	cfg.diag = &diag;
	cli_doc_start(&doc, &self);
	doc.mode = o.mode;
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

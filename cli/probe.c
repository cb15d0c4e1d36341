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
#include "probes/responder.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static void probe_usage(FILE *out)
{
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
	    "      --checks LIST     icmp,tcp,cql,identity,dns,mtu,path (default: all)\n"
	    "      --responder-port P  the responders' port (default 8788)\n"
	    "      --icmp-count N    echo requests per destination, 1 to 8 (default 3)\n"
	    "      --allow-loopback  also probe 127.0.0.0/8 (tests only)\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "It sends only to addresses inside the topology's ranges, never to reserved\n"
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
	char buf[256];
	char *tok, *save = NULL;

	*out = 0;
	if (strlen(list) >= sizeof(buf))
		return cli_usage_error("probe", "--checks: too long");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum rm_check c;

		if (rm_check_parse(tok, &c) != RM_OK)
			return cli_usage_error("probe", "--checks: \"%s\" is not a check (%s)", tok,
					       "icmp, tcp, cql, identity, dns, mtu, path");
		if (probe_ops_for(c) == NULL)
			return cli_usage_error(
			    "probe",
			    "--checks: %s is not built yet; this build runs icmp, "
			    "tcp, cql, identity and dns",
			    tok);
		*out |= 1u << c;
	}
	if (*out == 0)
		return cli_usage_error("probe", "--checks: empty");
	return 0;
}

static int parse_num(const char *opt, const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || s[0] == '-' || v < min || v > max)
		return cli_usage_error("probe", "%s %s: give a whole number from %lu to %lu", opt,
				       s, min, max);
	*out = v;
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	enum { O_ONCE = 256, O_RATE, O_TIMEOUT, O_MODE, O_CHECKS, O_LOOPBACK, O_RESPPORT, O_ICMPN };
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
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
	const char *topo_path = NULL, *cluster = NULL, *name = NULL, *out_path = NULL;
	unsigned long rate = 0, timeout = 0, rport = RESP_DEFAULT_PORT, icmpn = 3;
	unsigned checks = (1u << RM_CHECK_ICMP) | (1u << RM_CHECK_TCP) | (1u << RM_CHECK_CQL) |
			  (1u << RM_CHECK_IDENTITY) | (1u << RM_CHECK_DNS) | (1u << RM_CHECK_MTU) |
			  (1u << RM_CHECK_PATH);
	bool once = false, loopback = false;
	const char *mode = NULL;
	struct rm_diag diag;
	struct rm_topology *topo = NULL;
	struct rm_results_doc doc;
	struct probe_config cfg;
	struct probe_cli pc;
	const struct rm_probe *self = NULL;
	size_t i;
	FILE *out;
	int opt, rc, exitcode = EXIT_OK;

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
		case O_ONCE:
			once = true;
			break;
		case O_RATE:
			if (parse_num("--rate", optarg, 1, 1000000, &rate))
				return EXIT_USAGE;
			break;
		case O_TIMEOUT:
			if (parse_num("--timeout", optarg, 1, 60000, &timeout))
				return EXIT_USAGE;
			break;
		case O_ICMPN:
			if (parse_num("--icmp-count", optarg, 1, 8, &icmpn))
				return EXIT_USAGE;
			break;
		case O_RESPPORT:
			if (parse_num("--responder-port", optarg, 1, 65535, &rport))
				return EXIT_USAGE;
			break;
		case O_MODE:
			if (strcmp(optarg, "raw") != 0 && strcmp(optarg, "connect") != 0)
				return cli_usage_error("probe", "--mode %s: give raw or connect",
						       optarg);
			mode = optarg;
			break;
		case O_CHECKS:
			if (parse_checks(optarg, &checks))
				return EXIT_USAGE;
			break;
		case O_LOOPBACK:
			loopback = true;
			break;
		case 'h':
			probe_usage(stdout);
			return EXIT_OK;
		default:
			return cli_option_error("probe", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("probe", "unexpected argument \"%s\"", argv[optind]);
	if (topo_path == NULL || cluster == NULL || name == NULL)
		return cli_usage_error("probe", "--topology, --cluster and --name are required; "
						"see 'reachmap probe --help'");
	if (!once)
		return cli_usage_error("probe",
				       "give --once (continuous rounds are reachmap agent's, "
				       "not built yet)");

	exitcode = cli_load_topology("probe", topo_path, &topo);
	if (exitcode != EXIT_OK)
		return exitcode;
	{
		struct rlimit rl;

		/* One socket per check in flight: take all the descriptors the
		 * hard limit allows. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.cluster = topo_cluster(topo, cluster);
	if (cfg.cluster == NULL) {
		fprintf(stderr, "reachmap probe: --cluster %s: no such cluster in %s\n", cluster,
			topo_path);
		topo_free(topo);
		return EXIT_USAGE;
	}
	for (i = 0; i < cfg.cluster->nprobes; i++)
		if (strcmp(cfg.cluster->probes[i].name, name) == 0)
			self = &cfg.cluster->probes[i];
	if (self == NULL) {
		fprintf(stderr, "reachmap probe: --name %s: no such probe in cluster %s of %s\n",
			name, cluster, topo_path);
		topo_free(topo);
		return EXIT_USAGE;
	}
	if (results_doc_init(&doc) != RM_OK) {
		topo_free(topo);
		return EXIT_RUNTIME;
	}
	cfg.topo = topo;
	cfg.name = self->name;
	cfg.timeout_ms = timeout ? (unsigned)timeout : topo->timeout_ms;
	cfg.rate = rate ? (double)rate : topo->rate;
	cfg.checks = checks;
	cfg.allow_loopback = loopback;
	cfg.responder_port = (uint16_t)rport;
	cfg.icmp_count = (unsigned)icmpn;
	if (mode == NULL)
		mode = caps_have_net_raw() ? "raw" : "connect";
	cfg.raw = strcmp(mode, "raw") == 0;
	rm_diag_clear(&diag);
	cfg.diag = &diag;
	pc.doc = &doc;
	pc.tty = isatty(STDERR_FILENO);
	cfg.progress = progress;
	cfg.progress_arg = &pc;
	cfg.opened = opened;
	cfg.note = note;

	doc.probe = self->name;
	doc.cluster = cfg.cluster->name;
	doc.zone = self->zone;
	doc.mode = mode;
	doc.addresses = (struct rm_addr *)&self->address;
	doc.naddresses = 1;
	rm_time_format(rm_time_document(), doc.started, sizeof(doc.started));
	if (facts_collect(&doc, "/etc/resolv.conf") != RM_OK) {
		fprintf(stderr, "reachmap probe: out of memory\n");
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rc = engine_run(&cfg, &doc);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap probe: %s\n",
			diag.error[0] ? diag.error : rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rm_time_format(rm_time_document(), doc.finished, sizeof(doc.finished));
	out = cli_open_output("probe", out_path);
	if (out == NULL) {
		exitcode = EXIT_RUNTIME;
		goto done;
	}
	rc = results_doc_write_json(&doc, out);
	exitcode = cli_close_output("probe", out_path, out);
	if (rc != RM_OK && exitcode == EXIT_OK) {
		fprintf(stderr, "reachmap probe: %s\n", rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	}
done:
	results_doc_free(&doc);
	topo_free(topo);
	return exitcode;
}

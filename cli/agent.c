/* reachmap agent: what runs in a pod. serve, a probe round every interval,
 * and every document pushed to every collector (agent/agent.h). Its
 * configuration comes from flags or from the environment (a pod spec
 * needs no wrapper script); flags win. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "collector/client.h"
#include "probes/caps.h"
#include "probes/responder.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/token.h"

#define AGENT_MAX_COLLECTORS 16
#define AGENT_INTERVAL_MAX   3600

static void agent_usage(FILE *out)
{
	char checks[128];

	fputs("usage: reachmap agent --topology T --cluster C --name N --collector URL\n"
	      "                      [--collector URL ...] [options]\n"
	      "\n"
	      "What runs in a pod: for its whole life what 'reachmap serve' does (the\n"
	      "responder, with --standins the topology's ports, the capture of arrivals),\n"
	      "and every interval one probe round to every peer and target; each round's\n"
	      "results and what arrived go to every collector. A push that fails waits in\n"
	      "a spool on disk and is retried, oldest first; a full spool drops its oldest\n"
	      "rounds and the next push says how many. A target of the topology (not a\n"
	      "probe) only serves and pushes what arrived.\n"
	      "\n"
	      "options (environment variable in brackets; a flag wins over it):\n"
	      "  -t, --topology FILE   the topology (YAML or JSON) [REACHMAP_TOPOLOGY]\n"
	      "  -c, --cluster NAME    this pod's cluster [REACHMAP_CLUSTER]\n"
	      "  -n, --name NAME       this pod's name: a probe or target [POD_NAME]\n"
	      "      --collector URL   a collector, http:// or https://; repeat for each\n"
	      "                        [REACHMAP_COLLECTOR, comma-separated]\n"
	      "      --interval S      seconds between rounds, 1 to 3600, +-10% jitter\n"
	      "                        (default 10) [REACHMAP_INTERVAL]\n"
	      "      --spool DIR       where pushes that failed wait, a directory per\n"
	      "                        collector (default $TMPDIR/reachmap-spool-NAME)\n"
	      "                        [REACHMAP_SPOOL]\n"
	      "      --spool-max N     rounds kept per collector (default 360)\n"
	      "      --token-file F    the collectors' bearer token [REACHMAP_TOKEN_FILE]\n"
	      "      --ca-file F       CA bundle for https collectors [REACHMAP_CA_FILE]\n"
	      "      --address A       this pod's address, registered with the collectors\n"
	      "                        (default: from the interfaces) [POD_IP]\n"
	      "      --standins        listen on the topology's ports too [REACHMAP_STANDINS=1]\n"
	      "      --port P          the responder's port, here and at the peers (default\n"
	      "                        8788)\n",
	      out);
	cli_round_help(out, "REACHMAP_MODE");
	fputs("  -q, --quiet           no line per round\n"
	      "  -h, --help            this text\n",
	      out);
	fprintf(out, "\nchecks: %s\n\n", cli_check_names(checks, sizeof(checks)));
	fputs("On standard error: \"ready: N listeners, interval S s, M collector(s)\" once\n"
	      "serving, then a line per round: round=N started=TIME duration_ms=D\n"
	      "results=R arrivals=A pushed=OK/TOTAL spool=K lost=L (and packets=P rate=R\n"
	      "over=yes when the round's packets at the rate take longer than the interval).\n"
	      "In raw mode it keeps only CAP_NET_RAW once listening; in connect mode none.\n"
	      "SIGTERM or SIGINT: the round in flight ends within 2 s, the spool is on disk.\n"
	      "exit codes: 0 stopped by a signal, 2 bad usage, topology or token, 3 a runtime\n"
	      "failure (the responder's port in use, the spool not writable).\n",
	      out);
}

struct agent_opts {
	struct cli_pod_opts pod;
	struct cli_round_opts round;
	const char *collectors[AGENT_MAX_COLLECTORS];
	size_t ncollectors;
	bool flag_collectors; /* the env's list is replaced by the first flag */
	char *env_collectors; /* REACHMAP_COLLECTOR, split in place */
	unsigned long interval, spool_max, port;
	const char *spool, *token_file, *ca_file, *address, *address_from;
	bool name_env, cluster_env; /* --name, --cluster from POD_NAME, REACHMAP_CLUSTER */
	const char *token_from, *ca_from;
	bool standins, quiet;
};

static int add_collector(struct agent_opts *o, const char *from, const char *url)
{
	if (*url == '\0')
		return cli_usage_error("agent", "%s: an empty collector URL", from);
	if (o->ncollectors == AGENT_MAX_COLLECTORS)
		return cli_usage_error("agent", "%s: at most %d collectors", from,
				       AGENT_MAX_COLLECTORS);
	o->collectors[o->ncollectors++] = url;
	return EXIT_OK;
}

/* The environment, before the flags that win over it. */
static int agent_env(struct agent_opts *o)
{
	const char *v;
	char *tok, *save = NULL;
	int rc = EXIT_OK;

	o->pod.topology = getenv("REACHMAP_TOPOLOGY");
	o->cluster_env = (o->pod.cluster = getenv("REACHMAP_CLUSTER")) != NULL;
	o->name_env = (o->pod.name = getenv("POD_NAME")) != NULL;
	o->spool = getenv("REACHMAP_SPOOL");
	o->token_file = getenv("REACHMAP_TOKEN_FILE");
	o->token_from = "REACHMAP_TOKEN_FILE";
	o->ca_file = getenv("REACHMAP_CA_FILE");
	o->ca_from = "REACHMAP_CA_FILE";
	if ((o->address = getenv("POD_IP")) != NULL)
		o->address_from = "POD_IP";
	if ((v = getenv("REACHMAP_STANDINS")) != NULL && strcmp(v, "") != 0) {
		if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)
			return cli_usage_error("agent", "REACHMAP_STANDINS=%s: give 1 or 0", v);
		o->standins = strcmp(v, "1") == 0;
	}
	if ((v = getenv("REACHMAP_INTERVAL")) != NULL)
		rc = cli_parse_num("agent", "REACHMAP_INTERVAL", v, 1, AGENT_INTERVAL_MAX,
				   "a whole number of seconds", &o->interval);
	if (rc == EXIT_OK && (v = getenv("REACHMAP_MODE")) != NULL)
		rc = cli_parse_mode("agent", "REACHMAP_MODE", v, &o->round.mode);
	if (rc == EXIT_OK && (v = getenv("REACHMAP_COLLECTOR")) != NULL) {
		if ((o->env_collectors = rm_strdup(v)) == NULL)
			return EXIT_RUNTIME;
		for (tok = strtok_r(o->env_collectors, ",", &save); tok && rc == EXIT_OK;
		     tok = strtok_r(NULL, ",", &save))
			rc = add_collector(o, "REACHMAP_COLLECTOR", tok);
	}
	return rc;
}

/* One of agent's own options (not the pod's or the round's). */
static int agent_opt(struct agent_opts *o, int opt, char **argv)
{
	const char *num = "a whole number";

	switch (opt) {
	case 'C':
		if (!o->flag_collectors)
			o->ncollectors = 0;
		o->flag_collectors = true;
		return add_collector(o, "--collector", optarg);
	case 'I':
		return cli_parse_num("agent", "--interval", optarg, 1, AGENT_INTERVAL_MAX,
				     "a whole number of seconds", &o->interval);
	case 'S':
		o->spool = optarg;
		return EXIT_OK;
	case 'M':
		return cli_parse_num("agent", "--spool-max", optarg, 1, 1000000, num,
				     &o->spool_max);
	case 'T':
		o->token_file = optarg;
		o->token_from = "--token-file";
		return EXIT_OK;
	case 'A':
		o->ca_file = optarg;
		o->ca_from = "--ca-file";
		return EXIT_OK;
	case 'a':
		o->address = optarg;
		o->address_from = "--address";
		return EXIT_OK;
	case 's':
		o->standins = true;
		return EXIT_OK;
	case 'P':
		return cli_parse_num("agent", "--port", optarg, 1, 65535, "a port", &o->port);
	case 'q':
		o->quiet = true;
		return EXIT_OK;
	default:
		return cli_option_error("agent", opt, argv);
	}
}

/* Flags over the environment: EXIT_OK, EXIT_USAGE after a message, or -1
 * after --help. */
static int agent_args(int argc, char **argv, struct agent_opts *o)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		CLI_ROUND_LONGOPTS,
		{ "collector", required_argument, NULL, 'C' },
		{ "interval", required_argument, NULL, 'I' },
		{ "spool", required_argument, NULL, 'S' },
		{ "spool-max", required_argument, NULL, 'M' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "ca-file", required_argument, NULL, 'A' },
		{ "address", required_argument, NULL, 'a' },
		{ "standins", no_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	opterr = 0;
	optind = 1;
	while (rc == EXIT_OK &&
	       (opt = getopt_long(argc, argv, ":t:c:n:qh", longopts, NULL)) != -1) {
		if (opt == 'c')
			o->cluster_env = false;
		if (opt == 'n')
			o->name_env = false;
		if (cli_pod_opt(opt, optarg, &o->pod) ||
		    cli_round_opt("agent", opt, optarg, &o->round, &rc))
			continue;
		if (opt == 'h') {
			agent_usage(stdout);
			return -1;
		}
		rc = agent_opt(o, opt, argv);
	}
	if (rc != EXIT_OK)
		return rc;
	if (optind < argc)
		return cli_usage_error("agent", "unexpected argument \"%s\"", argv[optind]);
	if (o->pod.topology == NULL || o->pod.cluster == NULL || o->pod.name == NULL)
		return cli_usage_error("agent",
				       "--topology, --cluster and --name are required "
				       "(or REACHMAP_TOPOLOGY, REACHMAP_CLUSTER, POD_NAME); "
				       "see 'reachmap agent --help'");
	if (o->ncollectors == 0)
		return cli_usage_error("agent", "give at least one --collector URL (or "
						"REACHMAP_COLLECTOR); see 'reachmap agent --help'");
	return EXIT_OK;
}

/* What the options name, checked before anything starts: the address, the
 * collectors' URLs, the token, the CA file, the spool's default. */
static int agent_check(struct agent_opts *o, struct agent_config *cfg, char **token, char **spool)
{
	struct rm_diag d;
	size_t i;

	if (o->address != NULL && cidr_addr_parse(o->address, &cfg->address) != RM_OK)
		return cli_usage_error("agent", "%s %s: not an IP address", o->address_from,
				       o->address);
	for (i = 0; i < o->ncollectors; i++) {
		struct client *c = NULL;

		rm_diag_clear(&d);
		if (client_new(o->collectors[i], NULL, &c, &d) != RM_OK)
			return cli_usage_error(
			    "agent", "%s %s",
			    o->flag_collectors ? "--collector:" : "REACHMAP_COLLECTOR:", d.error);
		client_free(c);
	}
	rm_diag_clear(&d);
	if (o->token_file != NULL && rm_token_load(o->token_file, token, &d) != RM_OK)
		return cli_usage_error("agent", "%s: %s", o->token_from, d.error);
	if (o->ca_file != NULL && access(o->ca_file, R_OK) != 0)
		return cli_usage_error("agent", "%s %s: cannot read it: %s", o->ca_from, o->ca_file,
				       strerror(errno));
	if (o->spool == NULL) {
		const char *tmp = getenv("TMPDIR");
		size_t n;

		tmp = tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
		n = strlen(tmp) + strlen(o->pod.name) + sizeof("/reachmap-spool-");
		if ((*spool = rm_malloc(n)) == NULL)
			return EXIT_RUNTIME;
		snprintf(*spool, n, "%s/reachmap-spool-%s", tmp, o->pod.name);
		o->spool = *spool;
	}
	return EXIT_OK;
}

/* This pod in the topology; a name or cluster from the environment is
 * named as its variable when it is not there. */
static int agent_self(const struct agent_opts *o, const struct rm_topology *topo,
		      struct cli_self *self)
{
	const struct rm_cluster *c = topo_cluster(topo, o->pod.cluster);
	size_t i;
	bool found = false;

	if (c == NULL && o->cluster_env)
		return cli_usage_error("agent", "REACHMAP_CLUSTER %s: no such cluster in %s",
				       o->pod.cluster, o->pod.topology);
	for (i = 0; c != NULL && i < c->nprobes; i++)
		found |= strcmp(c->probes[i].name, o->pod.name) == 0;
	for (i = 0; c != NULL && i < c->ntargets; i++)
		found |= strcmp(c->targets[i].name, o->pod.name) == 0;
	if (c != NULL && !found && o->name_env)
		return cli_usage_error("agent",
				       "POD_NAME %s: no such probe or target of cluster %s in %s",
				       o->pod.name, o->pod.cluster, o->pod.topology);
	return cli_find_self("agent", topo, &o->pod, true, self);
}

static void agent_log(const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "reachmap agent: %s\n", line);
	fflush(stderr);
}

static void serve_note(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "reachmap agent: note: %s\n", msg);
}

/* Once listening, before any thread: a probe in raw mode keeps CAP_NET_RAW
 * alone (each round opens its raw sockets again); connect mode, and a
 * target (it only serves), keep nothing. */
static void drop_caps(unsigned listeners, void *arg)
{
	const struct agent_config *cfg = arg;
	int rc =
	    cfg->probe && strcmp(cfg->mode, "raw") == 0 ? caps_keep_net_raw() : caps_drop_all();

	(void)listeners;
	if (rc != RM_OK)
		fprintf(stderr, "reachmap agent: warning: could not drop capabilities\n");
}

static void agent_fill(struct agent_opts *o, const struct rm_topology *topo,
		       const struct cli_self *self, struct agent_config *cfg)
{
	cfg->topo = topo;
	cfg->cluster = self->cluster;
	cfg->name = self->name;
	cfg->zone = self->zone;
	cfg->dns_name = self->dns_name;
	cfg->probe = self->probe;
	cfg->topo_address = self->address;
	cfg->collectors = o->collectors;
	cfg->ncollectors = o->ncollectors;
	cfg->ca_file = o->ca_file;
	cfg->spool = o->spool;
	cfg->spool_max = (unsigned)o->spool_max;
	cfg->interval_s = (unsigned)o->interval;
	cli_round_config(&o->round, topo, self, &cfg->probe_cfg);
	cfg->mode = o->round.mode;
	cfg->probe_cfg.responder_port = (uint16_t)o->port;
	cfg->serve_cfg.topo = topo;
	cfg->serve_cfg.name = self->name;
	cfg->serve_cfg.cluster = self->cluster->name;
	cfg->serve_cfg.port = (uint16_t)o->port;
	cfg->serve_cfg.standins = o->standins;
	cfg->serve_cfg.note = serve_note;
	cfg->serve_cfg.ready = drop_caps;
	cfg->serve_cfg.note_arg = cfg;
	cfg->quiet = o->quiet;
	cfg->log = agent_log;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_opts o = { .interval = 10, .spool_max = 360, .port = RESP_DEFAULT_PORT };
	struct agent_config cfg;
	struct rm_topology *topo = NULL;
	struct cli_self self;
	struct rm_diag d;
	char *token = NULL, *spool = NULL;
	int rc, exitcode;

	memset(&cfg, 0, sizeof(cfg));
	cli_round_defaults(&o.round);
	exitcode = agent_env(&o);
	if (exitcode == EXIT_OK)
		exitcode = agent_args(argc, argv, &o);
	if (exitcode == EXIT_OK)
		exitcode = agent_check(&o, &cfg, &token, &spool);
	if (exitcode == EXIT_OK)
		exitcode = cli_load_topology("agent", o.pod.topology, &topo);
	if (exitcode == EXIT_OK)
		exitcode = agent_self(&o, topo, &self);
	if (exitcode == EXIT_OK && self.probe && o.round.mode != NULL &&
	    strcmp(o.round.mode, "raw") == 0 && !caps_have_net_raw())
		exitcode = cli_usage_error("agent", "--mode raw needs CAP_NET_RAW: give it to "
						    "the process, or give --mode connect");
	if (exitcode == EXIT_OK) {
		cli_raise_fd_limit();
		agent_fill(&o, topo, &self, &cfg);
		cfg.token = token;
		rm_diag_clear(&d);
		rc = agent_run(&cfg, &d);
		if (rc != RM_OK) {
			fprintf(stderr, "reachmap agent: %s\n",
				d.error[0] ? d.error : rm_strerror(rc));
			exitcode = rc == RM_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
		}
	}
	if (token != NULL) {
		memset(token, 0, strlen(token));
		rm_free(token);
	}
	rm_free(spool);
	rm_free(o.env_collectors);
	topo_free(topo);
	return exitcode < 0 ? EXIT_OK : exitcode;
}

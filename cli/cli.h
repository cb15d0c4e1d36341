/* The subcommands; cli/ only parses arguments and wires stages together. */
#ifndef REACHMAP_CLI_H
#define REACHMAP_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reachmap/cidr.h"

/* Exit codes everywhere (DESIGN.md, "The command line"). */
enum {
	EXIT_OK = 0,	  /* all good */
	EXIT_NETWORK = 1, /* the network is not as expected */
	EXIT_USAGE = 2,	  /* bad usage or invalid input */
	EXIT_RUNTIME = 3, /* a runtime failure */
};

int cmd_plan(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_manifests(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* "reachmap CMD: " + message + "\n" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message for getopt_long's ':' (a value missing) or '?' (an unknown
 * option), run with opterr 0 and optstring starting with ':'; EXIT_USAGE. */
int cli_option_error(const char *cmd, int opt, char **argv);

/* Loads a topology, printing its warnings and, on failure, its error as
 * "reachmap CMD: ...". EXIT_OK and *out (free with topo_free), or the exit
 * code to return (EXIT_USAGE for a bad file, EXIT_RUNTIME out of memory). */
struct rm_topology;
int cli_load_topology(const char *cmd, const char *path, struct rm_topology **out);

/* s as a whole number in [min, max] into *out: EXIT_OK, or EXIT_USAGE after
 * "reachmap CMD: OPT S: give WHAT from MIN to MAX" ("a port", "a whole
 * number"). */
int cli_parse_num(const char *cmd, const char *opt, const char *s, unsigned long min,
		  unsigned long max, const char *what, unsigned long *out);

/* The options of a command that speaks for one pod of the topology:
 * -t/--topology, -c/--cluster, -n/--name, -o/--out. */
struct cli_pod_opts {
	const char *topology, *cluster, *name, *out;
};

/* Their rows of getopt_long's table; the short options are "t:c:n:o:". */
/* clang-format off */
#define CLI_POD_LONGOPTS                              \
	{ "topology", required_argument, NULL, 't' }, \
	{ "cluster", required_argument, NULL, 'c' },  \
	{ "name", required_argument, NULL, 'n' },     \
	{ "out", required_argument, NULL, 'o' }
/* clang-format on */

/* Takes getopt's opt when it is one of those (1), else 0. */
int cli_pod_opt(int opt, const char *arg, struct cli_pod_opts *o);

/* After the options: no stray argument, and the three required ones given.
 * EXIT_OK, or EXIT_USAGE after a message. */
int cli_pod_args(const char *cmd, int argc, char **argv, const struct cli_pod_opts *o);

/* The probe engine's options that probe and agent share: --rate,
 * --timeout, --mode, --checks, --icmp-count, --allow-loopback. */
struct cli_round_opts {
	unsigned long rate, timeout, icmpn; /* 0: the topology's (icmpn: 3) */
	unsigned checks;		    /* bit (1 << enum rm_check) each */
	bool loopback;
	const char *mode; /* "raw", "connect"; NULL: raw with CAP_NET_RAW */
};

/* Their rows of getopt_long's table (values from 0x200 up). */
enum {
	CLI_O_RATE = 0x200,
	CLI_O_TIMEOUT,
	CLI_O_MODE,
	CLI_O_CHECKS,
	CLI_O_ICMPN,
	CLI_O_LOOPBACK,
};
/* clang-format off */
#define CLI_ROUND_LONGOPTS                                        \
	{ "rate", required_argument, NULL, CLI_O_RATE },          \
	{ "timeout", required_argument, NULL, CLI_O_TIMEOUT },    \
	{ "mode", required_argument, NULL, CLI_O_MODE },          \
	{ "checks", required_argument, NULL, CLI_O_CHECKS },      \
	{ "icmp-count", required_argument, NULL, CLI_O_ICMPN },   \
	{ "allow-loopback", no_argument, NULL, CLI_O_LOOPBACK }
/* clang-format on */

/* Their help lines, as probe and agent print them; mode_env (or NULL)
 * names the variable that sets --mode too. */
void cli_round_help(FILE *out, const char *mode_env);

/* Every check, three echo requests, the rest the topology's. */
void cli_round_defaults(struct cli_round_opts *o);

/* Takes getopt's opt when it is one of those (1, and *rc: EXIT_OK, or
 * EXIT_USAGE after a message naming `opt_name`), else 0. */
int cli_round_opt(const char *cmd, int opt, const char *arg, struct cli_round_opts *o, int *rc);

/* A --mode value (or the environment's, named by what): EXIT_OK and *out,
 * or EXIT_USAGE after a message. */
int cli_parse_mode(const char *cmd, const char *what, const char *s, const char **out);
/* A --checks list: EXIT_OK and *out, or EXIT_USAGE after a message. */
int cli_parse_checks(const char *cmd, const char *list, unsigned *out);

/* One socket per check in flight: takes every descriptor the hard limit
 * allows. */
void cli_raise_fd_limit(void);

/* The pod a command speaks for, from the topology (borrowed from it). */
struct cli_self {
	const struct rm_cluster *cluster;
	const char *name, *zone, *dns_name; /* dns_name: NULL when not given */
	/* The topology's address; for an entry with only a dnsName, this
	 * host's own address in the cluster (in `own`, facts_own_address), or
	 * NULL when it has none there. Points into the struct: use it in
	 * place. */
	const struct rm_addr *address;
	struct rm_addr own;
	bool probe; /* a probe (else a target) */
};

/* Finds --name in --cluster: a probe, or with targets_too a target too.
 * EXIT_OK, or EXIT_USAGE after a message naming what is not there. */
int cli_find_self(const char *cmd, const struct rm_topology *topo, const struct cli_pod_opts *o,
		  bool targets_too, struct cli_self *self);

/* The engine's settings from o (its mode decided: raw with CAP_NET_RAW,
 * else connect) for self; cfg is zeroed first. */
struct probe_config;
void cli_round_config(struct cli_round_opts *o, const struct rm_topology *topo,
		      const struct cli_self *self, struct probe_config *cfg);

/* A results document speaks for self and starts now. */
struct rm_results_doc;
void cli_doc_start(struct rm_results_doc *doc, const struct cli_self *self);

/* Ends the document now and writes it to path (NULL or "-": standard
 * output); EXIT_OK or EXIT_RUNTIME after a message. */
int cli_doc_finish(const char *cmd, const char *path, struct rm_results_doc *doc);

/* For help texts and messages, from the registries: the checks the probe
 * engine runs ("icmp, tcp, ..."); the report formats ("text (default),
 * json, ... or html" with dflt marked, or NULL; plan_only: those that
 * render a plan), and one line each with its description; the finding
 * kinds, wrapped. */
const char *cli_check_names(char *buf, size_t len);
const char *cli_format_names(char *buf, size_t len, bool plan_only, const char *dflt);
void cli_print_formats(FILE *out, bool plan_only);
void cli_print_kinds(FILE *out);

/* Opens `path` for writing ("-" or NULL: stdout). NULL and a message on
 * stderr when it cannot. */
FILE *cli_open_output(const char *cmd, const char *path);
/* Closes what cli_open_output opened; EXIT_OK, or EXIT_RUNTIME with a
 * message when the data could not be written. */
int cli_close_output(const char *cmd, const char *path, FILE *f);

/* The renderer of --format (plan_only: one that renders a plan), or NULL
 * after a message listing the formats there are. */
struct report_ops;
struct rm_report;
const struct report_ops *cli_renderer(const char *cmd, const char *format, bool plan_only);

/* Renders the report to path (NULL or "-": standard output): EXIT_OK when
 * it passes, EXIT_NETWORK when it does not, EXIT_RUNTIME after a message
 * when it could not be written. */
int cli_render(const char *cmd, const struct report_ops *r, const struct rm_report *report,
	       const char *path);

/* A plan report of topo: report (zeroed by the caller) gets the command
 * "plan", the time (in generated, RM_TIME_STRLEN bytes), the topology and
 * plan's findings, not yet finished (analyze_finish). RM_OK or an error;
 * the caller frees report->findings either way. */
struct rm_topology;
int cli_plan_findings(struct rm_report *report, struct rm_topology *topo, char *generated);

#endif

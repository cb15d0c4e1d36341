/* What the subcommands share: messages for bad usage, the topology and the
 * probe's own entry in it, numbers from the command line, the results
 * document written at the end, and the lists of checks, formats and
 * finding kinds that help texts print, built from the stages' registries
 * so that they never disagree with what the binary runs. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "probes/caps.h"
#include "probes/engine.h"
#include "probes/facts.h"
#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/finding.h"
#include "reachmap/report.h"
#include "reachmap/timefmt.h"
#include "reachmap/topology.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reachmap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_option_error(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return cli_usage_error(cmd, "%s needs a value; see 'reachmap %s --help'",
				       argv[optind - 1], cmd);
	return cli_usage_error(cmd, "unknown option %s; see 'reachmap %s --help'", argv[optind - 1],
			       cmd);
}

int cli_load_topology(const char *cmd, const char *path, struct rm_topology **out)
{
	struct rm_diag diag;
	size_t i;
	int rc = topo_load_file(path, out, &diag);

	for (i = 0; i < diag.nwarnings; i++)
		fprintf(stderr, "reachmap %s: warning: %s\n", cmd, diag.warnings[i]);
	if (diag.nwarnings_dropped)
		fprintf(stderr, "reachmap %s: %zu more warnings not shown\n", cmd,
			diag.nwarnings_dropped);
	if (rc == RM_OK)
		return EXIT_OK;
	fprintf(stderr, "reachmap %s: %s\n", cmd, diag.error);
	return rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
}

FILE *cli_open_output(const char *cmd, const char *path)
{
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (f == NULL)
		fprintf(stderr, "reachmap %s: cannot write %s: %s\n", cmd, path, strerror(errno));
	return f;
}

int cli_close_output(const char *cmd, const char *path, FILE *f)
{
	int bad = ferror(f);

	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "reachmap %s: cannot write %s: %s\n", cmd,
			f == stdout ? "standard output" : path, strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cli_parse_num(const char *cmd, const char *opt, const char *s, unsigned long min,
		  unsigned long max, const char *what, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || s[0] == '-' || errno != 0 || v < min || v > max) {
		cli_usage_error(cmd, "%s %s: give %s from %lu to %lu", opt, s, what, min, max);
		return EXIT_USAGE;
	}
	*out = v;
	return EXIT_OK;
}

int cli_parse_checks(const char *cmd, const char *list, unsigned *out)
{
	char buf[256], names[128];
	char *tok, *save = NULL;

	*out = 0;
	if (strlen(list) >= sizeof(buf))
		return cli_usage_error(cmd, "--checks: too long");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum rm_check c;

		if (rm_check_parse(tok, &c) != RM_OK || probe_ops_for(c) == NULL)
			return cli_usage_error(cmd, "--checks: \"%s\" is not a check (%s)", tok,
					       cli_check_names(names, sizeof(names)));
		*out |= 1u << c;
	}
	if (*out == 0)
		return cli_usage_error(cmd, "--checks: empty");
	return EXIT_OK;
}

int cli_parse_mode(const char *cmd, const char *what, const char *s, const char **out)
{
	if (strcmp(s, "raw") != 0 && strcmp(s, "connect") != 0)
		return cli_usage_error(cmd, "%s %s: give raw or connect", what, s);
	*out = s;
	return EXIT_OK;
}

void cli_round_defaults(struct cli_round_opts *o)
{
	unsigned c;

	memset(o, 0, sizeof(*o));
	o->icmpn = 3;
	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (probe_ops_for((enum rm_check)c) != NULL)
			o->checks |= 1u << c;
}

int cli_round_opt(const char *cmd, int opt, const char *arg, struct cli_round_opts *o, int *rc)
{
	const char *num = "a whole number";

	switch (opt) {
	case CLI_O_RATE:
		*rc = cli_parse_num(cmd, "--rate", arg, 1, 1000000, num, &o->rate);
		return 1;
	case CLI_O_TIMEOUT:
		*rc = cli_parse_num(cmd, "--timeout", arg, 1, 60000, num, &o->timeout);
		return 1;
	case CLI_O_ICMPN:
		*rc = cli_parse_num(cmd, "--icmp-count", arg, 1, 8, num, &o->icmpn);
		return 1;
	case CLI_O_MODE:
		*rc = cli_parse_mode(cmd, "--mode", arg, &o->mode);
		return 1;
	case CLI_O_CHECKS:
		*rc = cli_parse_checks(cmd, arg, &o->checks);
		return 1;
	case CLI_O_LOOPBACK:
		o->loopback = true;
		return 1;
	default:
		return 0;
	}
}

void cli_round_help(FILE *out, const char *mode_env)
{
	fputs(
	    "      --rate PPS        packets per second at most (default: the topology's rate)\n"
	    "      --timeout MS      how long to wait for an answer (default: the topology's)\n"
	    "      --mode MODE       raw (SYNs built with libnet, answers captured with libpcap;\n"
	    "                        needs CAP_NET_RAW) or connect (non-blocking connect());\n"
	    "                        default raw with CAP_NET_RAW, else connect\n",
	    out);
	if (mode_env != NULL)
		fprintf(out, "                        [%s]\n", mode_env);
	fputs("      --checks LIST     some of the checks below, comma-separated (default: all)\n"
	      "      --icmp-count N    echo requests per destination, 1 to 8 (default 3)\n"
	      "      --allow-loopback  also probe 127.0.0.0/8 (tests only)\n",
	      out);
}

void cli_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void cli_round_config(struct cli_round_opts *o, const struct rm_topology *topo,
		      const struct cli_self *self, struct probe_config *cfg)
{
	if (o->mode == NULL)
		o->mode = caps_have_net_raw() ? "raw" : "connect";
	memset(cfg, 0, sizeof(*cfg));
	cfg->topo = topo;
	cfg->cluster = self->cluster;
	cfg->name = self->name;
	cfg->timeout_ms = o->timeout ? (unsigned)o->timeout : topo->timeout_ms;
	cfg->rate = o->rate ? (double)o->rate : topo->rate;
	cfg->checks = o->checks;
	cfg->allow_loopback = o->loopback;
	cfg->icmp_count = (unsigned)o->icmpn;
	cfg->raw = strcmp(o->mode, "raw") == 0;
}

int cli_pod_opt(int opt, const char *arg, struct cli_pod_opts *o)
{
	switch (opt) {
	case 't':
		o->topology = arg;
		return 1;
	case 'c':
		o->cluster = arg;
		return 1;
	case 'n':
		o->name = arg;
		return 1;
	case 'o':
		o->out = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_pod_args(const char *cmd, int argc, char **argv, const struct cli_pod_opts *o)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (o->topology == NULL || o->cluster == NULL || o->name == NULL)
		return cli_usage_error(cmd,
				       "--topology, --cluster and --name are required; see "
				       "'reachmap %s --help'",
				       cmd);
	return EXIT_OK;
}

/* An entry with only a dnsName speaks from this host's address in its
 * cluster, when it has one (pods get new addresses when they restart). */
static int self_address(struct cli_self *self)
{
	if (cidr_addr_is_set(self->address))
		return EXIT_OK;
	self->address = facts_own_address(self->cluster, &self->own) == RM_OK ? &self->own : NULL;
	return EXIT_OK;
}

int cli_find_self(const char *cmd, const struct rm_topology *topo, const struct cli_pod_opts *o,
		  bool targets_too, struct cli_self *self)
{
	const struct rm_cluster *c = topo_cluster(topo, o->cluster);
	size_t i;

	memset(self, 0, sizeof(*self));
	if (c == NULL) {
		fprintf(stderr, "reachmap %s: --cluster %s: no such cluster in %s\n", cmd,
			o->cluster, o->topology);
		return EXIT_USAGE;
	}
	self->cluster = c;
	for (i = 0; i < c->nprobes; i++)
		if (strcmp(c->probes[i].name, o->name) == 0) {
			self->name = c->probes[i].name;
			self->zone = c->probes[i].zone;
			self->dns_name = c->probes[i].dns_name;
			self->address = &c->probes[i].address;
			self->probe = true;
			return self_address(self);
		}
	for (i = 0; targets_too && i < c->ntargets; i++)
		if (strcmp(c->targets[i].name, o->name) == 0) {
			self->name = c->targets[i].name;
			self->zone = c->targets[i].zone;
			self->dns_name = c->targets[i].dns_name;
			self->address = &c->targets[i].address;
			return self_address(self);
		}
	if (targets_too)
		fprintf(stderr,
			"reachmap %s: --name %s: no such probe or target of that cluster in %s\n",
			cmd, o->name, o->topology);
	else
		fprintf(stderr, "reachmap %s: --name %s: no such probe in cluster %s of %s\n", cmd,
			o->name, o->cluster, o->topology);
	return EXIT_USAGE;
}

void cli_doc_start(struct rm_results_doc *doc, const struct cli_self *self)
{
	doc->probe = self->name;
	doc->cluster = self->cluster->name;
	doc->zone = self->zone;
	doc->addresses = (struct rm_addr *)self->address;
	doc->naddresses = self->address != NULL ? 1 : 0;
	rm_time_format(rm_time_document(), doc->started, sizeof(doc->started));
}

int cli_doc_finish(const char *cmd, const char *path, struct rm_results_doc *doc)
{
	FILE *out;
	int rc, exitcode;

	rm_time_format(rm_time_document(), doc->finished, sizeof(doc->finished));
	out = cli_open_output(cmd, path);
	if (out == NULL)
		return EXIT_RUNTIME;
	rc = results_doc_write_json(doc, out);
	exitcode = cli_close_output(cmd, path, out);
	if (rc != RM_OK && exitcode == EXIT_OK) {
		fprintf(stderr, "reachmap %s: %s\n", cmd, rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	}
	return exitcode;
}

/* Appends item to a list in buf: "a, b" and, with last set, "a, b or c". */
static void list_add(char *buf, size_t len, size_t i, size_t n, const char *last, const char *item)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s",
		 i == 0		      ? ""
		 : last && i == n - 1 ? last
				      : ", ",
		 item);
}

const char *cli_check_names(char *buf, size_t len)
{
	size_t c, n = 0, i = 0;

	buf[0] = '\0';
	for (c = 0; c < RM_CHECK_COUNT; c++)
		n += probe_ops_for((enum rm_check)c) != NULL;
	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (probe_ops_for((enum rm_check)c) != NULL)
			list_add(buf, len, i++, n, NULL, rm_check_name((enum rm_check)c));
	return buf;
}

const char *cli_format_names(char *buf, size_t len, bool plan_only, const char *dflt)
{
	const struct report_ops *r;
	size_t i, n = 0, k = 0;

	buf[0] = '\0';
	for (i = 0; (r = report_nth(i)) != NULL; i++)
		n += !plan_only || r->plan;
	for (i = 0; (r = report_nth(i)) != NULL; i++) {
		if (plan_only && !r->plan)
			continue;
		list_add(buf, len, k++, n, " or ", r->name);
		if (dflt != NULL && strcmp(r->name, dflt) == 0)
			snprintf(buf + strlen(buf), len - strlen(buf), " (default)");
	}
	return buf;
}

void cli_print_formats(FILE *out, bool plan_only)
{
	const struct report_ops *r;
	size_t i;

	for (i = 0; (r = report_nth(i)) != NULL; i++)
		if (!plan_only || r->plan)
			fprintf(out, "                          %-6s %s\n", r->name,
				r->description);
}

void cli_print_kinds(FILE *out)
{
	size_t k, col = 0;

	for (k = 0; k < RM_FINDING_KIND_COUNT; k++) {
		const char *name = finding_kind_name((enum rm_finding_kind)k);
		const char *sep = k + 1 < RM_FINDING_KIND_COUNT ? "," : "";

		if (col > 0 && col + strlen(name) + 2 > 76) {
			fputc('\n', out);
			col = 0;
		}
		col += (size_t)fprintf(out, "%s%s%s", col == 0 ? "  " : " ", name, sep);
	}
	fputc('\n', out);
}

const struct report_ops *cli_renderer(const char *cmd, const char *format, bool plan_only)
{
	const struct report_ops *r = report_find(format);
	char formats[128];

	if (r != NULL && (!plan_only || r->plan))
		return r;
	cli_usage_error(cmd, "--format %s: %s writes %s", format, cmd,
			cli_format_names(formats, sizeof(formats), plan_only, NULL));
	return NULL;
}

int cli_render(const char *cmd, const struct report_ops *r, const struct rm_report *report,
	       const char *path)
{
	FILE *out = cli_open_output(cmd, path);
	int rc, exitcode;

	if (out == NULL)
		return EXIT_RUNTIME;
	rc = r->render(report, out);
	exitcode = cli_close_output(cmd, path, out);
	if (rc != RM_OK && exitcode == EXIT_OK) {
		fprintf(stderr, "reachmap %s: %s\n", cmd, rm_strerror(rc));
		exitcode = EXIT_RUNTIME;
	}
	if (exitcode == EXIT_OK && !report->pass)
		exitcode = EXIT_NETWORK;
	return exitcode;
}

int cli_plan_findings(struct rm_report *report, struct rm_topology *topo, char *generated)
{
	int rc;

	report->command = "plan";
	report->generated = rm_time_format(rm_time_document(), generated, RM_TIME_STRLEN);
	report->topo = topo;
	rc = findings_init(&report->findings);
	if (rc == RM_OK)
		rc = analyze_plan(topo, &report->findings);
	return rc;
}

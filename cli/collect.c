/* reachmap collect --topology T: the collector (DESIGN.md, "The live
 * system"). Parses the options, reads the files they name, and runs the
 * collector stage until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "collector/api.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/file.h"
#include "reachmap/token.h"
#include "reachmap/topology.h"

#define MAX_PEM (1 << 20)

static void collect_usage(FILE *out)
{
	fputs("usage: reachmap collect --topology T [--listen ADDR:PORT] [--db FILE]\n"
	      "                        [--token-file F] [--tls-cert F --tls-key F] [options]\n"
	      "\n"
	      "The collector: agents push their rounds to it (POST /v1/results), it keeps\n"
	      "the newest round of every probe and the history of every cell in a SQLite\n"
	      "file, and serves the live report (GET /v1/report, GET / as a heat map,\n"
	      "GET /metrics for Prometheus). A probe whose newest round is older than\n"
	      "three intervals, or that never sent one, is a probe-missing finding.\n"
	      "\n"
	      "options:\n"
	      "  -t, --topology FILE     the topology the agents run with (required)\n"
	      "  -l, --listen ADDR:PORT  where to listen (default 0.0.0.0:8787; [::]:8787 for\n"
	      "                          IPv6; port 0 picks a free one)\n"
	      "  -d, --db FILE           the SQLite store (default reachmap.db)\n"
	      "      --token-file F      a bearer token every request but /healthz, /readyz\n"
	      "                          and /metrics must carry; F must not be readable\n"
	      "                          by others (0600, or 0440 as a Secret)\n"
	      "      --tls-cert F        serve HTTPS with this PEM certificate chain...\n"
	      "      --tls-key F         ...and this PEM key\n"
	      "      --interval S        the agents' interval in seconds (default 10)\n"
	      "      --retain N          rounds kept per probe (default 10; 0 keeps all)\n"
	      "      --history DAYS      days of cell transitions kept (default 7)\n"
	      "      --max-body BYTES    the largest request body, decompressed (default\n"
	      "                          67108864, 64 MiB)\n"
	      "      --max-connections N connections at once (default 4096)\n"
	      "      --timeout S         idle seconds before a connection is closed (default 15)\n"
	      "      --request-timeout S seconds a connection has to send a whole request,\n"
	      "                          headers and body (default 30; against slowloris)\n"
	      "      --threads N         threads reading connections (default 2)\n"
	      "      --workers N         threads storing rounds and analyzing (default: CPUs)\n"
	      "      --sync-full         fsync every push before answering (survives power\n"
	      "                          loss, not only a crash)\n"
	      "  -q, --quiet             log only requests answered with an error\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "It logs one key=value line per request on standard error, never the token.\n"
	      "exit codes: 0 stopped by SIGTERM or SIGINT, 2 bad usage or an invalid\n"
	      "topology, token or certificate, 3 a runtime failure (the port cannot be bound,\n"
	      "the store cannot be opened).\n",
	      out);
}

struct collect_args {
	const char *topology, *token_file, *cert, *key;
	struct collector_opts o;
};

enum {
	OPT_TOKEN = 256,
	OPT_CERT,
	OPT_KEY,
	OPT_INTERVAL,
	OPT_RETAIN,
	OPT_HISTORY,
	OPT_MAX_BODY,
	OPT_MAX_CONNS,
	OPT_TIMEOUT,
	OPT_REQUEST_TIMEOUT,
	OPT_THREADS,
	OPT_WORKERS,
	OPT_SYNC_FULL,
};

static const struct option longopts[] = {
	{ "topology", required_argument, NULL, 't' },
	{ "listen", required_argument, NULL, 'l' },
	{ "db", required_argument, NULL, 'd' },
	{ "token-file", required_argument, NULL, OPT_TOKEN },
	{ "tls-cert", required_argument, NULL, OPT_CERT },
	{ "tls-key", required_argument, NULL, OPT_KEY },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "retain", required_argument, NULL, OPT_RETAIN },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "sync-full", no_argument, NULL, OPT_SYNC_FULL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A numeric option: EXIT_OK, or EXIT_USAGE after a message. */
static int num_opt(struct collect_args *a, int opt, const char *arg)
{
	static const struct {
		int opt;
		const char *name, *what;
		unsigned long min, max;
	} nums[] = {
		{ OPT_INTERVAL, "--interval", "seconds", 1, 3600 },
		{ OPT_RETAIN, "--retain", "a number of rounds", 0, 100000 },
		{ OPT_HISTORY, "--history", "days", 1, 3650 },
		{ OPT_MAX_BODY, "--max-body", "bytes", 1024, 1UL << 30 },
		{ OPT_MAX_CONNS, "--max-connections", "a number of connections", 16, 1000000 },
		{ OPT_TIMEOUT, "--timeout", "seconds", 1, 3600 },
		{ OPT_REQUEST_TIMEOUT, "--request-timeout", "seconds", 1, 3600 },
		{ OPT_THREADS, "--threads", "a number of threads", 1, 64 },
		{ OPT_WORKERS, "--workers", "a number of threads", 1, 64 },
	};
	unsigned long v;
	size_t i;
	int rc;

	for (i = 0; nums[i].opt != opt; i++)
		;
	rc =
	    cli_parse_num("collect", nums[i].name, arg, nums[i].min, nums[i].max, nums[i].what, &v);
	if (rc != EXIT_OK)
		return rc;
	switch (opt) {
	case OPT_INTERVAL:
		a->o.live.interval_ms = (int64_t)v * 1000;
		break;
	case OPT_RETAIN:
		a->o.live.retain = (unsigned)v;
		break;
	case OPT_HISTORY:
		a->o.live.history_ms = (int64_t)v * 86400000;
		break;
	case OPT_MAX_BODY:
		a->o.http.max_body = v;
		break;
	case OPT_MAX_CONNS:
		a->o.http.max_conns = (unsigned)v;
		break;
	case OPT_TIMEOUT:
		a->o.http.timeout_s = (unsigned)v;
		break;
	case OPT_REQUEST_TIMEOUT:
		a->o.http.request_timeout_s = (unsigned)v;
		break;
	case OPT_THREADS:
		a->o.http.threads = (unsigned)v;
		break;
	default:
		a->o.http.workers = (unsigned)v;
	}
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct collect_args *a)
{
	int opt, rc;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":t:l:d:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			a->topology = optarg;
			break;
		case 'l':
			a->o.http.listen = optarg;
			break;
		case 'd':
			a->o.db = optarg;
			break;
		case OPT_TOKEN:
			a->token_file = optarg;
			break;
		case OPT_CERT:
			a->cert = optarg;
			break;
		case OPT_KEY:
			a->key = optarg;
			break;
		case OPT_SYNC_FULL:
			a->o.store.sync_full = true;
			break;
		case 'q':
			a->o.http.log_errors_only = true;
			break;
		case 'h':
			collect_usage(stdout);
			return -1;
		default:
			if (opt >= OPT_INTERVAL && opt <= OPT_WORKERS) {
				if ((rc = num_opt(a, opt, optarg)) != EXIT_OK)
					return rc;
				break;
			}
			return cli_option_error("collect", opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("collect",
				       "unexpected argument '%s'; see 'reachmap collect "
				       "--help'",
				       argv[optind]);
	if (a->topology == NULL)
		return cli_usage_error("collect",
				       "--topology is required; see 'reachmap collect --help'");
	if ((a->cert == NULL) != (a->key == NULL))
		return cli_usage_error("collect", "--tls-cert and --tls-key go together");
	return EXIT_OK;
}

/* The token and the TLS material, read before anything listens. */
static int read_secrets(struct collect_args *a, char **token, char **cert, char **key)
{
	struct rm_diag d;
	size_t len;
	int rc;

	rm_diag_clear(&d);
	if (a->token_file != NULL && rm_token_load(a->token_file, token, &d) != RM_OK) {
		fprintf(stderr, "reachmap collect: %s\n", d.error);
		return EXIT_USAGE;
	}
	if (a->cert == NULL)
		return EXIT_OK;
	if ((rc = rm_file_read(a->cert, MAX_PEM, cert, &len)) != RM_OK ||
	    (rc = rm_file_read(a->key, MAX_PEM, key, &len)) != RM_OK) {
		fprintf(stderr, "reachmap collect: cannot read %s: %s\n",
			*cert == NULL ? a->cert : a->key, rm_strerror(rc));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Until SIGTERM or SIGINT, pruning the store every interval: a round
 * past --retain is gone before the next one comes, so the file stays the
 * size of the rounds kept. */
static void run(struct collector *c, const sigset_t *stop, int64_t interval_ms)
{
	struct timespec every = { (time_t)(interval_ms / 1000), 0 };
	struct rm_diag d;

	for (;;) {
		int sig = sigtimedwait(stop, NULL, &every);

		if (sig == SIGTERM || sig == SIGINT) {
			fprintf(stderr, "collect: %s, stopping\n", strsignal(sig));
			return;
		}
		if (sig < 0 && errno == EAGAIN) {
			rm_diag_clear(&d);
			if (collector_prune(c, collector_now_ms(), &d) != RM_OK)
				fprintf(stderr, "collect: pruning failed: %s\n", d.error);
		}
	}
}

static int serve(struct collect_args *a, const struct rm_topology *topo)
{
	struct collector *c = NULL;
	struct rm_diag d;
	sigset_t stop;
	int rc;

	/* Each analysis of a thousand probes allocates and frees some 200 MB
	 * (the index, the grid); from fresh mmaps and returned each time,
	 * every page of it faulted in again, a third of the analysis's
	 * time. Kept in the heap instead, the memory is reused: the RSS
	 * stays at its peak, which the 2 GiB budget has room for. */
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	/* Blocked before the threads start, so only sigtimedwait takes them. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	rm_diag_clear(&d);
	if ((rc = collector_start(topo, &a->o, &c, &d)) != RM_OK) {
		fprintf(stderr, "reachmap collect: %s\n", d.error[0] ? d.error : rm_strerror(rc));
		return rc == RM_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	fprintf(stderr, "collect: listening on %s://%.*s:%u (db %s, topology %s)%s\n",
		a->cert != NULL ? "https" : "http",
		(int)(strrchr(a->o.http.listen, ':') - a->o.http.listen), a->o.http.listen,
		collector_port(c), a->o.db, topo->path,
		a->token_file == NULL ? "; no --token-file: anyone who reaches it may push" : "");
	rc = collector_open(c, collector_now_ms(), &d);
	if (rc != RM_OK) {
		fprintf(stderr, "reachmap collect: %s\n", d.error[0] ? d.error : rm_strerror(rc));
		collector_stop(c);
		return rc == RM_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	fprintf(stderr, "collect: ready\n");
	run(c, &stop, a->o.live.interval_ms > 0 ? a->o.live.interval_ms : 10000);
	collector_stop(c);
	return EXIT_OK;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_args a = { .o = { .db = "reachmap.db",
					 .live = { .retain = 10 },
					 .http = { .listen = "0.0.0.0:8787", .log = stderr } } };
	struct rm_topology *topo = NULL;
	char *token = NULL, *cert = NULL, *key = NULL;
	int rc = parse_args(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if (strrchr(a.o.http.listen, ':') == NULL)
		return cli_usage_error("collect", "--listen %s: give ADDR:PORT, e.g. 0.0.0.0:8787",
				       a.o.http.listen);
	if ((rc = cli_load_topology("collect", a.topology, &topo)) != EXIT_OK)
		return rc;
	rc = read_secrets(&a, &token, &cert, &key);
	if (rc == EXIT_OK) {
		a.o.http.token = token;
		a.o.http.tls_cert_pem = cert;
		a.o.http.tls_key_pem = key;
		rc = serve(&a, topo);
	}
	if (token != NULL)
		memset(token, 0, strlen(token));
	rm_free(token);
	rm_free(cert);
	rm_free(key);
	topo_free(topo);
	return rc;
}

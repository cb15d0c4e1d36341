/* The subcommands; cli/ only parses arguments and wires stages together. */
#ifndef REACHMAP_CLI_H
#define REACHMAP_CLI_H

#include <stdio.h>

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

/* "reachmap CMD: " + message + "\n" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loads a topology, printing its warnings and, on failure, its error as
 * "reachmap CMD: ...". EXIT_OK and *out (free with topo_free), or the exit
 * code to return (EXIT_USAGE for a bad file, EXIT_RUNTIME out of memory). */
/* The message for getopt_long's ':' (a value missing) or '?' (an unknown
 * option), run with opterr 0 and optstring starting with ':'; EXIT_USAGE. */
int cli_option_error(const char *cmd, int opt, char **argv);

struct rm_topology;
int cli_load_topology(const char *cmd, const char *path, struct rm_topology **out);

/* Opens `path` for writing ("-" or NULL: stdout). NULL and a message on
 * stderr when it cannot. */
FILE *cli_open_output(const char *cmd, const char *path);
/* Closes what cli_open_output opened; EXIT_OK, or EXIT_RUNTIME with a
 * message when the data could not be written. */
int cli_close_output(const char *cmd, const char *path, FILE *f);

#endif

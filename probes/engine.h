/* The probe engine: one round of checks against every destination of the
 * topology, all in one event loop (probes/loop.h). Each check is one file
 * with one ops table (probes/registry.c lists them). */
#ifndef REACHMAP_PROBES_ENGINE_H
#define REACHMAP_PROBES_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "probes/loop.h"
#include "reachmap/results.h"
#include "reachmap/topology.h"

/* A destination: a peer probe or a target of any cluster. */
struct probe_dest {
	const char *name;
	const char *cluster;
	struct rm_addr address;
	const char *dns_name; /* NULL: none declared */
	const size_t *ports;  /* indices into topology.ports */
	size_t nports;
};

struct probe_config {
	const struct rm_topology *topo;
	const struct rm_cluster *cluster; /* the source's */
	const char *name;		  /* the source probe's */
	unsigned timeout_ms;
	double rate;	 /* packets per second */
	unsigned checks; /* bit (1 << enum rm_check) per check to run */
	bool allow_loopback;
	uint16_t responder_port;
	unsigned icmp_count; /* echo requests per destination */
	bool raw;	     /* tcp in raw mode: libnet SYN, libpcap answers */
	/* Told about a check that cannot run here (icmp without a socket);
	 * may be NULL. */
	void (*note)(const char *msg, void *arg);
	char *error; /* where engine_run says why it could not start */
	size_t errorlen;
	/* Called once the raw sockets are open and before the first packet:
	 * where the caller drops its capabilities. May be NULL. */
	void (*opened)(void *arg);
	/* Called as checks finish, for a progress line; may be NULL. */
	void (*progress)(size_t done, size_t total, void *arg);
	void *progress_arg;
};

struct probe_engine;

/* One check of one destination (and port): created by the engine, driven by
 * its check's ops, finished with job_finish. */
struct probe_job {
	const struct probe_ops *ops;
	struct probe_engine *e;
	const struct probe_dest *dest;
	uint16_t port;
	bool cql_port;
	int fd;
	struct loop_timer *timer;
	loop_timer_cb on_timeout;
	uint64_t started;
	bool finished;
	/* stream checks (tcp, cql, identity): what came back so far */
	uint8_t buf[1024];
	size_t nbuf;
	uint16_t sport;	  /* the local port of a claimed TCP connection */
	uint32_t raw_seq; /* raw mode: our SYN's sequence number */
	bool connecting;  /* a stream check before its connection opened */
	/* icmp */
	unsigned sent, received;
	double rtt_sum, rtt_min, rtt_max;
	uint64_t send_time[8];
	uint16_t first_seq;
	int icmp_type, icmp_code;
	struct rm_addr icmp_from;
	/* mtu */
	uint16_t mtu_size[8]; /* IP datagram sizes tried, largest first */
	unsigned mtu_nsizes;
	unsigned mtu_ok;       /* bit i: size i came back */
	unsigned mtu_reported; /* next-hop MTU from "fragmentation needed" */
	/* dns */
	struct rm_addr server;
	void *state; /* a check's own: the dns job's c-ares channel, the path job's sockets */
};

struct pkt_icmp;

struct probe_ops {
	const char *name;
	enum rm_check check;
	/* Starts the job: opens what it needs, watches fds, sets timers, or
	 * finishes it at once with a result. 0, or RM_ENOMEM. */
	int (*start)(struct probe_job *job);
	/* File descriptors a running job holds (0: one); the engine keeps the
	 * sum under the process's limit. */
	unsigned fds;
	/* An ICMP error quoting the job's TCP SYN arrived on the engine's raw
	 * socket (jobs that called engine_tcp_claim). May be NULL. */
	void (*on_icmp)(struct probe_job *job, const struct pkt_icmp *icmp);
};

extern const struct probe_ops probe_icmp;
extern const struct probe_ops probe_tcp;
extern const struct probe_ops probe_cql;
extern const struct probe_ops probe_identity;
extern const struct probe_ops probe_dns;
extern const struct probe_ops probe_mtu;
extern const struct probe_ops probe_path;
extern const struct probe_ops probe_tcp_raw;

/* The ops of a check, or NULL when this build has none for it. */
const struct probe_ops *probe_ops_for(enum rm_check check);

/* Runs one round; appends results to doc (sorted by cluster, destination,
 * check and port). 0, RM_ENOMEM, or RM_ESYS when the loop itself failed. */
int engine_run(const struct probe_config *cfg, struct rm_results_doc *doc);

/* For the checks. */
struct rm_loop *job_loop(const struct probe_job *job);
const struct probe_config *job_config(const struct probe_job *job);
/* A new result for this job, filled with its destination; NULL when out of
 * memory (the engine then fails the round with RM_ENOMEM). */
struct rm_result *job_result(struct probe_job *job, enum rm_check check);
/* A copy of s in the results document's arena ("" when out of memory). */
const char *job_strdup(struct probe_job *job, const char *s);
/* The results document's arena, for arrays a result points to. */
struct rm_arena *job_arena(struct probe_job *job);
/* Ends the job: closes its fd, cancels its timer, lets the next one start. */
void job_finish(struct probe_job *job);
/* Sets the job's timeout timer (replacing one set before); 0 or RM_ENOMEM. */
int job_timeout(struct probe_job *job, uint64_t deadline, loop_timer_cb cb);
double job_elapsed_ms(const struct probe_job *job);

/* The raw ICMP socket the engine opened, -1 when it has none, and the echo
 * identifier of this process. */
int engine_icmp_fd(struct probe_engine *e);
uint16_t engine_icmp_id(struct probe_engine *e);
/* Whether that socket is an ICMP datagram socket (no CAP_NET_RAW): echo
 * requests then go without an IP header and the kernel picks the id. */
bool engine_icmp_dgram(struct probe_engine *e);
/* Registers a job to receive ICMP answers for echo sequence numbers
 * first..first+count-1; returns the first number. */
uint16_t engine_icmp_claim(struct probe_engine *e, struct probe_job *job, unsigned count);
void engine_icmp_release(struct probe_engine *e, struct probe_job *job);
/* An echo reply or an ICMP error for one of an icmp job's echoes
 * (check_icmp.c), from the engine's ICMP socket. */
void icmp_on_answer(struct probe_job *job, const struct pkt_icmp *p, uint64_t now);
/* Registers a connecting TCP job by its local port, so that ICMP errors
 * quoting its SYN reach its on_icmp even when the kernel does not report
 * them on the socket (an ICMP that arrives while connect() still holds the
 * socket lock is dropped there: TcpExtLockDroppedIcmps). Released by
 * job_finish. */
void engine_tcp_claim(struct probe_engine *e, struct probe_job *job);
/* The same for one of several sockets of a job: returns the local port
 * claimed (0 when none). */
uint16_t engine_tcp_claim_fd(struct probe_engine *e, int fd, struct probe_job *job);
void engine_tcp_release(struct probe_engine *e, uint16_t sport, struct probe_job *job);
struct probe_job *engine_tcp_owner(struct probe_engine *e, uint16_t sport);
void engine_tcp_set_owner(struct probe_engine *e, uint16_t sport, struct probe_job *job);
/* Raw mode's state (check_tcpraw.c), or NULL. */
void *engine_raw(struct probe_engine *e);
void *rawtcp_open(struct probe_engine *e, struct rm_loop *loop, char *err, size_t errlen);
void rawtcp_close(void *ctx, struct rm_loop *loop);

#endif

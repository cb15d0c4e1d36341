/* The seam between the engine and its checks (zmap's probe modules, htop's
 * classes): the engine knows a check only through its ops table. A check
 * keeps its state in its own struct whose first member is the base job
 * (`struct probe_job super`); the table's job_size says how much the engine
 * allocates. */
#ifndef REACHMAP_PROBES_CHECK_H
#define REACHMAP_PROBES_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/engine.h"
#include "probes/loop.h"
#include "reachmap/diag.h"

/* A destination: a peer probe or a target of any cluster. */
struct probe_dest {
	const char *name;
	const char *cluster;
	/* Where it is probed this round: the topology's address, or the one
	 * probe_config.addrs gives. Unset: it has none this round (a dnsName
	 * that did not resolve), and only its dns check runs. */
	struct rm_addr address;
	/* What its DNS answers must hold: the topology's address, or one the
	 * pod registered (probe_addrs_learned); unset: any answer is right. */
	struct rm_addr expect;
	uint8_t family;	      /* the records its dns check asks: enum rm_family */
	const char *dns_name; /* NULL: none declared */
	const size_t *ports;  /* indices into topology.ports */
	size_t nports;
};

struct probe_engine;
struct icmp_sock;
struct pkt_icmp;

/* One check of one destination (and port, or DNS server): created by the
 * engine, driven by its check's ops, finished with job_finish. */
struct probe_job {
	const struct probe_ops *ops;
	struct probe_engine *e;
	const struct probe_dest *dest;
	uint16_t port;
	const struct rm_addr *server; /* dns: the server asked */
	int fd;			      /* closed by job_finish; -1: none */
	uint16_t sport; /* a local TCP port claimed in the ICMP socket, released by job_finish */
	struct loop_timer *timer;
	loop_timer_cb on_timeout;
	uint64_t started;
	bool finished;
};

struct probe_ops {
	const char *name;
	enum rm_check check;
	/* The table for --mode raw (tcp: a libnet SYN, libpcap answers). */
	bool mode_raw;
	/* The size of the check's job struct, which starts with the base job. */
	size_t job_size;
	/* File descriptors a running job holds (0: one); the engine keeps the
	 * sum under the process's limit. */
	unsigned fds;
	/* Once per round, before the first job starts: opens what the jobs of
	 * this check share, kept in *shared (job_shared). 0, or a status with
	 * the reason in d. May be NULL. */
	int (*open)(struct probe_engine *e, void **shared, struct rm_diag *d);
	/* Once per round, also after a failed open: releases *shared. */
	void (*close)(struct probe_engine *e, void *shared);
	/* Starts the job: opens what it needs, watches fds, sets timers, or
	 * finishes it at once with a result. 0, or RM_ENOMEM. */
	int (*start)(struct probe_job *job);
	/* An ICMP message for the job from the engine's ICMP socket: an echo
	 * reply or error for its echoes (icmpsock_claim_echo), or an error
	 * quoting a SYN from a port it claimed (icmpsock_claim_tcp). NULL:
	 * none wanted. */
	void (*on_icmp)(struct probe_job *job, const struct pkt_icmp *icmp);
};

extern const struct probe_ops probe_icmp;
extern const struct probe_ops probe_tcp;
extern const struct probe_ops probe_tcp_raw;
extern const struct probe_ops probe_cql;
extern const struct probe_ops probe_identity;
extern const struct probe_ops probe_dns;
extern const struct probe_ops probe_mtu;
extern const struct probe_ops probe_path;

/* The table that runs check in this mode, or NULL (probes/registry.c). */
const struct probe_ops *probe_ops_pick(enum rm_check check, bool raw);

/* For the checks. */
struct rm_loop *engine_loop(struct probe_engine *e);
/* The engine's ICMP socket (probes/icmpsock.h); never NULL, its fd may be. */
struct icmp_sock *engine_icmp(struct probe_engine *e);
/* Says that a check cannot run here (or not fully): in the results
 * document's notes, so the report shows it, and to the caller's note
 * callback. RM_OK, or RM_ENOMEM. */
int engine_note(struct probe_engine *e, const char *msg);

struct rm_loop *job_loop(const struct probe_job *job);
const struct probe_config *job_config(const struct probe_job *job);
struct icmp_sock *job_icmp(const struct probe_job *job);
/* What the job's check opened for this round (probe_ops.open). */
void *job_shared(const struct probe_job *job);
/* A new result for this job, filled with its destination; NULL when out of
 * memory (the engine then fails the round with RM_ENOMEM). */
struct rm_result *job_result(struct probe_job *job, enum rm_check check);
/* A copy of s in the results document's arena ("" when out of memory). */
const char *job_strdup(struct probe_job *job, const char *s);
/* The results document's arena, for arrays a result points to. */
struct rm_arena *job_arena(struct probe_job *job);
/* Ends the job: closes its fd, releases its claimed port, cancels its
 * timer, lets the next one start. */
void job_finish(struct probe_job *job);
/* Sets the job's timeout timer (replacing one set before); 0 or RM_ENOMEM. */
int job_timeout(struct probe_job *job, uint64_t deadline, loop_timer_cb cb);
/* The same, timeout_ms of the round from now. */
int job_timeout_round(struct probe_job *job, loop_timer_cb cb);
double job_elapsed_ms(const struct probe_job *job);

#endif

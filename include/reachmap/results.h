/* Checks and the fixed status words of their results (DESIGN.md, "Checks and
 * their statuses"). The analyzer and every renderer use these words; the
 * probe engine produces them. */
#ifndef REACHMAP_RESULTS_H
#define REACHMAP_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reachmap/cidr.h"
#include "reachmap/diag.h"

enum rm_check {
	RM_CHECK_ICMP = 0,
	RM_CHECK_TCP,
	RM_CHECK_DNS,
	RM_CHECK_IDENTITY,
	RM_CHECK_NAT,
	RM_CHECK_MTU,
	RM_CHECK_CQL,
	RM_CHECK_PATH,
	RM_CHECK_COUNT,
};

/* One enum for the words of every check; a word such as "ok" or "timeout"
 * serves several checks. rm_status_valid says which belong to which. */
enum rm_check_status {
	RM_STATUS_OK = 0,
	RM_STATUS_LOSS,
	RM_STATUS_UNREACHABLE,
	RM_STATUS_REJECTED,
	RM_STATUS_TIMEOUT,
	RM_STATUS_OPEN,
	RM_STATUS_REFUSED,
	RM_STATUS_FILTERED,
	RM_STATUS_NO_ROUTE,
	RM_STATUS_NXDOMAIN,
	RM_STATUS_SERVFAIL,
	RM_STATUS_WRONG_ANSWER,
	RM_STATUS_MISMATCH,
	RM_STATUS_NO_RESPONDER,
	RM_STATUS_NONE,
	RM_STATUS_SNAT,
	RM_STATUS_FRAGMENTATION_NEEDED,
	RM_STATUS_BLACKHOLE,
	RM_STATUS_NOT_CQL,
	RM_STATUS_CLOSED,
	RM_STATUS_COUNT,
};

/* "icmp", "tcp", ...; "ok", "fragmentation-needed", ... Static strings;
 * "unknown" for a value out of range. */
const char *rm_check_name(enum rm_check check);
const char *rm_status_name(enum rm_check_status status);

/* The check or status a word names: 0 and *out, or RM_ENOTFOUND. */
int rm_check_parse(const char *word, enum rm_check *out);
int rm_status_parse(const char *word, enum rm_check_status *out);

/* Whether `status` is one of `check`'s words. */
bool rm_status_valid(enum rm_check check, enum rm_check_status status);

/* Whether the status means the check found things as they should be (icmp
 * ok, tcp open, nat none, ...). A port expected blocked judges "open" the
 * other way; that is the analyzer's business, not this table's. */
bool rm_status_healthy(enum rm_check check, enum rm_check_status status);

/* The order reports show the checks in, side by side (the text report's
 * and the dashboard's cluster-pair tables): reachability first. */
extern const enum rm_check rm_check_order[RM_CHECK_COUNT];

/* The worst of a cluster pair's cells for one check, as the text report's
 * and the dashboard's cluster-pair tables show it ("filtered 4/20"):
 * counts[] are the cells per status. The most common unhealthy status,
 * with *count its cells; else a healthy status seen, *count 0; -1 when
 * nothing was measured. *total: all the cells. */
int rm_status_worst(enum rm_check check, const unsigned counts[RM_STATUS_COUNT], unsigned *count,
		    unsigned *total);

struct rm_arena;

/* One hop of a path: the TTL and the address that answered it (family
 * RM_AF_NONE: nobody did). */
struct rm_hop {
	uint8_t ttl;
	struct rm_addr addr;
};

/* One observation: (source probe, target, check[, port]). Strings are owned
 * by the document's arena; NULL, -1 or RM_AF_NONE mean "not measured".
 *
 * A matrix of a thousand probes holds six million of these, so the detail
 * of each check shares one union: only the fields of `check`'s own group
 * may be read or written (the groups are marked below). A zeroed result is
 * "nothing measured" in every group. */
struct rm_result {
	const char *target;
	const char *target_cluster;
	const char *error; /* what went wrong, for people */
	double rtt_ms;	   /* < 0: none */
	enum rm_check check;
	enum rm_check_status status;
	struct rm_addr address;
	struct rm_addr icmp_from;     /* the address that sent the ICMP error */
	uint16_t port;		      /* 0: the check has no port */
	int16_t icmp_type, icmp_code; /* -1: none */
	union {
		struct {		    /* tcp */
			uint8_t answer_ttl; /* raw mode: the TTL of the answer; 0: not seen */
		};
		struct { /* icmp; min and max only when received > 0 */
			float rtt_min_ms, rtt_max_ms;
			int sent, received;
		};
		struct {			   /* dns */
			const char *dns_name;	   /* the name asked */
			const char *answers;	   /* the addresses answered, "a,b" */
			struct rm_addr dns_server; /* the server asked */
		};
		struct { /* identity: who answered */
			const char *responder;
			const char *responder_cluster;
		};
		struct {		      /* nat */
			struct rm_addr seen;  /* the source address the responder saw */
			struct rm_addr local; /* the source address the probe sent from */
		};
		struct { /* path */
			const struct rm_hop *hops;
			struct rm_addr last_hop; /* the last hop that answered */
			uint8_t nhops;
		};
		struct {		       /* mtu */
			unsigned mtu_largest;  /* the largest datagram that arrived */
			unsigned mtu_reported; /* the next-hop MTU a router reported */
		};
		struct { /* cql: from SUPPORTED */
			const char *cql_version;
			const char *cql_compression;
			const char *cql_protocols;
		};
	};
};

/* What a responder saw arrive: a source, a port, how many. */
struct rm_arrival {
	struct rm_addr from;
	const char *probe;    /* who said so (WHO), or NULL */
	const char *protocol; /* "tcp", "udp" */
	uint16_t port;
	unsigned count;
	char first[21], last[21]; /* RFC 3339 */
};

struct rm_iface {
	const char *name;
	unsigned mtu;
	const char *addresses; /* "10.200.1.10/24,fe80::1/64" */
};

/* reachmap.results/v1 (DESIGN.md, "Documents"). */
struct rm_results_doc {
	const char *probe;
	const char *cluster;
	const char *zone; /* NULL when not known */
	const char *mode; /* "connect" or "raw"; NULL for a serve document */
	struct rm_addr *addresses;
	size_t naddresses;
	char started[21], finished[21];
	struct rm_iface *ifaces;
	size_t nifaces;
	const char **routes;
	size_t nroutes;
	const char **nameservers;
	size_t nnameservers;
	const char **search;
	size_t nsearch;
	const char *cap_eff; /* CapEff after start-up, hex; NULL when unknown */
	/* Rounds the agent's spool dropped unsent before this document (the
	 * spool was full); 0: none, and not written. */
	unsigned lost;
	/* What could not be measured and why ("icmp is not run: ..."): a check
	 * that cannot run says so here, never by leaving its cells out in
	 * silence. */
	const char **notes;
	size_t nnotes, capnotes;
	struct rm_result *results;
	size_t nresults, capresults;
	struct rm_arrival *arrivals;
	size_t narrivals, caparrivals;
	/* A serve document whose end could not capture (no CAP_NET_RAW, as a
	 * pod under Pod Security `restricted`): its arrivals are the
	 * connections it accepted and the datagrams it answered, so a probe
	 * missing from them may still have arrived (its answer lost on the way
	 * back). Written "arrivalsBy": "accept"; absent, "capture". */
	bool accepts_only;
	struct rm_arena *arena;
};

/* 0, or RM_ENOMEM. Free with results_doc_free. */
int results_doc_init(struct rm_results_doc *doc);
void results_doc_free(struct rm_results_doc *doc);
/* A new result (zeroed; rtt -1, icmp type/code -1), owned by doc; NULL when
 * out of memory. */
struct rm_result *results_doc_add(struct rm_results_doc *doc);
struct rm_arrival *results_doc_add_arrival(struct rm_results_doc *doc);
/* Appends a copy of msg to the document's notes; 0 or RM_ENOMEM. */
int results_doc_add_note(struct rm_results_doc *doc, const char *msg);

/* Room for `nresults` results in all, so a round of known size is stored
 * in one allocation. 0 or RM_ENOMEM. */
int results_doc_reserve(struct rm_results_doc *doc, size_t nresults);

/* Reads a reachmap.results/v1 document (len bytes of JSON text) into doc,
 * which results_doc_init made: the probe, mode, times, results[] and
 * arrivals[] (the facts are not read back). 0; RM_EPARSE with d's error
 * "NAME: field.path: what is wrong"; RM_ENOMEM ("NAME: out of memory").
 * d may be NULL. */
int results_doc_read(const char *name, const char *text, size_t len, struct rm_results_doc *doc,
		     struct rm_diag *d);
/* The file at path, read and parsed into doc (made by results_doc_init);
 * a file that cannot be read is rm_diag_file_read's status and message. */
int results_doc_load(const char *path, struct rm_results_doc *doc, struct rm_diag *d);

/* Writes the document as reachmap.results/v1 JSON. 0, RM_ENOMEM or RM_EIO. */
int results_doc_write_json(const struct rm_results_doc *doc, FILE *out);
#endif

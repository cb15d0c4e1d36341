/* The engine's ICMP sockets, one per family (ICMP and ICMPv6), shared by
 * every check of a round: echo replies for the icmp check, and the ICMP
 * errors that answer any check's packets, handed to the job that claimed
 * the echo sequence number or the TCP source port quoted, through its ops'
 * on_icmp. */
#ifndef REACHMAP_PROBES_ICMPSOCK_H
#define REACHMAP_PROBES_ICMPSOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "probes/loop.h"
#include "reachmap/cidr.h"

struct icmp_sock;
struct probe_job;

/* Sockets not yet open (fd -1); NULL when out of memory. */
struct icmp_sock *icmpsock_new(void);
/* Opens, for each family, a raw ICMP (ICMPv6) socket, or without
 * CAP_NET_RAW an ICMP (ICMPv6) datagram socket (net.ipv4.ping_group_range
 * serves both), and watches it in loop; without either that family's fd
 * stays -1 and the checks do without. */
void icmpsock_open(struct icmp_sock *s, struct rm_loop *loop);
void icmpsock_free(struct icmp_sock *s, struct rm_loop *loop);

/* The socket of family RM_AF_INET or RM_AF_INET6 (-1: none), and the echo
 * identifier of this process. */
int icmpsock_fd(const struct icmp_sock *s, enum rm_family family);
uint16_t icmpsock_id(const struct icmp_sock *s);
/* Whether the family's is a raw socket, which also hears errors quoting
 * TCP SYNs and "time exceeded". */
bool icmpsock_is_raw(const struct icmp_sock *s, enum rm_family family);

/* Routes answers to echo sequence numbers first..first+count-1 to job;
 * returns first. */
uint16_t icmpsock_claim_echo(struct icmp_sock *s, struct probe_job *job, unsigned count);
void icmpsock_release_echo(struct icmp_sock *s, struct probe_job *job, uint16_t first,
			   unsigned count);
/* Routes errors quoting a SYN from fd's local port to job, even when the
 * kernel does not report them on the socket (an ICMP that arrives while
 * connect() still holds the socket lock is dropped there:
 * TcpExtLockDroppedIcmps). Returns the port, 0 when none (no raw socket). */
uint16_t icmpsock_claim_fd(struct icmp_sock *s, int fd, struct probe_job *job);
/* The same for a source port the job chose itself (raw mode). */
void icmpsock_claim_port(struct icmp_sock *s, uint16_t sport, struct probe_job *job);
struct probe_job *icmpsock_port_owner(const struct icmp_sock *s, uint16_t sport);
void icmpsock_release_port(struct icmp_sock *s, uint16_t sport, const struct probe_job *job);

#endif

/* What the kernel says about a failed connection: the errno, and, read
 * from the socket's error queue (IP_RECVERR, IPV6_RECVERR), the ICMP or
 * ICMPv6 message behind it with the address of the router or host that
 * sent it. */
#ifndef REACHMAP_PROBES_SOCKERR_H
#define REACHMAP_PROBES_SOCKERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

struct sock_icmp {
	bool present;
	uint8_t family; /* RM_AF_INET: ICMP; RM_AF_INET6: ICMPv6 (its numbers) */
	int type, code;
	unsigned info; /* too big (v4 3/4, v6 2): the next-hop MTU */
	struct rm_addr from;
};

struct pkt_icmp;

/* What an ICMP message read from the engine's ICMP socket says, in the
 * same words as one read from an error queue. */
struct sock_icmp sockerr_of_packet(const struct pkt_icmp *p);
/* Whether it means a filter said no (pkt_icmp_is_reject). */
bool sockerr_is_reject(const struct sock_icmp *e);

/* Asks for ICMP errors on fd's error queue. 0, or RM_ESYS. */
int sockerr_enable(int fd, int family);
/* Reads one ICMP error from fd's error queue, if there is one. */
void sockerr_read(int fd, struct sock_icmp *out);
/* The same, also copying the queued datagram (the one that caused the
 * error) into data; returns its length, or -1 when the queue is empty. */
int sockerr_read_data(int fd, struct sock_icmp *out, uint8_t *data, size_t cap);

#endif

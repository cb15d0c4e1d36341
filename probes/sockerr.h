/* What the kernel says about a failed connection: the errno, and, read
 * from the socket's error queue (IP_RECVERR), the ICMP message behind it
 * with the address of the router or host that sent it. */
#ifndef REACHMAP_PROBES_SOCKERR_H
#define REACHMAP_PROBES_SOCKERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

struct sock_icmp {
	bool present;
	int type, code;
	unsigned info; /* 3/4 fragmentation needed: the next-hop MTU */
	struct rm_addr from;
};

/* Asks for ICMP errors on fd's error queue. 0, or RM_ESYS. */
int sockerr_enable(int fd, int family);
/* Reads one ICMP error from fd's error queue, if there is one. */
void sockerr_read(int fd, struct sock_icmp *out);
/* The same, also copying the queued datagram (the one that caused the
 * error) into data; returns its length, or -1 when the queue is empty. */
int sockerr_read_data(int fd, struct sock_icmp *out, uint8_t *data, size_t cap);

#endif

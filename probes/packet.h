/* IPv4 and ICMP as received on a raw socket: RFC 791 (IPv4 header), RFC 792
 * (ICMP echo, destination unreachable, time exceeded), RFC 1191 (next-hop
 * MTU in "fragmentation needed"), RFC 1812 4.3.2.3 (the quoted datagram).
 * Pure build and parse functions; no socket. */
#ifndef REACHMAP_PROBES_PACKET_H
#define REACHMAP_PROBES_PACKET_H

#include <netinet/in.h>	 /* IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP */
#include <netinet/tcp.h> /* TH_SYN, TH_ACK, TH_RST */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

/* ICMP types (RFC 792). */
enum {
	ICMP_ECHO_REPLY = 0,
	ICMP_DEST_UNREACH = 3,
	ICMP_ECHO_REQUEST = 8,
	ICMP_TIME_EXCEEDED = 11,
};

/* Destination-unreachable codes (RFC 792, RFC 1191, RFC 1812). */
enum {
	ICMP_CODE_FRAG_NEEDED = 4,
	ICMP_CODE_NET_PROHIBITED = 9,
	ICMP_CODE_HOST_PROHIBITED = 10,
	ICMP_CODE_ADMIN_PROHIBITED = 13,
};

struct pkt_icmp {
	struct rm_addr src; /* who sent this ICMP message */
	uint8_t ttl;
	uint8_t type, code;
	uint16_t id, seq; /* echo request/reply */
	uint16_t mtu;	  /* 3/4 fragmentation needed: next-hop MTU, 0 if not given */
	bool quoted;	  /* an error quoting the datagram that caused it */
	uint8_t q_proto;  /* IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP */
	struct rm_addr q_src, q_dst;
	uint16_t q_sport, q_dport; /* TCP/UDP */
	uint16_t q_id, q_seq;	   /* quoted ICMP echo */
};

/* Parses an IPv4 packet carrying ICMP (a raw ICMP socket's read). 0 and
 * *out; RM_ETRUNC when a header is cut short or a length lies; RM_EPARSE
 * when it is not IPv4 ICMP. Errors that quote less than the 8 bytes
 * RFC 792 requires are parsed with quoted false. */
int pkt_parse_icmp4(const uint8_t *data, size_t len, struct pkt_icmp *out);

/* Parses an ICMP header without an IP header before it (an ICMP datagram
 * socket's read, or the echo it quotes on its error queue): type, code,
 * and id and seq of an echo. 0 and *out, or RM_ETRUNC under 8 bytes. */
int pkt_parse_icmp_header(const uint8_t *data, size_t len, struct pkt_icmp *out);

/* A TCP segment as captured (RFC 793 header), for the raw-mode tcp check. */
struct pkt_tcp {
	struct rm_addr src, dst;
	uint8_t ttl;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* TH_FIN, TH_SYN, TH_RST, TH_ACK, ... */
};

/* Link-layer types of the captures reachmap reads (libpcap's DLT_ values). */
enum {
	PKT_DLT_EN10MB = 1,
	PKT_DLT_RAW = 12,
	PKT_DLT_LINUX_SLL = 113,
	PKT_DLT_RAW_101 = 101,
};

/* Parses a captured frame of link type `dlt` down to its IPv4 TCP header.
 * 0 and *out; RM_ETRUNC when cut short or a length lies; RM_EPARSE when
 * it is not IPv4 TCP (or the link type is unknown). */
int pkt_parse_tcp_frame(const uint8_t *data, size_t len, int dlt, struct pkt_tcp *out);

/* A UDP datagram or an ICMP message as captured, for counting arrivals. */
struct pkt_datagram {
	struct rm_addr src;
	uint8_t proto;	   /* IPPROTO_UDP or IPPROTO_ICMP */
	uint16_t dport;	   /* UDP */
	uint8_t icmp_type; /* ICMP */
};

/* Parses a captured frame of link type `dlt` down to the first 8 bytes of
 * its UDP or ICMP header (RFC 768, RFC 792). 0 and *out; RM_ETRUNC when
 * cut short; RM_EPARSE when it is neither, or not IPv4. */
int pkt_parse_datagram_frame(const uint8_t *data, size_t len, int dlt, struct pkt_datagram *out);

/* An ICMP echo request (no IP header: the kernel adds it) of 8 + payload
 * bytes with its checksum. 0 and *len, or RM_ETRUNC. */
int pkt_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload,
		   size_t *len);

/* RFC 1071 Internet checksum. */
uint16_t pkt_checksum(const uint8_t *data, size_t len);

/* Whether an ICMP destination-unreachable code means a filter said no
 * (RFC 1812: administratively prohibited network, host, or communication). */
bool pkt_icmp_is_reject(uint8_t type, uint8_t code);

#endif

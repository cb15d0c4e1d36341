/* IPv4, IPv6, ICMP and ICMPv6 as received on a raw socket or captured:
 * RFC 791 (IPv4 header), RFC 792 (ICMP echo, destination unreachable, time
 * exceeded), RFC 1191 (next-hop MTU in "fragmentation needed"), RFC 1812
 * 4.3.2.3 (the quoted datagram), RFC 8200 (IPv6 header and extension
 * headers), RFC 4443 (ICMPv6: echo, destination unreachable, packet too
 * big, time exceeded). Pure build and parse functions; no socket. */
#ifndef REACHMAP_PROBES_PACKET_H
#define REACHMAP_PROBES_PACKET_H

#include <netinet/in.h>	 /* IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP */
#include <netinet/tcp.h> /* TH_SYN, TH_ACK, TH_RST */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

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

/* ICMPv6 types and destination-unreachable codes (RFC 4443 2.1, 3.1). */
enum {
	ICMP6_TYPE_DEST_UNREACH = 1,
	ICMP6_TYPE_PACKET_TOO_BIG = 2,
	ICMP6_TYPE_TIME_EXCEEDED = 3,
	ICMP6_TYPE_ECHO_REQUEST = 128,
	ICMP6_TYPE_ECHO_REPLY = 129,
	ICMP6_CODE_ADMIN_PROHIBITED = 1,
	ICMP6_CODE_POLICY_FAILED = 5,
	ICMP6_CODE_REJECT_ROUTE = 6,
};

/* What an ICMP or ICMPv6 message means, whatever its family's numbers:
 * the checks read this, the document keeps the type and code. */
enum pkt_icmp_kind {
	PKT_ICMP_OTHER = 0,
	PKT_ICMP_ECHO_REQUEST,
	PKT_ICMP_ECHO_REPLY,
	PKT_ICMP_UNREACH,	/* destination unreachable, any code but too big */
	PKT_ICMP_TOO_BIG,	/* v4 3/4 fragmentation needed, v6 packet too big */
	PKT_ICMP_TIME_EXCEEDED, /* hop limit or TTL exceeded in transit */
};

/* The kind of an ICMP (family RM_AF_INET) or ICMPv6 (RM_AF_INET6) type
 * and code. */
enum pkt_icmp_kind pkt_icmp_kind(enum rm_family family, uint8_t type, uint8_t code);

struct pkt_icmp {
	struct rm_addr src; /* who sent this ICMP message */
	uint8_t ttl;	    /* IPv4 only; 0 when not known */
	uint8_t type, code;
	enum pkt_icmp_kind kind;
	uint16_t id, seq; /* echo request/reply */
	uint16_t mtu;	  /* too big: next-hop MTU (at most 65535), 0 if not given */
	bool quoted;	  /* an error quoting the datagram that caused it */
	uint8_t q_proto;  /* IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP */
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
 * kind, and id and seq of an echo. 0 and *out, or RM_ETRUNC under 8
 * bytes. */
int pkt_parse_icmp_header(const uint8_t *data, size_t len, struct pkt_icmp *out);

/* Parses an ICMPv6 message as an ICMPv6 socket, raw or datagram, reads it
 * (RFC 3542 3: no IPv6 header before it), sent by src: type, code, kind,
 * id and seq of an echo, the MTU of packet too big, and the start of the
 * IPv6 packet an error quotes (quoted false when it quotes less than its
 * first 8 bytes after the IPv6 and extension headers). 0 and *out;
 * RM_ETRUNC under 8 bytes. */
int pkt_parse_icmp6(const uint8_t *data, size_t len, const struct rm_addr *src,
		    struct pkt_icmp *out);

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

/* Parses a captured frame of link type `dlt` down to its TCP header, over
 * IPv4 or IPv6 (ttl: the hop limit). 0 and *out; RM_ETRUNC when cut short
 * or a length lies; RM_EPARSE when it is not TCP (or the link type is
 * unknown). */
int pkt_parse_tcp_frame(const uint8_t *data, size_t len, int dlt, struct pkt_tcp *out);

/* A UDP datagram or an ICMP message as captured, for counting arrivals. */
struct pkt_datagram {
	struct rm_addr src;
	uint8_t proto;		      /* IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	uint16_t dport;		      /* UDP */
	uint8_t icmp_type;	      /* ICMP, ICMPv6 */
	enum pkt_icmp_kind icmp_kind; /* ICMP, ICMPv6 */
};

/* Parses a captured frame of link type `dlt` down to the first 8 bytes of
 * its UDP, ICMP or ICMPv6 header (RFC 768, RFC 792, RFC 4443), over IPv4
 * or IPv6. 0 and *out; RM_ETRUNC when cut short; RM_EPARSE when it is none
 * of them. */
int pkt_parse_datagram_frame(const uint8_t *data, size_t len, int dlt, struct pkt_datagram *out);

/* An ICMP echo request (no IP header: the kernel adds it) of 8 + payload
 * bytes with its checksum. 0 and *len, or RM_ETRUNC. */
int pkt_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload,
		   size_t *len);

/* An ICMPv6 echo request (RFC 4443 4.1) of 8 + payload bytes. Its
 * checksum covers a pseudo-header with the source address, so it is left
 * 0 for the kernel, which fills it on ICMPv6 sockets (RFC 3542 3.1).
 * 0 and *len, or RM_ETRUNC. */
int pkt_build_echo6(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload,
		    size_t *len);

/* RFC 1071 Internet checksum. */
uint16_t pkt_checksum(const uint8_t *data, size_t len);

/* Whether an ICMP or ICMPv6 (by family) destination-unreachable code means
 * a filter said no: RFC 1812's administratively prohibited network, host or
 * communication; RFC 4443's administratively prohibited, source address
 * failed policy, reject route. */
bool pkt_icmp_is_reject(enum rm_family family, uint8_t type, uint8_t code);

#endif

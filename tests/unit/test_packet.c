/* IPv4/ICMP and IPv6/ICMPv6 parsing and building against byte fixtures
 * written from RFC 791, RFC 792, RFC 8200 and RFC 4443: echo replies, each
 * ICMP error quoting our echo, our SYN or a UDP datagram, packet too big,
 * truncated and lying-length packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libnet.h>

#include "probes/packet.h"
#include "probes/tcpraw.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

/* An IPv4 header: 20 bytes, no options, protocol and total length given. */
static size_t ip4(uint8_t *p, uint16_t total, uint8_t ttl, uint8_t proto, const uint8_t src[4],
		  const uint8_t dst[4])
{
	static const uint8_t base[20] = { 0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 0, 0 };

	memcpy(p, base, 20);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	return 20;
}

static const uint8_t ME[4] = { 10, 200, 1, 10 }, EAST[4] = { 10, 250, 1, 20 },
		     VPC[4] = { 10, 100, 0, 1 };

/* An ICMP error of type/code from `from` quoting a datagram of `qproto`
 * whose first 8 bytes are `q8`; returns its length. */
static size_t icmp_error(uint8_t *p, uint8_t type, uint8_t code, uint16_t mtu, uint8_t qproto,
			 const uint8_t q8[8])
{
	size_t n = ip4(p, 20 + 8 + 20 + 8, 63, 1, VPC, ME);

	p[n++] = type;
	p[n++] = code;
	p[n++] = 0, p[n++] = 0; /* checksum: not checked on receipt */
	p[n++] = 0, p[n++] = 0;
	p[n++] = (uint8_t)(mtu >> 8), p[n++] = (uint8_t)mtu;
	n += ip4(p + n, 60, 1, qproto, ME, EAST);
	memcpy(p + n, q8, 8);
	return n + 8;
}

static void test_echo_reply(void **state)
{
	uint8_t p[64];
	size_t n = ip4(p, 28, 62, 1, EAST, ME);
	struct pkt_icmp out;

	(void)state;
	memcpy(p + n, (const uint8_t[]){ 0, 0, 0, 0, 0x12, 0x34, 0, 7 }, 8);
	assert_int_equal(pkt_parse_icmp4(p, n + 8, &out), RM_OK);
	assert_int_equal(out.type, ICMP_ECHO_REPLY);
	assert_int_equal(out.id, 0x1234);
	assert_int_equal(out.seq, 7);
	assert_int_equal(out.ttl, 62);
	assert_memory_equal(out.src.bytes, EAST, 4);
	assert_false(out.quoted);
}

static void test_errors_quoting_ours(void **state)
{
	static const uint8_t echo[8] = { 8, 0, 0xaa, 0xbb, 0x12, 0x34, 0, 9 };
	static const uint8_t syn[8] = { 0x9c, 0x40, 0x1c, 0x1f, 1, 2, 3, 4 }; /* 40000 -> 7199 */
	static const uint8_t udp[8] = { 0x9c, 0x41, 0x22, 0x54, 0, 8, 0, 0 }; /* 40001 -> 8788 */
	uint8_t p[128];
	struct pkt_icmp out;
	size_t n;

	(void)state;
	n = icmp_error(p, ICMP_DEST_UNREACH, 0, 0, 1, echo);
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_OK);
	assert_int_equal(out.type, 3);
	assert_int_equal(out.code, 0);
	assert_memory_equal(out.src.bytes, VPC, 4);
	assert_true(out.quoted);
	assert_int_equal(out.q_proto, 1);
	assert_int_equal(out.q_id, 0x1234);
	assert_int_equal(out.q_seq, 9);
	assert_memory_equal(out.q_dst.bytes, EAST, 4);
	assert_false(pkt_icmp_is_reject(RM_AF_INET, out.type, out.code));

	n = icmp_error(p, ICMP_DEST_UNREACH, 13, 0, 6, syn);
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_OK);
	assert_true(out.quoted);
	assert_int_equal(out.q_proto, 6);
	assert_int_equal(out.q_sport, 40000);
	assert_int_equal(out.q_dport, 7199);
	assert_true(pkt_icmp_is_reject(RM_AF_INET, 3, 13));
	assert_true(pkt_icmp_is_reject(RM_AF_INET, 3, 9));
	assert_true(pkt_icmp_is_reject(RM_AF_INET, 3, 10));
	assert_false(pkt_icmp_is_reject(RM_AF_INET, 3, 1));
	assert_false(pkt_icmp_is_reject(RM_AF_INET, 11, 13));

	n = icmp_error(p, ICMP_DEST_UNREACH, 4, 1400, 17, udp);
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_OK);
	assert_int_equal(out.mtu, 1400);
	assert_int_equal(out.q_proto, 17);
	assert_int_equal(out.q_dport, 8788);

	n = icmp_error(p, ICMP_TIME_EXCEEDED, 0, 0, 6, syn);
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_OK);
	assert_int_equal(out.type, 11);
	assert_true(out.quoted);
	assert_int_equal(out.mtu, 0);
}

static void test_short_and_lying(void **state)
{
	static const uint8_t syn[8] = { 0x9c, 0x40, 0x1c, 0x1f, 1, 2, 3, 4 };
	uint8_t p[128];
	struct pkt_icmp out;
	size_t n = icmp_error(p, ICMP_DEST_UNREACH, 1, 0, 6, syn), i;

	(void)state;
	/* Every prefix: an error code or a parse, never a read past the end
	 * (ASan watches). Shorter than its header plus ICMP's 8: RM_ETRUNC. */
	for (i = 0; i < n; i++) {
		int rc = pkt_parse_icmp4(p, i, &out);

		if (i < 28)
			assert_int_equal(rc, RM_ETRUNC);
		else
			assert_true(rc == RM_ETRUNC || rc == RM_OK);
	}
	/* The total length says more than arrived. */
	p[2] = 0x05;
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_ETRUNC);
	p[2] = 0;
	/* A quote of fewer than 8 bytes: parsed, but not as a quote. */
	p[3] = (uint8_t)(n - 4);
	assert_int_equal(pkt_parse_icmp4(p, n - 4, &out), RM_OK);
	assert_false(out.quoted);
	p[3] = (uint8_t)n;
	/* Not IPv4, a header length under 20, not ICMP. */
	p[0] = 0x65;
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_EPARSE);
	p[0] = 0x44;
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_EPARSE);
	p[0] = 0x45;
	p[9] = 6;
	assert_int_equal(pkt_parse_icmp4(p, n, &out), RM_EPARSE);
	p[9] = 1;
	/* A header length pointing past the packet. */
	p[0] = 0x4f;
	assert_int_equal(pkt_parse_icmp4(p, 40, &out), RM_ETRUNC);
}

static void test_build_echo(void **state)
{
	uint8_t p[128];
	size_t len;

	(void)state;
	assert_int_equal(pkt_build_echo(p, sizeof(p), 0x1234, 9, 56, &len), RM_OK);
	assert_int_equal(len, 64);
	assert_int_equal(p[0], 8);
	assert_int_equal(p[4], 0x12);
	assert_int_equal(p[7], 9);
	/* RFC 1071: the checksum over a packet that carries it is zero. */
	assert_int_equal(pkt_checksum(p, len), 0);
	assert_int_equal(pkt_build_echo(p, 20, 1, 1, 56, &len), RM_ETRUNC);
	/* Odd lengths pad with a zero byte. */
	assert_int_equal(pkt_checksum((const uint8_t[]){ 0x00, 0x01, 0xf2 }, 3), (uint16_t)~0xf201);
}

/* A TCP answer in a Linux cooked capture (DLT_LINUX_SLL): 16 bytes of link
 * header, protocol 0x0800 at 14, then IPv4 and TCP. */
static size_t sll_tcp(uint8_t *p, uint8_t flags, uint32_t seq, uint32_t ack)
{
	size_t n = 16;

	memset(p, 0, 16);
	p[14] = 0x08;
	n += ip4(p + n, 40, 61, 6, EAST, ME);
	memcpy(p + n, (const uint8_t[]){ 0x1b, 0x58, 0xee, 0x48 }, 4); /* 7000 -> 61000 */
	p[n + 4] = (uint8_t)(seq >> 24), p[n + 5] = (uint8_t)(seq >> 16);
	p[n + 6] = (uint8_t)(seq >> 8), p[n + 7] = (uint8_t)seq;
	p[n + 8] = (uint8_t)(ack >> 24), p[n + 9] = (uint8_t)(ack >> 16);
	p[n + 10] = (uint8_t)(ack >> 8), p[n + 11] = (uint8_t)ack;
	p[n + 12] = 0x50;
	p[n + 13] = flags;
	memset(p + n + 14, 0, 6);
	return n + 20;
}

static void test_tcp_answers(void **state)
{
	uint8_t p[128], eth[128];
	struct pkt_tcp t;
	size_t n, i;

	(void)state;
	n = sll_tcp(p, 0x12, 777, 1001); /* SYN-ACK */
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_OK);
	assert_int_equal(t.flags, 0x12);
	assert_int_equal(t.sport, 7000);
	assert_int_equal(t.dport, 61000);
	assert_int_equal(t.seq, 777);
	assert_int_equal(t.ack, 1001);
	assert_int_equal(t.ttl, 61);
	assert_memory_equal(t.src.bytes, EAST, 4);
	n = sll_tcp(p, 0x14, 0, 1001); /* RST-ACK */
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_OK);
	assert_int_equal(t.flags & 0x04, 0x04);
	/* The same segment behind an Ethernet header, and as raw IP. */
	memset(eth, 0, 12);
	eth[12] = 0x08, eth[13] = 0x00;
	memcpy(eth + 14, p + 16, n - 16);
	assert_int_equal(pkt_parse_tcp_frame(eth, n - 2, PKT_DLT_EN10MB, &t), RM_OK);
	assert_int_equal(t.dport, 61000);
	assert_int_equal(pkt_parse_tcp_frame(p + 16, n - 16, PKT_DLT_RAW, &t), RM_OK);
	/* Every prefix: an error, never a read past the end. */
	for (i = 0; i < n; i++)
		assert_int_equal(pkt_parse_tcp_frame(p, i, PKT_DLT_LINUX_SLL, &t), RM_ETRUNC);
	/* ARP, not IPv4; UDP, not TCP; an unknown link type; a data offset
	 * under 5 words; a total length beyond the capture. */
	p[14] = 0x08, p[15] = 0x06;
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_EPARSE);
	p[15] = 0x00;
	p[16 + 9] = 17;
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_EPARSE);
	p[16 + 9] = 6;
	assert_int_equal(pkt_parse_tcp_frame(p, n, 147, &t), RM_EPARSE);
	p[16 + 20 + 12] = 0x40;
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_EPARSE);
	p[16 + 20 + 12] = 0x50;
	p[16 + 3] = 200;
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_ETRUNC);
}

/* The SYN raw mode sends, built by libnet (LIBNET_NONE: build only, no
 * socket): RFC 791 and RFC 793 fields and both checksums. */
static void test_syn_with_libnet(void **state)
{
	char err[LIBNET_ERRBUF_SIZE];
	libnet_t *ln = libnet_init(LIBNET_NONE, NULL, err);
	struct rm_addr src = { RM_AF_INET, { 10, 200, 1, 10 } },
		       dst = { RM_AF_INET, { 10, 250, 1, 20 } };
	uint8_t p[64];
	size_t len;

	(void)state;
	assert_non_null(ln);
	assert_int_equal(
	    rawtcp_build_syn(ln, &src, &dst, 61000, 7000, 0x01020304, p, sizeof(p), &len), RM_OK);
	assert_int_equal(len, 40);
	assert_int_equal(p[0], 0x45);
	assert_int_equal(p[9], 6);
	assert_memory_equal(p + 12, src.bytes, 4);
	assert_memory_equal(p + 16, dst.bytes, 4);
	assert_int_equal(pkt_checksum(p, 20), 0); /* IP header checksum */
	assert_int_equal(p[20] << 8 | p[21], 61000);
	assert_int_equal(p[22] << 8 | p[23], 7000);
	assert_memory_equal(p + 24, ((const uint8_t[]){ 1, 2, 3, 4 }), 4);
	assert_int_equal(p[33], 0x02); /* SYN alone */
	{
		/* TCP checksum over the pseudo-header (RFC 793 3.1). */
		uint8_t ph[12 + 20];

		memcpy(ph, p + 12, 8);
		ph[8] = 0, ph[9] = 6, ph[10] = 0, ph[11] = 20;
		memcpy(ph + 12, p + 20, 20);
		assert_int_equal(pkt_checksum(ph, sizeof(ph)), 0);
	}
	assert_int_equal(rawtcp_build_syn(ln, &src, &dst, 61000, 7000, 1, p, 20, &len), RM_ETRUNC);
	libnet_destroy(ln);
}

/* ---- IPv6 and ICMPv6 ---------------------------------------------------- */

static const uint8_t ME6[16] = { 0xfd, 0, 0, 0xab, 0, 1, [15] = 0x10 },
		     EAST6[16] = { 0xfd, 0, 0, 0xab, 0, 2, [15] = 0x10 },
		     GW6[16] = { 0xfd, 0, 0, 0xab, 0, 1, [15] = 0x01 };

/* An IPv6 header (RFC 8200 3): payload length, next header, hop limit. */
static size_t ip6(uint8_t *p, uint16_t payload, uint8_t nh, uint8_t hops, const uint8_t src[16],
		  const uint8_t dst[16])
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(payload >> 8);
	p[5] = (uint8_t)payload;
	p[6] = nh;
	p[7] = hops;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* An ICMPv6 error (no IPv6 header: an ICMPv6 socket's read) of type/code,
 * its 4-byte field `rest`, quoting an IPv6 packet of qnh from us to east
 * whose first 8 upper-layer bytes are q8. */
static size_t icmp6_error(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest, uint8_t qnh,
			  const uint8_t q8[8])
{
	size_t n = 0;

	p[n++] = type;
	p[n++] = code;
	p[n++] = 0, p[n++] = 0;
	p[n++] = (uint8_t)(rest >> 24), p[n++] = (uint8_t)(rest >> 16);
	p[n++] = (uint8_t)(rest >> 8), p[n++] = (uint8_t)rest;
	n += ip6(p + n, 20, qnh, 1, ME6, EAST6);
	memcpy(p + n, q8, 8);
	return n + 8;
}

static void test_icmp6(void **state)
{
	static const uint8_t syn[8] = { 0xee, 0x48, 0x1b, 0x58, 0, 0, 0, 1 }; /* 61000 -> 7000 */
	static const uint8_t echo[8] = { 128, 0, 0, 0, 0x12, 0x34, 0, 9 };
	struct rm_addr gw = { RM_AF_INET6, { 0 } };
	uint8_t p[128];
	struct pkt_icmp out;
	size_t n, i;

	(void)state;
	memcpy(gw.bytes, GW6, 16);
	/* An echo reply as a raw or datagram ICMPv6 socket reads it. */
	assert_int_equal(pkt_build_echo6(p, sizeof(p), 0x1234, 9, 8, &n), RM_OK);
	assert_int_equal(p[0], 128);
	assert_int_equal(p[2] << 8 | p[3], 0); /* the kernel's to fill */
	p[0] = 129;
	assert_int_equal(pkt_parse_icmp6(p, n, &gw, &out), RM_OK);
	assert_int_equal(out.kind, PKT_ICMP_ECHO_REPLY);
	assert_int_equal(out.id, 0x1234);
	assert_int_equal(out.seq, 9);
	assert_true(cidr_addr_equal(&out.src, &gw));
	assert_false(out.quoted);

	/* Destination unreachable, administratively prohibited, quoting our
	 * SYN: a reject, routed by the quoted ports and destination. */
	n = icmp6_error(p, 1, 1, 0, 6, syn);
	assert_int_equal(pkt_parse_icmp6(p, n, &gw, &out), RM_OK);
	assert_int_equal(out.kind, PKT_ICMP_UNREACH);
	assert_true(pkt_icmp_is_reject(RM_AF_INET6, out.type, out.code));
	assert_true(out.quoted);
	assert_int_equal(out.q_proto, IPPROTO_TCP);
	assert_int_equal(out.q_sport, 61000);
	assert_int_equal(out.q_dport, 7000);
	assert_int_equal(out.q_dst.family, RM_AF_INET6);
	assert_memory_equal(out.q_dst.bytes, EAST6, 16);
	/* Port unreachable (4), no route (0): unreachable, not a reject;
	 * ICMP's reject codes mean nothing in ICMPv6. */
	assert_false(pkt_icmp_is_reject(RM_AF_INET6, 1, 4));
	assert_false(pkt_icmp_is_reject(RM_AF_INET6, 1, 0));
	assert_true(pkt_icmp_is_reject(RM_AF_INET6, 1, 5));
	assert_true(pkt_icmp_is_reject(RM_AF_INET6, 1, 6));
	assert_false(pkt_icmp_is_reject(RM_AF_INET6, 3, 13));
	assert_false(pkt_icmp_is_reject(RM_AF_INET, 1, 1));

	/* Packet too big (RFC 4443 3.2): the MTU, 32 bits on the wire. */
	n = icmp6_error(p, 2, 0, 1280, 17, syn);
	assert_int_equal(pkt_parse_icmp6(p, n, &gw, &out), RM_OK);
	assert_int_equal(out.kind, PKT_ICMP_TOO_BIG);
	assert_int_equal(out.mtu, 1280);
	assert_int_equal(out.q_proto, IPPROTO_UDP);

	/* Time exceeded quoting our echo, behind a destination options
	 * header the walk skips. */
	n = icmp6_error(p, 3, 0, 0, 60, echo);
	memmove(p + 8 + 40 + 8, p + 8 + 40, 8);
	memcpy(p + 8 + 40, ((const uint8_t[]){ 58, 0, 1, 4, 0, 0, 0, 0 }), 8);
	n += 8;
	assert_int_equal(pkt_parse_icmp6(p, n, &gw, &out), RM_OK);
	assert_int_equal(out.kind, PKT_ICMP_TIME_EXCEEDED);
	assert_true(out.quoted);
	assert_int_equal(out.q_proto, IPPROTO_ICMPV6);
	assert_int_equal(out.q_id, 0x1234);
	assert_int_equal(out.q_seq, 9);

	/* Every prefix: the header or nothing, never a read past the end;
	 * under 8 quoted bytes is an error quoting nothing. */
	n = icmp6_error(p, 1, 1, 0, 6, syn);
	for (i = 0; i < n; i++) {
		int rc = pkt_parse_icmp6(p, i, &gw, &out);

		assert_int_equal(rc, i < 8 ? RM_ETRUNC : RM_OK);
		if (rc == RM_OK)
			assert_false(out.quoted);
	}
}

/* A Linux cooked header and an IPv6 TCP segment from east's port 7000 to
 * our 61000 with `flags`. */
static size_t sll_tcp6(uint8_t *p, uint8_t flags, uint32_t ack)
{
	size_t n = 16;

	memset(p, 0, 16);
	p[14] = 0x86, p[15] = 0xdd;
	n += ip6(p + n, 20, 6, 63, EAST6, ME6);
	memset(p + n, 0, 20);
	p[n] = 0x1b, p[n + 1] = 0x58, p[n + 2] = 0xee, p[n + 3] = 0x48;
	p[n + 8] = (uint8_t)(ack >> 24), p[n + 9] = (uint8_t)(ack >> 16);
	p[n + 10] = (uint8_t)(ack >> 8), p[n + 11] = (uint8_t)ack;
	p[n + 12] = 0x50;
	p[n + 13] = flags;
	return n + 20;
}

static void test_tcp6_answers(void **state)
{
	uint8_t p[128];
	struct pkt_tcp t;
	struct pkt_datagram d;
	size_t n, i;

	(void)state;
	n = sll_tcp6(p, 0x12, 1001); /* SYN-ACK */
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_OK);
	assert_int_equal(t.flags, 0x12);
	assert_int_equal(t.sport, 7000);
	assert_int_equal(t.dport, 61000);
	assert_int_equal(t.ack, 1001);
	assert_int_equal(t.ttl, 63);
	assert_int_equal(t.src.family, RM_AF_INET6);
	assert_memory_equal(t.src.bytes, EAST6, 16);
	n = sll_tcp6(p, 0x14, 1001); /* RST-ACK, and as raw IP */
	assert_int_equal(pkt_parse_tcp_frame(p + 16, n - 16, PKT_DLT_RAW, &t), RM_OK);
	assert_int_equal(t.flags & 0x04, 0x04);
	for (i = 0; i < n; i++)
		assert_int_equal(pkt_parse_tcp_frame(p, i, PKT_DLT_LINUX_SLL, &t), RM_ETRUNC);
	/* A payload length beyond the capture. */
	p[16 + 5] = 200;
	assert_int_equal(pkt_parse_tcp_frame(p, n, PKT_DLT_LINUX_SLL, &t), RM_ETRUNC);
	/* An ICMPv6 echo request arriving, as serve counts it. */
	n = 16 + ip6(p + 16, 16, 58, 64, ME6, EAST6);
	assert_int_equal(pkt_build_echo6(p + n, 16, 1, 2, 8, &i), RM_OK);
	assert_int_equal(pkt_parse_datagram_frame(p, n + i, PKT_DLT_LINUX_SLL, &d), RM_OK);
	assert_int_equal(d.proto, IPPROTO_ICMPV6);
	assert_int_equal(d.icmp_kind, PKT_ICMP_ECHO_REQUEST);
	assert_memory_equal(d.src.bytes, ME6, 16);
}

/* Raw mode's SYN over IPv6: libnet's IPv6 builder, RFC 8200 header, TCP
 * checksum over the IPv6 pseudo-header (RFC 8200 8.1). */
static void test_syn6_with_libnet(void **state)
{
	char err[LIBNET_ERRBUF_SIZE];
	libnet_t *ln = libnet_init(LIBNET_NONE, NULL, err);
	struct rm_addr src = { RM_AF_INET6, { 0 } }, dst = { RM_AF_INET6, { 0 } },
		       v4 = { RM_AF_INET, { 10, 250, 1, 20 } };
	uint8_t p[80], ph[40 + 20];
	size_t len;

	(void)state;
	assert_non_null(ln);
	memcpy(src.bytes, ME6, 16);
	memcpy(dst.bytes, EAST6, 16);
	assert_int_equal(
	    rawtcp_build_syn(ln, &src, &dst, 61000, 7000, 0x01020304, p, sizeof(p), &len), RM_OK);
	assert_int_equal(len, 60);
	assert_int_equal(p[0] >> 4, 6);
	assert_int_equal(p[4] << 8 | p[5], 20);
	assert_int_equal(p[6], 6);
	assert_int_equal(p[7], 64);
	assert_memory_equal(p + 8, ME6, 16);
	assert_memory_equal(p + 24, EAST6, 16);
	assert_int_equal(p[40] << 8 | p[41], 61000);
	assert_int_equal(p[42] << 8 | p[43], 7000);
	assert_int_equal(p[53], 0x02);
	memcpy(ph, p + 8, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 20, ph[39] = 6;
	memcpy(ph + 40, p + 40, 20);
	assert_int_equal(pkt_checksum(ph, sizeof(ph)), 0);
	/* Families that differ are a caller's mistake. */
	assert_int_equal(rawtcp_build_syn(ln, &src, &v4, 61000, 7000, 1, p, sizeof(p), &len),
			 RM_EINVAL);
	libnet_destroy(ln);
}

/* What an ICMP datagram socket reads: the ICMP header alone. */
static void test_icmp_header(void **state)
{
	uint8_t p[64];
	struct pkt_icmp out;
	size_t len, i;

	(void)state;
	assert_int_equal(pkt_build_echo(p, sizeof(p), 0x1234, 0x0506, 8, &len), RM_OK);
	p[0] = ICMP_ECHO_REPLY;
	assert_int_equal(pkt_parse_icmp_header(p, len, &out), RM_OK);
	assert_int_equal(out.type, ICMP_ECHO_REPLY);
	assert_int_equal(out.id, 0x1234);
	assert_int_equal(out.seq, 0x0506);
	for (i = 0; i < 8; i++)
		assert_int_equal(pkt_parse_icmp_header(p, i, &out), RM_ETRUNC);
}

/* The arrivals `serve` counts: a UDP datagram to the responder and an echo
 * request, captured behind a Linux cooked header; and what they are not. */
static void test_datagram_frames(void **state)
{
	uint8_t p[128];
	struct pkt_datagram d;
	size_t n, i;

	(void)state;
	memset(p, 0, sizeof(p));
	p[14] = 0x08;
	n = 16 + ip4(p + 16, 28, 61, IPPROTO_UDP, EAST, ME);
	memcpy(p + n, (const uint8_t[]){ 0xc0, 0x00, 0x22, 0x4c, 0, 8, 0, 0 }, 8); /* -> 8780 */
	n += 8;
	assert_int_equal(pkt_parse_datagram_frame(p, n, PKT_DLT_LINUX_SLL, &d), RM_OK);
	assert_int_equal(d.proto, IPPROTO_UDP);
	assert_int_equal(d.dport, 8780);
	assert_memory_equal(d.src.bytes, EAST, 4);
	for (i = 0; i < n; i++)
		assert_int_equal(pkt_parse_datagram_frame(p, i, PKT_DLT_LINUX_SLL, &d), RM_ETRUNC);
	/* The same bytes as an echo request. */
	p[16 + 9] = IPPROTO_ICMP;
	p[16 + 20] = ICMP_ECHO_REQUEST;
	assert_int_equal(pkt_parse_datagram_frame(p, n, PKT_DLT_LINUX_SLL, &d), RM_OK);
	assert_int_equal(d.proto, IPPROTO_ICMP);
	assert_int_equal(d.icmp_type, ICMP_ECHO_REQUEST);
	/* Behind Ethernet (its ethertype lands where the cooked header's
	 * protocol was), and as raw IP; ARP is not IPv4. */
	assert_int_equal(pkt_parse_datagram_frame(p + 2, n - 2, PKT_DLT_EN10MB, &d), RM_OK);
	assert_int_equal(pkt_parse_datagram_frame(p + 16, n - 16, PKT_DLT_RAW, &d), RM_OK);
	p[15] = 0x06;
	assert_int_equal(pkt_parse_datagram_frame(p + 2, n - 2, PKT_DLT_EN10MB, &d), RM_EPARSE);
	p[15] = 0x00;
	/* TCP is not a datagram; neither is an unknown link type. */
	p[16 + 9] = IPPROTO_TCP;
	assert_int_equal(pkt_parse_datagram_frame(p + 16, n - 16, PKT_DLT_RAW, &d), RM_EPARSE);
	assert_int_equal(pkt_parse_datagram_frame(p + 16, n - 16, 147, &d), RM_EPARSE);
}

/* The one sockaddr <-> rm_addr conversion, both families, both ways. */
static void test_sockaddr(void **state)
{
	struct rm_addr v4 = { RM_AF_INET, { 10, 200, 1, 10 } }, v6 = { RM_AF_INET6, { 0xfd, 0 } },
		       back;
	struct sockaddr_storage ss;
	uint16_t port = 0;

	(void)state;
	v6.bytes[15] = 7;
	assert_int_equal(wire_to_sockaddr(&v4, 9042, &ss), sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(wire_from_sockaddr((struct sockaddr *)&ss, &back, &port), RM_OK);
	assert_memory_equal(&back, &v4, sizeof(back));
	assert_int_equal(port, 9042);
	assert_int_equal(wire_to_sockaddr(&v6, 7000, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(wire_from_sockaddr((struct sockaddr *)&ss, &back, NULL), RM_OK);
	assert_memory_equal(&back, &v6, sizeof(back));
	ss.ss_family = AF_UNIX;
	assert_int_equal(wire_from_sockaddr((struct sockaddr *)&ss, &back, &port), RM_EINVAL);
	assert_int_equal(back.family, RM_AF_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_reply),	cmocka_unit_test(test_errors_quoting_ours),
		cmocka_unit_test(test_short_and_lying), cmocka_unit_test(test_build_echo),
		cmocka_unit_test(test_tcp_answers),	cmocka_unit_test(test_syn_with_libnet),
		cmocka_unit_test(test_icmp_header),	cmocka_unit_test(test_datagram_frames),
		cmocka_unit_test(test_sockaddr),	cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_tcp6_answers),	cmocka_unit_test(test_syn6_with_libnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

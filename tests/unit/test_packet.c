/* IPv4/ICMP parsing and building against byte fixtures written from RFC 791
 * and RFC 792: echo replies, each ICMP error quoting our echo, our SYN or a
 * UDP datagram, truncated and lying-length packets. */
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
		cmocka_unit_test(test_sockaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

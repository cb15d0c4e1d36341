/* RFC 791, RFC 792, RFC 1191, RFC 1812, RFC 8200, RFC 4443: see packet.h.
 * Every read goes through the length-checked reader.
 *
 *   IPv4: ver/ihl tos total-length | id flags/frag | ttl proto checksum |
 *         source | destination | options (ihl*4 - 20)
 *   IPv6: ver/tc/flow (4) | payload-length next-header hop-limit |
 *         source (16) | destination (16) | extension headers
 *   ICMP: type code checksum | rest of header (4) | data
 *         echo: rest = id seq
 *         unreachable 3/4: rest = unused(2) next-hop-mtu(2)
 *         errors: data = the offending IPv4 header + its first 8 bytes
 *   ICMPv6: type code checksum | rest of header (4) | data
 *         echo (128, 129): rest = id seq
 *         packet too big (2): rest = mtu(4)
 *         errors (1, 2, 3): data = as much of the offending packet as fits */
#include "probes/packet.h"

#include <string.h>

#include "reachmap/error.h"
#include "reachmap/wire.h"

/* IPv6 extension headers walked to reach the upper layer (RFC 8200 4). */
enum {
	IP6_EXT_HOP_BY_HOP = 0,
	IP6_EXT_ROUTING = 43,
	IP6_EXT_FRAGMENT = 44,
	IP6_EXT_DEST_OPTS = 60,
	IP6_HEADER_LEN = 40,
};

/* An IPv4 or IPv6 header: `total` is the whole packet's length as the
 * header states it, header included. */
struct ip_hdr {
	uint8_t hlen, ttl, proto;
	size_t total;
	struct rm_addr src, dst;
};

static int read_addr(struct rm_reader *r, enum rm_family family, struct rm_addr *a)
{
	size_t n = family == RM_AF_INET6 ? 16 : 4;
	const uint8_t *p;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = rd_bytes(r, n, &p)) != RM_OK)
		return rc;
	a->family = (uint8_t)family;
	memcpy(a->bytes, p, n);
	return RM_OK;
}

/* The IPv4 header after its first byte (vi). */
static int read_ip4_rest(struct rm_reader *r, uint8_t vi, struct ip_hdr *ip, bool whole)
{
	uint16_t total;
	int rc;

	ip->hlen = (uint8_t)((vi & 0x0f) * 4);
	if (ip->hlen < 20)
		return RM_EPARSE;
	if ((rc = rd_skip(r, 1)) != RM_OK || (rc = rd_u16(r, &total)) != RM_OK ||
	    (rc = rd_skip(r, 4)) != RM_OK || (rc = rd_u8(r, &ip->ttl)) != RM_OK ||
	    (rc = rd_u8(r, &ip->proto)) != RM_OK || (rc = rd_skip(r, 2)) != RM_OK ||
	    (rc = read_addr(r, RM_AF_INET, &ip->src)) != RM_OK ||
	    (rc = read_addr(r, RM_AF_INET, &ip->dst)) != RM_OK ||
	    (rc = rd_skip(r, (size_t)ip->hlen - 20)) != RM_OK)
		return rc;
	ip->total = total;
	/* The outer header's total length must match what arrived; a quoted
	 * header's cannot (only its start is quoted), but must cover it. */
	if (ip->total < ip->hlen)
		return RM_ETRUNC;
	if (whole && ip->total > r->len)
		return RM_ETRUNC;
	return RM_OK;
}

/* The IPv6 header after its first byte, and the extension headers up to
 * the upper layer, whose number is left in proto. */
static int read_ip6_rest(struct rm_reader *r, struct ip_hdr *ip)
{
	uint16_t payload;
	uint8_t nh, len;
	int rc;

	if ((rc = rd_skip(r, 3)) != RM_OK || (rc = rd_u16(r, &payload)) != RM_OK ||
	    (rc = rd_u8(r, &ip->proto)) != RM_OK || (rc = rd_u8(r, &ip->ttl)) != RM_OK ||
	    (rc = read_addr(r, RM_AF_INET6, &ip->src)) != RM_OK ||
	    (rc = read_addr(r, RM_AF_INET6, &ip->dst)) != RM_OK)
		return rc;
	ip->hlen = IP6_HEADER_LEN;
	ip->total = (size_t)IP6_HEADER_LEN + payload;
	while (ip->proto == IP6_EXT_HOP_BY_HOP || ip->proto == IP6_EXT_ROUTING ||
	       ip->proto == IP6_EXT_DEST_OPTS || ip->proto == IP6_EXT_FRAGMENT) {
		if ((rc = rd_u8(r, &nh)) != RM_OK || (rc = rd_u8(r, &len)) != RM_OK)
			return rc;
		/* A fragment header is 8 bytes whatever its second byte. */
		rc = rd_skip(r, ip->proto == IP6_EXT_FRAGMENT ? 6 : (size_t)len * 8 + 6);
		if (rc != RM_OK)
			return rc;
		ip->proto = nh;
	}
	return RM_OK;
}

/* An IPv4 or IPv6 header, by its version. whole: an outer header, whose
 * stated IPv4 length must fit in what arrived. */
static int read_ip(struct rm_reader *r, struct ip_hdr *ip, bool whole)
{
	uint8_t vi;
	int rc;

	memset(ip, 0, sizeof(*ip));
	if ((rc = rd_u8(r, &vi)) != RM_OK)
		return rc;
	if (vi >> 4 == 4)
		return read_ip4_rest(r, vi, ip, whole);
	if (vi >> 4 == 6)
		return read_ip6_rest(r, ip);
	return RM_EPARSE;
}

enum pkt_icmp_kind pkt_icmp_kind(enum rm_family family, uint8_t type, uint8_t code)
{
	if (family == RM_AF_INET6) {
		switch (type) {
		case ICMP6_TYPE_ECHO_REQUEST:
			return PKT_ICMP_ECHO_REQUEST;
		case ICMP6_TYPE_ECHO_REPLY:
			return PKT_ICMP_ECHO_REPLY;
		case ICMP6_TYPE_DEST_UNREACH:
			return PKT_ICMP_UNREACH;
		case ICMP6_TYPE_PACKET_TOO_BIG:
			return PKT_ICMP_TOO_BIG;
		case ICMP6_TYPE_TIME_EXCEEDED:
			return PKT_ICMP_TIME_EXCEEDED;
		default:
			return PKT_ICMP_OTHER;
		}
	}
	switch (type) {
	case ICMP_ECHO_REQUEST:
		return PKT_ICMP_ECHO_REQUEST;
	case ICMP_ECHO_REPLY:
		return PKT_ICMP_ECHO_REPLY;
	case ICMP_DEST_UNREACH:
		return code == ICMP_CODE_FRAG_NEEDED ? PKT_ICMP_TOO_BIG : PKT_ICMP_UNREACH;
	case ICMP_TIME_EXCEEDED:
		return PKT_ICMP_TIME_EXCEEDED;
	default:
		return PKT_ICMP_OTHER;
	}
}

/* The first 8 bytes of the quoted upper layer: ports, or an echo's id and
 * seq (quoted stays false for any other ICMP message). */
static void read_quoted_l4(struct rm_reader *q, const struct ip_hdr *qip, struct pkt_icmp *out)
{
	uint8_t t;

	if (rd_left(q) < 8)
		return;
	out->quoted = true;
	out->q_proto = qip->proto;
	out->q_src = qip->src;
	out->q_dst = qip->dst;
	if (qip->proto == IPPROTO_TCP || qip->proto == IPPROTO_UDP) {
		rd_u16(q, &out->q_sport);
		rd_u16(q, &out->q_dport);
	} else if (qip->proto == IPPROTO_ICMP || qip->proto == IPPROTO_ICMPV6) {
		rd_u8(q, &t);
		rd_skip(q, 3);
		if (t ==
		    (qip->proto == IPPROTO_ICMP ? ICMP_ECHO_REQUEST : ICMP6_TYPE_ECHO_REQUEST)) {
			rd_u16(q, &out->q_id);
			rd_u16(q, &out->q_seq);
		} else {
			out->quoted = false;
		}
	}
}

/* An ICMP or ICMPv6 message's first 8 bytes; a and b are the two halves
 * of the rest of the header. */
static int read_icmp_start(struct rm_reader *r, enum rm_family family, struct pkt_icmp *out,
			   uint16_t *a, uint16_t *b)
{
	int rc;

	if ((rc = rd_u8(r, &out->type)) != RM_OK || (rc = rd_u8(r, &out->code)) != RM_OK ||
	    (rc = rd_skip(r, 2)) != RM_OK || (rc = rd_u16(r, a)) != RM_OK ||
	    (rc = rd_u16(r, b)) != RM_OK)
		return rc;
	out->kind = pkt_icmp_kind(family, out->type, out->code);
	if (out->kind == PKT_ICMP_ECHO_REPLY || out->kind == PKT_ICMP_ECHO_REQUEST) {
		out->id = *a;
		out->seq = *b;
	}
	return RM_OK;
}

int pkt_parse_icmp4(const uint8_t *data, size_t len, struct pkt_icmp *out)
{
	struct rm_reader r, q;
	struct ip_hdr ip, qip;
	uint16_t a, b;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_ip(&r, &ip, true)) != RM_OK)
		return rc;
	if (ip.src.family != RM_AF_INET || ip.proto != IPPROTO_ICMP)
		return RM_EPARSE;
	/* Trailing link padding beyond total length is not ICMP. */
	r.len = ip.total;
	out->src = ip.src;
	out->ttl = ip.ttl;
	if ((rc = read_icmp_start(&r, RM_AF_INET, out, &a, &b)) != RM_OK)
		return rc;
	if (out->kind == PKT_ICMP_TOO_BIG)
		out->mtu = b;
	if (out->kind != PKT_ICMP_UNREACH && out->kind != PKT_ICMP_TOO_BIG &&
	    out->kind != PKT_ICMP_TIME_EXCEEDED)
		return RM_OK;
	/* The quoted datagram: its IP header and at least 8 bytes. */
	q = r;
	if (read_ip(&q, &qip, false) == RM_OK && qip.src.family == RM_AF_INET)
		read_quoted_l4(&q, &qip, out);
	return RM_OK;
}

int pkt_parse_icmp6(const uint8_t *data, size_t len, const struct rm_addr *src,
		    struct pkt_icmp *out)
{
	struct rm_reader r;
	struct ip_hdr qip;
	uint16_t a, b;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_icmp_start(&r, RM_AF_INET6, out, &a, &b)) != RM_OK)
		return rc;
	if (src != NULL)
		out->src = *src;
	if (out->kind == PKT_ICMP_TOO_BIG)
		out->mtu = a ? UINT16_MAX : b;
	if (out->kind != PKT_ICMP_UNREACH && out->kind != PKT_ICMP_TOO_BIG &&
	    out->kind != PKT_ICMP_TIME_EXCEEDED)
		return RM_OK;
	if (read_ip(&r, &qip, false) == RM_OK && qip.src.family == RM_AF_INET6)
		read_quoted_l4(&r, &qip, out);
	return RM_OK;
}

int pkt_parse_icmp_header(const uint8_t *data, size_t len, struct pkt_icmp *out)
{
	struct rm_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = rd_u8(&r, &out->type)) != RM_OK || (rc = rd_u8(&r, &out->code)) != RM_OK ||
	    (rc = rd_skip(&r, 2)) != RM_OK || (rc = rd_u16(&r, &out->id)) != RM_OK ||
	    (rc = rd_u16(&r, &out->seq)) != RM_OK)
		return rc;
	out->kind = pkt_icmp_kind(RM_AF_INET, out->type, out->code);
	return RM_OK;
}

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* Link headers: Ethernet (14 bytes, ethertype at 12), Linux cooked capture
 * v1 (16 bytes, protocol at 14), raw IP (none: the version nibble tells).
 * Leaves r at the IP header. */
static int read_link(struct rm_reader *r, int dlt)
{
	uint16_t proto = ETHERTYPE_IPV4;
	int rc;

	switch (dlt) {
	case PKT_DLT_EN10MB:
		if ((rc = rd_skip(r, 12)) != RM_OK || (rc = rd_u16(r, &proto)) != RM_OK)
			return rc;
		break;
	case PKT_DLT_LINUX_SLL:
		if ((rc = rd_skip(r, 14)) != RM_OK || (rc = rd_u16(r, &proto)) != RM_OK)
			return rc;
		break;
	case PKT_DLT_RAW:
	case PKT_DLT_RAW_101:
		break;
	default:
		return RM_EPARSE;
	}
	return proto == ETHERTYPE_IPV4 || proto == ETHERTYPE_IPV6 ? RM_OK : RM_EPARSE;
}

int pkt_parse_tcp_frame(const uint8_t *data, size_t len, int dlt, struct pkt_tcp *out)
{
	struct rm_reader r;
	struct ip_hdr ip;
	uint8_t doff, flags;
	size_t off;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_link(&r, dlt)) != RM_OK)
		return rc;
	off = r.off;
	if ((rc = read_ip(&r, &ip, false)) != RM_OK)
		return rc;
	if (ip.proto != IPPROTO_TCP)
		return RM_EPARSE;
	if (off + ip.total > len)
		return RM_ETRUNC;
	out->src = ip.src;
	out->dst = ip.dst;
	out->ttl = ip.ttl;
	if ((rc = rd_u16(&r, &out->sport)) != RM_OK || (rc = rd_u16(&r, &out->dport)) != RM_OK ||
	    (rc = rd_u32(&r, &out->seq)) != RM_OK || (rc = rd_u32(&r, &out->ack)) != RM_OK ||
	    (rc = rd_u8(&r, &doff)) != RM_OK || (rc = rd_u8(&r, &flags)) != RM_OK)
		return rc;
	if ((doff >> 4) < 5)
		return RM_EPARSE;
	out->flags = flags;
	return RM_OK;
}

int pkt_parse_datagram_frame(const uint8_t *data, size_t len, int dlt, struct pkt_datagram *out)
{
	struct rm_reader r, hdr;
	struct ip_hdr ip;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_link(&r, dlt)) != RM_OK || (rc = read_ip(&r, &ip, false)) != RM_OK)
		return rc;
	if (ip.proto != IPPROTO_UDP &&
	    ip.proto != (ip.src.family == RM_AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
		return RM_EPARSE;
	if ((rc = rd_sub(&r, 8, &hdr)) != RM_OK)
		return rc;
	out->src = ip.src;
	out->proto = ip.proto;
	if (ip.proto == IPPROTO_UDP)
		return rd_skip(&hdr, 2) == RM_OK ? rd_u16(&hdr, &out->dport) : RM_ETRUNC;
	if ((rc = rd_u8(&hdr, &out->icmp_type)) != RM_OK)
		return rc;
	out->icmp_kind = pkt_icmp_kind((enum rm_family)ip.src.family, out->icmp_type, 0);
	return RM_OK;
}

uint16_t pkt_checksum(const uint8_t *data, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An echo request of either family, checksum 0. */
static int build_echo(uint8_t *buf, size_t cap, uint8_t type, uint16_t id, uint16_t seq,
		      size_t payload, size_t *len)
{
	struct rm_writer w;
	size_t i;
	int rc;

	wr_init(&w, buf, cap);
	rc = wr_u8(&w, type);
	if (rc == RM_OK)
		rc = wr_u8(&w, 0);
	if (rc == RM_OK)
		rc = wr_u16(&w, 0);
	if (rc == RM_OK)
		rc = wr_u16(&w, id);
	if (rc == RM_OK)
		rc = wr_u16(&w, seq);
	for (i = 0; rc == RM_OK && i < payload; i++)
		rc = wr_u8(&w, (uint8_t)('a' + i % 26));
	if (rc == RM_OK)
		*len = w.off;
	return rc;
}

int pkt_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload, size_t *len)
{
	uint16_t sum;
	int rc = build_echo(buf, cap, ICMP_ECHO_REQUEST, id, seq, payload, len);

	if (rc != RM_OK)
		return rc;
	sum = pkt_checksum(buf, *len);
	buf[2] = (uint8_t)(sum >> 8);
	buf[3] = (uint8_t)sum;
	return RM_OK;
}

int pkt_build_echo6(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload,
		    size_t *len)
{
	return build_echo(buf, cap, ICMP6_TYPE_ECHO_REQUEST, id, seq, payload, len);
}

bool pkt_icmp_is_reject(enum rm_family family, uint8_t type, uint8_t code)
{
	if (family == RM_AF_INET6)
		return type == ICMP6_TYPE_DEST_UNREACH &&
		       (code == ICMP6_CODE_ADMIN_PROHIBITED || code == ICMP6_CODE_POLICY_FAILED ||
			code == ICMP6_CODE_REJECT_ROUTE);
	return type == ICMP_DEST_UNREACH &&
	       (code == ICMP_CODE_NET_PROHIBITED || code == ICMP_CODE_HOST_PROHIBITED ||
		code == ICMP_CODE_ADMIN_PROHIBITED);
}

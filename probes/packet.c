/* RFC 791, RFC 792, RFC 1191, RFC 1812: see packet.h. Every read goes
 * through the length-checked reader.
 *
 *   IPv4: ver/ihl tos total-length | id flags/frag | ttl proto checksum |
 *         source | destination | options (ihl*4 - 20)
 *   ICMP: type code checksum | rest of header (4) | data
 *         echo: rest = id seq
 *         unreachable 3/4: rest = unused(2) next-hop-mtu(2)
 *         errors: data = the offending IPv4 header + its first 8 bytes */
#include "probes/packet.h"

#include <string.h>

#include "reachmap/error.h"
#include "reachmap/wire.h"

struct ip4 {
	uint8_t ihl, ttl, proto;
	uint16_t total;
	struct rm_addr src, dst;
};

static int read_ip4(struct rm_reader *r, struct ip4 *ip, bool whole)
{
	const uint8_t *a;
	uint8_t vi;
	int rc;

	if ((rc = rd_u8(r, &vi)) != RM_OK)
		return rc;
	if (vi >> 4 != 4)
		return RM_EPARSE;
	ip->ihl = (uint8_t)((vi & 0x0f) * 4);
	if (ip->ihl < 20)
		return RM_EPARSE;
	if ((rc = rd_skip(r, 1)) != RM_OK || (rc = rd_u16(r, &ip->total)) != RM_OK ||
	    (rc = rd_skip(r, 4)) != RM_OK || (rc = rd_u8(r, &ip->ttl)) != RM_OK ||
	    (rc = rd_u8(r, &ip->proto)) != RM_OK || (rc = rd_skip(r, 2)) != RM_OK)
		return rc;
	memset(&ip->src, 0, sizeof(ip->src));
	memset(&ip->dst, 0, sizeof(ip->dst));
	ip->src.family = ip->dst.family = RM_AF_INET;
	if ((rc = rd_bytes(r, 4, &a)) != RM_OK)
		return rc;
	memcpy(ip->src.bytes, a, 4);
	if ((rc = rd_bytes(r, 4, &a)) != RM_OK)
		return rc;
	memcpy(ip->dst.bytes, a, 4);
	if ((rc = rd_skip(r, (size_t)ip->ihl - 20)) != RM_OK)
		return rc;
	/* The outer header's total length must match what arrived; a quoted
	 * header's cannot (only its start is quoted), but must cover it. */
	if (ip->total < ip->ihl)
		return RM_ETRUNC;
	if (whole && (size_t)ip->total > r->len)
		return RM_ETRUNC;
	return RM_OK;
}

int pkt_parse_icmp4(const uint8_t *data, size_t len, struct pkt_icmp *out)
{
	struct rm_reader r, q;
	struct ip4 ip, qip;
	uint16_t a, b;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_ip4(&r, &ip, true)) != RM_OK)
		return rc;
	if (ip.proto != IPPROTO_ICMP)
		return RM_EPARSE;
	/* Trailing link padding beyond total length is not ICMP. */
	r.len = ip.total;
	out->src = ip.src;
	out->ttl = ip.ttl;
	if ((rc = rd_u8(&r, &out->type)) != RM_OK || (rc = rd_u8(&r, &out->code)) != RM_OK ||
	    (rc = rd_skip(&r, 2)) != RM_OK || (rc = rd_u16(&r, &a)) != RM_OK ||
	    (rc = rd_u16(&r, &b)) != RM_OK)
		return rc;
	switch (out->type) {
	case ICMP_ECHO_REPLY:
	case ICMP_ECHO_REQUEST:
		out->id = a;
		out->seq = b;
		return RM_OK;
	case ICMP_DEST_UNREACH:
		if (out->code == ICMP_CODE_FRAG_NEEDED)
			out->mtu = b;
		break;
	case ICMP_TIME_EXCEEDED:
		break;
	default:
		return RM_OK;
	}
	/* The quoted datagram: its IP header and at least 8 bytes. */
	q = r;
	if (read_ip4(&q, &qip, false) != RM_OK || rd_left(&q) < 8)
		return RM_OK;
	out->quoted = true;
	out->q_proto = qip.proto;
	out->q_src = qip.src;
	out->q_dst = qip.dst;
	if (qip.proto == IPPROTO_TCP || qip.proto == IPPROTO_UDP) {
		rd_u16(&q, &out->q_sport);
		rd_u16(&q, &out->q_dport);
	} else if (qip.proto == IPPROTO_ICMP) {
		uint8_t t;

		rd_u8(&q, &t);
		rd_skip(&q, 3);
		if (t == ICMP_ECHO_REQUEST) {
			rd_u16(&q, &out->q_id);
			rd_u16(&q, &out->q_seq);
		} else {
			out->quoted = false;
		}
	}
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
	return RM_OK;
}

#define ETHERTYPE_IPV4 0x0800

/* Link headers: Ethernet (14 bytes, ethertype at 12), Linux cooked capture
 * v1 (16 bytes, protocol at 14), raw IP (none). Leaves r at the IP header. */
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
	return proto == ETHERTYPE_IPV4 ? RM_OK : RM_EPARSE;
}

int pkt_parse_tcp_frame(const uint8_t *data, size_t len, int dlt, struct pkt_tcp *out)
{
	struct rm_reader r;
	struct ip4 ip;
	uint8_t doff, flags;
	size_t off;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_link(&r, dlt)) != RM_OK)
		return rc;
	off = r.off;
	if ((rc = read_ip4(&r, &ip, false)) != RM_OK)
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
	struct ip4 ip;
	int rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, data, len);
	if ((rc = read_link(&r, dlt)) != RM_OK || (rc = read_ip4(&r, &ip, false)) != RM_OK)
		return rc;
	if (ip.proto != IPPROTO_UDP && ip.proto != IPPROTO_ICMP)
		return RM_EPARSE;
	if ((rc = rd_sub(&r, 8, &hdr)) != RM_OK)
		return rc;
	out->src = ip.src;
	out->proto = ip.proto;
	if (ip.proto == IPPROTO_UDP)
		return rd_skip(&hdr, 2) == RM_OK ? rd_u16(&hdr, &out->dport) : RM_ETRUNC;
	return rd_u8(&hdr, &out->icmp_type);
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

int pkt_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq, size_t payload, size_t *len)
{
	struct rm_writer w;
	uint16_t sum;
	size_t i;
	int rc;

	wr_init(&w, buf, cap);
	rc = wr_u8(&w, ICMP_ECHO_REQUEST);
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
	if (rc != RM_OK)
		return rc;
	sum = pkt_checksum(buf, w.off);
	buf[2] = (uint8_t)(sum >> 8);
	buf[3] = (uint8_t)sum;
	*len = w.off;
	return RM_OK;
}

bool pkt_icmp_is_reject(uint8_t type, uint8_t code)
{
	return type == ICMP_DEST_UNREACH &&
	       (code == ICMP_CODE_NET_PROHIBITED || code == ICMP_CODE_HOST_PROHIBITED ||
		code == ICMP_CODE_ADMIN_PROHIBITED);
}

/* Fuzzes the packet classifier: any bytes a raw or datagram ICMP or ICMPv6
 * socket may read or libpcap may capture (IPv4 or IPv6). */
#include <stddef.h>
#include <stdint.h>

#include "probes/packet.h"
#include "reachmap/error.h"
#include "reachmap/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_icmp p;
	int rc = pkt_parse_icmp4(data, size, &p);

	if (rc != RM_OK && rc != RM_ETRUNC && rc != RM_EPARSE)
		__builtin_trap();
	if (rc == RM_OK && p.src.family != RM_AF_INET)
		__builtin_trap();
	/* The same bytes as captured frames of each link type raw mode reads. */
	{
		static const int dlts[] = { PKT_DLT_EN10MB, PKT_DLT_LINUX_SLL, PKT_DLT_RAW };
		struct pkt_tcp t;
		struct pkt_datagram d;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(dlts); i++) {
			rc = pkt_parse_tcp_frame(data, size, dlts[i], &t);
			if (rc != RM_OK && rc != RM_ETRUNC && rc != RM_EPARSE)
				__builtin_trap();
			rc = pkt_parse_datagram_frame(data, size, dlts[i], &d);
			if (rc != RM_OK && rc != RM_ETRUNC && rc != RM_EPARSE)
				__builtin_trap();
			if (rc == RM_OK && d.proto != IPPROTO_UDP && d.proto != IPPROTO_ICMP &&
			    d.proto != IPPROTO_ICMPV6)
				__builtin_trap();
		}
	}
	/* And as an ICMP datagram socket reads them. */
	rc = pkt_parse_icmp_header(data, size, &p);
	if (rc != RM_OK && rc != RM_ETRUNC)
		__builtin_trap();
	/* And as an ICMPv6 socket, raw or datagram, reads them. */
	{
		static const struct rm_addr from = { RM_AF_INET6, { 0xfd } };

		rc = pkt_parse_icmp6(data, size, &from, &p);
		if (rc != RM_OK && rc != RM_ETRUNC)
			__builtin_trap();
		if (rc == RM_OK && p.quoted && p.q_dst.family != RM_AF_INET6)
			__builtin_trap();
	}
	return 0;
}

/* Fuzzes the packet classifier: any bytes a raw ICMP socket may read. */
#include <stddef.h>
#include <stdint.h>

#include "probes/packet.h"
#include "reachmap/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_icmp p;
	int rc = pkt_parse_icmp4(data, size, &p);

	if (rc != RM_OK && rc != RM_ETRUNC && rc != RM_EPARSE)
		__builtin_trap();
	if (rc == RM_OK && p.src.family != RM_AF_INET)
		__builtin_trap();
	return 0;
}

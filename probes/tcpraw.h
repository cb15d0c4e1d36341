/* Raw mode's SYN (probes/check_tcpraw.c), apart so it can be tested
 * without a socket. */
#ifndef REACHMAP_PROBES_TCPRAW_H
#define REACHMAP_PROBES_TCPRAW_H

#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

/* A SYN (RFC 793) in an IPv4 header (RFC 791), checksums filled, built by
 * libnet into `out`. ctx is a libnet context (LIBNET_NONE: build only).
 * 0 and *len; RM_ETRUNC when cap is too small; RM_EINVAL when libnet
 * fails. */
int rawtcp_build_syn(void *ctx, const struct rm_addr *src, const struct rm_addr *dst,
		     uint16_t sport, uint16_t dport, uint32_t seq, uint8_t *out, size_t cap,
		     size_t *len);

#endif

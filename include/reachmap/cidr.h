/* Addresses and CIDR blocks, IPv4 and IPv6 (RFC 4632, RFC 4291, RFC 5952). */
#ifndef REACHMAP_CIDR_H
#define REACHMAP_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rm_family {
	RM_AF_NONE = 0,
	RM_AF_INET = 4,
	RM_AF_INET6 = 6,
};

/* An IPv4 or IPv6 address in network byte order. IPv4 uses bytes[0..3] and
 * keeps the rest zero, so equal addresses compare equal bytewise. */
struct rm_addr {
	uint8_t family; /* enum rm_family */
	uint8_t bytes[16];
};

/* A CIDR block; normalized (no host bits) when made by these functions. */
struct rm_prefix {
	struct rm_addr addr;
	uint8_t len; /* 0..32 or 0..128 */
};

#define RM_ADDR_STRLEN	 46 /* INET6_ADDRSTRLEN */
#define RM_PREFIX_STRLEN 50 /* an address, "/128" and NUL */

/* Parses "10.0.0.1" or "fd00::1" (no zone id, no port). 0, or RM_EPARSE. */
int cidr_addr_parse(const char *s, struct rm_addr *out);

/* Parses "10.200.0.0/16" or "fd00::/48"; a bare address is not a CIDR.
 * 0 and the normalized block in *out; when the text had host bits set
 * (10.200.1.0/16), *host_bits (may be NULL) is set and *out is 10.200.0.0/16.
 * RM_EPARSE for bad syntax, RM_ERANGE for a length over 32 or 128. *why (may
 * be NULL) gets a short static reason, e.g. "prefix length 33 is over 32". */
int cidr_parse(const char *s, struct rm_prefix *out, bool *host_bits, const char **why);

/* Canonical text (RFC 5952 for IPv6) into buf; returns buf. */
char *cidr_addr_format(const struct rm_addr *a, char *buf, size_t len);
char *cidr_format(const struct rm_prefix *p, char *buf, size_t len);

bool cidr_addr_equal(const struct rm_addr *a, const struct rm_addr *b);
/* Total orders: family, then address, then length. For sorting. */
int cidr_addr_cmp(const struct rm_addr *a, const struct rm_addr *b);
int cidr_cmp(const struct rm_prefix *a, const struct rm_prefix *b);

/* The block of length len holding a (host bits cleared). 0, or RM_ERANGE. */
int cidr_make(const struct rm_addr *a, unsigned len, struct rm_prefix *out);

/* All false when the families differ. */
bool cidr_contains(const struct rm_prefix *p, const struct rm_addr *a);
bool cidr_contains_prefix(const struct rm_prefix *outer, const struct rm_prefix *inner);
bool cidr_overlaps(const struct rm_prefix *a, const struct rm_prefix *b);
/* Two CIDR blocks are disjoint or nested, so their intersection is empty or
 * the longer one. True, and *out (may be NULL) set, when they overlap. */
bool cidr_intersection(const struct rm_prefix *a, const struct rm_prefix *b, struct rm_prefix *out);

/* Number of addresses, saturating at UINT64_MAX. */
uint64_t cidr_size(const struct rm_prefix *p);
/* First and last address of the block. */
void cidr_first(const struct rm_prefix *p, struct rm_addr *out);
void cidr_last(const struct rm_prefix *p, struct rm_addr *out);

/* The lowest aligned block of length len inside space that overlaps none of
 * used[0..nused-1] (blocks of the other family are ignored). 0 and *out;
 * RM_ENOTFOUND when none is free; RM_EINVAL when len is shorter than
 * space's or longer than the family allows. Skips past each used block, so
 * the cost grows with nused, not with the size of space. */
int cidr_free_block(const struct rm_prefix *space, const struct rm_prefix *used, size_t nused,
		    unsigned len, struct rm_prefix *out);

#endif

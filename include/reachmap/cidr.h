/* Addresses and CIDR blocks, IPv4 and IPv6 (RFC 4632, RFC 4291, RFC 5952).
 * Pure functions on caller-owned values: nothing here allocates, keeps a
 * pointer past the call, or touches global state. */
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
 * these functions keep the rest zero, so a whole struct can be hashed or
 * compared bytewise. */
struct rm_addr {
	uint8_t family; /* enum rm_family */
	uint8_t bytes[16];
};

/* A CIDR block; normalized (no host bits set) when made by these functions. */
struct rm_prefix {
	struct rm_addr addr;
	uint8_t len; /* 0..32 or 0..128 */
};

#define RM_ADDR_STRLEN	 46 /* INET6_ADDRSTRLEN */
#define RM_PREFIX_STRLEN 50 /* an address, "/128" and NUL */

/* Parses a whole string as "10.0.0.1" (dotted quad, no leading zeros) or an
 * RFC 4291 text form such as "fd00::1" or "::ffff:10.0.0.1"; no zone id, no
 * port, no brackets, no spaces. 0 and *out, or RM_EPARSE (*out zeroed). */
int cidr_addr_parse(const char *s, struct rm_addr *out);

/* Parses "10.200.0.0/16" or "fd00::/48"; a bare address is not a CIDR. The
 * length is 1 to 3 decimal digits, nothing else. 0 and the normalized block
 * in *out; *host_bits (may be NULL) tells whether the text had host bits set
 * ("10.200.1.0/16" gives 10.200.0.0/16 and true). RM_EPARSE for bad syntax,
 * RM_ERANGE for a length over 32 or 128. *why (may be NULL) is set to NULL
 * on success, else to a short static English reason such as
 * "prefix length is over 32", never to be freed. */
int cidr_parse(const char *s, struct rm_prefix *out, bool *host_bits, const char **why);

/* The canonical text of a: dotted quad, or RFC 5952 for IPv6 (lowercase,
 * the first longest run of two or more zero fields as "::", IPv4-mapped
 * addresses as "::ffff:10.0.0.1"); "?" for RM_AF_NONE. Written to the
 * caller's buf, truncated but NUL-terminated when len is under
 * RM_ADDR_STRLEN. Returns buf. */
char *cidr_addr_format(const struct rm_addr *a, char *buf, size_t len);

/* "address/len" as cidr_addr_format writes it, into buf (RM_PREFIX_STRLEN
 * bytes always suffice). Returns buf. */
char *cidr_format(const struct rm_prefix *p, char *buf, size_t len);

/* Whether a holds an address: RM_AF_NONE is "none" (a topology entry with
 * only a dnsName, a result with no address to probe). */
static inline bool cidr_addr_is_set(const struct rm_addr *a)
{
	return a->family != RM_AF_NONE;
}

/* True when a and b are the same family and address (two unset addresses
 * are equal: callers that compare declared addresses skip unset ones). */
bool cidr_addr_equal(const struct rm_addr *a, const struct rm_addr *b);

/* Total order for qsort and deterministic output: family (IPv4 first), then
 * address as an unsigned number. <0, 0 or >0 like strcmp. */
int cidr_addr_cmp(const struct rm_addr *a, const struct rm_addr *b);

/* As cidr_addr_cmp on the addresses, then the shorter length first. */
int cidr_cmp(const struct rm_prefix *a, const struct rm_prefix *b);

/* The block of length len holding a, host bits cleared, into *out (which may
 * be a's own prefix). 0; RM_ERANGE when len is over 32 or 128; RM_EINVAL for
 * RM_AF_NONE. */
int cidr_make(const struct rm_addr *a, unsigned len, struct rm_prefix *out);

/* True when address a is inside block p. False when the families differ. */
bool cidr_contains(const struct rm_prefix *p, const struct rm_addr *a);

/* True when every address of inner is in outer (also when they are equal).
 * False when the families differ. */
bool cidr_contains_prefix(const struct rm_prefix *outer, const struct rm_prefix *inner);

/* True when a and b share at least one address. False when the families
 * differ. */
bool cidr_overlaps(const struct rm_prefix *a, const struct rm_prefix *b);

/* Two CIDR blocks are disjoint or nested, so their intersection is empty or
 * the longer one. True, and *out (may be NULL) set to it, when they overlap;
 * false and *out untouched otherwise, and when the families differ. */
bool cidr_intersection(const struct rm_prefix *a, const struct rm_prefix *b, struct rm_prefix *out);

/* Number of addresses in p, saturating at UINT64_MAX (IPv6 /0 to /64);
 * 0 for RM_AF_NONE. */
uint64_t cidr_size(const struct rm_prefix *p);

/* The first address of the block (host bits all zero) into *out. */
void cidr_first(const struct rm_prefix *p, struct rm_addr *out);

/* The last address of the block (host bits all one) into *out. */
void cidr_last(const struct rm_prefix *p, struct rm_addr *out);

/* The lowest-addressed aligned block of length len inside space that
 * overlaps none of used[0..nused-1] (any order; blocks of the other family
 * are ignored; used may be NULL when nused is 0). 0 and *out; RM_ENOTFOUND
 * when none is free; RM_EINVAL when len is shorter than space's, longer
 * than the family allows, or space has no family. Skips past each used
 * block, so the cost grows with nused squared, never with the size of
 * space. */
int cidr_free_block(const struct rm_prefix *space, const struct rm_prefix *used, size_t nused,
		    unsigned len, struct rm_prefix *out);

#endif

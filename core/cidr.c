/* CIDR arithmetic (RFC 4632) for IPv4 and IPv6. Addresses are handled as
 * 128-bit unsigned numbers (IPv4 in the low 32 bits), so one code path serves
 * both families; text forms go through inet_pton/inet_ntop, whose glibc
 * output for IPv6 is RFC 5952's canonical form. */
#include "reachmap/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"

struct u128 {
	uint64_t hi, lo;
};

static unsigned family_bits(uint8_t family)
{
	return family == RM_AF_INET6 ? 128 : family == RM_AF_INET ? 32 : 0;
}

static struct u128 to_u128(const struct rm_addr *a)
{
	struct u128 v = { 0, 0 };
	int i;

	if (a->family == RM_AF_INET) {
		for (i = 0; i < 4; i++)
			v.lo = (v.lo << 8) | a->bytes[i];
		return v;
	}
	for (i = 0; i < 8; i++)
		v.hi = (v.hi << 8) | a->bytes[i];
	for (i = 8; i < 16; i++)
		v.lo = (v.lo << 8) | a->bytes[i];
	return v;
}

static void from_u128(struct u128 v, uint8_t family, struct rm_addr *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family == RM_AF_INET) {
		for (i = 3; i >= 0; i--, v.lo >>= 8)
			out->bytes[i] = (uint8_t)(v.lo & 0xff);
		return;
	}
	for (i = 15; i >= 8; i--, v.lo >>= 8)
		out->bytes[i] = (uint8_t)(v.lo & 0xff);
	for (i = 7; i >= 0; i--, v.hi >>= 8)
		out->bytes[i] = (uint8_t)(v.hi & 0xff);
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* a + b; *carry set when the sum does not fit in `bits` bits. */
static struct u128 u128_add(struct u128 a, struct u128 b, unsigned bits, int *carry)
{
	struct u128 r;
	uint64_t hi;
	int c_lo, c_hi;

	r.lo = a.lo + b.lo;
	c_lo = r.lo < a.lo;
	hi = a.hi + b.hi;
	c_hi = hi < a.hi;
	r.hi = hi + (uint64_t)c_lo;
	c_hi |= r.hi < hi;
	if (bits == 128)
		*carry = c_hi;
	else
		*carry = c_hi || r.hi != 0 || r.lo >> bits != 0;
	return r;
}

/* The host part of a `len` block in a `bits` address: the low bits-len bits. */
static struct u128 host_mask(unsigned len, unsigned bits)
{
	struct u128 m = { 0, 0 };
	unsigned host = bits - len;

	if (host >= 128) {
		m.hi = m.lo = UINT64_MAX;
	} else if (host >= 64) {
		m.lo = UINT64_MAX;
		m.hi = host == 64 ? 0 : (UINT64_C(1) << (host - 64)) - 1;
	} else {
		m.lo = host == 0 ? 0 : (UINT64_C(1) << host) - 1;
	}
	return m;
}

static struct u128 first_u(const struct rm_prefix *p)
{
	struct u128 v = to_u128(&p->addr), m = host_mask(p->len, family_bits(p->addr.family));

	v.hi &= ~m.hi;
	v.lo &= ~m.lo;
	return v;
}

static struct u128 last_u(const struct rm_prefix *p)
{
	struct u128 v = to_u128(&p->addr), m = host_mask(p->len, family_bits(p->addr.family));

	v.hi |= m.hi;
	v.lo |= m.lo;
	return v;
}

int cidr_addr_parse(const char *s, struct rm_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->bytes) != 1)
			return RM_EPARSE;
		out->family = RM_AF_INET6;
		return RM_OK;
	}
	if (inet_pton(AF_INET, s, out->bytes) != 1)
		return RM_EPARSE;
	out->family = RM_AF_INET;
	return RM_OK;
}

int cidr_make(const struct rm_addr *a, unsigned len, struct rm_prefix *out)
{
	unsigned bits = family_bits(a->family);
	struct rm_prefix p;

	if (bits == 0)
		return RM_EINVAL;
	if (len > bits)
		return RM_ERANGE;
	p.addr = *a;
	p.len = (uint8_t)len;
	from_u128(first_u(&p), a->family, &out->addr);
	out->len = (uint8_t)len;
	return RM_OK;
}

int cidr_parse(const char *s, struct rm_prefix *out, bool *host_bits, const char **why)
{
	const char *slash = strchr(s, '/');
	char addr[RM_ADDR_STRLEN];
	struct rm_addr a;
	size_t alen;
	unsigned len = 0, bits;
	const char *d;
	const char *reason = NULL;
	int rc = RM_EPARSE;

	if (host_bits != NULL)
		*host_bits = false;
	if (slash == NULL) {
		reason = "missing /prefix length";
		goto out;
	}
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr)) {
		reason = "not an IPv4 or IPv6 address";
		goto out;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (cidr_addr_parse(addr, &a) != RM_OK) {
		reason = "not an IPv4 or IPv6 address";
		goto out;
	}
	d = slash + 1;
	if (*d == '\0') {
		reason = "missing prefix length after /";
		goto out;
	}
	for (; *d != '\0'; d++) {
		if (*d < '0' || *d > '9' || d - slash > 3) {
			reason = *d < '0' || *d > '9' ? "prefix length is not a number"
						      : "prefix length is over 128";
			goto out;
		}
		len = len * 10 + (unsigned)(*d - '0');
	}
	bits = family_bits(a.family);
	if (len > bits) {
		reason = bits == 32 ? "prefix length is over 32" : "prefix length is over 128";
		rc = RM_ERANGE;
		goto out;
	}
	rc = cidr_make(&a, len, out);
	if (rc == RM_OK && host_bits != NULL)
		*host_bits = !cidr_addr_equal(&a, &out->addr);
out:
	if (why != NULL)
		*why = reason;
	return rc;
}

char *cidr_addr_format(const struct rm_addr *a, char *buf, size_t len)
{
	int af = a->family == RM_AF_INET6 ? AF_INET6 : AF_INET;

	if (len == 0)
		return buf;
	if ((a->family != RM_AF_INET && a->family != RM_AF_INET6) ||
	    inet_ntop(af, a->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *cidr_format(const struct rm_prefix *p, char *buf, size_t len)
{
	char addr[RM_ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", cidr_addr_format(&p->addr, addr, sizeof(addr)), p->len);
	return buf;
}

bool cidr_addr_equal(const struct rm_addr *a, const struct rm_addr *b)
{
	return cidr_addr_cmp(a, b) == 0;
}

int cidr_addr_cmp(const struct rm_addr *a, const struct rm_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return u128_cmp(to_u128(a), to_u128(b));
}

int cidr_cmp(const struct rm_prefix *a, const struct rm_prefix *b)
{
	int c = cidr_addr_cmp(&a->addr, &b->addr);

	if (c != 0)
		return c;
	return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
}

bool cidr_contains(const struct rm_prefix *p, const struct rm_addr *a)
{
	struct u128 v;

	if (p->addr.family != a->family)
		return false;
	v = to_u128(a);
	return u128_cmp(first_u(p), v) <= 0 && u128_cmp(v, last_u(p)) <= 0;
}

bool cidr_contains_prefix(const struct rm_prefix *outer, const struct rm_prefix *inner)
{
	if (outer->addr.family != inner->addr.family || outer->len > inner->len)
		return false;
	return cidr_contains(outer, &inner->addr);
}

bool cidr_overlaps(const struct rm_prefix *a, const struct rm_prefix *b)
{
	return cidr_intersection(a, b, NULL);
}

bool cidr_intersection(const struct rm_prefix *a, const struct rm_prefix *b, struct rm_prefix *out)
{
	const struct rm_prefix *inner;

	if (cidr_contains_prefix(a, b))
		inner = b;
	else if (cidr_contains_prefix(b, a))
		inner = a;
	else
		return false;
	if (out != NULL)
		cidr_make(&inner->addr, inner->len, out);
	return true;
}

uint64_t cidr_size(const struct rm_prefix *p)
{
	unsigned host = family_bits(p->addr.family) - p->len;

	if (family_bits(p->addr.family) == 0)
		return 0;
	return host >= 64 ? UINT64_MAX : UINT64_C(1) << host;
}

void cidr_first(const struct rm_prefix *p, struct rm_addr *out)
{
	from_u128(first_u(p), p->addr.family, out);
}

void cidr_last(const struct rm_prefix *p, struct rm_addr *out)
{
	from_u128(last_u(p), p->addr.family, out);
}

int cidr_free_block(const struct rm_prefix *space, const struct rm_prefix *used, size_t nused,
		    unsigned len, struct rm_prefix *out)
{
	unsigned bits = family_bits(space->addr.family);
	struct u128 cur, end, step, mask;
	size_t i;

	if (bits == 0 || len < space->len || len > bits)
		return RM_EINVAL;
	cur = first_u(space);
	end = last_u(space);
	mask = host_mask(len, bits);
	step.hi = mask.hi;
	step.lo = mask.lo; /* step - 1 */
	for (;;) {
		struct u128 cand_last, next = cur;
		int carry, hit = 0;

		cand_last.hi = cur.hi | mask.hi;
		cand_last.lo = cur.lo | mask.lo;
		if (u128_cmp(cand_last, end) > 0)
			return RM_ENOTFOUND;
		for (i = 0; i < nused; i++) {
			struct u128 uf, ul;

			if (used[i].addr.family != space->addr.family)
				continue;
			uf = first_u(&used[i]);
			ul = last_u(&used[i]);
			if (u128_cmp(uf, cand_last) > 0 || u128_cmp(ul, cur) < 0)
				continue;
			/* Overlaps: the next candidate starts after this block. */
			if (!hit || u128_cmp(ul, next) > 0)
				next = ul;
			hit = 1;
		}
		if (!hit) {
			from_u128(cur, space->addr.family, &out->addr);
			out->len = (uint8_t)len;
			return RM_OK;
		}
		/* Round next (the last address in the way) up to the start of the
		 * following aligned block: (next | (step - 1)) + 1. */
		next.hi |= step.hi;
		next.lo |= step.lo;
		{
			struct u128 one = { 0, 1 };

			cur = u128_add(next, one, bits, &carry);
		}
		if (carry)
			return RM_ENOTFOUND;
	}
}

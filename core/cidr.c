/* CIDR arithmetic (RFC 4632) for IPv4 and IPv6. Text forms follow RFC 4291
 * section 2.2 (IPv6 input), the dotted-decimal IPv4address of RFC 3986
 * section 3.2.2 (no leading zeros, so "010.0.0.1" cannot be read as octal)
 * and RFC 5952 (canonical IPv6 output).
 *
 * Arithmetic treats an address as a 128-bit unsigned number in two uint64_t
 * halves, IPv4 in the low 32 bits, so one code path serves both families.
 * Parsing and formatting are our own rather than inet_pton/inet_ntop:
 * glibc's inet_ntop writes "::2:3" as "::0.2.0.3", which is not RFC 5952,
 * and libcs differ on what they accept. */
#include "reachmap/cidr.h"

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

static unsigned family_bytes(uint8_t family)
{
	return family_bits(family) / 8;
}

/* A length as the arithmetic may use it: a hand-made prefix with a length
 * over the family's is read as a single address rather than wrapping. */
static unsigned clamp_len(const struct rm_prefix *p)
{
	unsigned bits = family_bits(p->addr.family);

	return p->len > bits ? bits : p->len;
}

static struct u128 to_u128(const struct rm_addr *a)
{
	struct u128 v = { 0, 0 };
	unsigned i, n = family_bytes(a->family);

	for (i = 0; i < n; i++) {
		v.hi = (v.hi << 8) | (v.lo >> 56);
		v.lo = (v.lo << 8) | a->bytes[i];
	}
	return v;
}

static void from_u128(struct u128 v, uint8_t family, struct rm_addr *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->family = family;
	for (i = family_bytes(family); i > 0; i--) {
		out->bytes[i - 1] = (uint8_t)(v.lo & 0xff);
		v.lo = (v.lo >> 8) | (v.hi << 56);
		v.hi >>= 8;
	}
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* The host part of a block of length len in a bits-wide address: its low
 * bits - len bits set. */
static struct u128 host_mask(unsigned len, unsigned bits)
{
	struct u128 m = { 0, 0 };
	unsigned host = bits - len;

	if (host >= 128) {
		m.hi = UINT64_MAX;
		m.lo = UINT64_MAX;
	} else if (host >= 64) {
		m.lo = UINT64_MAX;
		m.hi = host == 64 ? 0 : (UINT64_C(1) << (host - 64)) - 1;
	} else if (host > 0) {
		m.lo = (UINT64_C(1) << host) - 1;
	}
	return m;
}

static struct u128 prefix_mask(const struct rm_prefix *p)
{
	return host_mask(clamp_len(p), family_bits(p->addr.family));
}

static struct u128 first_u(const struct rm_prefix *p)
{
	struct u128 v = to_u128(&p->addr), m = prefix_mask(p);

	v.hi &= ~m.hi;
	v.lo &= ~m.lo;
	return v;
}

static struct u128 last_u(const struct rm_prefix *p)
{
	struct u128 v = to_u128(&p->addr), m = prefix_mask(p);

	v.hi |= m.hi;
	v.lo |= m.lo;
	return v;
}

/* v + 1; false when that does not fit in bits (v was the family's last
 * address). */
static bool u128_inc(struct u128 *v, unsigned bits)
{
	v->lo++;
	if (v->lo == 0)
		v->hi++;
	if (bits == 128)
		return v->lo != 0 || v->hi != 0;
	return (v->lo >> bits) == 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly s[0..n): four decimal octets 0..255 without leading zeros. */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	unsigned part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return RM_EPARSE;
			i++;
		}
		while (i < n && is_digit(s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return RM_EPARSE;
		out[part] = (uint8_t)v;
	}
	return i == n ? RM_OK : RM_EPARSE;
}

/* Exactly s[0..n) as RFC 4291 section 2.2: eight groups of 1-4 hex digits,
 * at most one "::" standing for one or more zero groups, and optionally a
 * dotted quad as the last 32 bits. */
static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t words[8];
	unsigned nw = 0, i;
	int gap = -1; /* index in words where "::" stood */
	size_t pos = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		pos = 2;
	} else if (n >= 1 && s[0] == ':') {
		return RM_EPARSE;
	}
	while (pos < n) {
		size_t end = pos;
		unsigned v = 0;

		while (end < n && hex_value(s[end]) >= 0)
			end++;
		if (end < n && s[end] == '.') {
			/* The dotted quad must end the text and fill two groups. */
			uint8_t q[4];

			if (nw > 6 || parse_v4(s + pos, n - pos, q) != RM_OK)
				return RM_EPARSE;
			words[nw++] = (uint16_t)(q[0] << 8 | q[1]);
			words[nw++] = (uint16_t)(q[2] << 8 | q[3]);
			pos = n;
			break;
		}
		if (end == pos || end - pos > 4 || nw == 8)
			return RM_EPARSE;
		for (; pos < end; pos++)
			v = v << 4 | (unsigned)hex_value(s[pos]);
		words[nw++] = (uint16_t)v;
		if (pos == n)
			break;
		if (s[pos] != ':')
			return RM_EPARSE;
		pos++;
		if (pos < n && s[pos] == ':') {
			if (gap >= 0)
				return RM_EPARSE;
			gap = (int)nw;
			pos++;
		} else if (pos == n) {
			return RM_EPARSE; /* a trailing single ':' */
		}
	}
	if (gap < 0 ? nw != 8 : nw > 7)
		return RM_EPARSE;

	memset(out, 0, 16);
	for (i = 0; i < nw; i++) {
		/* Groups after the gap go to the end; those before stay put. */
		unsigned at = gap >= 0 && i >= (unsigned)gap ? i + 8 - nw : i;

		out[2 * at] = (uint8_t)(words[i] >> 8);
		out[2 * at + 1] = (uint8_t)(words[i] & 0xff);
	}
	return RM_OK;
}

/* s[0..n) as an address; the text decides the family by its colons. */
static int parse_addr(const char *s, size_t n, struct rm_addr *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (memchr(s, ':', n) != NULL) {
		rc = parse_v6(s, n, out->bytes);
		out->family = RM_AF_INET6;
	} else {
		rc = parse_v4(s, n, out->bytes);
		out->family = RM_AF_INET;
	}
	if (rc != RM_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

int cidr_addr_parse(const char *s, struct rm_addr *out)
{
	return parse_addr(s, strlen(s), out);
}

int cidr_make(const struct rm_addr *a, unsigned len, struct rm_prefix *out)
{
	unsigned bits = family_bits(a->family);
	struct rm_prefix p;

	if (bits == 0)
		return RM_EINVAL;
	if (len > bits)
		return RM_ERANGE;
	/* Through a local copy, so that out may be the prefix a belongs to. */
	p.addr = *a;
	p.len = (uint8_t)len;
	from_u128(first_u(&p), a->family, &p.addr);
	*out = p;
	return RM_OK;
}

int cidr_parse(const char *s, struct rm_prefix *out, bool *host_bits, const char **why)
{
	const char *slash = strchr(s, '/');
	const char *reason = NULL;
	struct rm_addr a;
	unsigned len = 0, bits;
	size_t i, digits;
	int rc = RM_EPARSE;

	if (host_bits != NULL)
		*host_bits = false;
	if (slash == NULL) {
		reason = "missing /prefix length";
		goto out;
	}
	if (parse_addr(s, (size_t)(slash - s), &a) != RM_OK) {
		reason = "not an IPv4 or IPv6 address";
		goto out;
	}
	digits = strlen(slash + 1);
	if (digits == 0) {
		reason = "missing prefix length after /";
		goto out;
	}
	for (i = 0; i < digits; i++) {
		if (!is_digit(slash[1 + i])) {
			reason = "prefix length is not a number";
			goto out;
		}
	}
	if (digits > 3) {
		reason = "prefix length has more than 3 digits";
		goto out;
	}
	for (i = 0; i < digits; i++)
		len = len * 10 + (unsigned)(slash[1 + i] - '0');
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

/* Appends the dotted quad of b[0..4) at text[at]; returns the new end.
 * text has room for RM_ADDR_STRLEN bytes, more than any address needs. */
static size_t put_v4(char *text, size_t at, const uint8_t *b)
{
	unsigned i;

	for (i = 0; i < 4; i++) {
		int n =
		    snprintf(text + at, RM_ADDR_STRLEN - at, i == 0 ? "%u" : ".%u", (unsigned)b[i]);

		at += n > 0 ? (size_t)n : 0;
	}
	return at;
}

/* RFC 5952 section 4, and section 5 for IPv4-mapped addresses. */
static void format_v6(const uint8_t *b, char *text)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned words[8], ngroups, i, best = 0, best_len = 0, run = 0;
	size_t at = 0;

	for (i = 0; i < 8; i++)
		words[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	/* The mapped form spells its last 32 bits as a dotted quad. */
	ngroups = memcmp(b, mapped, sizeof(mapped)) == 0 ? 6 : 8;
	for (i = 0; i < ngroups; i++) {
		run = words[i] == 0 ? run + 1 : 0;
		/* Strictly longer, so that of equal runs the first wins. */
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	if (best_len < 2)
		best_len = 0; /* a single zero field is not shortened */
	for (i = 0; i < ngroups;) {
		int n;

		if (best_len > 0 && i == best) {
			text[at++] = ':';
			text[at++] = ':';
			i += best_len;
			continue;
		}
		n = snprintf(text + at, RM_ADDR_STRLEN - at,
			     i > 0 && !(best_len > 0 && i == best + best_len) ? ":%x" : "%x",
			     words[i]);
		at += n > 0 ? (size_t)n : 0;
		i++;
	}
	if (ngroups == 6) {
		if (!(best_len > 0 && best + best_len == 6))
			text[at++] = ':';
		at = put_v4(text, at, b + 12);
	}
	text[at] = '\0';
}

char *cidr_addr_format(const struct rm_addr *a, char *buf, size_t len)
{
	char text[RM_ADDR_STRLEN] = "?";

	if (a->family == RM_AF_INET)
		text[put_v4(text, 0, a->bytes)] = '\0';
	else if (a->family == RM_AF_INET6)
		format_v6(a->bytes, text);
	if (len > 0)
		snprintf(buf, len, "%s", text);
	return buf;
}

char *cidr_format(const struct rm_prefix *p, char *buf, size_t len)
{
	char addr[RM_ADDR_STRLEN];

	if (len > 0)
		snprintf(buf, len, "%s/%u", cidr_addr_format(&p->addr, addr, sizeof(addr)),
			 (unsigned)p->len);
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
	/* Only the family's bytes, so stray bytes past an IPv4 address in a
	 * hand-made struct do not count. */
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

	if (p->addr.family != a->family || family_bits(a->family) == 0)
		return false;
	v = to_u128(a);
	return u128_cmp(first_u(p), v) <= 0 && u128_cmp(v, last_u(p)) <= 0;
}

bool cidr_contains_prefix(const struct rm_prefix *outer, const struct rm_prefix *inner)
{
	if (outer->addr.family != inner->addr.family || clamp_len(outer) > clamp_len(inner))
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
		cidr_make(&inner->addr, clamp_len(inner), out);
	return true;
}

uint64_t cidr_size(const struct rm_prefix *p)
{
	unsigned bits = family_bits(p->addr.family), host;

	if (bits == 0)
		return 0;
	host = bits - clamp_len(p);
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

/* Each round either returns or moves the candidate past the last address of
 * every used block in its way, and a block once passed never overlaps a
 * later candidate; so there are at most nused + 1 rounds of nused tests. */
int cidr_free_block(const struct rm_prefix *space, const struct rm_prefix *used, size_t nused,
		    unsigned len, struct rm_prefix *out)
{
	uint8_t family = space->addr.family;
	unsigned bits = family_bits(family);
	struct u128 cur, end, mask;
	size_t i;

	if (bits == 0 || len < clamp_len(space) || len > bits)
		return RM_EINVAL;
	cur = first_u(space);
	end = last_u(space);
	mask = host_mask(len, bits);
	for (;;) {
		struct u128 cand_last = { cur.hi | mask.hi, cur.lo | mask.lo }, skip = cur;
		bool hit = false;

		if (u128_cmp(cand_last, end) > 0)
			return RM_ENOTFOUND;
		for (i = 0; i < nused; i++) {
			struct u128 ul;

			if (used[i].addr.family != family)
				continue;
			ul = last_u(&used[i]);
			if (u128_cmp(ul, cur) < 0 || u128_cmp(first_u(&used[i]), cand_last) > 0)
				continue;
			if (!hit || u128_cmp(ul, skip) > 0)
				skip = ul;
			hit = true;
		}
		if (!hit) {
			from_u128(cur, family, &out->addr);
			out->len = (uint8_t)len;
			return RM_OK;
		}
		/* Every candidate that starts at or before skip overlaps the
		 * block that ends there, so go to the aligned block after it. */
		cur.hi = skip.hi | mask.hi;
		cur.lo = skip.lo | mask.lo;
		if (!u128_inc(&cur, bits))
			return RM_ENOTFOUND;
	}
}

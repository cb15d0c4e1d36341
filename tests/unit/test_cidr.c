/* CIDR math: table tests, then randomized comparison against brute-force
 * references (fixed seed, bounded count) for IPv4 and IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/cidr.h"
#include "reachmap/error.h"

static struct rm_prefix P(const char *s) {
	struct rm_prefix p;

	if (cidr_parse(s, &p, NULL, NULL) != RM_OK)
		fail_msg("bad prefix in test: %s", s);
	return p;
}

static struct rm_addr
A(const char *s) {
	struct rm_addr a;

	if (cidr_addr_parse(s, &a) != RM_OK)
		fail_msg("bad address in test: %s", s);
	return a;
}

static void
test_parse_valid(void **state)
{
	static const struct {
		const char *in, *out;
		bool host_bits;
	} cases[] = {
		{ "10.200.0.0/16", "10.200.0.0/16", false },
		{ "10.200.1.0/16", "10.200.0.0/16", true },
		{ "0.0.0.0/0", "0.0.0.0/0", false },
		{ "1.2.3.4/0", "0.0.0.0/0", true },
		{ "192.168.1.7/32", "192.168.1.7/32", false },
		{ "10.0.0.0/08", "10.0.0.0/8", false },
		{ "fd00::/8", "fd00::/8", false },
		{ "FD00:0:0:0::1/64", "fd00::/64", true },
		{ "2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128", false },
		{ "2001:0db8::/32", "2001:db8::/32", false },
		{ "::/0", "::/0", false },
		{ "::1/128", "::1/128", false },
		{ "fe80::1/10", "fe80::/10", true },
		{ "2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128", false },
		{ "::ffff:10.1.2.3/128", "::ffff:10.1.2.3/128", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rm_prefix p;
		char buf[RM_PREFIX_STRLEN];
		bool hb = !cases[i].host_bits;
		const char *why = "unset";

		assert_int_equal(cidr_parse(cases[i].in, &p, &hb, &why), RM_OK);
		assert_string_equal(cidr_format(&p, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(hb, cases[i].host_bits);
		assert_null(why);
	}
}

static void test_parse_invalid(void **state)
{
	static const struct {
		const char *in;
		int rc;
		const char *why;
	} cases[] = {
		{ "10.200.0.0", RM_EPARSE, "missing /prefix length" },
		{ "10.200.0.0/", RM_EPARSE, "missing prefix length after /" },
		{ "10.200.0.0/33", RM_ERANGE, "prefix length is over 32" },
		{ "fd00::/129", RM_ERANGE, "prefix length is over 128" },
		{ "10.200.0.0/1000", RM_EPARSE, "prefix length is over 128" },
		{ "10.200.0.0/+8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/-8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/ 8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/8 ", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/8/8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "10.200.0.256/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "010.200.0.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ " 10.200.0.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "", RM_EPARSE, "missing /prefix length" },
		{ "fd00:::/8", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0/64", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "west/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rm_prefix p;
		const char *why = NULL;

		assert_int_equal(cidr_parse(cases[i].in, &p, NULL, &why), cases[i].rc);
		if (why == NULL || strcmp(why, cases[i].why) != 0)
			fail_msg("%s: why \"%s\", want \"%s\"", cases[i].in, why ? why : "(null)",
				 cases[i].why);
	}
}

static void test_addr(void **state)
{
	struct rm_addr a, b;
	char buf[RM_ADDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_addr_parse("10.1.2.3", &a), RM_OK);
	assert_int_equal(a.family, RM_AF_INET);
	assert_int_equal(a.bytes[3], 3);
	assert_int_equal(a.bytes[4], 0);
	assert_int_equal(cidr_addr_parse("10.1.2.3/8", &a), RM_EPARSE);
	assert_int_equal(cidr_addr_parse("1.2.3", &a), RM_EPARSE);
	assert_int_equal(cidr_addr_parse("", &a), RM_EPARSE);
	assert_int_equal(cidr_addr_parse("2001:DB8::A", &a), RM_OK);
	assert_string_equal(cidr_addr_format(&a, buf, sizeof(buf)), "2001:db8::a");
	/* RFC 5952: the longest run of zero fields is compressed, the first of
	 * equal runs, and a single zero field is not. */
	a = A("2001:db8:0:0:1:0:0:1");
	assert_string_equal(cidr_addr_format(&a, buf, sizeof(buf)), "2001:db8::1:0:0:1");
	a = A("2001:db8:0:1:1:1:1:1");
	assert_string_equal(cidr_addr_format(&a, buf, sizeof(buf)), "2001:db8:0:1:1:1:1:1");
	a = A("0:0:0:0:0:0:0:0");
	assert_string_equal(cidr_addr_format(&a, buf, sizeof(buf)), "::");
	a = A("10.0.0.1");
	b = A("10.0.0.2");
	assert_true(cidr_addr_cmp(&a, &b) < 0);
	assert_false(cidr_addr_equal(&a, &b));
	b = A("::a00:1"); /* the same 32 bits, other family */
	assert_false(cidr_addr_equal(&a, &b));
	assert_true(cidr_addr_cmp(&a, &b) < 0);
}

static void test_relations(void **state)
{
	struct rm_prefix a, b, x;
	struct rm_addr f, l;
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	a = P("10.0.0.0/9");
	b = P("10.128.0.0/9");
	assert_false(cidr_overlaps(&a, &b)); /* adjacent, not overlapping */
	assert_false(cidr_intersection(&a, &b, &x));
	a = P("10.0.0.0/8");
	assert_true(cidr_intersection(&a, &b, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "10.128.0.0/9");
	assert_true(cidr_intersection(&b, &a, &x)); /* either order */
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "10.128.0.0/9");
	assert_true(cidr_contains_prefix(&a, &b));
	assert_false(cidr_contains_prefix(&b, &a));
	assert_true(cidr_contains_prefix(&a, &a)); /* identical */
	assert_true(cidr_overlaps(&a, &a));
	b = P("0.0.0.0/0");
	assert_true(cidr_contains_prefix(&b, &a));
	a = P("255.255.255.255/32");
	assert_true(cidr_overlaps(&a, &b));
	f = A("255.255.255.255");
	assert_true(cidr_contains(&b, &f));
	assert_true(cidr_contains(&a, &f));
	f = A("255.255.255.254");
	assert_false(cidr_contains(&a, &f));
	/* Families never mix, not even ::/0 with 0.0.0.0/0. */
	a = P("::/0");
	assert_false(cidr_overlaps(&a, &b));
	f = A("10.0.0.1");
	assert_false(cidr_contains(&a, &f));
	b = P("fd00:1::/32");
	assert_true(cidr_contains_prefix(&a, &b));
	a = P("fd00:1:8000::/33");
	assert_true(cidr_intersection(&a, &b, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "fd00:1:8000::/33");
	/* Sizes and bounds. */
	assert_int_equal(cidr_size(&a), UINT64_MAX);
	b = P("fd00::/64");
	assert_int_equal(cidr_size(&b), UINT64_MAX);
	b = P("fd00::/65");
	assert_int_equal(cidr_size(&b), UINT64_C(1) << 63);
	b = P("10.0.0.0/8");
	assert_int_equal(cidr_size(&b), 1u << 24);
	b = P("0.0.0.0/0");
	assert_int_equal(cidr_size(&b), UINT64_C(1) << 32);
	b = P("10.1.2.3/32");
	assert_int_equal(cidr_size(&b), 1);
	b = P("10.200.0.0/16");
	cidr_first(&b, &f);
	cidr_last(&b, &l);
	assert_string_equal(cidr_addr_format(&f, buf, sizeof(buf)), "10.200.0.0");
	assert_string_equal(cidr_addr_format(&l, buf, sizeof(buf)), "10.200.255.255");
	b = P("fd00::/8");
	cidr_last(&b, &l);
	assert_string_equal(cidr_addr_format(&l, buf, sizeof(buf)),
			    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	f = A("10.1.2.3");
	assert_int_equal(cidr_make(&f, 33, &x), RM_ERANGE);
	assert_int_equal(cidr_make(&f, 12, &x), RM_OK);
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "10.0.0.0/12");
}

static void free_is(const char *space, const char *const *used, size_t n, unsigned len,
		    const char *want)
{
	struct rm_prefix s = P(space), u[16], out;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		u[i] = P(used[i]);
	rc = cidr_free_block(&s, u, n, len, &out);
	if (want == NULL) {
		assert_int_equal(rc, RM_ENOTFOUND);
		return;
	}
	assert_int_equal(rc, RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), want);
}

static void test_free_block(void **state)
{
	static const char *const none[] = { "192.168.0.0/16" };
	static const char *const low[] = { "10.0.0.0/16", "10.1.0.0/17" };
	static const char *const misaligned[] = { "10.0.0.0/24", "10.0.1.0/25", "10.0.4.0/30" };
	static const char *const whole[] = { "10.0.0.0/8" };
	static const char *const bigger[] = { "0.0.0.0/0" };
	static const char *const v6[] = { "fd00::/48", "fd00:0:1::/64", "10.0.0.0/8" };
	static const char *const top[] = { "10.255.255.0/24" };
	struct rm_prefix s = P("10.0.0.0/8"), out;

	(void)state;
	free_is("10.0.0.0/8", NULL, 0, 16, "10.0.0.0/16");
	free_is("10.0.0.0/8", none, 1, 16, "10.0.0.0/16"); /* outside the space */
	free_is("10.0.0.0/8", low, 2, 16, "10.2.0.0/16");
	free_is("10.0.0.0/8", low, 2, 17, "10.1.128.0/17");
	free_is("10.0.0.0/8", low, 2, 8, NULL);
	free_is("10.0.0.0/22", misaligned, 3, 24, "10.0.2.0/24");
	free_is("10.0.0.0/22", misaligned, 3, 23, "10.0.2.0/23");
	free_is("10.0.0.0/22", misaligned, 3, 26, "10.0.1.128/26");
	free_is("10.0.0.0/22", misaligned, 3, 22, NULL);
	free_is("10.0.0.0/8", whole, 1, 24, NULL);
	free_is("10.0.0.0/8", bigger, 1, 30, NULL); /* a used block bigger than the space */
	free_is("10.255.0.0/16", top, 1, 24, "10.255.0.0/24");
	free_is("10.255.254.0/23", top, 1, 24, "10.255.254.0/24");
	free_is("10.255.255.0/24", top, 1, 32, NULL); /* the last block of a space */
	free_is("fd00::/8", v6, 3, 64, "fd00:0:1:1::/64");
	free_is("fd00::/8", v6, 3, 48, "fd00:0:2::/48");
	free_is("::/0", NULL, 0, 0, "::/0");
	assert_int_equal(cidr_free_block(&s, NULL, 0, 7, &out), RM_EINVAL);
	assert_int_equal(cidr_free_block(&s, NULL, 0, 33, &out), RM_EINVAL);
}

/* xorshift64*: a fixed, portable sequence. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* A random IPv4 prefix clustered in 10.0.0.0/16 so that overlaps happen. */
static struct rm_prefix rand_v4(uint64_t *s, uint32_t *lo, uint32_t *hi)
{
	unsigned len = 16 + (unsigned)(rng_next(s) % 17);
	uint32_t v = 0x0a000000u | (uint32_t)(rng_next(s) & 0xffff);
	uint32_t host = len == 32 ? 0 : (uint32_t)((UINT64_C(1) << (32 - len)) - 1);
	struct rm_addr a = { .family = RM_AF_INET };
	struct rm_prefix p;

	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	cidr_make(&a, len, &p);
	*lo = v & ~host;
	*hi = *lo | host;
	return p;
}

static void test_random_v4(void **state)
{
	uint64_t seed = 0x5eed1234abcdULL;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t alo, ahi, blo, bhi, x = 0x0a000000u | (uint32_t)(rng_next(&seed) & 0xffff);
		struct rm_prefix a = rand_v4(&seed, &alo, &ahi), b = rand_v4(&seed, &blo, &bhi), o;
		struct rm_addr xa = { .family = RM_AF_INET };
		bool ref_overlap = alo <= bhi && blo <= ahi;
		bool ref_a_in_b = blo <= alo && ahi <= bhi;

		xa.bytes[0] = (uint8_t)(x >> 24);
		xa.bytes[1] = (uint8_t)(x >> 16);
		xa.bytes[2] = (uint8_t)(x >> 8);
		xa.bytes[3] = (uint8_t)x;
		assert_int_equal(cidr_overlaps(&a, &b), ref_overlap);
		assert_int_equal(cidr_contains_prefix(&b, &a), ref_a_in_b);
		assert_int_equal(cidr_contains(&a, &xa), alo <= x && x <= ahi);
		assert_int_equal(cidr_intersection(&a, &b, &o), ref_overlap);
		if (ref_overlap) {
			/* The intersection of two intervals is [max lo, min hi]. */
			uint32_t ilo = alo > blo ? alo : blo, ihi = ahi < bhi ? ahi : bhi;
			struct rm_addr f, l;

			cidr_first(&o, &f);
			cidr_last(&o, &l);
			assert_int_equal((uint32_t)f.bytes[0] << 24 | (uint32_t)f.bytes[1] << 16 |
					     (uint32_t)f.bytes[2] << 8 | f.bytes[3],
					 ilo);
			assert_int_equal((uint32_t)l.bytes[0] << 24 | (uint32_t)l.bytes[1] << 16 |
					     (uint32_t)l.bytes[2] << 8 | l.bytes[3],
					 ihi);
			assert_int_equal(cidr_size(&o), (uint64_t)(ihi - ilo) + 1);
		}
	}
}

/* Free-block search against stepping every aligned block of a /16. */
static void test_random_free_block(void **state)
{
	uint64_t seed = 0xfeedfaceULL;
	struct rm_prefix space = P("10.0.0.0/16");
	int round;

	(void)state;
	for (round = 0; round < 400; round++) {
		struct rm_prefix used[24], out;
		uint32_t lo[24], hi[24];
		size_t n = (size_t)(rng_next(&seed) % 24), i;
		unsigned len = 18 + (unsigned)(rng_next(&seed) % 9);
		uint32_t step = 1u << (32 - len), cand;
		int want_found = 0, rc;
		uint32_t want = 0;

		for (i = 0; i < n; i++)
			used[i] = rand_v4(&seed, &lo[i], &hi[i]);
		for (cand = 0x0a000000u; cand <= 0x0a00ffffu; cand += step) {
			uint32_t last = cand + step - 1;

			for (i = 0; i < n; i++)
				if (lo[i] <= last && cand <= hi[i])
					break;
			if (i == n) {
				want_found = 1;
				want = cand;
				break;
			}
		}
		rc = cidr_free_block(&space, used, n, len, &out);
		if (!want_found) {
			assert_int_equal(rc, RM_ENOTFOUND);
			continue;
		}
		assert_int_equal(rc, RM_OK);
		assert_int_equal(out.len, len);
		assert_int_equal((uint32_t)out.addr.bytes[0] << 24 |
				     (uint32_t)out.addr.bytes[1] << 16 |
				     (uint32_t)out.addr.bytes[2] << 8 | out.addr.bytes[3],
				 want);
	}
}

/* IPv6 against unsigned __int128 intervals, prefixes clustered in
 * fd00::/112 and lengths 100..128 so that they overlap. */
static struct rm_prefix rand_v6(uint64_t *s, unsigned __int128 *lo, unsigned __int128 *hi)
{
	unsigned len = 100 + (unsigned)(rng_next(s) % 29);
	struct rm_addr a = { .family = RM_AF_INET6 };
	unsigned __int128 v = 0, host;
	struct rm_prefix p;
	int i;

	a.bytes[0] = 0xfd;
	a.bytes[14] = (uint8_t)rng_next(s);
	a.bytes[15] = (uint8_t)rng_next(s);
	if (rng_next(s) % 4 == 0)
		a.bytes[1] = 0xff; /* sometimes far away */
	for (i = 0; i < 16; i++)
		v = v << 8 | a.bytes[i];
	host = len == 128 ? 0 : (((unsigned __int128)1) << (128 - len)) - 1;
	cidr_make(&a, len, &p);
	*lo = v & ~host;
	*hi = *lo | host;
	return p;
}

static void test_random_v6(void **state)
{
	uint64_t seed = 0x6666ULL;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		unsigned __int128 alo, ahi, blo, bhi, flo = 0;
		struct rm_prefix a = rand_v6(&seed, &alo, &ahi), b = rand_v6(&seed, &blo, &bhi), o;
		bool ref_overlap = alo <= bhi && blo <= ahi;
		struct rm_addr f;
		int k;

		assert_int_equal(cidr_overlaps(&a, &b), ref_overlap);
		assert_int_equal(cidr_contains_prefix(&a, &b), alo <= blo && bhi <= ahi);
		assert_int_equal(cidr_intersection(&a, &b, &o), ref_overlap);
		if (!ref_overlap)
			continue;
		cidr_first(&o, &f);
		for (k = 0; k < 16; k++)
			flo = flo << 8 | f.bytes[k];
		assert_true(flo == (alo > blo ? alo : blo));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_free_block),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_free_block),
		cmocka_unit_test(test_random_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

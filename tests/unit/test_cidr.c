/* CIDR math: table tests of what a user sees (parse errors, canonical text,
 * free blocks), then randomized comparison against brute-force references
 * (own xorshift64*, fixed seeds, bounded counts): IPv4 as uint32_t
 * intervals, IPv6 as unsigned __int128 intervals, free blocks by stepping
 * every aligned block, and the address parser and formatter against glibc's
 * inet_pton/inet_ntop. Each random test also counts its interesting
 * outcomes, so a generator that stopped producing overlaps or full spaces
 * fails instead of passing vacuously. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "reachmap/cidr.h"
#include "reachmap/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef unsigned __int128 u128;

static struct rm_prefix pfx(const char *s)
{
	struct rm_prefix p;

	if (cidr_parse(s, &p, NULL, NULL) != RM_OK)
		fail_msg("bad prefix in test: %s", s);
	return p;
}

static struct rm_addr addr(const char *s)
{
	struct rm_addr a;

	if (cidr_addr_parse(s, &a) != RM_OK)
		fail_msg("bad address in test: %s", s);
	return a;
}

static uint32_t v4_num(const struct rm_addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	       (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

static struct rm_addr v4_addr(uint32_t v)
{
	struct rm_addr a;

	memset(&a, 0, sizeof(a));
	a.family = RM_AF_INET;
	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	return a;
}

static u128 v6_num(const struct rm_addr *a)
{
	u128 v = 0;
	int i;

	for (i = 0; i < 16; i++)
		v = v << 8 | a->bytes[i];
	return v;
}

static struct rm_addr v6_addr(u128 v)
{
	struct rm_addr a;
	int i;

	memset(&a, 0, sizeof(a));
	a.family = RM_AF_INET6;
	for (i = 15; i >= 0; i--, v >>= 8)
		a.bytes[i] = (uint8_t)v;
	return a;
}

/* The host bits of a /len, computed apart from the code under test. */
static uint32_t v4_host(unsigned len)
{
	return (uint32_t)((UINT64_C(1) << (32 - len)) - 1);
}

static u128 v6_host(unsigned len)
{
	return len == 0 ? ~(u128)0 : ((u128)1 << (128 - len)) - 1;
}

/* xorshift64*: a fixed sequence on every platform, unlike rand(). */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static unsigned rng_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rng_next(s) % n);
}

static void test_parse_valid(void **state)
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
		{ "255.255.255.255/31", "255.255.255.254/31", true },
		{ "10.0.0.0/08", "10.0.0.0/8", false },
		{ "10.0.0.0/008", "10.0.0.0/8", false },
		{ "fd00::/8", "fd00::/8", false },
		{ "FD00:0:0:0::1/64", "fd00::/64", true },
		{ "2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128", false },
		{ "2001:0db8::/32", "2001:db8::/32", false },
		{ "::/0", "::/0", false },
		{ "::1/128", "::1/128", false },
		{ "fe80::/10", "fe80::/10", false },
		{ "fe80::1/10", "fe80::/10", true },
		{ "febf:ffff::/10", "fe80::/10", true },
		{ "fd00::1:0:0:1/65", "fd00::/65", true },
		{ "fd00:0:0:0:8000::/65", "fd00::8000:0:0:0/65", false },
		{ "::ffff:10.1.2.3/128", "::ffff:10.1.2.3/128", false },
		{ "::ffff:10.1.2.3/120", "::ffff:10.1.2.0/120", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rm_prefix p;
		char buf[RM_PREFIX_STRLEN];
		bool hb = !cases[i].host_bits;
		const char *why = "unset";

		if (cidr_parse(cases[i].in, &p, &hb, &why) != RM_OK)
			fail_msg("%s: not parsed (%s)", cases[i].in, why);
		assert_string_equal(cidr_format(&p, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(hb, cases[i].host_bits);
		assert_null(why);
		/* host_bits and why are optional. */
		assert_int_equal(cidr_parse(cases[i].in, &p, NULL, NULL), RM_OK);
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
		{ "fd00::", RM_EPARSE, "missing /prefix length" },
		{ "", RM_EPARSE, "missing /prefix length" },
		{ "10.200.0.0/", RM_EPARSE, "missing prefix length after /" },
		{ "fd00::/", RM_EPARSE, "missing prefix length after /" },
		{ "10.200.0.0/33", RM_ERANGE, "prefix length is over 32" },
		{ "10.200.0.0/128", RM_ERANGE, "prefix length is over 32" },
		{ "10.200.0.0/999", RM_ERANGE, "prefix length is over 32" },
		{ "fd00::/129", RM_ERANGE, "prefix length is over 128" },
		{ "::ffff:10.0.0.0/129", RM_ERANGE, "prefix length is over 128" },
		{ "10.200.0.0/1000", RM_EPARSE, "prefix length has more than 3 digits" },
		{ "10.200.0.0/0016", RM_EPARSE, "prefix length has more than 3 digits" },
		{ "10.200.0.0/+8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/-8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/ 8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/8 ", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/8\n", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/8/8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0/0x10", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0.0//8", RM_EPARSE, "prefix length is not a number" },
		{ "10.200.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "10.200.0.256/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "010.200.0.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ " 10.200.0.0/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "10.200.0.0 /16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "/", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "west/", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "fd00:::/8", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0/64", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "[fd00::]/8", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "10.0.0.0:80/8", RM_EPARSE, "not an IPv4 or IPv6 address" },
		{ "west/16", RM_EPARSE, "not an IPv4 or IPv6 address" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rm_prefix p;
		const char *why = NULL;
		bool hb = true;
		int rc = cidr_parse(cases[i].in, &p, &hb, &why);

		if (rc != cases[i].rc || why == NULL || strcmp(why, cases[i].why) != 0)
			fail_msg("\"%s\": %d \"%s\", want %d \"%s\"", cases[i].in, rc,
				 why ? why : "(null)", cases[i].rc, cases[i].why);
		assert_false(hb);
		assert_int_equal(cidr_parse(cases[i].in, &p, NULL, NULL), cases[i].rc);
	}
}

/* Addresses in and out: every accepted text with its canonical form, and
 * the near misses that must be refused. */
static void test_addr_text(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "10.0.0.1", "10.0.0.1" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		/* RFC 5952 section 4.1: no leading zeros; 4.3: lowercase. */
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8::1", "2001:db8::1" },
		{ "FE80::ABCD", "fe80::abcd" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		/* 4.2.3: the longest run; of equal runs the first. */
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
		{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },
		{ "0:0:1:0:0:1:0:0", "::1:0:0:1:0:0" },
		{ "1:0:0:0:2:0:0:0", "1::2:0:0:0" },
		/* 4.2.2: a single zero field is not "::". */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
		{ "::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		/* Not IPv4-compatible dotted form (glibc's inet_ntop: ::0.2.0.3). */
		{ "::2:3", "::2:3" },
		{ "::0.0.0.1", "::1" },
		{ "::10.0.0.1", "::a00:1" },
		/* Section 5: IPv4-mapped keeps its dotted quad, and only it. */
		{ "::ffff:a00:1", "::ffff:10.0.0.1" },
		{ "::FFFF:10.0.0.1", "::ffff:10.0.0.1" },
		{ "0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0" },
		{ "::fffe:a00:1", "::fffe:a00:1" },
		{ "::1:ffff:a00:1", "::1:ffff:a00:1" },
		{ "64:ff9b::1.2.3.4", "64:ff9b::102:304" },
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
	};
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"1..2.3",
		"1.2.3.",
		".1.2.3",
		"256.0.0.0",
		"1.2.3.1000",
		"01.2.3.4",
		"1.2.3.00",
		"0x1.2.3.4",
		"+1.2.3.4",
		" 1.2.3.4",
		"1.2.3.4 ",
		"1.2.3.4/32",
		"1.2.3.4:80",
		":",
		":::",
		":1::",
		"1:",
		"1::2:",
		"1::2::3",
		"12345::",
		"g::",
		"1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:1.2.3.4",
		"::1.2.3",
		"::1.2.3.4:5",
		"::1.2.3.04",
		"::ffff:1.2.3.256",
		"1.2.3.4::",
		"fe80::1%eth0",
		"[::1]",
		"::1 ",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		struct rm_addr a, b;
		char buf[RM_ADDR_STRLEN];

		if (cidr_addr_parse(good[i].in, &a) != RM_OK)
			fail_msg("\"%s\" refused", good[i].in);
		assert_string_equal(cidr_addr_format(&a, buf, sizeof(buf)), good[i].out);
		assert_int_equal(cidr_addr_parse(buf, &b), RM_OK);
		assert_true(cidr_addr_equal(&a, &b));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct rm_addr a;

		memset(&a, 0xaa, sizeof(a));
		if (cidr_addr_parse(bad[i], &a) != RM_EPARSE)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(a.family, RM_AF_NONE);
	}
}

static void test_addr_details(void **state)
{
	struct rm_addr a, b;
	struct rm_prefix p;
	char buf[RM_ADDR_STRLEN], small[8];
	size_t i;

	(void)state;
	/* IPv4 keeps bytes[4..15] zero whatever was in *out before. */
	memset(&a, 0xaa, sizeof(a));
	assert_int_equal(cidr_addr_parse("10.1.2.3", &a), RM_OK);
	assert_int_equal(a.family, RM_AF_INET);
	assert_int_equal(a.bytes[0], 10);
	assert_int_equal(a.bytes[3], 3);
	for (i = 4; i < 16; i++)
		assert_int_equal(a.bytes[i], 0);
	a = addr("2001:db8::1");
	assert_int_equal(a.family, RM_AF_INET6);
	assert_int_equal(a.bytes[0], 0x20);
	assert_int_equal(a.bytes[1], 0x01);
	assert_int_equal(a.bytes[15], 1);
	/* A short buffer truncates and stays terminated. */
	assert_string_equal(cidr_addr_format(&a, small, sizeof(small)), "2001:db");
	assert_ptr_equal(cidr_addr_format(&a, small, 0), small);
	p = pfx("10.200.0.0/16");
	assert_string_equal(cidr_format(&p, small, sizeof(small)), "10.200.");
	memset(&b, 0, sizeof(b));
	assert_string_equal(cidr_addr_format(&b, buf, sizeof(buf)), "?");
	/* The longest texts fit the documented sizes. */
	a = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(strlen(cidr_addr_format(&a, buf, sizeof(buf))), 39);
	{
		char pbuf[RM_PREFIX_STRLEN];

		assert_int_equal(cidr_make(&a, 128, &p), RM_OK);
		assert_string_equal(cidr_format(&p, pbuf, sizeof(pbuf)),
				    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	}
	/* Equality is family and address. */
	a = addr("10.0.0.1");
	b = addr("10.0.0.2");
	assert_false(cidr_addr_equal(&a, &b));
	b = addr("10.0.0.1");
	assert_true(cidr_addr_equal(&a, &b));
	b.bytes[8] = 7; /* a stray byte past an IPv4 address is not part of it */
	assert_true(cidr_addr_equal(&a, &b));
	b = addr("::a00:1"); /* the same 32 bits, other family */
	assert_false(cidr_addr_equal(&a, &b));
	b = addr("::ffff:10.0.0.1");
	assert_false(cidr_addr_equal(&a, &b));
}

static int qsort_prefix(const void *a, const void *b)
{
	return cidr_cmp(a, b);
}

static void test_order(void **state)
{
	static const char *const want[] = {
		"0.0.0.0/0",	"10.0.0.0/8",	      "10.0.0.0/16", "10.0.0.1/32", "10.0.1.0/24",
		"10.128.0.0/9", "255.255.255.255/32", "::/0",	     "::/128",	    "::1/128",
		"fd00::/8",	"fd00::/64",	      "fd00::1/128", "fe80::/10",
	};
	static const unsigned shuffle[] = { 7, 12, 3, 0, 9, 13, 5, 1, 11, 4, 8, 2, 10, 6 };
	struct rm_prefix v[ARRAY_SIZE(want)];
	struct rm_addr a, b;
	char buf[RM_PREFIX_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(ARRAY_SIZE(shuffle), ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		v[i] = pfx(want[shuffle[i]]);
	qsort(v, ARRAY_SIZE(v), sizeof(v[0]), qsort_prefix);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(cidr_format(&v[i], buf, sizeof(buf)), want[i]);
	for (i = 0; i + 1 < ARRAY_SIZE(want); i++) {
		assert_true(cidr_cmp(&v[i], &v[i + 1]) < 0);
		assert_true(cidr_cmp(&v[i + 1], &v[i]) > 0);
		assert_int_equal(cidr_cmp(&v[i], &v[i]), 0);
	}
	a = addr("10.0.0.1");
	b = addr("10.0.0.2");
	assert_true(cidr_addr_cmp(&a, &b) < 0);
	assert_true(cidr_addr_cmp(&b, &a) > 0);
	b = addr("9.255.255.255");
	assert_true(cidr_addr_cmp(&a, &b) > 0);
	b = addr("::"); /* every IPv4 address sorts before every IPv6 one */
	a = addr("255.255.255.255");
	assert_true(cidr_addr_cmp(&a, &b) < 0);
}

static void test_make(void **state)
{
	struct rm_addr a = addr("10.1.2.3"), none;
	struct rm_prefix p;
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(cidr_make(&a, 33, &p), RM_ERANGE);
	assert_int_equal(cidr_make(&a, 12, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "10.0.0.0/12");
	assert_int_equal(cidr_make(&a, 0, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "0.0.0.0/0");
	assert_int_equal(cidr_make(&a, 32, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "10.1.2.3/32");
	/* out may hold a itself. */
	assert_int_equal(cidr_make(&p.addr, 8, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "10.0.0.0/8");
	a = addr("fd12:3456:789a:bcde:f012:3456:789a:bcde");
	assert_int_equal(cidr_make(&a, 129, &p), RM_ERANGE);
	assert_int_equal(cidr_make(&a, 128, &p), RM_OK);
	assert_int_equal(cidr_make(&a, 63, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "fd12:3456:789a:bcde::/63");
	assert_int_equal(cidr_make(&a, 65, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "fd12:3456:789a:bcde:8000::/65");
	assert_int_equal(cidr_make(&a, 1, &p), RM_OK);
	assert_string_equal(cidr_format(&p, buf, sizeof(buf)), "8000::/1");
	memset(&none, 0, sizeof(none));
	assert_int_equal(cidr_make(&none, 0, &p), RM_EINVAL);
}

static void test_relations(void **state)
{
	struct rm_prefix a, b, x;
	struct rm_addr f;
	char buf[RM_PREFIX_STRLEN];

	(void)state;
	/* Adjacent halves touch but do not overlap. */
	a = pfx("10.0.0.0/9");
	b = pfx("10.128.0.0/9");
	assert_false(cidr_overlaps(&a, &b));
	assert_false(cidr_overlaps(&b, &a));
	x = pfx("1.1.1.1/32");
	assert_false(cidr_intersection(&a, &b, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "1.1.1.1/32"); /* untouched */
	f = addr("10.127.255.255");
	assert_true(cidr_contains(&a, &f));
	assert_false(cidr_contains(&b, &f));
	f = addr("10.128.0.0");
	assert_false(cidr_contains(&a, &f));
	assert_true(cidr_contains(&b, &f));
	/* Nested, either order. */
	a = pfx("10.0.0.0/8");
	assert_true(cidr_intersection(&a, &b, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "10.128.0.0/9");
	assert_true(cidr_intersection(&b, &a, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "10.128.0.0/9");
	assert_true(cidr_intersection(&b, &a, NULL));
	assert_true(cidr_contains_prefix(&a, &b));
	assert_false(cidr_contains_prefix(&b, &a));
	/* Identical. */
	assert_true(cidr_contains_prefix(&a, &a));
	assert_true(cidr_overlaps(&a, &a));
	assert_true(cidr_intersection(&a, &a, &x));
	assert_int_equal(cidr_cmp(&x, &a), 0);
	/* /0 holds everything of its family, /32 only itself. */
	b = pfx("0.0.0.0/0");
	assert_true(cidr_contains_prefix(&b, &a));
	a = pfx("255.255.255.255/32");
	assert_true(cidr_overlaps(&a, &b));
	assert_true(cidr_intersection(&b, &a, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "255.255.255.255/32");
	f = addr("255.255.255.255");
	assert_true(cidr_contains(&b, &f));
	assert_true(cidr_contains(&a, &f));
	f = addr("255.255.255.254");
	assert_false(cidr_contains(&a, &f));
	f = addr("0.0.0.0");
	assert_true(cidr_contains(&b, &f));
	a = pfx("0.0.0.0/32");
	b = pfx("0.0.0.1/32");
	assert_false(cidr_overlaps(&a, &b));
	/* Families never mix, not even ::/0 with 0.0.0.0/0 or a mapped
	 * address with its IPv4 twin. */
	a = pfx("::/0");
	b = pfx("0.0.0.0/0");
	assert_false(cidr_overlaps(&a, &b));
	assert_false(cidr_contains_prefix(&a, &b));
	assert_false(cidr_contains_prefix(&b, &a));
	assert_false(cidr_intersection(&a, &b, &x));
	f = addr("10.0.0.1");
	assert_false(cidr_contains(&a, &f));
	f = addr("::ffff:10.0.0.1");
	assert_false(cidr_contains(&b, &f));
	assert_true(cidr_contains(&a, &f));
	/* IPv6 nesting across the 64-bit halves, and /128. */
	b = pfx("fd00:1::/32");
	assert_true(cidr_contains_prefix(&a, &b));
	a = pfx("fd00:1:8000::/33");
	assert_true(cidr_intersection(&a, &b, &x));
	assert_string_equal(cidr_format(&x, buf, sizeof(buf)), "fd00:1:8000::/33");
	a = pfx("fd00::/64");
	b = pfx("fd00::ffff:ffff:ffff:ffff/128");
	assert_true(cidr_contains_prefix(&a, &b));
	b = pfx("fd00:0:0:1::/128");
	assert_false(cidr_overlaps(&a, &b));
	a = pfx("fd00:0:0:0:8000::/65");
	b = pfx("fd00::/65");
	assert_false(cidr_overlaps(&a, &b));
	a = pfx("::1/128");
	assert_true(cidr_contains_prefix(&a, &a));
	f = addr("::");
	assert_false(cidr_contains(&a, &f));
	/* A hand-made block with host bits set still means its block. */
	memset(&a, 0, sizeof(a));
	a.addr = addr("10.1.2.3");
	a.len = 8;
	f = addr("10.200.0.1");
	assert_true(cidr_contains(&a, &f));
	b = pfx("10.0.0.0/16");
	assert_true(cidr_contains_prefix(&a, &b));
}

static void test_size_bounds(void **state)
{
	static const struct {
		const char *p, *first, *last;
		uint64_t size;
	} cases[] = {
		{ "0.0.0.0/0", "0.0.0.0", "255.255.255.255", UINT64_C(1) << 32 },
		{ "10.0.0.0/8", "10.0.0.0", "10.255.255.255", UINT64_C(1) << 24 },
		{ "10.200.0.0/16", "10.200.0.0", "10.200.255.255", 65536 },
		{ "10.1.2.4/31", "10.1.2.4", "10.1.2.5", 2 },
		{ "10.1.2.3/32", "10.1.2.3", "10.1.2.3", 1 },
		{ "::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UINT64_MAX },
		{ "fd00::/8", "fd00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UINT64_MAX },
		{ "fd00::/63", "fd00::", "fd00::1:ffff:ffff:ffff:ffff", UINT64_MAX },
		{ "fd00::/64", "fd00::", "fd00::ffff:ffff:ffff:ffff", UINT64_MAX },
		{ "fd00::/65", "fd00::", "fd00::7fff:ffff:ffff:ffff", UINT64_C(1) << 63 },
		{ "fd00::/120", "fd00::", "fd00::ff", 256 },
		{ "fd00::1/128", "fd00::1", "fd00::1", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rm_prefix p = pfx(cases[i].p), none;
		struct rm_addr f, l;
		char buf[RM_ADDR_STRLEN];

		assert_int_equal(cidr_size(&p), cases[i].size);
		cidr_first(&p, &f);
		cidr_last(&p, &l);
		assert_string_equal(cidr_addr_format(&f, buf, sizeof(buf)), cases[i].first);
		assert_string_equal(cidr_addr_format(&l, buf, sizeof(buf)), cases[i].last);
		memset(&none, 0, sizeof(none));
		assert_int_equal(cidr_size(&none), 0);
	}
}

/* Runs cidr_free_block on text and checks the text of the answer; want
 * NULL means RM_ENOTFOUND. */
static void free_is(const char *space, const char *const *used, size_t n, unsigned len,
		    const char *want)
{
	struct rm_prefix s = pfx(space), u[64], out;
	char buf[RM_PREFIX_STRLEN];
	size_t i;
	int rc;

	assert_true(n <= ARRAY_SIZE(u));
	for (i = 0; i < n; i++)
		u[i] = pfx(used[i]);
	rc = cidr_free_block(&s, n > 0 ? u : NULL, n, len, &out);
	if (want == NULL) {
		if (rc != RM_ENOTFOUND)
			fail_msg("%s /%u: rc %d %s, want none", space, len, rc,
				 rc == RM_OK ? cidr_format(&out, buf, sizeof(buf)) : "");
		return;
	}
	if (rc != RM_OK)
		fail_msg("%s /%u: rc %d, want %s", space, len, rc, want);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), want);
}

static void test_free_block(void **state)
{
	static const char *const outside[] = { "192.168.0.0/16", "9.255.255.255/32", "11.0.0.0/8" };
	static const char *const low[] = { "10.0.0.0/16", "10.1.0.0/17" };
	static const char *const misaligned[] = { "10.0.0.0/24", "10.0.1.0/25", "10.0.4.0/30" };
	static const char *const whole[] = { "10.0.0.0/8" };
	static const char *const halves[] = { "10.128.0.0/9", "10.0.0.0/9" };
	static const char *const bigger[] = { "0.0.0.0/0" };
	static const char *const v6only[] = { "::/0" };
	static const char *const top[] = { "10.255.255.0/24" };
	static const char *const last[] = { "255.255.255.0/24" };
	static const char *const v6[] = { "fd00::/48", "fd00:0:1::/64", "10.0.0.0/8" };
	static const char *const v6mid[] = { "fd00::/64", "fd00:0:0:1::ff/128" };
	static const char *const v6top[] = { "::/1" };
	/* The second /24 of each /23, in descending order: every /23 is hit. */
	static const char *const odd[] = { "10.0.7.0/24", "10.0.5.0/24", "10.0.3.0/24",
					   "10.0.1.0/24" };
	struct rm_prefix s = pfx("10.0.0.0/8"), out, none;

	(void)state;
	free_is("10.0.0.0/8", NULL, 0, 16, "10.0.0.0/16");
	free_is("10.0.0.0/8", NULL, 0, 8, "10.0.0.0/8");
	free_is("10.0.0.0/8", NULL, 0, 32, "10.0.0.0/32");
	free_is("10.0.0.0/8", outside, 3, 16, "10.0.0.0/16");
	free_is("10.0.0.0/8", low, 2, 16, "10.2.0.0/16");
	free_is("10.0.0.0/8", low, 2, 17, "10.1.128.0/17");
	free_is("10.0.0.0/8", low, 2, 30, "10.1.128.0/30");
	free_is("10.0.0.0/8", low, 2, 8, NULL);
	free_is("10.0.0.0/8", low, 2, 9, "10.128.0.0/9");
	/* Used blocks smaller than and not aligned to the asked length. */
	free_is("10.0.0.0/22", misaligned, 3, 24, "10.0.2.0/24");
	free_is("10.0.0.0/22", misaligned, 3, 23, "10.0.2.0/23");
	free_is("10.0.0.0/22", misaligned, 3, 25, "10.0.1.128/25");
	free_is("10.0.0.0/22", misaligned, 3, 26, "10.0.1.128/26");
	free_is("10.0.0.0/22", misaligned, 3, 30, "10.0.1.128/30");
	free_is("10.0.0.0/21", misaligned, 3, 22, NULL);
	free_is("10.0.0.0/22", odd, 4, 23, NULL);
	free_is("10.0.0.0/21", odd, 4, 23, NULL);
	free_is("10.0.0.0/21", odd, 4, 24, "10.0.0.0/24");
	free_is("10.0.0.0/20", odd, 4, 23, "10.0.8.0/23");
	/* Full spaces, by one block, by two, by a block bigger than the space. */
	free_is("10.0.0.0/8", whole, 1, 24, NULL);
	free_is("10.0.0.0/8", whole, 1, 8, NULL);
	free_is("10.0.0.0/8", halves, 2, 30, NULL);
	free_is("10.0.0.0/8", halves, 1, 30, "10.0.0.0/30");
	free_is("10.0.0.0/8", bigger, 1, 30, NULL);
	free_is("10.1.2.0/24", whole, 1, 32, NULL);
	/* Other families are ignored both ways. */
	free_is("10.0.0.0/8", v6only, 1, 24, "10.0.0.0/24");
	free_is("fd00::/8", bigger, 1, 64, "fd00::/64");
	/* The end of a space and of the whole address space. */
	free_is("10.255.0.0/16", top, 1, 24, "10.255.0.0/24");
	free_is("10.255.254.0/23", top, 1, 24, "10.255.254.0/24");
	free_is("10.255.255.0/24", top, 1, 32, NULL);
	free_is("255.255.255.0/24", last, 1, 24, NULL);
	free_is("255.255.254.0/23", last, 1, 24, "255.255.254.0/24");
	free_is("0.0.0.0/0", halves, 2, 8, "0.0.0.0/8");
	free_is("0.0.0.0/0", whole, 1, 1, "128.0.0.0/1");
	/* IPv6, including a step from the low 64 bits into the high ones. */
	free_is("fd00::/8", v6, 3, 64, "fd00:0:1:1::/64");
	free_is("fd00::/8", v6, 3, 48, "fd00:0:2::/48");
	free_is("fd00::/8", v6, 3, 8, NULL);
	free_is("fd00::/63", v6mid, 2, 64, NULL);
	free_is("fd00::/62", v6mid, 2, 64, "fd00:0:0:2::/64");
	free_is("fd00::/63", v6mid, 2, 65, "fd00:0:0:1:8000::/65");
	free_is("fd00::/63", v6mid, 2, 120, "fd00:0:0:1::100/120");
	free_is("fd00::/63", v6mid, 2, 128, "fd00:0:0:1::/128");
	free_is("::/0", NULL, 0, 0, "::/0");
	free_is("::/0", v6top, 1, 1, "8000::/1");
	free_is("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", v6only, 1, 128, NULL);
	/* Lengths the space cannot hold. */
	assert_int_equal(cidr_free_block(&s, NULL, 0, 7, &out), RM_EINVAL);
	assert_int_equal(cidr_free_block(&s, NULL, 0, 33, &out), RM_EINVAL);
	s = pfx("fd00::/8");
	assert_int_equal(cidr_free_block(&s, NULL, 0, 129, &out), RM_EINVAL);
	assert_int_equal(cidr_free_block(&s, NULL, 0, 128, &out), RM_OK);
	memset(&none, 0, sizeof(none));
	assert_int_equal(cidr_free_block(&none, NULL, 0, 0, &out), RM_EINVAL);
}

/* The blocks that cover space except its last /keep: space's first half,
 * the first half of the rest, and so on. */
static size_t cover_but_last(const struct rm_prefix *space, unsigned keep, struct rm_prefix *out)
{
	struct rm_prefix cur = *space;
	size_t n = 0;

	while (cur.len < keep) {
		struct rm_addr next;

		cur.len++;
		out[n++] = cur;
		/* The other half: the address with bit cur.len - 1 set. */
		next = cur.addr;
		next.bytes[(cur.len - 1) / 8] |= (uint8_t)(0x80u >> ((cur.len - 1) % 8));
		cur.addr = next;
	}
	return n;
}

/* CPU time, not wall time, so a loaded machine does not fail this; the
 * skipping search needs milliseconds even under ASan, a stepping one
 * minutes. */
static void cpu_time_under(clock_t start, double limit)
{
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;

	if (secs > limit)
		fail_msg("free-block search took %.2f s of CPU", secs);
}

/* The search must skip over used blocks, not step through the space: a
 * stepping search here takes 2^22 (IPv4) or 2^56 (IPv6) rounds. */
static void test_free_block_fast(void **state)
{
	static const char *const whole_v6 = "::/0";
	struct rm_prefix used[400], out;
	char buf[RM_PREFIX_STRLEN];
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	struct rm_prefix space;
	size_t n, i;
	clock_t start = clock();

	(void)state;
	space = pfx("10.0.0.0/8");
	n = cover_but_last(&space, 30, used);
	assert_int_equal(n, 22);
	/* First alone: a stepping search fails here in seconds. */
	assert_int_equal(cidr_free_block(&space, used, n, 30, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.255.255.252/30");
	cpu_time_under(start, 0.5);
	for (; n < 322; n++) {
		/* Noise: /24s and /28s already covered (below 10.255.255.0). */
		struct rm_addr a = v4_addr(0x0a000000u + (uint32_t)rng_below(&seed, 0xffff00));

		assert_int_equal(cidr_make(&a, 24 + 4 * rng_below(&seed, 2), &used[n]), RM_OK);
	}
	for (i = n - 1; i > 0; i--) { /* a fixed shuffle */
		size_t j = rng_below(&seed, (unsigned)i + 1);
		struct rm_prefix t = used[i];

		used[i] = used[j];
		used[j] = t;
	}
	assert_int_equal(cidr_free_block(&space, used, n, 30, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.255.255.252/30");
	assert_int_equal(cidr_free_block(&space, used, n, 32, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.255.255.252/32");
	assert_int_equal(cidr_free_block(&space, used, n, 29, &out), RM_ENOTFOUND);

	/* 400 /24s from 10.0.0.0 up, listed highest first: one block skipped
	 * per round. */
	for (i = 0; i < 400; i++) {
		used[i] = pfx("10.0.0.0/24");
		used[i].addr = v4_addr(0x0a000000u + (uint32_t)(399 - i) * 256);
	}
	assert_int_equal(cidr_free_block(&space, used, 400, 24, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.1.144.0/24");
	assert_int_equal(cidr_free_block(&space, used, 400, 28, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.1.144.0/28");
	assert_int_equal(cidr_free_block(&space, used, 400, 16, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "10.2.0.0/16");

	/* Checked here too, so a stepping search fails instead of spending
	 * forever on the IPv6 case below. */
	cpu_time_under(start, 0.5);

	space = pfx("fd00::/8");
	n = cover_but_last(&space, 64, used);
	assert_int_equal(n, 56);
	for (; n < 356; n++) {
		/* Noise: /48s and /64s below fdff:ffff:ffff::/48. */
		struct rm_addr a = addr("fd00::");
		int k;

		for (k = 1; k < 8; k++)
			a.bytes[k] = (uint8_t)rng_next(&seed);
		a.bytes[1] &= 0xfe;
		assert_int_equal(cidr_make(&a, 48 + 16 * rng_below(&seed, 2), &used[n]), RM_OK);
	}
	for (i = n - 1; i > 0; i--) {
		size_t j = rng_below(&seed, (unsigned)i + 1);
		struct rm_prefix t = used[i];

		used[i] = used[j];
		used[j] = t;
	}
	assert_int_equal(cidr_free_block(&space, used, n, 64, &out), RM_OK);
	assert_string_equal(cidr_format(&out, buf, sizeof(buf)), "fdff:ffff:ffff:ffff::/64");
	assert_int_equal(cidr_free_block(&space, used, n, 63, &out), RM_ENOTFOUND);

	/* The whole IPv6 space used: found out in one round, not 2^128. */
	free_is("::/0", &whole_v6, 1, 128, NULL);
	cpu_time_under(start, 0.5);
}

/* A random IPv4 block: mostly in or near 10.20.0.0/16 with lengths 12..32
 * so that blocks nest, sometimes anywhere with any length, and when near
 * is given ({lo, hi} of another block) often at or just past one of its
 * ends, because equal and off-by-one bounds are rare by chance. */
static struct rm_prefix rand_v4(uint64_t *s, const uint32_t *near, uint32_t *lo, uint32_t *hi)
{
	unsigned len, kind = rng_below(s, 8);
	uint32_t v = (uint32_t)rng_next(s);
	struct rm_addr a;
	struct rm_prefix p;

	if (near != NULL && kind >= 4) {
		v = near[kind % 2] + (kind < 6 ? 0 : kind % 2 ? 1u : UINT32_MAX);
		len = rng_below(s, 2) ? 32 - rng_below(s, 4) : 12 + rng_below(s, 21);
	} else if (kind == 0) {
		len = rng_below(s, 33);
	} else {
		len = 12 + rng_below(s, 21);
		v = 0x0a140000u | (v & 0xffff);
		if (kind == 1)
			v ^= 0x00010000u; /* the neighbour, 10.21.0.0/16 */
	}
	a = v4_addr(v);
	if (cidr_make(&a, len, &p) != RM_OK)
		fail_msg("cidr_make /%u", len);
	*lo = v & ~v4_host(len);
	*hi = *lo | v4_host(len);
	return p;
}

static void test_random_v4(void **state)
{
	uint64_t seed = 0x5eed1234abcdULL;
	unsigned overlaps = 0, nested = 0, touching = 0, shared_end = 0;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t alo, ahi, blo, bhi, near[2];
		struct rm_prefix a = rand_v4(&seed, NULL, &alo, &ahi), b, o;
		uint32_t x = rng_below(&seed, 2) ? alo + (uint32_t)rng_below(&seed, 3) - 1
						 : ahi + (uint32_t)rng_below(&seed, 3) - 1;
		struct rm_addr xa = v4_addr(x), f, l;
		bool ref_overlap, ref_b_in_a;
		int ref_cmp, c;

		near[0] = alo;
		near[1] = ahi;
		b = rand_v4(&seed, near, &blo, &bhi);
		ref_overlap = alo <= bhi && blo <= ahi;
		ref_b_in_a = alo <= blo && bhi <= ahi;
		ref_cmp = alo != blo	   ? (alo < blo ? -1 : 1)
			  : a.len != b.len ? (a.len < b.len ? -1 : 1)
					   : 0;
		c = cidr_cmp(&a, &b);
		overlaps += ref_overlap;
		nested += ref_b_in_a && a.len < b.len;
		touching += ahi + 1 == blo || bhi + 1 == alo;
		shared_end += alo == bhi || blo == ahi;
		cidr_first(&a, &f);
		cidr_last(&a, &l);
		assert_int_equal(v4_num(&f), alo);
		assert_int_equal(v4_num(&l), ahi);
		assert_int_equal(v4_num(&a.addr), alo); /* normalized */
		assert_int_equal(cidr_size(&a), (uint64_t)(ahi - alo) + 1);
		assert_int_equal(cidr_contains(&a, &xa), alo <= x && x <= ahi);
		assert_int_equal(cidr_overlaps(&a, &b), ref_overlap);
		assert_int_equal(cidr_overlaps(&b, &a), ref_overlap);
		assert_int_equal(cidr_contains_prefix(&a, &b), ref_b_in_a);
		assert_int_equal(c < 0 ? -1 : c > 0, ref_cmp);
		assert_int_equal(cidr_intersection(&a, &b, &o), ref_overlap);
		if (ref_overlap) {
			/* The intersection of two intervals is [max lo, min hi]. */
			uint32_t ilo = alo > blo ? alo : blo, ihi = ahi < bhi ? ahi : bhi;

			cidr_first(&o, &f);
			cidr_last(&o, &l);
			assert_int_equal(v4_num(&f), ilo);
			assert_int_equal(v4_num(&l), ihi);
		}
	}
	/* The generator must produce the cases that matter. */
	assert_true(overlaps > 2000);
	assert_true(nested > 1000);
	assert_true(touching > 1000);
	assert_true(shared_end > 200);
}

/* Free-block search against stepping every aligned block of 10.20.0.0/16,
 * with used blocks inside, around (holding or next to the space) and of
 * the other family. */
static void test_random_free_block_v4(void **state)
{
	const uint32_t base = 0x0a140000u, top = 0x0a14ffffu;
	struct rm_prefix space = pfx("10.20.0.0/16");
	uint64_t seed = 0xfeedfaceULL;
	unsigned found = 0, full = 0, moved = 0, skipped_misaligned = 0;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		struct rm_prefix used[40], out;
		uint32_t lo[40], hi[40];
		bool v4[40];
		size_t n = rng_below(&seed, 40), i;
		unsigned len = 16 + rng_below(&seed, 13);
		uint32_t step = 1u << (32 - len), cand = base;
		bool want_found = false;
		int rc;

		for (i = 0; i < n; i++) {
			unsigned kind = rng_below(&seed, 20), ulen;
			uint32_t v = base | ((uint32_t)rng_next(&seed) & 0xffff);
			struct rm_addr a;

			v4[i] = true;
			if (kind < 14) { /* inside, often at either end of an aligned block */
				uint32_t low =
				    v4_host(rng_below(&seed, 2) ? len : 32 - rng_below(&seed, 17));

				if (kind < 4)
					v |= low;
				else if (kind < 8)
					v &= ~low;
				ulen =
				    kind % 2 ? 17 + rng_below(&seed, 16) : 29 + rng_below(&seed, 4);
			} else if (kind < 15) { /* around: 10.16.0.0/13 */
				v = 0x0a100000u | ((uint32_t)rng_next(&seed) & 0x7ffff);
				ulen = 8 + rng_below(&seed, 17);
			} else if (kind < 19) { /* just outside */
				v = rng_below(&seed, 2) ? base - 1 - (v & 0xff)
							: top + 1 + (v & 0xff);
				ulen = 24 + rng_below(&seed, 9);
			} else { /* IPv6, to be ignored */
				v4[i] = false;
				a = addr("::");
				a.bytes[0] = (uint8_t)rng_next(&seed);
				ulen = rng_below(&seed, 9);
				assert_int_equal(cidr_make(&a, ulen, &used[i]), RM_OK);
				continue;
			}
			a = v4_addr(v);
			assert_int_equal(cidr_make(&a, ulen, &used[i]), RM_OK);
			lo[i] = v & ~v4_host(ulen);
			hi[i] = lo[i] | v4_host(ulen);
		}
		for (;;) {
			uint32_t last = cand + step - 1;

			for (i = 0; i < n; i++)
				if (v4[i] && lo[i] <= last && cand <= hi[i])
					break;
			if (i == n) {
				want_found = true;
				break;
			}
			if (hi[i] - lo[i] < step - 1 && hi[i] != last)
				skipped_misaligned++;
			if (last == top)
				break;
			cand += step;
		}
		rc = cidr_free_block(&space, used, n, len, &out);
		if (!want_found) {
			full++;
			assert_int_equal(rc, RM_ENOTFOUND);
			continue;
		}
		found++;
		moved += cand != base;
		assert_int_equal(rc, RM_OK);
		assert_int_equal(out.addr.family, RM_AF_INET);
		assert_int_equal(out.len, len);
		assert_int_equal(v4_num(&out.addr), cand);
	}
	assert_true(found > 500);
	assert_true(full > 500);
	assert_true(moved > 400);
	assert_true(skipped_misaligned > 100);
}

/* A random IPv6 block near fd00::/112, or near the point where the low
 * 64 bits carry into the high ones, or anywhere; mostly long lengths so
 * that blocks nest. As rand_v4, often at or next to an end of near. */
static struct rm_prefix rand_v6(uint64_t *s, const u128 *near, u128 *lo, u128 *hi)
{
	unsigned kind = rng_below(s, 8), len;
	u128 v = (u128)rng_next(s) << 64 | rng_next(s);
	struct rm_prefix p;
	struct rm_addr a;

	if (near != NULL && kind >= 4) {
		v = near[kind % 2] + (kind < 6 ? 0 : kind % 2 ? 1 : ~(u128)0);
		len = rng_below(s, 2) ? 128 - rng_below(s, 4) : 56 + rng_below(s, 73);
	} else if (kind == 0) {
		len = rng_below(s, 129);
	} else if (kind < 3) {
		/* fd00:0:0:0:ffff:ffff:ffff:xxxx up to fd00:0:0:1::xxxx */
		len = 56 + rng_below(s, 73);
		v = ((u128)0xfd00 << 112 | (u128)UINT64_MAX) - 0x8000 + (v & 0xffff);
	} else {
		len = 100 + rng_below(s, 29);
		v = (u128)0xfd00 << 112 | (v & 0xffff);
	}
	a = v6_addr(v);
	if (cidr_make(&a, len, &p) != RM_OK)
		fail_msg("cidr_make /%u", len);
	*lo = v & ~v6_host(len);
	*hi = *lo | v6_host(len);
	return p;
}

static void test_random_v6(void **state)
{
	uint64_t seed = 0x6666ULL;
	unsigned overlaps = 0, nested = 0, touching = 0, shared_end = 0;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		u128 alo, ahi, blo, bhi, near[2];
		struct rm_prefix a = rand_v6(&seed, NULL, &alo, &ahi), b, o;
		u128 x = rng_below(&seed, 2) ? alo + rng_below(&seed, 3) - 1
					     : ahi + rng_below(&seed, 3) - 1;
		struct rm_addr xa = v6_addr(x), f, l;
		u128 size = ahi - alo;
		bool ref_overlap, ref_b_in_a;

		near[0] = alo;
		near[1] = ahi;
		b = rand_v6(&seed, near, &blo, &bhi);
		ref_overlap = alo <= bhi && blo <= ahi;
		ref_b_in_a = alo <= blo && bhi <= ahi;
		overlaps += ref_overlap;
		nested += ref_b_in_a && a.len < b.len;
		touching += ahi + 1 == blo || bhi + 1 == alo;
		shared_end += alo == bhi || blo == ahi;
		cidr_first(&a, &f);
		cidr_last(&a, &l);
		assert_true(v6_num(&f) == alo);
		assert_true(v6_num(&l) == ahi);
		assert_true(v6_num(&a.addr) == alo);
		assert_int_equal(cidr_size(&a),
				 size >= UINT64_MAX ? UINT64_MAX : (uint64_t)size + 1);
		assert_int_equal(cidr_contains(&a, &xa), alo <= x && x <= ahi);
		assert_int_equal(cidr_overlaps(&a, &b), ref_overlap);
		assert_int_equal(cidr_contains_prefix(&a, &b), ref_b_in_a);
		assert_int_equal(cidr_intersection(&a, &b, &o), ref_overlap);
		if (ref_overlap) {
			cidr_first(&o, &f);
			cidr_last(&o, &l);
			assert_true(v6_num(&f) == (alo > blo ? alo : blo));
			assert_true(v6_num(&l) == (ahi < bhi ? ahi : bhi));
		}
	}
	assert_true(overlaps > 2000);
	assert_true(nested > 1000);
	assert_true(touching > 1000);
	assert_true(shared_end > 200);
}

/* Free-block search in IPv6 against stepping, in two spaces: a /112 with
 * lengths 112..124, and fd00::/52 with lengths 52..64 where used blocks
 * that end a /64 make the search carry into the high 64 bits. */
static void test_random_free_block_v6(void **state)
{
	uint64_t seed = 0xabcdef987ULL;
	unsigned found = 0, full = 0, moved = 0;
	int round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		bool wide = round % 2 == 1;
		struct rm_prefix space = pfx(wide ? "fd00::/52" : "fd12:3456::ab:0/112");
		u128 base = v6_num(&space.addr), top = base | v6_host(space.len);
		struct rm_prefix used[30], out;
		u128 lo[30], hi[30], cand = base, step;
		bool v6[30];
		size_t n = rng_below(&seed, 30), i;
		unsigned len = space.len + rng_below(&seed, 13);
		bool want_found = false;
		int rc;

		step = (u128)1 << (128 - len);
		for (i = 0; i < n; i++) {
			unsigned kind = rng_below(&seed, 20), ulen;
			u128 r = (u128)rng_next(&seed) << 64 | rng_next(&seed);
			u128 v = base | (r & v6_host(space.len)), size = top - base + 1;
			struct rm_addr a;

			v6[i] = kind != 19;
			if (!v6[i]) { /* IPv4, to be ignored */
				a = v4_addr((uint32_t)rng_next(&seed));
				assert_int_equal(cidr_make(&a, rng_below(&seed, 9), &used[i]),
						 RM_OK);
				continue;
			}
			if (kind < 16) { /* inside, often at either end of an aligned block */
				u128 low = v6_host(rng_below(&seed, 2)
						       ? len
						       : 128 - rng_below(&seed, 129 - space.len));

				if (kind < 4)
					v |= low;
				else if (kind < 8)
					v &= ~low;
				else if (kind < 10 && wide)
					v |= UINT64_MAX; /* the last of a /64 */
				ulen = kind % 2 ? space.len + 1 + rng_below(&seed, 127 - space.len)
						: 125 + rng_below(&seed, 4);
			} else if (kind < 18) { /* just outside */
				v = rng_below(&seed, 2) ? v + size : v - size;
				ulen = 120 + rng_below(&seed, 9);
			} else { /* around: the space or more, or a neighbour */
				if (rng_below(&seed, 2))
					v = rng_below(&seed, 2) ? v + size : v - size;
				ulen = space.len - rng_below(&seed, 8);
			}
			a = v6_addr(v);
			assert_int_equal(cidr_make(&a, ulen, &used[i]), RM_OK);
			lo[i] = v & ~v6_host(ulen);
			hi[i] = lo[i] | v6_host(ulen);
		}
		for (;;) {
			u128 last = cand + step - 1;

			for (i = 0; i < n; i++)
				if (v6[i] && lo[i] <= last && cand <= hi[i])
					break;
			if (i == n) {
				want_found = true;
				break;
			}
			if (last == top)
				break;
			cand += step;
		}
		rc = cidr_free_block(&space, used, n, len, &out);
		if (!want_found) {
			full++;
			assert_int_equal(rc, RM_ENOTFOUND);
			continue;
		}
		found++;
		moved += cand != base;
		assert_int_equal(rc, RM_OK);
		assert_int_equal(out.addr.family, RM_AF_INET6);
		assert_int_equal(out.len, len);
		assert_true(v6_num(&out.addr) == cand);
	}
	assert_true(found > 300);
	assert_true(full > 300);
	assert_true(moved > 150);
}

/* One IPv6 group as text: plain, zero-padded or uppercase hex. */
static size_t spell_group(char *text, size_t size, unsigned w, unsigned style)
{
	int n;

	switch (style) {
	case 0:
		n = snprintf(text, size, "%04x", w);
		break;
	case 1:
		n = snprintf(text, size, "%X", w);
		break;
	default:
		n = snprintf(text, size, "%x", w);
		break;
	}
	return n > 0 ? (size_t)n : 0;
}

/* A valid text of the IPv6 address w[0..8), spelt one of many ways: "::"
 * over a random run of groups (zero or not: the text decides the value),
 * mixed case, leading zeros, sometimes a dotted quad for the last 32 bits.
 * The groups under "::" are zeroed in w so w is what the text means. */
static void spell_v6(uint64_t *s, unsigned *w, char *text, size_t size)
{
	unsigned z = rng_below(s, 8), zn = rng_below(s, 3) == 0 ? 0 : 1 + rng_below(s, 8 - z);
	bool dotted = rng_below(s, 4) == 0 && (zn == 0 || z + zn <= 6);
	bool prev = false; /* an item is already written, so ':' separates */
	size_t at = 0;
	unsigned i;

	for (i = 0; i < 8; i++) {
		if (zn > 0 && i >= z && i < z + zn) {
			w[i] = 0;
			if (i == z) {
				at += (size_t)snprintf(text + at, size - at, "::");
				prev = false;
			}
			continue;
		}
		if (prev)
			text[at++] = ':';
		if (dotted && i == 6) {
			at += (size_t)snprintf(text + at, size - at, "%u.%u.%u.%u", w[6] >> 8,
					       w[6] & 0xff, w[7] >> 8, w[7] & 0xff);
			break;
		}
		at += spell_group(text + at, size - at, w[i], rng_below(s, 4));
		prev = true;
	}
	text[at] = '\0';
}

/* Random near-valid address texts against glibc's inet_pton: the same
 * verdict and bytes. Texts start valid, then get up to two random edits. */
static void test_random_parse_vs_libc(void **state)
{
	static const char edits[] = "0123456789abcdefABCDEFg:.%/ []";
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned accepted = 0, refused = 0, unedited = 0;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		char text[96];
		uint8_t want[16];
		unsigned w[8];
		struct rm_addr got;
		size_t n, k;
		int libc, ours, e, i, nedits = (int)rng_below(&seed, 3);

		for (i = 0; i < 8; i++)
			w[i] = rng_below(&seed, 2) ? 0 : (unsigned)rng_next(&seed) & 0xffff;
		if (rng_below(&seed, 3) == 0)
			snprintf(text, sizeof(text), "%u.%u.%u.%u", w[0] & 0xff, w[1] & 0xff,
				 w[2] & 0xff, w[3] & 0xff);
		else
			spell_v6(&seed, w, text, sizeof(text));
		if (nedits == 0) {
			/* Unedited text must be accepted: checks the generator. */
			assert_int_equal(cidr_addr_parse(text, &got), RM_OK);
			unedited++;
		}
		for (e = 0; e < nedits; e++) {
			n = strlen(text);
			k = rng_below(&seed, (unsigned)n + 1);
			switch (rng_below(&seed, 3)) {
			case 0: /* delete */
				if (k < n)
					memmove(text + k, text + k + 1, n - k);
				break;
			case 1: /* insert */
				memmove(text + k + 1, text + k, n - k + 1);
				text[k] = edits[rng_below(&seed, sizeof(edits) - 1)];
				break;
			default: /* replace */
				if (k < n)
					text[k] = edits[rng_below(&seed, sizeof(edits) - 1)];
				break;
			}
		}
		libc = strchr(text, ':') != NULL ? inet_pton(AF_INET6, text, want)
						 : inet_pton(AF_INET, text, want);
		ours = cidr_addr_parse(text, &got);
		if ((libc == 1) != (ours == RM_OK))
			fail_msg("\"%s\": inet_pton %d, cidr_addr_parse %d", text, libc, ours);
		if (ours != RM_OK) {
			refused++;
			continue;
		}
		accepted++;
		assert_memory_equal(got.bytes, want, got.family == RM_AF_INET ? 4 : 16);
	}
	assert_true(accepted > 8000);
	assert_true(refused > 5000);
	assert_true(unedited > 5000);
}

/* Random IPv6 addresses rich in zero runs: our text against inet_ntop's
 * (which agrees with RFC 5952 except for the deprecated ::a.b.c.d form),
 * and every text parses back to the same address. */
static void test_random_format(void **state)
{
	uint64_t seed = 0x1234567ULL;
	unsigned compared = 0;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		struct rm_addr a, b;
		char ours[RM_ADDR_STRLEN], libc[INET6_ADDRSTRLEN];
		bool v4 = rng_below(&seed, 8) == 0;
		int i;

		if (v4) {
			a = v4_addr((uint32_t)rng_next(&seed));
		} else {
			a = addr("::");
			for (i = 0; i < 8; i++) {
				unsigned w = rng_below(&seed, 2) ? 0 : (unsigned)rng_next(&seed);

				if (rng_below(&seed, 4) == 0)
					w &= 0xf; /* short groups */
				a.bytes[2 * i] = (uint8_t)(w >> 8);
				a.bytes[2 * i + 1] = (uint8_t)w;
			}
			if (rng_below(&seed, 16) == 0) { /* IPv4-mapped */
				memset(a.bytes, 0, 10);
				a.bytes[10] = 0xff;
				a.bytes[11] = 0xff;
			}
		}
		cidr_addr_format(&a, ours, sizeof(ours));
		assert_int_equal(cidr_addr_parse(ours, &b), RM_OK);
		assert_true(cidr_addr_equal(&a, &b));
		if (!v4) {
			static const uint8_t zero[12];

			/* glibc writes ::a.b.c.d when the first 96 bits are zero
			 * and the next 16 are not. */
			if (memcmp(a.bytes, zero, 12) == 0 && (a.bytes[12] | a.bytes[13]) != 0)
				continue;
		}
		if (inet_ntop(v4 ? AF_INET : AF_INET6, a.bytes, libc, sizeof(libc)) == NULL)
			fail_msg("inet_ntop failed");
		assert_string_equal(ours, libc);
		compared++;
	}
	assert_true(compared > 19000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_addr_text),
		cmocka_unit_test(test_addr_details),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_size_bounds),
		cmocka_unit_test(test_free_block),
		cmocka_unit_test(test_free_block_fast),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_free_block_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_random_free_block_v6),
		cmocka_unit_test(test_random_parse_vs_libc),
		cmocka_unit_test(test_random_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

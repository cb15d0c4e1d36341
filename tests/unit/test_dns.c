/* DNS answers through c-ares: byte fixtures of RFC 1035 messages judged by
 * dns_classify. */
#include <ares.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes/dns.h"
#include "reachmap/error.h"

/* A response for "a.east.local" of qtype with n records of that type, each
 * alen bytes of addrs (rdlength rdlen may lie).
 *   header: id, flags (QR RD RA, rcode), qdcount 1, ancount n, 0, 0
 *   question: name, type, class 1
 *   answers: pointer 0xc00c to the name, type, class, TTL, rdlength, addr */
static int records(unsigned char *buf, int rcode, uint8_t qtype, const uint8_t *addrs, size_t alen,
		   int n, int rdlen)
{
	static const unsigned char q[] = { 1, 'a', 4,	'e', 'a', 's', 't',
					   5, 'l', 'o', 'c', 'a', 'l', 0 };
	int len = 0, i;

	memcpy(buf,
	       (const unsigned char[]){ 0x12, 0x34, 0x81, (unsigned char)(0x80 | rcode), 0, 1, 0,
					(unsigned char)n, 0, 0, 0, 0 },
	       12);
	len = 12;
	memcpy(buf + len, q, sizeof(q));
	len += (int)sizeof(q);
	memcpy(buf + len, (const unsigned char[]){ 0, qtype, 0, 1 }, 4);
	len += 4;
	for (i = 0; i < n; i++) {
		memcpy(buf + len,
		       (const unsigned char[]){ 0xc0, 0x0c, 0, qtype, 0, 1, 0, 0, 0, 30, 0,
						(unsigned char)rdlen },
		       12);
		len += 12;
		memcpy(buf + len, addrs + (size_t)i * alen, alen);
		len += (int)alen;
	}
	return len;
}

/* Type A (RFC 1035 3.4.1). */
static int answer(unsigned char *buf, int rcode, const uint8_t addrs[][4], int n, int rdlen)
{
	return records(buf, rcode, 1, addrs[0], 4, n, rdlen);
}

static const struct rm_addr want = { RM_AF_INET, { 10, 250, 1, 20 } };

static void test_ok_and_wrong(void **state)
{
	static const uint8_t good[][4] = { { 10, 250, 1, 20 } };
	static const uint8_t stale[][4] = { { 10, 250, 1, 99 }, { 10, 250, 1, 98 } };
	unsigned char buf[512];
	struct dns_verdict v;
	int len;

	(void)state;
	len = answer(buf, 0, good, 1, 4);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_OK);
	assert_string_equal(v.answers, "10.250.1.20");
	assert_null(v.error);

	len = answer(buf, 0, stale, 2, 4);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_WRONG_ANSWER);
	assert_string_equal(v.answers, "10.250.1.99,10.250.1.98");
	assert_string_equal(v.error, "no answer is the address the topology declares");
}

/* The same name answered with AAAA records (RFC 3596 2.2: type 28, rdlength
 * 16), for an IPv6 destination. */
static int answer6(unsigned char *buf, const uint8_t addrs[][16], int n)
{
	return records(buf, 0, 28, addrs[0], 16, n, 16);
}

static void test_aaaa(void **state)
{
	static const struct rm_addr want6 = { RM_AF_INET6,
					      { 0xfd, 0, 0, 0xab, 0, 2, [15] = 0x10 } };
	static const uint8_t good[][16] = { { 0xfd, 0, 0, 0xab, 0, 2, [15] = 0x10 } };
	static const uint8_t stale[][16] = { { 0xfd, 0, 0, 0xab, 0, 2, [15] = 0x99 } };
	static const uint8_t v4[][4] = { { 10, 250, 1, 20 } };
	unsigned char buf[512];
	struct dns_verdict v;
	int len;

	(void)state;
	len = answer6(buf, good, 1);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want6.family, &want6, &v);
	assert_int_equal(v.status, RM_STATUS_OK);
	assert_string_equal(v.answers, "fd00:ab:2::10");
	assert_null(v.error);

	len = answer6(buf, stale, 1);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want6.family, &want6, &v);
	assert_int_equal(v.status, RM_STATUS_WRONG_ANSWER);
	assert_string_equal(v.answers, "fd00:ab:2::99");

	/* An A answer where AAAA was asked holds no IPv6 address. */
	len = answer(buf, 0, v4, 1, 4);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want6.family, &want6, &v);
	assert_int_equal(v.status, RM_STATUS_WRONG_ANSWER);
	assert_string_equal(v.error, "the name exists but has no IPv6 address");
	dns_classify(ARES_ENODATA, NULL, 0, (enum rm_family)want6.family, &want6, &v);
	assert_string_equal(v.error, "the name exists but has no IPv6 address");
}

static void test_statuses(void **state)
{
	struct dns_verdict v;

	(void)state;
	dns_classify(ARES_ENOTFOUND, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_NXDOMAIN);
	dns_classify(ARES_ESERVFAIL, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_SERVFAIL);
	dns_classify(ARES_EREFUSED, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_REFUSED);
	dns_classify(ARES_ETIMEOUT, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_TIMEOUT);
	dns_classify(ARES_ENODATA, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_WRONG_ANSWER);
	dns_classify(ARES_EFORMERR, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_SERVFAIL);
	assert_non_null(v.error);
}

static void test_malformed(void **state)
{
	static const uint8_t good[][4] = { { 10, 250, 1, 20 } };
	unsigned char buf[512];
	struct dns_verdict v;
	int len, i;

	(void)state;
	/* An A record whose rdlength says 8: c-ares refuses it. */
	len = answer(buf, 0, good, 1, 8);
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_SERVFAIL);
	assert_string_equal(v.error, "a malformed answer");
	/* Every truncation of a good answer: a verdict, never a crash. */
	len = answer(buf, 0, good, 1, 4);
	for (i = 0; i < len; i++) {
		dns_classify(ARES_SUCCESS, buf, i, (enum rm_family)want.family, &want, &v);
		assert_true(v.status == RM_STATUS_SERVFAIL || v.status == RM_STATUS_WRONG_ANSWER);
	}
	/* ancount claims 3 records, one is there. */
	len = answer(buf, 0, good, 1, 4);
	buf[7] = 3;
	dns_classify(ARES_SUCCESS, buf, len, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_SERVFAIL);
	dns_classify(ARES_SUCCESS, NULL, 0, (enum rm_family)want.family, &want, &v);
	assert_int_equal(v.status, RM_STATUS_SERVFAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_wrong),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

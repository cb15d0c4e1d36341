/* The responder protocol: round trips and every way a reply can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "probes/responder.h"
#include "reachmap/error.h"

static int parse_str(const char *s, struct resp_msg *m, const char **why)
{
	return resp_parse((const uint8_t *)s, strlen(s), m, why);
}

static void test_round_trips(void **state)
{
	struct resp_msg m;
	struct rm_addr seen;
	const char *why;
	char buf[RESP_MAX_LINE];
	uint8_t dgram[1500];
	size_t len;

	(void)state;
	assert_int_equal(resp_build_who(buf, sizeof(buf), "west-a-0", "west", &len), RM_OK);
	assert_string_equal(buf, "REACHMAP/1 WHO west-a-0 west\n");
	assert_int_equal(resp_parse((uint8_t *)buf, len, &m, &why), RM_OK);
	assert_int_equal(m.kind, RESP_WHO);
	assert_string_equal(m.name, "west-a-0");
	assert_string_equal(m.cluster, "west");

	assert_int_equal(cidr_addr_parse("10.100.0.10", &seen), RM_OK);
	assert_int_equal(
	    resp_build_iam(buf, sizeof(buf), "dc-east-rack1-sts-0", "east", &seen, 40022, &len),
	    RM_OK);
	assert_string_equal(buf, "REACHMAP/1 IAM dc-east-rack1-sts-0 east 10.100.0.10 40022\n");
	assert_int_equal(resp_parse((uint8_t *)buf, len, &m, &why), RM_OK);
	assert_int_equal(m.kind, RESP_IAM);
	assert_string_equal(m.name, "dc-east-rack1-sts-0");
	assert_true(cidr_addr_equal(&m.seen, &seen));
	assert_int_equal(m.seen_port, 40022);

	assert_int_equal(resp_build_mtu(dgram, sizeof(dgram), 9, 1472, &len), RM_OK);
	assert_int_equal(len, 1472);
	assert_int_equal(resp_parse(dgram, len, &m, &why), RM_OK);
	assert_int_equal(m.kind, RESP_MTU);
	assert_int_equal(m.seq, 9);
	assert_int_equal(resp_build_mtu(dgram, 100, 9, 1472, &len), RM_ETRUNC);

	assert_int_equal(resp_build_mtuok(buf, sizeof(buf), 9, 1472, &len), RM_OK);
	assert_int_equal(parse_str(buf, &m, &why), RM_OK);
	assert_int_equal(m.kind, RESP_MTUOK);
	assert_int_equal(m.size, 1472);

	assert_int_equal(parse_str("REACHMAP/1 IAM p c fd00::7 1\n", &m, &why), RM_OK);
	assert_int_equal(m.seen.family, RM_AF_INET6);
	assert_int_equal(resp_build_who(buf, sizeof(buf), "bad name", "west", &len), RM_EINVAL);
	assert_int_equal(resp_build_who(buf, 10, "west-a-0", "west", &len), RM_ETRUNC);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *in;
		const char *why;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\n", "not a REACHMAP/1 line" },
		{ "REACHMAP/2 IAM a b 10.0.0.1 1\n", "not a REACHMAP/1 line" },
		{ "REACHMAP/1 IAM a b 10.0.0.1\n", "unknown message or wrong number of fields" },
		{ "REACHMAP/1 IAM a b 10.0.0.1 1 extra\n",
		  "unknown message or wrong number of fields" },
		{ "REACHMAP/1 IAM a  b 10.0.0.1 1\n", "empty or badly spaced line" },
		{ "REACHMAP/1 IAM a b 10.0.0.1 1 \n", "empty or badly spaced line" },
		{ "REACHMAP/1 IAM a b 10.0.0.300 1\n", "the seen address is not an IP address" },
		{ "REACHMAP/1 IAM a b 10.0.0.1 65536\n", "the seen port is not a port number" },
		{ "REACHMAP/1 IAM a b 10.0.0.1 -1\n", "the seen port is not a port number" },
		{ "REACHMAP/1 IAM a<b c 10.0.0.1 1\n", "a name is not 1-253 of [A-Za-z0-9._-]" },
		{ "REACHMAP/1 IAM a b 10.0.0.1 1\nmore", "bytes after the end of the line" },
		{ "REACHMAP/1 MTU x\n", "the sequence is not a number" },
		{ "REACHMAP/1 MTUOK 1 99999\n", "the sequence or size is not a number" },
		{ "REACHMAP/1 \n", "empty or badly spaced line" },
		{ "REACHMAP/1 HELLO\n", "unknown message or wrong number of fields" },
	};
	struct resp_msg m;
	const char *why;
	char big[700];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_str(cases[i].in, &m, &why);

		if (rc != RM_EPARSE || why == NULL || strcmp(why, cases[i].why) != 0)
			fail_msg("\"%s\": rc %d why \"%s\", want \"%s\"", cases[i].in, rc,
				 why ? why : "(null)", cases[i].why);
	}
	/* A NUL inside the line. */
	assert_int_equal(resp_parse((const uint8_t *)"REACHMAP/1 WHO a\0b c\n", 21, &m, &why),
			 RM_EPARSE);
	/* No newline yet: wait for more; 600 bytes without one: give up. */
	assert_int_equal(parse_str("REACHMAP/1 IAM a b", &m, &why), RM_ETRUNC);
	memset(big, 'A', sizeof(big));
	assert_int_equal(resp_parse((uint8_t *)big, sizeof(big), &m, &why), RM_EPARSE);
	assert_string_equal(why, "no end of line within 600 bytes");
	/* A 253-character name is fine, 254 is not. */
	{
		char line[RESP_MAX_LINE];
		char name[256];

		memset(name, 'n', 254);
		name[253] = '\0';
		snprintf(line, sizeof(line), "REACHMAP/1 WHO %s c\n", name);
		assert_int_equal(parse_str(line, &m, &why), RM_OK);
		name[253] = 'n';
		name[254] = '\0';
		snprintf(line, sizeof(line), "REACHMAP/1 WHO %s c\n", name);
		assert_int_equal(parse_str(line, &m, &why), RM_EPARSE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The status words of DESIGN.md's table, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/error.h"
#include "reachmap/results.h"

/* DESIGN.md, "Checks and their statuses", as text. */
static const struct {
	const char *check;
	const char *words;
} table[] = {
	{ "icmp", "ok loss unreachable rejected timeout" },
	{ "tcp", "open refused filtered rejected unreachable no-route" },
	{ "dns", "ok nxdomain servfail refused timeout wrong-answer" },
	{ "identity", "ok mismatch no-responder" },
	{ "nat", "none snat" },
	{ "mtu", "ok fragmentation-needed blackhole" },
	{ "cql", "ok not-cql closed" },
	{ "path", "ok unreachable timeout" },
};

static int listed(const char *words, const char *w)
{
	char buf[128];
	char *tok, *save = NULL;

	strcpy(buf, words);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (strcmp(tok, w) == 0)
			return 1;
	return 0;
}

static void test_table(void **state)
{
	size_t i;
	int s;

	(void)state;
	assert_int_equal(sizeof(table) / sizeof(table[0]), RM_CHECK_COUNT);
	for (i = 0; i < RM_CHECK_COUNT; i++) {
		enum rm_check c;

		assert_int_equal(rm_check_parse(table[i].check, &c), RM_OK);
		assert_string_equal(rm_check_name(c), table[i].check);
		for (s = 0; s < RM_STATUS_COUNT; s++) {
			const char *w = rm_status_name((enum rm_check_status)s);

			if (rm_status_valid(c, (enum rm_check_status)s) !=
			    listed(table[i].words, w))
				fail_msg("%s: status %s is %s by the code but %s by DESIGN.md",
					 table[i].check, w,
					 rm_status_valid(c, (enum rm_check_status)s) ? "valid"
										     : "invalid",
					 listed(table[i].words, w) ? "listed" : "not listed");
		}
	}
}

static void test_words(void **state)
{
	enum rm_check_status st;
	enum rm_check c;
	int s;

	(void)state;
	for (s = 0; s < RM_STATUS_COUNT; s++) {
		assert_int_equal(rm_status_parse(rm_status_name((enum rm_check_status)s), &st),
				 RM_OK);
		assert_int_equal(st, s);
	}
	assert_int_equal(rm_status_parse("fragmentation-needed", &st), RM_OK);
	assert_int_equal(st, RM_STATUS_FRAGMENTATION_NEEDED);
	assert_int_equal(rm_status_parse("Open", &st), RM_ENOTFOUND);
	assert_int_equal(rm_check_parse("udp", &c), RM_ENOTFOUND);
	assert_string_equal(rm_status_name(RM_STATUS_COUNT), "unknown");
	assert_string_equal(rm_check_name((enum rm_check)99), "unknown");
}

static void test_healthy(void **state)
{
	(void)state;
	assert_true(rm_status_healthy(RM_CHECK_TCP, RM_STATUS_OPEN));
	assert_false(rm_status_healthy(RM_CHECK_TCP, RM_STATUS_FILTERED));
	assert_false(rm_status_healthy(RM_CHECK_TCP, RM_STATUS_OK)); /* not a tcp word */
	assert_true(rm_status_healthy(RM_CHECK_NAT, RM_STATUS_NONE));
	assert_false(rm_status_healthy(RM_CHECK_NAT, RM_STATUS_SNAT));
	assert_true(rm_status_healthy(RM_CHECK_MTU, RM_STATUS_FRAGMENTATION_NEEDED));
	assert_false(rm_status_healthy(RM_CHECK_MTU, RM_STATUS_BLACKHOLE));
	assert_false(rm_status_healthy(RM_CHECK_ICMP, RM_STATUS_LOSS));
	assert_true(rm_status_healthy(RM_CHECK_CQL, RM_STATUS_OK));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_healthy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* What the agent reads of GET /v1/peers (agent/peers.c): each registered
 * peer's name, cluster and first address; entries without them left out;
 * with several collectors the newest registration wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent/peers.h"
#include "reachmap/error.h"

static const char one[] =
    "{\"schema\": \"reachmap.peers/v1\", \"peers\": ["
    "{\"name\": \"east-b-0\", \"cluster\": \"east\", \"addresses\": [\"10.250.1.10\", "
    "\"fd00::1\"], \"registered\": \"2026-12-02T06:59:12Z\", \"lastReport\": null},"
    "{\"name\": \"west-a-0\", \"cluster\": \"west\", \"addresses\": [], "
    "\"registered\": \"2026-12-02T06:59:12Z\", \"lastReport\": null},"
    "{\"name\": \"west-b-0\", \"cluster\": \"west\", \"addresses\": [\"not an address\"]},"
    "{\"cluster\": \"west\", \"addresses\": [\"10.200.1.1\"]},"
    "{\"name\": \"west-c-0\", \"cluster\": \"west\", \"addresses\": [\"10.200.3.3\"], "
    "\"registered\": \"2026-12-02T07:00:00Z\", \"lastReport\": \"2026-12-02T07:00:01Z\"}]}";

static const char two[] =
    "{\"schema\": \"reachmap.peers/v1\", \"peers\": ["
    "{\"name\": \"east-b-0\", \"cluster\": \"east\", \"addresses\": [\"10.250.9.9\"], "
    "\"registered\": \"2026-12-02T07:30:00Z\"},"
    "{\"name\": \"west-c-0\", \"cluster\": \"west\", \"addresses\": [\"10.200.8.8\"], "
    "\"registered\": \"2026-12-02T06:00:00Z\"}]}";

static void test_parse(void **state)
{
	struct agent_peers l;
	struct rm_diag d;
	char buf[RM_ADDR_STRLEN];

	(void)state;
	peers_init(&l);
	assert_int_equal(peers_parse(one, sizeof(one) - 1, 100, &l, &d), RM_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "east-b-0");
	assert_string_equal(l.v[0].cluster, "east");
	assert_string_equal(cidr_addr_format(&l.v[0].addr, buf, sizeof(buf)), "10.250.1.10");
	assert_string_equal(l.v[1].name, "west-c-0");
	/* Read again: the list is replaced, not appended to. */
	assert_int_equal(peers_parse(one, sizeof(one) - 1, 1, &l, &d), RM_OK);
	assert_int_equal(l.n, 1);
	peers_free(&l);
}

static void test_merge_newest_wins(void **state)
{
	struct agent_peers a, b, all;
	struct rm_diag d;
	char buf[RM_ADDR_STRLEN];

	(void)state;
	peers_init(&a);
	peers_init(&b);
	peers_init(&all);
	assert_int_equal(peers_parse(one, sizeof(one) - 1, 100, &a, &d), RM_OK);
	assert_int_equal(peers_parse(two, sizeof(two) - 1, 100, &b, &d), RM_OK);
	assert_int_equal(peers_merge(&all, &a), RM_OK);
	assert_int_equal(peers_merge(&all, &b), RM_OK);
	assert_int_equal(all.n, 2);
	/* east-b-0 registered again later at the second collector: its new
	 * address; west-c-0's second entry is older: the first stays. */
	assert_string_equal(cidr_addr_format(&all.v[0].addr, buf, sizeof(buf)), "10.250.9.9");
	assert_string_equal(cidr_addr_format(&all.v[1].addr, buf, sizeof(buf)), "10.200.3.3");
	peers_free(&a);
	peers_free(&b);
	peers_free(&all);
}

static void test_not_peers(void **state)
{
	struct agent_peers l;
	struct rm_diag d;

	(void)state;
	peers_init(&l);
	rm_diag_clear(&d);
	assert_int_equal(peers_parse("<html>", 6, 100, &l, &d), RM_EPARSE);
	assert_string_equal(d.error, "peers: not a JSON object");
	rm_diag_clear(&d);
	assert_int_equal(peers_parse("{\"schema\": \"reachmap.report/v1\"}", 32, 100, &l, &d),
			 RM_EPARSE);
	assert_string_equal(d.error, "peers: not a reachmap.peers/v1 document");
	assert_int_equal(l.n, 0);
	peers_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_merge_newest_wins),
		cmocka_unit_test(test_not_peers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The one table of reserved ranges: each row's written-out prefix is its
 * CIDR text, and the flags say what the engine and `plan` read from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reachmap/error.h"
#include "reachmap/reserved.h"

static void test_rows_match_their_text(void **state)
{
	size_t n, i;
	const struct rm_reserved *t = rm_reserved_table(&n);

	(void)state;
	assert_int_equal(n, 11);
	for (i = 0; i < n; i++) {
		struct rm_prefix p;
		bool host_bits = true;

		assert_int_equal(cidr_parse(t[i].cidr, &p, &host_bits, NULL), RM_OK);
		assert_false(host_bits);
		assert_int_equal(p.len, t[i].prefix.len);
		assert_memory_equal(&p.addr, &t[i].prefix.addr, sizeof(p.addr));
		/* Every row is for someone, and `plan` says how bad it is. */
		assert_true(t[i].flags & (RM_RESERVED_PLAN_ERROR | RM_RESERVED_PLAN_WARN));
		assert_non_null(t[i].what);
	}
}

static const struct rm_reserved *find(const char *addr, unsigned flags)
{
	struct rm_addr a;

	assert_int_equal(cidr_addr_parse(addr, &a), RM_OK);
	return rm_reserved_find(&a, flags);
}

static void test_find_by_flag(void **state)
{
	const struct rm_reserved *r;

	(void)state;
	/* Loopback is found by its flag, in both families. */
	r = find("127.0.0.1", RM_RESERVED_NEVER_PROBE);
	assert_non_null(r);
	assert_string_equal(r->cidr, "127.0.0.0/8");
	assert_true(r->flags & RM_RESERVED_LOOPBACK);
	r = find("::1", RM_RESERVED_NEVER_PROBE);
	assert_non_null(r);
	assert_true(r->flags & RM_RESERVED_LOOPBACK);
	/* Never probed, not loopback. */
	for (const char *const *a =
		 (const char *const[]){ "0.1.2.3", "169.254.1.1", "224.0.0.1", "255.255.255.255",
					"::", "fe80::1", "ff02::1", NULL };
	     *a != NULL; a++) {
		r = find(*a, RM_RESERVED_NEVER_PROBE);
		assert_non_null(r);
		assert_false(r->flags & RM_RESERVED_LOOPBACK);
	}
	/* Only `plan` warns about these; the engine may probe them. */
	assert_null(find("100.64.0.1", RM_RESERVED_NEVER_PROBE));
	assert_null(find("172.17.0.1", RM_RESERVED_NEVER_PROBE));
	r = find("172.17.0.1", RM_RESERVED_PLAN_WARN);
	assert_non_null(r);
	assert_string_equal(r->cidr, "172.17.0.0/16");
	assert_null(find("10.200.1.10", ~0u));
	assert_null(find("fd00::1", ~0u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_match_their_text),
		cmocka_unit_test(test_find_by_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

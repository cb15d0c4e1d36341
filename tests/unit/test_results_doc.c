/* reachmap.results/v1: what probe writes, read back field for field, and
 * written again byte for byte; and every way a document can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/results.h"
#include "reachmap/rounds_doc.h"
#include "reachmap/timefmt.h"

static char *write_doc(const struct rm_results_doc *doc, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(results_doc_write_json(doc, f), RM_OK);
	fclose(f);
	return buf;
}

static void test_round_trip(void **state)
{
	struct rm_results_doc a, b;
	struct rm_result *r;
	struct rm_arrival *ar;
	static const struct rm_hop hops[2] = { { 1, { RM_AF_INET, { 10, 200, 1, 1 } } },
					       { 2, { RM_AF_NONE, { 0 } } } };
	struct rm_diag diag;
	char *t1, *t2;
	size_t l1, l2;

	(void)state;
	assert_int_equal(results_doc_init(&a), RM_OK);
	a.probe = "west-a-0";
	a.cluster = "west";
	a.zone = "us-west1-a";
	a.mode = "raw";
	strcpy(a.started, "2026-11-24T10:00:00Z");
	strcpy(a.finished, "2026-11-24T10:00:01Z");
	r = results_doc_add(&a);
	r->target = "dc-east-rack1-sts-0";
	r->target_cluster = "east";
	cidr_addr_parse("10.250.1.20", &r->address);
	r->check = RM_CHECK_TCP;
	r->port = 7199;
	r->status = RM_STATUS_REJECTED;
	r->icmp_type = 3;
	r->icmp_code = 13;
	cidr_addr_parse("10.100.0.1", &r->icmp_from);
	r = results_doc_add(&a);
	r->target = "dc-east-rack1-sts-0";
	r->target_cluster = "east";
	cidr_addr_parse("10.250.1.20", &r->address);
	r->check = RM_CHECK_PATH;
	r->port = 7199;
	r->status = RM_STATUS_TIMEOUT;
	r->hops = hops;
	r->nhops = 2;
	r->last_hop = hops[0].addr;
	r = results_doc_add(&a);
	r->target = "east-b-0";
	r->target_cluster = "east";
	cidr_addr_parse("10.250.1.10", &r->address);
	r->check = RM_CHECK_NAT;
	r->status = RM_STATUS_SNAT;
	r->rtt_ms = 0.125;
	cidr_addr_parse("10.100.0.10", &r->seen);
	cidr_addr_parse("10.200.1.10", &r->local);
	ar = results_doc_add_arrival(&a);
	cidr_addr_parse("10.250.1.10", &ar->from);
	ar->probe = "east-b-0";
	ar->protocol = "tcp";
	ar->port = 7000;
	ar->count = 3;
	strcpy(ar->first, "2026-11-24T10:00:00Z");
	strcpy(ar->last, "2026-11-24T10:00:01Z");
	assert_int_equal(results_doc_add_note(&a, "icmp is not run over IPv6"), RM_OK);

	t1 = write_doc(&a, &l1);
	assert_int_equal(results_doc_init(&b), RM_OK);
	assert_int_equal(results_doc_read("a.json", t1, l1, &b, &diag), RM_OK);
	assert_string_equal(b.probe, "west-a-0");
	assert_string_equal(b.mode, "raw");
	assert_string_equal(b.finished, "2026-11-24T10:00:01Z");
	assert_int_equal(b.nresults, 3);
	assert_int_equal(b.results[0].status, RM_STATUS_REJECTED);
	assert_int_equal(b.results[0].icmp_code, 13);
	assert_int_equal(b.results[0].port, 7199);
	assert_true(cidr_addr_equal(&b.results[0].icmp_from, &a.results[0].icmp_from));
	assert_int_equal(b.results[1].nhops, 2);
	assert_int_equal(b.results[1].hops[1].addr.family, RM_AF_NONE);
	assert_int_equal(b.results[2].status, RM_STATUS_SNAT);
	assert_true(b.results[2].rtt_ms == 0.125);
	assert_int_equal(b.narrivals, 1);
	assert_string_equal(b.arrivals[0].probe, "east-b-0");
	assert_int_equal(b.arrivals[0].count, 3);
	assert_int_equal(b.nnotes, 1);
	assert_string_equal(b.notes[0], "icmp is not run over IPv6");
	/* Written again: the same bytes (the facts are not read back, and
	 * were empty). */
	t2 = write_doc(&b, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(t1, t2, l1);
	free(t1);
	free(t2);
	results_doc_free(&a);
	results_doc_free(&b);
}

static void expect_error(const char *text, const char *want)
{
	struct rm_results_doc d;
	struct rm_diag diag;

	assert_int_equal(results_doc_init(&d), RM_OK);
	assert_int_equal(results_doc_read("r.json", text, strlen(text), &d, &diag), RM_EPARSE);
	assert_string_equal(diag.error, want);
	results_doc_free(&d);
}

#define HEAD                                                                                       \
	"{\"schema\": \"reachmap.results/v1\", \"probe\": {\"name\": \"p\", \"cluster\": \"c\"}, "
#define RES(x)                                                                                     \
	HEAD "\"results\": [{\"target\": \"t\", \"targetCluster\": \"c\", \"address\": "           \
	     "\"10.0.0.1\", " x "}]}"

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"schema\": ", "r.json: not JSON (at byte 10)");
	expect_error("[1]", "r.json: not a JSON object");
	expect_error("{\"schema\": \"reachmap.report/v1\"}",
		     "r.json: schema \"reachmap.report/v1\" is not reachmap.results/v1");
	expect_error("{\"schema\": \"reachmap.results/v1\"}",
		     "r.json: probe: missing or not an object");
	expect_error(RES("\"check\": \"tcp\", \"status\": \"maybe\""),
		     "r.json: results[0]: \"maybe\" is not a tcp status");
	expect_error(RES("\"check\": \"tcp\", \"status\": \"ok\""),
		     "r.json: results[0]: \"ok\" is not a tcp status");
	expect_error(RES("\"check\": \"udp\", \"status\": \"ok\""),
		     "r.json: results[0]: \"udp\" is not a check");
	expect_error(RES("\"check\": \"tcp\", \"status\": \"open\", \"port\": 70000"),
		     "r.json: results[0]: \"port\" must be a number from 1 to 65535");
	expect_error(RES("\"check\": \"tcp\", \"status\": \"open\", \"port\": 7.5"),
		     "r.json: results[0]: \"port\" must be a whole number");
	expect_error(
	    RES("\"check\": \"icmp\", \"status\": \"ok\", \"detail\": {\"icmpFrom\": \"x\"}"),
	    "r.json: results[0]: \"icmpFrom\" must be an IP address");
	expect_error(HEAD "\"results\": [{\"targetCluster\": \"c\"}]}",
		     "r.json: results[0]: missing \"target\"");
	expect_error(HEAD
		     "\"arrivals\": [{\"from\": \"10.0.0.1\", \"protocol\": \"sctp\", \"port\": 1, "
		     "\"count\": 1}]}",
		     "r.json: arrivals[0]: \"sctp\" is not a protocol (tcp, udp, icmp)");
	expect_error(HEAD "\"results\": 3}", "r.json: \"results\" must be a list");
	expect_error(HEAD "\"notes\": \"x\"}", "r.json: \"notes\" must be a list");
	expect_error(HEAD "\"notes\": [\"a\", 3]}", "r.json: notes[1]: must be a string");
	/* a collector keeps the bytes of what it read, and hands them on */
	expect_error(HEAD "\"notes\": []} {\"x\": 1}",
		     "r.json: data after the JSON document (at byte 87)");
	/* Only a dns result may lack its address (a destination known by its
	 * dnsName alone, which did not resolve). */
	expect_error(HEAD "\"results\": [{\"target\": \"t\", \"targetCluster\": \"c\", "
			  "\"check\": \"tcp\", \"port\": 7000, \"status\": \"open\"}]}",
		     "r.json: results[0]: missing \"address\"");
}

/* "lost": the rounds an agent's full spool dropped, said by its next push:
 * written only when there are some, read back, checked like any number. */
static void test_lost(void **state)
{
	struct rm_results_doc a, b;
	struct rm_diag diag;
	char *t;
	size_t l;

	(void)state;
	assert_int_equal(results_doc_init(&a), RM_OK);
	a.probe = "west-a-0";
	a.cluster = "west";
	strcpy(a.started, "2026-11-24T10:00:00Z");
	t = write_doc(&a, &l);
	assert_null(strstr(t, "\"lost\""));
	free(t);
	a.lost = 7;
	t = write_doc(&a, &l);
	assert_non_null(strstr(t, "\"lost\": 7,"));
	assert_int_equal(results_doc_init(&b), RM_OK);
	assert_int_equal(results_doc_read("r.json", t, l, &b, &diag), RM_OK);
	assert_int_equal(b.lost, 7);
	free(t);
	results_doc_free(&a);
	results_doc_free(&b);
	expect_error(HEAD "\"lost\": -1}", "r.json: \"lost\" must be a number from 0 to 1e+09");
	expect_error(HEAD "\"lost\": 2.5}", "r.json: \"lost\" must be a whole number");
	expect_error(HEAD "\"lost\": \"3\"}", "r.json: \"lost\" must be a number from 0 to 1e+09");
}

/* "arrivalsBy": a serve document whose end could not capture says
 * "accept"; written only then, read back, anything but the two words
 * refused by name. */
static void test_arrivals_by(void **state)
{
	struct rm_results_doc a, b;
	struct rm_diag diag;
	char *t;
	size_t l;

	(void)state;
	assert_int_equal(results_doc_init(&a), RM_OK);
	a.probe = "dc-west-rack1-sts-0";
	a.cluster = "west";
	strcpy(a.started, "2026-11-24T10:00:00Z");
	t = write_doc(&a, &l);
	assert_null(strstr(t, "arrivalsBy"));
	free(t);
	a.accepts_only = true;
	t = write_doc(&a, &l);
	assert_non_null(strstr(t, "\"arrivalsBy\": \"accept\","));
	assert_int_equal(results_doc_init(&b), RM_OK);
	assert_int_equal(results_doc_read("r.json", t, l, &b, &diag), RM_OK);
	assert_true(b.accepts_only);
	free(t);
	results_doc_free(&a);
	results_doc_free(&b);
	expect_error(HEAD "\"arrivalsBy\": \"pcap\"}",
		     "r.json: \"arrivalsBy\" must be \"capture\" or \"accept\"");
	expect_error(HEAD "\"arrivalsBy\": true}",
		     "r.json: \"arrivalsBy\" must be \"capture\" or \"accept\"");
}

static void test_dns_without_address(void **state)
{
	static const char text[] =
	    HEAD "\"results\": [{\"target\": \"t\", \"targetCluster\": \"c\", \"check\": "
		 "\"dns\", \"status\": \"nxdomain\", \"detail\": {\"name\": \"t.c.local\", "
		 "\"server\": \"10.96.0.10\"}}]}";
	struct rm_results_doc d;
	struct rm_diag diag;

	(void)state;
	assert_int_equal(results_doc_init(&d), RM_OK);
	assert_int_equal(results_doc_read("r.json", text, strlen(text), &d, &diag), RM_OK);
	assert_int_equal(d.nresults, 1);
	assert_int_equal(d.results[0].check, RM_CHECK_DNS);
	assert_int_equal(d.results[0].status, RM_STATUS_NXDOMAIN);
	assert_false(cidr_addr_is_set(&d.results[0].address));
	results_doc_free(&d);
}

#define DOC(name, mode)                                                                            \
	"{\"schema\": \"reachmap.results/v1\", \"probe\": {\"name\": \"" name "\", \"cluster\": "  \
	"\"c\"}, " mode "\"started\": \"2026-11-24T11:12:51Z\", \"finished\": "                    \
	"\"2026-11-24T11:12:53Z\", \"results\": [], \"arrivals\": []}"

static void expect_rounds_error(const char *text, const char *want)
{
	struct rm_rounds_doc r;
	struct rm_diag diag;

	assert_int_equal(rounds_doc_read("c/v1/rounds", text, strlen(text), &r, &diag), RM_EPARSE);
	assert_string_equal(diag.error, want);
	assert_int_equal(r.ndocs, 0);
}

/* reachmap.rounds/v1: the envelope walked, each document read whole by
 * the results reader, every error placed. */
static void test_rounds(void **state)
{
	const char *text = "{\"schema\": \"reachmap.rounds/v1\", \"collectorStarted\": "
			   "\"2026-11-24T11:00:00Z\", \"future\": {\"a\": [1, \"]\\\"\", null]}, "
			   "\"generated\": \"2026-11-24T11:13:00Z\", \"rounds\": [\n" DOC(
			       "p", "\"mode\": \"raw\", ") ",\n" DOC("q", "") "\n]}\n";
	struct rm_rounds_doc r;
	struct rm_diag diag;
	unsigned long n, i;
	int rc;

	(void)state;
	assert_int_equal(rounds_doc_read("c/v1/rounds", text, strlen(text), &r, &diag), RM_OK);
	assert_string_equal(r.collector_started, "2026-11-24T11:00:00Z");
	assert_string_equal(r.generated, "2026-11-24T11:13:00Z");
	assert_int_equal(r.ndocs, 2);
	assert_string_equal(r.docs[0]->probe, "p");
	assert_string_equal(r.docs[0]->mode, "raw");
	assert_string_equal(r.docs[0]->finished, "2026-11-24T11:12:53Z");
	assert_string_equal(r.docs[1]->probe, "q");
	assert_null(r.docs[1]->mode);
	rounds_doc_free(&r);
	/* each allocation failing in turn: a status, nothing leaked */
	rm_alloc_fail_at(0);
	assert_int_equal(rounds_doc_read("c/v1/rounds", text, strlen(text), &r, &diag), RM_OK);
	rounds_doc_free(&r);
	n = rm_alloc_fail_at(0);
	for (i = 1; i <= n; i++) {
		rm_alloc_fail_at(i);
		rc = rounds_doc_read("c/v1/rounds", text, strlen(text), &r, &diag);
		rm_alloc_fail_at(0);
		assert_true(rc == RM_OK || rc == RM_ENOMEM || rc == RM_EPARSE);
		assert_true(rc == RM_OK || r.ndocs == 0);
		rounds_doc_free(&r);
	}
	text = "{\"schema\": \"reachmap.rounds/v1\", \"rounds\": []}";
	assert_int_equal(rounds_doc_read("c/v1/rounds", text, strlen(text), &r, &diag), RM_OK);
	assert_int_equal(r.ndocs, 0);
	rounds_doc_free(&r);
	expect_rounds_error("[]", "c/v1/rounds: at byte 0: want a JSON object");
	expect_rounds_error("{\"schema\": \"reachmap.report/v1\", \"rounds\": []}",
			    "c/v1/rounds: at byte 31: schema \"reachmap.report/v1\" is not "
			    "reachmap.rounds/v1");
	expect_rounds_error("{\"rounds\": []}",
			    "c/v1/rounds: at byte 14: no \"schema\": not a reachmap.rounds/v1 "
			    "document");
	expect_rounds_error("{\"schema\": \"reachmap.rounds/v1\", \"rounds\": [" DOC("p", "") "",
			    "c/v1/rounds: at byte 219: rounds: want ',' or ']'");
	expect_rounds_error("{\"schema\": \"reachmap.rounds/v1\", \"rounds\": [{\"schema\": \"x",
			    "c/v1/rounds: at byte 57: the text ends inside a string");
	expect_rounds_error("{\"schema\": \"reachmap.rounds/v1\", \"rounds\": [" DOC(
				"p", "") ", {\"schema\": "
					 "\"reachmap.results/v1\"}]}",
			    "c/v1/rounds: rounds[1]: probe: missing or not an object");
	expect_rounds_error("{\"schema\": \"reachmap.rounds/v1\", \"rounds\": []} x",
			    "c/v1/rounds: at byte 47: data after the JSON document");
	expect_rounds_error("{\"schema\": \"reachmap.rounds/v1\", \"generated\": \"soon\\n\", "
			    "\"rounds\": []}",
			    "c/v1/rounds: at byte 54: generated: not a time such as "
			    "2026-11-24T11:12:51Z");
}

/* A file is read, parsed and named in every message by one call. */
static void test_load(void **state)
{
	char path[] = "/tmp/reachmap-test-results-XXXXXX";
	const char *text = HEAD "\"results\": 3}";
	struct rm_results_doc d;
	struct rm_diag diag;
	int fd;

	(void)state;
	assert_int_equal(results_doc_init(&d), RM_OK);
	assert_int_equal(results_doc_load("/nonexistent/r.json", &d, &diag), RM_EIO);
	assert_string_equal(diag.error,
			    "/nonexistent/r.json: cannot read: No such file or directory");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(results_doc_load(path, &d, &diag), RM_EPARSE);
	assert_non_null(strstr(diag.error, ": \"results\" must be a list"));
	assert_memory_equal(diag.error, path, strlen(path));
	unlink(path);
	results_doc_free(&d);
}

/* The documents' time, read back: the one way it is written, a fraction
 * dropped, anything else refused. */
static void test_time_parse(void **state)
{
	char buf[RM_TIME_STRLEN];

	(void)state;
	assert_int_equal(rm_time_parse_ms("2026-11-24T11:12:51Z"), 1795518771000LL);
	assert_int_equal(rm_time_parse_ms("2026-11-24T11:12:51.250Z"), 1795518771000LL);
	assert_string_equal(rm_time_format(1795518771, buf, sizeof(buf)), "2026-11-24T11:12:51Z");
	assert_int_equal(rm_time_parse_ms("2026-11-24T11:12:51+01:00"), -1);
	assert_int_equal(rm_time_parse_ms("2026-11-24 11:12:51Z"), -1);
	assert_int_equal(rm_time_parse_ms("garbage"), -1);
	assert_int_equal(rm_time_parse_ms(""), -1);
	assert_int_equal(rm_time_parse_ms(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_errors),	    cmocka_unit_test(test_dns_without_address),
		cmocka_unit_test(test_load),	    cmocka_unit_test(test_lost),
		cmocka_unit_test(test_arrivals_by), cmocka_unit_test(test_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The CQL codec against byte fixtures written from the protocol v4
 * specification (doc/native_protocol_v4.spec, sections 2, 3, 4.2.1, 4.2.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes/cql.h"
#include "reachmap/error.h"

/* SUPPORTED, stream 1, body: a [string multimap] of 2 entries,
 * CQL_VERSION: ["3.4.5"], COMPRESSION: ["snappy", "lz4"]. */
static const uint8_t supported[] = {
	0x84, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00, 0x34, /* header, length 52 */
	0x00, 0x02,					      /* 2 entries */
	0x00, 0x0b, 'C',  'Q',	'L',  '_',  'V',  'E',	'R',  'S', 'I',	 'O',  'N', /* key */
	0x00, 0x01, 0x00, 0x05, '3',  '.',  '4',  '.',	'5',			    /* ["3.4.5"] */
	0x00, 0x0b, 'C',  'O',	'M',  'P',  'R',  'E',	'S',  'S', 'I',	 'O',  'N', /* key */
	0x00, 0x02, 0x00, 0x06, 's',  'n',  'a',  'p',	'p',  'y', 0x00, 0x03, 'l', 'z', '4',
};

/* ERROR, code 0x000A (protocol error), message "Invalid or unsupported
 * protocol version (5)" cut to "bad version". */
static const uint8_t error_frame[] = {
	0x84, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x0b, 'b',  'a',	'd',  ' ',  'v',  'e',	'r',  's',  'i',  'o',	'n',
};

static void test_options(void **state)
{
	static const uint8_t want[] = { 0x04, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00 };
	uint8_t buf[16];
	size_t len;

	(void)state;
	assert_int_equal(cql_build_options(buf, sizeof(buf), 1, &len), RM_OK);
	assert_int_equal(len, 9);
	assert_memory_equal(buf, want, 9);
	assert_int_equal(cql_build_options(buf, 8, 1, &len), RM_ETRUNC);
}

static void test_supported(void **state)
{
	struct cql_answer a;

	(void)state;
	assert_int_equal(sizeof(supported), 9 + 52);
	cql_classify(supported, sizeof(supported), &a);
	assert_int_equal(a.verdict, CQL_SUPPORTED);
	assert_int_equal(a.header.version, 0x84);
	assert_int_equal(a.header.stream, 1);
	assert_string_equal(a.supported.cql_version, "3.4.5");
	assert_string_equal(a.supported.compression, "snappy,lz4");
	assert_string_equal(a.supported.protocol_versions, "");
}

static void test_error_frame(void **state)
{
	struct cql_answer a;

	(void)state;
	cql_classify(error_frame, sizeof(error_frame), &a);
	assert_int_equal(a.verdict, CQL_ERROR_FRAME);
	assert_int_equal(a.error_code, 0x0a);
	assert_string_equal(a.error_message, "bad version");
}

static void test_partial(void **state)
{
	struct cql_answer a;
	size_t i;

	(void)state;
	/* Every prefix of a good frame asks for more, never judges. */
	for (i = 0; i < sizeof(supported); i++) {
		cql_classify(supported, i, &a);
		assert_int_equal(a.verdict, CQL_NEED_MORE);
	}
}

static void test_not_cql(void **state)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	uint8_t frame[sizeof(supported)];
	struct cql_answer a;

	(void)state;
	cql_classify((const uint8_t *)http, strlen(http), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);
	assert_string_equal(a.why, "the first byte is not a CQL v3-v5 response version");
	/* Judged on the first byte already. */
	cql_classify((const uint8_t *)http, 1, &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);

	/* A lying length: 4 GiB of body. */
	memcpy(frame, supported, sizeof(frame));
	frame[5] = frame[6] = frame[7] = frame[8] = 0xff;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);
	assert_string_equal(a.why, "a frame body over 64 KiB in answer to OPTIONS");

	/* A multimap that claims 3 entries and has 2. */
	memcpy(frame, supported, sizeof(frame));
	frame[10] = 3;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);
	assert_string_equal(a.why, "a SUPPORTED frame whose body is not a string multimap");

	/* A string that runs past the body. */
	memcpy(frame, supported, sizeof(frame));
	frame[12] = 0x40;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);

	/* A request where a response is due. */
	memcpy(frame, supported, sizeof(frame));
	frame[0] = 0x04;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);
	assert_string_equal(a.why, "a request frame where a response was due");

	/* Protocol version 2 is not spoken by reachmap's peers. */
	memcpy(frame, supported, sizeof(frame));
	frame[0] = 0x82;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);

	/* An ERROR frame too short for its code. */
	cql_classify((const uint8_t[]){ 0x84, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0 }, 11, &a);
	assert_int_equal(a.verdict, CQL_NOT_CQL);
}

static void test_other_and_v5(void **state)
{
	static const uint8_t ready[] = { 0x84, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00 };
	uint8_t frame[sizeof(supported)];
	struct cql_answer a;

	(void)state;
	cql_classify(ready, sizeof(ready), &a);
	assert_int_equal(a.verdict, CQL_OTHER_FRAME);
	memcpy(frame, supported, sizeof(frame));
	frame[0] = 0x85;
	cql_classify(frame, sizeof(frame), &a);
	assert_int_equal(a.verdict, CQL_SUPPORTED);
}

static void test_stand_in_round_trip(void **state)
{
	struct cql_supported s = { "3.4.5", "lz4,snappy", "3/v3,4/v4,5/v5-beta" };
	uint8_t buf[512];
	struct cql_answer a;
	size_t len;

	(void)state;
	assert_int_equal(cql_build_supported(buf, sizeof(buf), 7, &s, &len), RM_OK);
	cql_classify(buf, len, &a);
	assert_int_equal(a.verdict, CQL_SUPPORTED);
	assert_int_equal(a.header.stream, 7);
	assert_string_equal(a.supported.cql_version, "3.4.5");
	assert_string_equal(a.supported.compression, "lz4,snappy");
	assert_string_equal(a.supported.protocol_versions, "3/v3,4/v4,5/v5-beta");
	assert_int_equal(cql_build_supported(buf, 20, 7, &s, &len), RM_ETRUNC);
	assert_int_equal(cql_build_ready(buf, sizeof(buf), 3, &len), RM_OK);
	cql_classify(buf, len, &a);
	assert_int_equal(a.verdict, CQL_OTHER_FRAME);
	assert_int_equal(a.header.opcode, CQL_OP_READY);
	assert_int_equal(cql_build_error(buf, sizeof(buf), 3, 0x0a, "bad version", &len), RM_OK);
	assert_int_equal(len, sizeof(error_frame));
	buf[2] = 0, buf[3] = 1;
	assert_memory_equal(buf, error_frame, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_supported),
		cmocka_unit_test(test_error_frame),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_not_cql),
		cmocka_unit_test(test_other_and_v5),
		cmocka_unit_test(test_stand_in_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

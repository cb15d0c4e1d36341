/* rm_file_read: the one reader of input files (topologies, results
 * documents, reports). */
#include <errno.h>
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
#include "reachmap/file.h"

static void write_file(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	assert_int_equal(fclose(f), 0);
}

static void test_reads_whole_file(void **state)
{
	char path[] = "/tmp/reachmap-test-file-XXXXXX", *buf;
	size_t len;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* Over the first 64 KiB buffer: the growth path runs. */
	write_file(path, 200000);
	assert_int_equal(rm_file_read(path, 1u << 20, &buf, &len), RM_OK);
	assert_int_equal(len, 200000);
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[199999], 'a' + 199999 % 26);
	assert_int_equal(buf[len], '\0');
	rm_free(buf);
	/* Exactly max bytes is allowed; one more is not. */
	assert_int_equal(rm_file_read(path, 200000, &buf, &len), RM_OK);
	rm_free(buf);
	assert_int_equal(rm_file_read(path, 199999, &buf, &len), RM_ERANGE);
	assert_null(buf);
	write_file(path, 0);
	assert_int_equal(rm_file_read(path, 10, &buf, &len), RM_OK);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	rm_free(buf);
	unlink(path);
}

static void test_errors(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	errno = 0;
	assert_int_equal(rm_file_read("/nonexistent/x.json", 10, &buf, &len), RM_EIO);
	assert_int_equal(errno, ENOENT);
	assert_null(buf);
	errno = 0;
	assert_int_equal(rm_file_read("/tmp", 10, &buf, &len), RM_EIO);
	assert_int_equal(errno, EISDIR);
	assert_null(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_whole_file),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

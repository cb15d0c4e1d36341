/* Fuzzes the results document reader: what analyze and the collector take
 * from files and HTTP bodies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "reachmap/error.h"
#include "reachmap/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm_results_doc doc;
	struct rm_diag diag;
	int rc;

	if (results_doc_init(&doc) != RM_OK)
		return 0;
	rc = results_doc_read("fuzz.json", (const char *)data, size, &doc, &diag);
	if (rc == RM_EPARSE && diag.error[0] == '\0')
		__builtin_trap();
	results_doc_free(&doc);
	return 0;
}

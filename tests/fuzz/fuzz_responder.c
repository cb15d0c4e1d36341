/* Fuzzes the responder protocol parser: requests a responder receives and
 * replies a probe receives. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probes/responder.h"
#include "reachmap/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resp_msg m;
	const char *why;
	int rc = resp_parse(data, size, &m, &why);

	if (rc == RM_EPARSE && why == NULL)
		__builtin_trap();
	if (rc == RM_OK && (strlen(m.name) > RESP_NAME_MAX || strlen(m.cluster) > RESP_NAME_MAX))
		__builtin_trap();
	return 0;
}

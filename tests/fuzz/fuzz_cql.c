/* Fuzzes the CQL answer classifier: any bytes a server sends after OPTIONS
 * give a verdict, never a crash or a read past the end. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probes/cql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cql_answer a;

	cql_classify(data, size, &a);
	/* Strings it returns are terminated within their buffers. */
	if (memchr(a.supported.cql_version, '\0', sizeof(a.supported.cql_version)) == NULL ||
	    memchr(a.error_message, '\0', sizeof(a.error_message)) == NULL)
		__builtin_trap();
	return 0;
}

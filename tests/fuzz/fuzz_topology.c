/* Fuzzes the topology loader and the plan rules behind it: any bytes must
 * give a topology or an error message, never a crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "reachmap/analyze.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm_topology *topo = NULL;
	struct rm_findings findings;
	struct rm_diag diag;

	if (topo_load_buffer("fuzz.yaml", data, size, &topo, &diag) != RM_OK) {
		/* Every failure must say where and why. */
		if (diag.error[0] == '\0')
			__builtin_trap();
		return 0;
	}
	if (findings_init(&findings) == RM_OK) {
		struct rm_suggestion asks[2] = { { .kind = RM_RANGE_PODS, .len = 16 },
						 { .kind = RM_RANGE_NODES, .len = 24 } };

		analyze_plan(topo, &findings);
		analyze_suggest(topo, asks, 2);
		findings_free(&findings);
	}
	topo_free(topo);
	return 0;
}

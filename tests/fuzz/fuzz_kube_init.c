/* Fuzzes `reachmap init`'s reading of kubectl dumps: any bytes must give a
 * topology or an error message naming the place, never a crash, leak or
 * hang; and a topology it writes must load (kube/init_emit.c promises the
 * loader takes its text as it is). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/init.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_input in = { "fuzz.json", NULL, (const char *)data, size };
	struct kube_init_opts opts = { 2 };
	struct kube_topo *t = NULL;
	struct rm_topology *topo = NULL;
	struct rm_diag diag;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (kube_init_build(&in, 1, &opts, &t, &diag) != RM_OK) {
		if (diag.error[0] == '\0')
			__builtin_trap();
		return 0;
	}
	f = open_memstream(&text, &len);
	if (f == NULL || kube_init_write(t, f) != RM_OK || fclose(f) != 0)
		__builtin_trap();
	if (topo_load_buffer("init.yaml", (const uint8_t *)text, len, &topo, &diag) != RM_OK) {
		fprintf(stderr, "%s\n%s\n", diag.error, text);
		__builtin_trap();
	}
	topo_free(topo);
	free(text);
	kube_topo_free(t);
	return 0;
}

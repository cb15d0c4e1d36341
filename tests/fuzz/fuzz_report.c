/* Fuzzes the dashboard's report reader and the aggregates built from what
 * it accepted: reachmap top reads whatever file it is pointed at, and
 * re-reads it while another program writes it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "reachmap/error.h"
#include "tui/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_scope s = { .level = TUI_LEVEL_CLUSTER, .column = -1 };
	struct rm_report_doc *m = NULL;
	struct tui_agg *a = NULL;
	static struct rm_diag diag;
	int rc;

	rc = report_doc_read("fuzz.json", (const char *)data, size, &m, &diag);
	if (rc != RM_OK) {
		if (diag.error[0] == '\0')
			__builtin_trap();
		return 0;
	}
	/* every level of the first pair, every column, as the views would */
	for (int col = -1; col < (int)m->ncolumns && col < 4; col++) {
		s.column = col;
		for (int level = TUI_LEVEL_CLUSTER; level <= TUI_LEVEL_PROBE; level++) {
			s.level = (enum tui_level)level;
			if (tui_agg_build(m, &s, &a) != RM_OK)
				break;
			for (size_t r = 0; r < a->nrows; r++)
				for (size_t c = 0; c < a->ncols; c++)
					if (tui_agg_at(a, r, c)->failing >
					    tui_agg_at(a, r, c)->measured)
						__builtin_trap();
			if (a->nrows > 0 && a->ncols > 0) {
				if (level == TUI_LEVEL_CLUSTER) {
					s.cluster_from = a->rows[0].id;
					s.cluster_to = a->cols[0].id;
				} else if (level == TUI_LEVEL_ZONE) {
					s.zone_from = a->rows[0].id;
					s.zone_to = a->cols[0].id;
				} else {
					for (uint32_t j = 0; j < m->ncolumns; j++)
						(void)report_doc_cell(m, a->rows[0].id,
								      a->cols[0].id, j);
				}
			}
			tui_agg_free(a);
			a = NULL;
		}
	}
	report_doc_free(m);
	return 0;
}

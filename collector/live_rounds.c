/* GET /v1/rounds: the newest documents of every probe, as stored. Each is
 * JSON the collector read whole when it was pushed (results_doc_read
 * refuses anything after the document), so its bytes go into the answer's
 * list as they are. */
/* open_memstream: _GNU_SOURCE comes from CMakeLists.txt */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/live-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

struct rounds_walk {
	FILE *f;
	size_t n;
	int rc;
};

static int round_out(const struct store_round *r, void *arg)
{
	struct rounds_walk *w = arg;
	char *text = (char *)r->doc;
	size_t len = r->doclen;
	int rc = r->gzip ? live_gunzip(r->doc, r->doclen, &text, &len) : RM_OK;

	if (rc == RM_ENOMEM)
		return rc;
	if (rc == RM_OK) {
		while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL && text[len - 1] != '\0')
			len--;
		fputs(w->n++ > 0 ? ",\n" : "\n", w->f);
		fwrite(text, 1, len, w->f);
	}
	if (text != r->doc)
		rm_free(text);
	return ferror(w->f) ? RM_ENOMEM : RM_OK;
}

int live_rounds(struct live *l, int64_t now_ms, char **out, size_t *len, struct rm_diag *d)
{
	struct rounds_walk w = { 0 };
	char started[RM_TIME_STRLEN], generated[RM_TIME_STRLEN];
	char *buf = NULL;
	size_t n = 0;
	int rc;

	if ((w.f = open_memstream(&buf, &n)) == NULL) {
		rm_diag_error(d, "out of memory");
		return RM_ENOMEM;
	}
	fprintf(w.f,
		"{\"schema\": \"reachmap.rounds/v1\", \"collectorStarted\": \"%s\", "
		"\"generated\": \"%s\", \"rounds\": [",
		rm_time_format((time_t)(l->start_ms / 1000), started, sizeof(started)),
		rm_time_format((time_t)(now_ms / 1000), generated, sizeof(generated)));
	rc = l->store->ops->latest_rounds(l->store, round_out, &w, d);
	fputs(w.n > 0 ? "\n]}\n" : "]}\n", w.f);
	if (fclose(w.f) != 0 && rc == RM_OK)
		rc = RM_ENOMEM;
	if (rc == RM_OK && (*out = rm_malloc(n + 1)) == NULL)
		rc = RM_ENOMEM;
	if (rc == RM_OK) {
		memcpy(*out, buf, n + 1);
		*len = n;
	} else if (rc == RM_ENOMEM) {
		rm_diag_error(d, "out of memory writing the rounds");
	}
	free(buf); /* open_memstream's */
	return rc;
}

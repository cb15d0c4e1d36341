/* GET /v1/rounds: the newest documents of every probe, as stored. Each is
 * JSON the collector read whole when it was pushed (results_doc_read
 * refuses anything after the document), so its bytes go into the answer's
 * list as they are, never parsed again. */
/* open_memstream: _GNU_SOURCE comes from CMakeLists.txt */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/live-internal.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

/* The stored bytes, copied while the store holds its lock (a memcpy);
 * inflating them, which for a fleet takes seconds, waits until the lock
 * is let go, so pushes never wait behind a GET /v1/rounds. */
struct blob {
	void *bytes;
	size_t len;
	bool gzip;
};

struct rounds_walk {
	struct blob *v;
	size_t n, cap;
};

static int copy_round(const struct store_round *r, void *arg)
{
	struct rounds_walk *w = arg;
	struct blob *b;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;

		if ((b = rm_realloc(w->v, cap * sizeof(*b))) == NULL)
			return RM_ENOMEM;
		w->v = b;
		w->cap = cap;
	}
	b = &w->v[w->n];
	if ((b->bytes = rm_malloc(r->doclen + 1)) == NULL)
		return RM_ENOMEM;
	memcpy(b->bytes, r->doc, r->doclen);
	b->len = r->doclen;
	b->gzip = r->gzip;
	w->n++;
	return RM_OK;
}

/* The documents into f, each as stored (inflated); one that cannot be
 * inflated is left out. */
static int write_rounds(const struct rounds_walk *w, FILE *f)
{
	size_t i, k = 0;

	for (i = 0; i < w->n; i++) {
		char *text = w->v[i].bytes;
		size_t len = w->v[i].len;
		int rc =
		    w->v[i].gzip ? live_gunzip(w->v[i].bytes, w->v[i].len, &text, &len) : RM_OK;

		if (rc == RM_ENOMEM)
			return rc;
		if (rc != RM_OK)
			continue;
		while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL && text[len - 1] != '\0')
			len--;
		fputs(k++ > 0 ? ",\n" : "\n", f);
		fwrite(text, 1, len, f);
		if (text != w->v[i].bytes)
			rm_free(text);
	}
	fputs(k > 0 ? "\n]}\n" : "]}\n", f);
	return ferror(f) ? RM_ENOMEM : RM_OK;
}

int live_rounds(struct live *l, int64_t now_ms, char **out, size_t *len, struct rm_diag *d)
{
	struct rounds_walk w = { 0 };
	char started[RM_TIME_STRLEN], generated[RM_TIME_STRLEN];
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f;
	int rc = l->store->ops->latest_rounds(l->store, copy_round, &w, d);

	if (rc == RM_OK && (f = open_memstream(&buf, &n)) == NULL)
		rc = RM_ENOMEM;
	if (rc == RM_OK) {
		fprintf(f,
			"{\"schema\": \"reachmap.rounds/v1\", \"collectorStarted\": \"%s\", "
			"\"generated\": \"%s\", \"rounds\": [",
			rm_time_format((time_t)(l->start_ms / 1000), started, sizeof(started)),
			rm_time_format((time_t)(now_ms / 1000), generated, sizeof(generated)));
		rc = write_rounds(&w, f);
		if (fclose(f) != 0 && rc == RM_OK)
			rc = RM_ENOMEM;
	}
	for (i = 0; i < w.n; i++)
		rm_free(w.v[i].bytes);
	rm_free(w.v);
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

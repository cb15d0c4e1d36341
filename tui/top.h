/* reachmap top: the dashboard's entry points for cli/top.c. No curses
 * here; the loop and the views are tui/'s own business. */
#ifndef REACHMAP_TUI_TOP_H
#define REACHMAP_TUI_TOP_H

#include <stdbool.h>
#include <stddef.h>

struct rm_diag;
struct rm_report_doc;
struct tui_source;

/* Where reports come from: a file re-read when it changes; the collector
 * issue adds a live source with the same table. */
struct tui_source_ops {
	const char *name;
	/* Checks for a newer report. RM_OK with *changed telling whether
	 * src->model was replaced; an error status and d when a newer report
	 * could not be read (the previous model stays). */
	int (*poll)(struct tui_source *src, bool *changed, struct rm_diag *d);
	void (*free)(struct tui_source *src);
};

struct tui_source {
	const struct tui_source_ops *ops;
	const char *label;	     /* the file name or URL, for the header */
	struct rm_report_doc *model; /* the latest report; owned by the source */
};

/* A source reading `path`, loaded once now. RM_OK and *out (free with
 * tui_source_free), or a status and d ("PATH: field: what is wrong"). */
int tui_source_file_open(const char *path, struct tui_source **out, struct rm_diag *d);
void tui_source_free(struct tui_source *src);

struct tui_options {
	long iterations; /* > 0: draw that many frames, then return */
	bool color;
};

/* Runs the dashboard on the terminal until q, a signal or the iterations
 * are done; the terminal is restored in every case. RM_OK with *signo the
 * signal that ended it (SIGINT, SIGTERM) or 0; RM_ESYS when the terminal
 * cannot be set up. */
int tui_top_run(struct tui_source *src, const struct tui_options *opt, int *signo);

#endif

/* reachmap top: the dashboard's entry points for cli/top.c. No curses
 * here; the loop and the views are tui/'s own business. */
#ifndef REACHMAP_TUI_TOP_H
#define REACHMAP_TUI_TOP_H

#include <stdbool.h>
#include <stddef.h>

struct tui_model;
struct tui_source;

/* Where reports come from: a file re-read when it changes; the collector
 * issue adds a live source with the same table. */
struct tui_source_ops {
	const char *name;
	/* Checks for a newer report. RM_OK with *changed telling whether
	 * src->model was replaced; an error status and err when a newer report
	 * could not be read (the previous model stays). */
	int (*poll)(struct tui_source *src, bool *changed, char *err, size_t errlen);
	void (*free)(struct tui_source *src);
};

struct tui_source {
	const struct tui_source_ops *ops;
	const char *label;	 /* the file name or URL, for the header */
	struct tui_model *model; /* the latest report; owned by the source */
};

/* A source reading `path`, loaded once now. RM_OK and *out (free with
 * tui_source_free), or a status and err ("PATH: field: what is wrong"). */
int tui_source_file_open(const char *path, struct tui_source **out, char *err, size_t errlen);
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

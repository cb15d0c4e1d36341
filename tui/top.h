/* reachmap top: the dashboard's entry points for cli/top.c. No curses
 * here; the loop and the views are tui/'s own business. */
#ifndef REACHMAP_TUI_TOP_H
#define REACHMAP_TUI_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct rm_diag;
struct rm_report_doc;
struct tui_source;

/* Where reports come from: a file re-read when it changes, or a collector
 * asked every few seconds. */
struct tui_source_ops {
	const char *name;
	/* Checks for a newer report. RM_OK with *changed telling whether
	 * src->model was replaced; an error status and d when a newer report
	 * could not be had (the previous model stays): d's error is
	 * "LABEL: why". */
	int (*poll)(struct tui_source *src, bool *changed, struct rm_diag *d);
	void (*free)(struct tui_source *src);
	/* The header's line while poll fails: before, the reason, after. */
	const char *stale_before, *stale_after;
	/* The help's line on where the report comes from. */
	const char *help;
};

/* When a probe's newest round reached the collector. */
struct tui_seen {
	const char *name;
	time_t last; /* (time_t)-1: none yet */
};

struct tui_source {
	const struct tui_source_ops *ops;
	const char *label;	     /* the file name or URL, for the header */
	struct rm_report_doc *model; /* the latest report; owned by the source */
	/* A live source's: the registered probes' last rounds, by name
	 * (replaced by poll); NULL, 0 for a file. */
	const struct tui_seen *seen;
	size_t nseen;
	/* A live source's: when the collector last gave the report shown (a
	 * report it keeps while nothing changes keeps its first generated
	 * time); (time_t)-1 for a file, whose report's generated time counts. */
	time_t as_of;
};

/* The collector, for a live source: cli/top.c makes it with the
 * collector's client, so tui/ never sees libcurl. */
struct tui_fetch {
	/* GET path (with its query): RM_OK with the HTTP status and the body
	 * (rm_malloc'd, NUL-terminated, *len bytes) whatever the status; a
	 * failure status and d ("URL...: why") when no answer came. Called
	 * from one thread at a time. */
	int (*get)(void *ctx, const char *path, long *status, char **body, size_t *len,
		   struct rm_diag *d);
	/* Abandons a get in flight (within about 100 ms), for good: the
	 * source is being freed. */
	void (*cancel)(void *ctx);
	void *ctx;
	const char *label; /* the collector's URL; must outlive the source */
};

/* A source asking the collector for its report (GET /v1/report) and its
 * probes' last rounds (GET /v1/peers) every period_ms, on a thread of its
 * own so a collector that hangs never freezes the screen; when it cannot,
 * the last report stays and poll says why. The first report is asked for
 * now: RM_OK and *out, or a status and d ("URL: why"). */
int tui_source_live_open(const struct tui_fetch *fetch, unsigned period_ms, struct tui_source **out,
			 struct rm_diag *d);

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

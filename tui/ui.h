/* The dashboard's state and its panes, each a small ops table (htop's
 * Panel/Screen style): the loop in top.c owns a struct tui and hands it to
 * whichever pane is showing. Private to tui/. */
#ifndef REACHMAP_TUI_UI_H
#define REACHMAP_TUI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model.h"
#include "tui/top.h"

/* The smallest terminal the layout is made for. */
#define TUI_MIN_COLS  80
#define TUI_MIN_LINES 24

struct tui;

/* A rectangle of the screen a pane draws into. */
struct tui_rect {
	int y, x, h, w;
};

struct tui_view_ops {
	const char *name;
	void (*draw)(struct tui *t, const struct tui_rect *r);
	/* true when the pane used the key */
	bool (*key)(struct tui *t, int ch);
};

extern const struct tui_view_ops tui_view_matrix;
extern const struct tui_view_ops tui_view_findings;
extern const struct tui_view_ops tui_view_finding; /* one finding: evidence, remedy */
extern const struct tui_view_ops tui_view_detail;  /* one cell: every check */
extern const struct tui_view_ops tui_view_help;
extern const struct tui_view_ops tui_view_pairs;  /* the cluster-pair x check table */
extern const struct tui_view_ops tui_view_rounds; /* each probe's last round, one line */

/* Where the cursor was at a level, to come back to with Backspace. */
struct tui_cursor {
	size_t row, col, top, left;
};

struct tui {
	struct tui_source *src;
	const struct tui_options *opt;
	const struct rm_report_doc *m; /* src->model, for short */
	struct rm_diag reload;	       /* the last failed re-read; error "" when none */

	struct tui_scope scope;
	char filter[64];
	bool editing_filter;
	struct tui_agg *agg;		 /* of scope; NULL: to be rebuilt */
	bool agg_failed;		 /* out of memory building it */
	size_t row_label_w, col_label_w; /* longest labels of agg */

	struct tui_cursor cur; /* in agg */
	struct tui_cursor saved[3];
	int matrix_rows; /* data rows the matrix pane showed last */
	int matrix_cols;

	size_t finding, finding_top;
	const struct tui_view_ops *focus;   /* matrix or findings */
	const struct tui_view_ops *overlay; /* NULL or a full-screen pane */
	int overlay_top;		    /* scroll of the overlay */
	int overlay_lines;		    /* lines it had to show, last frame */
	uint32_t detail_from, detail_to;    /* grid indices of the detail overlay */

	bool color;
	double frame_ms, slowest_frame_ms, rebuild_ms;
	unsigned long frames;
};

/* The aggregate of the current scope, rebuilt when the scope changed;
 * NULL when out of memory. */
struct tui_agg *tui_agg_current(struct tui *t);
/* Call after scope, filter or model changes. */
void tui_invalidate(struct tui *t);

/* Drawing helpers (view_common.c). */
void tui_fill(int y, int x, int w);
/* At most w columns of s at (y, x); longer text ends in "~". */
void tui_put(int y, int x, int w, const char *s);
void tui_putf(int y, int x, int w, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tui_attr_class(struct tui *t, enum tui_class cls, bool on);

/* The text of an overlay, built each time it is drawn (a few hundred lines
 * at most). Allocation failures drop lines; the overlay says so. */
struct tui_lines {
	char **v;
	size_t n, cap;
	bool truncated;
};
void tui_lines_add(struct tui_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s wrapped at w columns, every line but the first indented by `indent`. */
void tui_lines_wrap(struct tui_lines *l, int w, const char *first, int indent, const char *s);
void tui_lines_free(struct tui_lines *l);
/* Draws an overlay: title, lines from t->overlay_top, footer. */
void tui_overlay_draw(struct tui *t, const struct tui_rect *r, const char *title,
		      const struct tui_lines *l);
/* Up, Down, PgUp, PgDn, Home, End scroll an overlay; Esc, Backspace and
 * Enter close it. */
bool tui_overlay_key(struct tui *t, int ch);

#endif

/* The matrix pane: clusters x clusters, zones x zones of a cluster pair,
 * probes x members of a zone pair. A cell shows the worst class's glyph
 * and how many measurements fail; only the visible window is drawn, so a
 * frame costs the same for 4 probes or 1,000. */
#include <stdio.h>
#include <string.h>

#include "tui/tuicurses.h"
#include "tui/ui.h"

/* The widths of the window; computed per frame from the aggregate's
 * longest labels (kept when it was built). */
struct layout {
	int label_w, cell_w, vis_rows, vis_cols;
};

static struct layout layout_of(const struct tui *t, const struct tui_rect *r)
{
	/* Labels were measured when the aggregate was built, not per frame. */
	size_t lw = t->row_label_w < 9 ? 9 : t->row_label_w > 24 ? 24 : t->row_label_w;
	size_t cw = t->col_label_w < 6 ? 6 : t->col_label_w > 11 ? 11 : t->col_label_w;
	struct layout l;

	l.label_w = (int)lw + 1;
	/* probes: a glyph and the column's number; the names are too long */
	l.cell_w = t->scope.level == TUI_LEVEL_PROBE ? 4 : (int)cw + 1;
	l.vis_rows = r->h - 2 > 1 ? r->h - 2 : 1;
	l.vis_cols = (r->w - l.label_w) / l.cell_w;
	if (l.vis_cols < 1)
		l.vis_cols = 1;
	return l;
}

static void keep_visible(struct tui *t, const struct layout *l)
{
	struct tui_cursor *c = &t->cur;

	if (c->row < c->top)
		c->top = c->row;
	if (c->row >= c->top + (size_t)l->vis_rows)
		c->top = c->row - (size_t)l->vis_rows + 1;
	if (c->col < c->left)
		c->left = c->col;
	if (c->col >= c->left + (size_t)l->vis_cols)
		c->left = c->col - (size_t)l->vis_cols + 1;
}

/* The glyph in the cell's first column, then the failing count: the
 * glyphs line up down a column whatever the counts. */
static void cell_text(const struct tui *t, const struct tui_agg_cell *c, enum tui_class cls, int w,
		      char *buf, size_t len)
{
	char g = tui_class_glyph(cls);

	if (t->scope.level == TUI_LEVEL_PROBE) {
		snprintf(buf, len, "%*s%c", w - 2, "", g);
		return;
	}
	if (c->failing == 0) {
		snprintf(buf, len, "%c", g);
		return;
	}
	if (snprintf(buf, len, "%c %u", g, c->failing) > w - 1)
		snprintf(buf, len, "%c %uk", g, c->failing / 1000);
}

static enum tui_class cell_class(const struct rm_report_doc *m, const struct tui_agg_cell *c)
{
	if (c->worst == RM_REPORT_UNMEASURED)
		return TUI_CLASS_NONE;
	return tui_status_class(m->columns[c->worst_column].check, c->worst);
}

static void draw_empty(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	char buf[512];
	size_t i, off = 0;

	if (!m->has_grid) {
		tui_put(r->y + 1, r->x + 1, r->w - 2,
			"The matrix is empty: this report holds no measurements (no matrix.grid;");
		tui_put(r->y + 2, r->x + 1, r->w - 2, "a plan report). Its findings are below.");
		off = (size_t)snprintf(buf, sizeof(buf), "clusters:");
		for (i = 0; i < m->nclusters && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s",
						m->clusters[i].name);
		tui_put(r->y + 4, r->x + 1, r->w - 2, buf);
		return;
	}
	if (t->agg == NULL) {
		tui_put(r->y + 1, r->x + 1, r->w - 2, "out of memory building the matrix");
		return;
	}
	if (t->filter[0] != '\0')
		tui_putf(r->y + 1, r->x + 1, r->w - 2,
			 "no probe or target here matches the filter \"%s\" (/ to change it)",
			 t->filter);
	else
		tui_put(r->y + 1, r->x + 1, r->w - 2, "nothing measured here");
}

static void draw_matrix(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	struct tui_agg *a = tui_agg_current(t);
	const struct tui_agg_cell *sel;
	struct layout l;
	char buf[64];
	int i, j, x;

	for (i = 0; i < r->h; i++)
		tui_fill(r->y + i, r->x, r->w);
	if (a == NULL || a->nrows == 0 || a->ncols == 0) {
		draw_empty(t, r);
		return;
	}
	l = layout_of(t, r);
	keep_visible(t, &l);
	t->matrix_rows = l.vis_rows;
	t->matrix_cols = l.vis_cols;

	/* the column header */
	attron(A_BOLD);
	tui_put(r->y, r->x, l.label_w - 1, "from \\ to");
	for (j = 0; j < l.vis_cols && t->cur.left + (size_t)j < a->ncols; j++) {
		size_t c = t->cur.left + (size_t)j;

		x = r->x + l.label_w + j * l.cell_w;
		if (c == t->cur.col)
			attron(A_UNDERLINE);
		if (t->scope.level == TUI_LEVEL_PROBE)
			tui_putf(r->y, x, l.cell_w - 1, "%*zu", l.cell_w - 1, c + 1);
		else
			tui_put(r->y, x, l.cell_w - 1, a->cols[c].label);
		attroff(A_UNDERLINE);
	}
	if (t->cur.left > 0)
		mvaddch(r->y, r->x + l.label_w - 1, '<');
	if (t->cur.left + (size_t)l.vis_cols < a->ncols)
		mvaddch(r->y, r->x + r->w - 1, '>');
	attroff(A_BOLD);

	/* the visible rows */
	for (i = 0; i < l.vis_rows && t->cur.top + (size_t)i < a->nrows; i++) {
		size_t row = t->cur.top + (size_t)i;
		int y = r->y + 1 + i;

		if (row == t->cur.row)
			attron(A_BOLD);
		tui_put(y, r->x, l.label_w - 1, a->rows[row].label);
		attroff(A_BOLD);
		for (j = 0; j < l.vis_cols && t->cur.left + (size_t)j < a->ncols; j++) {
			size_t col = t->cur.left + (size_t)j;
			const struct tui_agg_cell *c = tui_agg_at(a, row, col);
			enum tui_class cls = cell_class(m, c);
			bool cursor =
			    row == t->cur.row && col == t->cur.col && t->focus == &tui_view_matrix;

			cell_text(t, c, cls, l.cell_w, buf, sizeof(buf));
			tui_attr_class(t, cls, true);
			if (cursor)
				attron(A_REVERSE);
			tui_put(y, r->x + l.label_w + j * l.cell_w, l.cell_w - 1, buf);
			attroff(A_REVERSE);
			tui_attr_class(t, cls, false);
		}
	}
	if (t->cur.top + (size_t)l.vis_rows < a->nrows)
		tui_putf(r->y + r->h - 2, r->x + r->w - 8, 8, " %zu+",
			 a->nrows - t->cur.top - (size_t)l.vis_rows);

	/* what the cursor is on */
	sel = tui_agg_at(a, t->cur.row, t->cur.col);
	{
		enum tui_class cls = cell_class(m, sel);
		const char *next = t->scope.level == TUI_LEVEL_CLUSTER ? "zones"
				   : t->scope.level == TUI_LEVEL_ZONE  ? "probes"
								       : "details";

		attron(A_REVERSE);
		tui_fill(r->y + r->h - 1, r->x, r->w);
		if (sel->worst == RM_REPORT_UNMEASURED)
			tui_putf(r->y + r->h - 1, r->x, r->w,
				 " %s -> %s: not measured  (row %zu/%zu, col %zu/%zu)",
				 a->rows[t->cur.row].label, a->cols[t->cur.col].label,
				 t->cur.row + 1, a->nrows, t->cur.col + 1, a->ncols);
		else if (sel->failing == 0)
			tui_putf(r->y + r->h - 1, r->x, r->w,
				 " %s -> %s: . ok, %u measured  Enter: %s",
				 a->rows[t->cur.row].label, a->cols[t->cur.col].label,
				 sel->measured, next);
		else
			tui_putf(r->y + r->h - 1, r->x, r->w,
				 " %s -> %s: %c %s %s, %u of %u failing  Enter: %s",
				 a->rows[t->cur.row].label, a->cols[t->cur.col].label,
				 tui_class_glyph(cls), m->columns[sel->worst_column].label,
				 rm_status_name((enum rm_check_status)sel->worst), sel->failing,
				 sel->measured, next);
		attroff(A_REVERSE);
	}
}

static void drill(struct tui *t)
{
	struct tui_agg *a = tui_agg_current(t);
	uint32_t rid, cid;

	if (a == NULL || a->nrows == 0 || a->ncols == 0)
		return;
	rid = a->rows[t->cur.row].id;
	cid = a->cols[t->cur.col].id;
	switch (t->scope.level) {
	case TUI_LEVEL_CLUSTER:
		t->scope.cluster_from = rid;
		t->scope.cluster_to = cid;
		break;
	case TUI_LEVEL_ZONE:
		t->scope.zone_from = rid;
		t->scope.zone_to = cid;
		break;
	case TUI_LEVEL_PROBE:
		t->detail_from = rid;
		t->detail_to = cid;
		t->overlay = &tui_view_detail;
		t->overlay_top = 0;
		return;
	}
	t->saved[t->scope.level] = t->cur;
	t->scope.level++;
	memset(&t->cur, 0, sizeof(t->cur));
	tui_invalidate(t);
}

static void go_up(struct tui *t)
{
	if (t->scope.level == TUI_LEVEL_CLUSTER)
		return;
	t->scope.level--;
	t->cur = t->saved[t->scope.level];
	tui_invalidate(t);
}

static bool matrix_key(struct tui *t, int ch)
{
	struct tui_agg *a = tui_agg_current(t);
	size_t nr = a ? a->nrows : 0, nc = a ? a->ncols : 0;
	size_t page = t->matrix_rows > 1 ? (size_t)t->matrix_rows : 1;
	struct tui_cursor *c = &t->cur;

	switch (ch) {
	case KEY_UP:
	case 'k':
		c->row -= c->row > 0;
		return true;
	case KEY_DOWN:
	case 'j':
		c->row += c->row + 1 < nr;
		return true;
	case KEY_LEFT:
	case 'h':
		c->col -= c->col > 0;
		return true;
	case KEY_RIGHT:
	case 'l':
		c->col += c->col + 1 < nc;
		return true;
	case KEY_PPAGE:
		c->row = c->row > page ? c->row - page : 0;
		return true;
	case KEY_NPAGE:
		c->row = c->row + page < nr ? c->row + page : (nr ? nr - 1 : 0);
		return true;
	case KEY_HOME:
	case 'g':
		c->row = 0;
		c->col = 0;
		return true;
	case KEY_END:
	case 'G':
		c->row = nr ? nr - 1 : 0;
		return true;
	case KEY_ENTER:
	case '\n':
	case '\r':
		drill(t);
		return true;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		go_up(t);
		return true;
	default:
		return false;
	}
}

const struct tui_view_ops tui_view_matrix = {
	.name = "matrix",
	.draw = draw_matrix,
	.key = matrix_key,
};

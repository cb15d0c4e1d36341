/* The first screen's lower half: the cluster-pair x check table the text
 * report prints (the worst status of each check, cells failing/all), and,
 * from a collector, how old each probe's last round is. Neither takes
 * keys: they say what the matrix above sums up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/tuicurses.h"
#include "tui/ui.h"

#define CELL_LEN 40

/* The checks any pair measured, in the reports' order. */
static size_t measured_checks(const struct rm_report_doc *m, enum rm_check *out)
{
	size_t k, i, n = 0;
	int st;

	for (k = 0; k < RM_CHECK_COUNT; k++) {
		enum rm_check c = rm_check_order[k];
		bool any = false;

		for (i = 0; i < m->npairs && !any; i++)
			for (st = 0; st < RM_STATUS_COUNT && !any; st++)
				any = m->pairs[i].counts[c][st] > 0;
		if (any)
			out[n++] = c;
	}
	return n;
}

/* Each column's width for the texts of one mode; the total. */
static int widths(const struct rm_report_doc *m, const enum rm_check *cols, size_t ncols,
		  enum tui_pair_mode mode, int label_w, int *w)
{
	char cell[CELL_LEN];
	size_t k, i;
	int total = label_w;

	for (k = 0; k < ncols; k++) {
		w[k] = (int)strlen(rm_check_name(cols[k]));
		for (i = 0; i < m->npairs; i++) {
			int n;

			tui_pair_cell(&m->pairs[i], cols[k], mode, cell, sizeof(cell));
			if ((n = (int)strlen(cell)) > w[k])
				w[k] = n;
		}
		w[k] += 2;
		total += w[k];
	}
	return total;
}

static void draw_row(struct tui *t, int y, const struct tui_rect *r, const struct rm_report_pair *p,
		     const enum rm_check *cols, size_t ncols, const int *w, int label_w,
		     enum tui_pair_mode mode)
{
	char cell[CELL_LEN];
	int x = r->x + label_w;
	size_t k;

	tui_putf(y, r->x, label_w - 1, " %s -> %s", p->from, p->to);
	for (k = 0; k < ncols && x < r->x + r->w; k++) {
		enum tui_class cls = tui_pair_cell(p, cols[k], mode, cell, sizeof(cell));

		if (cls > TUI_CLASS_OK)
			tui_attr_class(t, cls, true);
		tui_put(y, x, r->x + r->w - x, cell);
		tui_attr_class(t, cls, false);
		x += w[k];
	}
}

static void draw_pairs(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	enum rm_check cols[RM_CHECK_COUNT];
	int w[RM_CHECK_COUNT], label_w = (int)strlen(" from -> to") + 2, i, x, body;
	size_t ncols = measured_checks(m, cols), k;
	enum tui_pair_mode mode = TUI_PAIR_FULL;

	for (k = 0; k < m->npairs; k++) {
		int n = (int)(strlen(m->pairs[k].from) + strlen(m->pairs[k].to)) + 7;

		if (n > label_w)
			label_w = n;
	}
	/* the most each cell can say in the width there is */
	while (widths(m, cols, ncols, mode, label_w, w) > r->w && mode + 1 < TUI_PAIR_MODES)
		mode++;
	for (i = 0; i < r->h; i++)
		tui_fill(r->y + i, r->x, r->w);
	attron(A_BOLD);
	tui_putf(r->y, r->x, r->w, " Cluster pairs: the worst status of each check%s",
		 mode == TUI_PAIR_FULL	  ? ", cells failing/all"
		 : mode == TUI_PAIR_GLYPH ? ", cells failing/all (? glyphs)"
					  : "");
	tui_put(r->y + 1, r->x, label_w - 1, " from -> to");
	for (k = 0, x = r->x + label_w; k < ncols && x < r->x + r->w; x += w[k++])
		tui_put(r->y + 1, x, r->x + r->w - x, rm_check_name(cols[k]));
	attroff(A_BOLD);
	body = r->h - 2;
	for (i = 0; i < body && (size_t)i < m->npairs; i++) {
		if (i == body - 1 && m->npairs > (size_t)body) {
			tui_putf(r->y + 2 + i, r->x, r->w,
				 " ... and %zu more pairs (Enter on the matrix drills in)",
				 m->npairs - (size_t)i);
			break;
		}
		draw_row(t, r->y + 2 + i, r, &m->pairs[i], cols, ncols, w, label_w, mode);
	}
}

static bool no_key(struct tui *t, int ch)
{
	(void)t;
	(void)ch;
	return false;
}

const struct tui_view_ops tui_view_pairs = {
	.name = "pairs",
	.draw = draw_pairs,
	.key = no_key,
};

/* ---- the probes' last rounds ---- */

static const struct tui_seen *seen_of(const struct tui_source *src, const char *name)
{
	size_t lo = 0, hi = src->nseen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(src->seen[mid].name, name);

		if (c == 0)
			return &src->seen[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "N probes: newest Xs, oldest Ys (name); K without a round: a, b". */
static void rounds_summary(const struct tui *t, time_t now, char *buf, size_t len)
{
	const struct rm_report_doc *m = t->m;
	time_t newest = (time_t)-1, oldest = (time_t)-1;
	const char *oldest_name = NULL;
	size_t i, n = 0, none = 0, used;
	char a[16], b[16];

	for (i = 0; i < m->nmembers; i++) {
		const struct tui_seen *s;

		if (!m->members[i].probe)
			continue;
		n++;
		s = seen_of(t->src, m->members[i].name);
		if (s == NULL || s->last == (time_t)-1) {
			none++;
			continue;
		}
		if (newest == (time_t)-1 || s->last > newest)
			newest = s->last;
		if (oldest == (time_t)-1 || s->last < oldest) {
			oldest = s->last;
			oldest_name = s->name;
		}
	}
	used =
	    (size_t)snprintf(buf, len, " Last rounds of %zu probes: newest %s, oldest %s (%s)", n,
			     tui_age(newest, now, a, sizeof(a)), tui_age(oldest, now, b, sizeof(b)),
			     oldest_name ? oldest_name : "-");
	if (none > 0 && used < len)
		snprintf(buf + used, len - used, "; %zu never reported", none);
}

static void draw_rounds(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	time_t now = time(NULL);
	char buf[1024], age[16];
	size_t i, used;

	used = (size_t)snprintf(buf, sizeof(buf), " Last rounds:");
	for (i = 0; i < m->nmembers && used < sizeof(buf); i++) {
		const struct tui_seen *s;

		if (!m->members[i].probe)
			continue;
		s = seen_of(t->src, m->members[i].name);
		used +=
		    (size_t)snprintf(buf + used, sizeof(buf) - used, "  %s %s", m->members[i].name,
				     tui_age(s ? s->last : (time_t)-1, now, age, sizeof(age)));
	}
	if (used >= (size_t)r->w)
		rounds_summary(t, now, buf, sizeof(buf));
	tui_fill(r->y, r->x, r->w);
	tui_put(r->y, r->x, r->w, buf);
}

const struct tui_view_ops tui_view_rounds = {
	.name = "rounds",
	.draw = draw_rounds,
	.key = no_key,
};

/* The findings: a list pane, most severe first, and an overlay with one
 * finding's evidence and remedy. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reachmap/timefmt.h"

#include "tui/tuicurses.h"
#include "tui/ui.h"

static const char *severity_word(enum rm_severity s)
{
	return s == RM_SEV_ERROR ? "ERROR" : s == RM_SEV_WARNING ? "WARN " : "info ";
}

/* Whether the report says since when its findings hold (a collector's):
 * the list then gives each one's age. */
static bool has_since(const struct rm_report_doc *m)
{
	size_t i;

	for (i = 0; i < m->nfindings; i++)
		if (m->findings[i].since != (time_t)-1)
			return true;
	return false;
}

static void draw_list(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	int body = r->h - 1, i, x = r->x + 7;
	bool focused = t->focus == &tui_view_findings, ages = has_since(m);
	time_t now = time(NULL);
	char age[16];

	if (t->finding >= m->nfindings)
		t->finding = m->nfindings ? m->nfindings - 1 : 0;
	if (t->finding < t->finding_top)
		t->finding_top = t->finding;
	if (body > 0 && t->finding >= t->finding_top + (size_t)body)
		t->finding_top = t->finding - (size_t)body + 1;
	attron(focused ? A_REVERSE : A_BOLD);
	tui_fill(r->y, r->x, r->w);
	tui_putf(r->y, r->x, r->w, " Findings (%zu%s)%s", m->nfindings, ages ? ", how long" : "",
		 focused ? "  Up/Down: select  Enter: evidence and remedy  Tab: matrix"
			 : "  Tab: select");
	attroff(focused ? A_REVERSE : A_BOLD);
	for (i = 0; i < body; i++) {
		size_t k = t->finding_top + (size_t)i;
		const struct rm_report_finding *f;
		int y = r->y + 1 + i;

		tui_fill(y, r->x, r->w);
		if (k >= m->nfindings) {
			if (k == 0)
				tui_put(y, r->x + 1, r->w - 1, "no findings");
			continue;
		}
		f = &m->findings[k];
		if (focused && k == t->finding)
			attron(A_REVERSE);
		if (f->severity == RM_SEV_ERROR)
			tui_attr_class(t, TUI_CLASS_UNREACHABLE, true);
		else if (f->severity == RM_SEV_WARNING)
			tui_attr_class(t, TUI_CLASS_DEGRADED, true);
		tui_put(y, r->x + 1, 5, severity_word(f->severity));
		tui_attr_class(t, TUI_CLASS_UNREACHABLE, false);
		tui_attr_class(t, TUI_CLASS_DEGRADED, false);
		/* how long it has held: the collector's since */
		if (ages)
			tui_putf(y, r->x + 7, 4, "%3s", tui_age(f->since, now, age, sizeof(age)));
		tui_putf(y, x + (ages ? 5 : 0), r->w - (x - r->x) - (ages ? 5 : 0), "%s: %s",
			 f->kind, f->summary);
		attroff(A_REVERSE);
	}
}

static bool list_key(struct tui *t, int ch)
{
	size_t n = t->m->nfindings;

	switch (ch) {
	case KEY_UP:
	case 'k':
		t->finding -= t->finding > 0;
		return true;
	case KEY_DOWN:
	case 'j':
		t->finding += t->finding + 1 < n;
		return true;
	case KEY_HOME:
	case 'g':
		t->finding = 0;
		return true;
	case KEY_END:
	case 'G':
		t->finding = n ? n - 1 : 0;
		return true;
	case KEY_ENTER:
	case '\n':
	case '\r':
		if (n > 0) {
			t->overlay = &tui_view_finding;
			t->overlay_top = 0;
		}
		return true;
	default:
		return false;
	}
}

const struct tui_view_ops tui_view_findings = {
	.name = "findings",
	.draw = draw_list,
	.key = list_key,
};

static void draw_finding(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_finding *f = &t->m->findings[t->finding];
	struct tui_lines l = { 0 };
	char title[256], when[RM_TIME_STRLEN], age[16], since[32];
	time_t now = time(NULL);
	size_t i;

	snprintf(title, sizeof(title), "Finding %zu of %zu: %s (%s)", t->finding + 1,
		 t->m->nfindings, f->kind,
		 f->severity == RM_SEV_ERROR	 ? "error"
		 : f->severity == RM_SEV_WARNING ? "warning"
						 : "info");
	tui_lines_add(&l, "%s", "");
	tui_lines_add(&l, "from:     %s", f->from ? f->from : "-");
	tui_lines_add(&l, "to:       %s", f->to ? f->to : "-");
	if (f->protocol != NULL || f->ports != NULL)
		tui_lines_add(&l, "what:     %s%s%s", f->protocol ? f->protocol : "",
			      f->ports ? " ports " : "", f->ports ? f->ports : "");
	if (f->cells >= 0)
		tui_lines_add(&l, "cells:    %ld", f->cells);
	if (f->since != (time_t)-1)
		tui_lines_add(&l, "since:    %s (%s ago)",
			      rm_time_format(f->since, when, sizeof(when)),
			      tui_age(f->since, now, age, sizeof(age)));
	tui_lines_add(&l, "%s", "");
	tui_lines_wrap(&l, r->w - 2, "Summary:  ", 10, f->summary);
	tui_lines_add(&l, "%s", "");
	tui_lines_wrap(&l, r->w - 2, "Remedy:   ", 10, f->remedy ? f->remedy : "(none given)");
	tui_lines_add(&l, "%s", "");
	tui_lines_add(&l, "Evidence (%zu):", f->nevidence);
	for (i = 0; i < f->nevidence; i++) {
		const struct rm_report_evidence *e = &f->evidence[i];
		char port[16] = "";

		if (e->port > 0)
			snprintf(port, sizeof(port), "/%d", e->port);
		if (e->since != (time_t)-1)
			snprintf(since, sizeof(since), ", for %s",
				 tui_age(e->since, now, age, sizeof(age)));
		else
			since[0] = '\0';
		tui_lines_add(&l, "  %s -> %s %s%s %s%s%s%s%s%s", e->from ? e->from : "?",
			      e->to ? e->to : "?", e->check ? e->check : "?", port,
			      e->status ? e->status : "?",
			      e->arrived < 0 ? ""
			      : e->arrived   ? ", arrived"
					     : ", did not arrive",
			      since, e->address ? " (" : "", e->address ? e->address : "",
			      e->address ? ")" : "");
	}
	tui_overlay_draw(t, r, title, &l);
	tui_lines_free(&l);
}

const struct tui_view_ops tui_view_finding = {
	.name = "finding",
	.draw = draw_finding,
	.key = tui_overlay_key,
};

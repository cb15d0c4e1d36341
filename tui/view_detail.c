/* One probe -> member cell: every check's status and what matrix.cells
 * keeps about it (RTT, the ICMP sender, whether the far end saw it, DNS
 * answers). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/tuicurses.h"
#include "tui/ui.h"

static void describe_member(const struct rm_report_doc *m, uint32_t mi, char *buf, size_t len)
{
	const struct rm_report_member *mem = &m->members[mi];

	snprintf(buf, len, "%s (%s %s%s%s%s%s)", mem->name, m->clusters[mem->cluster].name,
		 mem->probe ? "probe" : "target", mem->zone ? ", " : "", mem->zone ? mem->zone : "",
		 mem->address ? ", " : "", mem->address ? mem->address : "");
}

/* Since when the cell has failed, as the collector's evidence says;
 * (time_t)-1 when no finding lists it (or the report is not live). */
static time_t cell_since(const struct rm_report_doc *m, const char *from, const char *to,
			 const struct rm_report_column *col)
{
	const char *check = rm_check_name(col->check);
	size_t i, k;

	for (i = 0; i < m->nfindings; i++)
		for (k = 0; k < m->findings[i].nevidence; k++) {
			const struct rm_report_evidence *e = &m->findings[i].evidence[k];

			if (e->since != (time_t)-1 && e->from != NULL && e->to != NULL &&
			    e->check != NULL && strcmp(e->from, from) == 0 &&
			    strcmp(e->to, to) == 0 && strcmp(e->check, check) == 0 &&
			    (col->check != RM_CHECK_TCP || e->port == col->port))
				return e->since;
		}
	return (time_t)-1;
}

/* ", last round 4s ago" from the collector's peers; "" otherwise. */
static void last_round(const struct tui_source *src, const char *name, char *buf, size_t len)
{
	char age[16];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < src->nseen; i++)
		if (strcmp(src->seen[i].name, name) == 0 && src->seen[i].last != (time_t)-1)
			snprintf(buf, len, ", last round %s ago",
				 tui_age(src->seen[i].last, time(NULL), age, sizeof(age)));
}

static void draw_detail(struct tui *t, const struct tui_rect *r)
{
	const struct rm_report_doc *m = t->m;
	struct tui_lines l = { 0 };
	char from[256], to[256], title[600], seen[48], age[16];
	size_t j;
	bool missing = false, live = false;
	time_t since;

	if (t->detail_from >= m->nfrom || t->detail_to >= m->nto) {
		t->overlay = NULL; /* the report changed under it */
		return;
	}
	describe_member(m, m->from[t->detail_from], from, sizeof(from));
	last_round(t->src, m->members[m->from[t->detail_from]].name, seen, sizeof(seen));
	describe_member(m, m->to[t->detail_to], to, sizeof(to));
	snprintf(title, sizeof(title), "Cell %s -> %s", m->members[m->from[t->detail_from]].name,
		 m->members[m->to[t->detail_to]].name);
	tui_lines_add(&l, "from: %s%s", from, seen);
	tui_lines_add(&l, "to:   %s", to);
	tui_lines_add(&l, "%s", "");
	for (j = 0; j < m->nfindings; j++)
		live = live || m->findings[j].since != (time_t)-1;
	tui_lines_add(&l, "  %-10s %-22s %-9s %-16s %-7s %s", "check", "status", "rtt", "icmp from",
		      "arrived", live ? "for" : "");
	for (j = 0; j < m->ncolumns; j++) {
		uint8_t st = report_doc_status(m, t->detail_from, t->detail_to, j);
		const struct rm_report_cell *c =
		    report_doc_cell(m, t->detail_from, t->detail_to, (uint32_t)j);
		enum tui_class cls = tui_status_class(m->columns[j].check, st);
		char status[40], rtt[16] = "-";

		snprintf(status, sizeof(status), "%c %s", tui_class_glyph(cls),
			 st == RM_REPORT_UNMEASURED ? "not measured"
						    : rm_status_name((enum rm_check_status)st));
		if (c == NULL) {
			if (st != RM_REPORT_UNMEASURED)
				missing = true;
			tui_lines_add(&l, "  %-10s %-22s %s", m->columns[j].label, status,
				      st == RM_REPORT_UNMEASURED ? "" : "(no details)");
			continue;
		}
		if (c->rtt_ms >= 0)
			snprintf(rtt, sizeof(rtt), "%.2f ms", c->rtt_ms);
		since = cell_since(m, m->members[m->from[t->detail_from]].name,
				   m->members[m->to[t->detail_to]].name, &m->columns[j]);
		tui_lines_add(&l, "  %-10s %-22s %-9s %-16s %-7s %s", m->columns[j].label, status,
			      rtt, c->icmp_from ? c->icmp_from : "-",
			      c->arrived < 0 ? "-"
			      : c->arrived   ? "yes"
					     : "no",
			      since == (time_t)-1 ? ""
						  : tui_age(since, time(NULL), age, sizeof(age)));
		/* free text on lines of its own: it would not fit in a column */
		if (c->answers != NULL && c->answers[0] != '\0')
			tui_lines_add(&l, "             answers: %s", c->answers);
		if (c->error != NULL && c->error[0] != '\0')
			tui_lines_add(&l, "             error: %s", c->error);
	}
	if (missing && !m->cells_complete) {
		tui_lines_add(&l, "%s", "");
		tui_lines_add(&l, "(details of healthy cells not kept for matrices this size)");
	}
	tui_overlay_draw(t, r, title, &l);
	tui_lines_free(&l);
}

const struct tui_view_ops tui_view_detail = {
	.name = "detail",
	.draw = draw_detail,
	.key = tui_overlay_key,
};

/* ?: the keys and the glyphs. */
#include <stdio.h>
#include <string.h>

#include "tui/tuicurses.h"
#include "tui/ui.h"

/* What each glyph stands for, with the statuses behind it. */
static const char *const legend[TUI_CLASS_COUNT] = {
	[TUI_CLASS_NONE] = "not measured",
	[TUI_CLASS_OK] = "ok: every check as it should be",
	[TUI_CLASS_DEGRADED] = "degraded: loss, snat, fragmentation needed",
	[TUI_CLASS_DNS] = "dns failure: nxdomain, servfail, wrong answer",
	[TUI_CLASS_REJECTED] = "rejected: refused, rejected, closed, mismatch, not-cql",
	[TUI_CLASS_DROPPED] = "dropped: filtered, timeout, blackhole, no responder",
	[TUI_CLASS_UNREACHABLE] = "unreachable: unreachable, no route",
};

static void draw_help(struct tui *t, const struct tui_rect *r)
{
	struct tui_lines l = { 0 };
	const char *s, *e;
	int c;

	tui_lines_add(&l, "Keys");
	tui_lines_add(&l, "  arrows, hjkl   move in the matrix or the findings");
	tui_lines_add(&l, "  PgUp, PgDn     a page; Home/g, End/G the first, the last");
	tui_lines_add(&l, "  Enter          clusters -> zones -> probes -> a cell's details;");
	tui_lines_add(&l, "                 on a finding: its evidence and remedy");
	tui_lines_add(&l, "  Backspace      up a level (Esc or Backspace closes this)");
	tui_lines_add(&l, "  Tab            switch between the matrix and the findings");
	tui_lines_add(&l, "  c, C           check selector: all, icmp, each tcp port, dns, ...");
	tui_lines_add(&l,
		      "  /              filter the probes (rows) by name; Enter keeps, Esc clears");
	tui_lines_add(&l, "  ?              this help;  q  quit");
	tui_lines_add(&l, "%s", "");
	tui_lines_add(&l, "Glyphs: a cell's worst status, then how many measurements fail");
	for (c = 0; c < TUI_CLASS_COUNT; c++)
		tui_lines_add(&l, "  %c  %s", tui_class_glyph((enum tui_class)c), legend[c]);
	tui_lines_add(&l, "%s", "");
	for (s = t->src->ops->help; *s != '\0'; s = *e ? e + 1 : e) {
		e = strchr(s, '\n');
		e = e != NULL ? e : s + strlen(s);
		tui_lines_add(&l, "%.*s", (int)(e - s), s);
	}
	tui_lines_add(&l, "Frames drawn: %lu, last %.1f ms, slowest %.1f ms; last matrix rebuild",
		      t->frames, t->frame_ms, t->slowest_frame_ms);
	tui_lines_add(&l, "%.1f ms.", t->rebuild_ms);
	tui_overlay_draw(t, r, "reachmap top: help", &l);
	tui_lines_free(&l);
}

const struct tui_view_ops tui_view_help = {
	.name = "help",
	.draw = draw_help,
	.key = tui_overlay_key,
};

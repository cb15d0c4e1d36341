/* ?: the keys and the glyphs. */
#include <stdio.h>

#include "tui/tuicurses.h"
#include "tui/ui.h"

static void draw_help(struct tui *t, const struct tui_rect *r)
{
	struct tui_lines l = { 0 };
	int c;

	tui_lines_add(&l, "Keys");
	tui_lines_add(&l, "  arrows, hjkl   move in the matrix or the findings");
	tui_lines_add(&l, "  PgUp, PgDn     a page; Home/g, End/G the first, the last");
	tui_lines_add(&l, "  Enter          clusters -> zones -> probes -> a cell's details;");
	tui_lines_add(&l, "                 on a finding: its evidence and remedy");
	tui_lines_add(&l, "  Backspace      up a level (or close this)");
	tui_lines_add(&l, "  Tab            switch between the matrix and the findings");
	tui_lines_add(&l, "  c, C           check selector: all, icmp, each tcp port, dns, ...");
	tui_lines_add(
	    &l, "  /              filter probes and targets by name (Enter keeps, Esc clears)");
	tui_lines_add(&l, "  ?              this help");
	tui_lines_add(&l, "  q              quit");
	tui_lines_add(&l, "%s", "");
	tui_lines_add(&l,
		      "Glyphs (a cell shows its worst status; the number: failing measurements)");
	for (c = 0; c < TUI_CLASS_COUNT; c++)
		tui_lines_add(&l, "  %c  %s", tui_class_glyph((enum tui_class)c),
			      tui_class_name((enum tui_class)c));
	tui_lines_add(&l, "%s", "");
	tui_lines_add(&l, "The report is re-read when its file changes.");
	tui_lines_add(&l, "Frames: %lu, last %.1f ms, slowest %.1f ms", t->frames, t->frame_ms,
		      t->slowest_frame_ms);
	tui_overlay_draw(t, r, "reachmap top: help", &l);
	tui_lines_free(&l);
}

const struct tui_view_ops tui_view_help = {
	.name = "help",
	.draw = draw_help,
	.key = tui_overlay_key,
};

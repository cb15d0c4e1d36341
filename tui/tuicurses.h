/* The one header that includes curses (CONVENTIONS.md): the rest of
 * reachmap never sees it, and inside tui/ every file reaches curses
 * through here, so the wide-character build and the colour pairs are
 * decided once. */
#ifndef REACHMAP_TUI_CURSES_H
#define REACHMAP_TUI_CURSES_H

#include <curses.h>

#include "tui/model.h"

/* Colour pairs: one per status class (pair = class + 1), then the chrome. */
enum {
	TUI_PAIR_CLASS = 1, /* + enum tui_class */
	TUI_PAIR_ERROR = TUI_PAIR_CLASS + TUI_CLASS_COUNT,
	TUI_PAIR_PASS,
};

#endif

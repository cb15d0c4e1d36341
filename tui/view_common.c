/* What every pane draws with: clipped text, class colours, overlays. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "tui/tuicurses.h"
#include "tui/ui.h"

void tui_fill(int y, int x, int w)
{
	if (w > 0)
		mvhline(y, x, ' ', w);
}

void tui_put(int y, int x, int w, const char *s)
{
	size_t len = strlen(s);

	if (w <= 0)
		return;
	if (len <= (size_t)w) {
		mvaddnstr(y, x, s, (int)len);
		return;
	}
	mvaddnstr(y, x, s, w - 1);
	addch('~');
}

void tui_putf(int y, int x, int w, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_put(y, x, w, buf);
}

void tui_attr_class(struct tui *t, enum tui_class cls, bool on)
{
	attr_t a = 0;

	if (t->color)
		a |= COLOR_PAIR(TUI_PAIR_CLASS + (int)cls);
	if (cls >= TUI_CLASS_REJECTED)
		a |= A_BOLD;
	if (on)
		attron(a);
	else
		attroff(a);
}

void tui_lines_add(struct tui_lines *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = rm_realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->truncated = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = rm_strdup(buf)) == NULL)
		l->truncated = true;
	else
		l->n++;
}

void tui_lines_wrap(struct tui_lines *l, int w, const char *first, int indent, const char *s)
{
	size_t fl = strlen(first);
	int width = w - indent;
	bool head = true;

	if (width < 20)
		width = 20;
	while (*s != '\0' || head) {
		size_t avail = (size_t)width, n = strlen(s);

		if (head && fl > (size_t)indent)
			avail = fl < (size_t)w ? (size_t)w - fl : 10;
		if (n > avail) {
			size_t cut = avail;

			while (cut > avail / 2 && s[cut] != ' ')
				cut--;
			if (s[cut] != ' ')
				cut = avail;
			n = cut;
		}
		if (head)
			tui_lines_add(l, "%s%*s%.*s", first,
				      fl < (size_t)indent ? indent - (int)fl : 0, "", (int)n, s);
		else
			tui_lines_add(l, "%*s%.*s", indent, "", (int)n, s);
		head = false;
		s += n;
		while (*s == ' ')
			s++;
	}
}

void tui_lines_free(struct tui_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rm_free(l->v[i]);
	rm_free(l->v);
	memset(l, 0, sizeof(*l));
}

void tui_overlay_draw(struct tui *t, const struct tui_rect *r, const char *title,
		      const struct tui_lines *l)
{
	int body = r->h - 2, i, max_top;

	t->overlay_lines = (int)l->n;
	max_top = (int)l->n > body ? (int)l->n - body : 0;
	if (t->overlay_top > max_top)
		t->overlay_top = max_top;
	if (t->overlay_top < 0)
		t->overlay_top = 0;
	attron(A_REVERSE);
	tui_fill(r->y, r->x, r->w);
	tui_put(r->y, r->x + 1, r->w - 2, title);
	attroff(A_REVERSE);
	for (i = 0; i < body; i++) {
		size_t k = (size_t)(t->overlay_top + i);

		tui_fill(r->y + 1 + i, r->x, r->w);
		if (k < l->n)
			tui_put(r->y + 1 + i, r->x + 1, r->w - 2, l->v[k]);
	}
	attron(A_REVERSE);
	tui_fill(r->y + r->h - 1, r->x, r->w);
	tui_putf(r->y + r->h - 1, r->x + 1, r->w - 2,
		 "Esc/Backspace: back  Up/Down/PgUp/PgDn: scroll%s%s", max_top ? "  (more)" : "",
		 l->truncated ? "  (out of memory: text cut)" : "");
	attroff(A_REVERSE);
}

bool tui_overlay_key(struct tui *t, int ch)
{
	int page = LINES - 4 > 1 ? LINES - 4 : 1;

	switch (ch) {
	case KEY_UP:
	case 'k':
		t->overlay_top--;
		return true;
	case KEY_DOWN:
	case 'j':
		t->overlay_top++;
		return true;
	case KEY_PPAGE:
		t->overlay_top -= page;
		return true;
	case KEY_NPAGE:
	case ' ':
		t->overlay_top += page;
		return true;
	case KEY_HOME:
		t->overlay_top = 0;
		return true;
	case KEY_END:
		t->overlay_top = t->overlay_lines;
		return true;
	case 27: /* Esc */
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case KEY_ENTER:
	case '\n':
	case '\r':
		t->overlay = NULL;
		t->overlay_top = 0;
		return true;
	default:
		return false;
	}
}

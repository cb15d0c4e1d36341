/* The dashboard's loop: draw, wait up to 100 ms for a key, re-read the
 * report when it changed. Signals: SIGINT and SIGTERM end the loop through
 * a flag; a crash signal restores the terminal in the handler and dies of
 * the signal again (as htop does), so a crash never leaves a shell in raw
 * mode on the alternate screen. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reachmap/error.h"
#include "tui/tuicurses.h"
#include "tui/ui.h"

#define TUI_TICK_MS 100

/* The one piece of mutable static state: a signal handler can reach
 * nothing else. */
static volatile sig_atomic_t tui_stop_signal;

static void on_stop(int sig)
{
	tui_stop_signal = sig;
}

static void on_crash(int sig)
{
	/* endwin is not async-signal-safe; the process is dying anyway, and a
	 * usable terminal is worth the risk (htop's CRT_handleSIGSEGV). */
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

static void install_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: getch returns and the loop sees the flag */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = (int)(SA_RESETHAND | SA_NODEFER);
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		sigaction(crash_signals[i], &sa, NULL);
}

static void restore_signals(void)
{
	size_t i;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		signal(crash_signals[i], SIG_DFL);
}

void tui_invalidate(struct tui *t)
{
	tui_agg_free(t->agg);
	t->agg = NULL;
	t->agg_failed = false;
}

struct tui_agg *tui_agg_current(struct tui *t)
{
	struct tui_agg *a;
	size_t i, n;

	if (t->agg != NULL || t->agg_failed)
		return t->agg;
	t->scope.filter = t->filter;
	if (tui_agg_build(t->m, &t->scope, &t->agg) != RM_OK) {
		t->agg_failed = true;
		return NULL;
	}
	a = t->agg;
	t->row_label_w = t->col_label_w = 0;
	for (i = 0; i < a->nrows; i++)
		if ((n = strlen(a->rows[i].label)) > t->row_label_w)
			t->row_label_w = n;
	for (i = 0; i < a->ncols; i++)
		if ((n = strlen(a->cols[i].label)) > t->col_label_w)
			t->col_label_w = n;
	if (t->cur.row >= a->nrows)
		t->cur.row = a->nrows ? a->nrows - 1 : 0;
	if (t->cur.col >= a->ncols)
		t->cur.col = a->ncols ? a->ncols - 1 : 0;
	return a;
}

static void age_text(time_t then, char *buf, size_t len)
{
	char age[16];

	if (then == (time_t)-1)
		snprintf(buf, len, "age unknown");
	else if (then > time(NULL))
		snprintf(buf, len, "in the future");
	else
		snprintf(buf, len, "%s old", tui_age(then, time(NULL), age, sizeof(age)));
}

static void breadcrumb(const struct tui *t, char *buf, size_t len)
{
	const struct rm_report_doc *m = t->m;
	const struct tui_scope *s = &t->scope;

	if (s->level == TUI_LEVEL_CLUSTER) {
		snprintf(buf, len, "[clusters]");
		return;
	}
	if (s->level == TUI_LEVEL_ZONE) {
		snprintf(buf, len, "%s -> %s [zones]", m->clusters[s->cluster_from].name,
			 m->clusters[s->cluster_to].name);
		return;
	}
	{
		const struct rm_report_cluster *a = &m->clusters[s->cluster_from];
		const struct rm_report_cluster *b = &m->clusters[s->cluster_to];

		snprintf(buf, len, "%s/%s -> %s/%s [probes]", a->name,
			 s->zone_from < a->nzones ? a->zones[s->zone_from] : "(no zone)", b->name,
			 s->zone_to < b->nzones ? b->zones[s->zone_to] : "(no zone)");
	}
}

/* The error of the last re-read without the file name the header shows. */
static const char *reload_error(const struct tui *t)
{
	size_t n = strlen(t->src->label);

	if (strncmp(t->reload.error, t->src->label, n) == 0 && t->reload.error[n] == ':')
		return t->reload.error + n + 2;
	return t->reload.error;
}

static void draw_header(struct tui *t)
{
	const struct rm_report_doc *m = t->m;
	bool pass = strcmp(m->verdict, "pass") == 0;
	char age[32], crumb[256];
	struct tui_agg *a = tui_agg_current(t);
	const char *check = t->scope.column < 0 ? "all" : m->columns[t->scope.column].label;

	tui_fill(0, 0, COLS);
	tui_fill(1, 0, COLS);
	attron(A_BOLD);
	tui_put(0, 0, 13, "reachmap top");
	if (t->color)
		attron(COLOR_PAIR(pass ? TUI_PAIR_PASS : TUI_PAIR_ERROR));
	attron(A_REVERSE);
	tui_put(0, 13, 6, pass ? " PASS " : " FAIL ");
	attroff(A_REVERSE);
	if (t->color)
		attroff(COLOR_PAIR(pass ? TUI_PAIR_PASS : TUI_PAIR_ERROR));
	attroff(A_BOLD);
	if (t->src->as_of != (time_t)-1) {
		/* live: the data is as old as the collector's last answer */
		age_text(t->src->as_of, age, sizeof(age));
		tui_putf(0, 20, COLS - 20, "%ld errors %ld warnings %ld info  collector's, %s",
			 m->errors, m->warnings, m->info, age);
	} else {
		age_text(m->generated_t, age, sizeof(age));
		tui_putf(0, 20, COLS - 20, "%ld errors %ld warnings %ld info  %s, %s", m->errors,
			 m->warnings, m->info, m->generated ? m->generated : "time unknown", age);
	}
	breadcrumb(t, crumb, sizeof(crumb));
	if (t->reload.error[0] != '\0') {
		if (t->color)
			attron(COLOR_PAIR(TUI_PAIR_ERROR));
		attron(A_BOLD);
		tui_putf(1, 0, COLS, "%s%s%s", t->src->ops->stale_before, reload_error(t),
			 t->src->ops->stale_after);
		attroff(A_BOLD);
		if (t->color)
			attroff(COLOR_PAIR(TUI_PAIR_ERROR));
		return;
	}
	tui_putf(1, 0, COLS, "%s | check: %s | filter: %s%s | failing cells %u of %zu", crumb,
		 check, t->filter[0] || t->editing_filter ? t->filter : "-",
		 t->editing_filter ? "_" : "", a ? a->failing_cells : 0,
		 a ? a->nrows * a->ncols : 0);
}

static void draw_footer(struct tui *t)
{
	attron(A_REVERSE);
	tui_fill(LINES - 1, 0, COLS);
	if (t->editing_filter)
		tui_put(
		    LINES - 1, 0, COLS,
		    " filter: type a part of a name  Enter: keep  Esc: clear  Backspace: erase");
	else
		tui_put(LINES - 1, 0, COLS,
			" ?:help  q:quit  Enter:drill  Bksp:up  Tab:findings  c:check  /:filter");
	attroff(A_REVERSE);
}

static void draw_too_small(void)
{
	char msg[80];
	int n = snprintf(msg, sizeof(msg), "terminal too small: %dx%d needed, have %dx%d",
			 TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
	int x = (COLS - n) / 2;

	erase();
	mvaddnstr(LINES / 2, x > 0 ? x : 0, msg, COLS);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The first screen (clusters): the matrix as tall as its rows, the
 * cluster-pair table and, from a collector, the probes' last rounds
 * under it, the findings in what is left (at least half of it when they
 * need that much). Deeper levels give the matrix two thirds. */
static void layout_first(struct tui *t, int avail, struct tui_rect *mat, struct tui_rect *pairs,
			 struct tui_rect *rounds, struct tui_rect *fnd)
{
	const struct rm_report_doc *m = t->m;
	struct tui_agg *a = tui_agg_current(t);
	int mh = a != NULL ? (int)a->nrows + 2 : 4, rh = t->src->seen != NULL, rest, fh, th;

	if (mh < 4)
		mh = 4;
	if (mh > avail / 2)
		mh = avail / 2;
	rest = avail - mh - rh;
	fh = (int)m->nfindings + 1 < rest / 2 ? (int)m->nfindings + 1 : rest / 2;
	if (fh < 2)
		fh = 2;
	th = (int)m->npairs + 2 < rest - fh ? (int)m->npairs + 2 : rest - fh;
	if (th < 3)
		th = 0;
	fh = rest - th;
	*mat = (struct tui_rect){ 2, 0, mh, COLS };
	*pairs = (struct tui_rect){ 2 + mh, 0, th, COLS };
	*rounds = (struct tui_rect){ 2 + mh + th, 0, rh, COLS };
	*fnd = (struct tui_rect){ 2 + mh + th + rh, 0, fh, COLS };
}

static void draw(struct tui *t)
{
	struct tui_rect full = { 0, 0, LINES, COLS }, mat, fnd, pairs = { 0 }, rounds = { 0 };
	int avail, fh;

	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		draw_too_small();
		return;
	}
	if (t->overlay != NULL) {
		t->overlay->draw(t, &full);
		if (t->overlay != NULL)
			return;
	}
	/* header 2 lines, footer 1 */
	avail = LINES - 3;
	if (t->scope.level == TUI_LEVEL_CLUSTER && t->m->npairs > 0 && t->m->has_grid) {
		layout_first(t, avail, &mat, &pairs, &rounds, &fnd);
	} else {
		/* the findings take a third of the rest (at most what they
		 * need), the matrix the remainder */
		fh = avail / 3;
		if (fh > (int)t->m->nfindings + 1)
			fh = (int)t->m->nfindings + 1;
		if (fh < 2)
			fh = 2;
		mat = (struct tui_rect){ 2, 0, avail - fh, COLS };
		fnd = (struct tui_rect){ 2 + avail - fh, 0, fh, COLS };
	}
	draw_header(t);
	tui_view_matrix.draw(t, &mat);
	if (pairs.h > 0)
		tui_view_pairs.draw(t, &pairs);
	if (rounds.h > 0)
		tui_view_rounds.draw(t, &rounds);
	tui_view_findings.draw(t, &fnd);
	draw_footer(t);
}

static void next_check(struct tui *t, int step)
{
	int n = (int)t->m->ncolumns + 1; /* "all" is -1 */

	t->scope.column = (t->scope.column + 1 + step + n) % n - 1;
	tui_invalidate(t);
}

static void filter_key(struct tui *t, int ch)
{
	size_t n = strlen(t->filter);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->editing_filter = false;
	} else if (ch == 27) {
		t->editing_filter = false;
		t->filter[0] = '\0';
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n > 0)
			t->filter[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->filter)) {
		t->filter[n] = (char)ch;
		t->filter[n + 1] = '\0';
	} else {
		return;
	}
	memset(&t->cur, 0, sizeof(t->cur));
	tui_invalidate(t);
}

/* false: quit */
static bool handle_key(struct tui *t, int ch)
{
	if (t->editing_filter) {
		filter_key(t, ch);
		return true;
	}
	if (ch == 'q' || ch == 'Q')
		return false;
	if (ch == KEY_RESIZE)
		return true;
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES)
		return true;
	if (t->overlay != NULL) {
		if (ch == '?' && t->overlay != &tui_view_help) {
			t->overlay = &tui_view_help;
			t->overlay_top = 0;
			return true;
		}
		t->overlay->key(t, ch);
		return true;
	}
	switch (ch) {
	case '?':
		t->overlay = &tui_view_help;
		t->overlay_top = 0;
		return true;
	case '\t':
		t->focus = t->focus == &tui_view_matrix ? &tui_view_findings : &tui_view_matrix;
		return true;
	case 'c':
		next_check(t, 1);
		return true;
	case 'C':
		next_check(t, -1);
		return true;
	case '/':
		t->editing_filter = true;
		return true;
	default:
		t->focus->key(t, ch);
		return true;
	}
}

/* A new model: keep the view where it can still be. */
static void model_changed(struct tui *t)
{
	const struct rm_report_doc *m = t->src->model;

	t->m = m;
	if (t->scope.cluster_from >= m->nclusters || t->scope.cluster_to >= m->nclusters) {
		t->scope.level = TUI_LEVEL_CLUSTER;
		memset(&t->cur, 0, sizeof(t->cur));
	}
	if (t->scope.column >= (int)m->ncolumns)
		t->scope.column = -1;
	if (t->overlay == &tui_view_finding && t->finding >= m->nfindings)
		t->overlay = NULL;
	tui_invalidate(t);
}

static void init_colors(struct tui *t)
{
	static const short fg[TUI_CLASS_COUNT] = {
		[TUI_CLASS_NONE] = -1,
		[TUI_CLASS_OK] = COLOR_GREEN,
		[TUI_CLASS_DEGRADED] = COLOR_YELLOW,
		[TUI_CLASS_DNS] = COLOR_MAGENTA,
		[TUI_CLASS_REJECTED] = COLOR_RED,
		[TUI_CLASS_DROPPED] = COLOR_RED,
		[TUI_CLASS_UNREACHABLE] = COLOR_RED,
	};
	int c;

	if (!t->opt->color || !has_colors() || start_color() == ERR) {
		t->color = false;
		return;
	}
	use_default_colors();
	for (c = 0; c < TUI_CLASS_COUNT; c++)
		init_pair((short)(TUI_PAIR_CLASS + c), fg[c], -1);
	init_pair(TUI_PAIR_ERROR, COLOR_RED, -1);
	init_pair(TUI_PAIR_PASS, COLOR_GREEN, -1);
	t->color = true;
}

int tui_top_run(struct tui_source *src, const struct tui_options *opt, int *signo)
{
	struct tui t;
	SCREEN *screen;
	bool run = true;

	*signo = 0;
	memset(&t, 0, sizeof(t));
	t.src = src;
	t.opt = opt;
	t.m = src->model;
	t.scope.column = -1;
	t.focus = &tui_view_matrix;
	tui_stop_signal = 0;
	setlocale(LC_ALL, "");
	/* newterm, not initscr: initscr exits the process on an unknown TERM */
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL)
		return RM_ESYS;
	set_term(screen);
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(TUI_TICK_MS);
	init_colors(&t);
	while (run && tui_stop_signal == 0) {
		double t0;
		bool changed;
		int ch;

		if (src->ops->poll(src, &changed, &t.reload) == RM_OK && changed) {
			rm_diag_clear(&t.reload);
			model_changed(&t);
		}
		/* The aggregate is rebuilt on a change only; timed apart from
		 * the frame, whose cost must not grow with the matrix. */
		if (t.agg == NULL) {
			t0 = now_ms();
			tui_agg_current(&t);
			t.rebuild_ms = now_ms() - t0;
		}
		t0 = now_ms();
		erase();
		draw(&t);
		refresh();
		t.frame_ms = now_ms() - t0;
		if (t.frame_ms > t.slowest_frame_ms)
			t.slowest_frame_ms = t.frame_ms;
		t.frames++;
		if (opt->iterations > 0 && t.frames >= (unsigned long)opt->iterations)
			break;
		ch = getch();
		if (ch != ERR)
			run = handle_key(&t, ch);
	}
	endwin();
	restore_signals();
	delscreen(screen);
	tui_invalidate(&t);
	*signo = tui_stop_signal;
	return RM_OK;
}

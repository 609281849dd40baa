/*
 * The console's windows and drawing: one window per screen area, redrawn
 * only when dirty, each wnoutrefresh'ed, then a single doupdate per loop
 * turn (tmux server_client_check_redraw).
 */
#include <stdio.h>
#include <string.h>

#include "bars.h"
#include "colors.h"
#include "console-int.h"
#include "dialog.h"
#include "layout.h"
#include "pane.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"

static const char filter_label[] = " Filter: ";
static const char filter_hint[] = "  Enter apply  Esc cancel ";

void
screen_init(void)
{
	con.keys = newpad(1, 1);
	keypad(con.keys, TRUE);
	nodelay(con.keys, TRUE);
	colors_set_surface(stdscr, ROLE_DEFAULT);
}

static void
window_del(WINDOW **w)
{
	if (*w == NULL)
		return;
	colors_forget(*w);
	delwin(*w);
	*w = NULL;
}

static WINDOW *
window_new(const struct rect *r, enum theme_role surface, bool cursor)
{
	WINDOW	*w;

	if (r->h <= 0 || r->w <= 0)
		return NULL;
	if ((w = newwin(r->h, r->w, r->y, r->x)) == NULL)
		return NULL;
	leaveok(w, !cursor);
	colors_set_surface(w, surface);
	return w;
}

static void
windows_destroy(void)
{
	size_t	i;

	for (i = 0; i < con.npanes; i++) {
		window_del(&con.panes[i]->frame);
		window_del(&con.panes[i]->win);
	}
	window_del(&con.header);
	window_del(&con.footer);
}

static void
windows_build(void)
{
	struct rect	 inner;
	struct dialog	*d;
	size_t		 i;

	layout_compute(&con.layout, COLS, LINES, con.npanes);
	for (d = con.dialog; d != NULL; d = d->below)
		dialog_place(d, COLS, LINES);
	if (con.layout.mode == LAYOUT_TOO_SMALL)
		return;
	con.header = window_new(&con.layout.header, ROLE_HEADER, false);
	con.footer = window_new(&con.layout.footer, ROLE_FOOTER, true);
	for (i = 0; i < con.npanes; i++) {
		inner = con.layout.panes[i];
		con.panes[i]->frame = window_new(&inner, ROLE_DEFAULT, false);
		inner.y++;
		inner.x++;
		inner.h -= 2;
		inner.w -= 2;
		con.panes[i]->win = window_new(&inner, ROLE_DEFAULT, false);
	}
}

void
screen_free(void)
{
	windows_destroy();
	if (con.keys != NULL)
		delwin(con.keys);
	con.keys = NULL;
	colors_forget(stdscr);
}

/* ------------------------------------------------------------ areas */

static void
draw_too_small(void)
{
	char	msg[96];
	int	y = LINES / 2 - 1;

	werase(stdscr);
	snprintf(msg, sizeof msg, "terminal too small (%dx%d), need %dx%d",
	    COLS, LINES, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	widget_text(stdscr, y > 0 ? y : 0, 0, COLS, ROLE_WARN, ALIGN_CENTER,
	    msg);
	if (y + 1 < LINES)
		widget_text(stdscr, y + 1, 0, COLS, ROLE_DEFAULT, ALIGN_CENTER,
		    "q quits");
	wnoutrefresh(stdscr);
}

static void
draw_header(void)
{
	struct bar_source	src[LAYOUT_MAX_PANES];
	struct bar_header	h;
	struct pane		*p;
	size_t			i;

	memset(src, 0, sizeof src);
	for (i = 0; i < con.npanes; i++) {
		p = con.panes[i];
		src[i].title = p->ops->title;
		src[i].active = i == con.focus;
		src[i].role = ROLE_UNKNOWN;
		snprintf(src[i].state, sizeof src[i].state, "no data");
		if (p->ops->state != NULL)
			src[i].role = p->ops->state(p, src[i].state,
			    sizeof src[i].state);
	}
	h.profile = con.profile;
	h.sources = src;
	h.nsources = con.npanes;
	h.numbered = con.layout.mode == LAYOUT_TABS;
	h.read_only = con.read_only;
	h.clock = con.clock;
	bars_header(con.header, &h);
	wnoutrefresh(con.header);
}

static void
draw_pane(struct pane *p, bool focused)
{
	int	h, w;

	if (p->frame == NULL || p->win == NULL)
		return;
	getmaxyx(p->frame, h, w);
	werase(p->frame);
	widget_box(p->frame, 0, 0, h, w, ROLE_PANE_BORDER, p->ops->title,
	    focused ? ROLE_PANE_TITLE_ACTIVE : ROLE_PANE_TITLE);
	wnoutrefresh(p->frame);
	werase(p->win);
	p->ops->draw(p, p->win, focused);
	wnoutrefresh(p->win);
	p->dirty = false;
}

static void
draw_footer(void)
{
	int	w = getmaxx(con.footer), lw, hw;

	if (!con.filtering) {
		if (con.status != NULL)
			bars_status(con.footer, con.status_role, con.status);
		else
			bars_hints(con.footer, con.panes[con.focus]->ops->name);
		wnoutrefresh(con.footer);
		return;
	}
	werase(con.footer);
	lw = widget_put(con.footer, 0, 0, w, ROLE_FOOTER, filter_label);
	hw = widget_width(filter_hint);
	if (w - lw - hw < 20)
		hw = 0;
	if (hw > 0)
		widget_put(con.footer, 0, w - hw, hw, ROLE_FOOTER, filter_hint);
	input_draw(&con.filter, con.footer, 0, lw, w - lw - hw, ROLE_INPUT);
	wnoutrefresh(con.footer);
}

/* The dialog stack, bottom first. */
static void
draw_dialogs(struct dialog *d)
{
	if (d == NULL)
		return;
	draw_dialogs(d->below);
	if (d->win == NULL)
		return;
	dialog_draw(d);
	wnoutrefresh(d->win);
}

/* Who shows a text cursor: the top dialog if it types, else the filter. */
static WINDOW *
cursor_owner(void)
{
	if (con.dialog != NULL)
		return con.dialog->cursor ? con.dialog->win : NULL;
	return con.filtering ? con.footer : NULL;
}

static bool
draw_panes(void)
{
	struct pane	*p;
	size_t		 i;
	bool		 any = false;

	for (i = 0; i < con.npanes; i++) {
		p = con.panes[i];
		if (con.dirty & DIRTY_PANES)
			p->dirty = true;
		if (con.layout.mode == LAYOUT_TABS && i != con.focus) {
			p->dirty = false;	/* drawn when it shows */
			continue;
		}
		if (p->dirty) {
			draw_pane(p, i == con.focus);
			any = true;
		}
	}
	return any;
}

/* Drawing waits while this much output is still queued for the terminal. */
#define BACKLOG_MAX	4096

static bool
anything_dirty(void)
{
	size_t	i;

	for (i = 0; i < con.npanes; i++) {
		if (con.panes[i]->dirty)
			return true;
	}
	return con.dirty != 0;
}

bool
screen_draw(void)
{
	WINDOW	*cur;
	size_t	 i;
	bool	 any = false;

	if (!anything_dirty())
		return true;
	/* over a slow link, draw the latest state once it can go out */
	if (!(con.dirty & DIRTY_LAYOUT) && ui_backlog() > BACKLOG_MAX)
		return false;
	if (con.dirty & DIRTY_LAYOUT) {
		windows_destroy();
		windows_build();
		con.dirty = DIRTY_ALL;
	}
	if (con.layout.mode == LAYOUT_TOO_SMALL) {
		for (i = 0; i < con.npanes; i++)
			con.panes[i]->dirty = false;
		if (con.dirty != 0) {
			draw_too_small();
			doupdate();
		}
		con.dirty = 0;
		return true;
	}
	if (con.dirty & DIRTY_HEADER) {
		draw_header();
		any = true;
	}
	any |= draw_panes();
	if (con.dirty & DIRTY_FOOTER) {
		draw_footer();
		any = true;
	}
	if (con.dialog != NULL && (any || (con.dirty & DIRTY_DIALOG))) {
		draw_dialogs(con.dialog);
		any = true;
	}
	cur = cursor_owner();
	if (cur != NULL)
		wnoutrefresh(cur);	/* last, so the cursor lands in it */
	if ((cur != NULL) != con.cursor) {
		con.cursor = cur != NULL;
		curs_set(con.cursor ? 1 : 0);
		any = true;
	}
	if (any)
		doupdate();
	con.dirty = 0;
	return true;
}

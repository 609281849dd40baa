/*
 * The console's loop and its dispatch: keys to actions to reactions,
 * signals to events, timers to dirty flags. Drawing is in console-draw.c.
 */
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "colors.h"
#include "console.h"
#include "console-int.h"
#include "dialog.h"
#include "help.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "pane-placeholder.h"
#include "pane.h"
#include "signals.h"
#include "theme.h"
#include "ui.h"
#include "util.h"
#include "xmalloc.h"

/* Readable stdin without keys this many turns in a row: it is gone. */
#define EMPTY_READS_MAX	64
/* How soon to try again when the terminal is behind. */
#define RETRY_MS	40

struct console	con;

/* ------------------------------------------------------------ API */

struct pane *
console_add_pane(const struct pane_ops *ops, void *state)
{
	struct pane	*p;

	if (con.npanes == LAYOUT_MAX_PANES) {
		log_error("console: more than %d panes; '%s' left out",
		    LAYOUT_MAX_PANES, ops->name);
		if (ops->free != NULL)
			ops->free(state);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->ops = ops;
	p->state = state;
	p->index = con.npanes;
	p->dirty = true;
	con.panes[con.npanes++] = p;
	con.dirty |= DIRTY_LAYOUT;
	return p;
}

void
console_set_status(enum theme_role role, const char *fmt, ...)
{
	va_list	ap;

	free(con.status);
	va_start(ap, fmt);
	con.status = xvasprintf(fmt, ap);
	va_end(ap);
	con.status_role = role;
	con.dirty |= DIRTY_FOOTER;
	log_info("console: %s", con.status);
}

static void
status_clear(void)
{
	if (con.status == NULL)
		return;
	free(con.status);
	con.status = NULL;
	con.dirty |= DIRTY_FOOTER;
}

void
console_mark_dirty(void)
{
	con.dirty |= DIRTY_ALL;
}

void
console_pane_dirty(struct pane *p)
{
	if (p != NULL)
		p->dirty = true;
	con.dirty |= DIRTY_HEADER;	/* its state may have changed too */
}

void
console_header_dirty(void)
{
	con.dirty |= DIRTY_HEADER;
}

void
console_open_dialog(struct dialog *d)
{
	d->below = con.dialog;
	con.dialog = d;
	if (con.running)
		dialog_place(d, con.layout.cols, con.layout.rows);
	con.dirty |= DIRTY_DIALOG;
}

bool
console_read_only(void)
{
	return con.read_only;
}

struct loop *
console_loop(void)
{
	return con.loop;
}

/* ------------------------------------------------------------ reactions */

static struct pane *
focused(void)
{
	return con.npanes > 0 ? con.panes[con.focus] : NULL;
}

static void
dialog_close(struct dialog *d)
{
	struct dialog	**pp;

	for (pp = &con.dialog; *pp != NULL; pp = &(*pp)->below) {
		if (*pp == d) {
			*pp = d->below;
			break;
		}
	}
	dialog_free(d);
	con.dirty |= DIRTY_ALL;
}

static void
refresh_all(void)
{
	size_t	i;

	for (i = 0; i < con.npanes; i++) {
		if (con.panes[i]->ops->fetch != NULL)
			con.panes[i]->ops->fetch(con.panes[i]);
	}
	con.dirty |= DIRTY_HEADER;
}

static void
react(int flags, struct pane *p)
{
	if (flags & REACT_QUIT)
		con.quit = true;
	if ((flags & REACT_REDRAW) && p != NULL)
		p->dirty = true;
	if (flags & REACT_REDRAW_ALL)
		con.dirty |= DIRTY_ALL;
	if (flags & REACT_HEADER)
		con.dirty |= DIRTY_HEADER;
	if (flags & REACT_REFRESH)
		refresh_all();
}

static void
focus_set(size_t i)
{
	if (i >= con.npanes || i == con.focus)
		return;
	con.focus = i;
	con.dirty |= DIRTY_ALL;
}

static void
theme_next_one(void)
{
	struct theme	*t;
	char		*name, *cause = NULL;

	name = theme_next(con.theme->name);
	if (theme_load(name, &t, &cause) != 0) {
		console_set_status(ROLE_ERROR, "theme %s", cause);
		free(cause);
		free(name);
		return;
	}
	free(name);
	theme_free(con.theme);
	con.theme = t;
	colors_apply(t);
	con.dirty |= DIRTY_ALL;
	console_set_status(ROLE_FOOTER, "theme: %s%s", t->title,
	    colors_mono() ? " (attributes only: no colours here)" : "");
}

/* ------------------------------------------------------------ filter */

static void
filter_apply(struct pane *p, const char *text)
{
	free(p->filter);
	p->filter = xstrdup(text);
	p->ops->filter(p, text);
	p->dirty = true;
}

static void
filter_start(struct pane *p)
{
	if (p->ops->filter == NULL) {
		console_set_status(ROLE_WARN, "%s has nothing to filter",
		    p->ops->title);
		return;
	}
	input_init(&con.filter, p->filter);
	free(con.filter_before);
	con.filter_before = xstrdup(p->filter != NULL ? p->filter : "");
	con.filtering = true;
	con.dirty |= DIRTY_FOOTER;
}

static void
filter_key(int key)
{
	struct pane	*p = focused();
	char		*text;

	switch (input_key(&con.filter, key)) {
	case INPUT_CHANGED:
		text = input_text(&con.filter);
		filter_apply(p, text);	/* narrows as you type */
		free(text);
		break;
	case INPUT_ACCEPT:
		con.filtering = false;
		break;
	case INPUT_CANCEL:
		filter_apply(p, con.filter_before);
		con.filtering = false;
		break;
	default:
		break;
	}
	con.dirty |= DIRTY_FOOTER;
}

/* ------------------------------------------------------------ keys */

static int
global_action(enum action act, int key)
{
	switch (act) {
	case ACT_QUIT:
		return REACT_QUIT;
	case ACT_HELP:
		console_open_dialog(help_new(con.panes, con.npanes, con.theme));
		return REACT_NONE;
	case ACT_NEXT_PANE:
	case ACT_RIGHT:
		focus_set((con.focus + 1) % con.npanes);
		return REACT_NONE;
	case ACT_PREV_PANE:
	case ACT_LEFT:
		focus_set((con.focus + con.npanes - 1) % con.npanes);
		return REACT_NONE;
	case ACT_GOTO_PANE:
		focus_set((size_t)(key - '1'));
		return REACT_NONE;
	case ACT_REFRESH:
		return REACT_REFRESH;
	case ACT_THEME:
		theme_next_one();
		return REACT_NONE;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		return REACT_REDRAW_ALL;
	case ACT_BACK:
		if (focused()->filter != NULL && *focused()->filter != '\0') {
			filter_apply(focused(), "");
			return REACT_HEADER;
		}
		return REACT_NONE;
	default:
		return REACT_NONE;
	}
}

/* A pane action: the console's own ones, else the pane's. */
static int
pane_action(struct pane *p, enum action act)
{
	if (act == ACT_FILTER) {
		filter_start(p);
		return REACT_NONE;
	}
	if (p->ops->action == NULL)
		return REACT_PASS;
	return p->ops->action(p, act);
}

static void
key_panes(int key)
{
	struct pane	*p = focused();
	enum action	 act, gact;
	int		 r = REACT_PASS;

	act = keys_lookup(KEYCTX_PANE, p->ops->name, key);
	if (act != ACT_NONE) {
		r = pane_action(p, act);
		react(r & ~REACT_PASS, p);
		if (!(r & REACT_PASS))
			return;
	}
	gact = keys_lookup(KEYCTX_GLOBAL, NULL, key);
	/* what the pane passed on: Left/Right change pane, Esc unfilters */
	if (gact == ACT_NONE && (act == ACT_LEFT || act == ACT_RIGHT ||
	    act == ACT_BACK))
		gact = act;
	react(global_action(gact, key), NULL);
}

static void
key_dialog(int key)
{
	struct dialog	*d = con.dialog;
	int		 r;

	r = dialog_key(d, key);
	if (r & REACT_CLOSE)
		dialog_close(d);
	else if (r & REACT_REDRAW)
		con.dirty |= DIRTY_DIALOG;
	react(r & ~REACT_REDRAW, NULL);
}

static void
key_one(int key)
{
	if (key == KEYC_FN(KEY_RESIZE)) {
		con.dirty |= DIRTY_LAYOUT;
		return;
	}
	if (con.layout.mode == LAYOUT_TOO_SMALL || con.npanes == 0) {
		if (keys_lookup(KEYCTX_GLOBAL, NULL, key) == ACT_QUIT)
			con.quit = true;
		return;
	}
	if (!con.filtering)
		status_clear();
	if (con.dialog != NULL)
		key_dialog(key);
	else if (con.filtering)
		filter_key(key);
	else
		key_panes(key);
}

/* True when stdin reports a hang-up or error: the terminal is gone. */
static bool
stdin_gone(void)
{
	struct pollfd	pfd = { STDIN_FILENO, POLLIN, 0 };

	if (poll(&pfd, 1, 0) < 0)
		return false;
	return (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static void
keys_drain(void)
{
	int	key, n = 0;

	while (!con.quit && (key = keys_read(con.keys)) != 0) {
		key_one(key);
		n++;
	}
	if (n > 0) {
		con.empty_reads = 0;
		return;
	}
	if (stdin_gone() || ++con.empty_reads > EMPTY_READS_MAX) {
		log_warn("console: the terminal went away");
		con.quit = true;
	}
}

/* ------------------------------------------------------------ events */

static void
signals_handle(void)
{
	int	ev, signo = 0;

	ev = signals_take(&signo);
	if (ev & SIGEV_QUIT) {
		log_info("console: %s, quitting", strsignal(signo));
		con.quit = true;
	}
	if (ev & SIGEV_RESIZE) {
		ui_resize();
		clearok(curscr, TRUE);
		con.dirty |= DIRTY_LAYOUT;
	}
}

/* The header clock: HH:MM:SS, woken on each second's boundary. */
static void
clock_tick(void *arg)
{
	int64_t		now = util_wall_ms();
	time_t		t = (time_t)(now / 1000);
	struct tm	tm;
	char		buf[sizeof con.clock];

	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%H:%M:%S", &tm);
	if (strcmp(buf, con.clock) != 0) {
		memcpy(con.clock, buf, sizeof con.clock);
		con.dirty |= DIRTY_HEADER;
	}
	con.clock_timer = loop_timer_add(con.loop, 1000 - now % 1000 + 2,
	    clock_tick, NULL);
}

static void
retry_fire(void *arg)
{
	con.retry_timer = NULL;		/* waking the loop was the point */
}

/* Wakes the loop soon to try drawing again. */
static void
draw_later(void)
{
	if (con.retry_timer == NULL)
		con.retry_timer = loop_timer_add(con.loop, RETRY_MS,
		    retry_fire, NULL);
}

/* ------------------------------------------------------------ run */

static void
panes_free(void)
{
	struct pane	*p;
	size_t		 i;

	for (i = 0; i < con.npanes; i++) {
		p = con.panes[i];
		if (p->ops->free != NULL)
			p->ops->free(p->state);
		free(p->filter);
		free(p);
	}
	con.npanes = 0;
}

/* The placeholders stand in when no pane was added (or tests ask). */
static void
panes_choose(void)
{
	const char	*env = getenv("CHOPS_PLACEHOLDER_PANES");

	if (con.npanes > 0 && (env == NULL || *env == '\0' ||
	    strcmp(env, "0") == 0))
		return;
	panes_free();
	pane_placeholder_add_all();
}

static int
console_start(const struct console_opts *opts, char **cause)
{
	char	*why = NULL;

	con.loop = opts->loop;
	con.profile = opts->profile;
	con.read_only = opts->read_only;
	ui_locale();		/* before panes make text: UTF-8 or not */
	panes_choose();
	con.theme = theme_open(opts->theme, &why);
	signals_install(con.loop);
	if (ui_start(cause) != 0) {
		signals_restore();
		theme_free(con.theme);
		con.theme = NULL;
		free(why);
		return -1;
	}
	con.running = true;
	colors_apply(con.theme);
	if (why != NULL) {
		console_set_status(ROLE_ERROR, "%s", why);
		free(why);
	}
	screen_init();
	clock_tick(NULL);
	con.dirty |= DIRTY_LAYOUT;
	log_info("console: started, %d x %d, theme %s, %s", COLS, LINES,
	    con.theme->name, colors_describe());
	return 0;
}

static void
console_stop(void)
{
	while (con.dialog != NULL)
		dialog_close(con.dialog);
	if (con.clock_timer != NULL)
		loop_timer_cancel(con.loop, con.clock_timer);
	if (con.retry_timer != NULL)
		loop_timer_cancel(con.loop, con.retry_timer);
	screen_free();
	ui_end();
	signals_restore();
	panes_free();
	theme_free(con.theme);
	free(con.status);
	free(con.filter_before);
	memset(&con, 0, sizeof con);
	log_info("console: stopped");
}

int
console_run(const struct console_opts *opts)
{
	char	*cause = NULL;
	bool	 readable;

	if (ui_check_terminal(&cause) != 0 || console_start(opts, &cause) != 0) {
		fprintf(stderr, "chops: %s\n", cause);
		free(cause);
		panes_free();
		free(con.status);
		memset(&con, 0, sizeof con);
		return CONSOLE_EXIT_NO_TERMINAL;
	}
	while (!con.quit) {
		if (!screen_draw())
			draw_later();
		readable = loop_once(con.loop, STDIN_FILENO, -1);
		signals_handle();
		if (readable && !con.quit)
			keys_drain();
	}
	console_stop();
	return 0;
}

/*
 * The Backups pane's restore wizard (R), the pre-flight checks on one
 * screen, then a typed confirmation.
 *
 * On the selected backup, the core computes the plan without changing
 * anything (restore_start with plan_only, on the loop, "checking..." in the
 * dialog meanwhile; Esc stops it): the target exists with the backup's
 * schema, which partitions the backup's range covers and how many rows
 * each holds now, the staging table's name. The plan is asked for a
 * replace first; when replace is refused (the partitioning, the target
 * missing or changed, a lock), then for an append, then for staging only,
 * and the reasons show above the modes still possible.
 *
 * The operator picks a mode (r, a, s, or the arrows, then Enter). Replace
 * and append change the table: they need the table's name typed exactly
 * (dialog_typed). The restore then runs in the background like b
 * (pane-backups-run.c): progress bar, c cancels, the outcome announced and
 * the bucket listed again. The staging table shown in the plan is the one
 * the restore creates (it goes to the core as --into would).
 *
 * Read-only mode refuses R before anything runs (and the core would too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse.h"
#include "console.h"
#include "dialog.h"
#include "keys.h"
#include "loop.h"
#include "monitor.h"
#include "pane-backups-int.h"
#include "restore.h"
#include "ui.h"
#include "widgets.h"
#include "xmalloc.h"

#define WZ_W		76
#define WZ_MODES	3

enum wz_state { WZ_CHECKING, WZ_PLAN, WZ_FAILED };

/* The order the plan is asked in, and shown in. */
static const enum restore_mode wz_modes[WZ_MODES] = {
	RESTORE_REPLACE, RESTORE_APPEND, RESTORE_STAGING
};

struct bp_wizard {
	struct bpane		*bp;
	struct loop		*loop;
	struct ch_client	*ch;
	struct restore		*rs;		/* a plan being computed */
	struct dialog		*d;		/* NULL once closed */
	struct loop_timer	*reap;

	char			*id;
	char			*target;
	char			*staging;	/* from the first plan */
	enum wz_state		 state;
	size_t			 attempt;	/* into wz_modes */
	char			 phase[32];
	bool			 allowed[WZ_MODES];
	size_t			 choice;
	char			*plan;		/* the text to show */
	char			*refusals;	/* why modes were refused */
	char			*parts;		/* "p1, p2" replaced */

	char			**lines;
	size_t			 nlines;
	int			 wrapped;
	size_t			 top;
	int			 page;
};

/* ------------------------------------------------------------ life */

static void
wz_reap(void *arg)
{
	struct bp_wizard	*wz = arg;

	ch_free(wz->ch);
	widget_lines_free(wz->lines, wz->nlines);
	free(wz->id);
	free(wz->target);
	free(wz->staging);
	free(wz->plan);
	free(wz->refusals);
	free(wz->parts);
	free(wz);
}

/* Frees it once the dialog is closed and the core is done with it. */
static void
wz_release(struct bp_wizard *wz)
{
	if (wz->d == NULL && wz->rs == NULL && wz->reap == NULL)
		wz->reap = loop_timer_add(wz->loop, 0, wz_reap, wz);
}

static const char *
dots(void)
{
	return ui_utf8() ? "…" : "...";
}

static const char *
mode_label(enum restore_mode m)
{
	switch (m) {
	case RESTORE_REPLACE:
		return "replace";
	case RESTORE_APPEND:
		return "append";
	default:
		return "staging only";
	}
}

/* The text shown above the modes; rewrapped when it changes. */
static void
wz_text_changed(struct bp_wizard *wz)
{
	widget_lines_free(wz->lines, wz->nlines);
	wz->lines = NULL;
	wz->nlines = 0;
	wz->top = 0;
}

static char *
wz_body(const struct bp_wizard *wz)
{
	switch (wz->state) {
	case WZ_CHECKING:
		return xasprintf("checking%s %s\n\nThe target table, the "
		    "partitions the backup covers and the staging table; "
		    "nothing is changed.%s%s", dots(), wz->phase,
		    wz->refusals != NULL ? "\n\n" : "", wz->refusals != NULL ?
		    wz->refusals : "");
	case WZ_FAILED:
		return xasprintf("%s%s%s", wz->plan != NULL ? wz->plan : "",
		    wz->plan != NULL ? "\n" : "", wz->refusals != NULL ?
		    wz->refusals : "");
	default:
		return xasprintf("%s%s%s", wz->plan != NULL ? wz->plan : "",
		    wz->refusals != NULL ? "\n" : "", wz->refusals != NULL ?
		    wz->refusals : "");
	}
}

static void
wz_wrap(struct bp_wizard *wz, int w)
{
	char	*body;

	if (wz->lines != NULL && wz->wrapped == w)
		return;
	widget_lines_free(wz->lines, wz->nlines);
	body = wz_body(wz);
	wz->nlines = widget_wrap(body, w, &wz->lines);
	wz->wrapped = w;
	free(body);
}

/* Re-places the dialog for its new contents. */
static void
wz_replace_dialog(struct bp_wizard *wz)
{
	wz_text_changed(wz);
	if (wz->d != NULL) {
		dialog_place(wz->d, COLS, LINES);
		console_mark_dirty();
	}
}

/* ------------------------------------------------------------ the plan */

static void	wz_plan(struct bp_wizard *);

static void
wz_refused(struct bp_wizard *wz, enum restore_mode m, const char *why)
{
	char	*s;

	s = xasprintf("%s%s%s: %s", wz->refusals != NULL ? wz->refusals : "",
	    wz->refusals != NULL ? "\n" : "", mode_label(m), why != NULL ?
	    why : "refused");
	free(wz->refusals);
	wz->refusals = s;
}

static char *
wz_parts(const struct restore_result *r)
{
	char	*s = xstrdup(""), *t;
	size_t	 i;

	for (i = 0; i < r->n_parts; i++) {
		if (i == 8) {
			t = xasprintf("%s and %zu more", s, r->n_parts - i);
			free(s);
			return t;
		}
		t = xasprintf("%s%s%s", s, i > 0 ? ", " : "", r->parts[i].id);
		free(s);
		s = t;
	}
	return s;
}

static void
wz_progress(const struct restore_progress *p, void *arg)
{
	struct bp_wizard	*wz = arg;

	if (p->phase == NULL || strcmp(wz->phase, p->phase) == 0)
		return;
	snprintf(wz->phase, sizeof wz->phase, "%s", p->phase);
	if (wz->d != NULL && wz->state == WZ_CHECKING) {
		wz_text_changed(wz);
		console_mark_dirty();
	}
}

static void
wz_plan_done(struct restore *rs, void *arg)
{
	struct bp_wizard	*wz = arg;
	struct restore_result	 r;
	enum restore_mode	 m = wz_modes[wz->attempt];
	size_t			 i;

	memset(&r, 0, sizeof r);
	restore_take_result(rs, &r);
	restore_free(rs);
	wz->rs = NULL;
	if (wz->d == NULL) {		/* closed meanwhile */
		restore_result_clear(&r);
		wz_release(wz);
		return;
	}
	if (wz->staging == NULL && r.staging != NULL)
		wz->staging = xstrdup(r.staging);
	if (wz->target == NULL && r.target != NULL)
		wz->target = xstrdup(r.target);
	switch (r.status) {
	case RESTORE_PLANNED:
		for (i = wz->attempt; i < WZ_MODES; i++)
			wz->allowed[i] = true;
		wz->choice = wz->attempt;
		free(wz->plan);
		wz->plan = r.plan != NULL ? xstrdup(r.plan) : NULL;
		free(wz->parts);
		wz->parts = wz_parts(&r);
		wz->state = WZ_PLAN;
		break;
	case RESTORE_REFUSED:
		wz_refused(wz, m, r.error);
		if (++wz->attempt < WZ_MODES) {
			restore_result_clear(&r);
			wz_text_changed(wz);
			wz_plan(wz);
			console_mark_dirty();
			return;
		}
		wz->state = WZ_FAILED;
		break;
	default:
		wz_refused(wz, m, r.error != NULL ? r.error : "failed");
		wz->state = WZ_FAILED;
		break;
	}
	restore_result_clear(&r);
	wz_replace_dialog(wz);
}

static void
wz_plan(struct bp_wizard *wz)
{
	struct restore_opts	o;

	memset(&o, 0, sizeof o);
	o.id = wz->id;
	o.into = wz->staging;		/* the same name in every plan */
	o.mode = wz_modes[wz->attempt];
	o.plan_only = true;
	o.read_only = console_read_only();
	wz->state = WZ_CHECKING;
	snprintf(wz->phase, sizeof wz->phase, "%s", mode_label(o.mode));
	wz->rs = restore_start(wz->loop, wz->ch, wz->bp->mon->s3.client, &o,
	    wz_progress, wz_plan_done, wz);
}

/* ------------------------------------------------------------ confirm */

struct wz_go {
	struct bpane		*bp;
	char			*id;
	char			*staging;
	enum restore_mode	 mode;
};

static int
wz_go(struct wz_go *g, bool confirmed)
{
	struct restore_opts	o;

	memset(&o, 0, sizeof o);
	o.id = g->id;
	o.into = g->staging;
	o.mode = g->mode;
	o.confirmed = confirmed;
	return bprun_restore(g->bp, &o);
}

static int
wz_confirm_done(void *arg, bool yes)
{
	struct wz_go	*g = arg;
	int		 react = REACT_NONE;

	if (yes)
		react = wz_go(g, true);
	else
		console_set_status(ROLE_FOOTER, "restore %s: not confirmed, "
		    "nothing changed", g->id);
	free(g->id);
	free(g->staging);
	free(g);
	return react | REACT_REDRAW_ALL;
}

/* The chosen mode: staging runs now, the others ask for the name. */
static int
wz_choose(struct bp_wizard *wz)
{
	struct wz_go	*g = xcalloc(1, sizeof *g);
	enum restore_mode m = wz_modes[wz->choice];
	char		*text, *title;
	int		 react;

	g->bp = wz->bp;
	g->id = xstrdup(wz->id);
	g->staging = wz->staging != NULL ? xstrdup(wz->staging) : NULL;
	g->mode = m;
	if (m == RESTORE_STAGING) {
		react = wz_go(g, false);
		free(g->id);
		free(g->staging);
		free(g);
		return react | REACT_CLOSE | REACT_REDRAW_ALL;
	}
	if (m == RESTORE_REPLACE)
		text = xasprintf("Replace partition%s %s of %s with the rows "
		    "of %s (loaded into %s and checked first)?\n\nType the "
		    "table name %s to confirm:", wz->parts != NULL &&
		    strchr(wz->parts, ',') != NULL ? "s" : "", wz->parts !=
		    NULL ? wz->parts : "", wz->target, wz->id, wz->staging,
		    wz->target);
	else
		text = xasprintf("Add the rows of %s to %s, attaching the "
		    "staging table's partitions (loaded into %s and checked "
		    "first)? Nothing is replaced.\n\nType the table name %s "
		    "to confirm:", wz->id, wz->target, wz->staging,
		    wz->target);
	title = xasprintf("Restore: %s", mode_label(m));
	console_open_dialog(dialog_typed(title, text, wz->target,
	    wz_confirm_done, g));
	free(title);
	free(text);
	return REACT_CLOSE | REACT_REDRAW_ALL;
}

/* ------------------------------------------------------------ the dialog */

static void
wz_size(struct dialog *d, int cols, int rows, int *h, int *w)
{
	struct bp_wizard	*wz = d->data;

	*w = cols - 4 < WZ_W ? cols - 4 : WZ_W;
	if (*w < 30)
		*w = cols;
	wz_wrap(wz, *w - 4);
	/* border, text, blank, modes, keys */
	*h = 2 + (int)wz->nlines + 3;
	if (*h > rows - 2)
		*h = rows - 2;
}

static void
wz_draw_modes(struct bp_wizard *wz, WINDOW *win, int y, int x, int w)
{
	enum theme_role	 role;
	size_t		 i;
	int		 used;

	widget_fill(win, y, x, w, ROLE_DIALOG);
	used = widget_put(win, y, x, w, ROLE_LABEL, "Mode:");
	for (i = 0; i < WZ_MODES; i++) {
		if (!wz->allowed[i])
			role = ROLE_DIM;
		else if (i == wz->choice)
			role = ROLE_SELECTION;
		else
			role = ROLE_DIALOG;
		used += widget_put(win, y, x + used, w - used, ROLE_DIALOG,
		    "  ");
		used += widget_put(win, y, x + used, w - used, role,
		    i == wz->choice && wz->allowed[i] ? "[" : " ");
		used += widget_put(win, y, x + used, w - used, role,
		    mode_label(wz_modes[i]));
		used += widget_put(win, y, x + used, w - used, role,
		    i == wz->choice && wz->allowed[i] ? "]" : " ");
	}
}

static void
wz_draw_keys(struct bp_wizard *wz, WINDOW *win, int y, int x, int w)
{
	static const char *const plan[] = {
		"r", " replace  ", "a", " append  ", "s", " staging  ",
		"Enter", " next  ", "Esc", " cancel", NULL
	};
	static const char *const other[] = {
		"Esc", " close", NULL
	};
	const char *const	*l = wz->state == WZ_PLAN ? plan : other;
	int			 i, used = 0;

	widget_fill(win, y, x, w, ROLE_DIALOG);
	for (i = 0; l[i] != NULL; i++)
		used += widget_put(win, y, x + used, w - used, i % 2 == 0 ?
		    ROLE_HELP_KEY : ROLE_DIALOG, l[i]);
}

static void
wz_draw(struct dialog *d, WINDOW *win, int y, int x, int h, int w)
{
	struct bp_wizard	*wz = d->data;
	size_t			 i;
	int			 row = y, last = y + h - 1;
	enum theme_role		 role;

	wz_wrap(wz, w);
	wz->page = h - 3 > 1 ? h - 3 : 1;
	if (wz->top + (size_t)wz->page > wz->nlines)
		wz->top = wz->nlines > (size_t)wz->page ?
		    wz->nlines - (size_t)wz->page : 0;
	role = wz->state == WZ_FAILED ? ROLE_ERROR : ROLE_DIALOG;
	for (i = wz->top; i < wz->nlines && row < last - 2; i++)
		widget_text(win, row++, x, w, role, ALIGN_LEFT, wz->lines[i]);
	if (wz->top + (size_t)wz->page < wz->nlines)
		widget_textf(win, last - 2, x, w, ROLE_DIM, ALIGN_RIGHT,
		    "%s %zu more lines", ui_utf8() ? "↓" : "v",
		    wz->nlines - wz->top - (size_t)wz->page);
	if (wz->state == WZ_PLAN)
		wz_draw_modes(wz, win, last - 1, x, w);
	wz_draw_keys(wz, win, last, x, w);
}

static void
wz_move(struct bp_wizard *wz, int dir)
{
	size_t	i = wz->choice;
	int	n;

	for (n = 0; n < WZ_MODES; n++) {
		i = (i + WZ_MODES + (size_t)dir) % WZ_MODES;
		if (wz->allowed[i]) {
			wz->choice = i;
			return;
		}
	}
}

static int
wz_pick(struct bp_wizard *wz, enum restore_mode m)
{
	size_t	i;

	for (i = 0; i < WZ_MODES; i++) {
		if (wz_modes[i] != m)
			continue;
		if (!wz->allowed[i]) {
			console_set_status(ROLE_WARN, "restore: %s is not "
			    "possible here (see why in the dialog)",
			    mode_label(m));
			return REACT_REDRAW;
		}
		wz->choice = i;
		return wz_choose(wz);
	}
	return REACT_NONE;
}

static int
wz_scroll(struct bp_wizard *wz, enum action act)
{
	size_t	step = wz->page > 2 ? (size_t)wz->page - 1 : 1;

	switch (act) {
	case ACT_UP:
		wz->top = wz->top > 0 ? wz->top - 1 : 0;
		break;
	case ACT_DOWN:
		wz->top++;
		break;
	case ACT_PAGE_UP:
		wz->top = wz->top > step ? wz->top - step : 0;
		break;
	case ACT_PAGE_DOWN:
		wz->top += step;
		break;
	case ACT_HOME:
		wz->top = 0;
		break;
	case ACT_END:
		wz->top = wz->nlines;
		break;
	default:
		return REACT_NONE;
	}
	return REACT_REDRAW;
}

static int
wz_key(struct dialog *d, int key)
{
	struct bp_wizard	*wz = d->data;
	enum action		 act;

	if (wz->state == WZ_PLAN) {
		switch (key) {
		case 'r':
			return wz_pick(wz, RESTORE_REPLACE);
		case 'a':
			return wz_pick(wz, RESTORE_APPEND);
		case 's':
			return wz_pick(wz, RESTORE_STAGING);
		case KEYC_TAB:
		case KEYC_FN(KEY_RIGHT):
		case 'l':
			wz_move(wz, 1);
			return REACT_REDRAW;
		case KEYC_FN(KEY_BTAB):
		case KEYC_FN(KEY_LEFT):
		case 'h':
			wz_move(wz, -1);
			return REACT_REDRAW;
		default:
			break;
		}
	}
	act = keys_lookup(KEYCTX_DIALOG, NULL, key);
	switch (act) {
	case ACT_DIALOG_OK:
		if (wz->state == WZ_PLAN)
			return wz_choose(wz);
		if (wz->state == WZ_FAILED)
			return REACT_CLOSE | REACT_REDRAW_ALL;
		return REACT_NONE;
	case ACT_DIALOG_CANCEL:
		if (wz->state != WZ_FAILED)
			console_set_status(ROLE_FOOTER, "restore %s: "
			    "cancelled, nothing changed", wz->id);
		return REACT_CLOSE | REACT_REDRAW_ALL;
	default:
		return wz_scroll(wz, act);
	}
}

static void
wz_free(struct dialog *d)
{
	struct bp_wizard	*wz = d->data;

	wz->d = NULL;
	if (wz->bp->wizard == wz)
		wz->bp->wizard = NULL;
	if (wz->rs != NULL)
		restore_cancel(wz->rs);	/* its done callback releases */
	wz_release(wz);
}

static const struct dialog_ops wz_ops = {
	wz_size, wz_draw, wz_key, wz_free
};

/* ------------------------------------------------------------ R */

int
bprestore_start(struct bpane *bp, const char *id)
{
	struct bp_wizard	*wz;
	struct ch_client	*ch;
	char			*title;

	if (console_read_only()) {
		console_set_status(ROLE_WARN, "read-only mode: not restoring "
		    "%s", id);
		return REACT_NONE;
	}
	if (bp->wizard != NULL)
		return REACT_NONE;
	if (!bprun_can_start(bp, "restore") ||
	    (ch = bprun_ch_new(bp, "restore")) == NULL)
		return REACT_NONE;
	wz = xcalloc(1, sizeof *wz);
	wz->bp = bp;
	wz->loop = bp->mon->loop;
	wz->ch = ch;
	wz->id = xstrdup(id);
	title = xasprintf("Restore %s", id);
	wz->d = dialog_new(&wz_ops, title, wz);
	free(title);
	bp->wizard = wz;
	wz_plan(wz);
	console_open_dialog(wz->d);
	return REACT_NONE;
}

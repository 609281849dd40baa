/*
 * The Backups pane's view of the audit trail (a): this host's records
 * merged with the team's from the bucket (audit_read_start, on the loop;
 * "reading..." meanwhile), newest first, one a line: when (UTC),
 * user@host, action, target, result and how long it took. The arrows move
 * through them (the list scrolls); under the list, the selected record's
 * error and parameters. Esc closes it. A bucket that cannot be read is a
 * warning under the list, the local records still show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "console.h"
#include "dialog.h"
#include "keys.h"
#include "monitor.h"
#include "pane-backups-int.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define AU_W		150	/* at most */
#define AU_WHEN_W	20
#define AU_WHO_W	24
#define AU_ACTION_W	9
#define AU_RESULT_W	10
#define AU_TOOK_W	9
#define AU_WHO_MIN	96	/* narrower: no who column */
#define AU_DETAIL	3	/* lines for the selected record */

struct bp_audit {
	struct audit_reader	*rd;		/* reading, or NULL */
	struct audit_list	 list;
	bool			 read;
	size_t			 sel;
	size_t			 top;
	size_t			 page;
};

static const char *
dots(void)
{
	return ui_utf8() ? "…" : "...";
}

static void
au_fmt_when(char *buf, size_t len, int64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static enum theme_role
au_result_role(const char *result)
{
	if (result == NULL)
		return ROLE_UNKNOWN;
	if (strcmp(result, "ok") == 0 || strcmp(result, "complete") == 0 ||
	    strcmp(result, "skipped") == 0)
		return ROLE_OK;
	if (strcmp(result, "refused") == 0 || strcmp(result, "planned") == 0)
		return ROLE_WARN;
	if (strcmp(result, "failed") == 0 || strcmp(result, "mismatch") == 0 ||
	    strcmp(result, "invalid") == 0 || strcmp(result, "error") == 0)
		return ROLE_ERROR;
	return ROLE_VALUE;
}

static void
au_read_done(struct audit_reader *rd, void *arg)
{
	struct bp_audit	*au = arg;

	audit_read_take(rd, &au->list);
	audit_read_free(rd);
	au->rd = NULL;
	au->read = true;
	console_mark_dirty();
}

/* ------------------------------------------------------------ the dialog */

static void
au_size(struct dialog *d, int cols, int rows, int *h, int *w)
{
	(void)d;
	*w = cols - 2 < AU_W ? cols - 2 : AU_W;
	*h = rows - 2;
}

static bool
au_wide(int w)
{
	return w >= AU_WHO_MIN;
}

static void
au_header(WINDOW *win, int y, int x, int w)
{
	int	tw, c = x;

	tw = w - AU_WHEN_W - AU_ACTION_W - AU_RESULT_W - AU_TOOK_W;
	if (au_wide(w))
		tw -= AU_WHO_W;
	widget_fill(win, y, x, w, ROLE_DIALOG);
	widget_text(win, y, c, AU_WHEN_W, ROLE_LABEL, ALIGN_LEFT,
	    "When (UTC)");
	c += AU_WHEN_W;
	if (au_wide(w)) {
		widget_text(win, y, c, AU_WHO_W, ROLE_LABEL, ALIGN_LEFT,
		    "Who");
		c += AU_WHO_W;
	}
	widget_text(win, y, c, AU_ACTION_W, ROLE_LABEL, ALIGN_LEFT, "Action");
	c += AU_ACTION_W;
	if (tw > 0)
		widget_text(win, y, c, tw, ROLE_LABEL, ALIGN_LEFT, "Target");
	c += tw > 0 ? tw : 0;
	widget_text(win, y, c, AU_RESULT_W, ROLE_LABEL, ALIGN_LEFT, "Result");
	c += AU_RESULT_W;
	widget_text(win, y, c, AU_TOOK_W, ROLE_LABEL, ALIGN_RIGHT, "Took");
}

static void
au_row(WINDOW *win, int y, int x, int w, const struct audit_rec *r,
    bool sel)
{
	int		 tw = w - AU_WHEN_W - AU_ACTION_W - AU_RESULT_W -
			     AU_TOOK_W, c = x;
	enum theme_role	 base = sel ? ROLE_SELECTION : ROLE_DIALOG;
	char		 when[32], took[32];

	if (au_wide(w))
		tw -= AU_WHO_W;
	au_fmt_when(when, sizeof when, r->at_ms);
	util_fmt_duration(took, sizeof took, r->duration_ms);
	widget_fill(win, y, x, w, base);
	widget_text(win, y, c, AU_WHEN_W, base, ALIGN_LEFT, when);
	c += AU_WHEN_W;
	if (au_wide(w)) {
		widget_text(win, y, c, AU_WHO_W - 1, base, ALIGN_LEFT,
		    r->who != NULL ? r->who : "?");
		c += AU_WHO_W;
	}
	widget_text(win, y, c, AU_ACTION_W, base, ALIGN_LEFT,
	    r->action != NULL ? r->action : "?");
	c += AU_ACTION_W;
	if (tw > 1)
		widget_text(win, y, c, tw - 1, base, ALIGN_LEFT,
		    r->target != NULL ? r->target : "-");
	c += tw > 0 ? tw : 0;
	widget_text(win, y, c, AU_RESULT_W, sel ? base :
	    au_result_role(r->result), ALIGN_LEFT, r->result != NULL ?
	    r->result : "?");
	c += AU_RESULT_W;
	widget_text(win, y, c, AU_TOOK_W, base, ALIGN_RIGHT, took);
}

/* The selected record: its error, else its parameters. */
static void
au_detail(struct bp_audit *au, WINDOW *win, int y, int x, int w)
{
	const struct audit_rec	*r;
	char			*text, *t, **lines;
	size_t			 i, n;

	if (au->sel >= au->list.n)
		return;
	r = au->list.recs[au->sel];
	text = xasprintf("%s%s%s", r->error != NULL ? "error: " : "",
	    r->error != NULL ? r->error : "", r->error != NULL &&
	    r->n_params > 0 ? "; " : "");
	for (i = 0; i < r->n_params; i++) {
		t = xasprintf("%s%s%s=%s", text, i > 0 ? " " : "",
		    r->params[i].name, r->params[i].value != NULL ?
		    r->params[i].value : "");
		free(text);
		text = t;
	}
	n = widget_wrap(text, w, &lines);
	for (i = 0; i < n && i < AU_DETAIL; i++)
		widget_text(win, y + (int)i, x, w, r->error != NULL ?
		    ROLE_ERROR : ROLE_DIM, ALIGN_LEFT, lines[i]);
	widget_lines_free(lines, n);
	free(text);
}

static void
au_keys(WINDOW *win, int y, int x, int w)
{
	static const char *const l[] = {
		"Up/Down", " move  ", "PgUp/PgDn", " page  ", "Esc", " close",
		NULL
	};
	int	i, used = 0;

	widget_fill(win, y, x, w, ROLE_DIALOG);
	for (i = 0; l[i] != NULL; i++)
		used += widget_put(win, y, x + used, w - used, i % 2 == 0 ?
		    ROLE_HELP_KEY : ROLE_DIALOG, l[i]);
}

static void
au_draw(struct dialog *d, WINDOW *win, int y, int x, int h, int w)
{
	struct bp_audit	*au = d->data;
	int		 last = y + h - 1, body, row;
	size_t		 i;

	au_keys(win, last, x, w);
	if (!au->read) {
		widget_textf(win, y, x, w, ROLE_UNKNOWN, ALIGN_LEFT,
		    "reading the audit trail%s", dots());
		return;
	}
	if (au->list.warning != NULL)
		widget_textf(win, last - 1, x, w, ROLE_WARN, ALIGN_LEFT,
		    "warning: %s", au->list.warning);
	if (au->list.n == 0) {
		widget_text(win, y, x, w, ROLE_UNKNOWN, ALIGN_LEFT,
		    "no actions recorded in the last 7 days");
		return;
	}
	/* header, the list, a blank, the detail, [warning], keys */
	body = h - 1 - 1 - AU_DETAIL - 1 - 1;
	au->page = body > 1 ? (size_t)body : 1;
	if (au->sel < au->top)
		au->top = au->sel;
	else if (au->sel >= au->top + au->page)
		au->top = au->sel + 1 - au->page;
	au_header(win, y, x, w);
	row = y + 1;
	for (i = au->top; i < au->list.n && i < au->top + au->page; i++)
		au_row(win, row++, x, w, au->list.recs[i], i == au->sel);
	if (au->top + au->page < au->list.n)
		widget_textf(win, row, x, w, ROLE_DIM, ALIGN_RIGHT,
		    "%s %zu more", ui_utf8() ? "↓" : "v",
		    au->list.n - au->top - au->page);
	au_detail(au, win, last - 1 - AU_DETAIL, x, w);
}

static int
au_key(struct dialog *d, int key)
{
	struct bp_audit	*au = d->data;
	size_t		 n = au->list.n, step;

	step = au->page > 2 ? au->page - 1 : 1;
	switch (keys_lookup(KEYCTX_DIALOG, NULL, key)) {
	case ACT_DIALOG_CANCEL:
	case ACT_DIALOG_OK:
		return REACT_CLOSE | REACT_REDRAW_ALL;
	case ACT_UP:
		if (au->sel > 0)
			au->sel--;
		break;
	case ACT_DOWN:
		if (au->sel + 1 < n)
			au->sel++;
		break;
	case ACT_PAGE_UP:
		au->sel = au->sel > step ? au->sel - step : 0;
		break;
	case ACT_PAGE_DOWN:
		au->sel = au->sel + step < n ? au->sel + step :
		    (n > 0 ? n - 1 : 0);
		break;
	case ACT_HOME:
		au->sel = 0;
		break;
	case ACT_END:
		au->sel = n > 0 ? n - 1 : 0;
		break;
	default:
		return REACT_NONE;
	}
	return REACT_REDRAW;
}

static void
au_free(struct dialog *d)
{
	struct bp_audit	*au = d->data;

	if (au->rd != NULL)
		audit_read_free(au->rd);
	audit_list_clear(&au->list);
	free(au);
}

static const struct dialog_ops au_ops = {
	au_size, au_draw, au_key, au_free
};

int
bpaudit_open(struct bpane *bp)
{
	struct audit_read_opts	 o;
	struct bp_audit		*au = xcalloc(1, sizeof *au);

	memset(&o, 0, sizeof o);
	console_open_dialog(dialog_new(&au_ops, "Audit trail (newest first)",
	    au));
	/* done runs from the loop, never from in here */
	au->rd = audit_read_start(bp->mon->loop, bp->mon->s3.client, &o,
	    au_read_done, au);
	return REACT_NONE;
}

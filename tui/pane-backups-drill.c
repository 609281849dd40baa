/*
 * The Backups pane's drill-down: one table's backups, then one backup's
 * objects. Each view is a table widget, sortable and filterable, refilled
 * from the monitor's inventory on every S3 refresh (the selection stays on
 * the same row); a title line says what it is, a status line what is wrong
 * with the bucket or with the backup.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "inventory.h"
#include "monitor.h"
#include "pane-backups-int.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

enum {
	BC_PERIOD, BC_KIND, BC_ROWS, BC_SIZE, BC_VERIFIED, BC_COMPLETE,
	BC_CREATED, BC_BY
};

/* The telling columns first: a narrow pane drops them from the right. */
static const struct table_column backup_cols[] = {
	[BC_PERIOD] = { "Period", 12, TABLE_GROW },
	[BC_KIND] = { "Kind", 7, 0 },
	[BC_ROWS] = { "Rows", 7, TABLE_RIGHT },
	[BC_SIZE] = { "Size", 8, TABLE_RIGHT },
	[BC_VERIFIED] = { "Verified", 9, 0 },
	[BC_COMPLETE] = { "Complete", 9, 0 },
	[BC_CREATED] = { "Created (UTC)", 17, 0 },
	[BC_BY] = { "By", 16, 0 },
};

enum { OC_KEY, OC_WHAT, OC_SIZE, OC_MODIFIED };

static const struct table_column object_cols[] = {
	[OC_KEY] = { "Key", 16, TABLE_GROW },
	[OC_WHAT] = { "What", 9, 0 },
	[OC_SIZE] = { "Size", 8, TABLE_RIGHT },
	[OC_MODIFIED] = { "Modified (UTC)", 17, 0 },
};

static const struct inv_table *
open_table(const struct bpane *bp)
{
	const struct inventory	*inv = bp_inventory(bp);

	if (inv == NULL || bp->table == NULL)
		return NULL;
	return inventory_table(inv, bp->table);
}

static const struct inv_backup *
open_backup(const struct bpane *bp)
{
	const struct inventory	*inv = bp_inventory(bp);

	if (inv == NULL || bp->backup == NULL)
		return NULL;
	return inventory_find(inv, bp->backup);
}

/* ------------------------------------------------------------ filling */

static void
cell_bytes(struct bpane *bp, struct table *t, size_t row, size_t col,
    bool known, uint64_t v)
{
	char	s[32];

	if (!known) {
		table_set(t, row, col, bp_fig(bp, ROLE_UNKNOWN), "?");
		table_set_num(t, row, col, NAN);
		return;
	}
	util_fmt_bytes(s, sizeof s, (double)v);
	table_set(t, row, col, bp_fig(bp, ROLE_VALUE), "%s", s);
	table_set_num(t, row, col, (double)v);
}

static void
cell_verified(struct bpane *bp, struct table *t, size_t row,
    const struct inv_backup *bk)
{
	enum theme_role	role;
	const char	*word;

	switch (bk->verified) {
	case INV_VERIFIED:
		role = ROLE_OK;
		word = bk->verify != NULL && bk->verify->level ==
		    VERIFY_RESTORE ? "restore" : "object";
		break;
	case INV_VERIFY_FAILED:
		role = ROLE_CRIT;
		word = "FAILED";
		break;
	case INV_VERIFY_STALE:
		role = ROLE_WARN;
		word = "stale";
		break;
	case INV_VERIFY_UNKNOWN:
		role = ROLE_UNKNOWN;
		word = "not read";
		break;
	default:
		role = ROLE_DIM;
		word = "no";
		break;
	}
	table_set(t, row, BC_VERIFIED, bp_fig(bp, role), "%s", word);
	table_set_num(t, row, BC_VERIFIED, (double)bk->verified);
}

static void
backup_row(struct bpane *bp, struct table *t, const struct inv_backup *bk)
{
	const struct manifest	*m = bk->manifest;
	size_t			 row = table_add(t, bk->id);
	char			 s[32];
	int64_t			 created;

	table_set(t, row, BC_PERIOD, bp_fig(bp, ROLE_DEFAULT), "%s",
	    bk->period);
	table_set(t, row, BC_KIND, bp_fig(bp, ROLE_VALUE), "%s",
	    period_kind_name(bk->kind));
	if (m != NULL) {
		util_fmt_count(s, sizeof s, (double)m->rows);
		table_set(t, row, BC_ROWS, bp_fig(bp, ROLE_VALUE), "%s", s);
		table_set_num(t, row, BC_ROWS, (double)m->rows);
	} else {
		table_set(t, row, BC_ROWS, bp_fig(bp, ROLE_UNKNOWN), "?");
		table_set_num(t, row, BC_ROWS, NAN);
	}
	cell_bytes(bp, t, row, BC_SIZE, bk->data != NULL, bk->data != NULL ?
	    bk->data->size : 0);
	cell_verified(bp, t, row, bk);
	if (bk->complete)
		table_set(t, row, BC_COMPLETE, bp_fig(bp, ROLE_OK), "yes");
	else
		table_set(t, row, BC_COMPLETE, bp_fig(bp, ROLE_WARN), "%s",
		    bk->has_manifest ? "no (bad)" : "no manifest");
	created = m != NULL ? m->created_at * 1000 : bk->manifest_mtime_ms;
	bp_fmt_time(s, sizeof s, created);
	table_set(t, row, BC_CREATED, bp_fig(bp, ROLE_DIM), "%s", s);
	table_set_num(t, row, BC_CREATED, created > 0 ? (double)created : NAN);
	table_set(t, row, BC_BY, bp_fig(bp, ROLE_DIM), "%s", m != NULL &&
	    m->created_by != NULL ? m->created_by : "?");
}

static void
backups_fill(struct bpane *bp)
{
	struct table		*t = &bp->tables[BP_BACKUPS];
	const struct inv_table	*it = open_table(bp);
	size_t			 i;

	table_clear(t);
	t->empty = it != NULL ? "no backups" :
	    "the table has no backups in the last listing";
	for (i = 0; it != NULL && i < it->n_backups; i++)
		backup_row(bp, t, it->backups[i]);
	table_update(t);
}

static void
object_row(struct bpane *bp, struct table *t, const char *key,
    const char *what, bool size_known, uint64_t size, int64_t mtime_ms)
{
	const char	*name = strrchr(key, '/');
	size_t		 row = table_add(t, key);
	char		 s[32];

	/* the title names the backup's directory */
	table_set(t, row, OC_KEY, bp_fig(bp, ROLE_DEFAULT), "%s",
	    name != NULL && name[1] != '\0' ? name + 1 : key);
	table_set(t, row, OC_WHAT, bp_fig(bp, ROLE_VALUE), "%s", what);
	cell_bytes(bp, t, row, OC_SIZE, size_known, size);
	bp_fmt_time(s, sizeof s, mtime_ms);
	table_set(t, row, OC_MODIFIED, bp_fig(bp, ROLE_DIM), "%s", s);
	table_set_num(t, row, OC_MODIFIED, mtime_ms > 0 ? (double)mtime_ms :
	    NAN);
}

static void
objects_fill(struct bpane *bp)
{
	struct table		*t = &bp->tables[BP_OBJECTS];
	const struct inv_backup	*bk = open_backup(bp);
	const struct inv_object	*o;
	size_t			 i;

	table_clear(t);
	t->empty = "the backup is not in the last listing";
	for (i = 0; bk != NULL && i < bk->n_data; i++) {
		o = &bk->objects[i];
		object_row(bp, t, o->key, o == bk->data ? "data" : "leftover",
		    true, o->size, o->mtime_ms);
	}
	if (bk != NULL && bk->manifest_key != NULL)
		object_row(bp, t, bk->manifest_key, "manifest", false, 0,
		    bk->manifest_mtime_ms);
	if (bk != NULL && bk->verify_key != NULL)
		object_row(bp, t, bk->verify_key, "verify", false, 0, 0);
	table_update(t);
}

static void
fill(struct bpane *bp, enum bp_view v)
{
	if (v == BP_BACKUPS)
		backups_fill(bp);
	else if (v == BP_OBJECTS)
		objects_fill(bp);
}

/* ------------------------------------------------------------ views */

void
bpdrill_open(struct bpane *bp, enum bp_view v)
{
	const struct table_column	*cols;
	size_t				 n;

	switch (v) {
	case BP_BACKUPS:
		cols = backup_cols;
		n = nitems(backup_cols);
		break;
	case BP_OBJECTS:
		cols = object_cols;
		n = nitems(object_cols);
		break;
	default:
		return;
	}
	bpdrill_close(bp, v);
	table_init(&bp->tables[v], cols, n);
	bp->open[v] = true;
	if (v == BP_BACKUPS)	/* the newest first */
		table_sort(&bp->tables[v], BC_PERIOD, true);
	table_filter(&bp->tables[v], bp_filter_for(bp, v));
	fill(bp, v);
	bp->view = v;
}

void
bpdrill_close(struct bpane *bp, enum bp_view v)
{
	if ((int)v < 0 || v >= BP_NVIEWS || !bp->open[v])
		return;
	table_free(&bp->tables[v]);
	bp->open[v] = false;
}

void
bpdrill_refill(struct bpane *bp)
{
	int	v;

	for (v = 0; v < BP_NVIEWS; v++) {
		if (bp->open[v])
			fill(bp, (enum bp_view)v);
	}
}

void
bpdrill_filter(struct bpane *bp)
{
	int	v;

	for (v = 0; v < BP_NVIEWS; v++) {
		if (bp->open[v])
			table_filter(&bp->tables[v], bp_filter_for(bp,
			    (enum bp_view)v));
	}
}

const char *
bpdrill_selected(const struct bpane *bp)
{
	const struct table	*t = &bp->tables[BP_BACKUPS];
	size_t			 row;

	if (bp->view == BP_OBJECTS)
		return bp->backup;
	if (bp->view != BP_BACKUPS || !bp->open[BP_BACKUPS] ||
	    (row = table_selected(t)) == TABLE_NONE)
		return NULL;
	return table_row_key(t, row);
}

/* ------------------------------------------------------------ drawing */

/* What is wrong: the bucket, or the backup shown. */
static void
status_draw(struct bpane *bp, WINDOW *win, int y, int w)
{
	const struct mon_state	*st = &bp->mon->s3.st;
	const struct inv_backup	*bk;
	char			 age[32];
	int			 x;

	if (st->fetched && !st->ok) {
		x = widget_put(win, y, 0, w, ROLE_CRIT, "S3 down");
		if (st->last_ok_ms != 0) {
			bp_fmt_age(age, sizeof age, util_wall_ms() -
			    st->last_ok_ms);
			x += widget_put(win, y, x, w - x, ROLE_WARN,
			    ", last good listing ");
			x += widget_put(win, y, x, w - x, ROLE_WARN, age);
			x += widget_put(win, y, x, w - x, ROLE_WARN, " ago");
		}
		x += widget_put(win, y, x, w - x, ROLE_ERROR, ": ");
		widget_put(win, y, x, w - x, ROLE_ERROR, st->error != NULL ?
		    st->error : "no answer");
		return;
	}
	if (bp->view == BP_OBJECTS && (bk = open_backup(bp)) != NULL &&
	    bk->problem != NULL) {
		widget_text(win, y, 0, w, ROLE_WARN, ALIGN_LEFT, bk->problem);
		return;
	}
	widget_text(win, y, 0, w, ROLE_DIM, ALIGN_LEFT, bp->view ==
	    BP_BACKUPS ? "Enter: its objects  b: back up  v: verify  "
	    "Esc: back" : "v: verify  Esc: back");
}

void
bpdrill_draw(struct bpane *bp, WINDOW *win, int y, int h, int w,
    bool focused)
{
	const char	*what;

	if (!bp->open[bp->view] || h < 2)
		return;
	what = bp->view == BP_BACKUPS ? bp->table : bp->backup;
	widget_textf(win, y++, 0, w, ROLE_LABEL, ALIGN_LEFT, "%s %s",
	    bp->view == BP_BACKUPS ? "Backups of" : "Objects of",
	    what != NULL ? what : "?");
	h--;
	if (h >= 5) {
		status_draw(bp, win, y++, w);
		h--;
	}
	table_draw(&bp->tables[bp->view], win, y, 0, h, w, focused);
}

/* ------------------------------------------------------------ actions */

static int
backup_enter(struct bpane *bp)
{
	const char	*id = bpdrill_selected(bp);

	if (id == NULL)
		return REACT_NONE;
	free(bp->backup);
	bp->backup = xstrdup(id);
	bpdrill_open(bp, BP_OBJECTS);
	return REACT_REDRAW;
}

int
bpdrill_action(struct bpane *bp, enum action act)
{
	if (!bp->open[bp->view])
		return REACT_PASS;
	switch (act) {
	case ACT_ENTER:
		if (bp->view == BP_BACKUPS)
			return backup_enter(bp);
		return REACT_NONE;
	case ACT_BACK:
	case ACT_LEFT:
	case ACT_RIGHT:
		return REACT_PASS;
	default:
		return table_action(&bp->tables[bp->view], act);
	}
}

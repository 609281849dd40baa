/*
 * The Backups pane's overview. Lines pinned at the top say what is wrong
 * with the bucket (not configured; down, with the error and the age of the
 * last good listing) and what runs in the background (pane-backups-run.c).
 * Under them each table is an item: its latest complete backup's age (in
 * the [ui] backup_age_warn / backup_age_crit roles), rows, size, whether it
 * was verified, and the strip of the last 14 days; its incomplete backups
 * on a line of their own. Then the foreign objects, with key, size and
 * date. Wide, a table takes a line; narrow (three panes side by side), two.
 *
 * The lines are built first and the visible ones drawn, so the list
 * scrolls when it needs more lines than the pane has. Enter opens a
 * table's backups (pane-backups-drill.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "console.h"
#include "inventory.h"
#include "loop.h"
#include "monitor.h"
#include "pane-backups-int.h"
#include "pane-backups.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define BP_WIDE_MIN	62	/* narrower: two lines a table */
#define BP_PERIOD_MIN	90	/* narrower: no period column */
#define BP_SPANS	(INV_STRIP_DAYS + 10)
#define BP_AGE_W	8
#define BP_ROWS_W	7
#define BP_SIZE_W	9
#define BP_VER_W	5
#define BP_PERIOD_W	11
#define BP_DATE_W	16
#define BP_GAP_DAYS	7	/* the header warns of gaps this recent */
#define BP_DAY_MS	(86400 * (int64_t)1000)

struct bp_span {
	char		*text;
	enum theme_role	 role;
	int		 x;		/* -1: after the previous one */
	int		 w;		/* 0: as wide as the text */
	enum align	 align;
};

struct bp_line {
	size_t		 item;
	struct bp_span	 spans[BP_SPANS];
	int		 nspans;
};

struct bp_lines {
	struct bp_line	*v;
	size_t		 n, cap;
};

/* ------------------------------------------------------------ words */

void
bp_fmt_age(char *buf, size_t len, int64_t ms)
{
	long long	s = ms > 0 ? (long long)(ms / 1000) : 0;

	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd %02lldh", s / 86400,
		    s % 86400 / 3600);
}

/* The coarse form for narrow columns: 45s, 12m, 6h, 3d. */
static void
fmt_age_short(char *buf, size_t len, int64_t ms)
{
	int64_t	s = ms > 0 ? ms / 1000 : 0;

	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 3 * 86400)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

void
bp_fmt_time(char *buf, size_t len, int64_t wall_ms)
{
	struct tm	tm;
	time_t		t = (time_t)(wall_ms / 1000);

	if (wall_ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

int64_t
bp_backup_age_ms(const struct inv_backup *bk, int64_t now)
{
	int64_t	end_ms;

	if (bk->manifest != NULL && bk->manifest->to > 0)
		end_ms = bk->manifest->to * 1000;
	else
		end_ms = bk->end_day * BP_DAY_MS;
	return now > end_ms ? now - end_ms : 0;
}

enum theme_role
bp_age_role(const struct bpane *bp, int64_t age_ms)
{
	if (age_ms >= bp->cfg->ui.backup_age_crit_ms)
		return ROLE_CRIT;
	if (age_ms >= bp->cfg->ui.backup_age_warn_ms)
		return ROLE_WARN;
	return ROLE_OK;
}

static const char *
dots(void)
{
	return ui_utf8() ? "…" : "...";
}

static const char *
sep(void)
{
	return ui_utf8() ? "·" : "-";
}

/* ------------------------------------------------------------ state */

const struct inventory *
bp_inventory(const struct bpane *bp)
{
	return bp->mon->s3.inventory;
}

bool
bp_dimmed(const struct bpane *bp)
{
	const struct mon_state	*st = &bp->mon->s3.st;

	return st->fetched && !st->ok;
}

enum theme_role
bp_fig(const struct bpane *bp, enum theme_role role)
{
	return bp_dimmed(bp) ? ROLE_DIM : role;
}

const char *
bp_filter_for(const struct bpane *bp, enum bp_view v)
{
	return bp->filter != NULL && bp->filter_view == v ? bp->filter : NULL;
}

static void
tick_fire(void *arg)
{
	struct bpane	*bp = arg;

	bp->tick = NULL;
	console_pane_dirty(bp->pane);
	console_header_dirty();
}

void
bp_tick(struct bpane *bp)
{
	if (bp->tick == NULL)
		bp->tick = loop_timer_add(bp->mon->loop, 1000, tick_fire, bp);
}

static size_t
n_items(const struct bpane *bp)
{
	const struct inventory	*inv = bp_inventory(bp);

	return inv != NULL ? inv->n_tables + inv->n_foreign : 0;
}

/* The key under the prefix: what the operator knows the object by. */
static const char *
foreign_name(const struct inventory *inv, const struct inv_foreign *f)
{
	size_t	n = strlen(inv->prefix);

	if (strncmp(f->key, inv->prefix, n) == 0 && f->key[n] != '\0')
		return f->key + n;
	return f->key;
}

static const char *
item_name(const struct bpane *bp, size_t i)
{
	const struct inventory	*inv = bp_inventory(bp);

	if (inv == NULL || i >= n_items(bp))
		return NULL;
	if (i < inv->n_tables)
		return inv->tables[i].name;
	return foreign_name(inv, &inv->foreign[i - inv->n_tables]);
}

static bool
item_matches(const struct bpane *bp, size_t i)
{
	const char	*f = bp_filter_for(bp, BP_OVERVIEW), *name;

	name = item_name(bp, i);
	return name != NULL && (f == NULL || strcasestr(name, f) != NULL);
}

static void
sel_set(struct bpane *bp, size_t i)
{
	const char	*name = item_name(bp, i);

	bp->sel = i;
	free(bp->sel_key);
	bp->sel_key = name != NULL ? xstrdup(name) : NULL;
}

/* After a new inventory: the same table or object again. */
static void
sel_restore(struct bpane *bp)
{
	const char	*name;
	size_t		 i, n = n_items(bp);

	for (i = 0; bp->sel_key != NULL && i < n; i++) {
		name = item_name(bp, i);
		if (strcmp(name, bp->sel_key) == 0) {
			bp->sel = i;
			return;
		}
	}
	if (bp->sel >= n)
		bp->sel = n > 0 ? n - 1 : 0;
	sel_set(bp, bp->sel);
}

static size_t
item_next(const struct bpane *bp, size_t i, int dir)
{
	size_t	n = n_items(bp);

	while (i < n) {
		if (item_matches(bp, i))
			return i;
		if (dir < 0 && i == 0)
			break;
		i += (size_t)dir;
	}
	return BP_NOITEM;
}

const char *
bp_selected_table(const struct bpane *bp)
{
	const struct inventory	*inv = bp_inventory(bp);

	if (bp->view != BP_OVERVIEW)
		return bp->table;
	if (inv == NULL || bp->sel >= inv->n_tables ||
	    !item_matches(bp, bp->sel))
		return NULL;
	return inv->tables[bp->sel].name;
}

/* ------------------------------------------------------------ lines */

static struct bp_line *
line_add(struct bp_lines *ls, size_t item)
{
	struct bp_line	*l;

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 32;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof *ls->v);
	}
	l = &ls->v[ls->n++];
	memset(l, 0, sizeof *l);
	l->item = item;
	return l;
}

static void	span_add(struct bp_line *, int x, int w, enum theme_role,
		    enum align, const char *, ...)
		    __attribute__((format(printf, 6, 7)));

static void
span_add(struct bp_line *l, int x, int w, enum theme_role role,
    enum align align, const char *fmt, ...)
{
	struct bp_span	*s;
	va_list		 ap;

	if (l->nspans == BP_SPANS)
		return;
	s = &l->spans[l->nspans++];
	s->x = x;
	s->w = w;
	s->role = role;
	s->align = align;
	va_start(ap, fmt);
	s->text = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
lines_free(struct bp_lines *ls)
{
	size_t	i;
	int	j;

	for (i = 0; i < ls->n; i++) {
		for (j = 0; j < ls->v[i].nspans; j++)
			free(ls->v[i].spans[j].text);
	}
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

static void
lines_wrapped(struct bp_lines *ls, int x, int w, enum theme_role role,
    const char *text, size_t max)
{
	char	**wrapped;
	size_t	  n, i;

	n = widget_wrap(text, w - x > 10 ? w - x : 10, &wrapped);
	for (i = 0; i < n && i < max; i++)
		span_add(line_add(ls, BP_NOITEM), x, 0, role, ALIGN_LEFT,
		    "%s%s", wrapped[i], i + 1 == max && n > max ? dots() : "");
	widget_lines_free(wrapped, n);
}

/* ------------------------------------------------------------ the strip */

/* A day of the strip: its glyph (UTF-8 or ASCII) and role. */
static const char *
day_glyph(enum inv_day d, bool before)
{
	bool	u = ui_utf8();

	if (before)
		return u ? "·" : " ";
	switch (d) {
	case INV_DAY_VERIFIED:
		return u ? "█" : "#";
	case INV_DAY_PRESENT:
		return u ? "▄" : "+";
	case INV_DAY_INCOMPLETE:
		return u ? "░" : "~";
	case INV_DAY_FAILED:
		return u ? "✗" : "!";
	default:
		return u ? "_" : ".";
	}
}

static enum theme_role
day_role(const struct bpane *bp, enum inv_day d, bool before)
{
	if (bp_dimmed(bp))
		return ROLE_UNKNOWN;
	if (before)
		return ROLE_DIM;
	switch (d) {
	case INV_DAY_VERIFIED:
		return ROLE_OK;
	case INV_DAY_PRESENT:
		return ROLE_VALUE;
	case INV_DAY_INCOMPLETE:
		return ROLE_WARN;
	default:
		return ROLE_CRIT;
	}
}

/*
 * Days of the strip before the table's first backup are not gaps: the
 * table was not backed up yet. Returns how many lead the strip.
 */
static int
strip_lead(const struct inv_table *t)
{
	int	i;

	for (i = 0; i < INV_STRIP_DAYS; i++) {
		if (t->strip[i] != INV_DAY_MISSING)
			return i;
	}
	return 0;	/* none at all in 14 days: every day is missing */
}

static void
span_strip(const struct bpane *bp, struct bp_line *l, int x,
    const struct inv_table *t)
{
	int	i, lead = strip_lead(t);

	for (i = 0; i < INV_STRIP_DAYS; i++)
		span_add(l, i == 0 ? x : -1, 0, day_role(bp, t->strip[i],
		    i < lead), ALIGN_LEFT, "%s", day_glyph(t->strip[i],
		    i < lead));
}

/* Missing days in the last `days` of the strip, after its first backup. */
static int
strip_gaps(const struct inv_table *t, int days)
{
	int	i, n = 0, lead = strip_lead(t);

	for (i = INV_STRIP_DAYS - days; i < INV_STRIP_DAYS; i++) {
		if (i >= lead && (t->strip[i] == INV_DAY_MISSING ||
		    t->strip[i] == INV_DAY_INCOMPLETE ||
		    t->strip[i] == INV_DAY_FAILED))
			n++;
	}
	return n;
}

/* ------------------------------------------------------------ a table */

static const char *
verify_word(const struct inv_backup *bk, enum theme_role *role)
{
	switch (bk->verified) {
	case INV_VERIFIED:
		*role = ROLE_OK;
		return "yes";
	case INV_VERIFY_FAILED:
		*role = ROLE_CRIT;
		return "FAIL";
	case INV_VERIFY_STALE:
		*role = ROLE_WARN;
		return "old";
	case INV_VERIFY_UNKNOWN:
		*role = ROLE_UNKNOWN;
		return "?";
	default:
		*role = ROLE_DIM;
		return "no";
	}
}

static enum theme_role
name_role(const struct bpane *bp, size_t i, bool focused)
{
	if (i != bp->sel)
		return ROLE_PANE_TITLE;
	return focused ? ROLE_SELECTION : ROLE_SELECTION_INACTIVE;
}

static const char *
marker(bool selected)
{
	if (!selected)
		return "  ";
	return ui_utf8() ? "▸ " : "> ";
}

/* The latest backup's figures: age, rows, size, verified. */
struct bp_figs {
	char		age[32], rows[32], size[32];
	const char	*ver;
	enum theme_role	age_role, ver_role;
};

static bool
table_figs(const struct bpane *bp, const struct inv_table *t, bool wide,
    struct bp_figs *f)
{
	const struct inv_backup	*bk = t->latest;
	int64_t			 age;

	if (bk == NULL)
		return false;
	age = bp_backup_age_ms(bk, util_wall_ms());
	if (wide)
		bp_fmt_age(f->age, sizeof f->age, age);
	else
		fmt_age_short(f->age, sizeof f->age, age);
	f->age_role = bp_fig(bp, bp_age_role(bp, age));
	if (bk->manifest != NULL)
		util_fmt_count(f->rows, sizeof f->rows,
		    (double)bk->manifest->rows);
	else
		snprintf(f->rows, sizeof f->rows, "?");
	if (bk->data != NULL)
		util_fmt_bytes(f->size, sizeof f->size,
		    (double)bk->data->size);
	else
		snprintf(f->size, sizeof f->size, "?");
	f->ver = verify_word(bk, &f->ver_role);
	f->ver_role = bp_fig(bp, f->ver_role);
	return true;
}

static void
lines_incomplete(const struct bpane *bp, struct bp_lines *ls, size_t item,
    const struct inv_table *t, int x)
{
	struct bp_line	*l = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < t->n_backups; i++) {
		if (t->backups[i]->complete)
			continue;
		if (l == NULL) {
			l = line_add(ls, item);
			span_add(l, x, 0, bp_fig(bp, ROLE_WARN), ALIGN_LEFT,
			    "incomplete:");
		}
		if (n++ < 4)
			span_add(l, -1, 0, bp_fig(bp, ROLE_WARN), ALIGN_LEFT,
			    " %s", t->backups[i]->period);
	}
	if (n > 4)
		span_add(l, -1, 0, bp_fig(bp, ROLE_WARN), ALIGN_LEFT, " +%zu",
		    n - 4);
}

/* name | period | age | rows | size | verified | strip */
static void
lines_table_wide(const struct bpane *bp, struct bp_lines *ls, size_t i,
    int w, bool focused)
{
	const struct inv_table	*t = &bp_inventory(bp)->tables[i];
	struct bp_line		*l = line_add(ls, i);
	struct bp_figs		 f;
	bool			 period = w >= BP_PERIOD_MIN;
	int			 fixed, nw, x;

	fixed = BP_AGE_W + BP_ROWS_W + BP_SIZE_W + BP_VER_W + 1 +
	    INV_STRIP_DAYS + (period ? BP_PERIOD_W : 0) + 1;
	nw = w - fixed;
	span_add(l, 0, nw, name_role(bp, i, focused), ALIGN_LEFT, "%s%s",
	    marker(i == bp->sel), t->name);
	x = nw;
	if (!table_figs(bp, t, true, &f)) {
		span_add(l, x, w - x - INV_STRIP_DAYS - 1, bp_fig(bp,
		    ROLE_CRIT), ALIGN_LEFT, " no complete backup");
	} else {
		if (period) {
			span_add(l, x, BP_PERIOD_W, bp_fig(bp, ROLE_VALUE),
			    ALIGN_LEFT, " %s", t->latest->period);
			x += BP_PERIOD_W;
		}
		span_add(l, x, BP_AGE_W, f.age_role, ALIGN_RIGHT, "%s", f.age);
		span_add(l, x += BP_AGE_W, BP_ROWS_W, bp_fig(bp, ROLE_VALUE),
		    ALIGN_RIGHT, "%s", f.rows);
		span_add(l, x += BP_ROWS_W, BP_SIZE_W, bp_fig(bp, ROLE_VALUE),
		    ALIGN_RIGHT, "%s", f.size);
		span_add(l, x += BP_SIZE_W, BP_VER_W, f.ver_role, ALIGN_RIGHT,
		    "%s", f.ver);
	}
	span_strip(bp, l, w - INV_STRIP_DAYS - 1, t);
	lines_incomplete(bp, ls, i, t, 4);
}

/* name, verified and age; then the strip, rows and size */
static void
lines_table_narrow(const struct bpane *bp, struct bp_lines *ls, size_t i,
    int w, bool focused)
{
	const struct inv_table	*t = &bp_inventory(bp)->tables[i];
	struct bp_line		*l = line_add(ls, i);
	struct bp_figs		 f;
	bool			 figs;

	figs = table_figs(bp, t, false, &f);
	span_add(l, 0, w - 5, name_role(bp, i, focused), ALIGN_LEFT, "%s%s",
	    marker(i == bp->sel), t->name);
	if (figs)
		span_add(l, w - 5, 5, f.age_role, ALIGN_RIGHT, "%s", f.age);
	l = line_add(ls, i);
	span_strip(bp, l, 2, t);
	if (!figs)
		span_add(l, -1, 0, bp_fig(bp, ROLE_CRIT), ALIGN_LEFT,
		    " no backup");
	else {
		span_add(l, -1, 0, bp_fig(bp, ROLE_VALUE), ALIGN_LEFT,
		    " %s %s", f.rows, f.size);
		if (w >= 2 + INV_STRIP_DAYS + 20)
			span_add(l, -1, 0, f.ver_role, ALIGN_LEFT, " %s",
			    f.ver);
	}
	lines_incomplete(bp, ls, i, t, 2);
}

static void
lines_foreign(const struct bpane *bp, struct bp_lines *ls, size_t i, int w,
    bool focused)
{
	const struct inventory		*inv = bp_inventory(bp);
	const struct inv_foreign	*f = &inv->foreign[i - inv->n_tables];
	struct bp_line			*l = line_add(ls, i);
	char				 size[32], date[32];
	int				 sw = w >= BP_WIDE_MIN ? BP_SIZE_W : 7;

	util_fmt_bytes(size, sizeof size, (double)f->size);
	bp_fmt_time(date, sizeof date, f->mtime_ms);
	if (w >= BP_WIDE_MIN) {
		span_add(l, 0, w - sw - BP_DATE_W - 1, name_role(bp, i,
		    focused), ALIGN_LEFT, "%s%s", marker(i == bp->sel),
		    foreign_name(inv, f));
		span_add(l, w - sw - BP_DATE_W - 1, sw, bp_fig(bp,
		    ROLE_VALUE), ALIGN_RIGHT, "%s", size);
		span_add(l, w - BP_DATE_W, BP_DATE_W, bp_fig(bp, ROLE_DIM),
		    ALIGN_RIGHT, "%s", date);
		return;
	}
	span_add(l, 0, w - sw, name_role(bp, i, focused), ALIGN_LEFT, "%s%s",
	    marker(i == bp->sel), foreign_name(inv, f));
	span_add(l, w - sw, sw, bp_fig(bp, ROLE_VALUE), ALIGN_RIGHT, "%s",
	    size);
	span_add(line_add(ls, i), 4, 0, bp_fig(bp, ROLE_DIM), ALIGN_LEFT,
	    "%s", date);
}

/* ------------------------------------------------------------ source */

/* What is wrong with the bucket; returns whether an age ticks. */
static bool
lines_source(const struct bpane *bp, struct bp_lines *ls, int w)
{
	const struct mon_state	*st = &bp->mon->s3.st;
	struct bp_line		*l;
	char			 age[32];

	if (!st->configured) {
		span_add(line_add(ls, BP_NOITEM), 0, 0, ROLE_UNKNOWN,
		    ALIGN_LEFT, "S3 not configured");
		lines_wrapped(ls, 2, w, ROLE_DIM, st->error != NULL ?
		    st->error : "", 3);
		return false;
	}
	if (!st->fetched) {
		span_add(line_add(ls, BP_NOITEM), 0, 0, ROLE_UNKNOWN,
		    ALIGN_LEFT, "listing the bucket%s", dots());
		return false;
	}
	if (st->ok)
		return false;
	l = line_add(ls, BP_NOITEM);
	span_add(l, 0, 0, ROLE_CRIT, ALIGN_LEFT, "S3 down");
	if (st->last_ok_ms != 0) {
		bp_fmt_age(age, sizeof age, util_wall_ms() - st->last_ok_ms);
		span_add(l, -1, 0, ROLE_WARN, ALIGN_LEFT, ", last good listing "
		    "%s ago", age);
	} else
		span_add(l, -1, 0, ROLE_WARN, ALIGN_LEFT, ", never listed");
	lines_wrapped(ls, 2, w, ROLE_ERROR, st->error != NULL ? st->error :
	    "no answer", 3);
	return true;
}

static void
lines_header(struct bp_lines *ls, int w)
{
	struct bp_line	*l = line_add(ls, BP_NOITEM);
	bool		 period = w >= BP_PERIOD_MIN;
	int		 x;

	if (w < BP_WIDE_MIN) {
		span_add(l, 0, w - 5, ROLE_LABEL, ALIGN_LEFT, "  Table");
		span_add(l, w - 5, 5, ROLE_LABEL, ALIGN_RIGHT, "Age");
		span_add(line_add(ls, BP_NOITEM), 2, 0, ROLE_LABEL,
		    ALIGN_LEFT, "Last 14 days   Rows Size");
		return;
	}
	x = w - (BP_AGE_W + BP_ROWS_W + BP_SIZE_W + BP_VER_W + 1 +
	    INV_STRIP_DAYS + (period ? BP_PERIOD_W : 0) + 1);
	span_add(l, 0, x, ROLE_LABEL, ALIGN_LEFT, "  Table");
	if (period) {
		span_add(l, x, BP_PERIOD_W, ROLE_LABEL, ALIGN_LEFT, " Latest");
		x += BP_PERIOD_W;
	}
	span_add(l, x, BP_AGE_W, ROLE_LABEL, ALIGN_RIGHT, "Age");
	span_add(l, x += BP_AGE_W, BP_ROWS_W, ROLE_LABEL, ALIGN_RIGHT,
	    "Rows");
	span_add(l, x += BP_ROWS_W, BP_SIZE_W, ROLE_LABEL, ALIGN_RIGHT,
	    "Size");
	span_add(l, x += BP_SIZE_W, BP_VER_W, ROLE_LABEL, ALIGN_RIGHT,
	    "Ver");
	span_add(l, w - INV_STRIP_DAYS - 1, 0, ROLE_LABEL, ALIGN_LEFT,
	    "Last 14 days");
}

static void
lines_build(struct bpane *bp, struct bp_lines *ls, int w, bool focused)
{
	const struct inventory	*inv = bp_inventory(bp);
	struct bp_line		*l;
	size_t			 i, shown = 0;

	if (inv == NULL)
		return;
	if (inv->n_tables > 0)
		lines_header(ls, w);
	for (i = 0; i < inv->n_tables; i++) {
		if (!item_matches(bp, i))
			continue;
		if (w >= BP_WIDE_MIN)
			lines_table_wide(bp, ls, i, w, focused);
		else
			lines_table_narrow(bp, ls, i, w, focused);
		shown++;
	}
	if (inv->n_tables == 0)
		span_add(line_add(ls, BP_NOITEM), 0, 0, ROLE_UNKNOWN,
		    ALIGN_LEFT, "no backups under %s", *inv->prefix != '\0' ?
		    inv->prefix : "the bucket");
	if (inv->n_foreign > 0) {
		line_add(ls, BP_NOITEM);
		l = line_add(ls, BP_NOITEM);
		span_add(l, 0, 0, ROLE_LABEL, ALIGN_LEFT, "Foreign objects "
		    "(%zu, not written by chops)", inv->n_foreign);
	}
	for (i = inv->n_tables; i < n_items(bp); i++) {
		if (!item_matches(bp, i))
			continue;
		lines_foreign(bp, ls, i, w, focused);
		shown++;
	}
	if (shown == 0 && n_items(bp) > 0)
		span_add(line_add(ls, BP_NOITEM), 0, 0, ROLE_DIM, ALIGN_LEFT,
		    "nothing matches the filter");
}

/* ------------------------------------------------------------ drawing */

static void
line_draw(WINDOW *win, int y, int w, const struct bp_line *l)
{
	const struct bp_span	*s;
	int			 i, x = 0, sw;

	for (i = 0; i < l->nspans; i++) {
		s = &l->spans[i];
		if (s->x >= 0)
			x = s->x;
		if (x >= w)
			return;
		sw = s->w > 0 ? s->w : w - x;
		if (sw > w - x)
			sw = w - x;
		if (s->w > 0) {
			widget_text(win, y, x, sw, s->role, s->align, s->text);
			x += sw;
		} else
			x += widget_put(win, y, x, sw, s->role, s->text);
	}
}

/* Moves `top` so that the selected item's lines show. */
static void
list_follow(struct bpane *bp, const struct bp_lines *ls)
{
	size_t	i, first = BP_NOITEM, last = 0;

	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].item != bp->sel)
			continue;
		if (first == BP_NOITEM)
			first = i;
		last = i;
	}
	if (first == BP_NOITEM)
		return;
	if (first <= 1)		/* the column titles stay with the first */
		first = 0;
	if (first < bp->top)
		bp->top = first;
	else if (last >= bp->top + bp->page)
		bp->top = last + 1 - bp->page;
	if (ls->n <= bp->page)
		bp->top = 0;
	else if (bp->top > ls->n - bp->page)
		bp->top = ls->n - bp->page;
}

static void
overview_draw(struct bpane *bp, WINDOW *win, bool focused)
{
	struct bp_lines	 pinned = { 0 }, ls = { 0 };
	size_t		 i, first;
	int		 h, w, y = 0, body;
	bool		 ticks;

	getmaxyx(win, h, w);
	if (!item_matches(bp, bp->sel) &&
	    (first = item_next(bp, 0, 1)) != BP_NOITEM)
		sel_set(bp, first);
	ticks = lines_source(bp, &pinned, w);
	for (y = 0; y < (int)pinned.n && y < h; y++)
		line_draw(win, y, w, &pinned.v[y]);
	y += bprun_draw(bp, win, y, w);
	lines_build(bp, &ls, w, focused);
	body = h - y - (bp_filter_for(bp, BP_OVERVIEW) != NULL ? 1 : 0);
	bp->page = body > 1 ? (size_t)body : 1;
	bp->drawn = true;
	list_follow(bp, &ls);
	for (i = bp->top; y < h && i < ls.n && i < bp->top + bp->page;
	    y++, i++)
		line_draw(win, y, w, &ls.v[i]);
	if (bp_filter_for(bp, BP_OVERVIEW) != NULL)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_LEFT,
		    "filter: %s", bp->filter);
	else if (bp->top + bp->page < ls.n && h > 1)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_RIGHT,
		    "%s %zu more lines", ui_utf8() ? "↓" : "v",
		    ls.n - bp->top - bp->page);
	lines_free(&pinned);
	lines_free(&ls);
	if (ticks || bprun_busy(bp))
		bp_tick(bp);
}

/* ------------------------------------------------------------ moving */

static int
list_move(struct bpane *bp, enum action act)
{
	size_t	n = n_items(bp), next = BP_NOITEM, step, i;

	if (!bp->drawn || n == 0)
		return REACT_NONE;
	step = bp->page > 2 ? bp->page / 2 : 1;
	switch (act) {
	case ACT_UP:
		if (bp->sel > 0)
			next = item_next(bp, bp->sel - 1, -1);
		break;
	case ACT_DOWN:
		next = item_next(bp, bp->sel + 1, 1);
		break;
	case ACT_HOME:
		next = item_next(bp, 0, 1);
		break;
	case ACT_END:
		next = item_next(bp, n - 1, -1);
		break;
	case ACT_PAGE_UP:
		for (i = 0; i < step; i++) {
			if (bp->sel == 0 || (next = item_next(bp,
			    bp->sel - 1, -1)) == BP_NOITEM)
				break;
			sel_set(bp, next);
		}
		return REACT_REDRAW;
	default:
		for (i = 0; i < step; i++) {
			if ((next = item_next(bp, bp->sel + 1, 1)) ==
			    BP_NOITEM)
				break;
			sel_set(bp, next);
		}
		return REACT_REDRAW;
	}
	if (next == BP_NOITEM)
		return REACT_NONE;
	sel_set(bp, next);
	return REACT_REDRAW;
}

static int
overview_enter(struct bpane *bp)
{
	const char	*table = bp_selected_table(bp);

	if (table == NULL) {
		if (item_name(bp, bp->sel) != NULL)
			console_set_status(ROLE_FOOTER, "a foreign object: "
			    "chops did not write it and has nothing more to "
			    "say about it");
		return REACT_NONE;
	}
	free(bp->table);
	bp->table = xstrdup(table);
	bpdrill_open(bp, BP_BACKUPS);
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ actions */

const struct inv_backup *
bp_selected_backup(const struct bpane *bp)
{
	const struct inventory	*inv = bp_inventory(bp);
	const struct inv_table	*t;
	const char		*table, *id;

	if (inv == NULL)
		return NULL;
	if (bp->view != BP_OVERVIEW)
		return (id = bpdrill_selected(bp)) != NULL ?
		    inventory_find(inv, id) : NULL;
	if ((table = bp_selected_table(bp)) == NULL ||
	    (t = inventory_table(inv, table)) == NULL)
		return NULL;
	return t->latest;
}

/* No core for it yet. */
static int
not_yet(const char *what)
{
	console_set_status(ROLE_WARN, "%s: not available in this build yet",
	    what);
	return REACT_NONE;
}

/* The core has it; the console does not drive it yet. */
static int
not_wired(const char *what, const char *command)
{
	console_set_status(ROLE_WARN, "%s: not in the console yet; `%s` "
	    "does it", what, command);
	return REACT_NONE;
}

/* The actions on backups, from any view. REACT_PASS: not one of them. */
static int
backup_action(struct bpane *bp, enum action act)
{
	const struct inv_backup	*bk;
	const char		*table;

	switch (act) {
	case ACT_BACKUP:
		if ((table = bp_selected_table(bp)) == NULL) {
			console_set_status(ROLE_FOOTER, "select a table to "
			    "back up");
			return REACT_NONE;
		}
		return bprun_backup(bp, table);
	case ACT_VERIFY:
		if ((bk = bp_selected_backup(bp)) == NULL) {
			console_set_status(ROLE_FOOTER, "select a complete "
			    "backup (or a table with one) to verify");
			return REACT_NONE;
		}
		return bprun_verify(bp, bk->id);
	case ACT_KILL:
		return bprun_cancel(bp);
	case ACT_RESTORE:
		if ((bk = bp_selected_backup(bp)) == NULL) {
			console_set_status(ROLE_FOOTER, "select a complete "
			    "backup (or a table with one) to restore");
			return REACT_NONE;
		}
		return bprestore_start(bp, bk->id);
	case ACT_DELETE:
		return not_yet("deleting a backup");
	case ACT_PRUNE:
		return not_wired("prune", "chops prune --dry-run");
	case ACT_AUDIT:
		return bpaudit_open(bp);
	default:
		return REACT_PASS;
	}
}

/* Esc: up a level; at the top, cancel what runs (it asks first). */
static int
view_back(struct bpane *bp)
{
	if (bp_filter_for(bp, bp->view) != NULL)
		return REACT_PASS;	/* the console clears the filter */
	switch (bp->view) {
	case BP_OBJECTS:
		bpdrill_close(bp, BP_OBJECTS);
		bp->view = BP_BACKUPS;
		return REACT_REDRAW;
	case BP_BACKUPS:
		bpdrill_close(bp, BP_BACKUPS);
		bp->view = BP_OVERVIEW;
		return REACT_REDRAW;
	default:
		if (bprun_busy(bp))
			return bprun_cancel(bp);
		return REACT_PASS;
	}
}

/* ------------------------------------------------------------ ops */

static void
bp_draw(struct pane *p, WINDOW *win, bool focused)
{
	struct bpane	*bp = p->state;
	int		 h, w, y;

	bp->pane = p;
	if (bp->view == BP_OVERVIEW) {
		overview_draw(bp, win, focused);
		return;
	}
	getmaxyx(win, h, w);
	y = bprun_draw(bp, win, 0, w);
	bpdrill_draw(bp, win, y, h - y, w, focused);
	if (bp_dimmed(bp) || bprun_busy(bp))
		bp_tick(bp);
}

static int
bp_action(struct pane *p, enum action act)
{
	struct bpane	*bp = p->state;
	int		 r;

	bp->pane = p;
	if ((r = backup_action(bp, act)) != REACT_PASS)
		return r;
	if (act == ACT_BACK)
		return view_back(bp);
	if (bp->view != BP_OVERVIEW)
		return bpdrill_action(bp, act);
	switch (act) {
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
	case ACT_HOME:
	case ACT_END:
		return list_move(bp, act);
	case ACT_ENTER:
		return overview_enter(bp);
	case ACT_SORT:
	case ACT_SORT_REVERSE:
		console_set_status(ROLE_FOOTER, "tables are in name order; "
		    "Enter a table to sort its backups");
		return REACT_NONE;
	default:
		return REACT_PASS;
	}
}

static void
bp_fetch(struct pane *p)
{
	struct bpane	*bp = p->state;

	monitor_refresh(bp->mon, MON_S3);
}

static void
bp_filter(struct pane *p, const char *text)
{
	struct bpane	*bp = p->state;

	free(bp->filter);
	bp->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	bp->filter_view = bp->view;
	bpdrill_filter(bp);
}

/* "latest 6h · 1 gap", "t1 no backup", "down 3m". */
static enum theme_role
tables_state(const struct bpane *bp, char *buf, size_t len)
{
	const struct inventory	*inv = bp_inventory(bp);
	const struct inv_table	*t;
	enum theme_role		 role = ROLE_OK, r;
	int64_t			 age, oldest = -1, now = util_wall_ms();
	size_t			 i, none = 0;
	int			 gaps = 0;
	char			 a[32], g[32] = "";

	for (i = 0; i < inv->n_tables; i++) {
		t = &inv->tables[i];
		gaps += strip_gaps(t, BP_GAP_DAYS);
		if (t->latest == NULL) {
			none++;
			continue;
		}
		age = bp_backup_age_ms(t->latest, now);
		if (age > oldest)
			oldest = age;
	}
	if (inv->n_tables == 0) {
		snprintf(buf, len, "no backups");
		return ROLE_UNKNOWN;
	}
	if (gaps > 0) {
		snprintf(g, sizeof g, " %s %d gap%s", sep(), gaps,
		    gaps == 1 ? "" : "s");
		role = ROLE_WARN;
	}
	if (oldest < 0) {
		snprintf(buf, len, "no complete backup%s", g);
		return ROLE_CRIT;
	}
	fmt_age_short(a, sizeof a, oldest);
	r = bp_age_role(bp, oldest);
	if (none > 0)
		r = ROLE_CRIT;
	if (r == ROLE_CRIT || (r == ROLE_WARN && role == ROLE_OK))
		role = r;
	if (none > 0)
		snprintf(buf, len, "%zu unbacked %s latest %s%s", none, sep(),
		    a, g);
	else
		snprintf(buf, len, "latest %s%s", a, g);
	return role;
}

static enum theme_role
bp_state(struct pane *p, char *buf, size_t len)
{
	struct bpane		*bp = p->state;
	const struct mon_state	*st = &bp->mon->s3.st;
	char			 age[32], job[64];
	size_t			 used;
	enum theme_role		 role;

	if (!st->configured) {
		snprintf(buf, len, "not configured");
		return ROLE_UNKNOWN;
	}
	if (!st->fetched && bp_inventory(bp) == NULL) {
		snprintf(buf, len, "listing");
		return ROLE_UNKNOWN;
	}
	if (!st->ok) {
		fmt_age_short(age, sizeof age, util_wall_ms() -
		    st->last_ok_ms);
		snprintf(buf, len, st->last_ok_ms != 0 ? "down %s" : "down",
		    age);
		return ROLE_CRIT;
	}
	role = tables_state(bp, buf, len);
	if (bprun_state(bp, job, sizeof job) != NULL) {
		used = strlen(buf);
		if (used < len)
			snprintf(buf + used, len - used, " %s %s", sep(), job);
	}
	return role;
}

static void
bp_free(void *state)
{
	struct bpane	*bp = state;
	int		 v;

	if (bp == NULL)
		return;
	bprun_free(bp);
	for (v = 0; v < BP_NVIEWS; v++)
		bpdrill_close(bp, (enum bp_view)v);
	if (bp->tick != NULL)
		loop_timer_cancel(bp->mon->loop, bp->tick);
	free(bp->filter);
	free(bp->sel_key);
	free(bp->table);
	free(bp->backup);
	free(bp->outcome);
	free(bp);
}

const struct pane_ops pane_backups_ops = {
	.name = "backups",
	.title = "Backups",
	.help = "what is in the bucket under the prefix: per table, the "
	    "latest complete backup's age (how old its data is: the end of "
	    "its period; warn and crit from [ui] backup_age_warn and "
	    "backup_age_crit), rows, size and whether it was verified, and "
	    "the last 14 days, oldest first: \"█\" (#) verified, \"▄\" (+) "
	    "backed up, \"░\" (~) incomplete (no manifest), \"✗\" (!) failed "
	    "verification, \"_\" (.) missing, \"·\" before the table's first "
	    "backup. Then the foreign objects (not written by chops). When "
	    "S3 fails: the error and the age of the last good listing, whose "
	    "data shows dimmed. Enter on a table lists its backups, then a "
	    "backup's objects (s, S sort; / filters; Esc goes back). b backs "
	    "the selected table up (the period prefilled from its plan) and "
	    "v verifies the selected backup, in the background with a "
	    "progress bar while you browse; c (or Esc at the top) cancels. "
	    "R restores the selected backup: a wizard shows the checks (the "
	    "target, the partitions covered and their rows, the staging "
	    "table), asks for the mode (replace, append, staging only) and, "
	    "to change the table, its name typed; then it runs in the "
	    "background like b. a shows the audit trail (this host's and the "
	    "team's, newest first).",
	.draw = bp_draw,
	.action = bp_action,
	.fetch = bp_fetch,
	.filter = bp_filter,
	.state = bp_state,
	.free = bp_free,
};

void *
pane_backups_new(struct monitor *mon, const struct config *cfg)
{
	struct bpane	*bp = xcalloc(1, sizeof *bp);

	bp->mon = mon;
	bp->cfg = cfg;
	mon->s3.fetch = INV_FETCH_RECENT;
	return bp;
}

void
pane_backups_attach(void *state, struct pane *p)
{
	struct bpane	*bp = state;

	if (bp != NULL)
		bp->pane = p;
}

void
pane_backups_changed(void *state)
{
	struct bpane	*bp = state;

	if (bp == NULL)
		return;
	sel_restore(bp);
	bpdrill_refill(bp);
	console_pane_dirty(bp->pane);
}

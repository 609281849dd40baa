#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define TABLE_MAX_COLS	32

void
table_init(struct table *t, const struct table_column *cols, size_t ncols)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	t->sort_col = -1;
	t->empty = "no rows";
}

static void
rows_free(struct table *t)
{
	size_t	i, j;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i].cells[j].text);
		free(t->rows[i].cells);
		free(t->rows[i].key);
	}
	t->nrows = 0;
	t->nview = 0;
}

void
table_free(struct table *t)
{
	rows_free(t);
	free(t->rows);
	free(t->view);
	free(t->sel_key);
	free(t->filter);
	memset(t, 0, sizeof *t);
}

const char *
table_row_key(const struct table *t, size_t row)
{
	const struct table_row	*r = &t->rows[row];

	if (r->key != NULL)
		return r->key;
	return r->cells[0].text != NULL ? r->cells[0].text : "";
}

const char *
table_cell_text(const struct table *t, size_t row, size_t col)
{
	if (row >= t->nrows || col >= t->ncols)
		return "";
	return t->rows[row].cells[col].text != NULL ?
	    t->rows[row].cells[col].text : "";
}

size_t
table_selected(const struct table *t)
{
	return t->sel < t->nview ? t->view[t->sel] : TABLE_NONE;
}

/* Remembers the selected row's key for table_update to find again. */
static void
remember_selection(struct table *t)
{
	size_t	row = table_selected(t);

	if (row == TABLE_NONE)
		return;
	free(t->sel_key);
	t->sel_key = xstrdup(table_row_key(t, row));
}

void
table_clear(struct table *t)
{
	if (t->sel_key == NULL)
		remember_selection(t);
	rows_free(t);
}

size_t
table_add(struct table *t, const char *key)
{
	struct table_row	*r;
	size_t			 i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->rows = xreallocarray(t->rows, t->cap, sizeof *t->rows);
	}
	r = &t->rows[t->nrows];
	r->key = key != NULL ? xstrdup(key) : NULL;
	r->cells = xcalloc(t->ncols, sizeof *r->cells);
	for (i = 0; i < t->ncols; i++)
		r->cells[i].num = NAN;
	return t->nrows++;
}

void
table_set(struct table *t, size_t row, size_t col, enum theme_role role,
    const char *fmt, ...)
{
	struct table_cell	*c;
	va_list			 ap;

	if (row >= t->nrows || col >= t->ncols)
		return;
	c = &t->rows[row].cells[col];
	free(c->text);
	va_start(ap, fmt);
	c->text = xvasprintf(fmt, ap);
	va_end(ap);
	c->role = role;
}

void
table_set_num(struct table *t, size_t row, size_t col, double v)
{
	if (row < t->nrows && col < t->ncols)
		t->rows[row].cells[col].num = v;
}

static bool
row_matches(const struct table *t, size_t row)
{
	size_t	i;

	if (t->filter == NULL)
		return true;
	for (i = 0; i < t->ncols; i++) {
		if (strcasestr(table_cell_text(t, row, i), t->filter) != NULL)
			return true;
	}
	return false;
}

static int
row_cmp(const void *a, const void *b, void *arg)
{
	const struct table	*t = arg;
	size_t			 ra = *(const size_t *)a, rb = *(const size_t *)b;
	const struct table_cell	*ca, *cb;
	int			 r;

	ca = &t->rows[ra].cells[t->sort_col];
	cb = &t->rows[rb].cells[t->sort_col];
	if (!isnan(ca->num) && !isnan(cb->num))
		r = ca->num < cb->num ? -1 : ca->num > cb->num;
	else if (isnan(ca->num) != isnan(cb->num))
		r = isnan(ca->num) ? 1 : -1;	/* numbers first */
	else
		r = strverscmp(table_cell_text(t, ra, (size_t)t->sort_col),
		    table_cell_text(t, rb, (size_t)t->sort_col));
	if (t->sort_desc)
		r = -r;
	return r != 0 ? r : (ra < rb ? -1 : ra > rb);
}

/* Puts the selection on sel_key's row, or keeps its place. */
static void
restore_selection(struct table *t)
{
	size_t	i;

	if (t->sel_key != NULL) {
		for (i = 0; i < t->nview; i++) {
			if (strcmp(table_row_key(t, t->view[i]),
			    t->sel_key) == 0) {
				t->sel = i;
				break;
			}
		}
		free(t->sel_key);
		t->sel_key = NULL;
	}
	if (t->sel >= t->nview)
		t->sel = t->nview > 0 ? t->nview - 1 : 0;
}

void
table_update(struct table *t)
{
	size_t	i;

	if (t->sel_key == NULL)
		remember_selection(t);
	t->view = xreallocarray(t->view, t->nrows + 1, sizeof *t->view);
	t->nview = 0;
	for (i = 0; i < t->nrows; i++) {
		if (row_matches(t, i))
			t->view[t->nview++] = i;
	}
	if (t->sort_col >= 0 && (size_t)t->sort_col < t->ncols)
		qsort_r(t->view, t->nview, sizeof *t->view, row_cmp, t);
	restore_selection(t);
}

void
table_sort(struct table *t, int col, bool desc)
{
	t->sort_col = col >= 0 && (size_t)col < t->ncols ? col : -1;
	t->sort_desc = desc;
	table_update(t);
}

void
table_filter(struct table *t, const char *text)
{
	free(t->filter);
	t->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	table_update(t);
}

/* The next column `s` sorts by, after the current one. */
static int
next_sort_col(const struct table *t)
{
	size_t	i, c;

	for (i = 1; i <= t->ncols; i++) {
		c = ((size_t)(t->sort_col + 1) + i - 1) % t->ncols;
		if (!(t->cols[c].flags & TABLE_NOSORT))
			return (int)c;
	}
	return -1;
}

static int
move_to(struct table *t, long target)
{
	size_t	old = t->sel;

	if (t->nview == 0)
		return REACT_NONE;
	if (target < 0)
		target = 0;
	if ((size_t)target >= t->nview)
		target = (long)t->nview - 1;
	t->sel = (size_t)target;
	return t->sel != old ? REACT_REDRAW : REACT_NONE;
}

int
table_action(struct table *t, enum action act)
{
	long	page = t->page > 1 ? t->page - 1 : 1;

	switch (act) {
	case ACT_UP:
		return move_to(t, (long)t->sel - 1);
	case ACT_DOWN:
		return move_to(t, (long)t->sel + 1);
	case ACT_PAGE_UP:
		return move_to(t, (long)t->sel - page);
	case ACT_PAGE_DOWN:
		return move_to(t, (long)t->sel + page);
	case ACT_HOME:
		return move_to(t, 0);
	case ACT_END:
		return move_to(t, (long)t->nview - 1);
	case ACT_SORT:
		table_sort(t, next_sort_col(t), false);
		return REACT_REDRAW;
	case ACT_SORT_REVERSE:
		if (t->sort_col < 0)
			t->sort_col = next_sort_col(t);
		table_sort(t, t->sort_col, !t->sort_desc);
		return REACT_REDRAW;
	default:
		return REACT_PASS;
	}
}

/* Column widths for `w` columns: drop from the right, grow one. */
static void
column_widths(const struct table *t, int w, int *wid)
{
	size_t	i, n = t->ncols, grow;
	int	total;

	memset(wid, 0, TABLE_MAX_COLS * sizeof *wid);
	if (n == 0)
		return;
	for (;;) {
		total = (int)n - 1;
		for (i = 0; i < n; i++)
			total += t->cols[i].width;
		if (total <= w || n == 1)
			break;
		n--;
	}
	grow = n - 1;
	for (i = 0; i < t->ncols; i++) {
		wid[i] = i < n ? t->cols[i].width : 0;
		if (i < n && (t->cols[i].flags & TABLE_GROW) && grow == n - 1)
			grow = i;
	}
	if (total > w)
		wid[0] = w;
	else
		wid[grow] += w - total;
}

static void
draw_header(const struct table *t, WINDOW *win, int y, int x, const int *wid)
{
	const char	*mark;
	size_t		 i;
	int		 align;

	for (i = 0; i < t->ncols && wid[i] > 0; i++) {
		align = t->cols[i].flags & TABLE_RIGHT ? ALIGN_RIGHT : ALIGN_LEFT;
		mark = "";
		if ((int)i == t->sort_col)
			mark = ui_utf8() ? (t->sort_desc ? "\u25bc" : "\u25b2") :
			    (t->sort_desc ? "v" : "^");
		widget_textf(win, y, x, wid[i], ROLE_LABEL, align, "%s%s",
		    t->cols[i].title, mark);
		x += wid[i];
		if (i + 1 < t->ncols && wid[i + 1] > 0)
			widget_fill(win, y, x++, 1, ROLE_LABEL);
	}
}

static void
draw_row(const struct table *t, WINDOW *win, int y, int x, const int *wid,
    size_t vi, bool focused)
{
	const struct table_cell	*c;
	enum theme_role		 sel = ROLE_COUNT, role;
	size_t			 row = t->view[vi], i;
	int			 align;

	if (vi == t->sel)
		sel = focused ? ROLE_SELECTION : ROLE_SELECTION_INACTIVE;
	for (i = 0; i < t->ncols && wid[i] > 0; i++) {
		c = &t->rows[row].cells[i];
		role = sel != ROLE_COUNT ? sel : c->role;
		align = t->cols[i].flags & TABLE_RIGHT ? ALIGN_RIGHT : ALIGN_LEFT;
		widget_text(win, y, x, wid[i], role, align,
		    c->text != NULL ? c->text : "");
		x += wid[i];
		if (i + 1 < t->ncols && wid[i + 1] > 0)
			widget_fill(win, y, x++, 1,
			    sel != ROLE_COUNT ? sel : ROLE_DEFAULT);
	}
}

static void
draw_status(const struct table *t, WINDOW *win, int y, int x, int w)
{
	char	pos[64];
	int	pw;

	if (t->filter != NULL)
		snprintf(pos, sizeof pos, " %zu/%zu of %zu", t->nview ?
		    t->sel + 1 : 0, t->nview, t->nrows);
	else
		snprintf(pos, sizeof pos, " %zu/%zu", t->nview ? t->sel + 1 : 0,
		    t->nview);
	pw = widget_width(pos);
	if (pw > w)
		pw = w;
	if (t->filter != NULL)
		widget_textf(win, y, x, w - pw, ROLE_DIM, ALIGN_LEFT,
		    "filter: %s", t->filter);
	else
		widget_fill(win, y, x, w - pw, ROLE_DIM);
	widget_text(win, y, x + w - pw, pw, ROLE_DIM, ALIGN_RIGHT, pos);
}

/* Keeps the selection on screen. */
static void
scroll_to_selection(struct table *t, int rows)
{
	if (t->sel < t->top)
		t->top = t->sel;
	if (rows > 0 && t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (rows > 0 && t->top + (size_t)rows > t->nview)
		t->top = t->nview > (size_t)rows ? t->nview - (size_t)rows : 0;
}

void
table_draw(struct table *t, WINDOW *win, int y, int x, int h, int w,
    bool focused)
{
	int	wid[TABLE_MAX_COLS], rows, i;
	bool	status = h >= 3;

	if (h <= 0 || w <= 0)
		return;
	column_widths(t, w, wid);
	draw_header(t, win, y, x, wid);
	rows = h - 1 - (status ? 1 : 0);
	t->page = rows;
	scroll_to_selection(t, rows);
	for (i = 0; i < rows; i++) {
		if (t->top + (size_t)i < t->nview)
			draw_row(t, win, y + 1 + i, x, wid, t->top + (size_t)i,
			    focused);
		else if (i == 0)
			widget_text(win, y + 1, x, w, ROLE_DIM, ALIGN_LEFT,
			    t->filter != NULL ? "no rows match the filter" :
			    t->empty);
		else
			widget_fill(win, y + 1 + i, x, w, ROLE_DEFAULT);
	}
	if (status)
		draw_status(t, win, y + h - 1, x, w);
}

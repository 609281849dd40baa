#include <string.h>

#include "layout.h"

static struct rect
rect_make(int y, int x, int h, int w)
{
	struct rect	r = { y, x, h, w };

	return r;
}

/* Splits the body into columns; the first ones take the odd columns. */
static void
layout_columns(struct layout *l)
{
	int	base, extra, x = 0, w;
	size_t	i;

	base = l->cols / (int)l->npanes;
	extra = l->cols % (int)l->npanes;
	for (i = 0; i < l->npanes; i++) {
		w = base + ((int)i < extra ? 1 : 0);
		l->panes[i] = rect_make(l->body.y, x, l->body.h, w);
		x += w;
	}
}

void
layout_compute(struct layout *l, int cols, int rows, size_t npanes)
{
	size_t	i;

	memset(l, 0, sizeof *l);
	l->cols = cols;
	l->rows = rows;
	l->npanes = npanes > LAYOUT_MAX_PANES ? LAYOUT_MAX_PANES : npanes;
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS || npanes == 0) {
		l->mode = LAYOUT_TOO_SMALL;
		l->body = rect_make(0, 0, rows, cols);
		return;
	}
	l->header = rect_make(0, 0, 1, cols);
	l->footer = rect_make(rows - 1, 0, 1, cols);
	l->body = rect_make(1, 0, rows - 2, cols);
	if (cols >= LAYOUT_COLUMNS_MIN &&
	    cols / (int)l->npanes >= LAYOUT_PANE_MIN_COLS) {
		l->mode = LAYOUT_COLUMNS;
		layout_columns(l);
		return;
	}
	l->mode = LAYOUT_TABS;
	for (i = 0; i < l->npanes; i++)
		l->panes[i] = l->body;
}

int
layout_equal(const struct layout *a, const struct layout *b)
{
	return a->mode == b->mode && a->cols == b->cols && a->rows == b->rows &&
	    a->npanes == b->npanes;
}

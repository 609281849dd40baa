/*
 * Where things go for a terminal size: the header line, the footer line and
 * the panes between. At 120 columns and more the panes stand side by side;
 * narrower, they become tabs (one pane at full width); under 80x24 nothing
 * but a "terminal too small" message. No curses here: just arithmetic.
 */
#ifndef CHOPS_LAYOUT_H
#define CHOPS_LAYOUT_H

#include <stddef.h>

#define LAYOUT_MIN_COLS		80
#define LAYOUT_MIN_ROWS		24
#define LAYOUT_COLUMNS_MIN	120	/* side by side from here */
#define LAYOUT_PANE_MIN_COLS	30	/* narrowest pane side by side */
#define LAYOUT_MAX_PANES	9

struct rect {
	int	y, x, h, w;
};

enum layout_mode {
	LAYOUT_TOO_SMALL,
	LAYOUT_TABS,
	LAYOUT_COLUMNS,
};

struct layout {
	enum layout_mode mode;
	int		 cols, rows;
	struct rect	 header;
	struct rect	 footer;
	struct rect	 body;
	struct rect	 panes[LAYOUT_MAX_PANES];	/* TABS: all == body */
	size_t		 npanes;
};

void	layout_compute(struct layout *, int cols, int rows, size_t npanes);
/* Same mode and size: nothing to rebuild. */
int	layout_equal(const struct layout *, const struct layout *);

#endif

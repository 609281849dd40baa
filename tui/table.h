/*
 * A scrollable, selectable table with column headers, a sort column (with
 * an indicator) and a filter: the list widget panes are made of. Rows are
 * strings with a role per cell (and an optional number to sort by); the
 * table owns them. Refilling it (table_clear, table_add..., table_update)
 * keeps the selection on the row with the same key.
 */
#ifndef CHOPS_TABLE_H
#define CHOPS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys.h"
#include "theme.h"

#define TABLE_RIGHT	0x01	/* right-aligned (numbers) */
#define TABLE_GROW	0x02	/* takes the width left over */
#define TABLE_NOSORT	0x04	/* `s` skips it */

#define TABLE_NONE	((size_t)-1)

struct table_column {
	const char	*title;
	int		 width;		/* columns it wants */
	int		 flags;		/* TABLE_* */
};

struct table_cell {
	char		*text;
	double		 num;		/* NAN: sort by text */
	enum theme_role	 role;
};

struct table_row {
	char		 *key;		/* identity across refills */
	struct table_cell *cells;
};

struct table {
	const struct table_column *cols;
	size_t		 ncols;
	struct table_row *rows;
	size_t		 nrows, cap;
	size_t		*view;		/* rows shown: filtered and sorted */
	size_t		 nview;
	size_t		 sel;		/* index into view */
	size_t		 top;		/* first view row on screen */
	char		*sel_key;	/* selection kept across table_clear */
	int		 sort_col;	/* -1: the order rows were added */
	bool		 sort_desc;
	char		*filter;	/* NULL: none */
	int		 page;		/* rows visible at the last draw */
	const char	*empty;		/* shown when there are no rows */
};

void	 table_init(struct table *, const struct table_column *, size_t ncols);
void	 table_free(struct table *);

/* Drops the rows (remembering which was selected). */
void	 table_clear(struct table *);
/* A new row; key NULL: its first cell once set. Returns its index. */
size_t	 table_add(struct table *, const char *key);
void	 table_set(struct table *, size_t row, size_t col, enum theme_role,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void	 table_set_num(struct table *, size_t row, size_t col, double);
/* Filters, sorts and puts the selection back: call after adding rows. */
void	 table_update(struct table *);

void	 table_sort(struct table *, int col, bool desc);
/* NULL or "" clears it. Case-insensitive, on any cell. */
void	 table_filter(struct table *, const char *);

/* Movement and sort actions; REACT_PASS for the rest. */
int	 table_action(struct table *, enum action);
/* The selected row (an index for table_row_*), or TABLE_NONE. */
size_t	 table_selected(const struct table *);
const char *table_cell_text(const struct table *, size_t row, size_t col);
const char *table_row_key(const struct table *, size_t row);

/*
 * Draws into the h x w area at y,x of `win`: the header line, the rows,
 * and a last line with the filter and the position when h allows.
 */
void	 table_draw(struct table *, WINDOW *, int y, int x, int h, int w,
	     bool focused);

#endif

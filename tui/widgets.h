/*
 * Small drawing helpers for panes and dialogs. Everything is drawn by role
 * (colors.h), clipped to the width it is given, and safe with any text: it
 * is decoded in the locale's character set, wide characters count two
 * columns, and control or undecodable bytes show as '?' (text from servers
 * never reaches the terminal raw).
 */
#ifndef CHOPS_WIDGETS_H
#define CHOPS_WIDGETS_H

#include <stddef.h>

#include <curses.h>

#include "theme.h"

enum align {
	ALIGN_LEFT,
	ALIGN_RIGHT,
	ALIGN_CENTER,
};

/* Columns `s` takes on the screen. */
int	 widget_width(const char *s);
/*
 * `s` in a cell of `w` columns at y,x: padded with spaces, or cut with an
 * ellipsis ("…", or "~" without UTF-8) when too long.
 */
void	 widget_text(WINDOW *, int y, int x, int w, enum theme_role,
	     enum align, const char *s);
void	 widget_textf(WINDOW *, int y, int x, int w, enum theme_role,
	     enum align, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/*
 * `s` from y,x without padding, at most `w` columns; returns the columns
 * written (to draw several pieces on one line).
 */
int	 widget_put(WINDOW *, int y, int x, int w, enum theme_role,
	     const char *s);
/* Blanks `w` columns with a role. */
void	 widget_fill(WINDOW *, int y, int x, int w, enum theme_role);
/* A number, right-aligned: "12.3k", "1.5M" (util_fmt_count). */
void	 widget_number(WINDOW *, int y, int x, int w, enum theme_role,
	     double);

/*
 * As text (to draw, or to put in a table cell): the last `width` values
 * as a sparkline, "▁▂▃▄▅▆▇█" with UTF-8 or "_.-=^" without, scaled from
 * the smallest to the largest value; NAN shows as a blank.
 */
void	 widget_spark(char *buf, size_t len, const double *values, size_t n,
	     int width);
/* A bar `width` columns long, `fraction` (0-1) of it full. */
void	 widget_bar(char *buf, size_t len, double fraction, int width);
void	 widget_sparkline(WINDOW *, int y, int x, int w, enum theme_role,
	     const double *values, size_t n);
void	 widget_progress(WINDOW *, int y, int x, int w, enum theme_role,
	     double fraction);

/*
 * A box around the h x w area at y,x in `role`, with `title` (may be NULL)
 * in its top edge in `title_role`.
 */
void	 widget_box(WINDOW *, int y, int x, int h, int w, enum theme_role,
	     const char *title, enum theme_role title_role);

/*
 * `text` broken into lines of at most `width` columns at spaces (and at
 * '\n'). Returns the line count; free with widget_lines_free.
 */
size_t	 widget_wrap(const char *text, int width, char ***lines);
void	 widget_lines_free(char **, size_t);

#endif

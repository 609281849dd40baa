/*
 * Roles to curses attributes. Draw code asks for a role on a window; the
 * window's surface role (its background: header, footer, dialog, pane)
 * shows through roles whose background the theme left empty. Monochrome
 * (no colours, or NO_COLOR set) keeps only attributes: the theme's, plus
 * theme_mono_attrs() of each role.
 */
#ifndef CHOPS_COLORS_H
#define CHOPS_COLORS_H

#include <stdbool.h>

#include <curses.h>

#include "theme.h"

/* After curses starts: colour or monochrome, default colours. */
void		 colors_init(void);
/* Makes `theme` current: colour pairs, attributes, window backgrounds. */
void		 colors_apply(const struct theme *);
bool		 colors_mono(void);
/* "256 colours", "8 colours", "monochrome (NO_COLOR is set)", ... */
const char	*colors_describe(void);

/* The attributes (colour pair included) of a role drawn on `surface`. */
attr_t		 colors_attr_on(enum theme_role, enum theme_role surface);
attr_t		 colors_attr(enum theme_role);
/* A role drawn on `win`, whose surface colors_set_surface named. */
attr_t		 colors_role(WINDOW *, enum theme_role);

/* Names the surface role of a window and sets its background. */
void		 colors_set_surface(WINDOW *, enum theme_role);
void		 colors_forget(WINDOW *);	/* before delwin */

#endif

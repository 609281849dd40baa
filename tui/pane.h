/*
 * A pane: one source on screen (ClickHouse, Kafka lag, Backups). Each kind
 * is a small const descriptor of functions in its own file (htop Meter,
 * tig view_ops); the console owns the instances, their windows, the frame
 * and title around them, focus, filter line and help.
 *
 * Panes draw with the helpers in widgets.h and table.h, by role, never by
 * colour. Text whose form depends on the character set (sparklines, bars)
 * is made once console_run has started (it sets the locale): on data
 * arrival or in draw.
 *
 * Keys reach a pane as named actions from the key table (keys.h), never as
 * raw keys: a pane that needs a new key adds a binding there (with .pane
 * set to its name when only it understands the key), and help and footer
 * follow by themselves.
 */
#ifndef CHOPS_PANE_H
#define CHOPS_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "keys.h"
#include "theme.h"

struct pane;

struct pane_ops {
	const char	*name;		/* stable id: "clickhouse", key table */
	const char	*title;		/* "ClickHouse": frame, tab, header */
	const char	*help;		/* paragraph for the help screen, or NULL */

	/*
	 * Draws the inside of the frame: all of `win` (getmaxyx), erased
	 * beforehand to the default role. `focused`: the pane keys go to.
	 */
	void		(*draw)(struct pane *, WINDOW *win, bool focused);
	/* A pane action (ACT_UP, ACT_ENTER, ...): REACT_* flags. */
	int		(*action)(struct pane *, enum action);
	/*
	 * `r`: fetch now, without waiting (start the requests on the loop;
	 * console_pane_dirty when data is in). May be NULL. (Not "refresh":
	 * curses has a macro of that name.)
	 */
	void		(*fetch)(struct pane *);
	/* The filter line changed: "" clears it. NULL: no filter here. */
	void		(*filter)(struct pane *, const char *text);
	/*
	 * For the header: a few words on the source ("ok", "lag 12k",
	 * "down 3m") and the role to show them in. NULL: "no data".
	 */
	enum theme_role	(*state)(struct pane *, char *buf, size_t len);
	/* Frees the state given to console_add_pane. May be NULL. */
	void		(*free)(void *state);
};

struct pane {
	const struct pane_ops	*ops;
	void			*state;		/* the kind's own */
	/* console-owned from here */
	size_t			 index;
	char			*filter;	/* as last applied */
	WINDOW			*frame;		/* border and title */
	WINDOW			*win;		/* inside, given to draw */
	bool			 dirty;
};

#endif

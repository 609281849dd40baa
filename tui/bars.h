/*
 * The header line (profile, the state of each source, READ-ONLY, clock;
 * on narrow terminals also which tab is showing) and the footer line (key
 * hints from the key table, or a status message).
 */
#ifndef CHOPS_BARS_H
#define CHOPS_BARS_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "theme.h"

struct bar_source {
	const char	*title;
	char		 state[48];
	enum theme_role	 role;
	bool		 active;	/* focused pane, showing tab */
};

struct bar_header {
	const char		*profile;
	const struct bar_source	*sources;
	size_t			 nsources;
	bool			 numbered;	/* tabs: "1 ClickHouse" */
	bool			 read_only;
	const char		*clock;
};

void	bars_header(WINDOW *, const struct bar_header *);
/* Hints for the pane named `pane`: its actions, then global ones. */
void	bars_hints(WINDOW *, const char *pane);
void	bars_status(WINDOW *, enum theme_role, const char *);

#endif

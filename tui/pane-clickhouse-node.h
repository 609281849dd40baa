/*
 * One ClickHouse node as lines of text for the pane: a title line (name,
 * up or down, latency, the age of stale data), the error of a node that is
 * down, then its figures from the health probe, most telling first. A wide
 * pane gets them in a grid of cells, a narrow one (three panes side by
 * side) one a line. Unknown figures read "?", never 0.
 */
#ifndef CHOPS_PANE_CLICKHOUSE_NODE_H
#define CHOPS_PANE_CLICKHOUSE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "theme.h"

struct config;
struct mon_node;
struct chnode_line;

struct chnode_lines {
	struct chnode_line	*v;
	size_t			 n, cap;
};

struct chnode_opts {
	const struct config	*cfg;
	int			 width;
	bool			 selected;
	bool			 focused;
	int64_t			 now;		/* wall clock, ms */
};

/*
 * Appends the node's lines. Returns true when an age that ticks (stale
 * data, a refresh waited for) is among them: worth a redraw a second on.
 */
bool		 chnode_lines_add(struct chnode_lines *, const struct mon_node *,
		     const struct chnode_opts *);
void		 chnode_lines_blank(struct chnode_lines *);
/* Lines first.. into the h x w area at the top left of `win`. */
void		 chnode_lines_draw(const struct chnode_lines *, size_t first,
		     WINDOW *, int h, int w);
void		 chnode_lines_free(struct chnode_lines *);

/* The node as people know it: its URL without scheme or credentials. */
void		 chnode_name(const struct mon_node *, char *buf, size_t len);
/* "8s", "1m 20s": an age in whole seconds. */
void		 chnode_fmt_age(char *buf, size_t len, int64_t ms);
/*
 * ROLE_OK, ROLE_WARN or ROLE_CRIT: the worst of the node's figures, with
 * the label of the one that makes it so (NULL when ok).
 */
enum theme_role	 chnode_worst(const struct mon_node *, const struct config *,
		     const char **label);

#endif

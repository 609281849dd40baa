/*
 * The ClickHouse pane's drill-down: one node's views from ch_views (tables,
 * running queries, merges, mutations, replicas) as tabs, each a table
 * widget, loaded on the loop and refreshed at the pane's cadence while it
 * shows. In the running queries view, the kill action asks, then kills.
 */
#ifndef CHOPS_PANE_CLICKHOUSE_DRILL_H
#define CHOPS_PANE_CLICKHOUSE_DRILL_H

#include <stdbool.h>

#include <curses.h>

#include "keys.h"

struct config;
struct mon_node;
struct pane;
struct chdrill;

/* `name` is the node as shown to people; `filter` the pane's, or NULL. */
struct chdrill	*chdrill_new(struct mon_node *, const char *name,
		    const struct config *, struct pane *, const char *filter);
/* Stops its loads; a kill in flight still reports on the status line. */
void		 chdrill_free(struct chdrill *);
void		 chdrill_draw(struct chdrill *, WINDOW *, bool focused);
/* REACT_* flags; REACT_PASS for what the pane or console should do. */
int		 chdrill_action(struct chdrill *, enum action);
/* Loads the view now (unless a load is running). */
void		 chdrill_fetch(struct chdrill *);
void		 chdrill_filter(struct chdrill *, const char *);

#endif

/*
 * The ClickHouse pane: every node the monitor watches, with its health
 * figures (ch_health) in semantic roles, the age of stale data and the
 * error of a node that is down; Enter drills down into one node's system
 * tables. Four files: pane-clickhouse.c (the node list, scrolling, the
 * pane's ops), pane-clickhouse-node.c (a node as lines), -drill.c (the
 * views of one node) and -kill.c (killing a running query).
 *
 * Use from main():
 *
 *	state = pane_clickhouse_new(mon, cfg);
 *	p = console_add_pane(&pane_clickhouse_ops, state);
 *	pane_clickhouse_attach(state, p);
 *	...
 *	// in the monitor's callback, for MON_CLICKHOUSE:
 *	pane_clickhouse_changed(state);
 *
 * The monitor and the config must outlive the pane (the console frees it
 * through ops->free when console_run returns).
 */
#ifndef CHOPS_PANE_CLICKHOUSE_H
#define CHOPS_PANE_CLICKHOUSE_H

#include "pane.h"

struct config;
struct monitor;

extern const struct pane_ops pane_clickhouse_ops;

void	*pane_clickhouse_new(struct monitor *, const struct config *);
/* The pane console_add_pane made for this state: where to mark dirty. */
void	 pane_clickhouse_attach(void *state, struct pane *);
/* The monitor finished a ClickHouse refresh: redraw. */
void	 pane_clickhouse_changed(void *state);

#endif

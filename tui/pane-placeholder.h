/*
 * Placeholder panes: a title, "no data yet" and fifty sample rows to move
 * in, filter, sort, open and delete. They stand in for the real panes and
 * give the screen tests something to drive the framework with.
 */
#ifndef CHOPS_PANE_PLACEHOLDER_H
#define CHOPS_PANE_PLACEHOLDER_H

#include "pane.h"

extern const struct pane_ops pane_placeholder_clickhouse;
extern const struct pane_ops pane_placeholder_kafka;
extern const struct pane_ops pane_placeholder_backups;

void	*pane_placeholder_new(void);
void	 pane_placeholder_free(void *);
/* Adds the three (ClickHouse, Kafka lag, Backups) to the console. */
void	 pane_placeholder_add_all(void);

#endif

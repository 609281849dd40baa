/*
 * The Kafka lag pane: every consumer group the monitor's lag history holds,
 * evaluated over a window of samples (lag_eval: OK, WARN, STALL, STOP,
 * REWIND, UNKNOWN, with the reason in words), with its lag, a sparkline of
 * it, members, rates, the time to drain and the lag in seconds; below, the
 * Prometheus scrape targets at a glance. Enter drills down: a group's
 * topics, then a topic's partitions; on the targets, every target with its
 * last error.
 *
 * Use from main():
 *
 *	state = pane_kafka_new(mon, cfg);
 *	p = console_add_pane(&pane_kafka_ops, state);
 *	pane_kafka_attach(state, p);
 *	...
 *	// in the monitor's callback, for MON_KAFKA and MON_TARGETS:
 *	pane_kafka_changed(state);
 *
 * The monitor and the config must outlive the pane (the console frees it
 * through ops->free when console_run returns).
 */
#ifndef CHOPS_PANE_KAFKA_H
#define CHOPS_PANE_KAFKA_H

#include "pane.h"

struct config;
struct monitor;

extern const struct pane_ops pane_kafka_ops;

void	*pane_kafka_new(struct monitor *, const struct config *);
/* The pane console_add_pane made for this state: where to mark dirty. */
void	 pane_kafka_attach(void *state, struct pane *);
/* The monitor finished a lag or targets refresh: evaluate, redraw. */
void	 pane_kafka_changed(void *state);

#endif

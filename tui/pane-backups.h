/*
 * The Backups pane: what the monitor's inventory of the bucket holds. Per
 * table, its latest complete backup (age, rows, size, verified) and a strip
 * of the last 14 days; the objects chops did not write (foreign); the error
 * and the age of the last good listing when S3 fails. Enter drills down
 * into a table's backups, then into one backup's objects
 * (pane-backups-drill.c). b takes a backup and v verifies one, in the
 * background with a progress bar (pane-backups-run.c).
 *
 * Use from main():
 *
 *	state = pane_backups_new(mon, cfg);	// before monitor_start
 *	p = console_add_pane(&pane_backups_ops, state);
 *	pane_backups_attach(state, p);
 *	...
 *	// in the monitor's callback, for MON_S3:
 *	pane_backups_changed(state);
 *
 * pane_backups_new asks the monitor to read the recent manifests and
 * verify records on each S3 refresh (INV_FETCH_RECENT). The monitor and
 * the config must outlive the pane.
 */
#ifndef CHOPS_PANE_BACKUPS_H
#define CHOPS_PANE_BACKUPS_H

#include "pane.h"

struct config;
struct monitor;

extern const struct pane_ops pane_backups_ops;

void	*pane_backups_new(struct monitor *, const struct config *);
void	 pane_backups_attach(void *state, struct pane *);
/* The monitor finished an S3 refresh: refill and redraw. */
void	 pane_backups_changed(void *state);

#endif

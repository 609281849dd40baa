/*
 * The Backups pane's insides, shared by its overview (pane-backups.c), its
 * drill-down tables (pane-backups-drill.c), its background jobs
 * (pane-backups-run.c), the restore wizard (pane-backups-restore.c) and
 * the audit trail's view (pane-backups-audit.c).
 *
 * Everything shown comes from the monitor's last good inventory
 * (mon->s3.inventory); when the last listing failed it stays, dimmed,
 * beside the error.
 */
#ifndef CHOPS_PANE_BACKUPS_INT_H
#define CHOPS_PANE_BACKUPS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "inventory.h"
#include "pane.h"
#include "table.h"

struct ch_client;
struct config;
struct loop_timer;
struct restore_opts;
struct monitor;
struct bp_job;
struct bp_wizard;

enum bp_view {
	BP_OVERVIEW,		/* tables, then foreign objects */
	BP_BACKUPS,		/* one table's backups */
	BP_OBJECTS,		/* one backup's objects */
	BP_NVIEWS
};

#define BP_NOITEM	((size_t)-1)

struct bpane {
	struct monitor		*mon;
	const struct config	*cfg;
	struct pane		*pane;
	struct loop_timer	*tick;		/* ages and progress on screen */

	enum bp_view		 view;
	char			*filter;	/* NULL: none */
	enum bp_view		 filter_view;	/* where it was typed */

	/* the overview: items are the tables, then the foreign objects */
	size_t			 sel;
	char			*sel_key;	/* kept across refreshes */
	size_t			 top;		/* first item line shown */
	size_t			 page;
	bool			 drawn;

	/* the drill-down: what is open, and a table per view */
	char			*table;		/* db.table */
	char			*backup;	/* its id */
	struct table		 tables[BP_NVIEWS];
	bool			 open[BP_NVIEWS];

	struct bp_job		*job;		/* in the background, or NULL */
	struct bp_wizard	*wizard;	/* R's dialog is open, or NULL */
	char			*outcome;	/* the last job's, or NULL */
	enum theme_role		 outcome_role;
};

/* ------------------------------------------------------- pane-backups.c */

const struct inventory	*bp_inventory(const struct bpane *);
/* The last listing failed: what shows is the previous one, dimmed. */
bool		 bp_dimmed(const struct bpane *);
enum theme_role	 bp_fig(const struct bpane *, enum theme_role);
const char	*bp_filter_for(const struct bpane *, enum bp_view);
/* 8s, 1m 20s, 2h 05m, 3d 04h. */
void		 bp_fmt_age(char *, size_t, int64_t ms);
/* How old the data of a backup is: now - the end of its period. */
int64_t		 bp_backup_age_ms(const struct inv_backup *, int64_t now);
enum theme_role	 bp_age_role(const struct bpane *, int64_t age_ms);
/* "2026-11-28 06:12" (UTC) or "?". */
void		 bp_fmt_time(char *, size_t, int64_t wall_ms);
/* Redraw in a second (ages, the progress bar). */
void		 bp_tick(struct bpane *);
/* The selected table's name, or NULL (the overview's or the drill's). */
const char	*bp_selected_table(const struct bpane *);
/* The selected backup (in the backups or objects view), or NULL. */
const struct inv_backup *bp_selected_backup(const struct bpane *);

/* ------------------------------------------------- pane-backups-drill.c */

void		 bpdrill_open(struct bpane *, enum bp_view);
void		 bpdrill_close(struct bpane *, enum bp_view);
void		 bpdrill_refill(struct bpane *);
void		 bpdrill_filter(struct bpane *);
/* Draws the open view in the h lines from y. */
void		 bpdrill_draw(struct bpane *, WINDOW *, int y, int h, int w,
		     bool focused);
/* The id of the backup selected (or shown), or NULL. */
const char	*bpdrill_selected(const struct bpane *);
/* REACT_* flags; unhandled ones: REACT_PASS. */
int		 bpdrill_action(struct bpane *, enum action);

/* --------------------------------------------------- pane-backups-run.c */

/* b: asks for the period, then backs the table up in the background. */
int		 bprun_backup(struct bpane *, const char *table);
/* v: verifies a backup (object level) in the background. */
int		 bprun_verify(struct bpane *, const char *id);
/* R, once the wizard has asked: restores in the background. */
int		 bprun_restore(struct bpane *, const struct restore_opts *);
/* Why a job cannot start now, on the status line; true if it can. */
bool		 bprun_can_start(struct bpane *, const char *what);
/* A ClickHouse client for a job; NULL (and why, on the status line). */
struct ch_client *bprun_ch_new(struct bpane *, const char *what);
/* c, or Esc at the top: asks, then cancels the job. */
int		 bprun_cancel(struct bpane *);
bool		 bprun_busy(const struct bpane *);
/* The job's lines (progress) under the header: how many were drawn. */
int		 bprun_draw(struct bpane *, WINDOW *, int y, int w);
/* "backup 42%", for the header; NULL when idle. */
const char	*bprun_state(const struct bpane *, char *, size_t);
/* The pane goes away: cancel, forget. */
void		 bprun_free(struct bpane *);

/* ----------------------------------------------- pane-backups-restore.c */

/* R: the plan, the mode, a typed confirmation; then bprun_restore. */
int		 bprestore_start(struct bpane *, const char *id);

/* ------------------------------------------------- pane-backups-audit.c */

/* a: the audit trail, newest first, in a dialog. */
int		 bpaudit_open(struct bpane *);

#endif

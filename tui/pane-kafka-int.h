/*
 * The Kafka lag pane's insides, shared by its group list (pane-kafka.c) and
 * its tables (pane-kafka-drill.c): a group's topics, a topic's partitions
 * and the Prometheus scrape targets.
 *
 * The groups are evaluated (lag_eval_all) once per lag refresh, when the
 * monitor says the history changed, never in draw; the tables are refilled
 * then too. What shows is always the monitor's last good data: when the
 * source is down it stays, dimmed, beside the error.
 */
#ifndef CHOPS_PANE_KAFKA_INT_H
#define CHOPS_PANE_KAFKA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "lag.h"
#include "lag_eval.h"
#include "pane.h"
#include "table.h"

struct config;
struct loop_timer;
struct monitor;

enum kp_view {
	KP_GROUPS,		/* the group list and the targets summary */
	KP_TOPICS,		/* one group's topics */
	KP_PARTS,		/* one topic's partitions */
	KP_TARGETS,		/* the scrape targets */
	KP_NVIEWS
};

#define KP_MAX_COLS	8

struct kpane {
	struct monitor		*mon;
	const struct config	*cfg;
	struct pane		*pane;
	struct loop_timer	*tick;	/* ages on screen: redraw */

	/* every group, in the latest sample's order, and its generation */
	struct lag_eval		*evals;
	size_t			 n_evals;
	uint64_t		 evaluated;

	enum kp_view		 view;
	char			*filter;	/* NULL: none */
	enum kp_view		 filter_view;	/* where typed */

	/*
	 * The group list: items are the groups, then the targets. The
	 * selected group (or the targets) is kept across refreshes.
	 */
	size_t			 sel;
	char			*sel_cluster;
	char			*sel_group;
	bool			 sel_targets;
	size_t			 top, page, total;
	size_t			*start, *end;	/* item lines */
	size_t			 n_items;
	bool			 drawn;

	/* the drill-down: the path to what shows, and a table per view */
	char			*cluster, *group, *topic;
	struct table		 tables[KP_NVIEWS];
	struct table_column	 cols[KP_NVIEWS][KP_MAX_COLS];
	bool			 open[KP_NVIEWS];
};

/* ------------------------------------------------------------ pane-kafka.c */

/* 412, 23.3k, 7.0M; "?" when unknown. */
void		 kp_fmt_count(char *, size_t, struct lag_num);
/* 520/s, 1.2k/s, 0.3/s; "?" when unknown. */
void		 kp_fmt_rate(char *, size_t, struct lag_rate);
/* ~3m 20s, ">= 10m" for a lower bound, "?". */
void		 kp_fmt_seconds(char *, size_t, const struct lag_seconds *);
/* "drains 4m", "behind 60/s", "caught up", "steady", "?". */
void		 kp_fmt_drain(char *, size_t, const struct lag_drain *);
/* 8s, 1m 20s, 2h 05m. */
void		 kp_fmt_age(char *, size_t, int64_t ms);

/* Roles: thresholds from [ui], or the state's. */
enum theme_role	 kp_lag_role(const struct kpane *, struct lag_num);
enum theme_role	 kp_seconds_role(const struct kpane *,
		     const struct lag_seconds *);
enum theme_role	 kp_state_role(enum lag_state);
enum theme_role	 kp_drain_role(const struct lag_drain *);

/* The source is down: figures show dimmed. */
bool		 kp_dimmed(const struct kpane *);
/* The group's evaluation, or NULL when it is gone. */
const struct lag_eval *kp_find_eval(const struct kpane *, const char *cluster,
		     const char *group);
/* "cluster/group", or the group when there is no cluster. */
void		 kp_group_name(char *, size_t, const char *cluster,
		     const char *group);
/* The filter, if it applies to this view. */
const char	*kp_filter_for(const struct kpane *, enum kp_view);
/* Redraws in a second (ages on screen). */
void		 kp_tick(struct kpane *);

/* ------------------------------------------------------ pane-kafka-drill.c */

/* Opens a view (its table from the current data). */
void		 kpdrill_open(struct kpane *, enum kp_view);
void		 kpdrill_close(struct kpane *, enum kp_view);
/* New data: refill the open tables. */
void		 kpdrill_refill(struct kpane *);
void		 kpdrill_filter(struct kpane *);
void		 kpdrill_draw(struct kpane *, WINDOW *, bool focused);
/* REACT_* flags; ACT_BACK and unhandled ones: REACT_PASS. */
int		 kpdrill_action(struct kpane *, enum action);

#endif

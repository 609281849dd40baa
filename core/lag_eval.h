/*
 * Consumer group evaluation over a window of lag history, after Burrow's
 * consumer evaluator, with the verdict in words.
 *
 * The window is the latest samples of the history: at most window_samples
 * of them and spanning at most window_ms, whichever is shorter. With the
 * defaults (30 samples, 5 minutes) and a 2 s refresh it is the last minute;
 * with a 10 s refresh the last 5 minutes. It is long enough that consumers
 * committing every 5-30 s show several commits in it.
 *
 * States, checked in this order (the first that holds wins):
 *
 * UNKNOWN  no sample, the group (or topic) is not in the latest sample, its
 *          lag is unknown there (no partition has a lag: nothing committed,
 *          or no series), or the window holds fewer than min_samples
 *          samples with it. Unknown is never taken for zero.
 * REWIND   a committed offset went backwards inside the window (an offset
 *          reset, a consumer restarting from an earlier position). It
 *          stays for as long as the rewind is inside the window.
 * STOP     members are known to be 0 and either the committed offsets have
 *          not moved for stall_ms while messages are waiting (see STALL),
 *          or they have not moved for stop_ms whatever the lag.
 * STALL    some partition's committed offset has not moved for stall_ms
 *          while its lag stayed above 0 and, over that time, new messages
 *          arrived (its log end moved), or it has a backlog (lag > 1) and
 *          either no members or no commit for stop_ms. Idle partitions
 *          keeping a lag of 1 (a transaction marker a consumer never reads)
 *          and repeated samples of a source that refreshes slowly
 *          (Prometheus) are therefore not stalls. When every partition is
 *          still the reason speaks of the group, otherwise of the worst
 *          partition.
 * WARN     the lag grew over the window: compared at the samples where
 *          the group committed (the troughs of the commit sawtooth; the
 *          window's first sample is the baseline), it never fell and rose
 *          overall, staying above 0 throughout. With no commit at all in
 *          the window (not yet a STALL), it rose from first to latest.
 * OK       anything else.
 *
 * Still periods (STALL, STOP) are measured over the whole history, not
 * only the window: a history shorter than stop_ms never applies the rules
 * that need stop_ms (size it stop_ms / refresh + 1: 301 samples at 2 s;
 * the sparkline takes its last `spark` samples from it too). Lag sums and comparisons use only partitions whose lag is
 * known; a partition that comes or goes is compared only where it is in
 * both samples. Rates are per partition from its first to its last known
 * sample in the window, summed.
 */
#ifndef CHOPS_LAG_EVAL_H
#define CHOPS_LAG_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lag.h"

enum lag_state {
	LAG_STATE_UNKNOWN = 0,
	LAG_STATE_OK,
	LAG_STATE_WARN,
	LAG_STATE_STALL,
	LAG_STATE_STOP,
	LAG_STATE_REWIND,
};

/* Zero fields take the defaults shown. */
struct lag_eval_opts {
	size_t	window_samples;	/* most samples in the window: 30 */
	int64_t	window_ms;	/* longest span of the window: 5 min */
	size_t	min_samples;	/* fewer in the window: UNKNOWN; 2 */
	int64_t	stall_ms;	/* STALL after offsets still so long: 60 s */
	int64_t	stop_ms;	/* "a long time" for STOP and STALL: 10 min */
	size_t	spark;		/* sparkline values: 60 */
};

enum lag_drain_state {
	LAG_DRAIN_UNKNOWN = 0,	/* lag or a rate unknown */
	LAG_DRAIN_CAUGHT_UP,	/* lag is 0 */
	LAG_DRAIN_DRAINING,	/* `seconds` to drain at the current rates */
	LAG_DRAIN_STEADY,	/* consumed as fast as produced */
	LAG_DRAIN_BEHIND,	/* falling behind by `behind` msg/s */
};

struct lag_drain {
	enum lag_drain_state	state;
	double			seconds;	/* DRAINING */
	double			behind;		/* BEHIND: produce - consume */
};

struct lag_eval {
	char			*cluster;	/* "" when none */
	char			*group;
	char			*topic;		/* NULL: the whole group */
	enum lag_state		 state;
	char			 reason[200];

	/* the latest sample */
	struct lag_num		 lag;		/* sum of known partition lags */
	bool			 partial;	/* some partition's lag unknown */
	size_t			 n_partitions;
	size_t			 n_unknown;	/* lag unknown (no commit too) */
	struct lag_num		 members;

	/* the window */
	size_t			 n_samples;	/* samples with the group */
	int64_t			 span_ms;	/* first to last of those */
	struct lag_rate		 consume;	/* committed offsets, msg/s */
	struct lag_rate		 produce;	/* log-end offsets, msg/s */
	bool			 rates_partial;	/* some partition has no rate */
	struct lag_drain	 drain;

	/* over the whole history; -1 when no committed offset is known */
	int64_t			 still_ms;	/* committed offsets unchanged */
	bool			 still_at_least; /* unchanged in all history */
	struct lag_seconds	 seconds;	/* lag in seconds: worst partition */

	/* the partition with the most lag in the latest sample */
	char			*worst_topic;	/* NULL when no lag is known */
	int32_t			 worst_partition;
	struct lag_num		 worst_lag;
	struct lag_seconds	 worst_seconds;

	/* total lag in the last `spark` samples, oldest first; unknown
	 * where the group is absent or none of its lags is known */
	struct lag_num		*spark;
	size_t			 n_spark;

	/* a group's evaluation also holds one per topic, sorted by name */
	struct lag_eval		*topics;
	size_t			 n_topics;
};

void		 lag_eval_opts_default(struct lag_eval_opts *);

/*
 * Evaluates a group (topic NULL: with its topics) or one topic of it over
 * the history; opts may be NULL. The result is always filled; free it with
 * lag_eval_clear.
 */
void		 lag_eval_group(struct lag_eval *,
		     const struct lag_history *, const struct lag_eval_opts *,
		     const char *cluster, const char *group, const char *topic);
void		 lag_eval_clear(struct lag_eval *);

/* Every group of the latest sample, in its order (cluster, name). */
struct lag_eval	*lag_eval_all(const struct lag_history *,
		     const struct lag_eval_opts *, size_t *n);
void		 lag_eval_free_all(struct lag_eval *, size_t n);

/* "OK", "WARN", "STALL", "STOP", "REWIND", "UNKNOWN". */
const char	*lag_state_name(enum lag_state);
/* "caught up", "drains in 4 min", "falling behind by 60 msg/s",
 * "not draining", "?". */
void		 lag_drain_fmt(char *, size_t, const struct lag_drain *);

#endif

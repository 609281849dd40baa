/*
 * The Kafka consumer lag model: consumer group -> topic -> partition with
 * lag, committed (consumer) offset and log-end (newest) offset, plus group
 * members and totals.
 *
 * Built from kafka_exporter's metrics, either scraped directly from the
 * exporter (streamed through prom_text) or queried from Prometheus (same
 * metric names, one instant query).
 *
 * Rules:
 * - A missing series is UNKNOWN, never 0: every number that may be missing
 *   is a struct lag_num whose `known` must be checked.
 * - The exporter reports lag -1 (and committed offset -1) for a partition
 *   without a committed offset: kept as `no_commit`, not summed; the totals
 *   then say they are partial.
 * - A partition of a consumed topic that the exporter lists for the topic
 *   (log-end offset, kafka_topic_partitions) but not for the group is in the
 *   model, unknown.
 * - Identity is (cluster, group, topic, partition); other constant labels
 *   (job, instance, ...) are ignored. `cluster` is "" when absent.
 */
#ifndef CHOPS_LAG_H
#define CHOPS_LAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct http_tls;
struct prom_client;
struct prom_sample;
struct prom_series;

/*
 * A count or offset that may be unknown. Values from the exporter beyond
 * +-2^53 (not exact in float64) are unknown; sums saturate at INT64_MAX.
 */
struct lag_num {
	int64_t	v;		/* meaningless unless known */
	bool	known;
};

/* A rate in messages per second that may be unknown. */
struct lag_rate {
	double	v;
	bool	known;
};

struct lag_partition {
	int32_t		 partition;
	struct lag_num	 lag;
	struct lag_num	 committed;	/* the group's committed offset */
	struct lag_num	 log_end;	/* the partition's newest offset */
	bool		 no_commit;	/* exporter -1: nothing committed yet */
	struct lag_rate	 consume;	/* committed offset delta / s */
	struct lag_rate	 produce;	/* log-end offset delta / s */
};

struct lag_totals {
	struct lag_num	 lag;		/* sum of known lags; unknown if none */
	size_t		 n_partitions;
	size_t		 n_known;	/* lag known */
	size_t		 n_no_commit;
	size_t		 n_unknown;	/* no series at all */
	bool		 partial;	/* some partition's lag is not known */
	int32_t		 max_partition;	/* the partition with the most lag */
	struct lag_num	 max_lag;
	struct lag_rate	 consume;	/* sums of known rates */
	struct lag_rate	 produce;
	bool		 rates_partial;
};

/* A topic as one group consumes it. */
struct lag_topic {
	const char		*name;
	struct lag_partition	*parts;		/* sorted by partition */
	size_t			 n_parts;
	struct lag_totals	 totals;
};

struct lag_group {
	const char		*cluster;	/* "" when none */
	const char		*name;
	struct lag_num		 members;
	struct lag_topic	*topics;	/* sorted by name */
	size_t			 n_topics;
	struct lag_totals	 totals;
};

/* A topic partition as the brokers see it. */
struct lag_tpart {
	int32_t		 partition;
	struct lag_num	 log_end;
	struct lag_num	 oldest;
	struct lag_rate	 produce;
};

struct lag_topic_info {
	const char		*cluster;
	const char		*name;
	struct lag_num		 n_partitions;	/* kafka_topic_partitions */
	struct lag_tpart	*parts;		/* sorted by partition */
	size_t			 n_parts;
	struct lag_rate		 produce;	/* sum of known partition rates */
};

struct lag_snapshot {
	int64_t			 wall_ms;	/* when the data was taken */
	struct lag_group	*groups;	/* sorted by cluster, name */
	size_t			 n_groups;
	struct lag_topic_info	*topics;	/* sorted by cluster, name */
	size_t			 n_topics;
	size_t			 n_ignored;	/* lag series with bad labels */
	bool			 has_rates;	/* lag_rates() was applied */
	char			**strings;	/* owned: every name above */
	size_t			 n_strings;
};

enum lag_metric {
	LAG_M_LAG,		/* kafka_consumergroup_lag */
	LAG_M_COMMITTED,	/* kafka_consumergroup_current_offset */
	LAG_M_MEMBERS,		/* kafka_consumergroup_members */
	LAG_M_LOG_END,		/* kafka_topic_partition_current_offset */
	LAG_M_OLDEST,		/* kafka_topic_partition_oldest_offset */
	LAG_M_PARTITIONS,	/* kafka_topic_partitions */
};
#define LAG_M_LAST	LAG_M_PARTITIONS

/* "kafka_consumergroup_lag", ...; NULL for a value out of range. */
const char	*lag_metric_name(enum lag_metric);

/* ------------------------------------------------------------ building */

struct lag_builder;

struct lag_builder *lag_builder_new(void);
void		 lag_builder_free(struct lag_builder *);
/*
 * One series value. group is NULL for topic metrics, topic NULL for
 * members, partition -1 for members and partition counts.
 */
void		 lag_builder_add(struct lag_builder *, enum lag_metric,
		     const char *cluster, const char *group, const char *topic,
		     int32_t partition, double value);
/* From an exposition sample or a Prometheus series (by __name__): 1 taken,
 * 0 not a lag metric, -1 a lag metric with missing or bad labels. */
int		 lag_builder_add_sample(struct lag_builder *,
		     const struct prom_sample *);
int		 lag_builder_add_series(struct lag_builder *,
		     const struct prom_series *);
/* Consumes the builder. */
struct lag_snapshot *lag_builder_finish(struct lag_builder *, int64_t wall_ms);

/* A whole exposition in memory; NULL and *cause on a parse error. */
struct lag_snapshot *lag_from_exposition(const char *, size_t, int64_t wall_ms,
		    char **cause);

void		 lag_snapshot_free(struct lag_snapshot *);

/* ------------------------------------------------------------ reading */

/* cluster NULL means "". */
const struct lag_group *lag_find_group(const struct lag_snapshot *,
		    const char *cluster, const char *group);
const struct lag_topic *lag_find_topic(const struct lag_group *,
		    const char *topic);
const struct lag_partition *lag_find_partition(const struct lag_topic *,
		    int32_t partition);
const struct lag_topic_info *lag_find_topic_info(const struct lag_snapshot *,
		    const char *cluster, const char *topic);
const struct lag_tpart *lag_find_tpart(const struct lag_topic_info *,
		    int32_t partition);

/*
 * A plain-text dump, one line per group ("group CLUSTER GROUP members=N
 * lag=N partial=...") and per partition ("  TOPIC PARTITION lag=N
 * committed=N log_end=N"), unknowns as "?", no commit as "none". Stable:
 * tests compare dumps; batch commands print them.
 */
struct buf;
void		 lag_snapshot_dump(struct buf *, const struct lag_snapshot *);

/* Recomputes every group and topic total (after changing partitions). */
void		 lag_snapshot_totals(struct lag_snapshot *);

/*
 * Rates of `cur` from the earlier `prev`: consumption = committed offset
 * delta / dt, production = log-end offset delta / dt. Unknown where either
 * side is unknown, dt <= 0, or an offset went backwards (a reset).
 * Totals are recomputed.
 */
void		 lag_rates(struct lag_snapshot *cur,
		     const struct lag_snapshot *prev);

/* ------------------------------------------------------------ fetching */

/* The snapshot (NULL on error, then `error` says why) belongs to the callee. */
typedef void (*lag_done_fn)(struct lag_snapshot *, const char *error,
    void *arg);

struct lag_fetch;

/* GET the exporter's /metrics, streamed through the parser. */
struct lag_fetch *lag_fetch_exporter_start(struct loop *, const char *url,
		    int64_t timeout_ms, const struct http_tls *, lag_done_fn,
		    void *arg);
/*
 * One instant query for all the metrics. `matchers` (may be NULL) narrows
 * it, e.g. "job=\"kafka\"".
 */
struct lag_fetch *lag_fetch_prometheus_start(struct prom_client *,
		    const char *matchers, lag_done_fn, void *arg);
/* Stops a fetch; its callback is not called. */
void		 lag_fetch_cancel(struct lag_fetch *);

/* Synchronous forms; NULL and *cause (caller frees) on error. */
struct lag_snapshot *lag_fetch_exporter(struct loop *, const char *url,
		    int64_t timeout_ms, const struct http_tls *, char **cause);
struct lag_snapshot *lag_fetch_prometheus(struct prom_client *,
		    const char *matchers, char **cause);

/* The PromQL lag_fetch_prometheus sends (caller frees). */
char		*lag_promql(const char *matchers);

/* ------------------------------------------------------------ history */

/*
 * The last N snapshots, oldest first. Pushing computes the new snapshot's
 * rates from the previous one. Lag in seconds is estimated as kafka-lag-
 * exporter does: the time at which the log-end offset equalled the current
 * committed offset, interpolated in the log-end history, subtracted from now.
 */
struct lag_history;

enum lag_sec_state {
	LAG_SEC_UNKNOWN = 0,	/* no committed offset or no history */
	LAG_SEC_ESTIMATED,	/* interpolated inside the history */
	LAG_SEC_AT_LEAST,	/* older than the history: a lower bound */
};

struct lag_seconds {
	enum lag_sec_state	 state;
	double			 seconds;	/* valid unless UNKNOWN */
	/* AT_LEAST: extrapolated at the history's mean production rate,
	 * or NAN when that rate is unknown or zero */
	double			 extrapolated;
	bool			 partial;	/* group: some partitions unknown */
};

struct lag_history *lag_history_new(size_t capacity);
void		 lag_history_free(struct lag_history *);
/* Takes ownership; the oldest snapshot is dropped when full. */
void		 lag_history_push(struct lag_history *, struct lag_snapshot *);
size_t		 lag_history_len(const struct lag_history *);
/* 0 is the oldest; NULL out of range. */
const struct lag_snapshot *lag_history_get(const struct lag_history *,
		    size_t);
const struct lag_snapshot *lag_history_latest(const struct lag_history *);
struct lag_seconds lag_history_seconds(const struct lag_history *,
		    const char *cluster, const char *group, const char *topic,
		    int32_t partition);
/* The worst partition of a topic or a group (partial when some are unknown). */
struct lag_seconds lag_history_topic_seconds(const struct lag_history *,
		    const char *cluster, const char *group, const char *topic);
struct lag_seconds lag_history_group_seconds(const struct lag_history *,
		    const char *cluster, const char *group);

#endif

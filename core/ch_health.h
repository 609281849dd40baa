/*
 * One ClickHouse node's health, refreshed on the event loop.
 *
 * A refresh is one query: scalar subqueries over the system tables, built
 * from the node's capabilities (ch_caps, loaded once per client, first) so
 * that only tables and columns the server has are named; on 18.16 a figure
 * the server cannot give is unknown, never an error. Every figure carries
 * its own known flag: unknown is never shown as zero. Rates come from the
 * system.events counters of two successive answers, so they are unknown
 * after the first one.
 */
#ifndef CHOPS_CH_HEALTH_H
#define CHOPS_CH_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ch_caps;
struct ch_client;
struct ch_error;
struct ch_result;

/* A figure that may be unknown: v means nothing when known is false. */
struct ch_num {
	bool	 known;
	int64_t	 v;
};

struct ch_rate {
	bool	 known;
	double	 v;		/* per second */
};

struct ch_health_figs {
	char		*version;		/* NULL: unknown */
	struct ch_num	 uptime_s;
	struct ch_num	 latency_ms;		/* the health query's round trip */
	struct ch_num	 queries;		/* running, the probe's excluded */
	struct ch_num	 memory;		/* bytes tracked (MemoryTracking) */
	struct ch_num	 merges;		/* in progress */

	/* the partition with the most active parts, and the server's limits */
	struct ch_num	 parts;
	char		*parts_db, *parts_table, *parts_partition; /* or NULL */
	struct ch_num	 parts_delay;		/* parts_to_delay_insert */
	struct ch_num	 parts_throw;		/* parts_to_throw_insert */
	struct ch_num	 delayed_inserts;	/* throttled right now */

	struct ch_num	 replicas;		/* replicated tables */
	struct ch_num	 readonly_replicas;
	struct ch_num	 replica_delay_s;	/* max absolute_delay */
	struct ch_num	 replica_queue;		/* entries in the queues */

	struct ch_num	 mutations;		/* not done */
	struct ch_num	 mutations_failed;	/* not done, with a failure */
	char		*mutation_error;	/* "db.table id: reason"; NULL */

	struct ch_num	 inserted_rows;		/* counters since the start */
	struct ch_num	 failed_queries;
	struct ch_rate	 inserted_rows_s;
	struct ch_rate	 failed_queries_s;

	/* the disk with the least free space (system.disks) */
	struct ch_num	 disk_free, disk_total;	/* bytes */
	char		*disk_name;

	/* other hosts named in system.clusters (no HTTP port there) */
	char		**discovered;
	size_t		 n_discovered;

	int64_t		 taken_ms;		/* monotonic, when answered */
};

/* Active parts over parts_to_delay_insert; false when unknown. */
bool		 ch_health_parts_ratio(const struct ch_health_figs *,
		     double *ratio);
void		 ch_health_figs_clear(struct ch_health_figs *);

/*
 * The health query for a server with these caps; the probe's own query_id
 * keeps it out of the running queries. Caller frees.
 */
char		*ch_health_sql(const struct ch_caps *, const char *query_id);
/*
 * Fills figs (cleared first; taken_ms and latency_ms are left to the
 * caller) from the answer. Returns 0, or -1 with *cause.
 */
int		 ch_health_parse(const struct ch_result *,
		     struct ch_health_figs *, char **cause);
/* Sets cur's rates from the counters of prev (NULL: none before). */
void		 ch_health_rates(struct ch_health_figs *cur,
		     const struct ch_health_figs *prev);

/* ---------------------------------------------------------------- probe */

struct ch_health;
/* err is NULL on success. Called from the loop, once per refresh. */
typedef void	(*ch_health_fn)(struct ch_health *, const struct ch_error *err,
		    void *arg);

struct ch_health *ch_health_new(struct ch_client *);
/*
 * Frees the probe. A refresh still in flight must be gone first: free the
 * client before (ch_free drops requests without calling back) or wait.
 */
void		 ch_health_free(struct ch_health *);
/*
 * Starts a refresh (the caps first when the client has none). Returns
 * false, calling nothing, when one is already running.
 */
bool		 ch_health_refresh(struct ch_health *, ch_health_fn, void *arg);
bool		 ch_health_busy(const struct ch_health *);
/* Stops the refresh in flight; its callback still runs (cancelled). */
void		 ch_health_cancel(struct ch_health *);
/* The last good answer's figures: all unknown before the first one. */
const struct ch_health_figs *ch_health_figs(const struct ch_health *);

#endif

/*
 * The monitor: the latest known state of every source chops watches —
 * each ClickHouse node, the Kafka lag model (with its history), the
 * Prometheus scrape targets and the S3 bucket — refreshed on the event loop.
 *
 * The console shows it and `chops status` reports it; neither talks to a
 * server itself. A refresh never blocks: requests run on the loop, each
 * bounded by its source's timeout, and a slow source never holds up the
 * others. When a source fails, its last good data is kept with its age, and
 * the error is kept beside it: unknown is never shown as zero.
 */
#ifndef CHOPS_MONITOR_H
#define CHOPS_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

struct config;
struct loop;
struct ch_client;
struct ch_health;
struct lag_history;
struct prom_client;
struct prom_reply;
struct s3_client;

enum mon_source {
	MON_CLICKHOUSE = 0x1,
	MON_KAFKA = 0x2,
	MON_TARGETS = 0x4,
	MON_S3 = 0x8,
};
#define MON_ALL		(MON_CLICKHOUSE | MON_KAFKA | MON_TARGETS | MON_S3)

/* How fresh one source's data is. */
struct mon_state {
	bool		 configured;	/* false: nothing to fetch (why: error) */
	bool		 fetched;	/* at least one attempt finished */
	bool		 ok;		/* the last attempt succeeded */
	char		*error;		/* the last attempt's error, or NULL */
	int64_t		 last_ok_ms;	/* wall clock of the last success; 0 */
	int64_t		 last_try_ms;	/* wall clock of the last finish */
	int64_t		 latency_ms;	/* of the last attempt */
	bool		 in_flight;
	int64_t		 started_ms;	/* wall clock of the attempt in flight */
	uint64_t	 generation;	/* bumped on every finish */
};

/*
 * A ClickHouse node: its figures are those of the health probe's last good
 * answer (ch_health_figs(health), each with its known flag); version and
 * uptime_s are copied from it for convenience.
 */
struct mon_node {
	struct monitor		*mon;
	char			*url;
	struct ch_client	*ch;
	struct ch_health	*health;
	struct mon_state	 st;
	char			*version;	/* NULL until known */
	int64_t			 uptime_s;	/* -1 until known */
};

/*
 * The bucket: one inventory (inventory.h) under the prefix per refresh.
 * `fetch` says what it reads besides the listing: INV_FETCH_NONE (the
 * default: `chops status` only counts) or INV_FETCH_RECENT (the console's
 * Backups pane sets it before monitor_start). A failed refresh keeps the
 * last good inventory.
 */
struct mon_s3 {
	struct mon_state	 st;
	struct s3_client	*client;
	enum inv_fetch		 fetch;
	struct inventory	*inventory;	/* the last good one, or NULL */
	uint64_t		 objects;	/* under the prefix, last listing */
	uint64_t		 bytes;		/* of data and foreign objects */
	struct inventory_op	*op;
	bool			 again;		/* asked for while in flight */
};

struct mon_kafka {
	struct mon_state	 st;
	struct lag_history	*history;	/* latest snapshot last */
	struct lag_fetch	*fetch;
};

struct mon_targets {
	struct mon_state	 st;
	struct prom_reply	*reply;		/* last good targets */
	struct prom_call	*call;
};

struct monitor;
/* Called after any source finished a refresh (which: MON_* bits). */
typedef void (*monitor_fn)(struct monitor *, unsigned which, void *arg);

struct monitor {
	struct loop		*loop;
	const struct config	*cfg;
	struct mon_node		*nodes;
	size_t			 n_nodes;
	struct mon_kafka	 kafka;
	struct mon_targets	 targets;
	struct mon_s3		 s3;
	struct prom_client	*prom;		/* NULL: no [prometheus] url */
	monitor_fn		 changed;
	void			*changed_arg;
	struct loop_timer	*fast_timer;	/* health, lag, targets */
	struct loop_timer	*slow_timer;	/* S3 listing */
};

/* cfg must outlive the monitor. */
struct monitor	*monitor_new(struct loop *, const struct config *,
		    monitor_fn, void *arg);
void		 monitor_free(struct monitor *);
/*
 * Starts a refresh of these sources now (those already running go on; an
 * S3 refresh asked for while one runs follows it, since what changed the
 * bucket may have come after its listing).
 */
void		 monitor_refresh(struct monitor *, unsigned which);
/* Refreshes periodically from now on ([ui] refresh and s3_refresh). */
void		 monitor_start(struct monitor *);
/* True while any refresh is in flight. */
bool		 monitor_busy(const struct monitor *);
/* Runs the loop until the refreshes in flight finish (batch commands). */
void		 monitor_wait(struct monitor *);

#endif

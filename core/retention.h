/*
 * Retention (chops prune): what to delete, planned apart from doing it, so
 * that --dry-run shows exactly what --yes would delete and the console can
 * preview it.
 *
 * Backups, per table, by its policy (the table's plans, or the operator's
 * overrides; a table without either keeps everything): a daily backup
 * whose day is before today - keep_days, a weekly one whose ISO week starts
 * before this week's Monday - 7 * keep_weeks, is deleted with every chops
 * object in its directory (data objects, manifest, verify records; foreign
 * objects are never deleted). Never deleted: the newest verified backup of
 * the table, however old; anything inside the window; adhoc backups; a
 * backup whose manifest or verify record could not be read (it might be
 * the newest verified). Incomplete backups (no manifest) older than the
 * window are garbage and deleted, saying so.
 *
 * Table data (--data), per table with data_keep_days > 0: an active
 * partition whose newest row is older than now - data_keep_days is dropped
 * (ALTER TABLE ... DROP PARTITION ID '...') only when its whole time range
 * is covered by verified, complete daily or weekly backups that this prune
 * keeps, over the partition key's time column, and whose rows have not
 * changed since (count and checksum of the range taken again). Otherwise the
 * prune is refused and the uncovered partitions listed (as blocking keep
 * entries).
 *
 * Execution: refused in read-only mode and without confirmation (the
 * caller's --yes); each table is locked (lock.h) from planning to the end,
 * and each table where something was deleted gets an audit record.
 */
#ifndef CHOPS_RETENTION_H
#define CHOPS_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "period.h"

struct loop;
struct ch_client;
struct s3_client;
struct config;

enum ret_kind {
	RET_BACKUP,		/* a backup (its objects follow) */
	RET_OBJECT,		/* an object of a backup */
	RET_PARTITION,		/* a partition of the table */
};

/* "backup" "object" "partition" */
const char	*ret_kind_name(enum ret_kind);

struct ret_entry {
	enum ret_kind	 kind;
	char		*table;		/* db.table */
	char		*name;		/* backup id, object key, partition */
	char		*id;		/* object: its backup's id */
	char		*partition_id;	/* partition */
	uint64_t	 rows;		/* partition */
	char		*reason;
	bool		 blocking;	/* keep: the reason the prune refuses */
	bool		 done;		/* delete: carried out */
};

struct ret_plan {
	struct ret_entry	*del;
	size_t			 n_del;
	struct ret_entry	*keep;
	size_t			 n_keep;
	size_t			 n_blocking;	/* uncovered partitions */
	char			*error;		/* refusal or failure; NULL */
	char			*warning;	/* e.g. the audit not written */
};

void		 ret_plan_free(struct ret_plan *);

/* What a table keeps. */
struct ret_policy {
	const char	*table;		/* db.table */
	int		 keep_days;	/* daily backups; -1: all */
	int		 keep_weeks;	/* weekly backups; -1: all */
	int		 data_keep_days; /* 0: never drop table data */
};

/*
 * The policies of the configuration's plans, one per table (several plans
 * of a table: the longest of each window; data is never dropped if one
 * plan says 0). Caller frees the array (the strings are cfg's).
 */
struct ret_policy *ret_policies(const struct config *, size_t *n);

/* An active partition, from system.parts. */
struct ret_part {
	char		*partition;
	char		*partition_id;
	int64_t		 min_time;	/* epoch seconds, inclusive; */
	int64_t		 max_time;	/* both 0: unknown */
	uint64_t	 rows;
};

struct ret_parts {
	char		*time_column;	/* the partition key's; NULL: none */
	struct ret_part	*v;
	size_t		 n;
	char		*error;		/* could not be read */
};

void		 ret_parts_clear(struct ret_parts *);

/*
 * Whether the rows of a backup's range are still those it holds: 0 yes,
 * 1 no, -1 could not tell; *why (caller frees) says what differs.
 */
typedef int	(*ret_drift_fn)(void *arg, const struct inv_backup *,
		     char **why);

/* One table's planning input. */
struct ret_table_in {
	const char		*table;
	const struct inv_table	*inv;		/* NULL: no backups */
	const char		*prefix;	/* the bucket prefix */
	const char *const	*keys;		/* listed keys, sorted */
	size_t			 n_keys;
	const struct ret_policy	*policy;	/* NULL: keeps everything */
	struct period_date	 today;
	int64_t			 now;		/* epoch seconds */
	const struct ret_parts	*parts;		/* NULL: no --data */
	ret_drift_fn		 drift;		/* NULL: not checked */
	void			*drift_arg;
};

/* Appends the table's entries to the plan. */
void		 ret_plan_table(struct ret_plan *, const struct ret_table_in *);

/* ---------------------------------------------------------------- running */

enum ret_status {
	RET_OK,			/* planned (dry run) or done */
	RET_FAILED,
	RET_REFUSED,		/* read-only, unconfirmed, locked, uncovered */
	RET_INVALID,
};

/* An override field not given. */
#define RET_UNSET	(-2)

struct ret_opts {
	const char		*table;		/* NULL: every table */
	bool			 data;		/* --data */
	bool			 dry_run;
	bool			 confirmed;	/* --yes */
	bool			 read_only;
	const struct ret_policy	*policies;
	size_t			 n_policies;
	/*
	 * The operator's values (RET_UNSET: the plan's), for every table
	 * concerned, with a plan or not; NULL: none.
	 */
	const struct ret_policy	*override;
	struct period_date	 today;		/* zero: today in UTC */
	const char		*who;		/* NULL: user@host */
};

/*
 * Plans, then (unless dry_run) deletes, running the loop: not from a loop
 * callback. ch is needed for --data only (may be NULL otherwise). *out is
 * always set; free it with ret_plan_free.
 */
enum ret_status	 retention_run(struct loop *, struct ch_client *,
		     struct s3_client *, const struct ret_opts *,
		     struct ret_plan **out);

#endif

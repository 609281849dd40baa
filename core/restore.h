/*
 * Restoring a backup, on the event loop.
 *
 * A restore never writes into the target table directly (an INSERT cut
 * short keeps the rows it received): the backup is always loaded into a
 * staging table first, `<db>.<table>__restore_<UTC time>` or --into
 * DB.TABLE, created from the manifest's CREATE TABLE (renamed, Replicated*
 * engines made plain), and its count and checksum are checked against the
 * manifest. Only then, and only when confirmed, is the target changed:
 *
 *   replace	for every partition the backup's range touches,
 *		ALTER TABLE target REPLACE PARTITION ID 'p' FROM staging: atomic
 *		per partition, and refused unless every such partition lies
 *		wholly inside the backup's [from, to). Which partitions those
 *		are is learned before anything is loaded: the partition key
 *		must be a calendar function of the time column (restore_sql.h),
 *		and a probe table with the same schema gets rows just before,
 *		through, and at the end of the range, whose partitions'
 *		extents (system.parts) say which partitions are covered.
 *   append	ALTER TABLE target ATTACH PARTITION ID 'p' FROM staging for
 *		each partition of the staging table: atomic per partition too.
 *   staging	stop with the verified staging table (the default mode).
 *
 * Before replace or append, the target must exist with the schema of the
 * backup (columns, partition and sorting keys): otherwise the restore is
 * refused, explaining what changed. The staging table is dropped only after
 * success; a failure leaves it for inspection and leaves the target as it
 * was (when a failure hits while partitions are being replaced, the ones
 * already replaced are listed).
 *
 * The target's table lock and the backup's period lock are held throughout
 * (lock.h), and an audit record is written (audit.h). Read-only mode
 * refuses every restore; replace and append without confirmation are
 * refused with the plan of what would change (plan_only computes the plan
 * and stops, for the console's wizard).
 */
#ifndef CHOPS_RESTORE_H
#define CHOPS_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load.h"

struct loop;
struct ch_client;
struct s3_client;
struct restore;

enum restore_mode {
	RESTORE_STAGING,
	RESTORE_REPLACE,
	RESTORE_APPEND,
};

const char	*restore_mode_name(enum restore_mode);
int		 restore_mode_parse(const char *, enum restore_mode *);

enum restore_status {
	RESTORE_RUNNING = 0,
	RESTORE_OK,
	RESTORE_PLANNED,	/* plan_only: the plan is in the result */
	RESTORE_FAILED,
	RESTORE_REFUSED,	/* read-only, locked, not confirmed, not
				   covered, schema changed */
	RESTORE_INVALID,	/* bad options */
};

const char	*restore_status_name(enum restore_status);

struct restore_opts {
	const char		*id;
	const char		*into;		/* staging DB.TABLE, or NULL */
	enum restore_mode	 mode;
	bool			 confirmed;	/* --yes, typed confirmation */
	bool			 plan_only;
	bool			 read_only;
	const char		*who;		/* NULL: user@host */
};

struct restore_part {
	char		*id;		/* partition_id */
	uint64_t	 target_rows;	/* in the target before */
	uint64_t	 backup_rows;	/* in the staging table, once loaded */
	bool		 done;		/* replaced or attached */
};

struct restore_result {
	enum restore_status	 status;
	bool			 ok;
	char			*id;
	enum restore_mode	 mode;
	char			*target;
	char			*staging;
	uint64_t		 rows;		/* in staging, checked */
	char			*checksum;
	struct restore_part	*parts;		/* planned, then applied */
	size_t			 n_parts;
	bool			 target_touched;
	bool			 staging_kept;
	char			*plan;		/* what would change (text) */
	char			*error;
	char			*warning;
};

void		 restore_result_clear(struct restore_result *);

struct restore_progress {
	const char		*phase;
	struct load_progress	 load;
	size_t			 parts_done;
	size_t			 parts_total;
};

typedef void	(*restore_progress_fn)(const struct restore_progress *,
		     void *arg);
typedef void	(*restore_done_fn)(struct restore *, void *arg);

/* Never NULL; done runs once. arg goes to both callbacks. */
struct restore	*restore_start(struct loop *, struct ch_client *,
		     struct s3_client *, const struct restore_opts *,
		     restore_progress_fn, restore_done_fn, void *arg);
/* Stops before the target is touched, or between partitions. */
void		 restore_cancel(struct restore *);
void		 restore_free(struct restore *);
const struct restore_result *restore_result(const struct restore *);
void		 restore_take_result(struct restore *, struct restore_result *);

enum restore_status restore_run(struct loop *, struct ch_client *,
		     struct s3_client *, const struct restore_opts *,
		     restore_progress_fn, void *arg, struct restore_result *,
		     const volatile int *cancel);

#endif

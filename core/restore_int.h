/*
 * Inside the restore engine, shared by its files: restore.c (life cycle,
 * manifest, locks), restore_plan.c (the target, the probe, which partitions
 * are covered, the plan), restore_apply.c (staging, load, check, replace or
 * attach) and restore_end.c (cleanup, unlock, audit). Not for other users.
 */
#ifndef CHOPS_RESTORE_INT_H
#define CHOPS_RESTORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "backup_sql.h"
#include "job.h"
#include "manifest.h"
#include "restore.h"

struct audit_rec;
struct lock;
struct loop_timer;

enum rs_step {
	RS_START,
	RS_MANIFEST,
	RS_LOCK_TABLE,
	RS_LOCK_BACKUP,
	RS_TARGET_INFO,		/* restore_plan.c */
	RS_TARGET_COLS,
	RS_STAGING_FREE,
	RS_SCRATCH_DB,
	RS_PROBE_CREATE,
	RS_PROBE_INFO,
	RS_PROBE_COLS,
	RS_DAYS,
	RS_PROBE_INSERT,
	RS_PROBE_EXTENTS,
	RS_PROBE_DROP,
	RS_TARGET_PARTS,
	RS_PLAN,
	RS_CREATE,		/* restore_apply.c */
	RS_LOAD,
	RS_COUNT,
	RS_STAGING_PARTS,
	RS_APPLY,
	RS_POSTCHECK,
	RS_DROP_STAGING,
	RS_CLEAN_PROBE,		/* cleanup from here: always runs */
	RS_UNLOCK_BACKUP,
	RS_UNLOCK_TABLE,
	RS_AUDIT,
	RS_DONE,
};

/* A table's shape, as system.tables and system.columns give it. */
struct rs_shape {
	char			*engine;
	char			*partition_key;
	char			*sorting_key;
	char			*primary_key;
	struct manifest_column	*cols;
	size_t			 n_cols;
};

struct restore {
	struct job		 job;
	enum rs_step		 step;
	char			*id;
	char			*into;
	char			*who;
	enum restore_mode	 mode;
	bool			 confirmed;
	bool			 plan_only;
	bool			 read_only;
	restore_progress_fn	 progress;
	restore_done_fn		 done;
	void			*arg;
	bool			 freed;
	int64_t			 started_ms;

	struct restore_result	 res;
	struct restore_progress	 prog;
	char			*prefix;
	char			*manifest_key;
	struct manifest		*m;
	enum backup_time_kind	 time_kind;
	struct lock		*tlock;		/* the target table's */
	struct lock		*block;		/* the backup period's */
	struct audit_rec	*audit;

	struct rs_shape		 target;
	struct rs_shape		 probe_shape;
	char			*probe;
	bool			 probe_created;
	int64_t			 lo, hi;	/* the range, as the column */

	bool			 staging_created;
	struct load		*load;
	char			*import_qid;
	size_t			 apply_next;
	struct loop_timer	*progress_timer;
	struct loop_timer	*done_timer;
};

/* restore.c */
void	rs_next(struct restore *);
void	rs_fail(struct restore *, enum restore_status, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	rs_warn(struct restore *, const char *what, const char *error);
void	rs_phase(struct restore *, const char *);
/* Runs sql (built with rc and cause) with job_exec or job_query. */
void	rs_exec(struct restore *, struct buf *, int rc, char *cause,
	    job_fn cont);
void	rs_query(struct restore *, struct buf *, int rc, char *cause,
	    job_fn cont);
struct restore_part *rs_part(struct restore *, const char *id, bool add);
void	rs_shape_clear(struct rs_shape *);

/* restore_plan.c */
void	rs_target_info(struct restore *);
void	rs_target_cols(struct restore *);
void	rs_staging_free(struct restore *);
void	rs_scratch_db(struct restore *);
void	rs_probe_create(struct restore *);
void	rs_probe_info(struct restore *);
void	rs_probe_cols(struct restore *);
void	rs_days(struct restore *);
void	rs_probe_insert(struct restore *);
void	rs_probe_extents(struct restore *);
void	rs_probe_drop(struct restore *);
void	rs_target_parts(struct restore *);
void	rs_plan(struct restore *);

/* restore_end.c: the steps from RS_CLEAN_PROBE on */
void	rs_clean_probe(struct restore *);
void	rs_unlock(struct restore *, struct lock *);
void	rs_audit(struct restore *);
void	rs_done(struct restore *);
void	rs_destroy(struct restore *);

/* restore_apply.c */
void	rs_create(struct restore *);
void	rs_load(struct restore *);
void	rs_count(struct restore *);
void	rs_staging_parts(struct restore *);
void	rs_apply(struct restore *);
void	rs_postcheck(struct restore *);
void	rs_drop_staging(struct restore *);

#endif

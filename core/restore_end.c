/*
 * The end of a restore, whatever happened before: the probe table dropped,
 * what is kept and why, the locks released, the audit record written, the
 * caller told.
 */
#include "restore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "lock.h"
#include "loop.h"
#include "restore_sql.h"
#include "xmalloc.h"

static void
rs_unlock_done(struct job *j)
{
	struct restore	*r = j->owner;
	struct lock	*lk = r->step == RS_UNLOCK_TABLE ? r->tlock : r->block;

	if (lock_state(lk) == LOCK_FAILED)
		rs_warn(r, "a lock was not released", lock_message(lk) != NULL ?
		    lock_message(lk) : "?");
	rs_next(r);
}

void
rs_unlock(struct restore *r, struct lock *lk)
{
	if (lk == NULL || lock_state(lk) != LOCK_HELD) {
		rs_next(r);
		return;
	}
	job_unlock(&r->job, lk, rs_unlock_done);
}

/* ---------------------------------------------------------------- cleanup */

static void
rs_clean_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_warn(r, "the probe table was not dropped", j->error);
	r->probe_created = false;
	rs_next(r);
}

/* The probe, if a failure skipped its drop; what is kept, and why. */
void
rs_clean_probe(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL, *e;
	int		 rc;

	if (r->res.status == RESTORE_RUNNING)
		r->res.status = RESTORE_OK;
	if (r->res.status != RESTORE_OK && r->staging_created) {
		r->res.staging_kept = true;
		e = xasprintf("%s; the staging table %s is kept for inspection "
		    "(drop it when done)", r->res.error, r->res.staging);
		free(r->res.error);
		r->res.error = e;
	}
	if (!r->probe_created) {
		rs_next(r);
		return;
	}
	rc = rsql_drop(&sql, r->probe, &cause);
	rs_exec(r, &sql, rc, cause, rs_clean_done);
}

static void
rs_audit_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_warn(r, "the audit record was not shared", j->error);
	rs_next(r);
}

void
rs_audit(struct restore *r)
{
	char	*path, *cause = NULL, *key, *json;
	size_t	 i, done = 0;

	for (i = 0; i < r->res.n_parts; i++)
		done += r->res.parts[i].done;
	audit_param(r->audit, "mode", restore_mode_name(r->mode));
	audit_param(r->audit, "staging", r->res.staging);
	audit_param(r->audit, "confirmed", r->confirmed ? "yes" : "no");
	json = xasprintf("%zu", done);
	audit_param(r->audit, "partitions_done", json);
	free(json);
	audit_end(r->audit, restore_status_name(r->res.status), r->res.error);
	if ((path = audit_local_path(&cause)) == NULL ||
	    audit_append_local(path, r->audit, &cause) != 0) {
		rs_warn(r, "the audit record was not written", cause);
		free(cause);
	}
	free(path);
	if (r->read_only) {
		rs_next(r);
		return;
	}
	key = audit_key(r->job.s3, r->audit);
	json = audit_rec_json(r->audit);
	job_put(&r->job, key, json, rs_audit_done);
	free(json);
	free(key);
}

/* ---------------------------------------------------------------- done */

void
rs_destroy(struct restore *r)
{
	if (r->progress_timer != NULL)
		loop_timer_cancel(r->job.loop, r->progress_timer);
	if (r->done_timer != NULL)
		loop_timer_cancel(r->job.loop, r->done_timer);
	lock_free(r->tlock);
	lock_free(r->block);
	manifest_free(r->m);
	audit_rec_free(r->audit);
	rs_shape_clear(&r->target);
	rs_shape_clear(&r->probe_shape);
	job_clear(&r->job);
	restore_result_clear(&r->res);
	free(r->id);
	free(r->into);
	free(r->who);
	free(r->prefix);
	free(r->manifest_key);
	free(r->probe);
	free(r->import_qid);
	free(r);
}

static void
rs_done_timer(void *arg)
{
	struct restore	*r = arg;

	r->done_timer = NULL;
	if (r->freed)
		rs_destroy(r);
	else
		r->done(r, r->arg);
}

void
rs_done(struct restore *r)
{
	r->res.ok = r->res.status == RESTORE_OK ||
	    r->res.status == RESTORE_PLANNED;
	r->prog.phase = "done";
	r->done_timer = loop_timer_add(r->job.loop, 0, rs_done_timer, r);
}

/*
 * The end of a verify, whatever happened before: the scratch table dropped,
 * the drift check, the verdict stored, the lock released, the audit record
 * written, the caller told.
 */
#include "verify_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup_key.h"
#include "backup_sql.h"
#include "lock.h"
#include "loop.h"
#include "manifest.h"
#include "restore_sql.h"
#include "util.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"unknown"
#endif

static void
vf_drop_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed)
		vf_warn(v, "the scratch table was not dropped", j->error);
	vf_next(v);
}

static void
vf_import_gone(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed)
		vf_warn(v, "the cut-short import", j->error);
	free(v->import_qid);
	v->import_qid = NULL;
	vf_drop(v);
}

void
vf_drop(struct verify *v)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	if (v->res.status == VERIFY_RUNNING)
		v->res.status = VERIFY_OK;
	if (!v->scratch_created) {
		vf_next(v);
		return;
	}
	vf_phase(v, "cleanup");
	if (v->import_qid != NULL) {
		job_wait_gone(&v->job, v->import_qid, vf_import_gone);
		return;
	}
	rsql_drop(&sql, v->scratch, &cause);
	job_exec(&v->job, buf_str(&sql), vf_drop_done);
	buf_free(&sql);
}

static void
vf_drift_done(struct job *j)
{
	struct verify		*v = j->owner;
	struct verify_result	*r = &v->res;

	if (j->failed)
		r->drift_error = xstrdup(j->error);
	else if (vf_counts(j, &r->source_rows, &r->source_checksum) != 0)
		r->drift_error = xstrdup("unexpected answer");
	else {
		r->drift_checked = true;
		r->drift = r->source_rows != v->m->rows ||
		    strcmp(r->source_checksum, v->m->checksum) != 0;
	}
	vf_next(v);
}

/* The source rows of the range now, with the backup's own expression. */
static int
vf_drift_sql(struct verify *v, struct buf *sql, char **cause)
{
	const struct manifest	*m = v->m;
	struct buf		 where = BUF_INIT;
	ssize_t			 i = manifest_column(m, m->time_column);
	int			 rc;

	if (i < 0) {
		*cause = xstrdup("the time column is not among the columns");
		return -1;
	}
	rc = backup_sql_where(&where, m->time_column,
	    backup_sql_time_kind(m->columns[i].type), m->from, m->to,
	    m->timezone, cause);
	if (rc == 0)
		rc = backup_sql_checksum(sql, m->table, m->columns,
		    m->n_columns, buf_str(&where), cause);
	buf_free(&where);
	return rc;
}

void
vf_drift(struct verify *v)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	if (!v->drift || v->m == NULL || v->job.cancelled ||
	    (v->res.status != VERIFY_OK && v->res.status != VERIFY_MISMATCH)) {
		vf_next(v);
		return;
	}
	if (v->job.ch == NULL)
		v->res.drift_error = xstrdup("needs ClickHouse");
	else if (vf_drift_sql(v, &sql, &cause) != 0)
		v->res.drift_error = cause;
	if (v->res.drift_error != NULL) {
		buf_free(&sql);
		vf_next(v);
		return;
	}
	vf_phase(v, "drift");
	job_query(&v->job, buf_str(&sql), vf_drift_done);
	buf_free(&sql);
}

static void
vf_store_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed) {
		vf_warn(v, "the result was not stored", j->error);
		free(v->res.record_key);
		v->res.record_key = NULL;
	}
	vf_next(v);
}

static struct verify_record *
vf_record(struct verify *v, int64_t now)
{
	struct verify_record	*rec = verify_record_new();
	const struct verify_result *r = &v->res;

	rec->id = xstrdup(v->id);
	rec->level = v->level;
	rec->ok = r->status == VERIFY_OK;
	rec->object_sha256 = xstrdup(v->m->sha256);
	rec->has_counts = r->has_counts;
	rec->rows = r->rows;
	rec->checksum = r->checksum != NULL ? xstrdup(r->checksum) : NULL;
	rec->expected_rows = v->m->rows;
	rec->expected_checksum = xstrdup(v->m->checksum);
	rec->error = r->error != NULL ? xstrdup(r->error) : NULL;
	rec->verified_at = now;
	rec->verified_by = xstrdup(v->who);
	rec->chops_version = xstrdup(PACKAGE_VERSION);
	rec->duration_ms = util_now_ms() - v->started_ms;
	return rec;
}

void
vf_store(struct verify *v)
{
	struct verify_record	*rec;
	int64_t			 now = util_wall_ms() / 1000;
	char			*text, *cause = NULL;

	if (v->read_only || v->m == NULL || (v->res.status != VERIFY_OK &&
	    v->res.status != VERIFY_MISMATCH)) {
		vf_next(v);
		return;
	}
	rec = vf_record(v, now);
	if ((text = verify_record_serialize(rec, &cause)) == NULL) {
		vf_warn(v, "the result was not stored", cause);
		free(cause);
		verify_record_free(rec);
		vf_next(v);
		return;
	}
	v->res.record_key = backup_key_verify(v->prefix, v->id, now);
	job_put(&v->job, v->res.record_key, text, vf_store_done);
	free(text);
	verify_record_free(rec);
}

static void
vf_unlock_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (lock_state(v->lock) == LOCK_FAILED)
		vf_warn(v, "the lock was not released",
		    lock_message(v->lock) != NULL ? lock_message(v->lock) :
		    "?");
	vf_next(v);
}

void
vf_unlock(struct verify *v)
{
	if (v->lock == NULL || lock_state(v->lock) != LOCK_HELD) {
		vf_next(v);
		return;
	}
	job_unlock(&v->job, v->lock, vf_unlock_done);
}

static void
vf_audit_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed)
		vf_warn(v, "the audit record was not shared", j->error);
	vf_next(v);
}

void
vf_audit(struct verify *v)
{
	char	*path, *cause = NULL, *key, *json;

	audit_param(v->audit, "level", verify_level_name(v->level));
	audit_param(v->audit, "drift", v->drift ? "yes" : "no");
	if (v->res.record_key != NULL)
		audit_param(v->audit, "record", v->res.record_key);
	audit_end(v->audit, verify_status_name(v->res.status), v->res.error);
	if ((path = audit_local_path(&cause)) == NULL ||
	    audit_append_local(path, v->audit, &cause) != 0) {
		vf_warn(v, "the audit record was not written", cause);
		free(cause);
	}
	free(path);
	if (v->read_only) {
		vf_next(v);
		return;
	}
	key = audit_key(v->job.s3, v->audit);
	json = audit_rec_json(v->audit);
	job_put(&v->job, key, json, vf_audit_done);
	free(json);
	free(key);
}

void
vf_destroy(struct verify *v)
{
	if (v->progress_timer != NULL)
		loop_timer_cancel(v->job.loop, v->progress_timer);
	if (v->done_timer != NULL)
		loop_timer_cancel(v->job.loop, v->done_timer);
	lock_free(v->lock);
	manifest_free(v->m);
	audit_rec_free(v->audit);
	job_clear(&v->job);
	verify_result_clear(&v->res);
	free(v->id);
	free(v->who);
	free(v->prefix);
	free(v->manifest_key);
	free(v->scratch);
	free(v->import_qid);
	free(v);
}

static void
vf_done_timer(void *arg)
{
	struct verify	*v = arg;

	v->done_timer = NULL;
	if (v->freed)
		vf_destroy(v);
	else
		v->done(v, v->arg);
}

void
vf_done(struct verify *v)
{
	v->res.ok = v->res.status == VERIFY_OK;
	v->prog.phase = "done";
	v->done_timer = loop_timer_add(v->job.loop, 0, vf_done_timer, v);
}


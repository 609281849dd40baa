/* Restoring a backup: life cycle, locks, cleanup (see restore.h). */
#include "restore_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "backup_key.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "restore_sql.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

static const char *rs_mode_names[] = { "staging", "replace", "append" };
static const char *rs_status_names[] = {
	"running", "ok", "planned", "failed", "refused", "invalid",
};

static void	rs_run(struct restore *);

const char *
restore_mode_name(enum restore_mode m)
{
	return (size_t)m < nitems(rs_mode_names) ? rs_mode_names[m] : "?";
}

int
restore_mode_parse(const char *s, enum restore_mode *m)
{
	size_t	i;

	for (i = 0; i < nitems(rs_mode_names); i++) {
		if (strcmp(s, rs_mode_names[i]) == 0) {
			*m = (enum restore_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *
restore_status_name(enum restore_status s)
{
	return (size_t)s < nitems(rs_status_names) ? rs_status_names[s] : "?";
}

void
restore_result_clear(struct restore_result *r)
{
	size_t	i;

	for (i = 0; i < r->n_parts; i++)
		free(r->parts[i].id);
	free(r->parts);
	free(r->id);
	free(r->target);
	free(r->staging);
	free(r->checksum);
	free(r->plan);
	free(r->error);
	free(r->warning);
	memset(r, 0, sizeof *r);
}

void
rs_shape_clear(struct rs_shape *s)
{
	size_t	i;

	for (i = 0; i < s->n_cols; i++) {
		free(s->cols[i].name);
		free(s->cols[i].type);
	}
	free(s->cols);
	free(s->engine);
	free(s->partition_key);
	free(s->sorting_key);
	free(s->primary_key);
	memset(s, 0, sizeof *s);
}

struct restore_part *
rs_part(struct restore *r, const char *id, bool add)
{
	struct restore_result	*res = &r->res;
	size_t			 i;

	for (i = 0; i < res->n_parts; i++) {
		if (strcmp(res->parts[i].id, id) == 0)
			return &res->parts[i];
	}
	if (!add)
		return NULL;
	res->parts = xreallocarray(res->parts, res->n_parts + 1,
	    sizeof *res->parts);
	memset(&res->parts[res->n_parts], 0, sizeof *res->parts);
	res->parts[res->n_parts].id = xstrdup(id);
	return &res->parts[res->n_parts++];
}

/* ---------------------------------------------------------------- flow */

void
rs_next(struct restore *r)
{
	r->step++;
	rs_run(r);
}

void
rs_fail(struct restore *r, enum restore_status st, const char *fmt, ...)
{
	va_list	ap;

	if (r->res.status == RESTORE_RUNNING) {
		r->res.status = st;
		va_start(ap, fmt);
		r->res.error = xvasprintf(fmt, ap);
		va_end(ap);
	}
	if (r->step < RS_CLEAN_PROBE)
		r->step = RS_CLEAN_PROBE - 1;
	rs_next(r);
}

void
rs_warn(struct restore *r, const char *what, const char *error)
{
	char	*w;

	w = xasprintf("%s%s%s: %s", r->res.warning != NULL ?
	    r->res.warning : "", r->res.warning != NULL ? "; " : "", what,
	    error);
	free(r->res.warning);
	r->res.warning = w;
	log_warn("restore %s: %s: %s", r->id, what, error);
}

void
rs_phase(struct restore *r, const char *phase)
{
	r->prog.phase = phase;
	if (r->progress != NULL)
		r->progress(&r->prog, r->arg);
}

static void
rs_sql(struct restore *r, struct buf *sql, int rc, char *cause, job_fn cont,
    bool query)
{
	if (rc != 0) {
		rs_fail(r, RESTORE_FAILED, "%s", cause != NULL ? cause :
		    "bad SQL");
		free(cause);
	} else if (query)
		job_query(&r->job, buf_str(sql), cont);
	else
		job_exec(&r->job, buf_str(sql), cont);
	buf_free(sql);
}

void
rs_exec(struct restore *r, struct buf *sql, int rc, char *cause,
    job_fn cont)
{
	rs_sql(r, sql, rc, cause, cont, false);
}

void
rs_query(struct restore *r, struct buf *sql, int rc, char *cause,
    job_fn cont)
{
	rs_sql(r, sql, rc, cause, cont, true);
}

/* ---------------------------------------------------------------- start */

/* "<db>.<table>__restore_<YYYYMMDDTHHMMSS>" */
static char *
rs_default_staging(const char *table)
{
	time_t		t = time(NULL);
	struct tm	tm;
	char		stamp[20];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	return xasprintf("%s__restore_%s", table, stamp);
}

/* --into must be DB.TABLE with valid names. */
static int
rs_check_into(const char *into, char **cause)
{
	char	*db = NULL, *tbl = NULL;
	int	 rc = 0;

	if (sql_split_table(into, &db, &tbl, cause) != 0)
		return -1;
	if (db == NULL) {
		*cause = xasprintf("--into %s: expected DB.TABLE", into);
		rc = -1;
	}
	free(db);
	free(tbl);
	return rc;
}

static void
rs_begin(struct restore *r)
{
	char	*table = NULL, *period = NULL, *cause = NULL;
	enum period_kind kind;

	if (backup_id_parse(r->id, &table, &kind, &period, &cause) != 0 ||
	    (r->into != NULL && rs_check_into(r->into, &cause) != 0)) {
		r->res.status = RESTORE_INVALID;
		r->res.error = cause;
		free(table);
		free(period);
		r->step = RS_DONE - 1;	/* a usage error: no audit */
		rs_next(r);
		return;
	}
	free(period);
	r->res.target = table;
	r->res.staging = r->into != NULL ? xstrdup(r->into) :
	    rs_default_staging(table);
	if (r->read_only)
		rs_fail(r, RESTORE_REFUSED, "refused: read-only mode: a "
		    "restore writes tables");
	else if (strcmp(r->res.staging, r->res.target) == 0)
		rs_fail(r, RESTORE_INVALID, "--into must name a new table, "
		    "not the target %s", r->res.target);
	else
		rs_next(r);
}

static void
rs_manifest_done(struct job *j)
{
	struct restore	*r = j->owner;
	char		*cause = NULL;
	ssize_t		 i;

	if (j->failed && j->not_found) {
		rs_fail(r, RESTORE_FAILED, "no backup %s: %s is missing (the "
		    "backup is incomplete or does not exist)", r->id,
		    r->manifest_key);
		return;
	}
	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	if ((r->m = job_manifest(j, r->id, r->manifest_key, &cause)) == NULL) {
		rs_fail(r, RESTORE_FAILED, "%s", cause);
		free(cause);
		return;
	}
	i = manifest_column(r->m, r->m->time_column);
	r->time_kind = i < 0 ? BACKUP_TIME_NONE :
	    backup_sql_time_kind(r->m->columns[i].type);
	r->prog.load.total = r->m->size;
	rs_next(r);
}

static void
rs_manifest(struct restore *r)
{
	rs_phase(r, "manifest");
	r->manifest_key = backup_key_manifest(r->prefix, r->id);
	job_get(&r->job, r->manifest_key, rs_manifest_done);
}

/* ---------------------------------------------------------------- locks */

static void
rs_lock_done(struct job *j)
{
	struct restore	*r = j->owner;
	struct lock	*lk = r->step == RS_LOCK_TABLE ? r->tlock : r->block;

	switch (lock_state(lk)) {
	case LOCK_HELD:
		rs_next(r);
		break;
	case LOCK_BUSY:
		rs_fail(r, RESTORE_REFUSED, "refused: %s", lock_message(lk));
		break;
	default:
		rs_fail(r, RESTORE_FAILED, "%s", lock_message(lk) != NULL ?
		    lock_message(lk) : "the lock could not be taken");
		break;
	}
}

/* A refresh found a lock taken over: stop, saying why. */
static void
rs_lock_lost(struct lock *lk, void *arg)
{
	struct restore	*r = arg;

	if (r->res.status == RESTORE_RUNNING) {
		r->res.status = RESTORE_FAILED;
		r->res.error = xasprintf("stopped: %s", lock_message(lk));
	}
	restore_cancel(r);
}

static struct lock *
rs_lock_new(struct restore *r, char *key, const char *target)
{
	struct lock_opts	 o = { 0 };
	struct lock		*lk;

	o.operation = "restore";
	o.target = target;
	o.holder = r->who;
	lk = lock_new(r->job.loop, r->job.s3, key, &o);
	lock_on_lost(lk, rs_lock_lost, r);
	free(key);
	return lk;
}

static void
rs_lock_table(struct restore *r)
{
	if (r->mode == RESTORE_STAGING) {
		rs_next(r);
		return;
	}
	rs_phase(r, "lock");
	r->tlock = rs_lock_new(r, lock_key_table(r->job.s3, r->res.target),
	    r->res.target);
	job_lock(&r->job, r->tlock, rs_lock_done);
}

static void
rs_lock_backup(struct restore *r)
{
	r->block = rs_lock_new(r, lock_key_backup(r->job.s3, r->id), r->id);
	job_lock(&r->job, r->block, rs_lock_done);
}

static void
rs_run(struct restore *r)
{
	static void (*const steps[])(struct restore *) = {
		[RS_MANIFEST] = rs_manifest,
		[RS_LOCK_TABLE] = rs_lock_table,
		[RS_LOCK_BACKUP] = rs_lock_backup,
		[RS_TARGET_INFO] = rs_target_info,
		[RS_TARGET_COLS] = rs_target_cols,
		[RS_STAGING_FREE] = rs_staging_free,
		[RS_SCRATCH_DB] = rs_scratch_db,
		[RS_PROBE_CREATE] = rs_probe_create,
		[RS_PROBE_INFO] = rs_probe_info,
		[RS_PROBE_COLS] = rs_probe_cols,
		[RS_DAYS] = rs_days,
		[RS_PROBE_INSERT] = rs_probe_insert,
		[RS_PROBE_EXTENTS] = rs_probe_extents,
		[RS_PROBE_DROP] = rs_probe_drop,
		[RS_TARGET_PARTS] = rs_target_parts,
		[RS_PLAN] = rs_plan,
		[RS_CREATE] = rs_create,
		[RS_LOAD] = rs_load,
		[RS_COUNT] = rs_count,
		[RS_STAGING_PARTS] = rs_staging_parts,
		[RS_APPLY] = rs_apply,
		[RS_POSTCHECK] = rs_postcheck,
		[RS_DROP_STAGING] = rs_drop_staging,
		[RS_CLEAN_PROBE] = rs_clean_probe,
		[RS_DONE] = rs_done,
	};

	if (r->step < RS_CLEAN_PROBE && r->step > RS_START &&
	    r->job.cancelled) {
		rs_fail(r, RESTORE_FAILED, "cancelled");
		return;
	}
	switch (r->step) {
	case RS_START:
		rs_begin(r);
		break;
	case RS_UNLOCK_BACKUP:
		rs_unlock(r, r->block);
		break;
	case RS_UNLOCK_TABLE:
		rs_unlock(r, r->tlock);
		break;
	case RS_AUDIT:
		rs_audit(r);
		break;
	default:
		steps[r->step](r);
		break;
	}
}

static void
rs_kickoff(struct job *j)
{
	rs_run(j->owner);
}

/* ---------------------------------------------------------------- public */

struct restore *
restore_start(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct restore_opts *o, restore_progress_fn progress,
    restore_done_fn done, void *arg)
{
	struct restore	*r = xcalloc(1, sizeof *r);

	job_init(&r->job, loop, ch, s3, r);
	r->id = xstrdup(o->id != NULL ? o->id : "");
	r->into = o->into != NULL ? xstrdup(o->into) : NULL;
	r->who = o->who != NULL ? xstrdup(o->who) : util_user_at_host();
	r->mode = o->mode;
	r->confirmed = o->confirmed;
	r->plan_only = o->plan_only;
	r->read_only = o->read_only;
	r->progress = progress;
	r->done = done;
	r->arg = arg;
	r->started_ms = util_now_ms();
	r->prefix = job_prefix(s3);
	r->res.id = xstrdup(r->id);
	r->res.mode = o->mode;
	r->audit = audit_begin("restore", r->id);
	r->step = RS_START;
	job_defer(&r->job, rs_kickoff);
	return r;
}

void
restore_cancel(struct restore *r)
{
	if (r->step >= RS_CLEAN_PROBE)
		return;
	job_cancel(&r->job);
	if (r->load != NULL)
		load_cancel(r->load);
}

void
restore_free(struct restore *r)
{
	if (r == NULL)
		return;
	if (r->step < RS_DONE) {
		r->freed = true;
		restore_cancel(r);
		return;
	}
	rs_destroy(r);
}

const struct restore_result *
restore_result(const struct restore *r)
{
	return &r->res;
}

void
restore_take_result(struct restore *r, struct restore_result *out)
{
	*out = r->res;
	memset(&r->res, 0, sizeof r->res);
}

/* restore_run: the caller's progress callback, and the end. */
struct rs_wait {
	restore_progress_fn	 progress;
	void			*arg;
	volatile int		 done;
};

static void
rs_wait_progress(const struct restore_progress *p, void *arg)
{
	struct rs_wait	*w = arg;

	if (w->progress != NULL)
		w->progress(p, w->arg);
}

static void
rs_wait_done(struct restore *r, void *arg)
{
	((struct rs_wait *)arg)->done = 1;
}

enum restore_status
restore_run(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct restore_opts *o, restore_progress_fn progress, void *arg,
    struct restore_result *out, const volatile int *cancel)
{
	struct rs_wait	 w = { progress, arg, 0 };
	struct restore	*r;
	bool		 cancelled = false;

	r = restore_start(loop, ch, s3, o, rs_wait_progress, rs_wait_done,
	    &w);
	while (!w.done) {
		loop_once(loop, -1, 250);
		if (cancel != NULL && *cancel && !cancelled) {
			cancelled = true;
			restore_cancel(r);
		}
	}
	restore_take_result(r, out);
	restore_free(r);
	return out->status;
}

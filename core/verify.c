/* Verifying a backup: life cycle and the checks (see verify.h). */
#include "verify_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup_key.h"
#include "backup_sql.h"
#include "job.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "manifest.h"
#include "restore_sql.h"
#include "util.h"
#include "xmalloc.h"

#define VERIFY_PROGRESS_MS	500


static const char *vf_status_names[] = {
	"running", "ok", "mismatch", "failed", "refused", "invalid",
};

static void	vf_run(struct verify *);

const char *
verify_status_name(enum verify_status s)
{
	return (size_t)s < nitems(vf_status_names) ? vf_status_names[s] : "?";
}

void
verify_result_clear(struct verify_result *r)
{
	free(r->id);
	free(r->checksum);
	free(r->expected_checksum);
	free(r->error);
	free(r->source_checksum);
	free(r->drift_error);
	free(r->record_key);
	free(r->warning);
	memset(r, 0, sizeof *r);
}

void
vf_next(struct verify *v)
{
	v->step++;
	vf_run(v);
}

/* Records the outcome (the first one wins) and goes to the cleanup. */
void
vf_fail(struct verify *v, enum verify_status st, const char *fmt, ...)
{
	va_list	ap;

	if (v->res.status == VERIFY_RUNNING) {
		v->res.status = st;
		va_start(ap, fmt);
		v->res.error = xvasprintf(fmt, ap);
		va_end(ap);
	}
	if (v->step < VS_DROP)
		v->step = VS_DROP - 1;
	vf_next(v);
}

void
vf_warn(struct verify *v, const char *what, const char *error)
{
	char	*w;

	w = xasprintf("%s%s%s: %s", v->res.warning != NULL ?
	    v->res.warning : "", v->res.warning != NULL ? "; " : "", what,
	    error);
	free(v->res.warning);
	v->res.warning = w;
	log_warn("verify %s: %s: %s", v->id, what, error);
}

void
vf_phase(struct verify *v, const char *phase)
{
	v->prog.phase = phase;
	if (v->progress != NULL)
		v->progress(&v->prog, v->arg);
}

/* ---------------------------------------------------------------- manifest */

static void
vf_manifest_done(struct job *j)
{
	struct verify	*v = j->owner;
	char		*cause = NULL;

	if (j->failed && j->not_found) {
		vf_fail(v, VERIFY_FAILED, "no backup %s: %s is missing (the "
		    "backup is incomplete or does not exist)", v->id,
		    v->manifest_key);
		return;
	}
	if (j->failed) {
		vf_fail(v, VERIFY_FAILED, "%s", j->error);
		return;
	}
	if ((v->m = job_manifest(j, v->id, v->manifest_key, &cause)) == NULL) {
		vf_fail(v, VERIFY_FAILED, "%s", cause);
		free(cause);
		return;
	}
	v->res.expected_rows = v->m->rows;
	v->res.expected_checksum = xstrdup(v->m->checksum);
	v->prog.load.total = v->m->size;
	vf_next(v);
}

static void
vf_manifest(struct verify *v)
{
	vf_phase(v, "manifest");
	v->manifest_key = backup_key_manifest(v->prefix, v->id);
	job_get(&v->job, v->manifest_key, vf_manifest_done);
}

/* ---------------------------------------------------------------- lock */

static void
vf_lock_done(struct job *j)
{
	struct verify	*v = j->owner;

	switch (lock_state(v->lock)) {
	case LOCK_HELD:
		vf_next(v);
		break;
	case LOCK_BUSY:
		vf_fail(v, VERIFY_REFUSED, "refused: %s",
		    lock_message(v->lock));
		break;
	default:
		vf_fail(v, VERIFY_FAILED, "%s", lock_message(v->lock) != NULL ?
		    lock_message(v->lock) : "the lock could not be taken");
		break;
	}
}

/* A refresh found the lock taken over: stop, saying why. */
static void
vf_lock_lost(struct lock *lk, void *arg)
{
	struct verify	*v = arg;

	if (v->res.status == VERIFY_RUNNING) {
		v->res.status = VERIFY_FAILED;
		v->res.error = xasprintf("stopped: %s", lock_message(lk));
	}
	verify_cancel(v);
}

static void
vf_lock(struct verify *v)
{
	struct lock_opts	 o = { 0 };
	char			*key;

	if (v->read_only) {
		vf_next(v);
		return;
	}
	vf_phase(v, "lock");
	key = lock_key_backup(v->job.s3, v->id);
	o.operation = "verify";
	o.target = v->id;
	o.holder = v->who;
	v->lock = lock_new(v->job.loop, v->job.s3, key, &o);
	lock_on_lost(v->lock, vf_lock_lost, v);
	free(key);
	job_lock(&v->job, v->lock, vf_lock_done);
}

/* ---------------------------------------------------------------- object */

static void
vf_head_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed && j->not_found)
		vf_fail(v, VERIFY_MISMATCH, "the data object %s is missing",
		    v->m->key);
	else if (j->failed)
		vf_fail(v, VERIFY_FAILED, "%s", j->error);
	else if (j->info.size != v->m->size)
		vf_fail(v, VERIFY_MISMATCH, "size mismatch: the object %s is "
		    "%llu bytes, the manifest says %llu", v->m->key,
		    (unsigned long long)j->info.size,
		    (unsigned long long)v->m->size);
	else {
		if (v->level == VERIFY_OBJECT)
			v->step = VS_LOAD - 1;	/* no scratch table */
		vf_next(v);
	}
}

static void
vf_head(struct verify *v)
{
	vf_phase(v, "checking");
	job_head(&v->job, v->m->key, vf_head_done);
}

/* ---------------------------------------------------------------- scratch */

static void
vf_ddl_done(struct job *j)
{
	struct verify	*v = j->owner;

	if (j->failed) {
		vf_fail(v, VERIFY_FAILED, "%s", j->error);
		return;
	}
	if (v->step == VS_CREATE)
		v->scratch_created = true;
	vf_next(v);
}

static void
vf_db(struct verify *v)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	vf_phase(v, "preparing");
	rsql_create_scratch_db(&sql, &cause);
	job_exec(&v->job, buf_str(&sql), vf_ddl_done);
	buf_free(&sql);
}

static void
vf_create(struct verify *v)
{
	struct buf	 sql = BUF_INIT;
	char		 uniq[48], *cause = NULL;

	job_unique(uniq, sizeof uniq);
	v->scratch = xasprintf("%s.verify_%s", RSQL_SCRATCH_DB, uniq);
	if (rsql_create_log(&sql, v->scratch, v->m->columns, v->m->n_columns,
	    &cause) != 0) {
		vf_fail(v, VERIFY_MISMATCH, "the manifest's columns: %s",
		    cause);
		free(cause);
	} else
		job_exec(&v->job, buf_str(&sql), vf_ddl_done);
	buf_free(&sql);
}

/* ---------------------------------------------------------------- load */

static void
vf_progress_timer(void *arg)
{
	struct verify	*v = arg;

	v->progress_timer = NULL;
	if (v->load == NULL)
		return;
	load_progress(v->load, &v->prog.load);
	if (v->progress != NULL)
		v->progress(&v->prog, v->arg);
	v->progress_timer = loop_timer_add(v->job.loop, VERIFY_PROGRESS_MS,
	    vf_progress_timer, v);
}

static void
vf_load_done(struct load *ld, void *arg)
{
	struct verify	*v = arg;
	enum load_status st = load_status(ld);
	char		*error = xstrdup(load_error(ld) != NULL ?
			    load_error(ld) : "failed");

	load_progress(ld, &v->prog.load);
	if (st != LOAD_OK && load_query_id(ld) != NULL)
		v->import_qid = xstrdup(load_query_id(ld));
	load_free(ld);
	v->load = NULL;
	if (v->progress_timer != NULL)
		loop_timer_cancel(v->job.loop, v->progress_timer);
	v->progress_timer = NULL;
	if (st == LOAD_OK)
		vf_next(v);
	else if (st == LOAD_CORRUPT)
		vf_fail(v, VERIFY_MISMATCH, "%s", error);
	else
		vf_fail(v, VERIFY_FAILED, "%s", error);
	free(error);
}

static void
vf_load(struct verify *v)
{
	bool	restore = v->level == VERIFY_RESTORE;

	if (v->job.cancelled) {
		vf_fail(v, VERIFY_FAILED, "cancelled");
		return;
	}
	vf_phase(v, restore ? "loading" : "hashing");
	v->load = load_start(v->job.loop, v->job.s3, restore ? v->job.ch :
	    NULL, v->m, restore ? v->scratch : NULL, vf_load_done, v);
	v->progress_timer = loop_timer_add(v->job.loop, VERIFY_PROGRESS_MS,
	    vf_progress_timer, v);
}

/* ---------------------------------------------------------------- counts */

/* Reads "count, checksum" from the last query into *rows and *sum. */
int
vf_counts(struct job *j, uint64_t *rows, char **sum)
{
	const char		*c = job_cell(j, 0, 0), *s = job_cell(j, 0, 1);
	unsigned long long	 n;

	if (c == NULL || s == NULL || util_strtoull(c, strlen(c), &n) != 0)
		return -1;
	*rows = n;
	*sum = xstrdup(s);
	return 0;
}

static void
vf_count_done(struct job *j)
{
	struct verify		*v = j->owner;
	struct verify_result	*r = &v->res;

	if (j->failed) {
		vf_fail(v, VERIFY_FAILED, "%s", j->error);
		return;
	}
	if (vf_counts(j, &r->rows, &r->checksum) != 0) {
		vf_fail(v, VERIFY_FAILED, "counting %s: unexpected answer",
		    v->scratch);
		return;
	}
	r->has_counts = true;
	if (r->rows != v->m->rows || strcmp(r->checksum, v->m->checksum) != 0)
		vf_fail(v, VERIFY_MISMATCH, "content mismatch: the object "
		    "holds %llu rows with checksum %s, the manifest says %llu "
		    "rows with checksum %s", (unsigned long long)r->rows,
		    r->checksum, (unsigned long long)v->m->rows,
		    v->m->checksum);
	else
		vf_next(v);
}

static void
vf_count(struct verify *v)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	if (v->level == VERIFY_OBJECT) {
		vf_next(v);
		return;
	}
	vf_phase(v, "counting");
	if (rsql_checksum(&sql, v->scratch, v->m->columns, v->m->n_columns,
	    &cause) != 0) {
		vf_fail(v, VERIFY_FAILED, "%s", cause);
		free(cause);
	} else
		job_query(&v->job, buf_str(&sql), vf_count_done);
	buf_free(&sql);
}

/* ---------------------------------------------------------------- steps */

static void
vf_begin(struct verify *v)
{
	char	*table = NULL, *period = NULL, *cause = NULL;
	enum period_kind kind;

	if (backup_id_parse(v->id, &table, &kind, &period, &cause) != 0) {
		v->res.status = VERIFY_INVALID;
		v->res.error = cause;
		v->step = VS_DONE - 1;	/* a usage error: no audit */
		vf_next(v);
		return;
	}
	free(table);
	free(period);
	if (v->read_only && v->level == VERIFY_RESTORE)
		vf_fail(v, VERIFY_REFUSED, "refused: read-only mode: the "
		    "restore level writes a scratch table (use --level "
		    "object)");
	else if (v->level == VERIFY_RESTORE && v->job.ch == NULL)
		vf_fail(v, VERIFY_FAILED, "the restore level needs ClickHouse");
	else
		vf_next(v);
}

static void
vf_run(struct verify *v)
{
	switch (v->step) {
	case VS_START:		vf_begin(v); break;
	case VS_MANIFEST:	vf_manifest(v); break;
	case VS_LOCK:		vf_lock(v); break;
	case VS_HEAD:		vf_head(v); break;
	case VS_DB:		vf_db(v); break;
	case VS_CREATE:		vf_create(v); break;
	case VS_LOAD:		vf_load(v); break;
	case VS_COUNT:		vf_count(v); break;
	case VS_DROP:		vf_drop(v); break;
	case VS_DRIFT:		vf_drift(v); break;
	case VS_STORE:		vf_store(v); break;
	case VS_UNLOCK:		vf_unlock(v); break;
	case VS_AUDIT:		vf_audit(v); break;
	case VS_DONE:		vf_done(v); break;
	}
}

static void
vf_kickoff(struct job *j)
{
	vf_run(j->owner);
}

/* ---------------------------------------------------------------- public */

struct verify *
verify_start(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct verify_opts *o, verify_progress_fn progress,
    verify_done_fn done, void *arg)
{
	struct verify	*v = xcalloc(1, sizeof *v);

	job_init(&v->job, loop, ch, s3, v);
	v->id = xstrdup(o->id != NULL ? o->id : "");
	v->who = o->who != NULL ? xstrdup(o->who) : util_user_at_host();
	v->level = o->level;
	v->drift = o->drift;
	v->read_only = o->read_only;
	v->progress = progress;
	v->done = done;
	v->arg = arg;
	v->prefix = job_prefix(s3);
	v->started_ms = util_now_ms();
	v->res.id = xstrdup(v->id);
	v->res.level = o->level;
	v->audit = audit_begin("verify", v->id);
	v->step = VS_START;
	job_defer(&v->job, vf_kickoff);
	return v;
}

void
verify_cancel(struct verify *v)
{
	if (v->step >= VS_DROP)
		return;		/* cleaning up already */
	job_cancel(&v->job);
	if (v->load != NULL)
		load_cancel(v->load);
}

void
verify_free(struct verify *v)
{
	if (v == NULL)
		return;
	if (v->step < VS_DONE) {
		v->freed = true;
		verify_cancel(v);
		return;
	}
	vf_destroy(v);
}

const struct verify_result *
verify_result(const struct verify *v)
{
	return &v->res;
}

void
verify_take_result(struct verify *v, struct verify_result *out)
{
	*out = v->res;
	memset(&v->res, 0, sizeof v->res);
}

/* verify_run: the caller's progress callback, and the end. */
struct vf_wait {
	verify_progress_fn	 progress;
	void			*arg;
	volatile int		 done;
};

static void
vf_wait_progress(const struct verify_progress *p, void *arg)
{
	struct vf_wait	*w = arg;

	if (w->progress != NULL)
		w->progress(p, w->arg);
}

static void
vf_wait_done(struct verify *v, void *arg)
{
	((struct vf_wait *)arg)->done = 1;
}

enum verify_status
verify_run(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct verify_opts *o, verify_progress_fn progress, void *arg,
    struct verify_result *out, const volatile int *cancel)
{
	struct vf_wait	 w = { progress, arg, 0 };
	struct verify	*v;
	bool		 cancelled = false;

	v = verify_start(loop, ch, s3, o, vf_wait_progress, vf_wait_done, &w);
	while (!w.done) {
		loop_once(loop, -1, 250);
		if (cancel != NULL && *cancel && !cancelled) {
			cancelled = true;
			verify_cancel(v);
		}
	}
	verify_take_result(v, out);
	verify_free(v);
	return out->status;
}

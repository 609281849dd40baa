/* The backup engine's life cycle: start, fail, cancel, finish, progress. */
#include "backup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "backup_int.h"
#include "clickhouse.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "s3.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"unknown"
#endif

/* How often progress is reported while the data moves. */
#define BACKUP_PROGRESS_MS	500

static const char *engine_names[] = { "stream", "server" };
static const char *status_names[] = { "running", "complete", "skipped",
				      "failed", "refused", "invalid" };
static const char *phase_names[] = { "prepare", "checksum", "transfer",
				     "recheck", "finish", "done" };

const char *
backup_engine_name(enum backup_engine e)
{
	return (size_t)e < nitems(engine_names) ? engine_names[e] : "?";
}

int
backup_engine_parse(const char *s, enum backup_engine *e)
{
	size_t	i;

	for (i = 0; i < nitems(engine_names); i++) {
		if (strcmp(s, engine_names[i]) == 0) {
			*e = (enum backup_engine)i;
			return 0;
		}
	}
	return -1;
}

const char *
backup_status_name(enum backup_status s)
{
	return (size_t)s < nitems(status_names) ? status_names[s] : "?";
}

const char *
backup_phase_name(enum backup_phase p)
{
	return (size_t)p < nitems(phase_names) ? phase_names[p] : "?";
}

void
backup_result_clear(struct backup_result *r)
{
	free(r->id);
	free(r->key);
	free(r->checksum);
	free(r->error);
	manifest_free(r->manifest);
	memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- progress */

void
backup_report(struct backup *b)
{
	struct backup_progress	*p = &b->prog;
	int64_t			 now = util_now_ms(), secs;
	uint64_t		 stored;

	p->elapsed_ms = now - b->started_ms;
	if (b->up != NULL) {
		s3_upload_progress(b->up, NULL, &stored);
		p->bytes_uploaded = stored;
	}
	secs = b->transfer_ms > 0 ? now - b->transfer_ms : 0;
	p->rate = secs > 0 ? (double)p->bytes_read * 1000.0 / (double)secs : 0;
	p->id = b->res.id;
	if (b->progress_fn != NULL)
		b->progress_fn(p, b->arg);
}

static void
backup_report_timer(void *arg)
{
	struct backup	*b = arg;

	b->report_timer = NULL;
	if (!b->finishing)
		backup_report(b);
}

/*
 * The progress callback runs from timers only, never in the middle of a
 * step: it may call backup_cancel().
 */
void
backup_set_phase(struct backup *b, enum backup_phase phase)
{
	b->prog.phase = phase;
	if (phase == BACKUP_PHASE_TRANSFER)
		b->transfer_ms = util_now_ms();
	if (b->progress_fn != NULL && b->report_timer == NULL)
		b->report_timer = loop_timer_add(b->loop, 0,
		    backup_report_timer, b);
}

static void
backup_poll_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res = ch_req_take_result(req);
	uint64_t		 rows;

	b->poll = NULL;
	if (res != NULL && res->nrows > 0 &&
	    ch_result_uint64(res, 0, 0, &rows) == 0)
		b->prog.rows_read = rows;
	ch_result_free(res);
	if (b->failed)
		backup_settle(b);
}

static void
backup_progress_tick(void *arg)
{
	struct backup	*b = arg;
	struct buf	 sql = BUF_INIT;
	struct ch_req	*r = b->export;
	char		*cause = NULL;

	b->progress_timer = NULL;
	if (b->failed || b->finishing)
		return;
	if (r == NULL && b->engine == BACKUP_ENGINE_SERVER &&
	    b->prog.phase == BACKUP_PHASE_TRANSFER)
		r = b->req;
	/* the server's row count, for a progress bar with an end */
	if (r != NULL && b->poll == NULL &&
	    backup_sql_progress(&sql, ch_req_query_id(r), &cause) == 0)
		b->poll = ch_query_start(b->ch, buf_str(&sql), NULL,
		    backup_poll_done, b);
	free(cause);
	buf_free(&sql);
	b->progress_timer = loop_timer_add(b->loop, BACKUP_PROGRESS_MS,
	    backup_progress_tick, b);
	backup_report(b);	/* last: it may cancel */
}

/* Progress ticks run while the data moves, only when someone listens. */
void
backup_progress_begin(struct backup *b)
{
	if (b->progress_fn != NULL && b->progress_timer == NULL)
		b->progress_timer = loop_timer_add(b->loop, BACKUP_PROGRESS_MS,
		    backup_progress_tick, b);
}

/* ---------------------------------------------------------------- ending */

static void
backup_wipe(char *s)
{
	util_free_secret(s);
}

static void
backup_cancel_timer(struct backup *b, struct loop_timer **t)
{
	if (*t != NULL) {
		loop_timer_cancel(b->loop, *t);
		*t = NULL;
	}
}

static void
backup_destroy(struct backup *b)
{
	size_t	i;

	backup_cancel_timer(b, &b->progress_timer);
	backup_cancel_timer(b, &b->kick_export);
	backup_cancel_timer(b, &b->kick_upload);
	backup_cancel_timer(b, &b->start_timer);
	backup_cancel_timer(b, &b->report_timer);
	backup_cancel_timer(b, &b->finish_timer);
	backup_pipe_release(b);
	lock_free(b->lock);
	audit_rec_free(b->audit);
	for (i = 0; i < b->n_listed; i++) {
		free(b->listed[i].key);
		free(b->listed[i].etag);
	}
	free(b->listed);
	free(b->table);
	free(b->db);
	free(b->tbl);
	free(b->time_column);
	free(b->tz_opt);
	free(b->created_by);
	free(b->chops_version);
	backup_wipe(b->access_key);
	backup_wipe(b->secret_key);
	free(b->tz);
	free(b->ch_version);
	free(b->prefix);
	free(b->dir);
	free(b->data_key);
	free(b->manifest_key);
	manifest_free(b->m);
	free(b->where);
	free(b->checksum_sql);
	free(b->select_sql);
	free(b->sum0);
	free(b->object_etag);
	buf_free(&b->body);
	backup_result_clear(&b->res);
	free(b);
}

static void
backup_finish_timer(void *arg)
{
	struct backup	*b = arg;

	b->finish_timer = NULL;
	if (b->freed) {
		backup_destroy(b);
		return;
	}
	b->prog.phase = BACKUP_PHASE_DONE;
	b->prog.elapsed_ms = util_now_ms() - b->started_ms;
	b->done(b, b->arg);
}

static bool
backup_busy(const struct backup *b)
{
	return b->req != NULL || b->export != NULL || b->poll != NULL ||
	    b->up != NULL || b->op != NULL || b->lock_wait ||
	    b->audit_op != NULL;
}

static void
backup_unlock_done(struct lock *lk, void *arg)
{
	struct backup	*b = arg;

	b->lock_wait = false;
	if (lock_state(lk) == LOCK_FAILED)
		log_warn("%s: the lock was not released (it expires by "
		    "itself): %s", b->res.id, lock_message(lk) != NULL ?
		    lock_message(lk) : "?");
	backup_settle(b);
}

static void
backup_audit_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;

	s3_op_free(op);
	b->audit_op = NULL;
	if (e != NULL)
		log_warn("backup %s: the audit record was not shared: %s",
		    b->res.id != NULL ? b->res.id : b->table, e->message);
	backup_settle(b);
}

static void
backup_audit_num(struct audit_rec *a, const char *name, uint64_t v)
{
	char	s[32];

	snprintf(s, sizeof s, "%llu", (unsigned long long)v);
	audit_param(a, name, s);
}

/*
 * The audit record: locally, then in the bucket unless read-only (nothing
 * is written there then). A usage error is not an action: no record.
 * Returns true when the bucket's PUT is in flight.
 */
static bool
backup_audit(struct backup *b)
{
	struct audit_rec	*a = b->audit;
	const struct backup_result *r = &b->res;
	char			*path, *cause = NULL;
	int			 lvl = b->level;

	if (r->status == BACKUP_INVALID || a == NULL)
		return false;
	audit_param(a, "table", b->table);
	if (b->period.id[0] != '\0')
		audit_param(a, "period", b->period.id);
	audit_param(a, "engine", backup_engine_name(b->engine));
	audit_param(a, "format", backup_format_name(b->format));
	audit_param(a, "compression", codec_name(b->compression));
	backup_audit_num(a, "level", (uint64_t)lvl);
	audit_param(a, "force", b->force ? "yes" : "no");
	if (b->tz != NULL)
		audit_param(a, "tz", b->tz);
	if (r->status == BACKUP_COMPLETE || r->status == BACKUP_SKIPPED) {
		backup_audit_num(a, "rows", r->rows);
		backup_audit_num(a, "bytes", r->bytes);
		if (r->checksum != NULL)
			audit_param(a, "checksum", r->checksum);
		if (r->key != NULL)
			audit_param(a, "key", r->key);
	}
	audit_end(a, backup_status_name(r->status), r->error);
	if ((path = audit_local_path(&cause)) == NULL ||
	    audit_append_local(path, a, &cause) != 0) {
		log_warn("backup %s: the audit record was not written: %s",
		    r->id != NULL ? r->id : b->table, cause);
		free(cause);
	}
	free(path);
	if (b->read_only || b->s3 == NULL)
		return false;
	b->audit_op = audit_put_start(b->s3, a, backup_audit_done, b);
	return b->audit_op != NULL;
}

/*
 * Ends the backup once its status is known and nothing is in flight: the
 * lock is released, the audit record written, then done runs.
 */
void
backup_settle(struct backup *b)
{
	if (b->finishing || backup_busy(b) || b->res.status == BACKUP_RUNNING)
		return;
	b->ending = true;
	backup_cancel_timer(b, &b->progress_timer);
	backup_cancel_timer(b, &b->kick_export);
	backup_cancel_timer(b, &b->kick_upload);
	backup_cancel_timer(b, &b->start_timer);
	backup_cancel_timer(b, &b->report_timer);
	if (b->lock != NULL && lock_state(b->lock) == LOCK_HELD) {
		b->lock_wait = true;
		lock_release_start(b->lock, backup_unlock_done, b);
		return;
	}
	if (!b->audited) {
		b->audited = true;
		if (backup_audit(b))
			return;
	}
	b->finishing = true;
	if (b->res.status != BACKUP_COMPLETE && b->res.status !=
	    BACKUP_SKIPPED) {
		manifest_free(b->res.manifest);
		b->res.manifest = NULL;
	}
	b->finish_timer = loop_timer_add(b->loop, 0, backup_finish_timer, b);
}

void
backup_succeed(struct backup *b, enum backup_status status)
{
	if (b->failed || b->ending)
		return;
	b->res.status = status;
	backup_settle(b);
}

/* Records the first failure and stops everything in flight. */
void
backup_fail(struct backup *b, enum backup_status status, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg;

	/* the outcome is known: the lock's release and the audit finish */
	if (b->ending)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!b->failed) {
		b->failed = true;
		b->res.status = status;
		b->res.error = msg;
	} else
		free(msg);
	if (b->req != NULL)
		ch_req_cancel(b->req);
	if (b->export != NULL)
		ch_req_cancel(b->export);
	if (b->poll != NULL)
		ch_req_cancel(b->poll);
	if (b->up != NULL)
		s3_upload_cancel(b->up);
	if (b->op != NULL)
		s3_op_cancel(b->op);
	backup_settle(b);
}

void
backup_fail_ch(struct backup *b, const char *what, const struct ch_error *e)
{
	const char	*secrets[] = { b->access_key, b->secret_key };
	char		*msg;

	/* the server engine's statement holds the keys: never show them */
	msg = backup_sql_redact(e->message != NULL ? e->message : "unknown "
	    "error", secrets, nitems(secrets));
	if (e->code != 0)
		backup_fail(b, BACKUP_FAILED, "%s: ClickHouse error %d: %s",
		    what, e->code, msg);
	else
		backup_fail(b, BACKUP_FAILED, "%s: %s", what, msg);
	free(msg);
}

bool
backup_query_ok(struct backup *b, struct ch_req *req, const char *what,
    struct ch_result **res)
{
	const struct ch_error	*e = ch_req_error(req);

	b->req = NULL;
	if (res != NULL)
		*res = NULL;
	if (b->failed) {
		backup_settle(b);
		return false;
	}
	if (e->kind != CH_OK) {
		backup_fail_ch(b, what, e);
		return false;
	}
	if (res != NULL && (*res = ch_req_take_result(req)) == NULL) {
		backup_fail(b, BACKUP_FAILED, "%s: no result", what);
		return false;
	}
	return true;
}

void
backup_cancel(struct backup *b)
{
	backup_fail(b, BACKUP_FAILED, "cancelled");
}

void
backup_free(struct backup *b)
{
	if (b == NULL)
		return;
	if (b->finishing && b->finish_timer == NULL) {
		backup_destroy(b);	/* from the done callback */
		return;
	}
	b->freed = true;
	if (!b->finishing)
		backup_cancel(b);
}

const struct backup_result *
backup_result(const struct backup *b)
{
	return &b->res;
}

void
backup_take_result(struct backup *b, struct backup_result *out)
{
	*out = b->res;
	memset(&b->res, 0, sizeof b->res);
	b->res.status = out->status;
}

const struct backup_progress *
backup_progress(const struct backup *b)
{
	return &b->prog;
}

/* ---------------------------------------------------------------- start */

static void
backup_copy_opts(struct backup *b, const struct backup_opts *o)
{
	b->table = xstrdup(o->table != NULL ? o->table : "");
	b->time_column = o->time_column != NULL ? xstrdup(o->time_column) :
	    NULL;
	b->tz_opt = o->tz != NULL ? xstrdup(o->tz) : NULL;
	b->created_by = o->created_by != NULL ? xstrdup(o->created_by) :
	    util_user_at_host();
	b->chops_version = xstrdup(o->chops_version != NULL ?
	    o->chops_version : PACKAGE_VERSION);
	b->access_key = xstrdup(o->s3_access_key != NULL ? o->s3_access_key :
	    "");
	b->secret_key = xstrdup(o->s3_secret_key != NULL ? o->s3_secret_key :
	    "");
	b->spec = o->period;
	b->engine = o->engine;
	b->format = o->format;
	b->compression = o->compression;
	b->level = o->level;
	b->workers = o->workers;
	b->force = o->force;
	b->read_only = o->read_only;
}

static bool
backup_text_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

/* Checks what can be checked before talking to anyone. */
static void
backup_check_opts(struct backup *b)
{
	char	*cause = NULL;
	int	 max = b->compression == CODEC_GZIP ? 9 : 19;

	if (b->read_only)
		backup_fail(b, BACKUP_REFUSED, "refused: read-only mode (a "
		    "backup writes to S3)");
	else if (sql_split_table(b->table, &b->db, &b->tbl, &cause) != 0)
		backup_fail(b, BACKUP_INVALID, "%s", cause);
	else if (b->db == NULL)
		backup_fail(b, BACKUP_INVALID, "table '%s': give it as "
		    "DB.TABLE", b->table);
	else if (b->time_column != NULL && (*b->time_column == '\0' ||
	    !backup_text_ok(b->time_column)))
		backup_fail(b, BACKUP_INVALID, "invalid time column name");
	else if (b->tz_opt != NULL && (*b->tz_opt == '\0' ||
	    strlen(b->tz_opt) > 64 || !backup_text_ok(b->tz_opt)))
		backup_fail(b, BACKUP_INVALID, "invalid timezone name");
	else if (b->level < 0 || b->level > max)
		backup_fail(b, BACKUP_INVALID, "compression level %d is not "
		    "in 1..%d", b->level, max);
	else if (b->engine == BACKUP_ENGINE_SERVER && (*b->access_key == '\0' ||
	    *b->secret_key == '\0'))
		backup_fail(b, BACKUP_INVALID, "the server engine needs the S3 "
		    "keys (the server signs its own requests)");
	free(cause);
}

static void
backup_start_timer(void *arg)
{
	struct backup	*b = arg;

	b->start_timer = NULL;
	backup_prep_start(b);
}

struct backup *
backup_start(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct backup_opts *o, backup_progress_fn progress,
    backup_done_fn done, void *arg)
{
	struct backup	*b;

	b = xcalloc(1, sizeof *b);
	b->loop = loop;
	b->ch = ch;
	b->s3 = s3;
	b->progress_fn = progress;
	b->done = done;
	b->arg = arg;
	b->started_ms = util_now_ms();
	backup_copy_opts(b, o);
	b->audit = audit_begin("backup", NULL);
	if (b->level == 0)
		b->level = 1;
	if (b->workers < 0) {
		b->workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
		if (b->workers > 8)
			b->workers = 8;
	}
	backup_check_opts(b);
	/* everything happens from the loop, never inside this call */
	if (!b->failed)
		b->start_timer = loop_timer_add(loop, 0, backup_start_timer,
		    b);
	return b;
}

/* ---------------------------------------------------------------- sync */

struct backup_wait {
	volatile int		 done;
	backup_progress_fn	 fn;
	void			*arg;
};

static void
backup_wait_progress(const struct backup_progress *p, void *arg)
{
	struct backup_wait	*w = arg;

	w->fn(p, w->arg);
}

static void
backup_wait_done(struct backup *b, void *arg)
{
	struct backup_wait	*w = arg;

	w->done = 1;
}

enum backup_status
backup_run(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct backup_opts *o, backup_progress_fn progress, void *arg,
    struct backup_result *out, const volatile int *cancel)
{
	struct backup_wait	 w = { 0, progress, arg };
	struct backup		*b;
	bool			 cancelled = false;

	b = backup_start(loop, ch, s3, o, progress != NULL ?
	    backup_wait_progress : NULL, backup_wait_done, &w);
	while (!w.done) {
		loop_once(loop, -1, 250);
		if (cancel != NULL && *cancel && !cancelled) {
			cancelled = true;
			backup_cancel(b);
		}
	}
	backup_take_result(b, out);
	backup_free(b);
	return out->status;
}

/* A chain of asynchronous steps (see job.h). */
#include "job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "loop.h"
#include "manifest.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#define JOB_BODY_MAX	(16 * 1024 * 1024)
#define JOB_WAIT_ROUNDS	100
#define JOB_WAIT_MS	100

void
job_init(struct job *j, struct loop *loop, struct ch_client *ch,
    struct s3_client *s3, void *owner)
{
	memset(j, 0, sizeof *j);
	j->loop = loop;
	j->ch = ch;
	j->s3 = s3;
	j->owner = owner;
}

static void
job_reset_outcome(struct job *j)
{
	j->failed = false;
	j->not_found = false;
	j->ch_code = 0;
	free(j->error);
	j->error = NULL;
	ch_result_free(j->res);
	j->res = NULL;
	buf_reset(&j->body);
	s3_head_info_clear(&j->info);
}

void
job_clear(struct job *j)
{
	free(j->wait_qid);
	j->wait_qid = NULL;
	job_reset_outcome(j);
	buf_free(&j->body);
	if (j->timer != NULL)
		loop_timer_cancel(j->loop, j->timer);
	j->timer = NULL;
}

bool
job_busy(const struct job *j)
{
	return j->req != NULL || j->op != NULL || j->lock_wait != NULL ||
	    j->timer != NULL;
}

void
job_cancel(struct job *j)
{
	j->cancelled = true;
	if (j->req != NULL)
		ch_req_cancel(j->req);
	if (j->op != NULL)
		s3_op_cancel(j->op);
}

/* Hands the outcome to the continuation. */
static void
job_continue(struct job *j)
{
	job_fn	cont = j->cont;

	j->cont = NULL;
	cont(j);
}

static void
job_timer(void *arg)
{
	struct job	*j = arg;

	j->timer = NULL;
	job_continue(j);
}

void
job_defer(struct job *j, job_fn cont)
{
	j->cont = cont;
	j->timer = loop_timer_add(j->loop, 0, job_timer, j);
}

/* ---------------------------------------------------------------- CH */

static void
job_ch_done(struct ch_req *req, void *arg)
{
	struct job		*j = arg;
	const struct ch_error	*e = ch_req_error(req);

	j->req = NULL;
	if (e->kind != CH_OK) {
		j->failed = true;
		j->ch_code = e->code;
		j->error = xstrdup(e->message != NULL ? e->message :
		    ch_errkind_name(e->kind));
	} else
		j->res = ch_req_take_result(req);
	job_continue(j);
}

void
job_exec(struct job *j, const char *sql, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->req = ch_exec_start(j->ch, sql, NULL, job_ch_done, j);
}

void
job_query(struct job *j, const char *sql, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->req = ch_query_start(j->ch, sql, NULL, job_ch_done, j);
}

const char *
job_cell(const struct job *j, size_t row, size_t col)
{
	if (j->res == NULL)
		return NULL;
	return ch_result_str(j->res, row, col);
}

static void	job_wait_poll(struct job *);

static void
job_wait_polled(struct job *j)
{
	const char	*n = job_cell(j, 0, 0);

	if (!j->failed && n != NULL && strcmp(n, "0") != 0 &&
	    ++j->wait_rounds < JOB_WAIT_ROUNDS) {
		j->cont = job_wait_poll;
		j->timer = loop_timer_add(j->loop, JOB_WAIT_MS, job_timer, j);
		return;
	}
	if (!j->failed && (n == NULL || strcmp(n, "0") != 0)) {
		j->failed = true;
		free(j->error);
		j->error = xasprintf("query %s is still running", j->wait_qid);
	}
	j->cont = j->wait_cont;
	job_continue(j);
}

static void
job_wait_poll(struct job *j)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	sql_appendf(&sql, &cause, "SELECT count() FROM system.processes "
	    "WHERE query_id = %S", j->wait_qid);
	job_query(j, buf_str(&sql), job_wait_polled);
	buf_free(&sql);
}

void
job_wait_gone(struct job *j, const char *query_id, job_fn cont)
{
	free(j->wait_qid);
	j->wait_qid = xstrdup(query_id);
	j->wait_rounds = 0;
	j->wait_cont = cont;
	job_wait_poll(j);
}

/* ---------------------------------------------------------------- S3 */

static void
job_s3_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct job			*j = arg;
	const struct s3_head_info	*hi = s3_op_info(op);

	j->op = NULL;
	if (e != NULL) {
		j->failed = true;
		j->not_found = s3_error_not_found(e);
		j->error = xstrdup(e->message != NULL ? e->message : "failed");
	} else {
		j->info.size = hi->size;
		j->info.mtime_ms = hi->mtime_ms;
		j->info.etag = hi->etag != NULL ? xstrdup(hi->etag) : NULL;
	}
	s3_op_free(op);
	job_continue(j);
}

static size_t
job_sink(void *arg, const char *data, size_t len)
{
	struct job	*j = arg;

	if (j->body.len + len > JOB_BODY_MAX)
		return 0;
	buf_add(&j->body, data, len);
	return len;
}

void
job_get(struct job *j, const char *key, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->op = s3_get_start(j->s3, key, 0, 0, job_sink, j, job_s3_done, j);
}

void
job_head(struct job *j, const char *key, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->op = s3_head_start(j->s3, key, job_s3_done, j);
}

void
job_put(struct job *j, const char *key, const char *text, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->op = s3_put_start(j->s3, key, text, strlen(text), NULL,
	    job_s3_done, j);
}

/* ---------------------------------------------------------------- locks */

static void
job_lock_done(struct lock *lk, void *arg)
{
	struct job	*j = arg;

	j->lock_wait = NULL;
	job_continue(j);
}

void
job_lock(struct job *j, struct lock *lk, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->lock_wait = lk;
	lock_acquire_start(lk, job_lock_done, j);
}

void
job_unlock(struct job *j, struct lock *lk, job_fn cont)
{
	job_reset_outcome(j);
	j->cont = cont;
	j->lock_wait = lk;
	lock_release_start(lk, job_lock_done, j);
}

/* ---------------------------------------------------------------- misc */

struct manifest *
job_manifest(struct job *j, const char *id, const char *key, char **cause)
{
	struct manifest	*m = NULL;

	if (manifest_parse(j->body.data != NULL ? j->body.data : "",
	    j->body.len, key, &m, cause) != 0)
		return NULL;
	if (strcmp(m->id, id) != 0) {
		*cause = xasprintf("the manifest of %s describes %s", id,
		    m->id);
		manifest_free(m);
		return NULL;
	}
	return m;
}

char *
job_prefix(struct s3_client *s3)
{
	return s3_key(s3, "");
}

void
job_unique(char *out, size_t size)
{
	unsigned short	r = 0;
	time_t		t = time(NULL);
	struct tm	tm;
	char		stamp[20];

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned short)(util_now_ms() & 0xffff);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	snprintf(out, size, "%s_%ld_%04x", stamp, (long)getpid(), r);
}

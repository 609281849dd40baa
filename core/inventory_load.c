/*
 * Loading an inventory on the event loop: one streaming listing under the
 * prefix (or the table's directory), then the manifests and newest verify
 * records inventory_plan() picked, a few GETs at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "loop.h"
#include "s3.h"
#include "xmalloc.h"

/* Manifests and verify records are small; anything bigger is not one. */
#define INV_DOC_MAX	(4 * 1024 * 1024)

struct inv_job {
	struct inventory_op	*op;
	struct inv_backup	*bk;
	bool			 verify;	/* a record, not a manifest */
	struct s3_op		*s3op;
	struct buf		 body;
};

struct inventory_op {
	struct s3_client	*s3;
	struct inventory	*inv;
	enum inv_fetch		 fetch;
	int			 parallel;
	inventory_done_fn	 done;
	void			*arg;
	struct s3_op		*list;
	struct inv_job		*jobs;
	size_t			 n_jobs;
	size_t			 next;		/* first job not started */
	int			 running;
	char			*error;
	bool			 cancelled;
	bool			 freed;
	bool			 finished;
};

static void	inv_pump(struct inventory_op *);

static void
inv_destroy(struct inventory_op *op)
{
	size_t	i;

	for (i = 0; i < op->n_jobs; i++)
		buf_free(&op->jobs[i].body);
	free(op->jobs);
	free(op->error);
	inventory_free(op->inv);
	free(op);
}

/* Ends the operation once nothing is in flight. */
static void
inv_settle(struct inventory_op *op)
{
	if (op->finished || op->list != NULL || op->running > 0)
		return;
	if (op->error == NULL && !op->cancelled && op->next < op->n_jobs)
		return;
	op->finished = true;
	if (op->freed) {
		inv_destroy(op);
		return;
	}
	if (op->error == NULL && op->cancelled)
		op->error = xstrdup("cancelled");
	if (op->error == NULL)
		inventory_finish(op->inv);
	op->done(op, op->error, op->arg);
}

static size_t
inv_job_sink(void *arg, const char *data, size_t len)
{
	struct inv_job	*job = arg;

	if (job->body.len + len > INV_DOC_MAX)
		return 0;
	buf_add(&job->body, data, len);
	return len;
}

static void
inv_job_done(struct s3_op *s3op, const struct s3_error *e, void *arg)
{
	struct inv_job		*job = arg;
	struct inventory_op	*op = job->op;
	struct inv_backup	*bk = job->bk;

	s3_op_free(s3op);
	job->s3op = NULL;
	op->running--;
	if (e != NULL && !op->cancelled) {
		op->inv->n_fetch_errors++;
		if (bk->problem == NULL)
			bk->problem = xasprintf("not read: %s", e->message);
	} else if (e == NULL && job->verify)
		inventory_set_verify(bk, buf_str(&job->body), job->body.len);
	else if (e == NULL)
		inventory_set_manifest(bk, buf_str(&job->body), job->body.len);
	buf_free(&job->body);
	if (!op->cancelled)
		inv_pump(op);
	inv_settle(op);
}

static void
inv_pump(struct inventory_op *op)
{
	struct inv_job	*job;

	while (op->running < op->parallel && op->next < op->n_jobs) {
		job = &op->jobs[op->next++];
		op->running++;
		job->s3op = s3_get_start(op->s3, job->verify ?
		    job->bk->verify_key : job->bk->manifest_key, 0, 0,
		    inv_job_sink, job, inv_job_done, job);
	}
}

static void
inv_add_job(struct inventory_op *op, struct inv_backup *bk, bool verify)
{
	struct inv_job	*job;

	op->jobs = xreallocarray(op->jobs, op->n_jobs + 1, sizeof *op->jobs);
	job = &op->jobs[op->n_jobs++];
	memset(job, 0, sizeof *job);
	job->op = op;
	job->bk = bk;
	job->verify = verify;
}

/* The jobs inventory_plan asked for; the array is complete before use. */
static void
inv_plan_jobs(struct inventory_op *op)
{
	struct inventory	*inv = op->inv;
	struct inv_backup	*bk;
	size_t			 i, j;

	inventory_plan(inv, op->fetch);
	for (i = 0; i < inv->n_tables; i++) {
		for (j = 0; j < inv->tables[i].n_backups; j++) {
			bk = inv->tables[i].backups[j];
			if (!bk->fetch)
				continue;
			inv_add_job(op, bk, false);
			if (bk->verify_key != NULL)
				inv_add_job(op, bk, true);
		}
	}
}

static int
inv_list_item(void *arg, const struct s3_item *it)
{
	struct inventory_op	*op = arg;

	inventory_add(op->inv, it);
	return 0;
}

static void
inv_list_done(struct s3_op *s3op, const struct s3_error *e, void *arg)
{
	struct inventory_op	*op = arg;

	s3_op_free(s3op);
	op->list = NULL;
	if (e != NULL && !op->cancelled)
		op->error = xasprintf("listing the bucket: %s", e->message);
	if (op->error == NULL && !op->cancelled) {
		inv_plan_jobs(op);
		inv_pump(op);
	}
	inv_settle(op);
}

struct inventory_op *
inventory_start(struct s3_client *s3, const struct inventory_opts *o,
    inventory_done_fn done, void *arg)
{
	struct inventory_op	*op;
	struct s3_list_opts	 lo;
	char			*prefix, *rel;

	op = xcalloc(1, sizeof *op);
	op->s3 = s3;
	op->fetch = o->fetch;
	op->parallel = o->parallel > 0 ? o->parallel : 8;
	op->done = done;
	op->arg = arg;
	prefix = s3_key(s3, "");
	op->inv = inventory_new(prefix, &o->today);
	/* one table: only its directory ("db.t/", not "db.t2/") */
	rel = o->table != NULL ? xasprintf("%s/", o->table) : xstrdup("");
	free(prefix);
	prefix = s3_key(s3, rel);
	free(rel);
	memset(&lo, 0, sizeof lo);
	lo.prefix = prefix;
	op->list = s3_list_start(s3, &lo, inv_list_item, op, inv_list_done,
	    op);
	free(prefix);
	return op;
}

void
inventory_cancel(struct inventory_op *op)
{
	size_t	i;

	if (op->finished || op->cancelled)
		return;
	op->cancelled = true;
	if (op->list != NULL)
		s3_op_cancel(op->list);
	for (i = 0; i < op->next; i++) {
		if (op->jobs[i].s3op != NULL)
			s3_op_cancel(op->jobs[i].s3op);
	}
}

void
inventory_op_free(struct inventory_op *op)
{
	if (op == NULL)
		return;
	if (op->finished) {
		inv_destroy(op);
		return;
	}
	op->freed = true;
	inventory_cancel(op);
}

struct inventory *
inventory_take(struct inventory_op *op)
{
	struct inventory	*inv = op->inv;

	if (!op->finished || op->error != NULL)
		return NULL;
	op->inv = NULL;
	return inv;
}

struct inv_wait {
	volatile int	 done;
	char		*error;
};

static void
inv_wait_done(struct inventory_op *op, const char *error, void *arg)
{
	struct inv_wait	*w = arg;

	if (error != NULL)
		w->error = xstrdup(error);
	w->done = 1;
}

int
inventory_load(struct loop *loop, struct s3_client *s3,
    const struct inventory_opts *o, struct inventory **out, char **cause)
{
	struct inv_wait		 w = { 0, NULL };
	struct inventory_op	*op;

	*out = NULL;
	op = inventory_start(s3, o, inv_wait_done, &w);
	loop_run_until(loop, (const volatile int *)&w.done);
	if (w.error != NULL) {
		*cause = w.error;
		inventory_op_free(op);
		return -1;
	}
	*out = inventory_take(op);
	inventory_op_free(op);
	return 0;
}

/*
 * The part of a restore that moves data: the staging table is created,
 * loaded and checked; then its partitions replace or join the target's.
 */
#include "restore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "restore_sql.h"
#include "util.h"
#include "xmalloc.h"

#define RESTORE_PROGRESS_MS	500

static void
rs_create_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "creating %s: %s", r->res.staging,
		    j->error);
		return;
	}
	r->staging_created = true;
	rs_next(r);
}

void
rs_create(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	rs_phase(r, "staging");
	if (rsql_create_like(&sql, r->res.staging, r->m->table,
	    r->m->create_table, &cause) != 0) {
		rs_fail(r, RESTORE_REFUSED, "refused: %s", cause);
		free(cause);
		buf_free(&sql);
		return;
	}
	rs_exec(r, &sql, 0, NULL, rs_create_done);
}

/* ---------------------------------------------------------------- load */

static void
rs_progress_timer(void *arg)
{
	struct restore	*r = arg;

	r->progress_timer = NULL;
	if (r->load == NULL)
		return;
	load_progress(r->load, &r->prog.load);
	if (r->progress != NULL)
		r->progress(&r->prog, r->arg);
	r->progress_timer = loop_timer_add(r->job.loop, RESTORE_PROGRESS_MS,
	    rs_progress_timer, r);
}

static void
rs_load_done(struct load *ld, void *arg)
{
	struct restore	*r = arg;
	enum load_status st = load_status(ld);
	char		*error = xstrdup(load_error(ld) != NULL ?
			    load_error(ld) : "failed");

	load_progress(ld, &r->prog.load);
	if (st != LOAD_OK && load_query_id(ld) != NULL)
		r->import_qid = xstrdup(load_query_id(ld));
	load_free(ld);
	r->load = NULL;
	if (r->progress_timer != NULL)
		loop_timer_cancel(r->job.loop, r->progress_timer);
	r->progress_timer = NULL;
	if (st == LOAD_OK)
		rs_next(r);
	else if (st == LOAD_CORRUPT)
		rs_fail(r, RESTORE_FAILED, "the backup is damaged: %s; %s was "
		    "not changed", error, r->res.target);
	else
		rs_fail(r, RESTORE_FAILED, "loading the backup: %s; %s was "
		    "not changed", error, r->res.target);
	free(error);
}

void
rs_load(struct restore *r)
{
	rs_phase(r, "loading");
	r->load = load_start(r->job.loop, r->job.s3, r->job.ch, r->m,
	    r->res.staging, rs_load_done, r);
	r->progress_timer = loop_timer_add(r->job.loop, RESTORE_PROGRESS_MS,
	    rs_progress_timer, r);
}

/* ---------------------------------------------------------------- check */

static int
rs_counts(struct job *j, uint64_t *rows, char **sum)
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
rs_count_done(struct job *j)
{
	struct restore		*r = j->owner;
	struct restore_result	*res = &r->res;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	if (rs_counts(j, &res->rows, &res->checksum) != 0) {
		rs_fail(r, RESTORE_FAILED, "counting %s: unexpected answer",
		    res->staging);
		return;
	}
	if (res->rows != r->m->rows || strcmp(res->checksum,
	    r->m->checksum) != 0)
		rs_fail(r, RESTORE_FAILED, "the staging table %s holds %llu "
		    "rows with checksum %s, the manifest says %llu rows with "
		    "checksum %s: %s was not changed", res->staging,
		    (unsigned long long)res->rows, res->checksum,
		    (unsigned long long)r->m->rows, r->m->checksum,
		    res->target);
	else
		rs_next(r);
}

void
rs_count(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	rs_phase(r, "checking");
	rc = rsql_checksum(&sql, r->res.staging, r->m->columns,
	    r->m->n_columns, &cause);
	rs_query(r, &sql, rc, cause, rs_count_done);
}

static void
rs_staging_parts_done(struct job *j)
{
	struct restore		*r = j->owner;
	struct restore_part	*p;
	size_t			 i, n = j->res != NULL ? j->res->nrows : 0;
	const char		*id, *rows;
	unsigned long long	 v;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((id = job_cell(j, i, 0)) == NULL ||
		    (rows = job_cell(j, i, 1)) == NULL)
			continue;
		p = rs_part(r, id, r->mode == RESTORE_APPEND);
		if (p == NULL) {
			rs_fail(r, RESTORE_FAILED, "the staging table %s has "
			    "rows in partition %s, outside the backup's range: "
			    "%s was not changed", r->res.staging, id,
			    r->res.target);
			return;
		}
		if (util_strtoull(rows, strlen(rows), &v) == 0)
			p->backup_rows = v;
	}
	r->prog.parts_total = r->res.n_parts;
	rs_next(r);
}

void
rs_staging_parts(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode == RESTORE_STAGING) {
		rs_next(r);
		return;
	}
	rc = rsql_parts(&sql, r->res.staging, &cause);
	rs_query(r, &sql, rc, cause, rs_staging_parts_done);
}

/* ---------------------------------------------------------------- apply */

/* "20261127, 20261128" of the partitions done (caller frees). */
static char *
rs_done_list(const struct restore *r, size_t *n)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	*n = 0;
	for (i = 0; i < r->res.n_parts; i++) {
		if (!r->res.parts[i].done)
			continue;
		buf_printf(&b, "%s%s", *n > 0 ? ", " : "", r->res.parts[i].id);
		(*n)++;
	}
	return buf_detach(&b);
}

static void
rs_apply_done(struct job *j)
{
	struct restore		*r = j->owner;
	struct restore_part	*p = &r->res.parts[r->apply_next];
	char			*list;
	size_t			 n;

	if (j->failed) {
		list = rs_done_list(r, &n);
		rs_fail(r, RESTORE_FAILED, "%s partition %s of %s: %s; %s%s",
		    r->mode == RESTORE_REPLACE ? "replacing" : "attaching",
		    p->id, r->res.target, j->error, n == 0 ? "the target was "
		    "not changed" : "partitions already done, each one whole: ",
		    list);
		free(list);
		return;
	}
	p->done = true;
	r->res.target_touched = true;
	r->prog.parts_done++;
	r->apply_next++;
	rs_apply(r);
}

void
rs_apply(struct restore *r)
{
	struct restore_part	*p;
	struct buf		 sql = BUF_INIT;
	char			*cause = NULL, *list;
	size_t			 n;
	int			 rc;

	if (r->mode == RESTORE_STAGING || r->apply_next >= r->res.n_parts) {
		rs_next(r);
		return;
	}
	if (r->job.cancelled) {
		list = rs_done_list(r, &n);
		rs_fail(r, RESTORE_FAILED, "cancelled%s%s", n > 0 ?
		    " after these partitions (each one whole): " :
		    " before the target was changed", list);
		free(list);
		return;
	}
	if (r->apply_next == 0)
		rs_phase(r, r->mode == RESTORE_REPLACE ? "replacing" :
		    "attaching");
	p = &r->res.parts[r->apply_next];
	if (r->mode == RESTORE_REPLACE)
		rc = rsql_replace_partition(&sql, r->res.target, p->id,
		    r->res.staging, &cause);
	else
		rc = rsql_attach_partition(&sql, r->res.target, p->id,
		    r->res.staging, &cause);
	rs_exec(r, &sql, rc, cause, rs_apply_done);
}

/* ---------------------------------------------------------------- after */

static void
rs_postcheck_done(struct job *j)
{
	struct restore	*r = j->owner;
	uint64_t	 rows;
	char		*sum = NULL, *w;

	if (j->failed)
		rs_warn(r, "the check after the restore failed", j->error);
	else if (rs_counts(j, &rows, &sum) == 0 && (rows != r->m->rows ||
	    strcmp(sum, r->m->checksum) != 0)) {
		w = xasprintf("the range now holds %llu rows (checksum %s), "
		    "the backup %llu (%s): were rows written meanwhile?",
		    (unsigned long long)rows, sum,
		    (unsigned long long)r->m->rows, r->m->checksum);
		rs_warn(r, "after the restore", w);
		free(w);
	}
	free(sum);
	rs_next(r);
}

/* The target's range must now hold exactly the backup's rows. */
void
rs_postcheck(struct restore *r)
{
	struct buf	 sql = BUF_INIT, where = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode != RESTORE_REPLACE) {
		rs_next(r);
		return;
	}
	rc = backup_sql_where(&where, r->m->time_column, r->time_kind,
	    r->m->from, r->m->to, r->m->timezone, &cause);
	if (rc == 0)
		rc = backup_sql_checksum(&sql, r->res.target, r->m->columns,
		    r->m->n_columns, buf_str(&where), &cause);
	buf_free(&where);
	rs_query(r, &sql, rc, cause, rs_postcheck_done);
}

static void
rs_drop_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_warn(r, "the staging table was not dropped", j->error);
	else
		r->staging_created = false;
	rs_next(r);
}

void
rs_drop_staging(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode == RESTORE_STAGING) {
		r->res.staging_kept = true;
		rs_next(r);
		return;
	}
	rc = rsql_drop(&sql, r->res.staging, &cause);
	rs_exec(r, &sql, rc, cause, rs_drop_done);
}

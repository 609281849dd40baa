/*
 * Before a restore loads anything: the target's schema against the
 * backup's (through a probe table created from the manifest), which
 * partitions the backup's range covers, and the plan shown to people.
 */
#include "restore_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "restore_sql.h"
#include "util.h"
#include "xmalloc.h"

static bool
rs_changes_target(const struct restore *r)
{
	return r->mode != RESTORE_STAGING;
}

/* ---------------------------------------------------------------- shapes */

static void
rs_shape_keys(struct job *j, struct rs_shape *s)
{
	const char	*v;

	free(s->engine);
	free(s->partition_key);
	free(s->sorting_key);
	free(s->primary_key);
	s->engine = xstrdup((v = job_cell(j, 0, 0)) != NULL ? v : "");
	s->partition_key = xstrdup((v = job_cell(j, 0, 1)) != NULL ? v : "");
	s->sorting_key = xstrdup((v = job_cell(j, 0, 2)) != NULL ? v : "");
	s->primary_key = xstrdup((v = job_cell(j, 0, 3)) != NULL ? v : "");
}

static void
rs_shape_cols(struct job *j, struct rs_shape *s)
{
	size_t		 i, n = j->res != NULL ? j->res->nrows : 0;
	const char	*name, *type;

	for (i = 0; i < n; i++) {
		name = job_cell(j, i, 0);
		type = job_cell(j, i, 1);
		if (name == NULL || type == NULL)
			continue;
		s->cols = xreallocarray(s->cols, s->n_cols + 1,
		    sizeof *s->cols);
		s->cols[s->n_cols].name = xstrdup(name);
		s->cols[s->n_cols++].type = xstrdup(type);
	}
}

static const char *
rs_engine_family(const char *engine)
{
	return strncmp(engine, "Replicated", 10) == 0 ? engine + 10 : engine;
}

/* What differs between the target and the backup's schema, or NULL. */
static char *
rs_shape_diff(const struct rs_shape *t, const struct rs_shape *b)
{
	size_t	i;

	for (i = 0; i < t->n_cols && i < b->n_cols; i++) {
		if (strcmp(t->cols[i].name, b->cols[i].name) != 0 ||
		    strcmp(t->cols[i].type, b->cols[i].type) != 0)
			return xasprintf("column %zu is %s %s in the table, %s "
			    "%s in the backup", i + 1, t->cols[i].name,
			    t->cols[i].type, b->cols[i].name, b->cols[i].type);
	}
	if (t->n_cols != b->n_cols)
		return xasprintf("the table has %zu columns, the backup %zu",
		    t->n_cols, b->n_cols);
	if (strcmp(t->partition_key, b->partition_key) != 0)
		return xasprintf("PARTITION BY is '%s' in the table, '%s' in "
		    "the backup", t->partition_key, b->partition_key);
	if (strcmp(t->sorting_key, b->sorting_key) != 0 ||
	    strcmp(t->primary_key, b->primary_key) != 0)
		return xasprintf("ORDER BY / PRIMARY KEY differ ('%s' in the "
		    "table, '%s' in the backup)", t->sorting_key,
		    b->sorting_key);
	if (strcmp(rs_engine_family(t->engine),
	    rs_engine_family(b->engine)) != 0)
		return xasprintf("the engine is %s in the table, %s in the "
		    "backup", t->engine, b->engine);
	return NULL;
}

/* ---------------------------------------------------------------- target */

static void
rs_target_info_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
	else if (j->res == NULL || j->res->nrows == 0)
		rs_fail(r, RESTORE_REFUSED, "refused: the target table %s does "
		    "not exist: restore it with --mode staging --into %s, or "
		    "create it first", r->res.target, r->res.target);
	else {
		rs_shape_keys(j, &r->target);
		rs_next(r);
	}
}

void
rs_target_info(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	rs_phase(r, "checking");
	rc = rsql_table_info(&sql, r->res.target, &cause);
	rs_query(r, &sql, rc, cause, rs_target_info_done);
}

static void
rs_cols_done(struct job *j)
{
	struct restore	*r = j->owner;
	struct rs_shape	*s = r->step == RS_TARGET_COLS ? &r->target :
			    &r->probe_shape;
	char		*diff;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	rs_shape_cols(j, s);
	if (r->step == RS_PROBE_COLS &&
	    (diff = rs_shape_diff(&r->target, &r->probe_shape)) != NULL) {
		rs_fail(r, RESTORE_REFUSED, "refused: %s changed since the "
		    "backup: %s; restore with --mode staging and move the rows "
		    "yourself", r->res.target, diff);
		free(diff);
		return;
	}
	rs_next(r);
}

void
rs_target_cols(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	rc = rsql_columns(&sql, r->res.target, &cause);
	rs_query(r, &sql, rc, cause, rs_cols_done);
}

static void
rs_staging_free_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
	else if (j->res != NULL && j->res->nrows > 0)
		rs_fail(r, RESTORE_REFUSED, "refused: the staging table %s "
		    "already exists: name another with --into, or drop it",
		    r->res.staging);
	else
		rs_next(r);
}

void
rs_staging_free(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	rc = rsql_table_info(&sql, r->res.staging, &cause);
	rs_query(r, &sql, rc, cause, rs_staging_free_done);
}

/* ---------------------------------------------------------------- probe */

static void
rs_ddl_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	if (r->step == RS_PROBE_CREATE)
		r->probe_created = true;
	else if (r->step == RS_PROBE_DROP)
		r->probe_created = false;
	rs_next(r);
}

void
rs_scratch_db(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	rc = rsql_create_scratch_db(&sql, &cause);
	rs_exec(r, &sql, rc, cause, rs_ddl_done);
}

void
rs_probe_create(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		 uniq[48], *cause = NULL;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	job_unique(uniq, sizeof uniq);
	r->probe = xasprintf("%s.probe_%s", RSQL_SCRATCH_DB, uniq);
	if (rsql_create_like(&sql, r->probe, r->m->table,
	    r->m->create_table, &cause) != 0) {
		rs_fail(r, RESTORE_REFUSED, "refused: %s", cause);
		free(cause);
		buf_free(&sql);
		return;
	}
	rs_exec(r, &sql, 0, NULL, rs_ddl_done);
}

static void
rs_probe_info_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed || j->res == NULL || j->res->nrows == 0) {
		rs_fail(r, RESTORE_FAILED, "%s: %s", r->probe, j->failed ?
		    j->error : "not found after CREATE");
		return;
	}
	rs_shape_keys(j, &r->probe_shape);
	rs_next(r);
}

void
rs_probe_info(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	rc = rsql_table_info(&sql, r->probe, &cause);
	rs_query(r, &sql, rc, cause, rs_probe_info_done);
}

void
rs_probe_cols(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!rs_changes_target(r)) {
		rs_next(r);
		return;
	}
	rc = rsql_columns(&sql, r->probe, &cause);
	rs_query(r, &sql, rc, cause, rs_cols_done);
}

/* ---------------------------------------------------------------- coverage */

static int
rs_cell_i64(struct job *j, size_t row, size_t col, int64_t *out)
{
	const char	*v = job_cell(j, row, col);
	long long	 n;

	if (v == NULL || util_strtoll(v, strlen(v), &n) != 0)
		return -1;
	*out = n;
	return 0;
}

static void
rs_days_done(struct job *j)
{
	struct restore	*r = j->owner;

	if (j->failed)
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
	else if (rs_cell_i64(j, 0, 0, &r->lo) != 0 ||
	    rs_cell_i64(j, 0, 1, &r->hi) != 0 || r->hi <= r->lo)
		rs_fail(r, RESTORE_FAILED, "the backup's range in days: "
		    "unexpected answer");
	else
		rs_next(r);
}

/* Is the partition key one chops can reason about; the range it sees. */
void
rs_days(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode != RESTORE_REPLACE) {
		rs_next(r);
		return;
	}
	if (r->time_kind == BACKUP_TIME_NONE) {
		rs_fail(r, RESTORE_REFUSED, "refused: the backup's time column "
		    "%s is not a Date or DateTime column", r->m->time_column);
		return;
	}
	if (rsql_partition_ok(r->target.partition_key, r->m->time_column,
	    r->time_kind, &cause) != 0) {
		rs_fail(r, RESTORE_REFUSED, "refused: %s; restore with --mode "
		    "staging or append instead", cause);
		free(cause);
		return;
	}
	rs_phase(r, "partitions");
	if (r->time_kind == BACKUP_TIME_DATETIME) {
		r->lo = r->m->from;
		r->hi = r->m->to;
		rs_next(r);
		return;
	}
	rc = rsql_day_numbers(&sql, r->m->from, r->m->to, r->m->timezone,
	    &cause);
	rs_query(r, &sql, rc, cause, rs_days_done);
}

void
rs_probe_insert(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode != RESTORE_REPLACE) {
		rs_next(r);
		return;
	}
	rc = rsql_probe_insert(&sql, r->probe, r->m->time_column,
	    r->time_kind, r->lo, r->hi, &cause);
	rs_exec(r, &sql, rc, cause, rs_ddl_done);
}

/* "p1, p2, ... (and N more)" */
static void
rs_list_add(struct buf *b, size_t *n, const char *id)
{
	if (*n < 10)
		buf_printf(b, "%s%s", *n > 0 ? ", " : "", id);
	else if (*n == 10)
		buf_addstr(b, ", ...");
	(*n)++;
}

static void
rs_extents_done(struct job *j)
{
	struct restore	*r = j->owner;
	struct buf	 partial = BUF_INIT;
	size_t		 i, n = j->res != NULL ? j->res->nrows : 0, bad = 0;
	int64_t		 lo, hi;
	const char	*id;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((id = job_cell(j, i, 0)) == NULL ||
		    rs_cell_i64(j, i, 1, &lo) != 0 ||
		    rs_cell_i64(j, i, 2, &hi) != 0)
			continue;
		if (hi < r->lo || lo >= r->hi)
			continue;	/* only the probes outside the range */
		if (lo >= r->lo && hi < r->hi)
			rs_part(r, id, true);
		else
			rs_list_add(&partial, &bad, id);
	}
	if (bad > 0)
		rs_fail(r, RESTORE_REFUSED, "refused: the backup covers only "
		    "part of partition%s %s of %s (PARTITION BY %s): replacing "
		    "%s would delete rows the backup does not hold; restore "
		    "with --mode staging or append instead", bad > 1 ? "s" : "",
		    buf_str(&partial), r->res.target, r->target.partition_key,
		    bad > 1 ? "them" : "it");
	else if (r->res.n_parts == 0)
		rs_fail(r, RESTORE_FAILED, "no partition of %s falls in the "
		    "backup's range", r->res.target);
	else
		rs_next(r);
	buf_free(&partial);
}

void
rs_probe_extents(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode != RESTORE_REPLACE) {
		rs_next(r);
		return;
	}
	rc = rsql_probe_extents(&sql, r->probe, r->time_kind, &cause);
	rs_query(r, &sql, rc, cause, rs_extents_done);
}

void
rs_probe_drop(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (!r->probe_created) {
		rs_next(r);
		return;
	}
	rc = rsql_drop(&sql, r->probe, &cause);
	rs_exec(r, &sql, rc, cause, rs_ddl_done);
}

/* ---------------------------------------------------------------- plan */

static void
rs_target_parts_done(struct job *j)
{
	struct restore		*r = j->owner;
	struct restore_part	*p;
	size_t			 i, n = j->res != NULL ? j->res->nrows : 0;
	int64_t			 rows;

	if (j->failed) {
		rs_fail(r, RESTORE_FAILED, "%s", j->error);
		return;
	}
	for (i = 0; i < n; i++) {
		if (job_cell(j, i, 0) == NULL ||
		    (p = rs_part(r, job_cell(j, i, 0), false)) == NULL)
			continue;
		if (rs_cell_i64(j, i, 1, &rows) == 0)
			p->target_rows = (uint64_t)rows;
	}
	rs_next(r);
}

void
rs_target_parts(struct restore *r)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	if (r->mode != RESTORE_REPLACE) {
		rs_next(r);
		return;
	}
	rc = rsql_parts(&sql, r->res.target, &cause);
	rs_query(r, &sql, rc, cause, rs_target_parts_done);
}

static void
rs_plan_text(struct restore *r, struct buf *b)
{
	const struct manifest	*m = r->m;
	char			 from[32], to[32];
	size_t			 i;

	period_fmt_iso(from, sizeof from, m->from);
	period_fmt_iso(to, sizeof to, m->to);
	buf_printf(b, "backup %s: %llu rows of %s in [%s, %s)\n", r->id,
	    (unsigned long long)m->rows, m->table, from, to);
	buf_printf(b, "staging table %s: created from the backup's schema, "
	    "loaded, then checked against the manifest\n", r->res.staging);
	switch (r->mode) {
	case RESTORE_STAGING:
		buf_printf(b, "the target %s is not changed; the staging table "
		    "is kept\n", r->res.target);
		break;
	case RESTORE_APPEND:
		buf_printf(b, "then every partition of the staging table is "
		    "attached to %s (its rows are added; nothing is "
		    "replaced)\n", r->res.target);
		break;
	case RESTORE_REPLACE:
		buf_printf(b, "then, in %s, each partition below is replaced "
		    "by the backup's rows (atomically, one at a time):\n",
		    r->res.target);
		for (i = 0; i < r->res.n_parts; i++)
			buf_printf(b, "  partition %s: %llu rows now\n",
			    r->res.parts[i].id, (unsigned long long)
			    r->res.parts[i].target_rows);
		break;
	}
}

void
rs_plan(struct restore *r)
{
	struct buf	b = BUF_INIT;

	rs_plan_text(r, &b);
	free(r->res.plan);
	r->res.plan = buf_detach(&b);
	if (r->plan_only) {
		r->res.status = RESTORE_PLANNED;
		r->step = RS_CLEAN_PROBE - 1;
		rs_next(r);
	} else if (r->mode != RESTORE_STAGING && !r->confirmed)
		rs_fail(r, RESTORE_REFUSED, "refused: confirmation missing: "
		    "%s would change %s (run again with --yes)",
		    restore_mode_name(r->mode), r->res.target);
	else
		rs_next(r);
}

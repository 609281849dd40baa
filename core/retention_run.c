/*
 * Running a prune (retention.h): the tables concerned, their locks, the
 * inventory and every key listed, the partitions from system.parts, the
 * plan (retention.c), then the deletions and an audit record per table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup_sql.h"
#include "buf.h"
#include "clickhouse.h"
#include "lock.h"
#include "loop.h"
#include "retention.h"
#include "s3.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

struct ret_run {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	const struct ret_opts	*o;
	struct ret_plan		*plan;
	char			*prefix;
	char			**tables;
	size_t			 n_tables;
	struct lock		**locks;
	struct inventory	*inv;
	struct buf		 keys;		/* NUL-separated, sorted */
	const char		**keyv;
	size_t			 n_keys;
};

static enum ret_status
ret_fail(struct ret_run *r, enum ret_status st, char *msg)
{
	if (r->plan->error == NULL)
		r->plan->error = msg;
	else
		free(msg);
	return st;
}

static void
ret_add_table(struct ret_run *r, const char *name)
{
	size_t	i;

	if (r->o->table != NULL && strcmp(name, r->o->table) != 0)
		return;
	for (i = 0; i < r->n_tables; i++) {
		if (strcmp(r->tables[i], name) == 0)
			return;
	}
	r->tables = xreallocarray(r->tables, r->n_tables + 1,
	    sizeof *r->tables);
	r->tables[r->n_tables++] = xstrdup(name);
}

static int
ret_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The table's plan, with the operator's overrides; NULL: keep all. */
static const struct ret_policy *
ret_policy_of(const struct ret_opts *o, const char *table,
    struct ret_policy *buf)
{
	const struct ret_policy	*ov = o->override;
	size_t			 i;

	for (i = 0; i < o->n_policies; i++) {
		if (strcmp(o->policies[i].table, table) == 0)
			break;
	}
	if (i < o->n_policies)
		*buf = o->policies[i];
	else if (ov == NULL)
		return NULL;
	else {
		buf->keep_days = buf->keep_weeks = -1;
		buf->data_keep_days = 0;
	}
	buf->table = table;
	if (ov != NULL && ov->keep_days != RET_UNSET)
		buf->keep_days = ov->keep_days;
	if (ov != NULL && ov->keep_weeks != RET_UNSET)
		buf->keep_weeks = ov->keep_weeks;
	if (ov != NULL && ov->data_keep_days != RET_UNSET)
		buf->data_keep_days = ov->data_keep_days;
	return buf;
}

/* The tables concerned: those with backups, and with --data, policies'. */
static int
ret_find_tables(struct ret_run *r, enum inv_fetch fetch, char **cause)
{
	struct inventory_opts	 io = { 0 };
	struct ret_policy	 pol;
	size_t			 i;

	io.table = r->o->table;
	io.fetch = fetch;
	io.today = r->o->today;
	if (inventory_load(r->loop, r->s3, &io, &r->inv, cause) != 0)
		return -1;
	for (i = 0; i < r->inv->n_tables; i++)
		ret_add_table(r, r->inv->tables[i].name);
	for (i = 0; r->o->data && i < r->o->n_policies; i++) {
		if (ret_policy_of(r->o, r->o->policies[i].table,
		    &pol)->data_keep_days > 0)
			ret_add_table(r, r->o->policies[i].table);
	}
	if (r->o->table != NULL)
		ret_add_table(r, r->o->table);
	qsort(r->tables, r->n_tables, sizeof *r->tables, ret_cmp_str);
	return 0;
}

/* Locks every table, in order; all or none. */
static enum ret_status
ret_lock(struct ret_run *r)
{
	struct lock_opts	 lo = { 0 };
	size_t			 i;
	int			 rc;
	char			*key;

	r->locks = xcalloc(r->n_tables + 1, sizeof *r->locks);
	lo.operation = "prune";
	lo.holder = r->o->who;
	for (i = 0; i < r->n_tables; i++) {
		lo.target = r->tables[i];
		key = lock_key_table(r->s3, r->tables[i]);
		r->locks[i] = lock_new(r->loop, r->s3, key, &lo);
		free(key);
		if ((rc = lock_acquire(r->locks[i])) == 0)
			continue;
		return ret_fail(r, rc > 0 ? RET_REFUSED : RET_FAILED,
		    xasprintf("%s%s: %s", rc > 0 ? "refused: " : "",
		    r->tables[i], lock_message(r->locks[i]) != NULL ?
		    lock_message(r->locks[i]) : "lock failed"));
	}
	return RET_OK;
}

static void
ret_unlock(struct ret_run *r)
{
	size_t	i;

	for (i = 0; r->locks != NULL && r->locks[i] != NULL; i++) {
		if (lock_state(r->locks[i]) == LOCK_HELD)
			lock_release(r->locks[i]);
		lock_free(r->locks[i]);
	}
	free(r->locks);
	r->locks = NULL;
}

static int
ret_collect(void *arg, const struct s3_item *it)
{
	struct buf	*b = arg;

	if (it->kind == S3_ITEM_OBJECT)
		buf_add(b, it->key, strlen(it->key) + 1);
	return 0;
}

/* Every key under the prefix (or the table's directory), in key order. */
static int
ret_list_keys(struct ret_run *r, char **cause)
{
	struct s3_list_opts	 lo = { 0 };
	struct s3_error		 e = { 0 };
	char			*dir = NULL;
	size_t			 off;

	if (r->o->table != NULL)
		dir = xasprintf("%s%s/", r->prefix, r->o->table);
	lo.prefix = dir != NULL ? dir : r->prefix;
	if (s3_list(r->s3, &lo, ret_collect, &r->keys, &e) != 0) {
		*cause = xasprintf("listing the bucket: %s", e.message);
		s3_error_clear(&e);
		free(dir);
		return -1;
	}
	free(dir);
	for (off = 0; off < r->keys.len;
	    off += strlen(r->keys.data + off) + 1) {
		r->keyv = xreallocarray(r->keyv, r->n_keys + 1,
		    sizeof *r->keyv);
		r->keyv[r->n_keys++] = r->keys.data + off;
	}
	return 0;
}

static int
ret_query(struct ch_client *ch, const char *sql, struct ch_result **res,
    char **cause)
{
	struct ch_error	err = { 0 };

	if (ch == NULL) {
		*cause = xstrdup("no ClickHouse server");
		return -1;
	}
	if (ch_query(ch, sql, res, &err) != 0) {
		*cause = xstrdup(err.message != NULL ? err.message : "failed");
		ch_error_clear(&err);
		return -1;
	}
	return 0;
}

/* The one Date or DateTime column of the partition key, or NULL. */
static int
ret_part_column(struct ret_run *r, const char *db, const char *tbl,
    struct ret_parts *ps, char **cause)
{
	struct ch_result	*res = NULL;
	struct buf		 sql = BUF_INIT;
	size_t			 i, n = 0;
	int			 rc;

	rc = sql_appendf(&sql, cause, "SELECT name, type FROM system.columns "
	    "WHERE database = %S AND table = %S AND is_in_partition_key = 1",
	    db, tbl);
	if (rc == 0)
		rc = ret_query(r->ch, buf_str(&sql), &res, cause);
	buf_free(&sql);
	if (rc != 0)
		return -1;
	for (i = 0; i < res->nrows; i++) {
		if (backup_sql_time_kind(ch_result_str(res, i, 1)) ==
		    BACKUP_TIME_NONE)
			continue;
		if (n++ == 0)
			ps->time_column = xstrdup(ch_result_str(res, i, 0));
	}
	ch_result_free(res);
	if (n > 1) {
		*cause = xstrdup("the partition key has several time columns");
		return -1;
	}
	return 0;
}

static void
ret_part_row(const struct ch_result *res, size_t i, struct ret_part *p)
{
	int64_t		dmax = 0;
	uint64_t	rows = 0;

	memset(p, 0, sizeof *p);
	p->partition = xstrdup(ch_result_str(res, i, 0));
	p->partition_id = xstrdup(ch_result_str(res, i, 1));
	ch_result_int64(res, i, 2, &p->min_time);
	ch_result_int64(res, i, 3, &p->max_time);
	ch_result_int64(res, i, 4, &dmax);
	if (p->max_time == 0 && dmax > 0) {
		ch_result_int64(res, i, 5, &p->min_time);
		ch_result_int64(res, i, 6, &p->max_time);
	}
	ch_result_uint64(res, i, 7, &rows);
	p->rows = rows;
}

/* Active partitions with their time ranges, from system.parts. */
static void
ret_read_parts(struct ret_run *r, const char *table, struct ret_parts *ps)
{
	struct ch_result	*res = NULL;
	struct buf		 sql = BUF_INIT;
	char			*db = NULL, *tbl = NULL, *cause = NULL;
	size_t			 i;

	if (sql_split_table(table, &db, &tbl, &cause) != 0 ||
	    ret_part_column(r, db, tbl, ps, &cause) != 0 ||
	    sql_appendf(&sql, &cause, "SELECT partition, partition_id, "
	    "toUnixTimestamp(min(min_time)), toUnixTimestamp(max(max_time)), "
	    "toUInt16(max(max_date)), "
	    "toUnixTimestamp(toDateTime(min(min_date))), toUnixTimestamp(toDateTime(max(max_date) + 1)) - 1, sum(rows) "
	    "FROM system.parts WHERE active AND database = %S AND table = %S "
	    "GROUP BY partition, partition_id ORDER BY partition_id", db,
	    tbl) != 0 || ret_query(r->ch, buf_str(&sql), &res, &cause) != 0) {
		ps->error = xasprintf("reading the partitions of %s: %s",
		    table, cause);
		free(cause);
	} else {
		ps->v = xcalloc(res->nrows + 1, sizeof *ps->v);
		for (i = 0; i < res->nrows; i++)
			ret_part_row(res, i, &ps->v[ps->n++]);
	}
	ch_result_free(res);
	buf_free(&sql);
	free(db);
	free(tbl);
}

/* The backup's count and checksum over its range, taken again now. */
static int
ret_drift(void *arg, const struct inv_backup *bk, char **why)
{
	struct ret_run		*r = arg;
	const struct manifest	*m = bk->manifest;
	struct ch_result	*res = NULL;
	struct buf		 w = BUF_INIT, sql = BUF_INIT;
	ssize_t			 c = manifest_column(m, m->time_column);
	uint64_t		 n = 0;
	const char		*sum;
	int			 rc = -1;

	if (c < 0)
		*why = xstrdup("its time column is not among its columns");
	else if (backup_sql_where(&w, m->time_column,
	    backup_sql_time_kind(m->columns[c].type), m->from, m->to,
	    m->timezone, why) == 0 && backup_sql_checksum(&sql, m->table,
	    m->columns, m->n_columns, buf_str(&w), why) == 0 &&
	    ret_query(r->ch, buf_str(&sql), &res, why) == 0) {
		ch_result_uint64(res, 0, 0, &n);
		sum = ch_result_str(res, 0, 1);
		rc = n != m->rows || sum == NULL || strcmp(sum,
		    m->checksum) != 0;
		if (rc == 1)
			*why = xasprintf("%llu rows (checksum %s) now, %llu "
			    "(checksum %s) in the backup",
			    (unsigned long long)n,
			    sum != NULL ? sum : "NULL",
			    (unsigned long long)m->rows, m->checksum);
	}
	ch_result_free(res);
	buf_free(&w);
	buf_free(&sql);
	return rc;
}

static void
ret_plan_all(struct ret_run *r)
{
	struct ret_table_in	 in;
	struct ret_parts	 ps;
	struct ret_policy	 pol;
	size_t			 i;

	for (i = 0; i < r->n_tables; i++) {
		memset(&in, 0, sizeof in);
		memset(&ps, 0, sizeof ps);
		in.table = r->tables[i];
		in.inv = inventory_table(r->inv, r->tables[i]);
		in.prefix = r->prefix;
		in.keys = r->keyv;
		in.n_keys = r->n_keys;
		in.policy = ret_policy_of(r->o, r->tables[i], &pol);
		in.today = r->inv->strip_first;
		period_date_add(&in.today, INV_STRIP_DAYS);
		in.now = util_wall_ms() / 1000;
		if (r->o->data && in.policy != NULL &&
		    in.policy->data_keep_days > 0) {
			ret_read_parts(r, r->tables[i], &ps);
			in.parts = &ps;
		}
		in.drift = ret_drift;
		in.drift_arg = r;
		ret_plan_table(r->plan, &in);
		ret_parts_clear(&ps);
	}
}

/* "refused: 2 partitions of t not covered ...: p1 (why); p2 (why)" */
static char *
ret_refusal(const struct ret_plan *p)
{
	struct buf	b = BUF_INIT;
	size_t		i, n = 0;

	buf_printf(&b, "refused: %zu partition%s cannot be dropped",
	    p->n_blocking, p->n_blocking == 1 ? "" : "s");
	for (i = 0; i < p->n_keep; i++) {
		if (p->keep[i].blocking)
			buf_printf(&b, "%s %s %s: %s", n++ == 0 ? ":" : ";",
			    p->keep[i].table, p->keep[i].name,
			    p->keep[i].reason);
	}
	return buf_detach(&b);
}

static void
ret_audit(struct ret_run *r, struct audit_rec *rec, size_t nb, size_t no,
    struct buf *parts, const char *error)
{
	char	n[32], *cause = NULL;

	snprintf(n, sizeof n, "%zu", nb);
	audit_param(rec, "backups", n);
	snprintf(n, sizeof n, "%zu", no);
	audit_param(rec, "objects", n);
	audit_param(rec, "partitions", buf_str(parts));
	audit_param(rec, "data", r->o->data ? "true" : "false");
	audit_end(rec, error == NULL ? "ok" : "failed", error);
	if (audit_write(r->s3, rec, &cause) != 0) {
		if (r->plan->warning == NULL)
			r->plan->warning = xasprintf("audit: %s", cause);
		free(cause);
	}
	audit_rec_free(rec);
}

static int
ret_drop(struct ret_run *r, struct ret_entry *e, struct buf *parts,
    char **cause)
{
	struct ch_error	err = { 0 };
	struct buf	sql = BUF_INIT;
	int		rc;

	rc = sql_appendf(&sql, cause, "ALTER TABLE %T DROP PARTITION ID %S",
	    e->table, e->partition_id);
	if (rc == 0 && (rc = ch_exec(r->ch, buf_str(&sql), &err)) != 0)
		*cause = xasprintf("dropping partition %s of %s: %s", e->name,
		    e->table, err.message != NULL ? err.message : "failed");
	ch_error_clear(&err);
	buf_free(&sql);
	if (rc == 0) {
		e->done = true;
		buf_printf(parts, "%s%s", parts->len > 0 ? "," : "",
		    e->partition_id);
	}
	return rc;
}

/* Deletes what the plan says for one table: partitions, then objects. */
static int
ret_exec_table(struct ret_run *r, const char *table, char **cause)
{
	struct ret_plan		*p = r->plan;
	struct audit_rec	*rec = audit_begin("prune", table);
	struct buf		 parts = BUF_INIT;
	struct s3_error		 e = { 0 };
	const char		**keys = xcalloc(p->n_del + 1, sizeof *keys);
	size_t			 i, nk = 0, nb = 0;
	int			 rc = 0;

	for (i = 0; rc == 0 && i < p->n_del; i++) {
		if (strcmp(p->del[i].table, table) != 0)
			continue;
		if (p->del[i].kind == RET_PARTITION)
			rc = ret_drop(r, &p->del[i], &parts, cause);
		else if (p->del[i].kind == RET_OBJECT)
			keys[nk++] = p->del[i].name;
		else
			nb++;
	}
	if (rc == 0 && nk > 0 && (rc = s3_delete_objects(r->s3, keys, nk,
	    &e)) != 0)
		*cause = xasprintf("deleting the backups of %s: %s", table,
		    e.message);
	for (i = 0; rc == 0 && i < p->n_del; i++) {
		if (strcmp(p->del[i].table, table) == 0)
			p->del[i].done = true;
	}
	if (nk > 0 || parts.len > 0)
		ret_audit(r, rec, nb, nk, &parts, rc == 0 ? NULL : *cause);
	else
		audit_rec_free(rec);
	s3_error_clear(&e);
	buf_free(&parts);
	free(keys);
	return rc;
}

static enum ret_status
ret_execute(struct ret_run *r)
{
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < r->n_tables; i++) {
		if (ret_exec_table(r, r->tables[i], &cause) != 0)
			return ret_fail(r, RET_FAILED, cause);
	}
	return RET_OK;
}

static enum ret_status
ret_go(struct ret_run *r)
{
	enum ret_status	 st;
	char		*cause = NULL;

	if (!r->o->dry_run && r->o->table == NULL) {
		/* the tables to lock, before the listing that counts */
		if (ret_find_tables(r, INV_FETCH_NONE, &cause) != 0)
			return ret_fail(r, RET_FAILED, cause);
		inventory_free(r->inv);
		r->inv = NULL;
	} else if (r->o->table != NULL)
		ret_add_table(r, r->o->table);
	if (!r->o->dry_run && (st = ret_lock(r)) != RET_OK)
		return st;
	if (ret_find_tables(r, INV_FETCH_ALL, &cause) != 0 ||
	    ret_list_keys(r, &cause) != 0)
		return ret_fail(r, RET_FAILED, cause);
	ret_plan_all(r);
	if (r->plan->n_blocking > 0)
		return ret_fail(r, RET_REFUSED, ret_refusal(r->plan));
	if (r->o->dry_run)
		return RET_OK;
	return ret_execute(r);
}

static enum ret_status
ret_check(const struct ret_opts *o, struct ret_plan *p)
{
	char	*db = NULL, *tbl = NULL, *cause = NULL;

	if (o->table != NULL && (sql_split_table(o->table, &db, &tbl,
	    &cause) != 0 || db == NULL)) {
		p->error = cause != NULL ? cause : xstrdup("--table is "
		    "DB.TABLE");
		free(db);
		free(tbl);
		return RET_INVALID;
	}
	free(db);
	free(tbl);
	if (o->dry_run)
		return RET_OK;
	if (o->read_only) {
		p->error = xstrdup("refused: read-only mode");
		return RET_REFUSED;
	}
	if (!o->confirmed) {
		p->error = xstrdup("refused: confirmation missing; run with "
		    "--dry-run to see what would be deleted, --yes to delete");
		return RET_REFUSED;
	}
	return RET_OK;
}

enum ret_status
retention_run(struct loop *loop, struct ch_client *ch, struct s3_client *s3,
    const struct ret_opts *o, struct ret_plan **out)
{
	struct ret_run	r;
	enum ret_status	st;
	size_t		i;

	memset(&r, 0, sizeof r);
	r.plan = *out = xcalloc(1, sizeof *r.plan);
	if ((st = ret_check(o, r.plan)) != RET_OK)
		return st;
	r.loop = loop;
	r.ch = ch;
	r.s3 = s3;
	r.o = o;
	r.prefix = s3_key(s3, "");
	st = ret_go(&r);
	ret_unlock(&r);
	for (i = 0; i < r.n_tables; i++)
		free(r.tables[i]);
	free(r.tables);
	inventory_free(r.inv);
	buf_free(&r.keys);
	free(r.keyv);
	free(r.prefix);
	return st;
}

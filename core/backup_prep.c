/*
 * The backup's first steps: capabilities, the server's timezone and version,
 * the range as instants, the backup's directory (skip a complete backup),
 * the table's schema, and the checksum of the range.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup_int.h"
#include "clickhouse.h"
#include "lock.h"
#include "log.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"

/* A manifest is small; anything bigger is not one. */
#define BACKUP_MANIFEST_MAX	(4 * 1024 * 1024)

static void	prep_info(struct backup *);
static void	prep_table(struct backup *);
static void	prep_checksum(struct backup *);

/* Options for queries that scan the range: no time limit. */
static const struct ch_opts prep_long = { .timeout_ms = -1 };

/* Starts a query; a failure to build it fails the backup. */
static void
prep_query(struct backup *b, struct buf *sql, int built, char *cause,
    const struct ch_opts *o, ch_done_fn fn)
{
	if (built != 0)
		backup_fail(b, BACKUP_INVALID, "%s", cause);
	else
		b->req = ch_query_start(b->ch, buf_str(sql), o, fn, b);
	free(cause);
	buf_free(sql);
}

/* ---------------------------------------------------------------- caps */

static bool
prep_caps_ok(struct backup *b, const struct ch_caps *caps)
{
	const char	*v = caps->version != NULL ? caps->version : "?";

	if (b->engine == BACKUP_ENGINE_SERVER &&
	    !ch_caps_has_function(caps, "s3")) {
		backup_fail(b, BACKUP_REFUSED, "this server (ClickHouse %s) "
		    "has no s3 table function (it needs ClickHouse 19.15 or "
		    "later); use --engine stream", v);
		return false;
	}
	if (b->format == BACKUP_PARQUET && !ch_caps_has_format(caps,
	    "Parquet")) {
		backup_fail(b, BACKUP_REFUSED, "this server (ClickHouse %s) "
		    "cannot write Parquet (not in system.formats; it needs "
		    "ClickHouse 19.x or later); use --format native", v);
		return false;
	}
	return true;
}

static void
prep_caps_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	const struct ch_caps	*caps;
	struct ch_error		 err;

	if (!backup_query_ok(b, req, "reading the server's capabilities", NULL))
		return;
	memset(&err, 0, sizeof err);
	caps = ch_caps_loaded(b->ch, req, &err);
	if (caps == NULL)
		backup_fail_ch(b, "reading the server's capabilities", &err);
	else if (prep_caps_ok(b, caps))
		prep_info(b);
	ch_error_clear(&err);
}

void
backup_prep_start(struct backup *b)
{
	const struct ch_caps	*caps;

	b->prefix = s3_key(b->s3, "");
	backup_set_phase(b, BACKUP_PHASE_PREPARE);
	if (b->engine == BACKUP_ENGINE_SERVER || b->format == BACKUP_PARQUET) {
		if ((caps = ch_caps_cached(b->ch)) == NULL) {
			b->req = ch_query_start(b->ch, ch_caps_sql(), NULL,
			    prep_caps_done, b);
			return;
		}
		if (!prep_caps_ok(b, caps))
			return;
	}
	prep_info(b);
}

/* ---------------------------------------------------------------- range */

static void
prep_lock(struct backup *b);
static void
prep_list_start(struct backup *b);

static void
prep_range(struct backup *b, int64_t from, int64_t to)
{
	char	*cause = NULL, *id, when[24];

	if (period_resolve(&b->spec, from, to, &b->period, &cause) != 0) {
		backup_fail(b, BACKUP_INVALID, "%s", cause);
		free(cause);
		return;
	}
	id = backup_id_make(b->table, b->period.kind, b->period.id);
	if (id == NULL) {
		backup_fail(b, BACKUP_INVALID, "cannot name a backup of '%s'",
		    b->table);
		return;
	}
	b->res.id = id;
	/* a backup of a period still running would later be skipped */
	if (to > b->server_now) {
		period_fmt_iso(when, sizeof when, to);
		backup_fail(b, BACKUP_INVALID, "period %s has not ended yet "
		    "(it ends %s by the server's clock): a backup now would "
		    "miss the rest of it, and later runs would skip it as "
		    "complete; back up a range that has ended (--from/--to)",
		    b->period.id, when);
		return;
	}
	b->dir = backup_key_dir(b->prefix, id);
	b->data_key = backup_key_data(b->prefix, id, b->format,
	    b->compression);
	b->manifest_key = backup_key_manifest(b->prefix, id);
	b->res.key = xstrdup(b->data_key);
	free(b->audit->target);
	b->audit->target = xstrdup(id);
	backup_set_phase(b, BACKUP_PHASE_PREPARE);	/* the id is known */
	prep_lock(b);
}

static void
prep_resolve_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	struct period_time	 from, to;
	int64_t			 t[2];
	size_t			 col = 0;

	if (!backup_query_ok(b, req, "converting the period to instants", &res))
		return;
	period_bounds(&b->spec, &from, &to);
	t[0] = from.epoch;
	t[1] = to.epoch;
	if ((!from.absolute && ch_result_int64(res, 0, col++, &t[0]) != 0) ||
	    (!to.absolute && ch_result_int64(res, 0, col, &t[1]) != 0))
		backup_fail(b, BACKUP_FAILED, "converting the period to "
		    "instants: unexpected answer");
	else
		prep_range(b, t[0], t[1]);
	ch_result_free(res);
}

/* Local bounds are turned into instants by the server, in b->tz. */
static void
prep_bounds(struct backup *b)
{
	struct period_time	from, to;
	struct period_civil	civil[2];
	struct buf		sql = BUF_INIT;
	char			*cause = NULL;
	size_t			n = 0;

	period_bounds(&b->spec, &from, &to);
	if (!from.absolute)
		civil[n++] = from.civil;
	if (!to.absolute)
		civil[n++] = to.civil;
	if (n == 0) {
		prep_range(b, from.epoch, to.epoch);
		return;
	}
	prep_query(b, &sql, backup_sql_to_epoch(&sql, b->tz, civil, n, &cause),
	    cause, NULL, prep_resolve_done);
}

static void
prep_info_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	struct period_spec	 today;
	const char		*tz, *version, *day;
	char			*cause = NULL;

	if (!backup_query_ok(b, req, "reading the server's timezone", &res))
		return;
	tz = ch_result_str(res, 0, 0);
	version = ch_result_str(res, 0, 1);
	day = ch_result_str(res, 0, 2);
	if (tz == NULL || version == NULL || day == NULL ||
	    ch_result_int64(res, 0, 3, &b->server_now) != 0 ||
	    period_parse_day(day, &today, &cause) != 0) {
		backup_fail(b, BACKUP_FAILED, "reading the server's timezone: "
		    "unexpected answer");
		free(cause);
		ch_result_free(res);
		return;
	}
	b->tz = xstrdup(b->tz_opt != NULL ? b->tz_opt : tz);
	b->ch_version = xstrdup(version);
	/* plans: yesterday, or the previous ISO week, in the backup's zone */
	period_apply_rel(&b->spec, &today.day);
	ch_result_free(res);
	prep_bounds(b);
}

static void
prep_info(struct backup *b)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	prep_query(b, &sql, backup_sql_info(&sql, b->tz_opt, &cause), cause,
	    NULL, prep_info_done);
}

/* ---------------------------------------------------------------- existing */

static int
prep_list_item(void *arg, const struct s3_item *it)
{
	struct backup		*b = arg;
	struct backup_listed	*l;

	if (it->kind != S3_ITEM_OBJECT)
		return 0;
	if (strcmp(it->key, b->manifest_key) == 0) {
		b->listed_manifest = true;
		return 0;
	}
	b->listed = xreallocarray(b->listed, b->n_listed + 1,
	    sizeof *b->listed);
	l = &b->listed[b->n_listed++];
	l->key = xstrdup(it->key);
	l->size = it->size;
	l->etag = xstrdup(it->etag != NULL ? it->etag : "");
	return 0;
}

/* The listed object a manifest describes, if it is there unchanged. */
static bool
prep_manifest_holds(const struct backup *b, const struct manifest *m)
{
	size_t	i;

	for (i = 0; i < b->n_listed; i++) {
		if (strcmp(b->listed[i].key, m->key) != 0)
			continue;
		return b->listed[i].size == m->size && (*m->etag == '\0' ||
		    strcmp(b->listed[i].etag, m->etag) == 0);
	}
	return false;
}

static void
prep_skip(struct backup *b, struct manifest *m)
{
	free(b->res.key);
	b->res.key = xstrdup(m->key);
	b->res.rows = m->rows;
	b->res.checksum = xstrdup(m->checksum);
	b->res.bytes = m->size;
	b->res.manifest = m;
	backup_succeed(b, BACKUP_SKIPPED);
}

static size_t
prep_body_sink(void *arg, const char *data, size_t len)
{
	struct backup	*b = arg;

	if (b->body.len + len > BACKUP_MANIFEST_MAX)
		return 0;
	buf_add(&b->body, data, len);
	return len;
}

static void
prep_manifest_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;
	struct manifest	*m = NULL;
	char		*cause = NULL;

	s3_op_free(op);
	b->op = NULL;
	if (b->failed) {
		backup_settle(b);
		return;
	}
	if (e != NULL) {
		backup_fail(b, BACKUP_FAILED, "reading the existing manifest: "
		    "%s", e->message);
		return;
	}
	if (manifest_parse(buf_str(&b->body), b->body.len, b->manifest_key, &m,
	    &cause) != 0) {
		backup_fail(b, BACKUP_FAILED, "%s; use --force to replace this "
		    "backup", cause);
		free(cause);
		return;
	}
	if (prep_manifest_holds(b, m)) {
		prep_skip(b, m);
		return;
	}
	log_warn("%s: the data object no longer matches the manifest; taking "
	    "the backup again", b->res.id);
	manifest_free(m);
	prep_table(b);
}

static void
prep_list_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;

	s3_op_free(op);
	b->op = NULL;
	if (b->failed) {
		backup_settle(b);
		return;
	}
	if (e != NULL) {
		backup_fail(b, BACKUP_FAILED, "listing %s: %s", b->dir,
		    e->message);
		return;
	}
	if (b->listed_manifest && !b->force) {
		buf_reset(&b->body);
		b->op = s3_get_start(b->s3, b->manifest_key, 0, 0,
		    prep_body_sink, b, prep_manifest_done, b);
		return;
	}
	prep_table(b);
}

static void
prep_list_start(struct backup *b)
{
	struct s3_list_opts	lo;

	memset(&lo, 0, sizeof lo);
	lo.prefix = b->dir;
	b->op = s3_list_start(b->s3, &lo, prep_list_item, b, prep_list_done,
	    b);
}

/* ---------------------------------------------------------------- lock */

static void
prep_lock_done(struct lock *lk, void *arg)
{
	struct backup	*b = arg;

	b->lock_wait = false;
	if (b->failed) {
		backup_settle(b);	/* releases the lock if we got it */
		return;
	}
	switch (lock_state(lk)) {
	case LOCK_HELD:
		prep_list_start(b);
		break;
	case LOCK_BUSY:
		backup_fail(b, BACKUP_REFUSED, "%s", lock_message(lk));
		break;
	default:
		backup_fail(b, BACKUP_FAILED, "%s", lock_message(lk) != NULL ?
		    lock_message(lk) : "the lock could not be taken");
		break;
	}
}

/* A refresh found the lock taken over or gone: stop, saying why. */
static void
prep_lock_lost(struct lock *lk, void *arg)
{
	struct backup	*b = arg;

	backup_fail(b, BACKUP_FAILED, "stopped: %s", lock_message(lk) != NULL ?
	    lock_message(lk) : "the lock was lost");
}

/*
 * The period's lock, held (refreshed on the loop) until the backup ends, so
 * two operators, or cron and an operator, never take the same backup at
 * once. It is taken before the directory is listed: the loser sees the
 * winner's complete backup, or is refused while it runs.
 */
static void
prep_lock(struct backup *b)
{
	struct lock_opts	 o;
	char			*key;

	if ((key = lock_key_backup(b->s3, b->res.id)) == NULL) {
		backup_fail(b, BACKUP_INVALID, "cannot name the lock of %s",
		    b->res.id);
		return;
	}
	memset(&o, 0, sizeof o);
	o.operation = "backup";
	o.target = b->res.id;
	o.holder = b->created_by;
	b->lock = lock_new(b->loop, b->s3, key, &o);
	free(key);
	lock_on_lost(b->lock, prep_lock_lost, b);
	b->lock_wait = true;
	lock_acquire_start(b->lock, prep_lock_done, b);
}

/* ---------------------------------------------------------------- schema */

/* Columns that are in the data: not MATERIALIZED, ALIAS or EPHEMERAL. */
static bool
prep_is_data(const char *default_kind)
{
	return default_kind == NULL || *default_kind == '\0' ||
	    strcmp(default_kind, "DEFAULT") == 0;
}

/*
 * Picks the time column when none was given: the Date or DateTime column in
 * the partition key, or the only one there is. NULL after failing.
 */
static const char *
prep_detect_time(struct backup *b, const struct ch_result *res)
{
	struct buf	 names = BUF_INIT;
	const char	*in_key = NULL, *any = NULL, *pick = NULL, *name;
	size_t		 i, n = 0, n_key = 0;
	int64_t		 part;

	for (i = 0; i < res->nrows; i++) {
		name = ch_result_str(res, i, 0);
		if (!prep_is_data(ch_result_str(res, i, 2)) ||
		    backup_sql_time_kind(ch_result_str(res, i, 1)) ==
		    BACKUP_TIME_NONE)
			continue;
		if (n++ > 0)
			buf_addstr(&names, ", ");
		buf_addstr(&names, name);
		any = name;
		if (ch_result_int64(res, i, 3, &part) == 0 && part != 0) {
			n_key++;
			in_key = name;
		}
	}
	if (n_key == 1)
		pick = in_key;
	else if (n == 1)
		pick = any;
	else if (n == 0)
		backup_fail(b, BACKUP_INVALID, "%s has no Date or DateTime "
		    "column to select a range by", b->table);
	else
		backup_fail(b, BACKUP_INVALID, "cannot tell which column of %s "
		    "holds the time (candidates: %s); give --time-column, or "
		    "time_column in a [backup.NAME] plan", b->table,
		    buf_str(&names));
	buf_free(&names);
	return pick;
}

/* Sets up the time column from the row that holds it. */
static bool
prep_time_column(struct backup *b, const struct ch_result *res,
    const char *name)
{
	const char	*type = NULL;
	size_t		 i;

	for (i = 0; i < res->nrows && type == NULL; i++) {
		if (strcmp(ch_result_str(res, i, 0), name) != 0)
			continue;
		type = ch_result_str(res, i, 1);
		if (!prep_is_data(ch_result_str(res, i, 2))) {
			backup_fail(b, BACKUP_INVALID, "time column '%s' of %s "
			    "is not stored (it is %s)", name, b->table,
			    ch_result_str(res, i, 2));
			return false;
		}
	}
	if (type == NULL) {
		backup_fail(b, BACKUP_INVALID, "%s has no column '%s'",
		    b->table, name);
		return false;
	}
	if ((b->time_kind = backup_sql_time_kind(type)) == BACKUP_TIME_NONE) {
		backup_fail(b, BACKUP_INVALID, "time column '%s' of %s has "
		    "type %s; a range needs a Date or DateTime column", name,
		    b->table, type);
		return false;
	}
	b->m->time_column = xstrdup(name);
	return true;
}

/* The statements for the range: checksum and export. */
static bool
prep_statements(struct backup *b)
{
	struct buf	 w = BUF_INIT, c = BUF_INIT, s = BUF_INIT;
	char		*cause = NULL;
	bool		 ok;

	ok = backup_sql_where(&w, b->m->time_column, b->time_kind,
	    b->period.from, b->period.to, b->tz, &cause) == 0 &&
	    backup_sql_checksum(&c, b->table, b->m->columns, b->m->n_columns,
	    buf_str(&w), &cause) == 0 &&
	    backup_sql_select(&s, b->table, b->m->columns, b->m->n_columns,
	    buf_str(&w), &cause) == 0;
	if (ok) {
		b->where = buf_detach(&w);
		b->checksum_sql = buf_detach(&c);
		b->select_sql = buf_detach(&s);
	} else
		backup_fail(b, BACKUP_INVALID, "%s", cause);
	free(cause);
	buf_free(&w);
	buf_free(&c);
	buf_free(&s);
	return ok;
}

static void
prep_columns_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	const char		*time_col = b->time_column;
	size_t			 i;

	if (!backup_query_ok(b, req, "reading the columns", &res))
		return;
	for (i = 0; i < res->nrows; i++) {
		if (prep_is_data(ch_result_str(res, i, 2)))
			manifest_add_column(b->m, ch_result_str(res, i, 0),
			    ch_result_str(res, i, 1));
	}
	if (b->m->n_columns == 0)
		backup_fail(b, BACKUP_FAILED, "%s has no stored columns",
		    b->table);
	else if (time_col == NULL)
		time_col = prep_detect_time(b, res);
	if (time_col != NULL && !b->failed && prep_time_column(b, res,
	    time_col) && prep_statements(b))
		prep_checksum(b);
	ch_result_free(res);
}

static void
prep_table_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	struct buf		 sql = BUF_INIT;
	const char		*create;
	char			*cause = NULL;

	if (!backup_query_ok(b, req, "reading the table", &res))
		return;
	if (res->nrows == 0) {
		backup_fail(b, BACKUP_FAILED, "table %s does not exist on %s",
		    b->table, ch_url(b->ch));
		ch_result_free(res);
		return;
	}
	create = ch_result_str(res, 0, 1);
	b->m->create_table = xstrdup(create != NULL ? create : "");
	ch_result_free(res);
	prep_query(b, &sql, backup_sql_columns(&sql, b->db, b->tbl, &cause),
	    cause, NULL, prep_columns_done);
}

static void
prep_table(struct backup *b)
{
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	manifest_free(b->m);
	b->m = manifest_new();
	prep_query(b, &sql, backup_sql_table(&sql, b->db, b->tbl, &cause),
	    cause, NULL, prep_table_done);
}

/* ---------------------------------------------------------------- checksum */

static void
prep_checksum_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	const char		*count, *sum;

	if (!backup_query_ok(b, req, "computing the checksum", &res))
		return;
	count = ch_result_str(res, 0, 0);
	sum = ch_result_str(res, 0, 1);
	if (ch_result_uint64(res, 0, 0, &b->rows0) != 0 || sum == NULL ||
	    !manifest_decimal_u64(sum)) {
		backup_fail(b, BACKUP_FAILED, "computing the checksum: "
		    "unexpected answer (count %s, sum %s)",
		    count != NULL ? count : "NULL", sum != NULL ? sum : "NULL");
		ch_result_free(res);
		return;
	}
	b->sum0 = xstrdup(sum);
	b->prog.rows_total = b->rows0;
	ch_result_free(res);
	if (b->engine == BACKUP_ENGINE_STREAM)
		backup_pipe_start(b);
	else
		backup_server_start(b);
}

static void
prep_checksum(struct backup *b)
{
	backup_set_phase(b, BACKUP_PHASE_CHECKSUM);
	b->req = ch_query_start(b->ch, b->checksum_sql, &prep_long,
	    prep_checksum_done, b);
}

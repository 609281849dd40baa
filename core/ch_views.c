/*
 * Drill-down views over the system tables, their runner, and the kill
 * action. Aliases never repeat a column name used inside an aggregate:
 * old servers read "sum(rows) AS rows" as an aggregate inside another.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ch_views.h"
#include "buf.h"
#include "clickhouse.h"
#include "loop.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest query text shown in the running queries view, in characters. */
#define CH_QUERY_TEXT_MAX	"200"
/* KILL ... SYNC waits for the query to stop. */
#define CH_KILL_TIMEOUT_MS	30000

static const struct ch_view_col tables_cols[] = {
	{ "database", "Database", "database", CH_CELL_TEXT, false, NULL },
	{ "table", "Table", "table", CH_CELL_TEXT, false, NULL },
	{ "engine_name", "Engine", "any(engine)", CH_CELL_TEXT, false, NULL },
	{ "total_rows", "Rows", "sum(rows)", CH_CELL_COUNT, true, NULL },
	{ "total_bytes", "Bytes", "sum(bytes_on_disk)", CH_CELL_BYTES, true,
	  NULL },
	{ "part_count", "Parts", "count()", CH_CELL_COUNT, true, NULL },
	{ "partition_count", "Partitions", "uniqExact(partition)",
	  CH_CELL_COUNT, true, NULL },
};

static const struct ch_view_col queries_cols[] = {
	{ "query_id", "Query id", "query_id", CH_CELL_TEXT, false, NULL },
	{ "user", "User", "user", CH_CELL_TEXT, false, NULL },
	{ "elapsed", "Elapsed", "elapsed", CH_CELL_SECONDS, true, NULL },
	{ "read_rows", "Read rows", "read_rows", CH_CELL_COUNT, true, NULL },
	{ "memory_usage", "Memory", "memory_usage", CH_CELL_BYTES, true,
	  NULL },
	{ "query_text", "Query", "substringUTF8(replaceRegexpAll(query, "
	  "'[[:space:]]+', ' '), 1, " CH_QUERY_TEXT_MAX ")", CH_CELL_TEXT,
	  false, NULL },
};

static const struct ch_view_col merges_cols[] = {
	{ "database", "Database", "database", CH_CELL_TEXT, false, NULL },
	{ "table", "Table", "table", CH_CELL_TEXT, false, NULL },
	{ "elapsed", "Elapsed", "elapsed", CH_CELL_SECONDS, true, NULL },
	{ "progress", "Progress", "progress", CH_CELL_FRACTION, true, NULL },
	{ "num_parts", "Parts", "num_parts", CH_CELL_COUNT, true, NULL },
	{ "result_part_name", "Result part", "result_part_name",
	  CH_CELL_TEXT, false, NULL },
	{ "total_size_bytes_compressed", "Bytes",
	  "total_size_bytes_compressed", CH_CELL_BYTES, true, NULL },
	{ "memory_usage", "Memory", "memory_usage", CH_CELL_BYTES, true,
	  "memory_usage" },
};

static const struct ch_view_col mutations_cols[] = {
	{ "database", "Database", "database", CH_CELL_TEXT, false, NULL },
	{ "table", "Table", "table", CH_CELL_TEXT, false, NULL },
	{ "mutation_id", "Mutation", "mutation_id", CH_CELL_TEXT, false, NULL },
	{ "command", "Command", "command", CH_CELL_TEXT, false, NULL },
	{ "create_time", "Created", "toString(create_time)", CH_CELL_TEXT,
	  false, NULL },
	{ "parts_to_do", "Parts to do", "parts_to_do", CH_CELL_COUNT, true,
	  NULL },
	{ "is_done", "Done", "is_done", CH_CELL_FLAG, false, NULL },
	{ "latest_fail_reason", "Failure", "latest_fail_reason", CH_CELL_TEXT,
	  false, "latest_fail_reason" },
};

static const struct ch_view_col replicas_cols[] = {
	{ "database", "Database", "database", CH_CELL_TEXT, false, NULL },
	{ "table", "Table", "table", CH_CELL_TEXT, false, NULL },
	{ "is_leader", "Leader", "is_leader", CH_CELL_FLAG, false, NULL },
	{ "is_readonly", "Read-only", "is_readonly", CH_CELL_FLAG, false,
	  NULL },
	{ "is_session_expired", "Expired", "is_session_expired",
	  CH_CELL_FLAG, false, NULL },
	{ "absolute_delay", "Delay", "absolute_delay", CH_CELL_SECONDS, true,
	  NULL },
	{ "queue_size", "Queue", "queue_size", CH_CELL_COUNT, true, NULL },
	{ "inserts_in_queue", "Inserts", "inserts_in_queue", CH_CELL_COUNT,
	  true, NULL },
	{ "merges_in_queue", "Merges", "merges_in_queue", CH_CELL_COUNT, true,
	  NULL },
};

#define COLS(a)	a, nitems(a)

const struct ch_view ch_views[] = {
	[CH_VIEW_TABLES] = { "tables", "Tables", "parts", "active",
	    "database, table", "total_bytes DESC", 1000, false, "table",
	    COLS(tables_cols) },
	[CH_VIEW_QUERIES] = { "queries", "Running queries", "processes", NULL,
	    NULL, "elapsed DESC", 1000, true, "query_id",
	    COLS(queries_cols) },
	[CH_VIEW_MERGES] = { "merges", "Merges", "merges", NULL, NULL,
	    "elapsed DESC", 1000, false, "result_part_name",
	    COLS(merges_cols) },
	[CH_VIEW_MUTATIONS] = { "mutations", "Mutations", "mutations", NULL,
	    NULL, "is_done, create_time DESC", 500, false, "mutation_id",
	    COLS(mutations_cols) },
	[CH_VIEW_REPLICAS] = { "replicas", "Replicas", "replicas", NULL, NULL,
	    "absolute_delay DESC, queue_size DESC", 1000, false, "table",
	    COLS(replicas_cols) },
};
const size_t ch_n_views = nitems(ch_views);

const struct ch_view *
ch_view_find(const char *name)
{
	size_t	i;

	for (i = 0; i < ch_n_views; i++) {
		if (strcmp(ch_views[i].name, name) == 0)
			return &ch_views[i];
	}
	return NULL;
}

bool
ch_view_available(const struct ch_view *v, const struct ch_caps *caps)
{
	return caps != NULL && ch_caps_has_table(caps, v->table);
}

static bool
col_available(const struct ch_view *v, const struct ch_view_col *c,
    const struct ch_caps *caps)
{
	return c->needs == NULL || ch_caps_has_column(caps, v->table, c->needs);
}

static void
sql_columns(struct buf *b, const struct ch_view *v, const struct ch_caps *caps)
{
	const struct ch_view_col	*c;
	size_t				 i;
	bool				 first = true;

	for (i = 0; i < v->n_cols; i++) {
		c = &v->cols[i];
		if (!col_available(v, c, caps))
			continue;
		buf_addstr(b, first ? " " : ", ");
		first = false;
		if (strcmp(c->expr, c->name) == 0)
			buf_addstr(b, c->name);
		else
			buf_printf(b, "%s AS %s", c->expr, c->name);
	}
}

char *
ch_view_sql(const struct ch_view *v, const struct ch_caps *caps,
    const char *query_id)
{
	struct buf	 b = BUF_INIT;
	const char	*and = " WHERE ";

	if (!ch_view_available(v, caps))
		return NULL;
	buf_addstr(&b, "SELECT");
	sql_columns(&b, v, caps);
	buf_printf(&b, " FROM system.%s", v->table);
	if (v->where != NULL) {
		buf_printf(&b, " WHERE %s", v->where);
		and = " AND ";
	}
	if (v->exclude_self && query_id != NULL) {
		buf_printf(&b, "%squery_id != ", and);
		sql_quote_string(&b, query_id, strlen(query_id));
	}
	if (v->group_by != NULL)
		buf_printf(&b, " GROUP BY %s", v->group_by);
	buf_printf(&b, " ORDER BY %s LIMIT %d", v->order_by, v->limit);
	return buf_detach(&b);
}

const struct ch_view_col *
ch_view_col_of(const struct ch_view *v, const struct ch_result *res,
    size_t col)
{
	size_t	i;

	if (col >= res->ncols)
		return NULL;
	for (i = 0; i < v->n_cols; i++) {
		if (strcmp(v->cols[i].name, res->cols[col].name) == 0)
			return &v->cols[i];
	}
	return NULL;
}

void
ch_view_cell(const struct ch_view *v, const struct ch_result *res,
    size_t row, size_t col, char *buf, size_t len)
{
	const struct ch_view_col	*c = ch_view_col_of(v, res, col);
	const char			*s = ch_result_str(res, row, col);
	double				 d;

	if (s == NULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (c == NULL || c->cell == CH_CELL_TEXT ||
	    ch_result_double(res, row, col, &d) != 0) {
		snprintf(buf, len, "%s", s);
		return;
	}
	switch (c->cell) {
	case CH_CELL_COUNT:
		util_fmt_count(buf, len, d);
		break;
	case CH_CELL_BYTES:
		util_fmt_bytes(buf, len, d);
		break;
	case CH_CELL_SECONDS:
		util_fmt_duration(buf, len, (int64_t)(d * 1000));
		break;
	case CH_CELL_FRACTION:
		snprintf(buf, len, "%.0f%%", d * 100);
		break;
	default:
		snprintf(buf, len, "%s", d != 0 ? "yes" : "");
		break;
	}
}

/* ---------------------------------------------------------------- runner */

struct ch_view_run {
	struct ch_client	*client;
	const struct ch_view	*view;
	struct ch_req		*req;
	struct loop_timer	*timer;		/* a failure, delivered later */
	struct ch_error		 err;
	bool			 cancelled;
	ch_view_fn		 fn;
	void			*arg;
};

static void
view_finish(struct ch_view_run *run, struct ch_result *res,
    const struct ch_error *err)
{
	run->fn(res, err, run->arg);
	ch_error_clear(&run->err);
	free(run);
}

static void
view_fail_timer(void *arg)
{
	struct ch_view_run	*run = arg;

	run->timer = NULL;
	view_finish(run, NULL, &run->err);
}

static void
view_done(struct ch_req *req, void *arg)
{
	struct ch_view_run	*run = arg;
	const struct ch_error	*err = ch_req_error(req);

	run->req = NULL;
	if (err->kind != CH_OK)
		view_finish(run, NULL, err);
	else
		view_finish(run, ch_req_take_result(req), NULL);
}

/* Starts the view's query, or fails the run from the loop. */
static void
view_query(struct ch_view_run *run, const struct ch_caps *caps)
{
	struct ch_opts	 o;
	char		*qid, *sql;

	qid = ch_new_query_id();
	if (run->cancelled)
		ch_error_set(&run->err, CH_ECANCELLED, 0, xstrdup("cancelled"));
	else if ((sql = ch_view_sql(run->view, caps, qid)) == NULL)
		ch_error_set(&run->err, CH_EUSAGE, 0, xasprintf("this server "
		    "(%s) has no system.%s", caps->version, run->view->table));
	else {
		memset(&o, 0, sizeof o);
		o.query_id = qid;
		run->req = ch_query_start(run->client, sql, &o, view_done, run);
		free(sql);
	}
	free(qid);
	if (run->err.kind != CH_OK)
		run->timer = loop_timer_add(ch_loop(run->client), 0,
		    view_fail_timer, run);
}

static void
view_caps_done(struct ch_req *req, void *arg)
{
	struct ch_view_run	*run = arg;
	const struct ch_caps	*caps;

	run->req = NULL;
	if ((caps = ch_caps_loaded(run->client, req, &run->err)) == NULL)
		view_finish(run, NULL, &run->err);
	else
		view_query(run, caps);
}

struct ch_view_run *
ch_view_start(struct ch_client *client, const struct ch_view *view,
    ch_view_fn fn, void *arg)
{
	struct ch_view_run	*run;
	const struct ch_caps	*caps = ch_caps_cached(client);

	run = xcalloc(1, sizeof *run);
	run->client = client;
	run->view = view;
	run->fn = fn;
	run->arg = arg;
	if (caps == NULL)
		run->req = ch_query_start(client, ch_caps_sql(), NULL,
		    view_caps_done, run);
	else
		view_query(run, caps);
	return run;
}

void
ch_view_cancel(struct ch_view_run *run)
{
	run->cancelled = true;
	if (run->req != NULL)
		ch_req_cancel(run->req);
}

/* ---------------------------------------------------------------- kill */

struct ch_kill_run {
	char		*query_id;
	struct buf	 out;		/* the KILL's answer, TabSeparated */
	ch_kill_fn	 fn;
	void		*arg;
};

static size_t
kill_sink(void *arg, const char *data, size_t len)
{
	struct ch_kill_run	*k = arg;

	buf_add(&k->out, data, len);
	return len;
}

/* The first field of the answer: kill_status, or "" when none matched. */
static char *
kill_status(const struct buf *out)
{
	const char	*s = buf_str(out);

	return xstrndup(s, strcspn(s, "\t\n"));
}

static void
kill_done(struct ch_req *req, void *arg)
{
	struct ch_kill_run	*k = arg;
	struct ch_error		 e;
	char			*status, *outcome = NULL;

	memset(&e, 0, sizeof e);
	status = kill_status(&k->out);
	if (ch_req_error(req)->kind != CH_OK)
		k->fn(ch_req_error(req), NULL, k->arg);
	else if (*status == '\0' || strcmp(status, "finished") == 0) {
		outcome = xasprintf("query %s %s", k->query_id, *status ==
		    '\0' ? "was not running" : "killed");
		k->fn(NULL, outcome, k->arg);
	} else {
		ch_error_set(&e, CH_ESERVER, 0, xasprintf("query %s was not "
		    "killed: %s", k->query_id, status));
		k->fn(&e, NULL, k->arg);
	}
	ch_error_clear(&e);
	free(outcome);
	free(status);
	buf_free(&k->out);
	free(k->query_id);
	free(k);
}

int
ch_kill_query_start(struct ch_client *client, const char *query_id,
    bool read_only, ch_kill_fn fn, void *arg, char **cause)
{
	struct ch_kill_run	*k;
	struct ch_opts		 o;
	struct buf		 sql = BUF_INIT;

	if (query_id == NULL || *query_id == '\0') {
		*cause = xstrdup("no query to kill");
		return -1;
	}
	if (read_only) {
		*cause = xasprintf("read-only mode: not killing query %s "
		    "([ui] read_only is set)", query_id);
		return -1;
	}
	k = xcalloc(1, sizeof *k);
	k->query_id = xstrdup(query_id);
	k->fn = fn;
	k->arg = arg;
	memset(&o, 0, sizeof o);
	o.timeout_ms = CH_KILL_TIMEOUT_MS;
	sql_kill_query(&sql, query_id);
	ch_export_start(client, buf_str(&sql), "TabSeparated", kill_sink, k,
	    &o, kill_done, k);
	buf_free(&sql);
	return 0;
}

/*
 * Node health, drill-down views and the kill action against the real
 * ClickHouse (CHOPS_TEST_CH_URL, user default with an empty password).
 * The last test stops the server and starts it again through
 * tests/lib/servers.sh.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ch_health.h"
#include "ch_views.h"
#include "clickhouse.h"
#include "loop.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

/* Parts the parts test makes in one partition. */
#define IT_PARTS	30

struct it {
	struct loop		*loop;
	struct ch_client	*c;
	char			 db[64];
};

/* What a callback reported. */
struct it_done {
	int			 done;
	bool			 ok;
	char			*text;		/* error or outcome */
	struct ch_result	*res;
};

static struct ch_client *
it_client(struct it *t, const char *url)
{
	return ch_new(t->loop, url, "default", "", NULL, 10000, 2000);
}

static void
it_exec(struct it *t, const char *sql)
{
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	if (ch_exec(t->c, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static uint64_t
it_count(struct it *t, const char *sql)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	uint64_t		 n = 0;

	memset(&err, 0, sizeof err);
	if (ch_query(t->c, sql, &res, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	assert_int_equal(ch_result_uint64(res, 0, 0, &n), 0);
	ch_result_free(res);
	return n;
}

/* Runs the loop until d->done, at most ms. */
static void
it_wait(struct it *t, struct it_done *d, int64_t ms)
{
	int64_t	end = util_now_ms() + ms;

	while (!d->done && util_now_ms() < end)
		loop_once(t->loop, -1, 100);
	if (!d->done)
		fail_msg("no answer within %lld ms", (long long)ms);
}

static void
it_done_clear(struct it_done *d)
{
	free(d->text);
	ch_result_free(d->res);
	memset(d, 0, sizeof *d);
}

static void
health_cb(struct ch_health *h, const struct ch_error *err, void *arg)
{
	struct it_done	*d = arg;

	d->done = 1;
	d->ok = err == NULL;
	d->text = err != NULL ? strdup(err->message) : NULL;
}

/* One refresh; true when the node answered. */
static bool
it_refresh(struct it *t, struct ch_health *h, char **error)
{
	struct it_done	d;

	memset(&d, 0, sizeof d);
	assert_true(ch_health_refresh(h, health_cb, &d));
	assert_false(ch_health_refresh(h, health_cb, &d));	/* one at once */
	it_wait(t, &d, 30000);
	assert_false(ch_health_busy(h));
	if (error != NULL)
		*error = d.text;
	else
		free(d.text);
	return d.ok;
}

static void
view_cb(struct ch_result *res, const struct ch_error *err, void *arg)
{
	struct it_done	*d = arg;

	d->done = 1;
	d->ok = err == NULL;
	d->res = res;
	d->text = err != NULL ? strdup(err->message) : NULL;
}

/* A view's rows; the caller frees. */
static struct ch_result *
it_view(struct it *t, const char *name)
{
	struct it_done		 d;
	struct ch_result	*res;

	memset(&d, 0, sizeof d);
	assert_non_null(ch_view_start(t->c, ch_view_find(name), view_cb, &d));
	it_wait(t, &d, 10000);
	if (!d.ok)
		fail_msg("view %s: %s", name, d.text);
	res = d.res;
	d.res = NULL;
	it_done_clear(&d);
	return res;
}

/* The first row whose column `col` is `value`, or -1. */
static ssize_t
it_find_row(const struct ch_result *res, const char *col, const char *value)
{
	ssize_t		 c = ch_result_col(res, col);
	const char	*s;
	size_t		 r;

	assert_true(c >= 0);
	for (r = 0; r < res->nrows; r++) {
		s = ch_result_str(res, r, (size_t)c);
		if (s != NULL && strcmp(s, value) == 0)
			return (ssize_t)r;
	}
	return -1;
}

static int
it_setup(void **state)
{
	struct it	*t = calloc(1, sizeof *t);
	char		 sql[128];

	t->loop = loop_new();
	t->c = it_client(t, it_env("CHOPS_TEST_CH_URL"));
	snprintf(t->db, sizeof t->db, "chops_it_health_%ld", (long)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", t->db);
	it_exec(t, sql);
	*state = t;
	return 0;
}

static int
it_teardown(void **state)
{
	struct it	*t = *state;
	char		 sql[128];

	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", t->db);
	it_exec(t, sql);
	ch_free(t->c);
	loop_free(t->loop);
	free(t);
	return 0;
}

static void
it_health_figures(void **state)
{
	struct it			*t = *state;
	struct ch_health		*h = ch_health_new(t->c);
	const struct ch_health_figs	*f = ch_health_figs(h);
	const struct ch_caps		*caps;
	char				*error = NULL;

	assert_null(f->version);		/* nothing known yet */
	assert_false(f->uptime_s.known || f->queries.known);
	if (!it_refresh(t, h, &error))
		fail_msg("health: %s", error);
	caps = ch_caps_cached(t->c);
	assert_non_null(caps);
	assert_string_equal(f->version, caps->version);
	assert_true(f->uptime_s.known && f->uptime_s.v >= 0);
	assert_true(f->latency_ms.known && f->latency_ms.v >= 0);
	/* the probe's own query is not counted; nothing else runs */
	assert_true(f->queries.known);
	assert_int_equal(f->queries.v, 0);
	assert_true(f->memory.known && f->merges.known);
	assert_true(f->parts_delay.known && f->parts_delay.v > 0);
	assert_true(f->parts_throw.known && f->parts_throw.v >= f->parts_delay.v);
	assert_true(f->delayed_inserts.known && f->delayed_inserts.v == 0);
	assert_true(f->replicas.known && f->readonly_replicas.known);
	assert_true(f->mutations.known);
	assert_true(f->inserted_rows.known && f->failed_queries.known);
	assert_false(f->inserted_rows_s.known);	/* one sample: no rate */
	/* disk free where the server has system.disks; 18.16 has not */
	assert_int_equal(f->disk_free.known, caps->has_disks);
	if (strncmp(caps->version, "18.16.", 6) == 0) {
		assert_false(caps->has_disks);
		assert_false(f->mutations_failed.known);
	}
	usleep(100 * 1000);
	assert_true(it_refresh(t, h, NULL));
	assert_true(f->inserted_rows_s.known && f->inserted_rows_s.v >= 0);
	assert_true(f->failed_queries_s.known && f->failed_queries_s.v >= 0);
	ch_health_free(h);
}

static void
it_health_parts(void **state)
{
	struct it			*t = *state;
	struct ch_health		*h = ch_health_new(t->c);
	const struct ch_health_figs	*f = ch_health_figs(h);
	struct ch_result		*res;
	ssize_t				 row, col;
	uint64_t			 n = 0;
	char				 sql[256];
	int				 i;

	snprintf(sql, sizeof sql, "CREATE TABLE %s.many (d Date, x UInt32) "
	    "ENGINE = MergeTree PARTITION BY d ORDER BY x", t->db);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "SYSTEM STOP MERGES %s.many", t->db);
	it_exec(t, sql);
	for (i = 0; i < IT_PARTS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO %s.many VALUES "
		    "('2024-01-01', %d)", t->db, i);
		it_exec(t, sql);
	}
	assert_true(it_refresh(t, h, NULL));
	assert_true(f->parts.known && f->parts.v >= IT_PARTS);
	assert_string_equal(f->parts_db, t->db);
	assert_string_equal(f->parts_table, "many");
	assert_string_equal(f->parts_partition, "2024-01-01");

	/* the tables view: one row for it, its parts and partitions */
	res = it_view(t, "tables");
	row = it_find_row(res, "table", "many");
	assert_true(row >= 0);
	assert_string_equal(ch_result_str(res, (size_t)row,
	    (size_t)ch_result_col(res, "database")), t->db);
	col = ch_result_col(res, "part_count");
	assert_int_equal(ch_result_uint64(res, (size_t)row, (size_t)col, &n), 0);
	assert_int_equal(n, IT_PARTS);
	col = ch_result_col(res, "partition_count");
	assert_int_equal(ch_result_uint64(res, (size_t)row, (size_t)col, &n), 0);
	assert_int_equal(n, 1);
	col = ch_result_col(res, "total_rows");
	assert_int_equal(ch_result_uint64(res, (size_t)row, (size_t)col, &n), 0);
	assert_int_equal(n, IT_PARTS);
	ch_result_free(res);
	ch_health_free(h);
}

static void
long_cb(struct ch_req *req, void *arg)
{
	struct it_done	*d = arg;

	d->done = 1;
	d->ok = ch_req_error(req)->kind == CH_OK;
}

static void
kill_cb(const struct ch_error *err, const char *outcome, void *arg)
{
	struct it_done	*d = arg;

	d->done = 1;
	d->ok = err == NULL;
	d->text = strdup(err != NULL ? err->message : outcome);
}

/* Polls the running queries view until the query shows; its row. */
static struct ch_result *
it_wait_running(struct it *t, const char *qid, ssize_t *row)
{
	struct ch_result	*res;
	int			 i;

	for (i = 0; i < 50; i++) {
		res = it_view(t, "queries");
		if ((*row = it_find_row(res, "query_id", qid)) >= 0)
			return res;
		ch_result_free(res);
		usleep(100 * 1000);
	}
	fail_msg("query %s never showed in the running queries view", qid);
	return NULL;
}

static void
it_kill_running_query(void **state)
{
	struct it		*t = *state;
	struct ch_setting	 block = { "max_block_size", "1" };
	struct ch_opts		 o;
	struct it_done		 lq, kd;
	struct ch_result	*res;
	ssize_t			 row;
	char			 qid[64], sql[160], *cause = NULL;
	int			 i;

	/* 40 blocks of one row, half a second each: cancellable between */
	snprintf(qid, sizeof qid, "chops-it-long-%ld", (long)getpid());
	memset(&o, 0, sizeof o);
	o.query_id = qid;
	o.settings = &block;
	o.n_settings = 1;
	o.timeout_ms = 60000;
	memset(&lq, 0, sizeof lq);
	ch_query_start(t->c, "SELECT sleep(0.5) FROM system.numbers LIMIT 40",
	    &o, long_cb, &lq);
	res = it_wait_running(t, qid, &row);
	assert_non_null(strstr(ch_result_str(res, (size_t)row,
	    (size_t)ch_result_col(res, "query_text")), "sleep(0.5)"));
	ch_result_free(res);

	/* read-only: refused, and the query goes on */
	assert_int_equal(ch_kill_query_start(t->c, qid, true, kill_cb, &kd,
	    &cause), -1);
	assert_non_null(strstr(cause, "read-only"));
	free(cause);
	snprintf(sql, sizeof sql, "SELECT count() FROM system.processes "
	    "WHERE query_id = '%s'", qid);
	assert_int_equal(it_count(t, sql), 1);

	memset(&kd, 0, sizeof kd);
	assert_int_equal(ch_kill_query_start(t->c, qid, false, kill_cb, &kd,
	    &cause), 0);
	it_wait(t, &kd, 30000);
	if (!kd.ok)
		fail_msg("kill: %s", kd.text);
	assert_non_null(strstr(kd.text, "killed"));
	it_done_clear(&kd);
	for (i = 0; i < 50 && it_count(t, sql) != 0; i++)
		usleep(100 * 1000);
	assert_int_equal(it_count(t, sql), 0);
	it_wait(t, &lq, 10000);
	assert_false(lq.ok);			/* it was cancelled */

	/* again: nothing to kill */
	assert_int_equal(ch_kill_query_start(t->c, qid, false, kill_cb, &kd,
	    &cause), 0);
	it_wait(t, &kd, 30000);
	assert_true(kd.ok);
	assert_non_null(strstr(kd.text, "not running"));
	it_done_clear(&kd);
}

static void
it_views_all(void **state)
{
	struct it		*t = *state;
	struct ch_result	*res;
	size_t			 i;

	/* every view runs on this server, none names a missing column */
	for (i = 0; i < ch_n_views; i++) {
		res = it_view(t, ch_views[i].name);
		assert_true(res->ncols >= 2);
		ch_result_free(res);
	}
}

static int
it_servers(const char *what)
{
	char	*cmd;
	int	 rc;

	cmd = xasprintf("bash '%s/tests/lib/servers.sh' %s >/dev/null 2>&1",
	    it_env("CHOPS_SRCDIR"), what);
	rc = system(cmd);
	free(cmd);
	return rc;
}

static void
it_stopped_server(void **state)
{
	struct it			*t = *state;
	struct ch_health		*h = ch_health_new(t->c);
	const struct ch_health_figs	*f = ch_health_figs(h);
	struct ch_client		*fresh;
	struct ch_health		*h2;
	char				*error = NULL;
	int				 i;

	assert_true(it_refresh(t, h, NULL));
	assert_int_equal(it_servers("stop_clickhouse"), 0);
	assert_false(it_refresh(t, h, &error));
	assert_non_null(error);
	assert_non_null(strstr(error, "refused"));
	free(error);
	assert_non_null(f->version);		/* the last good figures */

	/* a node never seen: down at the capabilities step */
	fresh = it_client(t, it_env("CHOPS_TEST_CH_URL"));
	h2 = ch_health_new(fresh);
	assert_false(it_refresh(t, h2, &error));
	assert_non_null(strstr(error, "refused"));
	assert_null(ch_health_figs(h2)->version);
	free(error);
	ch_free(fresh);
	ch_health_free(h2);

	assert_int_equal(it_servers("restart_clickhouse"), 0);
	for (i = 0; i < 100 && !it_refresh(t, h, NULL); i++)
		usleep(100 * 1000);
	assert_true(f->uptime_s.known);
	ch_health_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(it_health_figures),
		cmocka_unit_test(it_health_parts),
		cmocka_unit_test(it_kill_running_query),
		cmocka_unit_test(it_views_all),
		cmocka_unit_test(it_stopped_server),
	};

	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}

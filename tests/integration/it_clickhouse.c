/*
 * The ClickHouse client against a real server (CHOPS_TEST_CH_URL, users
 * chops/chops-secret and default with an empty password).
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "clickhouse.h"
#include "loop.h"
#include "sql.h"
#include "util.h"
#include "integration/it_env.h"

/* The harness's fixed test credentials (CHOPS_TEST_CH_PASSWORD). */
#define IT_PASSWORD	"chops-secret"

struct it {
	struct loop		*loop;
	struct ch_client	*c;
	char			 db[64];
};

static struct ch_client *
it_client(struct it *t, const char *user, const char *password)
{
	return ch_new(t->loop, it_env("CHOPS_TEST_CH_URL"), user, password,
	    NULL, 10000, 2000);
}

static void
it_exec(struct it *t, const char *sql)
{
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	if (ch_exec(t->c, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

/* The first cell of a one-row answer as an unsigned number. */
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

static int
it_setup(void **state)
{
	struct it	*t = calloc(1, sizeof *t);
	char		 sql[128];

	t->loop = loop_new();
	t->c = it_client(t, "chops", IT_PASSWORD);
	snprintf(t->db, sizeof t->db, "chops_it_%ld", (long)getpid());
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
it_select_typed(void **state)
{
	struct it		*t = *state;
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	uint64_t		 u;
	int64_t			 i;
	double			 d;

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_query(t->c, "SELECT toUInt64(18446744073709551615) "
	    "AS u, toInt64(-9223372036854775808) AS i, 'it''s\\n' AS s, "
	    "NULL AS n, 2.5 AS f, nan AS nn, number AS k FROM numbers(3);",
	    &res, &err), 0);
	assert_int_equal(res->nrows, 3);
	assert_int_equal(res->ncols, 7);
	assert_string_equal(res->cols[0].type, "UInt64");
	assert_int_equal(ch_result_uint64(res, 0, 0, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(ch_result_int64(res, 1, 1, &i), 0);
	assert_true(i == INT64_MIN);
	assert_string_equal(ch_result_str(res, 2, 2), "it's\n");
	assert_true(ch_result_is_null(res, 0, 3));
	assert_int_equal(ch_result_double(res, 0, 4, &d), 0);
	assert_true(d == 2.5);
	assert_int_equal(ch_result_double(res, 0, 5, &d), 0);
	assert_true(d != d);
	assert_int_equal(ch_result_uint64(res, 2, 6, &u), 0);
	assert_int_equal(u, 2);
	ch_result_free(res);
}

static void
it_wrong_password(void **state)
{
	struct it		*t = *state;
	struct ch_client	*c = it_client(t, "chops", "wrong-Pa55word");
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_query(c, "SELECT 1", &res, &err), -1);
	assert_null(res);
	assert_int_equal(err.kind, CH_EAUTH);
	assert_int_equal(err.http_status, 401);
	assert_non_null(strstr(err.message, "authentication failed"));
	assert_null(strstr(err.message, "wrong-Pa55word"));
	assert_null(strstr(err.message, IT_PASSWORD));
	ch_error_clear(&err);
	ch_free(c);
}

static void
it_empty_password(void **state)
{
	struct it		*t = *state;
	struct ch_client	*c = it_client(t, "default", "");
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	if (ch_query(c, "SELECT 'hello'", &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_string_equal(ch_result_str(res, 0, 0), "hello");
	ch_result_free(res);
	ch_free(c);
}

static void
it_server_errors(void **state)
{
	struct it		*t = *state;
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_query(t->c, "SELECT * FROM default.nope", &res,
	    &err), -1);
	assert_int_equal(err.kind, CH_ESERVER);
	assert_int_equal(err.code, 60);
	assert_int_equal(err.http_status, 404);
	assert_non_null(strstr(err.message, "default.nope"));
	assert_non_null(err.query_id);
	ch_error_clear(&err);

	assert_int_equal(ch_exec(t->c, "SELEC 1", &err), -1);
	assert_int_equal(err.kind, CH_ESERVER);
	assert_int_equal(err.code, 62);
	assert_int_equal(err.http_status, 400);
	assert_non_null(strstr(err.message, "Syntax error"));
	ch_error_clear(&err);
}

struct it_sink {
	uint64_t	bytes;
	uint64_t	calls;
	uint64_t	stop_after;	/* 0: never */
	char		last[256];	/* the final bytes seen */
	size_t		nlast;
	struct buf	*keep;		/* collects everything when set */
};

static size_t
it_sink_fn(void *arg, const char *data, size_t len)
{
	struct it_sink	*s = arg;
	size_t		 n = len < sizeof s->last ? len : sizeof s->last;

	if (s->stop_after != 0 && s->bytes >= s->stop_after)
		return 0;
	s->bytes += len;
	s->calls++;
	memcpy(s->last, data + len - n, n);
	s->nlast = n;
	if (s->keep != NULL)
		buf_add(s->keep, data, len);
	return len;
}

static long
it_maxrss_kib(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
it_export_large(void **state)
{
	struct it	*t = *state;
	struct it_sink	 s;
	struct ch_error	 err;
	long		 rss0;

	memset(&s, 0, sizeof s);
	memset(&err, 0, sizeof err);
	rss0 = it_maxrss_kib();
	if (ch_export(t->c, "SELECT number FROM numbers(5000000)", "Native",
	    it_sink_fn, &s, NULL, &err) != 0)
		fail_msg("%s", err.message);
	/* 5e6 UInt64 plus a small header per block */
	assert_true(s.bytes > 40000000 && s.bytes < 40100000);
	assert_true(s.calls > 100);
	/* 40 MB went through; memory grew far less than that */
	if (it_maxrss_kib() - rss0 > 16 * 1024)
		fail_msg("max RSS grew by %ld KiB", it_maxrss_kib() - rss0);
}

static void
it_export_midstream_error(void **state)
{
	struct it		*t = *state;
	struct ch_setting	 set = { "max_block_size", "1000" };
	struct ch_opts		 o;
	struct it_sink		 s;
	struct ch_error		 err;

	memset(&o, 0, sizeof o);
	o.settings = &set;
	o.n_settings = 1;
	memset(&s, 0, sizeof s);
	memset(&err, 0, sizeof err);
	assert_int_equal(ch_export(t->c, "SELECT number, throwIf(number = "
	    "3000000) FROM numbers(10000000)", "Native", it_sink_fn, &s, &o,
	    &err), -1);
	assert_int_equal(err.kind, CH_ESERVER);
	assert_int_equal(err.code, 395);
	assert_true(err.midstream);
	assert_int_equal(err.http_status, 200);
	assert_non_null(strstr(err.message, "throwIf"));
	/* the error came after megabytes; none of its text reached the sink */
	assert_true(s.bytes > 1024 * 1024);
	assert_null(memmem(s.last, s.nlast, "Code:", 5));
	ch_error_clear(&err);
}

static void
it_query_midstream_error(void **state)
{
	struct it		*t = *state;
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_query(t->c, "SELECT number, throwIf(number = "
	    "300000) FROM numbers(1000000) SETTINGS max_block_size = 1000",
	    &res, &err), -1);
	assert_null(res);
	assert_int_equal(err.code, 395);
	assert_true(err.midstream);
	ch_error_clear(&err);
}

static uint64_t	it_running(struct it *, const char *);

struct it_source {
	const struct buf	*data;
	size_t			 off;
};

static ssize_t
it_source_fn(void *arg, char *dst, size_t len)
{
	struct it_source	*src = arg;
	size_t			 n = src->data->len - src->off;

	/* odd chunk sizes on purpose */
	if (n > len)
		n = len;
	if (n > 7777)
		n = 7777;
	memcpy(dst, src->data->data + src->off, n);
	src->off += n;
	return (ssize_t)n;
}

static void
it_sql(struct it *t, struct buf *b, const char *fmt, const char *table)
{
	char	name[128], *cause = NULL;

	snprintf(name, sizeof name, "%s.%s", t->db, table);
	buf_reset(b);
	if (sql_appendf(b, &cause, fmt, name) != 0)
		fail_msg("%s", cause);
}

static void
it_import_roundtrip(void **state)
{
	struct it		*t = *state;
	struct buf		 native = BUF_INIT, sql = BUF_INIT;
	struct it_sink		 s;
	struct it_source	 src;
	struct ch_error		 err;
	uint64_t		 n_src, n_dst, h_src, h_dst;

	it_sql(t, &sql, "CREATE TABLE %T (a UInt64, s String, f Float64, "
	    "n Nullable(UInt32), d Date) ENGINE = MergeTree ORDER BY a", "src");
	it_exec(t, buf_str(&sql));
	it_sql(t, &sql, "INSERT INTO %T SELECT number, concat('row ', "
	    "toString(number), '\\'\\n\\\\'), number / 7, if(number %% 3 = 0, "
	    "NULL, toUInt32(number)), toDate(number %% 20000) "
	    "FROM numbers(300000)", "src");
	it_exec(t, buf_str(&sql));
	it_sql(t, &sql, "SELECT * FROM %T", "src");

	memset(&s, 0, sizeof s);
	memset(&err, 0, sizeof err);
	s.keep = &native;
	if (ch_export(t->c, buf_str(&sql), "Native", it_sink_fn, &s, NULL,
	    &err) != 0)
		fail_msg("%s", err.message);

	buf_reset(&sql);
	assert_int_equal(sql_appendf(&sql, NULL, "CREATE TABLE %I.%I AS %I.%I",
	    t->db, "dst", t->db, "src"), 0);
	it_exec(t, buf_str(&sql));
	it_sql(t, &sql, "INSERT INTO %T FORMAT Native", "dst");
	src.data = &native;
	src.off = 0;
	if (ch_import(t->c, buf_str(&sql), it_source_fn, &src, NULL, &err) != 0)
		fail_msg("%s", err.message);

	it_sql(t, &sql, "SELECT count() FROM %T", "src");
	n_src = it_count(t, buf_str(&sql));
	it_sql(t, &sql, "SELECT count() FROM %T", "dst");
	n_dst = it_count(t, buf_str(&sql));
	it_sql(t, &sql, "SELECT sum(cityHash64(*)) FROM %T", "src");
	h_src = it_count(t, buf_str(&sql));
	it_sql(t, &sql, "SELECT sum(cityHash64(*)) FROM %T", "dst");
	h_dst = it_count(t, buf_str(&sql));
	assert_int_equal(n_src, 300000);
	assert_int_equal(n_dst, n_src);
	assert_true(h_src == h_dst);
	buf_free(&native);
	buf_free(&sql);
}

static void
it_import_bad_data(void **state)
{
	struct it		*t = *state;
	struct buf		 junk = BUF_INIT, sql = BUF_INIT;
	struct it_source	 src;
	struct ch_error		 err;

	it_sql(t, &sql, "CREATE TABLE %T (a UInt64) ENGINE = Memory", "bad");
	it_exec(t, buf_str(&sql));
	buf_addstr(&junk, "this is not Native at all");
	src.data = &junk;
	src.off = 0;
	memset(&err, 0, sizeof err);
	it_sql(t, &sql, "INSERT INTO %T FORMAT Native", "bad");
	assert_int_equal(ch_import(t->c, buf_str(&sql), it_source_fn, &src,
	    NULL, &err), -1);
	assert_int_equal(err.kind, CH_ESERVER);
	assert_true(err.code > 0);
	ch_error_clear(&err);
	buf_free(&junk);
	buf_free(&sql);
}

static ssize_t
it_failing_source(void *arg, char *dst, size_t len)
{
	struct it_source	*src = arg;

	/* valid rows of one UInt64 column, then a read error */
	if (src->off >= 256 * 1024)
		return -1;
	len = len > 8192 ? 8192 : len;
	memset(dst, 0, len);
	src->off += len;
	return (ssize_t)len;
}

static void
it_import_source_fails(void **state)
{
	struct it		*t = *state;
	struct buf		 sql = BUF_INIT;
	struct it_source	 src;
	struct ch_error		 err;
	struct ch_opts		 o;
	char			*qid = ch_new_query_id();

	it_sql(t, &sql, "CREATE TABLE %T (a UInt64) ENGINE = Memory", "part");
	it_exec(t, buf_str(&sql));
	it_sql(t, &sql, "INSERT INTO %T FORMAT RowBinary", "part");
	memset(&src, 0, sizeof src);
	memset(&err, 0, sizeof err);
	memset(&o, 0, sizeof o);
	o.query_id = qid;
	assert_int_equal(ch_import(t->c, buf_str(&sql), it_failing_source,
	    &src, &o, &err), -1);
	assert_int_equal(err.kind, CH_ECONSUMER);
	assert_string_equal(err.query_id, qid);
	assert_non_null(strstr(err.message, "may have been inserted"));
	ch_error_clear(&err);
	assert_int_equal(it_running(t, qid), 0);
	/*
	 * 18.16 takes the cut-off body for the end of the data and keeps what
	 * came before it; never more than was sent.
	 */
	it_sql(t, &sql, "SELECT count() FROM %T", "part");
	assert_true(it_count(t, buf_str(&sql)) <= 256 * 1024 / 8);
	buf_free(&sql);
	free(qid);
}

/* ---------------------------------------------------------------- cancel */

struct it_async {
	int			 done;
	int			 fired;
	struct ch_req		*req;
	enum ch_errkind		 kind;
	int			 code;
	char			*query_id;
};

static void
it_async_done(struct ch_req *req, void *arg)
{
	struct it_async	*a = arg;

	a->kind = ch_req_error(req)->kind;
	a->code = ch_req_error(req)->code;
	a->done = 1;
}

static void
it_cancel_timer(void *arg)
{
	struct it_async	*a = arg;

	ch_req_cancel(a->req);
}

static void
it_flag_timer(void *arg)
{
	*(int *)arg = 1;
}

static uint64_t
it_running(struct it *t, const char *query_id)
{
	struct buf	sql = BUF_INIT;
	uint64_t	n;

	assert_int_equal(sql_appendf(&sql, NULL, "SELECT count() FROM "
	    "system.processes WHERE query_id = %S", query_id), 0);
	n = it_count(t, buf_str(&sql));
	buf_free(&sql);
	return n;
}

/* The query is there while running; wait (bounded) for it to go. */
static void
it_wait_gone(struct it *t, const char *query_id, int64_t within_ms)
{
	int64_t	deadline = util_now_ms() + within_ms;

	while (it_running(t, query_id) != 0) {
		if (util_now_ms() > deadline)
			fail_msg("query %s still running", query_id);
		usleep(50 * 1000);
	}
}

/* Long and silent: the server will not notice a closed connection. */
#define IT_LONG_SQL	"SELECT count() FROM numbers(100000000000000)"

static void
it_cancel_export(void **state)
{
	struct it		*t = *state;
	struct it_sink		 s;
	struct it_async		 a;
	char			*qid;
	int			 running = 0;

	memset(&s, 0, sizeof s);
	memset(&a, 0, sizeof a);
	a.req = ch_export_start(t->c, IT_LONG_SQL, "Native", it_sink_fn, &s,
	    NULL, it_async_done, &a);
	qid = xstrdup(ch_req_query_id(a.req));
	loop_timer_add(t->loop, 700, it_flag_timer, &running);
	loop_run_until(t->loop, &running);
	/* it really runs on the server */
	assert_int_equal(it_running(t, qid), 1);
	loop_timer_add(t->loop, 0, it_cancel_timer, &a);
	loop_run_until(t->loop, &a.done);
	assert_int_equal(a.kind, CH_ECANCELLED);
	/* the KILL is under way: the query goes away */
	it_wait_gone(t, qid, 5000);
	free(qid);
}

static void
it_cancel_by_id(void **state)
{
	struct it	*t = *state;
	struct it_sink	 s;
	struct it_async	 a;
	struct ch_opts	 o;
	struct ch_error	 err;
	char		*qid = ch_new_query_id();
	int		 running = 0;

	memset(&s, 0, sizeof s);
	memset(&a, 0, sizeof a);
	memset(&o, 0, sizeof o);
	o.query_id = qid;
	a.req = ch_export_start(t->c, IT_LONG_SQL, "Native", it_sink_fn, &s,
	    &o, it_async_done, &a);
	assert_string_equal(ch_req_query_id(a.req), qid);
	loop_timer_add(t->loop, 500, it_flag_timer, &running);
	loop_run_until(t->loop, &running);
	memset(&err, 0, sizeof err);
	if (ch_cancel(t->c, qid, &err) != 0)
		fail_msg("%s", err.message);
	/* gone right after the synchronous cancel */
	assert_int_equal(it_running(t, qid), 0);
	loop_run_until(t->loop, &a.done);
	/* the export ends with the server's "cancelled" exception */
	assert_int_equal(a.kind, CH_ESERVER);
	assert_int_equal(a.code, 394);
	free(qid);
}

static void
it_consumer_stops(void **state)
{
	struct it	*t = *state;
	struct it_sink	 s;
	struct ch_error	 err;
	struct ch_opts	 o;
	char		*qid = ch_new_query_id();

	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	memset(&err, 0, sizeof err);
	s.stop_after = 1024 * 1024;
	o.query_id = qid;
	assert_int_equal(ch_export(t->c, "SELECT number FROM system.numbers",
	    "Native", it_sink_fn, &s, &o, &err), -1);
	assert_int_equal(err.kind, CH_ECONSUMER);
	assert_string_equal(err.query_id, qid);
	ch_error_clear(&err);
	/* the synchronous call waited for the KILL */
	assert_int_equal(it_running(t, qid), 0);
	free(qid);
}

/* ---------------------------------------------------------------- pause */

struct it_pausing {
	struct it_sink	 s;
	struct ch_req	*req;
	struct loop	*loop;
	uint64_t	 pauses;
	bool		 paused;
	int		 done;
	enum ch_errkind	 kind;
};

static void
it_resume_timer(void *arg)
{
	struct it_pausing	*p = arg;

	p->paused = false;
	ch_req_resume(p->req);
}

/* Pauses every third call; a timer resumes it a moment later. */
static size_t
it_pausing_sink(void *arg, const char *data, size_t len)
{
	struct it_pausing	*p = arg;

	assert_false(p->paused);
	if ((p->s.calls + p->pauses) % 3 == 2) {
		p->pauses++;
		p->paused = true;
		loop_timer_add(p->loop, 1, it_resume_timer, p);
		return HTTP_SINK_PAUSE;
	}
	return it_sink_fn(&p->s, data, len);
}

static void
it_pausing_done(struct ch_req *req, void *arg)
{
	struct it_pausing	*p = arg;

	p->kind = ch_req_error(req)->kind;
	p->done = 1;
}

static void
it_export_pause(void **state)
{
	struct it		*t = *state;
	struct it_pausing	 p;
	struct it_sink		 plain;
	struct ch_error		 err;
	const char		*sql = "SELECT number, toString(number) "
				    "FROM numbers(300000)";

	memset(&plain, 0, sizeof plain);
	memset(&err, 0, sizeof err);
	if (ch_export(t->c, sql, "Native", it_sink_fn, &plain, NULL, &err) != 0)
		fail_msg("%s", err.message);
	memset(&p, 0, sizeof p);
	p.loop = t->loop;
	p.req = ch_export_start(t->c, sql, "Native", it_pausing_sink, &p, NULL,
	    it_pausing_done, &p);
	loop_run_until(t->loop, &p.done);
	assert_int_equal(p.kind, CH_OK);
	assert_true(p.pauses > 10);
	/* the same bytes, in the same order at the end */
	assert_true(p.s.bytes == plain.bytes);
	assert_memory_equal(p.s.last + p.s.nlast - 64,
	    plain.last + plain.nlast - 64, 64);
}

struct it_rows {
	int			 done;
	struct ch_result	*res;
	char			*query_id;
};

static void
it_rows_done(struct ch_req *req, void *arg)
{
	struct it_rows	*r = arg;

	assert_int_equal(ch_req_error(req)->kind, CH_OK);
	r->res = ch_req_take_result(req);
	r->query_id = xstrdup(ch_req_query_id(req));
	r->done = 1;
}

static void
it_async_query(void **state)
{
	struct it	*t = *state;
	struct it_rows	 a, b;
	struct ch_opts	 o;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&o, 0, sizeof o);
	o.database = "system";
	/* two at once on the one loop */
	ch_query_start(t->c, "SELECT name FROM settings LIMIT 1", &o,
	    it_rows_done, &a);
	ch_query_start(t->c, "SELECT sum(number) FROM numbers(1000)", NULL,
	    it_rows_done, &b);
	loop_run_until(t->loop, &a.done);
	loop_run_until(t->loop, &b.done);
	assert_int_equal(a.res->nrows, 1);
	assert_string_equal(ch_result_str(b.res, 0, 0), "499500");
	assert_string_not_equal(a.query_id, b.query_id);
	assert_memory_equal(a.query_id, "chops-", 6);
	ch_result_free(a.res);
	ch_result_free(b.res);
	free(a.query_id);
	free(b.query_id);
}

/* ---------------------------------------------------------------- network */

static int
it_listen(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
it_connection_refused(void **state)
{
	struct it		*t = *state;
	struct ch_client	*c;
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	char			 url[64];
	int			 fd, port;
	int64_t			 t0;

	fd = it_listen(&port);
	close(fd);	/* nothing listens there now */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	c = ch_new(t->loop, url, "chops", IT_PASSWORD, NULL, 3000, 1000);
	memset(&err, 0, sizeof err);
	t0 = util_now_ms();
	assert_int_equal(ch_query(c, "SELECT 1", &res, &err), -1);
	assert_true(util_now_ms() - t0 < 3000);
	assert_int_equal(err.kind, CH_ETRANSPORT);
	assert_int_equal(err.http_status, 0);
	assert_non_null(strstr(err.message, url));
	assert_non_null(strstr(err.message, "refused"));
	assert_null(strstr(err.message, IT_PASSWORD));
	ch_error_clear(&err);
	ch_free(c);
}

static void
it_never_answers(void **state)
{
	struct it		*t = *state;
	struct ch_client	*c;
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	char			 url[64];
	int			 fd, port;
	int64_t			 t0, took;

	fd = it_listen(&port);	/* accepts connections, never answers */
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	c = ch_new(t->loop, url, "chops", IT_PASSWORD, NULL, 1000, 1000);
	memset(&err, 0, sizeof err);
	t0 = util_now_ms();
	assert_int_equal(ch_query(c, "SELECT 1", &res, &err), -1);
	took = util_now_ms() - t0;
	assert_true(took >= 900 && took < 3000);
	assert_int_equal(err.kind, CH_ETIMEOUT);
	assert_non_null(strstr(err.message, "127.0.0.1"));
	ch_error_clear(&err);
	ch_free(c);
	close(fd);
}

static void
it_caps(void **state)
{
	struct it		*t = *state;
	const struct ch_caps	*caps;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	caps = ch_caps(t->c, &err);
	if (caps == NULL)
		fail_msg("%s", err.message);
	assert_non_null(caps->version);
	assert_true(caps->uptime_s >= 0);
	assert_true(ch_caps_has_table(caps, "processes"));
	assert_true(ch_caps_has_format(caps, "Native"));
	assert_true(ch_caps_has_function(caps, "numbers"));
	/* read once */
	assert_ptr_equal(ch_caps(t->c, NULL), caps);
	if (strncmp(caps->version, "18.", 3) == 0) {
		assert_false(caps->has_s3);
		assert_false(caps->has_parquet);
		assert_false(caps->has_disks);
		assert_false(caps->has_errors);
		assert_false(caps->has_kafka_consumers);
		assert_false(caps->has_backups);
		assert_false(ch_caps_has_table(caps, "disks"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(it_select_typed),
		cmocka_unit_test(it_wrong_password),
		cmocka_unit_test(it_empty_password),
		cmocka_unit_test(it_server_errors),
		cmocka_unit_test(it_export_large),
		cmocka_unit_test(it_export_midstream_error),
		cmocka_unit_test(it_query_midstream_error),
		cmocka_unit_test(it_import_roundtrip),
		cmocka_unit_test(it_import_bad_data),
		cmocka_unit_test(it_import_source_fails),
		cmocka_unit_test(it_cancel_export),
		cmocka_unit_test(it_cancel_by_id),
		cmocka_unit_test(it_consumer_stops),
		cmocka_unit_test(it_export_pause),
		cmocka_unit_test(it_async_query),
		cmocka_unit_test(it_connection_refused),
		cmocka_unit_test(it_never_answers),
		cmocka_unit_test(it_caps),
	};

	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}

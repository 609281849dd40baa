/*
 * The Prometheus client and the lag model against a real Prometheus
 * (CHOPS_TEST_PROM_URL) scraping a static server every second as job
 * "kafka" (CHOPS_TEST_EXPORTER_URL, serving CHOPS_TEST_EXPORTER_DIR/metrics)
 * plus a job "broken" whose target is down. Tests change the served data by
 * replacing the metrics file atomically, and put sample_t0 back at the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "lag.h"
#include "loop.h"
#include "prom_api.h"
#include "util.h"
#include "integration/it_env.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

#define IT_WAIT_MS	30000	/* for a scrape to show up (1 s interval) */
#define IT_MATCHERS	"job=\"kafka\""

struct it {
	struct loop		*loop;
	struct prom_client	*c;
	const char		*exporter;
};

static void
it_read(const char *rel, struct buf *b)
{
	char	 path[1024], chunk[8192];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "%s/%s", TEST_FIXTURES, rel);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

/* Serves new data: write a temp file beside it, then rename over it. */
static void
it_serve(const char *data, size_t len)
{
	const char	*dir = it_env("CHOPS_TEST_EXPORTER_DIR");
	char		 tmp[1024], path[1024];
	FILE		*f;

	snprintf(tmp, sizeof tmp, "%s/.metrics.%ld", dir, (long)getpid());
	snprintf(path, sizeof path, "%s/metrics", dir);
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void
it_serve_fixture(const char *rel)
{
	struct buf	b = BUF_INIT;

	it_read(rel, &b);
	it_serve(b.data, b.len);
	buf_free(&b);
}

/* A fixture without the lines containing `drop`. */
static void
it_serve_without(const char *rel, const char *drop)
{
	struct buf	 in = BUF_INIT, out = BUF_INIT;
	char		*line, *next;

	it_read(rel, &in);
	for (line = in.data; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (memmem(line, (size_t)(next - line), drop,
		    strlen(drop)) == NULL)
			buf_add(&out, line, (size_t)(next - line));
	}
	it_serve(out.data, out.len);
	buf_free(&in);
	buf_free(&out);
}

static void
it_dump(const struct lag_snapshot *s, struct buf *b)
{
	buf_reset(b);
	lag_snapshot_dump(b, s);
}

static struct lag_snapshot *
it_from_exporter(struct it *t)
{
	struct lag_snapshot	*s;
	char			*cause = NULL;

	s = lag_fetch_exporter(t->loop, t->exporter, 10000, NULL, &cause);
	if (s == NULL)
		fail_msg("exporter: %s", cause);
	return s;
}

static struct lag_snapshot *
it_from_prometheus(struct it *t)
{
	struct lag_snapshot	*s;
	char			*cause = NULL;

	s = lag_fetch_prometheus(t->c, IT_MATCHERS, &cause);
	if (s == NULL)
		fail_msg("prometheus: %s", cause);
	return s;
}

/*
 * Waits until Prometheus's view equals a direct scrape of the exporter;
 * returns that dump in `out`.
 */
static void
it_wait_agree(struct it *t, struct buf *out)
{
	struct lag_snapshot	*se, *sp;
	struct buf		 dp = BUF_INIT;
	int64_t			 end = util_now_ms() + IT_WAIT_MS;

	se = it_from_exporter(t);
	it_dump(se, out);
	lag_snapshot_free(se);
	for (;;) {
		sp = it_from_prometheus(t);
		it_dump(sp, &dp);
		lag_snapshot_free(sp);
		if (strcmp(buf_str(&dp), buf_str(out)) == 0)
			break;
		if (util_now_ms() > end)
			fail_msg("Prometheus never agreed with the exporter:\n"
			    "%s\nvs exporter:\n%s", buf_str(&dp), buf_str(out));
		usleep(200 * 1000);
	}
	buf_free(&dp);
}

static int
it_setup(void **state)
{
	struct it	*t = calloc(1, sizeof *t);
	struct buf	 d = BUF_INIT;

	t->loop = loop_new();
	t->c = prom_client_new(t->loop, it_env("CHOPS_TEST_PROM_URL"), 10000,
	    NULL);
	t->exporter = it_env("CHOPS_TEST_EXPORTER_URL");
	it_serve_fixture("kafka_exporter/sample_t0.prom");
	it_wait_agree(t, &d);
	buf_free(&d);
	*state = t;
	return 0;
}

static int
it_teardown(void **state)
{
	struct it	*t = *state;

	it_serve_fixture("kafka_exporter/sample_t0.prom");
	prom_client_free(t->c);
	loop_free(t->loop);
	free(t);
	return 0;
}

static const struct prom_target *
it_target(const struct prom_reply *r, const char *job)
{
	size_t	i;

	for (i = 0; i < r->n_targets; i++) {
		if (strcmp(r->targets[i].job, job) == 0)
			return &r->targets[i];
	}
	fail_msg("no target for job %s", job);
	return NULL;
}

/* Targets until both jobs have been scraped at least once. */
static struct prom_reply *
it_targets_scraped(struct it *t)
{
	struct prom_reply	*r;
	int64_t			 end = util_now_ms() + IT_WAIT_MS;

	for (;;) {
		r = prom_targets(t->c);
		if (r->status != PROM_OK)
			fail_msg("targets: %s", r->error);
		if (it_target(r, "kafka")->health != PROM_HEALTH_UNKNOWN &&
		    it_target(r, "broken")->health != PROM_HEALTH_UNKNOWN)
			return r;
		assert_true(util_now_ms() < end);
		prom_reply_free(r);
		usleep(200 * 1000);
	}
}

static void
it_targets(void **state)
{
	struct it			*t = *state;
	struct prom_reply		*r = it_targets_scraped(t);
	const struct prom_target	*k, *b;
	char				 url[256];

	k = it_target(r, "kafka");
	assert_int_equal(k->health, PROM_HEALTH_UP);
	assert_string_equal(k->last_error, "");
	assert_string_equal(k->scrape_url, t->exporter);
	assert_string_equal(k->scrape_pool, "kafka");
	assert_true(k->last_scrape_ms > util_wall_ms() - 60000);
	assert_true(k->last_scrape_duration_s >= 0);
	b = it_target(r, "broken");
	assert_int_equal(b->health, PROM_HEALTH_DOWN);
	assert_string_equal(b->instance,
	    it_env("CHOPS_TEST_PROM_BROKEN_TARGET"));
	snprintf(url, sizeof url, "http://%s/metrics",
	    it_env("CHOPS_TEST_PROM_BROKEN_TARGET"));
	assert_string_equal(b->scrape_url, url);
	assert_non_null(strstr(b->last_error, "connection refused"));
	prom_reply_free(r);
}

static void
it_instant_vector(void **state)
{
	struct it		*t = *state;
	struct prom_reply	*r;

	r = prom_query(t->c, "kafka_consumergroup_lag{consumergroup="
	    "\"clickhouse_posting\",partition=\"7\"}", 0);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->http_status, 200);
	assert_int_equal(r->type, PROM_RESULT_VECTOR);
	assert_int_equal(r->n_series, 1);
	assert_string_equal(prom_series_label(&r->series[0], "job"), "kafka");
	assert_string_equal(prom_series_label(&r->series[0], "topic"),
	    "posting_data");
	assert_true(r->series[0].points[0].v == 18466.0);
	assert_true(llabs(r->series[0].points[0].t_ms - util_wall_ms()) <
	    60000);
	prom_reply_free(r);

	/* the down target's series: up is 0 */
	r = prom_query(t->c, "up{job=\"broken\"}", 0);
	assert_int_equal(r->n_series, 1);
	assert_true(r->series[0].points[0].v == 0.0);
	prom_reply_free(r);

	/* nothing matches: an empty vector, not an error and not zero */
	r = prom_query(t->c, "kafka_consumergroup_lag{consumergroup=\"nope\"}",
	    0);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->n_series, 0);
	prom_reply_free(r);

	r = prom_query(t->c, "-1/0", 0);
	assert_int_equal(r->type, PROM_RESULT_SCALAR);
	assert_true(isinf(r->series[0].points[0].v));
	prom_reply_free(r);
}

static void
it_range_matrix(void **state)
{
	struct it		*t = *state;
	struct prom_reply	*r;
	int64_t			 now, end = util_now_ms() + IT_WAIT_MS;

	for (;;) {
		now = util_wall_ms();
		r = prom_query_range(t->c, "kafka_brokers", now - 10000, now,
		    1000);
		assert_int_equal(r->status, PROM_OK);
		assert_int_equal(r->type, PROM_RESULT_MATRIX);
		if (r->n_series == 1 && r->series[0].n_points >= 3)
			break;
		assert_true(util_now_ms() < end);
		prom_reply_free(r);
		usleep(500 * 1000);
	}
	assert_true(r->series[0].points[0].v == 3.0);
	assert_int_equal(r->series[0].points[1].t_ms -
	    r->series[0].points[0].t_ms, 1000);
	assert_true(r->series[0].points[r->series[0].n_points - 1].t_ms <=
	    now);
	prom_reply_free(r);
}

static void
it_api_errors(void **state)
{
	struct it		*t = *state;
	struct prom_reply	*r;
	int64_t			 now = util_wall_ms();

	r = prom_query(t->c, "sum(kafka_consumergroup_lag", 0);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_int_equal(r->http_status, 400);
	assert_string_equal(r->error_type, "bad_data");
	assert_non_null(strstr(r->error, "parse error"));
	assert_non_null(strstr(r->error, it_env("CHOPS_TEST_PROM_URL")));
	assert_int_equal(r->n_series, 0);
	prom_reply_free(r);

	r = prom_query_range(t->c, "up", now - 1000, now, 0);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_string_equal(r->error_type, "bad_data");
	assert_non_null(strstr(r->error, "step"));
	prom_reply_free(r);

	r = prom_query(t->c, "kafka_consumergroup_lag + on() "
	    "kafka_consumergroup_lag", 0);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_int_equal(r->http_status, 422);
	assert_string_equal(r->error_type, "execution");
	prom_reply_free(r);
}

static void
it_prometheus_down(void **state)
{
	struct it		*t = *state;
	struct prom_client	*c;
	struct prom_reply	*r;
	struct lag_snapshot	*s;
	char			 url[256], *cause = NULL;

	snprintf(url, sizeof url, "http://%s/",
	    it_env("CHOPS_TEST_PROM_BROKEN_TARGET"));
	c = prom_client_new(t->loop, url, 3000, NULL);
	r = prom_query(c, "up", 0);
	assert_int_equal(r->status, PROM_ERR_TRANSPORT);
	assert_int_equal(r->http_status, 0);
	assert_non_null(strstr(r->error, "refused"));
	prom_reply_free(r);
	s = lag_fetch_prometheus(c, NULL, &cause);
	assert_null(s);
	assert_non_null(strstr(cause, "refused"));
	free(cause);
	prom_client_free(c);

	/* not Prometheus at all: the exporter answers 404 for the API */
	snprintf(url, sizeof url, "%.*s", (int)(strlen(t->exporter) -
	    strlen("/metrics")), t->exporter);
	c = prom_client_new(t->loop, url, 3000, NULL);
	r = prom_targets(c);
	assert_int_equal(r->status, PROM_ERR_HTTP);
	assert_int_equal(r->http_status, 404);
	assert_non_null(strstr(r->error, "HTTP 404"));
	prom_reply_free(r);
	prom_client_free(c);
}

/* The same file, through Prometheus and scraped directly: same model. */
static void
it_lag_both_ways(void **state)
{
	struct it		*t = *state;
	struct lag_snapshot	*s;
	struct buf		 d = BUF_INIT;
	const struct lag_group	*g;

	it_wait_agree(t, &d);
	assert_non_null(strstr(buf_str(&d), "group - clickhouse_posting "
	    "members=3 lag=23300 partitions=12 known=12 no_commit=0 "
	    "unknown=0\n"));
	s = it_from_prometheus(t);
	g = lag_find_group(s, NULL, "audit_sink");
	assert_non_null(g);
	assert_int_equal(g->totals.lag.v, 7008724);
	assert_true(llabs(s->wall_ms - util_wall_ms()) < 60000);
	lag_snapshot_free(s);
	buf_free(&d);
}

static void
it_exporter_errors(void **state)
{
	struct it		*t = *state;
	struct lag_snapshot	*s;
	char			 url[512], *cause = NULL;

	snprintf(url, sizeof url, "http://%s/metrics",
	    it_env("CHOPS_TEST_PROM_BROKEN_TARGET"));
	s = lag_fetch_exporter(t->loop, url, 3000, NULL, &cause);
	assert_null(s);
	assert_non_null(strstr(cause, url));
	assert_non_null(strstr(cause, "refused"));
	free(cause);

	snprintf(url, sizeof url, "%s.missing", t->exporter);
	s = lag_fetch_exporter(t->loop, url, 3000, NULL, &cause);
	assert_null(s);
	assert_non_null(strstr(cause, "HTTP 404"));
	assert_non_null(strstr(cause, url));
	free(cause);
}

/* One bad line fails the scrape for Prometheus and for us alike. */
static void
it_exporter_malformed(void **state)
{
	struct it		*t = *state;
	struct lag_snapshot	*s;
	struct prom_reply	*r;
	struct buf		 b = BUF_INIT;
	char			*cause = NULL;
	int64_t			 end = util_now_ms() + IT_WAIT_MS;

	it_read("kafka_exporter/sample_t0.prom", &b);
	buf_addstr(&b, "kafka_consumergroup_lag{consumergroup=\"x\" 1\n");
	it_serve(b.data, b.len);
	s = lag_fetch_exporter(t->loop, t->exporter, 3000, NULL, &cause);
	assert_null(s);
	assert_non_null(strstr(cause, "line 234: expected ',' or '}'"));
	free(cause);
	for (;;) {
		r = prom_targets(t->c);
		if (it_target(r, "kafka")->health == PROM_HEALTH_DOWN)
			break;
		assert_true(util_now_ms() < end);
		prom_reply_free(r);
		usleep(200 * 1000);
	}
	assert_true(*it_target(r, "kafka")->last_error != '\0');
	prom_reply_free(r);
	buf_free(&b);
	it_serve_fixture("kafka_exporter/sample_t0.prom");
	it_wait_agree(t, &b);
	buf_free(&b);
}

static void
it_swap_to_t1(void **state)
{
	struct it		*t = *state;
	struct lag_snapshot	*s0, *s1;
	struct buf		 d = BUF_INIT;
	const struct lag_group	*g;

	s0 = it_from_prometheus(t);
	it_serve_fixture("kafka_exporter/sample_t1.prom");
	it_wait_agree(t, &d);
	s1 = it_from_prometheus(t);
	g = lag_find_group(s1, NULL, "clickhouse_posting");
	assert_int_equal(lag_find_partition(lag_find_topic(g, "posting_data"),
	    0)->lag.v, 397);
	assert_int_equal(lag_find_group(s0, NULL, "clickhouse_posting")->
	    totals.lag.v, 23300);
	assert_true(g->totals.lag.v != 23300);
	/* rates between the two views are known and positive */
	lag_rates(s1, s0);
	assert_true(s1->wall_ms > s0->wall_ms);
	g = lag_find_group(s1, NULL, "audit_sink");
	assert_true(g->totals.consume.known);
	assert_true(g->totals.consume.v > 0);
	assert_true(g->totals.produce.v > g->totals.consume.v);
	lag_snapshot_free(s0);
	lag_snapshot_free(s1);
	buf_free(&d);
}

static void
it_removed_partition_unknown(void **state)
{
	struct it			*t = *state;
	struct lag_snapshot		*s;
	struct buf			 d = BUF_INIT;
	const struct lag_group		*g;
	const struct lag_partition	*p;

	it_serve_without("kafka_exporter/sample_t1.prom",
	    "consumergroup=\"clickhouse_posting\",partition=\"3\"");
	it_wait_agree(t, &d);
	s = it_from_prometheus(t);
	g = lag_find_group(s, NULL, "clickhouse_posting");
	p = lag_find_partition(lag_find_topic(g, "posting_data"), 3);
	assert_non_null(p);
	assert_false(p->lag.known);
	assert_false(p->committed.known);
	assert_true(p->log_end.known);
	assert_true(g->totals.partial);
	assert_int_equal(g->totals.n_unknown, 1);
	assert_non_null(strstr(buf_str(&d), "  posting_data 3 lag=? "
	    "committed=? log_end="));
	lag_snapshot_free(s);
	buf_free(&d);
}

struct it_async {
	int			 n;
	struct lag_snapshot	*s[2];
};

static void
it_async_done(struct lag_snapshot *s, const char *error, void *arg)
{
	struct it_async	*a = arg;

	if (s == NULL)
		fail_msg("async fetch: %s", error);
	a->s[a->n++] = s;
}

static void
it_never_called(struct lag_snapshot *s, const char *error, void *arg)
{
	fail_msg("a cancelled fetch called back");
}

/* Both sources at once on one loop; a cancelled fetch stays silent. */
static void
it_async_and_cancel(void **state)
{
	struct it		*t = *state;
	struct it_async		 a;
	struct lag_fetch	*f;
	int64_t			 end;

	memset(&a, 0, sizeof a);
	lag_fetch_exporter_start(t->loop, t->exporter, 10000, NULL,
	    it_async_done, &a);
	lag_fetch_prometheus_start(t->c, NULL, it_async_done, &a);
	f = lag_fetch_prometheus_start(t->c, NULL, it_never_called, NULL);
	lag_fetch_cancel(f);
	f = lag_fetch_exporter_start(t->loop, t->exporter, 10000, NULL,
	    it_never_called, NULL);
	lag_fetch_cancel(f);
	end = util_now_ms() + 10000;
	while (a.n < 2 && util_now_ms() < end)
		loop_once(t->loop, -1, 100);
	assert_int_equal(a.n, 2);
	assert_int_equal(loop_active(t->loop), 0);
	assert_true(a.s[0]->n_groups == 2 && a.s[1]->n_groups == 2);
	lag_snapshot_free(a.s[0]);
	lag_snapshot_free(a.s[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(it_targets),
		cmocka_unit_test(it_instant_vector),
		cmocka_unit_test(it_range_matrix),
		cmocka_unit_test(it_api_errors),
		cmocka_unit_test(it_prometheus_down),
		cmocka_unit_test(it_lag_both_ways),
		cmocka_unit_test(it_exporter_errors),
		cmocka_unit_test(it_exporter_malformed),
		cmocka_unit_test(it_async_and_cancel),
		cmocka_unit_test(it_swap_to_t1),
		cmocka_unit_test(it_removed_partition_unknown),
	};

	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lag.h"
#include "prom_api.h"
#include "prom_text.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

static void
read_fixture(const char *rel, struct buf *b)
{
	char	 path[1024], chunk[8192];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "%s/%s", TEST_FIXTURES, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

static struct lag_snapshot *
snapshot_of(const char *rel, int64_t wall_ms)
{
	struct buf		 in = BUF_INIT;
	struct lag_snapshot	*s;
	char			*cause = NULL;

	read_fixture(rel, &in);
	s = lag_from_exposition(in.data, in.len, wall_ms, &cause);
	assert_null(cause);
	assert_non_null(s);
	buf_free(&in);
	return s;
}

/* Drops every line containing all of the given fragments. */
static struct lag_snapshot *
snapshot_without(const char *rel, const char *a, const char *b)
{
	struct buf		 in = BUF_INIT, out = BUF_INIT;
	struct lag_snapshot	*s;
	char			*line, *next, *cause = NULL;

	read_fixture(rel, &in);
	for (line = in.data; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strstr(line, a) != NULL && strstr(line, b) != NULL &&
		    strstr(line, a) < next && strstr(line, b) < next)
			continue;
		buf_add(&out, line, (size_t)(next - line));
	}
	s = lag_from_exposition(out.data, out.len, 0, &cause);
	assert_non_null(s);
	buf_free(&in);
	buf_free(&out);
	return s;
}

/* The exporter's own per-topic sums, to check ours against. */
struct sums {
	double	lag[2];
	double	committed[2];
};

static int
sums_cb(const struct prom_sample *sm, void *arg)
{
	struct sums	*s = arg;
	const char	*g = prom_sample_label(sm, "consumergroup");
	int		 i;

	if (g == NULL)
		return 0;
	i = strcmp(g, "audit_sink") == 0 ? 0 : 1;
	if (strcmp(sm->name, "kafka_consumergroup_lag_sum") == 0)
		s->lag[i] = sm->value;
	if (strcmp(sm->name, "kafka_consumergroup_current_offset_sum") == 0)
		s->committed[i] = sm->value;
	return 0;
}

static void
exporter_sums(const char *rel, struct sums *s)
{
	struct buf	in = BUF_INIT;

	read_fixture(rel, &in);
	assert_int_equal(prom_parse_buffer(in.data, in.len, sums_cb, s, NULL),
	    0);
	buf_free(&in);
}

static void
test_fixture_model(void **state)
{
	struct lag_snapshot		*s = snapshot_of(
	    "kafka_exporter/sample_t0.prom", 1000);
	const struct lag_group		*g;
	const struct lag_topic		*t;
	const struct lag_partition	*p;
	const struct lag_topic_info	*ti;
	struct sums			 sums;
	int64_t				 sum = 0;
	size_t				 i;

	exporter_sums("kafka_exporter/sample_t0.prom", &sums);
	assert_int_equal(s->n_groups, 2);
	assert_int_equal(s->n_topics, 2);
	assert_int_equal(s->n_ignored, 0);
	assert_int_equal(s->wall_ms, 1000);
	g = lag_find_group(s, NULL, "clickhouse_posting");
	assert_non_null(g);
	assert_string_equal(g->cluster, "");
	assert_true(g->members.known);
	assert_int_equal(g->members.v, 3);
	assert_int_equal(g->n_topics, 1);
	t = lag_find_topic(g, "posting_data");
	assert_non_null(t);
	assert_int_equal(t->n_parts, 12);
	for (i = 0; i < t->n_parts; i++) {
		p = &t->parts[i];
		assert_int_equal(p->partition, (int32_t)i);	/* numeric order */
		assert_true(p->lag.known && p->committed.known &&
		    p->log_end.known);
		assert_false(p->no_commit);
		assert_int_equal(p->lag.v, p->log_end.v - p->committed.v);
		sum += p->lag.v;
	}
	/* group total = sum of partitions = the exporter's own _sum */
	assert_true(g->totals.lag.known);
	assert_int_equal(g->totals.lag.v, sum);
	assert_int_equal(g->totals.lag.v, 23300);
	assert_true((double)g->totals.lag.v == sums.lag[1]);
	assert_int_equal(t->totals.lag.v, 23300);
	assert_false(g->totals.partial);
	assert_int_equal(g->totals.n_known, 12);
	assert_int_equal(g->totals.max_partition, 7);
	assert_int_equal(g->totals.max_lag.v, 18466);
	p = lag_find_partition(t, 7);
	assert_int_equal(p->committed.v, 48226236);
	assert_int_equal(p->log_end.v, 48244702);
	assert_null(lag_find_partition(t, 12));
	g = lag_find_group(s, "", "audit_sink");
	assert_int_equal(g->totals.lag.v, 7008724);
	assert_true((double)g->totals.lag.v == sums.lag[0]);
	ti = lag_find_topic_info(s, NULL, "posting_data");
	assert_non_null(ti);
	assert_true(ti->n_partitions.known);
	assert_int_equal(ti->n_partitions.v, 12);
	assert_int_equal(lag_find_tpart(ti, 0)->log_end.v, 48213377);
	assert_int_equal(lag_find_tpart(ti, 0)->oldest.v, 41022918);
	assert_null(lag_find_group(s, NULL, "nope"));
	assert_null(lag_find_group(s, "eu", "audit_sink"));
	assert_false(s->has_rates);
	lag_snapshot_free(s);
}

static void
test_unknown_and_no_commit(void **state)
{
	struct lag_snapshot		*s = snapshot_of("prom/kafka_edge.prom",
	    0);
	const struct lag_group		*g;
	const struct lag_topic		*t;
	const struct lag_partition	*p;

	assert_int_equal(s->n_groups, 3);
	assert_null(lag_find_group(s, NULL, "fresh"));

	/* -1: no committed offset, kept apart, not summed */
	g = lag_find_group(s, "eu", "fresh");
	assert_non_null(g);
	t = lag_find_topic(g, "orders");
	p = lag_find_partition(t, 0);
	assert_true(p->no_commit);
	assert_false(p->lag.known);
	assert_false(p->committed.known);
	assert_true(p->log_end.known);
	assert_int_equal(p->log_end.v, 1000);
	assert_int_equal(g->totals.lag.v, 500);
	assert_true(g->totals.partial);
	assert_int_equal(g->totals.n_no_commit, 1);
	assert_int_equal(g->totals.n_known, 2);
	assert_int_equal(g->totals.n_unknown, 0);
	assert_int_equal(g->members.v, 2);

	/* partitions the topic has but the group has no series for */
	g = lag_find_group(s, "eu", "idle");
	t = lag_find_topic(g, "orders");
	assert_int_equal(t->n_parts, 3);
	p = lag_find_partition(t, 2);
	assert_non_null(p);
	assert_false(p->lag.known);
	assert_false(p->committed.known);
	assert_false(p->no_commit);
	assert_int_equal(p->log_end.v, 1500000);
	assert_true(g->totals.lag.known);
	assert_int_equal(g->totals.lag.v, 0);
	assert_true(g->totals.partial);
	assert_int_equal(g->totals.n_unknown, 2);
	/* zero members is known zero, not unknown */
	assert_true(g->members.known);
	assert_int_equal(g->members.v, 0);

	/* same group name, other cluster */
	g = lag_find_group(s, "us", "fresh");
	assert_int_equal(g->totals.lag.v, 7);
	assert_false(g->totals.partial);
	assert_int_equal(lag_find_topic_info(s, "us", "orders")->n_parts, 1);
	lag_snapshot_free(s);
}

static void
test_removed_series_is_unknown(void **state)
{
	struct lag_snapshot		*s;
	const struct lag_group		*g;
	const struct lag_partition	*p;

	s = snapshot_without("kafka_exporter/sample_t0.prom",
	    "consumergroup=\"clickhouse_posting\",partition=\"3\"", "");
	g = lag_find_group(s, NULL, "clickhouse_posting");
	p = lag_find_partition(lag_find_topic(g, "posting_data"), 3);
	assert_non_null(p);
	assert_false(p->lag.known);
	assert_false(p->committed.known);
	assert_false(p->no_commit);
	assert_true(p->log_end.known);
	assert_int_equal(g->totals.lag.v, 23300 - 95);
	assert_true(g->totals.partial);
	assert_int_equal(g->totals.n_unknown, 1);
	lag_snapshot_free(s);

	/* only the lag line gone: still unknown lag, never derived 0 */
	s = snapshot_without("kafka_exporter/sample_t0.prom",
	    "kafka_consumergroup_lag{", "partition=\"4\",topic=\"posting");
	g = lag_find_group(s, NULL, "clickhouse_posting");
	p = lag_find_partition(lag_find_topic(g, "posting_data"), 4);
	assert_false(p->lag.known);
	assert_true(p->committed.known);
	assert_true(g->totals.partial);
	lag_snapshot_free(s);

	/* no members series: unknown, not 0 */
	s = snapshot_without("kafka_exporter/sample_t0.prom",
	    "kafka_consumergroup_members{", "audit_sink");
	g = lag_find_group(s, NULL, "audit_sink");
	assert_false(g->members.known);
	lag_snapshot_free(s);
}

static void
test_rates(void **state)
{
	struct lag_snapshot		*s0, *s1;
	const struct lag_group		*g;
	const struct lag_partition	*p;
	const struct lag_topic_info	*ti;
	struct sums			 a, b;

	s0 = snapshot_of("kafka_exporter/sample_t0.prom", 1000000);
	s1 = snapshot_of("kafka_exporter/sample_t1.prom", 1060000);
	lag_rates(s1, s0);
	assert_true(s1->has_rates);
	g = lag_find_group(s1, NULL, "clickhouse_posting");
	p = lag_find_partition(lag_find_topic(g, "posting_data"), 0);
	assert_true(p->consume.known);
	assert_true(fabs(p->consume.v - (48215272.0 - 48212965.0) / 60) <
	    1e-9);
	assert_true(p->produce.known);
	assert_true(fabs(p->produce.v - (48215669.0 - 48213377.0) / 60) <
	    1e-9);
	/* the group's consumption = the exporter's committed _sum delta */
	exporter_sums("kafka_exporter/sample_t0.prom", &a);
	exporter_sums("kafka_exporter/sample_t1.prom", &b);
	assert_true(g->totals.consume.known);
	assert_false(g->totals.rates_partial);
	assert_true(fabs(g->totals.consume.v -
	    (b.committed[1] - a.committed[1]) / 60) < 1e-6);
	g = lag_find_group(s1, NULL, "audit_sink");
	assert_true(fabs(g->totals.consume.v -
	    (b.committed[0] - a.committed[0]) / 60) < 1e-6);
	/* audit_sink lags and falls behind: produces faster than consumed */
	assert_true(g->totals.produce.v > g->totals.consume.v);
	ti = lag_find_topic_info(s1, NULL, "audit_events");
	assert_true(ti->produce.known);
	assert_true(fabs(ti->produce.v - g->totals.produce.v) < 1e-6);

	/* no time passed, or time went back: unknown */
	s1->wall_ms = s0->wall_ms;
	lag_rates(s1, s0);
	g = lag_find_group(s1, NULL, "audit_sink");
	assert_false(g->totals.consume.known);
	assert_true(g->totals.rates_partial);
	/* offsets going backwards (a reset): unknown, not negative */
	s0->wall_ms = 0;
	lag_rates(s0, s1);
	p = lag_find_partition(lag_find_topic(lag_find_group(s0, NULL,
	    "audit_sink"), "audit_events"), 0);
	assert_false(p->consume.known);
	assert_false(p->produce.known);
	lag_snapshot_free(s0);
	lag_snapshot_free(s1);
}

static void
test_rates_unknown_partition(void **state)
{
	struct lag_snapshot		*s0, *s1;
	const struct lag_group		*g;

	s0 = snapshot_of("kafka_exporter/sample_t0.prom", 0);
	s1 = snapshot_without("kafka_exporter/sample_t1.prom",
	    "consumergroup=\"clickhouse_posting\",partition=\"3\"", "");
	s1->wall_ms = 60000;
	lag_rates(s1, s0);
	g = lag_find_group(s1, NULL, "clickhouse_posting");
	assert_true(g->totals.consume.known);
	assert_true(g->totals.rates_partial);
	assert_false(lag_find_partition(lag_find_topic(g, "posting_data"),
	    3)->consume.known);
	lag_snapshot_free(s0);
	lag_snapshot_free(s1);
}

/* The same data through Prometheus gives the same model. */
static void
test_from_prometheus_series(void **state)
{
	struct buf		 body = BUF_INIT, d1 = BUF_INIT, d2 = BUF_INIT;
	struct prom_reply	*r = calloc(1, sizeof *r);
	struct lag_builder	*b = lag_builder_new();
	struct lag_snapshot	*sp, *se;
	size_t			 i;

	read_fixture("prom/api/lag_t0.json", &body);
	assert_int_equal(prom_reply_parse_query(r, 200, body.data, body.len),
	    0);
	for (i = 0; i < r->n_series; i++)
		assert_int_equal(lag_builder_add_series(b, &r->series[i]), 1);
	sp = lag_builder_finish(b, r->series[0].points[0].t_ms);
	se = snapshot_of("kafka_exporter/sample_t0.prom", 0);
	lag_snapshot_dump(&d1, sp);
	lag_snapshot_dump(&d2, se);
	assert_string_equal(buf_str(&d1), buf_str(&d2));
	assert_true(d1.len > 500);
	assert_int_equal(sp->wall_ms, 1795956963629LL);
	prom_reply_free(r);
	lag_snapshot_free(sp);
	lag_snapshot_free(se);
	buf_free(&body);
	buf_free(&d1);
	buf_free(&d2);
}

static void
test_dump_and_promql(void **state)
{
	struct lag_snapshot	*s = snapshot_of("prom/kafka_edge.prom", 0);
	struct buf		 d = BUF_INIT;
	char			*q;

	lag_snapshot_dump(&d, s);
	assert_string_equal(buf_str(&d),
	    "group eu fresh members=2 lag=500 partitions=3 known=2 "
	    "no_commit=1 unknown=0 partial\n"
	    "  orders 0 lag=none committed=none log_end=1000\n"
	    "  orders 1 lag=500 committed=500 log_end=1000\n"
	    "  orders 2 lag=0 committed=1500000 log_end=1500000\n"
	    "group eu idle members=0 lag=0 partitions=3 known=1 no_commit=0 "
	    "unknown=2 partial\n"
	    "  orders 0 lag=0 committed=1000 log_end=1000\n"
	    "  orders 1 lag=? committed=? log_end=1000\n"
	    "  orders 2 lag=? committed=? log_end=1500000\n"
	    "group us fresh members=1 lag=7 partitions=1 known=1 no_commit=0 "
	    "unknown=0\n"
	    "  orders 0 lag=7 committed=93 log_end=100\n");
	buf_free(&d);
	lag_snapshot_free(s);
	q = lag_promql("job=\"kafka\"");
	assert_string_equal(q, "{__name__=~\"kafka_consumergroup_lag|"
	    "kafka_consumergroup_current_offset|kafka_consumergroup_members|"
	    "kafka_topic_partition_current_offset|"
	    "kafka_topic_partition_oldest_offset|kafka_topic_partitions\","
	    "job=\"kafka\"}");
	free(q);
}

static void
test_builder_edges(void **state)
{
	static const char in[] =
	    "kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\"} 5\n"
	    "kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\","
	    "partition=\"x\"} 5\n"
	    "kafka_consumergroup_lag{topic=\"t\",partition=\"1\"} 5\n"
	    "kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\","
	    "partition=\"1\"} NaN\n"
	    "kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\","
	    "partition=\"2\"} -3\n"
	    "kafka_consumergroup_current_offset{consumergroup=\"g\","
	    "topic=\"t\",partition=\"2\"} 10\n"
	    "kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\","
	    "partition=\"3\"} -1\n"
	    "kafka_consumergroup_current_offset{consumergroup=\"g\","
	    "topic=\"t\",partition=\"3\"} 10\n"
	    "something_else{consumergroup=\"g\"} 1\n";
	struct lag_snapshot		*s;
	const struct lag_topic		*t;
	char				*cause = NULL;

	s = lag_from_exposition(in, sizeof in - 1, 0, &cause);
	assert_non_null(s);
	assert_int_equal(s->n_ignored, 3);
	t = lag_find_topic(lag_find_group(s, NULL, "g"), "t");
	assert_int_equal(t->n_parts, 3);
	/* NaN is unknown */
	assert_false(lag_find_partition(t, 1)->lag.known);
	/* negative lag with a real commit is a race: 0 */
	assert_int_equal(lag_find_partition(t, 2)->lag.v, 0);
	assert_int_equal(lag_find_partition(t, 3)->lag.v, 0);
	assert_false(lag_find_partition(t, 3)->no_commit);
	lag_snapshot_free(s);

	assert_null(lag_from_exposition("x{", 2, 0, &cause));
	assert_string_equal(cause, "line 1: expected a label name or '}' in "
	    "the labels of x, got end of line");
	free(cause);
}

/* A snapshot whose log end of (t, 0) is `log_end`, committed `committed`. */
static struct lag_snapshot *
synthetic(int64_t wall_ms, double log_end, double committed)
{
	struct lag_builder	*b = lag_builder_new();

	lag_builder_add(b, LAG_M_LOG_END, NULL, NULL, "t", 0, log_end);
	lag_builder_add(b, LAG_M_LOG_END, NULL, NULL, "t", 1, log_end);
	lag_builder_add(b, LAG_M_COMMITTED, NULL, "g", "t", 0, committed);
	lag_builder_add(b, LAG_M_LAG, NULL, "g", "t", 0, log_end - committed);
	return lag_builder_finish(b, wall_ms);
}

static void
test_history_seconds(void **state)
{
	struct lag_history	*h = lag_history_new(4);
	struct lag_seconds	 ls;

	/* log end grows 1000/s; the consumer stopped at 15000 */
	lag_history_push(h, synthetic(0, 0, 0));
	ls = lag_history_seconds(h, NULL, "g", "t", 0);
	assert_int_equal(ls.state, LAG_SEC_ESTIMATED);	/* caught up */
	assert_true(ls.seconds == 0);
	lag_history_push(h, synthetic(10000, 10000, 10000));
	lag_history_push(h, synthetic(20000, 20000, 15000));
	lag_history_push(h, synthetic(30000, 30000, 15000));
	assert_int_equal(lag_history_len(h), 4);
	ls = lag_history_seconds(h, NULL, "g", "t", 0);
	assert_int_equal(ls.state, LAG_SEC_ESTIMATED);
	assert_true(fabs(ls.seconds - 15.0) < 1e-9);
	/* rates came with the pushes */
	assert_true(lag_history_latest(h)->has_rates);
	assert_true(lag_find_group(lag_history_latest(h), NULL,
	    "g")->totals.produce.v == 2000.0);	/* 2 partitions */
	assert_true(lag_find_group(lag_history_latest(h), NULL,
	    "g")->totals.consume.v == 0.0);

	/* the ring drops the oldest; 5000 is then older than the history */
	lag_history_push(h, synthetic(40000, 40000, 5000));
	assert_int_equal(lag_history_len(h), 4);
	assert_int_equal(lag_history_get(h, 0)->wall_ms, 10000);
	assert_null(lag_history_get(h, 4));
	ls = lag_history_seconds(h, NULL, "g", "t", 0);
	assert_int_equal(ls.state, LAG_SEC_AT_LEAST);
	assert_true(fabs(ls.seconds - 30.0) < 1e-9);
	assert_true(fabs(ls.extrapolated - 35.0) < 1e-9);

	/* partition 1: the group has no series there */
	ls = lag_history_seconds(h, NULL, "g", "t", 1);
	assert_int_equal(ls.state, LAG_SEC_UNKNOWN);
	ls = lag_history_group_seconds(h, NULL, "g");
	assert_int_equal(ls.state, LAG_SEC_AT_LEAST);
	assert_true(fabs(ls.seconds - 30.0) < 1e-9);
	assert_true(ls.partial);
	ls = lag_history_seconds(h, NULL, "nope", "t", 0);
	assert_int_equal(ls.state, LAG_SEC_UNKNOWN);
	lag_history_free(h);
}

static void
test_history_interpolates_between_points(void **state)
{
	struct lag_history	*h = lag_history_new(10);
	struct lag_seconds	 ls;

	/* bursty production: flat, then a jump */
	lag_history_push(h, synthetic(0, 100, 100));
	lag_history_push(h, synthetic(10000, 100, 100));
	lag_history_push(h, synthetic(20000, 300, 100));
	lag_history_push(h, synthetic(30000, 300, 250));
	/* 250 was reached 3/4 of the way from 10 s to 20 s: 17.5 s */
	ls = lag_history_seconds(h, NULL, "g", "t", 0);
	assert_int_equal(ls.state, LAG_SEC_ESTIMATED);
	assert_true(fabs(ls.seconds - 12.5) < 1e-9);
	lag_history_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_model),
		cmocka_unit_test(test_unknown_and_no_commit),
		cmocka_unit_test(test_removed_series_is_unknown),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_rates_unknown_partition),
		cmocka_unit_test(test_from_prometheus_series),
		cmocka_unit_test(test_dump_and_promql),
		cmocka_unit_test(test_builder_edges),
		cmocka_unit_test(test_history_seconds),
		cmocka_unit_test(test_history_interpolates_between_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

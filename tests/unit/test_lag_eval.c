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
#include "lag_eval.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

#define NO	(-2.0)		/* no series at all */
#define NOC	(-1.0)		/* the exporter's "nothing committed" */

/* ------------------------------------------------------------ helpers */

/* One partition of group/topic: committed and log end (NO: absent). */
static void
add_part(struct lag_builder *b, const char *group, const char *topic,
    int32_t p, double committed, double log_end)
{
	if (log_end != NO)
		lag_builder_add(b, LAG_M_LOG_END, NULL, NULL, topic, p,
		    log_end);
	if (committed == NO)
		return;
	lag_builder_add(b, LAG_M_COMMITTED, NULL, group, topic, p, committed);
	if (committed == NOC)
		lag_builder_add(b, LAG_M_LAG, NULL, group, topic, p, -1);
	else if (log_end != NO)
		lag_builder_add(b, LAG_M_LAG, NULL, group, topic, p,
		    log_end - committed);
}

/* Group "g" on topic "t", partitions 0..n-1. */
static struct lag_snapshot *
snap(int64_t t_ms, double members, size_t n, const double *committed,
    const double *log_end)
{
	struct lag_builder	*b = lag_builder_new();
	size_t			 i;

	if (members != NO)
		lag_builder_add(b, LAG_M_MEMBERS, NULL, "g", NULL, -1,
		    members);
	for (i = 0; i < n; i++)
		add_part(b, "g", "t", (int32_t)i, committed[i], log_end[i]);
	return lag_builder_finish(b, t_ms);
}

static void
push(struct lag_history *h, int64_t t_ms, double members, size_t n,
    const double *committed, const double *log_end)
{
	lag_history_push(h, snap(t_ms, members, n, committed, log_end));
}

/* Every partition the same. */
static void
push_same(struct lag_history *h, int64_t t_ms, double members, size_t n,
    double committed, double log_end)
{
	double	c[8], l[8];
	size_t	i;

	for (i = 0; i < n; i++) {
		c[i] = committed;
		l[i] = log_end;
	}
	push(h, t_ms, members, n, c, l);
}

static void
eval(struct lag_eval *e, const struct lag_history *h,
    const struct lag_eval_opts *o)
{
	lag_eval_group(e, h, o, NULL, "g", NULL);
}

static bool
near(double a, double b)
{
	return fabs(a - b) < 1e-6 * (fabs(b) > 1 ? fabs(b) : 1);
}

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
fixture(const char *rel, int64_t wall_ms)
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

/* ------------------------------------------------------------ UNKNOWN */

static void
test_unknown(void **state)
{
	struct lag_history	*h = lag_history_new(10);
	struct lag_eval		 e;
	double			 c[3] = { 100, NOC, 50 };
	double			 l[3] = { 150, 80, 60 };

	/* nothing yet */
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason, "no data yet");
	assert_false(e.lag.known);
	assert_int_equal(e.n_spark, 0);
	assert_int_equal(e.still_ms, -1);
	assert_string_equal(e.cluster, "");
	assert_string_equal(e.group, "g");
	assert_null(e.topic);
	lag_eval_clear(&e);

	/* a single sample: figures, but no verdict */
	push(h, 1000, 2, 3, c, l);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason, "only 1 sample so far; need 2");
	assert_true(e.lag.known);
	assert_int_equal(e.lag.v, 60);
	assert_true(e.partial);
	assert_int_equal(e.n_partitions, 3);
	assert_int_equal(e.n_unknown, 1);
	assert_int_equal(e.members.v, 2);
	assert_int_equal(e.n_samples, 1);
	assert_int_equal(e.span_ms, 0);
	assert_false(e.consume.known);
	assert_false(e.produce.known);
	assert_int_equal(e.drain.state, LAG_DRAIN_UNKNOWN);
	assert_string_equal(e.worst_topic, "t");
	assert_int_equal(e.worst_partition, 0);
	assert_int_equal(e.worst_lag.v, 50);
	assert_int_equal(e.n_spark, 1);
	assert_true(e.spark[0].known);
	assert_int_equal(e.spark[0].v, 60);
	assert_int_equal(e.n_topics, 1);
	assert_int_equal(e.topics[0].state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.topics[0].topic, "t");
	lag_eval_clear(&e);

	/* nothing committed anywhere: lag unknown, never 0 */
	c[0] = c[2] = NOC;
	push(h, 2000, 2, 3, c, l);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason,
	    "lag unknown: nothing committed yet on 3 partitions");
	assert_false(e.lag.known);
	assert_int_equal(e.worst_partition, -1);
	assert_null(e.worst_topic);
	assert_int_equal(e.drain.state, LAG_DRAIN_UNKNOWN);
	assert_int_equal(e.n_spark, 2);
	assert_true(e.spark[0].known);
	assert_false(e.spark[1].known);
	lag_eval_clear(&e);

	/* lag series gone but offsets there */
	c[0] = 100;
	c[2] = 50;
	lag_history_push(h, snap(3000, 2, 0, c, l));	/* members only */
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason,
	    "lag unknown: the group has no partitions with offsets");
	lag_eval_clear(&e);

	/* the group went away */
	lag_history_push(h, lag_builder_finish(lag_builder_new(), 4000));
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason, "the group is not in the latest sample");
	assert_int_equal(e.n_spark, 4);
	assert_false(e.spark[3].known);
	lag_eval_clear(&e);

	/* a topic it does not consume */
	push(h, 5000, 2, 3, c, l);
	lag_eval_group(&e, h, NULL, NULL, "g", "other");
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason,
	    "the group does not consume other in the latest sample");
	assert_int_equal(e.n_topics, 0);
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ OK */

static void
test_ok_draining(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	char			 s[64];
	int			 i;

	/* produce 100/s, consume 200/s on each of 2 partitions */
	for (i = 0; i < 10; i++) {
		push_same(h, i * 2000, 1, 2, 1000 + 400.0 * i,
		    11000 + 200.0 * i);
	}
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	/* 2 x 10000 -> 2 x (10000 - 9 x 200) */
	assert_string_equal(e.reason,
	    "lag fell from 20k to 16k over the last 18 s");
	assert_int_equal(e.n_samples, 10);
	assert_int_equal(e.span_ms, 18000);
	assert_true(e.consume.known && near(e.consume.v, 400));
	assert_true(e.produce.known && near(e.produce.v, 200));
	assert_false(e.rates_partial);
	assert_int_equal(e.drain.state, LAG_DRAIN_DRAINING);
	assert_true(near(e.drain.seconds, 16400.0 / 200));
	lag_drain_fmt(s, sizeof s, &e.drain);
	assert_string_equal(s, "drains in 82 s");
	assert_int_equal(e.still_ms, 0);
	assert_false(e.still_at_least);
	assert_int_equal(e.n_spark, 10);
	assert_int_equal(e.spark[0].v, 20000);
	assert_int_equal(e.spark[9].v, 16400);
	lag_eval_clear(&e);

	/* caught up */
	push_same(h, 20000, 1, 2, 20000, 20000);
	push_same(h, 22000, 1, 2, 20000, 20000);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason, "caught up");
	assert_int_equal(e.drain.state, LAG_DRAIN_CAUGHT_UP);
	lag_drain_fmt(s, sizeof s, &e.drain);
	assert_string_equal(s, "caught up");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* The first/last rate, not the last delta. */
static void
test_rates_robust(void **state)
{
	struct lag_history	*h = lag_history_new(10);
	struct lag_eval		 e;
	const double		 c[] = { 0, 100, 200, 300, 1300 };
	char			 s[64];
	int			 i;

	for (i = 0; i < 5; i++)
		push_same(h, i * 1000, 1, 1, c[i], c[i] + 5000);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason, "lag 5.0k, steady over the last 4 s");
	assert_true(near(e.consume.v, 325));
	assert_true(near(e.produce.v, 325));
	/* the snapshot's own rate is the last delta */
	assert_true(near(lag_history_latest(h)->groups[0].totals.consume.v,
	    1000));
	assert_int_equal(e.drain.state, LAG_DRAIN_STEADY);
	lag_drain_fmt(s, sizeof s, &e.drain);
	assert_string_equal(s, "not draining");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ WARN */

static void
test_warn_growing(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	char			 s[64];
	int			 i;

	/* produce 300/s, consume 100/s */
	for (i = 0; i < 10; i++) {
		push_same(h, i * 2000, 3, 2, 1000 + 200.0 * i,
		    2000 + 600.0 * i);
	}
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_WARN);
	assert_string_equal(e.reason,
	    "lag grew from 2.0k to 9.2k over the last 18 s");
	assert_int_equal(e.drain.state, LAG_DRAIN_BEHIND);
	assert_true(near(e.drain.behind, 400));
	lag_drain_fmt(s, sizeof s, &e.drain);
	assert_string_equal(s, "falling behind by 400 msg/s");
	assert_int_equal(e.topics[0].state, LAG_STATE_WARN);
	lag_eval_clear(&e);

	/* a drop anywhere and it is not growing steadily */
	push_same(h, 20000, 3, 2, 6000, 8000);
	push_same(h, 22000, 3, 2, 6200, 8600);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason,
	    "lag rose from 2.0k to 4.8k over the last 22 s, not steadily");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/*
 * A consumer committing every third sample: between commits its lag only
 * grows. Compared at the commits it keeps up (OK) or slips (WARN).
 */
static void
test_sawtooth(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	double			 log_end, committed = 0;
	int			 i;

	for (i = 0; i < 20; i++) {
		log_end = 1000 + 100.0 * i;
		if (i % 3 == 0)
			committed = log_end - 50;
		push_same(h, i * 1000, 1, 1, committed, log_end);
	}
	/* the window ends mid-tooth: lag 50 -> 150, yet it keeps up */
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	lag_eval_clear(&e);

	lag_history_free(h);
	h = lag_history_new(50);
	for (i = 0; i < 20; i++) {
		log_end = 1000 + 100.0 * i;
		if (i % 3 == 0)
			committed = log_end - 50 - 10 * i;
		push_same(h, i * 1000, 1, 1, committed, log_end);
	}
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_WARN);
	/* at the commits: 50, 80, ... 230; now 330 */
	assert_string_equal(e.reason,
	    "lag grew from 50 to 330 over the last 19 s");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* No commit in the whole window while lag grows: WARN before STALL. */
static void
test_warn_without_commits(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	int			 i;

	for (i = 0; i < 5; i++)
		push_same(h, i * 10000, 1, 1, 500, 1000 + 100.0 * i);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_WARN);
	assert_string_equal(e.reason,
	    "lag grew from 500 to 900 over the last 40 s without a commit");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ STALL, STOP */

/*
 * 3 partitions, log end +20/s; the committed offsets move 10/s until
 * 30 s, then freeze. Sampled every 10 s.
 */
static struct lag_history *
freezing(double members, int last_s, bool only_p0)
{
	struct lag_history	*h = lag_history_new(50);
	double			 c[3], l[3];
	int			 ts, p;

	for (ts = 0; ts <= last_s; ts += 10) {
		for (p = 0; p < 3; p++) {
			l[p] = 2000 + 20.0 * ts;
			c[p] = 1000 + 10.0 * (ts < 30 ? ts : 30);
			if (only_p0 && p > 0)
				c[p] = 1000 + 20.0 * ts;
		}
		push(h, ts * 1000, members, 3, c, l);
	}
	return h;
}

static void
test_stall(void **state)
{
	struct lag_history	*h;
	struct lag_eval		 e;

	/* 50 s still: not yet; the lag grew at every commit */
	h = freezing(3, 80, false);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_WARN);
	assert_string_equal(e.reason,
	    "lag grew from 3.0k to 6.9k over the last 80 s");
	assert_int_equal(e.still_ms, 50000);
	lag_eval_clear(&e);
	lag_history_free(h);

	h = freezing(3, 90, false);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STALL);
	assert_string_equal(e.reason,
	    "offsets have not moved for 60 s while lag is 7.5k");
	assert_int_equal(e.still_ms, 60000);
	assert_false(e.still_at_least);
	assert_true(near(e.consume.v, 300.0 * 3 / 90));
	assert_int_equal(e.drain.state, LAG_DRAIN_BEHIND);
	lag_eval_clear(&e);
	lag_history_free(h);

	/* members unknown: still a stall, not a stop */
	h = freezing(NO, 90, false);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STALL);
	assert_false(e.members.known);
	lag_eval_clear(&e);
	lag_history_free(h);

	/* one partition stuck, the others move */
	h = freezing(3, 90, true);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STALL);
	assert_string_equal(e.reason, "offsets of t/0 have not moved for "
	    "60 s while its lag is 2.5k; others move");
	assert_int_equal(e.still_ms, 0);
	assert_int_equal(e.worst_partition, 0);
	assert_int_equal(e.worst_lag.v, 2500);
	lag_eval_clear(&e);
	lag_history_free(h);
}

static void
test_stop(void **state)
{
	struct lag_history	*h;
	struct lag_eval		 e;
	int			 i;

	/* no members and no commits while lag > 0 */
	h = freezing(0, 90, false);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STOP);
	assert_string_equal(e.reason,
	    "no members and no commits for 60 s while lag is 7.5k");
	lag_eval_clear(&e);
	lag_history_free(h);

	/* no members, caught up, nothing moving for a long time */
	h = lag_history_new(50);
	for (i = 0; i <= 14; i++)
		push_same(h, i * 60000, 0, 2, 500, 500);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STOP);
	assert_string_equal(e.reason,
	    "no members and no commits for at least 14 min (lag 0)");
	assert_true(e.still_at_least);
	assert_int_equal(e.still_ms, 14 * 60000);
	assert_int_equal(e.n_samples, 6);	/* 5 minutes of them */
	lag_eval_clear(&e);
	lag_history_free(h);

	/* the same with members: an idle, caught-up consumer */
	h = lag_history_new(50);
	for (i = 0; i <= 14; i++)
		push_same(h, i * 60000, 2, 2, 500, 500);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason, "caught up");
	lag_eval_clear(&e);
	lag_history_free(h);

	/* members unknown: not a stop either */
	h = lag_history_new(50);
	for (i = 0; i <= 14; i++)
		push_same(h, i * 60000, NO, 2, 500, 500);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* Idle partitions left at lag 1 by a transaction marker are fine. */
static void
test_idle_marker_is_not_a_stall(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	int			 i;

	for (i = 0; i <= 14; i++)
		push_same(h, i * 60000, 2, 2, 500, 501);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason, "lag 2, steady over the last 5 min");
	assert_int_equal(e.drain.state, LAG_DRAIN_STEADY);
	lag_eval_clear(&e);

	/* a real backlog that has not moved for 10 min is a stall */
	lag_history_free(h);
	h = lag_history_new(50);
	for (i = 0; i <= 14; i++)
		push_same(h, i * 60000, 2, 2, 500, 900);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_STALL);
	assert_string_equal(e.reason,
	    "offsets have not moved for at least 14 min while lag is 800");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ REWIND */

static void
test_rewind(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval_opts	 o;
	struct lag_eval		 e;
	double			 c[2], l[2];
	int			 i;

	memset(&o, 0, sizeof o);
	o.window_samples = 5;
	for (i = 0; i < 6; i++) {
		c[0] = c[1] = 48200000 + 100.0 * i;
		l[0] = l[1] = 48200500 + 100.0 * i;
		push(h, i * 2000, 2, 2, c, l);
	}
	/* partition 1 reset to an early offset */
	c[0] = 48200600;
	c[1] = 1000;
	l[0] = l[1] = 48201100;
	push(h, 12000, 2, 2, c, l);
	eval(&e, h, &o);
	assert_int_equal(e.state, LAG_STATE_REWIND);
	assert_string_equal(e.reason,
	    "offsets went back on t/1 from 48M to 1.0k 0 s ago");
	/* its rate is unknown rather than hugely negative */
	assert_true(e.rates_partial);
	assert_true(e.consume.known && near(e.consume.v, 50));
	lag_eval_clear(&e);

	/* it stays while the rewind is in the window ... */
	for (i = 1; i <= 3; i++) {
		c[0] += 100;
		c[1] += 100;
		l[0] += 100;
		l[1] += 100;
		push(h, 12000 + i * 2000, 2, 2, c, l);
	}
	eval(&e, h, &o);
	assert_int_equal(e.state, LAG_STATE_REWIND);
	assert_string_equal(e.reason,
	    "offsets went back on t/1 from 48M to 1.0k 6 s ago");
	lag_eval_clear(&e);

	/* ... and goes when it leaves */
	c[0] += 100;
	c[1] += 100;
	l[0] += 100;
	l[1] += 100;
	push(h, 20000, 2, 2, c, l);
	eval(&e, h, &o);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_false(e.rates_partial);
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* A topic deleted and created again: both offsets start over. */
static void
test_offsets_reset(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;

	push_same(h, 0, 1, 2, 900000, 1000000);
	push_same(h, 2000, 1, 2, 901000, 1001000);
	push_same(h, 4000, 1, 2, 10, 20);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_REWIND);
	assert_string_equal(e.reason, "offsets went back on t/0 from 901k to "
	    "10 0 s ago (2 partitions went back)");
	assert_false(e.consume.known);
	assert_false(e.produce.known);
	assert_true(e.rates_partial);
	assert_int_equal(e.drain.state, LAG_DRAIN_UNKNOWN);
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ partitions */

static void
test_partition_disappears(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	double			 c[3], l[3];
	int			 i;

	/* all three grow; partition 2 holds most of the lag */
	for (i = 0; i < 5; i++) {
		c[0] = c[1] = 100.0 * i;
		l[0] = l[1] = 1000 + 200.0 * i;
		c[2] = 0;
		l[2] = 1000000 + 10.0 * i;
		push(h, i * 2000, 1, 3, c, l);
	}
	/* partition 2 vanishes: the total drops but the lag still grows */
	c[0] = c[1] = 500;
	l[0] = l[1] = 2000;
	push(h, 10000, 1, 2, c, l);
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_WARN);
	assert_string_equal(e.reason,
	    "lag grew from 2.0k to 3.0k over the last 10 s");
	assert_int_equal(e.n_partitions, 2);
	assert_false(e.partial);
	assert_int_equal(e.spark[4].v, 1000040 + 2 * 1400);
	assert_int_equal(e.spark[5].v, 3000);
	lag_eval_clear(&e);
	lag_history_free(h);
}

static void
test_partition_without_commit(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_eval		 e;
	double			 c[3], l[3];
	int			 i;

	for (i = 0; i < 4; i++) {
		c[0] = c[1] = 1000 + 200.0 * i;
		l[0] = l[1] = 2000 + 100.0 * i;
		c[2] = NOC;
		l[2] = 50;
		push(h, i * 2000, 1, 3, c, l);
	}
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_string_equal(e.reason, "lag fell from 2.0k to 1.4k over the "
	    "last 6 s; lag of 1 of 3 partitions unknown");
	assert_true(e.partial);
	assert_int_equal(e.n_unknown, 1);
	assert_int_equal(e.lag.v, 1400);
	/* nothing committed consumes nothing: the rates are whole */
	assert_false(e.rates_partial);
	assert_true(near(e.consume.v, 200));
	assert_true(near(e.produce.v, 100));
	assert_int_equal(e.drain.state, LAG_DRAIN_DRAINING);
	assert_true(near(e.drain.seconds, 14));
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ topics */

static void
test_topics(void **state)
{
	struct lag_history	*h = lag_history_new(50);
	struct lag_builder	*b;
	struct lag_eval		 e;
	int			 i;

	for (i = 0; i < 5; i++) {
		b = lag_builder_new();
		lag_builder_add(b, LAG_M_MEMBERS, NULL, "g", NULL, -1, 2);
		/* "a" drains, "b" falls behind */
		add_part(b, "g", "a", 0, 1000 + 300.0 * i, 5000 + 100.0 * i);
		add_part(b, "g", "b", 0, 1000 + 100.0 * i, 1100 + 150.0 * i);
		lag_history_push(h, lag_builder_finish(b, i * 2000));
	}
	eval(&e, h, NULL);
	assert_int_equal(e.n_topics, 2);
	assert_string_equal(e.topics[0].topic, "a");
	assert_int_equal(e.topics[0].state, LAG_STATE_OK);
	assert_string_equal(e.topics[0].reason,
	    "lag fell from 4.0k to 3.2k over the last 8 s");
	assert_int_equal(e.topics[0].drain.state, LAG_DRAIN_DRAINING);
	assert_string_equal(e.topics[1].topic, "b");
	assert_int_equal(e.topics[1].state, LAG_STATE_WARN);
	assert_string_equal(e.topics[1].reason,
	    "lag grew from 100 to 300 over the last 8 s");
	assert_int_equal(e.topics[1].drain.state, LAG_DRAIN_BEHIND);
	assert_true(near(e.topics[1].drain.behind, 25));
	assert_int_equal(e.topics[1].members.v, 2);
	assert_int_equal(e.topics[1].n_topics, 0);
	/* the group as a whole drains */
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_int_equal(e.lag.v, 3500);
	assert_string_equal(e.worst_topic, "a");
	assert_true(near(e.consume.v, 150 + 50));
	assert_true(near(e.produce.v, 50 + 75));
	lag_eval_clear(&e);

	/* one topic directly */
	lag_eval_group(&e, h, NULL, NULL, "g", "b");
	assert_int_equal(e.state, LAG_STATE_WARN);
	assert_int_equal(e.n_topics, 0);
	assert_string_equal(e.topic, "b");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ window */

static void
test_window_and_spark(void **state)
{
	struct lag_history	*h = lag_history_new(100);
	struct lag_eval_opts	 o;
	struct lag_eval		 e;
	int			 i;

	for (i = 0; i < 40; i++) {
		if (i == 35)	/* a scrape without the group */
			lag_history_push(h,
			    lag_builder_finish(lag_builder_new(), i * 2000));
		else
			push_same(h, i * 2000, 1, 1, 1000 + 100.0 * i,
			    2000 + 100.0 * i);
	}
	eval(&e, h, NULL);
	assert_int_equal(e.state, LAG_STATE_OK);
	assert_int_equal(e.n_samples, 29);	/* 30 samples, one without */
	assert_int_equal(e.span_ms, 58000);
	assert_int_equal(e.n_spark, 40);
	assert_false(e.spark[35].known);
	assert_true(e.spark[34].known && e.spark[34].v == 1000);
	lag_eval_clear(&e);

	memset(&o, 0, sizeof o);
	o.window_ms = 10000;
	o.spark = 8;
	o.min_samples = 5;
	eval(&e, h, &o);
	assert_int_equal(e.n_samples, 5);
	assert_int_equal(e.span_ms, 10000);
	assert_int_equal(e.n_spark, 8);
	assert_false(e.spark[3].known);
	assert_int_equal(e.state, LAG_STATE_OK);
	lag_eval_clear(&e);

	o.min_samples = 6;
	eval(&e, h, &o);
	assert_int_equal(e.state, LAG_STATE_UNKNOWN);
	assert_string_equal(e.reason, "only 5 samples so far; need 6");
	lag_eval_clear(&e);
	lag_history_free(h);
}

/* ------------------------------------------------------------ fixtures */

static void
test_fixture_t0_t1(void **state)
{
	struct lag_history	*h = lag_history_new(10);
	struct lag_eval		*all;
	const struct lag_eval	*a, *c;
	char			 s[64];
	size_t			 n;

	/* the two scrapes are 60 s apart */
	lag_history_push(h, fixture("kafka_exporter/sample_t0.prom", 0));
	lag_history_push(h, fixture("kafka_exporter/sample_t1.prom", 60000));
	all = lag_eval_all(h, NULL, &n);
	assert_int_equal(n, 2);
	a = &all[0];
	c = &all[1];
	assert_string_equal(a->group, "audit_sink");
	assert_string_equal(c->group, "clickhouse_posting");

	/* audit_sink falls far behind: 15 msg/s consumed, 75 produced */
	assert_int_equal(a->state, LAG_STATE_WARN);
	assert_string_equal(a->reason,
	    "lag grew from 7.009M to 7.012M over the last 60 s");
	assert_int_equal(a->lag.v, 7012306);
	assert_int_equal(a->members.v, 1);
	assert_true(near(a->consume.v, 912.0 / 60));
	assert_true(near(a->produce.v, 4494.0 / 60));
	assert_int_equal(a->drain.state, LAG_DRAIN_BEHIND);
	lag_drain_fmt(s, sizeof s, &a->drain);
	assert_string_equal(s, "falling behind by 60 msg/s");
	assert_string_equal(a->worst_topic, "audit_events");
	assert_int_equal(a->worst_partition, 2);
	assert_int_equal(a->worst_lag.v, 2340741);
	/* 7M behind at 75 msg/s: far older than 60 s of history */
	assert_int_equal(a->seconds.state, LAG_SEC_AT_LEAST);
	assert_true(near(a->seconds.seconds, 60));
	assert_true(a->seconds.extrapolated > 30000);

	/*
	 * clickhouse_posting consumes 436 msg/s but 458 arrive; its lag
	 * grew 23.3k -> 24.6k, most of it on partition 7: WARN as well.
	 */
	assert_int_equal(c->state, LAG_STATE_WARN);
	assert_string_equal(c->reason,
	    "lag grew from 23k to 25k over the last 60 s");
	assert_true(near(c->consume.v, 26135.0 / 60));
	assert_true(near(c->produce.v, 27474.0 / 60));
	assert_int_equal(c->drain.state, LAG_DRAIN_BEHIND);
	assert_true(near(c->drain.behind, 1339.0 / 60));
	assert_string_equal(c->worst_topic, "posting_data");
	assert_int_equal(c->worst_partition, 7);
	assert_int_equal(c->worst_lag.v, 19873);
	/* partition 7 is older than the 60 s of history: about 8 min */
	assert_int_equal(c->seconds.state, LAG_SEC_AT_LEAST);
	assert_true(near(c->seconds.seconds, 60));
	assert_true(c->seconds.extrapolated > 480 &&
	    c->seconds.extrapolated < 540);
	assert_int_equal(c->worst_seconds.state, LAG_SEC_AT_LEAST);
	assert_true(near(c->worst_seconds.extrapolated,
	    c->seconds.extrapolated));
	assert_int_equal(c->topics[0].seconds.state, LAG_SEC_AT_LEAST);
	assert_int_equal(c->n_topics, 1);
	assert_int_equal(c->topics[0].state, LAG_STATE_WARN);
	assert_int_equal(c->n_spark, 2);
	assert_int_equal(c->spark[0].v, 23300);
	assert_int_equal(c->spark[1].v, 24639);
	lag_eval_free_all(all, n);

	/* the same scrape twice: nothing moved in 2 s, no verdict on that */
	lag_history_push(h, fixture("kafka_exporter/sample_t1.prom", 62000));
	all = lag_eval_all(h, NULL, &n);
	assert_int_equal(all[1].state, LAG_STATE_WARN);
	assert_int_equal(all[1].still_ms, 2000);
	lag_eval_free_all(all, n);
	lag_history_free(h);
}

static void
test_names(void **state)
{
	struct lag_drain	d;
	char			s[64];

	assert_string_equal(lag_state_name(LAG_STATE_OK), "OK");
	assert_string_equal(lag_state_name(LAG_STATE_WARN), "WARN");
	assert_string_equal(lag_state_name(LAG_STATE_STALL), "STALL");
	assert_string_equal(lag_state_name(LAG_STATE_STOP), "STOP");
	assert_string_equal(lag_state_name(LAG_STATE_REWIND), "REWIND");
	assert_string_equal(lag_state_name(LAG_STATE_UNKNOWN), "UNKNOWN");
	memset(&d, 0, sizeof d);
	lag_drain_fmt(s, sizeof s, &d);
	assert_string_equal(s, "?");
	d.state = LAG_DRAIN_DRAINING;
	d.seconds = 3 * 3600;
	lag_drain_fmt(s, sizeof s, &d);
	assert_string_equal(s, "drains in 3 h");
	d.seconds = 600;
	lag_drain_fmt(s, sizeof s, &d);
	assert_string_equal(s, "drains in 10 min");
	d.state = LAG_DRAIN_BEHIND;
	d.behind = 2.5;
	lag_drain_fmt(s, sizeof s, &d);
	assert_string_equal(s, "falling behind by 2.5 msg/s");
	d.behind = 123456;
	lag_drain_fmt(s, sizeof s, &d);
	assert_string_equal(s, "falling behind by 123k msg/s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_ok_draining),
		cmocka_unit_test(test_rates_robust),
		cmocka_unit_test(test_warn_growing),
		cmocka_unit_test(test_sawtooth),
		cmocka_unit_test(test_warn_without_commits),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_idle_marker_is_not_a_stall),
		cmocka_unit_test(test_rewind),
		cmocka_unit_test(test_offsets_reset),
		cmocka_unit_test(test_partition_disappears),
		cmocka_unit_test(test_partition_without_commit),
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_window_and_spark),
		cmocka_unit_test(test_fixture_t0_t1),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

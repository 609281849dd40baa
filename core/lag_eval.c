/*
 * Consumer group evaluation. The history is looked at through a "scope" (a
 * group, or one topic of a group): its partitions in the latest sample are
 * the keys, and each key's partition is looked up once per window sample
 * into a matrix, so every rule below is a walk over small arrays.
 */

#include "lag_eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmalloc.h"

#define EV_WINDOW_SAMPLES	30
#define EV_WINDOW_MS		(5 * 60 * 1000)
#define EV_MIN_SAMPLES		2
#define EV_STALL_MS		(60 * 1000)
#define EV_STOP_MS		(10 * 60 * 1000)
#define EV_SPARK		60

/* One partition of the scope in the latest sample. */
struct ev_key {
	const char			*topic;
	int32_t				 partition;
	const struct lag_partition	*now;

	size_t				 still;		/* history index */
	bool				 still_oldest;	/* no move seen */
	bool				 stalled;
	int64_t				 stalled_ms;
};

struct ev {
	const struct lag_history	*h;
	struct lag_eval_opts		 o;
	const char			*cluster;
	const char			*group;
	const char			*topic;		/* NULL: the group */

	size_t				 n;		/* history length */
	size_t				 last;
	const struct lag_group		**groups;	/* per history index */

	size_t				*win;		/* history indices */
	size_t				 n_win;

	struct ev_key			*keys;
	size_t				 n_keys;
	const struct lag_partition	**col;		/* n_keys x n_win */
};

/* A rewind seen in the window: the biggest drop, and how many. */
struct ev_rewind {
	size_t		n;
	const char	*topic;
	int32_t		 partition;
	int64_t		 from;
	int64_t		 to;
	int64_t		 at_ms;
};

void
lag_eval_opts_default(struct lag_eval_opts *o)
{
	o->window_samples = EV_WINDOW_SAMPLES;
	o->window_ms = EV_WINDOW_MS;
	o->min_samples = EV_MIN_SAMPLES;
	o->stall_ms = EV_STALL_MS;
	o->stop_ms = EV_STOP_MS;
	o->spark = EV_SPARK;
}

static void
ev_opts(struct lag_eval_opts *o, const struct lag_eval_opts *in)
{
	lag_eval_opts_default(o);
	if (in == NULL)
		return;
	if (in->window_samples > 0)
		o->window_samples = in->window_samples;
	if (in->window_ms > 0)
		o->window_ms = in->window_ms;
	if (in->min_samples > 0)
		o->min_samples = in->min_samples;
	if (in->stall_ms > 0)
		o->stall_ms = in->stall_ms;
	if (in->stop_ms > 0)
		o->stop_ms = in->stop_ms;
	if (in->spark > 0)
		o->spark = in->spark;
}

const char *
lag_state_name(enum lag_state st)
{
	switch (st) {
	case LAG_STATE_UNKNOWN:
		return "UNKNOWN";
	case LAG_STATE_OK:
		return "OK";
	case LAG_STATE_WARN:
		return "WARN";
	case LAG_STATE_STALL:
		return "STALL";
	case LAG_STATE_STOP:
		return "STOP";
	case LAG_STATE_REWIND:
		return "REWIND";
	}
	return "?";
}

/* ------------------------------------------------------------ words */

/* 412, 23k, 7.0M; `dec` decimals after a unit (-1: 1 below 10, else 0). */
static void
ev_fmt_count(char *out, size_t size, double n, int dec)
{
	static const char	*units[] = { "k", "M", "G", "T", "P", "E" };
	size_t			 i = 0;

	if (fabs(n) < 1000) {
		snprintf(out, size, "%.0f", n);
		return;
	}
	n /= 1000;
	while (fabs(n) >= 1000 && i + 1 < nitems(units)) {
		n /= 1000;
		i++;
	}
	if (dec < 0)
		dec = fabs(n) < 10 ? 1 : 0;
	snprintf(out, size, "%.*f%s", dec, n, units[i]);
}

/* Two counts shown precisely enough to differ when they do. */
static void
ev_fmt_pair(char *a, char *b, size_t size, int64_t va, int64_t vb)
{
	int	dec;

	ev_fmt_count(a, size, (double)va, -1);
	ev_fmt_count(b, size, (double)vb, -1);
	for (dec = 1; va != vb && strcmp(a, b) == 0 && dec <= 3; dec++) {
		ev_fmt_count(a, size, (double)va, dec);
		ev_fmt_count(b, size, (double)vb, dec);
	}
	if (va != vb && strcmp(a, b) == 0) {
		snprintf(a, size, "%lld", (long long)va);
		snprintf(b, size, "%lld", (long long)vb);
	}
}

/* 45 s, 12 min, 5 h, 3 d. */
static void
ev_fmt_span(char *out, size_t size, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 120)
		snprintf(out, size, "%.0f s", seconds);
	else if (seconds < 120 * 60)
		snprintf(out, size, "%.0f min", seconds / 60);
	else if (seconds < 48 * 3600)
		snprintf(out, size, "%.0f h", seconds / 3600);
	else
		snprintf(out, size, "%.0f d", seconds / 86400);
}

static void
ev_fmt_rate(char *out, size_t size, double r)
{
	char	n[32];

	if (r < 10)
		snprintf(out, size, "%.1f msg/s", r);
	else if (r < 10000)
		snprintf(out, size, "%.0f msg/s", r);
	else {
		ev_fmt_count(n, sizeof n, r, -1);
		snprintf(out, size, "%.24s msg/s", n);
	}
}

void
lag_drain_fmt(char *out, size_t size, const struct lag_drain *d)
{
	char	s[48];

	switch (d->state) {
	case LAG_DRAIN_CAUGHT_UP:
		snprintf(out, size, "caught up");
		break;
	case LAG_DRAIN_DRAINING:
		ev_fmt_span(s, sizeof s, d->seconds);
		snprintf(out, size, "drains in %s", s);
		break;
	case LAG_DRAIN_STEADY:
		snprintf(out, size, "not draining");
		break;
	case LAG_DRAIN_BEHIND:
		ev_fmt_rate(s, sizeof s, d->behind);
		snprintf(out, size, "falling behind by %s", s);
		break;
	default:
		snprintf(out, size, "?");
		break;
	}
}

static void	ev_say(struct lag_eval *, enum lag_state, const char *, ...)
		    CHOPS_PRINTFLIKE(3, 4);

static void
ev_say(struct lag_eval *e, enum lag_state st, const char *fmt, ...)
{
	va_list	ap;

	e->state = st;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
}

/* "; lag of 2 of 12 partitions unknown" after the reason. */
static void
ev_say_partial(struct lag_eval *e)
{
	size_t	len = strlen(e->reason);

	if (!e->partial || e->state == LAG_STATE_UNKNOWN ||
	    len >= sizeof e->reason)
		return;
	snprintf(e->reason + len, sizeof e->reason - len,
	    "; lag of %zu of %zu partitions unknown", e->n_unknown,
	    e->n_partitions);
}

/* ------------------------------------------------------------ scope */

static int64_t
ev_wall(const struct ev *ev, size_t i)
{
	return lag_history_get(ev->h, i)->wall_ms;
}

static const struct lag_topic *
ev_topic(const struct ev *ev, size_t i, const char *topic)
{
	return lag_find_topic(ev->groups[i], topic);
}

/* The scope's totals in history sample i, NULL when it is not there. */
static const struct lag_totals *
ev_totals(const struct ev *ev, size_t i)
{
	const struct lag_topic	*t;

	if (ev->groups[i] == NULL)
		return NULL;
	if (ev->topic == NULL)
		return &ev->groups[i]->totals;
	t = ev_topic(ev, i, ev->topic);
	return t != NULL ? &t->totals : NULL;
}

static const struct lag_partition *
ev_part(const struct ev *ev, size_t i, const struct ev_key *k)
{
	return lag_find_partition(ev_topic(ev, i, k->topic), k->partition);
}

static const struct lag_partition *
ev_cell(const struct ev *ev, size_t k, size_t j)
{
	return ev->col[k * ev->n_win + j];
}

static void
ev_add_topic_keys(struct ev *ev, const struct lag_topic *t)
{
	struct ev_key	*k;
	size_t		 i;

	ev->keys = xreallocarray(ev->keys, ev->n_keys + t->n_parts + 1,
	    sizeof *ev->keys);
	for (i = 0; i < t->n_parts; i++) {
		k = &ev->keys[ev->n_keys++];
		memset(k, 0, sizeof *k);
		k->topic = t->name;
		k->partition = t->parts[i].partition;
		k->now = &t->parts[i];
	}
}

/* Looks everything up; false when the scope is not in the latest sample. */
static bool
ev_setup(struct ev *ev)
{
	const struct lag_group	*g;
	int64_t			 from;
	size_t			 i, j, first, k;

	ev->n = lag_history_len(ev->h);
	if (ev->n == 0)
		return false;
	ev->last = ev->n - 1;
	ev->groups = xcalloc(ev->n, sizeof *ev->groups);
	for (i = 0; i < ev->n; i++) {
		ev->groups[i] = lag_find_group(lag_history_get(ev->h, i),
		    ev->cluster, ev->group);
	}
	if (ev_totals(ev, ev->last) == NULL)
		return false;

	from = ev_wall(ev, ev->last) - ev->o.window_ms;
	for (first = ev->last; first > 0 &&
	    ev->last - first + 1 < ev->o.window_samples &&
	    ev_wall(ev, first - 1) >= from; first--)
		;
	ev->win = xcalloc(ev->last - first + 1, sizeof *ev->win);
	for (i = first; i <= ev->last; i++) {
		if (ev_totals(ev, i) != NULL)
			ev->win[ev->n_win++] = i;
	}

	g = ev->groups[ev->last];
	if (ev->topic != NULL)
		ev_add_topic_keys(ev, lag_find_topic(g, ev->topic));
	else {
		for (i = 0; i < g->n_topics; i++)
			ev_add_topic_keys(ev, &g->topics[i]);
	}
	ev->col = xcalloc(ev->n_keys * ev->n_win + 1, sizeof *ev->col);
	for (k = 0; k < ev->n_keys; k++) {
		for (j = 0; j < ev->n_win; j++) {
			ev->col[k * ev->n_win + j] = ev_part(ev, ev->win[j],
			    &ev->keys[k]);
		}
	}
	return true;
}

static void
ev_free(struct ev *ev)
{
	free(ev->groups);
	free(ev->win);
	free(ev->keys);
	free(ev->col);
}

/* ------------------------------------------------------------ the latest */

static void
ev_latest(struct ev *ev, struct lag_eval *e)
{
	const struct lag_totals		*t = ev_totals(ev, ev->last);
	const struct ev_key		*k, *worst = NULL;
	size_t				 i;

	e->lag = t->lag;
	e->partial = t->partial;
	e->n_partitions = t->n_partitions;
	e->n_unknown = t->n_partitions - t->n_known;
	e->members = ev->groups[ev->last]->members;
	for (i = 0; i < ev->n_keys; i++) {
		k = &ev->keys[i];
		if (k->now->lag.known && (worst == NULL ||
		    k->now->lag.v > worst->now->lag.v))
			worst = k;
	}
	if (worst != NULL) {
		e->worst_topic = xstrdup(worst->topic);
		e->worst_partition = worst->partition;
		e->worst_lag = worst->now->lag;
		e->worst_seconds = lag_history_seconds(ev->h, ev->cluster,
		    ev->group, worst->topic, worst->partition);
	}
	if (ev->topic != NULL)
		e->seconds = lag_history_topic_seconds(ev->h, ev->cluster,
		    ev->group, ev->topic);
	else
		e->seconds = lag_history_group_seconds(ev->h, ev->cluster,
		    ev->group);
}

static void
ev_spark(struct ev *ev, struct lag_eval *e)
{
	const struct lag_totals	*t;
	size_t			 i, from;

	from = ev->n > ev->o.spark ? ev->n - ev->o.spark : 0;
	e->spark = xcalloc(ev->n - from + 1, sizeof *e->spark);
	for (i = from; i < ev->n; i++) {
		t = ev_totals(ev, i);
		if (t != NULL)
			e->spark[e->n_spark] = t->lag;
		e->n_spark++;
	}
}

/* ------------------------------------------------------------ rates */

/* An offset's rate from its first to its last known value in the window;
 * unknown if it ever went backwards there. */
static struct lag_rate
ev_rate(const struct ev *ev, size_t k, bool log_end)
{
	const struct lag_partition	*p;
	struct lag_rate			 r = { 0, false };
	struct lag_num			 n;
	int64_t				 v0 = 0, t0 = 0, v = 0, t = 0;
	int64_t				 prev = 0;
	bool				 have = false;
	size_t				 j;

	for (j = 0; j < ev->n_win; j++) {
		if ((p = ev_cell(ev, k, j)) == NULL)
			continue;
		n = log_end ? p->log_end : p->committed;
		if (!n.known)
			continue;
		if (!have) {
			v0 = n.v;
			t0 = ev_wall(ev, ev->win[j]);
			have = true;
		} else if (n.v < prev)
			return r;
		prev = v = n.v;
		t = ev_wall(ev, ev->win[j]);
	}
	if (have && t > t0) {
		r.v = (double)(v - v0) / ((double)(t - t0) / 1000.0);
		r.known = true;
	}
	return r;
}

static void
ev_rates(struct ev *ev, struct lag_eval *e)
{
	struct lag_rate	c, p;
	double		net, window_s;
	size_t		k;

	for (k = 0; k < ev->n_keys; k++) {
		c = ev_rate(ev, k, false);
		p = ev_rate(ev, k, true);
		if (c.known) {
			e->consume.v += c.v;
			e->consume.known = true;
		}
		if (p.known) {
			e->produce.v += p.v;
			e->produce.known = true;
		}
		/* partitions without a commit consume nothing: no loss */
		if ((!c.known && !ev->keys[k].now->no_commit) || !p.known)
			e->rates_partial = true;
	}

	memset(&e->drain, 0, sizeof e->drain);
	if (!e->lag.known)
		return;
	if (e->lag.v == 0) {
		e->drain.state = LAG_DRAIN_CAUGHT_UP;
		return;
	}
	if (!e->consume.known || !e->produce.known)
		return;
	net = e->consume.v - e->produce.v;
	window_s = (double)e->span_ms / 1000.0;
	/* not one message more or less over the window */
	if (fabs(net) * window_s < 1.0)
		e->drain.state = LAG_DRAIN_STEADY;
	else if (net > 0) {
		e->drain.state = LAG_DRAIN_DRAINING;
		e->drain.seconds = (double)e->lag.v / net;
	} else {
		e->drain.state = LAG_DRAIN_BEHIND;
		e->drain.behind = -net;
	}
}

/* ------------------------------------------------------------ still */

/*
 * How long each key's committed offset has been what it is now, and
 * whether it is stalled (see lag_eval.h). Returns the group's still time:
 * since the latest move of any partition; -1 when none has a commit.
 */
static int64_t
ev_still(struct ev *ev, struct lag_eval *e)
{
	const struct lag_partition	*p, *now;
	struct ev_key			*k;
	int64_t				 t_last = ev_wall(ev, ev->last);
	size_t				 i, x, pos, start, latest = 0;
	bool				 any = false, moved, oldest = false;

	for (x = 0; x < ev->n_keys; x++) {
		k = &ev->keys[x];
		now = k->now;
		if (!now->committed.known)
			continue;
		k->still = ev->last;
		k->still_oldest = true;
		for (i = ev->last; i-- > 0;) {
			p = ev_part(ev, i, k);
			if (p == NULL || !p->committed.known)
				continue;
			if (p->committed.v != now->committed.v) {
				k->still_oldest = false;
				break;
			}
			k->still = i;
		}
		if (!any || k->still > latest) {
			latest = k->still;
			oldest = k->still_oldest;
		} else if (k->still == latest)
			oldest = oldest && k->still_oldest;
		any = true;

		if (!now->lag.known || now->lag.v <= 0)
			continue;
		pos = ev->last;
		for (i = ev->last; i-- > 0;) {
			p = ev_part(ev, i, k);
			if (p == NULL || !p->lag.known)
				continue;
			if (p->lag.v <= 0)
				break;
			pos = i;
		}
		start = pos > k->still ? pos : k->still;
		k->stalled_ms = t_last - ev_wall(ev, start);
		moved = false;
		for (i = start; i < ev->last && !moved; i++) {
			p = ev_part(ev, i, k);
			moved = p != NULL && p->log_end.known &&
			    now->log_end.known &&
			    p->log_end.v != now->log_end.v;
		}
		k->stalled = k->stalled_ms >= ev->o.stall_ms && (moved ||
		    (now->lag.v > 1 && ((e->members.known &&
		    e->members.v == 0) || k->stalled_ms >= ev->o.stop_ms)));
	}
	e->still_at_least = any && oldest;
	return any ? t_last - ev_wall(ev, latest) : -1;
}

/* ------------------------------------------------------------ rewind */

static void
ev_rewinds(struct ev *ev, struct ev_rewind *rw)
{
	const struct lag_partition	*p;
	int64_t				 prev = 0;
	bool				 have, hit;
	size_t				 k, j;

	memset(rw, 0, sizeof *rw);
	for (k = 0; k < ev->n_keys; k++) {
		have = hit = false;
		for (j = 0; j < ev->n_win; j++) {
			p = ev_cell(ev, k, j);
			if (p == NULL || !p->committed.known)
				continue;
			if (have && p->committed.v < prev) {
				hit = true;
				if (rw->topic == NULL ||
				    prev - p->committed.v > rw->from - rw->to) {
					rw->topic = ev->keys[k].topic;
					rw->partition = ev->keys[k].partition;
					rw->from = prev;
					rw->to = p->committed.v;
					rw->at_ms = ev_wall(ev, ev->win[j]);
				}
			}
			prev = p->committed.v;
			have = true;
		}
		if (hit)
			rw->n++;
	}
}

/* ------------------------------------------------------------ trend */

/* a += b for lags (>= 0), saturating like the model's totals. */
static void
ev_sum(int64_t *a, int64_t b)
{
	if (__builtin_add_overflow(*a, b, a))
		*a = INT64_MAX;
}

/* Sum of lags at window samples a and b over keys known in both. */
static void
ev_common(const struct ev *ev, size_t a, size_t b, int64_t *la, int64_t *lb,
    bool *any)
{
	const struct lag_partition	*pa, *pb;
	size_t				 k;

	*la = *lb = 0;
	*any = false;
	for (k = 0; k < ev->n_keys; k++) {
		pa = ev_cell(ev, k, a);
		pb = ev_cell(ev, k, b);
		if (pa == NULL || pb == NULL || !pa->lag.known ||
		    !pb->lag.known)
			continue;
		ev_sum(la, pa->lag.v);
		ev_sum(lb, pb->lag.v);
		*any = true;
	}
}

/* Did any key's committed offset change between window samples j-1, j? */
static bool
ev_committed_at(const struct ev *ev, size_t j)
{
	const struct lag_partition	*a, *b;
	size_t				 k;

	for (k = 0; k < ev->n_keys; k++) {
		a = ev_cell(ev, k, j - 1);
		b = ev_cell(ev, k, j);
		if (a != NULL && b != NULL && a->committed.known &&
		    b->committed.known && a->committed.v != b->committed.v)
			return true;
	}
	return false;
}

/*
 * WARN: the lag stayed above 0 in the window and, compared at its commit
 * points (the first sample, then each sample where a commit moved), never
 * fell and rose overall; with no commit at all in the window, it rose from
 * the first sample to the latest. *from and *to are the lags of the first
 * and the latest sample (over the partitions in both).
 */
static bool
ev_growing(const struct ev *ev, int64_t *from, int64_t *to, bool *no_commit)
{
	const struct lag_totals	*t;
	int64_t			 la, lb;
	size_t			 j, prev = 0, n_points = 0, n_steps = 0;
	bool			 any;

	for (j = 0; j < ev->n_win; j++) {
		t = ev_totals(ev, ev->win[j]);
		if (t->lag.known && t->lag.v <= 0)
			return false;	/* caught up at some point */
	}
	for (j = 1; j < ev->n_win; j++) {
		if (!ev_committed_at(ev, j))
			continue;
		n_points++;
		ev_common(ev, prev, j, &la, &lb, &any);
		if (any && lb < la)
			return false;
		if (any)
			n_steps++;
		prev = j;
	}
	ev_common(ev, 0, ev->n_win - 1, from, to, &any);
	*no_commit = n_points == 0;
	if (!any || ev->n_win < 2)
		return false;
	if (*no_commit)
		return *to > *from;
	ev_common(ev, 0, prev, &la, &lb, &any);
	return n_steps > 0 && any && lb > la;
}

/* ------------------------------------------------------------ verdict */

static void
ev_unknown_lag(struct ev *ev, struct lag_eval *e)
{
	const char	*what = ev->topic != NULL ? "the topic" : "the group";

	if (e->n_partitions == 0)
		ev_say(e, LAG_STATE_UNKNOWN, "lag unknown: %s has no "
		    "partitions with offsets", what);
	else if (ev_totals(ev, ev->last)->n_no_commit == e->n_partitions)
		ev_say(e, LAG_STATE_UNKNOWN, "lag unknown: nothing committed "
		    "yet on %zu partition%s", e->n_partitions,
		    e->n_partitions == 1 ? "" : "s");
	else
		ev_say(e, LAG_STATE_UNKNOWN, "lag unknown: no lag series for "
		    "%s", what);
}

/* The worst stalled key: the longest still. */
static const struct ev_key *
ev_worst_stalled(const struct ev *ev, size_t *n)
{
	const struct ev_key	*w = NULL;
	size_t			 i;

	*n = 0;
	for (i = 0; i < ev->n_keys; i++) {
		if (!ev->keys[i].stalled)
			continue;
		(*n)++;
		if (w == NULL || ev->keys[i].stalled_ms > w->stalled_ms)
			w = &ev->keys[i];
	}
	return w;
}

static void
ev_verdict(struct ev *ev, struct lag_eval *e)
{
	const struct ev_key	*sk;
	struct ev_rewind	 rw;
	char			 a[32], b[32], d[32], more[48];
	int64_t			 from, to, la, lb;
	size_t			 n_stalled;
	bool			 no_members, no_commit, any;

	if (e->n_samples < ev->o.min_samples) {
		ev_say(e, LAG_STATE_UNKNOWN, "only %zu sample%s so far; "
		    "need %zu", e->n_samples, e->n_samples == 1 ? "" : "s",
		    ev->o.min_samples);
		return;
	}

	ev_rewinds(ev, &rw);
	if (rw.n > 0) {
		ev_fmt_pair(a, b, sizeof a, rw.from, rw.to);
		ev_fmt_span(d, sizeof d, (double)(ev_wall(ev, ev->last) -
		    rw.at_ms) / 1000.0);
		more[0] = '\0';
		if (rw.n > 1)
			snprintf(more, sizeof more, " (%zu partitions went "
			    "back)", rw.n);
		ev_say(e, LAG_STATE_REWIND, "offsets went back on %s/%d from "
		    "%s to %s %s ago%s", rw.topic, (int)rw.partition, a, b, d,
		    more);
		return;
	}

	ev_fmt_count(a, sizeof a, (double)e->lag.v, -1);
	ev_fmt_span(d, sizeof d, (double)e->still_ms / 1000.0);
	sk = ev_worst_stalled(ev, &n_stalled);
	no_members = e->members.known && e->members.v == 0;
	if (no_members && e->still_ms >= ev->o.stall_ms && sk != NULL) {
		ev_say(e, LAG_STATE_STOP, "no members and no commits for %s%s "
		    "while lag is %s", e->still_at_least ? "at least " : "", d,
		    a);
		return;
	}
	if (no_members && e->still_ms >= ev->o.stop_ms) {
		ev_say(e, LAG_STATE_STOP, "no members and no commits for %s%s "
		    "(lag %s)", e->still_at_least ? "at least " : "", d, a);
		return;
	}
	if (sk != NULL && e->still_ms >= ev->o.stall_ms) {
		ev_say(e, LAG_STATE_STALL, "offsets have not moved for %s%s "
		    "while lag is %s", e->still_at_least ? "at least " : "", d,
		    a);
		return;
	}
	if (sk != NULL) {
		ev_fmt_count(a, sizeof a, (double)sk->now->lag.v, -1);
		ev_fmt_span(d, sizeof d, (double)sk->stalled_ms / 1000.0);
		more[0] = '\0';
		if (n_stalled > 1)
			snprintf(more, sizeof more, " (%zu partitions stalled)",
			    n_stalled);
		ev_say(e, LAG_STATE_STALL, "offsets of %s/%d have not moved "
		    "for %s while its lag is %s; others move%s", sk->topic,
		    (int)sk->partition, d, a, more);
		return;
	}

	if (ev_growing(ev, &from, &to, &no_commit)) {
		ev_fmt_pair(a, b, sizeof a, from, to);
		ev_fmt_span(d, sizeof d, (double)e->span_ms / 1000.0);
		ev_say(e, LAG_STATE_WARN, "lag grew from %s to %s over the "
		    "last %s%s", a, b, d, no_commit ? " without a commit" : "");
		return;
	}

	ev_common(ev, 0, ev->n_win - 1, &la, &lb, &any);
	ev_fmt_span(d, sizeof d, (double)e->span_ms / 1000.0);
	if (e->lag.v == 0)
		ev_say(e, LAG_STATE_OK, "caught up");
	else if (!any || la == lb) {
		ev_fmt_count(a, sizeof a, (double)e->lag.v, -1);
		ev_say(e, LAG_STATE_OK, "lag %s, steady over the last %s", a,
		    d);
	} else {
		ev_fmt_pair(a, b, sizeof a, la, lb);
		ev_say(e, LAG_STATE_OK, "lag %s from %s to %s over the last "
		    "%s%s", lb < la ? "fell" : "rose", a, b, d,
		    lb < la ? "" : ", not steadily");
	}
}

/* ------------------------------------------------------------ public */

static void
ev_scope(struct lag_eval *e, const struct lag_history *h,
    const struct lag_eval_opts *opts, const char *cluster, const char *group,
    const char *topic)
{
	struct ev	ev;

	memset(e, 0, sizeof *e);
	e->cluster = xstrdup(cluster != NULL ? cluster : "");
	e->group = xstrdup(group);
	e->topic = topic != NULL ? xstrdup(topic) : NULL;
	e->worst_partition = -1;
	e->still_ms = -1;
	e->seconds.extrapolated = e->worst_seconds.extrapolated = NAN;

	memset(&ev, 0, sizeof ev);
	ev.h = h;
	ev_opts(&ev.o, opts);
	ev.cluster = e->cluster;
	ev.group = group;
	ev.topic = topic;
	if (!ev_setup(&ev)) {
		if (ev.n == 0)
			ev_say(e, LAG_STATE_UNKNOWN, "no data yet");
		else if (topic != NULL && ev.groups[ev.last] != NULL)
			ev_say(e, LAG_STATE_UNKNOWN, "the group does not "
			    "consume %s in the latest sample", topic);
		else
			ev_say(e, LAG_STATE_UNKNOWN, "the group is not in the "
			    "latest sample");
		if (ev.n > 0)
			ev_spark(&ev, e);
		ev_free(&ev);
		return;
	}
	e->n_samples = ev.n_win;
	e->span_ms = ev_wall(&ev, ev.win[ev.n_win - 1]) -
	    ev_wall(&ev, ev.win[0]);
	ev_latest(&ev, e);
	ev_spark(&ev, e);
	ev_rates(&ev, e);
	e->still_ms = ev_still(&ev, e);
	if (!e->lag.known)
		ev_unknown_lag(&ev, e);
	else {
		ev_verdict(&ev, e);
		ev_say_partial(e);
	}
	ev_free(&ev);
}

void
lag_eval_group(struct lag_eval *e, const struct lag_history *h,
    const struct lag_eval_opts *opts, const char *cluster, const char *group,
    const char *topic)
{
	const struct lag_group	*g;
	size_t			 i;

	ev_scope(e, h, opts, cluster, group, topic);
	if (topic != NULL)
		return;
	g = lag_find_group(lag_history_latest(h), cluster, group);
	if (g == NULL || g->n_topics == 0)
		return;
	e->topics = xcalloc(g->n_topics, sizeof *e->topics);
	for (i = 0; i < g->n_topics; i++) {
		ev_scope(&e->topics[i], h, opts, cluster, group,
		    g->topics[i].name);
	}
	e->n_topics = g->n_topics;
}

void
lag_eval_clear(struct lag_eval *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n_topics; i++)
		lag_eval_clear(&e->topics[i]);
	free(e->topics);
	free(e->cluster);
	free(e->group);
	free(e->topic);
	free(e->worst_topic);
	free(e->spark);
	memset(e, 0, sizeof *e);
}

struct lag_eval *
lag_eval_all(const struct lag_history *h, const struct lag_eval_opts *opts,
    size_t *n)
{
	const struct lag_snapshot	*s = lag_history_latest(h);
	struct lag_eval			*all;
	size_t				 i;

	*n = s != NULL ? s->n_groups : 0;
	all = xcalloc(*n + 1, sizeof *all);
	for (i = 0; i < *n; i++) {
		lag_eval_group(&all[i], h, opts, s->groups[i].cluster,
		    s->groups[i].name, NULL);
	}
	return all;
}

void
lag_eval_free_all(struct lag_eval *all, size_t n)
{
	size_t	i;

	if (all == NULL)
		return;
	for (i = 0; i < n; i++)
		lag_eval_clear(&all[i]);
	free(all);
}

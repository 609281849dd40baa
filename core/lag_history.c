/*
 * Lag history: a ring of snapshots, and lag in seconds estimated from the
 * log-end offsets it holds.
 */

#include "lag.h"

#include <math.h>
#include <stdlib.h>

#include "xmalloc.h"


struct lag_history {
	struct lag_snapshot	**ring;
	size_t			  cap;
	size_t			  start;
	size_t			  n;
};

struct lag_history *
lag_history_new(size_t capacity)
{
	struct lag_history	*h = xcalloc(1, sizeof *h);

	h->cap = capacity < 2 ? 2 : capacity;
	h->ring = xcalloc(h->cap, sizeof *h->ring);
	return h;
}

void
lag_history_free(struct lag_history *h)
{
	size_t	i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		lag_snapshot_free(h->ring[(h->start + i) % h->cap]);
	free(h->ring);
	free(h);
}

size_t
lag_history_len(const struct lag_history *h)
{
	return h->n;
}

const struct lag_snapshot *
lag_history_get(const struct lag_history *h, size_t i)
{
	return i < h->n ? h->ring[(h->start + i) % h->cap] : NULL;
}

const struct lag_snapshot *
lag_history_latest(const struct lag_history *h)
{
	return h->n > 0 ? lag_history_get(h, h->n - 1) : NULL;
}

void
lag_history_push(struct lag_history *h, struct lag_snapshot *s)
{
	if (h->n > 0)
		lag_rates(s, lag_history_latest(h));
	if (h->n == h->cap) {
		lag_snapshot_free(h->ring[h->start]);
		h->ring[h->start] = s;
		h->start = (h->start + 1) % h->cap;
		return;
	}
	h->ring[(h->start + h->n) % h->cap] = s;
	h->n++;
}

/* The log-end offset of a partition in snapshot i, if known. */
static bool
lag_history_log_end(const struct lag_history *h, size_t i,
    const char *cluster, const char *topic, int32_t partition, int64_t *t,
    int64_t *off)
{
	const struct lag_snapshot	*s = lag_history_get(h, i);
	const struct lag_tpart		*tp;

	tp = lag_find_tpart(lag_find_topic_info(s, cluster, topic), partition);
	if (tp == NULL || !tp->log_end.known)
		return false;
	*t = s->wall_ms;
	*off = tp->log_end.v;
	return true;
}

/* Beyond the history: a lower bound, and an extrapolation at mean rate. */
static void
lag_seconds_beyond(const struct lag_history *h, const char *cluster,
    const char *topic, int32_t partition, int64_t committed,
    struct lag_seconds *out)
{
	int64_t	t0 = 0, l0 = 0, t1 = 0, l1 = 0, t, l, now;
	bool	first = true;
	size_t	i;

	now = lag_history_latest(h)->wall_ms;
	for (i = 0; i < h->n; i++) {
		if (!lag_history_log_end(h, i, cluster, topic, partition, &t, &l))
			continue;
		if (first) {
			t0 = t;
			l0 = l;
			first = false;
		}
		t1 = t;
		l1 = l;
	}
	out->state = LAG_SEC_AT_LEAST;
	out->seconds = (double)(now - t0) / 1000.0;
	out->extrapolated = NAN;
	if (t1 > t0 && l1 > l0) {
		out->extrapolated = out->seconds + (double)(l0 - committed) /
		    ((double)(l1 - l0) / ((double)(t1 - t0) / 1000.0));
	}
}

struct lag_seconds
lag_history_seconds(const struct lag_history *h, const char *cluster,
    const char *group, const char *topic, int32_t partition)
{
	struct lag_seconds		 out = { LAG_SEC_UNKNOWN, 0, NAN, false };
	const struct lag_snapshot	*s = lag_history_latest(h);
	const struct lag_partition	*p;
	int64_t				 c, t, l, pt = 0, pl = 0;
	bool				 have_prev = false;
	size_t				 i;

	p = lag_find_partition(lag_find_topic(lag_find_group(s, cluster,
	    group), topic), partition);
	if (p == NULL || !p->committed.known)
		return out;
	c = p->committed.v;
	if (p->log_end.known && p->log_end.v <= c) {
		out.state = LAG_SEC_ESTIMATED;	/* caught up */
		return out;
	}
	for (i = 0; i < h->n; i++) {
		if (!lag_history_log_end(h, i, cluster, topic, partition, &t, &l))
			continue;
		if (l >= c && !have_prev) {
			lag_seconds_beyond(h, cluster, topic, partition, c,
			    &out);
			return out;
		}
		if (l >= c) {
			/* the log end passed c between pt and t */
			out.state = LAG_SEC_ESTIMATED;
			out.seconds = (double)(s->wall_ms - pt) / 1000.0 -
			    (double)(c - pl) / (double)(l - pl) *
			    (double)(t - pt) / 1000.0;
			return out;
		}
		have_prev = true;
		pt = t;
		pl = l;
	}
	if (have_prev)
		out.state = LAG_SEC_ESTIMATED;	/* committed >= every log end */
	return out;
}

/* The worst of some partitions: the most seconds, partial if any unknown. */
static void
lag_seconds_worst(struct lag_seconds *out, struct lag_seconds one)
{
	bool	partial = out->partial || one.partial;

	if (one.state == LAG_SEC_UNKNOWN)
		partial = true;
	else if (out->state == LAG_SEC_UNKNOWN || one.seconds > out->seconds)
		*out = one;
	out->partial = partial;
}

struct lag_seconds
lag_history_topic_seconds(const struct lag_history *h, const char *cluster,
    const char *group, const char *topic)
{
	struct lag_seconds	 out = { LAG_SEC_UNKNOWN, 0, NAN, false };
	const struct lag_topic	*t;
	size_t			 i;

	t = lag_find_topic(lag_find_group(lag_history_latest(h), cluster,
	    group), topic);
	for (i = 0; t != NULL && i < t->n_parts; i++) {
		lag_seconds_worst(&out, lag_history_seconds(h, cluster, group,
		    topic, t->parts[i].partition));
	}
	return out;
}

struct lag_seconds
lag_history_group_seconds(const struct lag_history *h, const char *cluster,
    const char *group)
{
	struct lag_seconds	 out = { LAG_SEC_UNKNOWN, 0, NAN, false };
	const struct lag_group	*g;
	size_t			 i;

	g = lag_find_group(lag_history_latest(h), cluster, group);
	for (i = 0; g != NULL && i < g->n_topics; i++) {
		lag_seconds_worst(&out, lag_history_topic_seconds(h, cluster,
		    group, g->topics[i].name));
	}
	return out;
}

/*
 * Kafka lag model. Series arrive in any order (exposition order, Prometheus
 * order) as records with interned names; finishing sorts them and builds
 * sorted arrays so that lookups and snapshot diffs are binary searches.
 *
 * Fetching is in lag_fetch.c, the history and lag in seconds in
 * lag_history.c, the state evaluation in lag_eval.c.
 */

#include "lag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prom_api.h"
#include "prom_text.h"
#include "util.h"
#include "xmalloc.h"

#define LAG_MAX_PARTITIONS	100000	/* a kafka_topic_partitions sanity cap */
/*
 * Values come as float64: beyond 2^53 they are not exact, and no Kafka
 * offset gets there. Bounding them keeps every difference of two values
 * far from int64 overflow; sums saturate instead.
 */
#define LAG_NUM_MAX		9007199254740992.0	/* 2^53 */

struct lag_rec {
	const char	*cluster;
	const char	*group;		/* NULL for topic metrics */
	const char	*topic;		/* NULL for members */
	int32_t		 partition;	/* -1 for members, partition counts */
	enum lag_metric	 metric;
	double		 value;
};

struct lag_builder {
	char		**slots;	/* interned strings, open addressing */
	size_t		  n_slots;
	char		**strings;	/* the same, in order: handed over */
	size_t		  n_strings;
	struct lag_rec	 *recs;
	size_t		  n_recs;
	size_t		  cap_recs;
	size_t		  n_ignored;
};

static const struct {
	const char	*name;
	enum lag_metric	 metric;
	bool		 group;		/* needs consumergroup */
	bool		 topic;		/* needs topic */
	bool		 partition;	/* needs partition */
} lag_metrics[] = {
	{ "kafka_consumergroup_lag", LAG_M_LAG, true, true, true },
	{ "kafka_consumergroup_current_offset", LAG_M_COMMITTED,
	  true, true, true },
	{ "kafka_consumergroup_members", LAG_M_MEMBERS, true, false, false },
	{ "kafka_topic_partition_current_offset", LAG_M_LOG_END,
	  false, true, true },
	{ "kafka_topic_partition_oldest_offset", LAG_M_OLDEST,
	  false, true, true },
	{ "kafka_topic_partitions", LAG_M_PARTITIONS, false, true, false },
};

const char *
lag_metric_name(enum lag_metric m)
{
	size_t	i;

	for (i = 0; i < nitems(lag_metrics); i++) {
		if (lag_metrics[i].metric == m)
			return lag_metrics[i].name;
	}
	return NULL;
}

/* ------------------------------------------------------------ interning */

static uint64_t
lag_hash(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
lag_intern_grow(struct lag_builder *b)
{
	size_t	i, j, n = b->n_slots == 0 ? 64 : b->n_slots * 2;

	free(b->slots);
	b->slots = xcalloc(n, sizeof *b->slots);
	b->n_slots = n;
	/* at most half the slots are used: room for the strings too */
	b->strings = xreallocarray(b->strings, n / 2, sizeof *b->strings);
	for (i = 0; i < b->n_strings; i++) {
		j = lag_hash(b->strings[i]) & (n - 1);
		while (b->slots[j] != NULL)
			j = (j + 1) & (n - 1);
		b->slots[j] = b->strings[i];
	}
}

static const char *
lag_intern(struct lag_builder *b, const char *s)
{
	size_t	i;

	if (s == NULL)
		return NULL;
	if ((b->n_strings + 1) * 2 > b->n_slots)
		lag_intern_grow(b);
	i = lag_hash(s) & (b->n_slots - 1);
	while (b->slots[i] != NULL) {
		if (strcmp(b->slots[i], s) == 0)
			return b->slots[i];
		i = (i + 1) & (b->n_slots - 1);
	}
	b->slots[i] = xstrdup(s);
	b->strings[b->n_strings++] = b->slots[i];
	return b->slots[i];
}

/* ------------------------------------------------------------ builder */

struct lag_builder *
lag_builder_new(void)
{
	return xcalloc(1, sizeof (struct lag_builder));
}

void
lag_builder_free(struct lag_builder *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n_strings; i++)
		free(b->strings[i]);
	free(b->strings);
	free(b->slots);
	free(b->recs);
	free(b);
}

void
lag_builder_add(struct lag_builder *b, enum lag_metric m, const char *cluster,
    const char *group, const char *topic, int32_t partition, double value)
{
	struct lag_rec	*r;

	if (b->n_recs == b->cap_recs) {
		b->cap_recs = b->cap_recs == 0 ? 256 : b->cap_recs * 2;
		b->recs = xreallocarray(b->recs, b->cap_recs, sizeof *b->recs);
	}
	r = &b->recs[b->n_recs++];
	r->cluster = lag_intern(b, cluster != NULL ? cluster : "");
	r->group = lag_intern(b, group);
	r->topic = lag_intern(b, topic);
	r->partition = partition;
	r->metric = m;
	r->value = value;
}

typedef const char *(*lag_label_fn)(const void *, const char *);

/* One series of a known metric, its labels read through `get`. */
static int
lag_add_labeled(struct lag_builder *b, const char *name, double value,
    lag_label_fn get, const void *obj)
{
	const char	*group = NULL, *topic = NULL, *part;
	long long	 p = -1;
	size_t		 i;

	for (i = 0; i < nitems(lag_metrics); i++) {
		if (strcmp(lag_metrics[i].name, name) == 0)
			break;
	}
	if (i == nitems(lag_metrics))
		return 0;
	if ((lag_metrics[i].group &&
	    (group = get(obj, "consumergroup")) == NULL) ||
	    (lag_metrics[i].topic && (topic = get(obj, "topic")) == NULL))
		goto bad;
	if (lag_metrics[i].partition) {
		part = get(obj, "partition");
		if (part == NULL || util_strtoll(part, strlen(part), &p) != 0 ||
		    p < 0 || p > INT32_MAX)
			goto bad;
	}
	lag_builder_add(b, lag_metrics[i].metric, get(obj, "cluster"), group,
	    topic, (int32_t)p, value);
	return 1;
bad:
	b->n_ignored++;
	return -1;
}

static const char *
lag_sample_get(const void *obj, const char *name)
{
	return prom_sample_label(obj, name);
}

static const char *
lag_series_get(const void *obj, const char *name)
{
	return prom_series_label(obj, name);
}

int
lag_builder_add_sample(struct lag_builder *b, const struct prom_sample *sm)
{
	return lag_add_labeled(b, sm->name, sm->value, lag_sample_get, sm);
}

int
lag_builder_add_series(struct lag_builder *b, const struct prom_series *s)
{
	const char	*name = prom_series_label(s, "__name__");

	if (name == NULL || s->n_points == 0)
		return 0;
	return lag_add_labeled(b, name, s->points[s->n_points - 1].v,
	    lag_series_get, s);
}

/* ------------------------------------------------------------ finishing */

static int
lag_strcmp0(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return a == b ? 0 : strcmp(a, b);
}

static int
lag_rec_cmp(const void *va, const void *vb)
{
	const struct lag_rec	*a = va, *b = vb;
	int			 c;

	if ((c = lag_strcmp0(a->cluster, b->cluster)) != 0 ||
	    (c = lag_strcmp0(a->group, b->group)) != 0 ||
	    (c = lag_strcmp0(a->topic, b->topic)) != 0)
		return c;
	if (a->partition != b->partition)
		return a->partition < b->partition ? -1 : 1;
	return (int)a->metric - (int)b->metric;
}

static struct lag_num
lag_num_of(double v)
{
	struct lag_num	n = { 0, false };

	if (isfinite(v) && fabs(v) <= LAG_NUM_MAX) {
		n.v = llround(v);
		n.known = true;
	}
	return n;
}

static int
lag_tpart_cmp(const void *va, const void *vb)
{
	const struct lag_tpart	*a = va, *b = vb;

	return (a->partition > b->partition) - (a->partition < b->partition);
}

/* Appends to parts, which the caller made large enough. */
static struct lag_tpart *
lag_tpart_add(struct lag_topic_info *ti, int32_t partition)
{
	struct lag_tpart	*tp;

	tp = &ti->parts[ti->n_parts++];
	memset(tp, 0, sizeof *tp);
	tp->partition = partition;
	return tp;
}

static const struct lag_tpart *
lag_tpart_search(const struct lag_tpart *parts, size_t n, int32_t partition)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (parts[mid].partition == partition)
			return &parts[mid];
		if (parts[mid].partition < partition)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Partitions 0..n-1 that kafka_topic_partitions promises, as unknown. */
static void
lag_topic_fill(struct lag_topic_info *ti)
{
	size_t	orig = ti->n_parts;
	int64_t	p, n;

	if (!ti->n_partitions.known || ti->n_partitions.v <= 0)
		return;
	n = ti->n_partitions.v;
	if (n > LAG_MAX_PARTITIONS)
		n = LAG_MAX_PARTITIONS;
	ti->parts = xreallocarray(ti->parts, orig + (size_t)n,
	    sizeof *ti->parts);
	for (p = 0; p < n; p++) {
		if (lag_tpart_search(ti->parts, orig, (int32_t)p) == NULL)
			lag_tpart_add(ti, (int32_t)p);
	}
	if (ti->n_parts != orig)
		qsort(ti->parts, ti->n_parts, sizeof *ti->parts, lag_tpart_cmp);
}

/* One (cluster, topic) run of sorted topic records. */
static void
lag_build_topic(struct lag_topic_info *ti, const struct lag_rec *r, size_t n)
{
	struct lag_tpart	*tp = NULL;
	size_t			 i;

	memset(ti, 0, sizeof *ti);
	ti->cluster = r[0].cluster;
	ti->name = r[0].topic;
	/* as many partitions as records at most */
	ti->parts = xcalloc(n, sizeof *ti->parts);
	for (i = 0; i < n; i++) {
		if (r[i].metric == LAG_M_PARTITIONS) {
			ti->n_partitions = lag_num_of(r[i].value);
			continue;
		}
		if (tp == NULL || tp->partition != r[i].partition)
			tp = lag_tpart_add(ti, r[i].partition);
		if (r[i].metric == LAG_M_LOG_END)
			tp->log_end = lag_num_of(r[i].value);
		else
			tp->oldest = lag_num_of(r[i].value);
	}
	lag_topic_fill(ti);
}

static bool
lag_same_topic(const struct lag_rec *a, const struct lag_rec *b)
{
	return a->cluster == b->cluster && a->group == b->group &&
	    a->topic == b->topic;
}

static void
lag_build_topics(struct lag_snapshot *s, const struct lag_rec *r, size_t n)
{
	size_t	i = 0, j;

	/* one topic per run of records: n at most */
	s->topics = xcalloc(n + 1, sizeof *s->topics);
	while (i < n) {
		for (j = i + 1; j < n && lag_same_topic(&r[i], &r[j]); j++)
			;
		lag_build_topic(&s->topics[s->n_topics++], r + i, j - i);
		i = j;
	}
}

static struct lag_partition *
lag_part_search(struct lag_partition *parts, size_t n, int32_t partition)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (parts[mid].partition == partition)
			return &parts[mid];
		if (parts[mid].partition < partition)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
lag_part_cmp(const void *va, const void *vb)
{
	const struct lag_partition	*a = va, *b = vb;

	return (a->partition > b->partition) - (a->partition < b->partition);
}

/* The exporter's -1 means "nothing committed"; other negatives are races. */
static void
lag_part_fix(struct lag_partition *p)
{
	if (p->committed.known && p->committed.v == -1) {
		p->committed.known = false;
		p->no_commit = true;
	}
	if (p->lag.known && p->lag.v < 0) {
		if (p->lag.v == -1 && (p->no_commit || !p->committed.known)) {
			p->lag.known = false;
			p->no_commit = true;
		} else
			p->lag.v = 0;
	}
}

/* One (group, topic) run: its partitions plus the topic's known ones. */
static void
lag_build_gtopic(struct lag_snapshot *s, struct lag_topic *t,
    const struct lag_rec *r, size_t n)
{
	const struct lag_topic_info	*ti;
	const struct lag_tpart		*tp;
	struct lag_partition		*p = NULL;
	size_t				 i, k;

	ti = lag_find_topic_info(s, r[0].cluster, r[0].topic);
	t->name = r[0].topic;
	t->parts = xcalloc(n + (ti != NULL ? ti->n_parts : 0) + 1,
	    sizeof *t->parts);
	for (i = 0; i < n; i++) {
		if (p == NULL || p->partition != r[i].partition) {
			p = &t->parts[t->n_parts++];
			p->partition = r[i].partition;
		}
		if (r[i].metric == LAG_M_LAG)
			p->lag = lag_num_of(r[i].value);
		else if (r[i].metric == LAG_M_COMMITTED)
			p->committed = lag_num_of(r[i].value);
	}
	k = t->n_parts;
	for (i = 0; ti != NULL && i < ti->n_parts; i++) {
		if (lag_part_search(t->parts, k, ti->parts[i].partition) == NULL)
			t->parts[t->n_parts++].partition = ti->parts[i].partition;
	}
	if (t->n_parts != k)
		qsort(t->parts, t->n_parts, sizeof *t->parts, lag_part_cmp);
	for (i = 0; i < t->n_parts; i++) {
		tp = lag_find_tpart(ti, t->parts[i].partition);
		if (tp != NULL)
			t->parts[i].log_end = tp->log_end;
		lag_part_fix(&t->parts[i]);
	}
}

static void
lag_build_group(struct lag_snapshot *s, struct lag_group *g,
    const struct lag_rec *r, size_t n)
{
	size_t	i = 0, j;

	memset(g, 0, sizeof *g);
	g->cluster = r[0].cluster;
	g->name = r[0].group;
	/* one topic per run of records: n at most */
	g->topics = xcalloc(n + 1, sizeof *g->topics);
	while (i < n) {
		if (r[i].topic == NULL) {
			if (r[i].metric == LAG_M_MEMBERS)
				g->members = lag_num_of(r[i].value);
			i++;
			continue;
		}
		for (j = i + 1; j < n && r[j].topic == r[i].topic; j++)
			;
		lag_build_gtopic(s, &g->topics[g->n_topics++], r + i, j - i);
		i = j;
	}
}

static void
lag_build_groups(struct lag_snapshot *s, const struct lag_rec *r, size_t n)
{
	size_t	i = 0, j;

	/* one group per run of records: n at most */
	s->groups = xcalloc(n + 1, sizeof *s->groups);
	while (i < n) {
		for (j = i + 1; j < n && r[j].cluster == r[i].cluster &&
		    r[j].group == r[i].group; j++)
			;
		lag_build_group(s, &s->groups[s->n_groups++], r + i, j - i);
		i = j;
	}
}

struct lag_snapshot *
lag_builder_finish(struct lag_builder *b, int64_t wall_ms)
{
	struct lag_snapshot	*s = xcalloc(1, sizeof *s);
	struct lag_rec		 tmp;
	size_t			 i, nt = 0;

	/* topic records (no group) first, then group records */
	for (i = 0; i < b->n_recs; i++) {
		if (b->recs[i].group == NULL) {
			tmp = b->recs[nt];
			b->recs[nt++] = b->recs[i];
			b->recs[i] = tmp;
		}
	}
	s->wall_ms = wall_ms;
	if (b->n_recs > 0) {	/* qsort and recs + nt want a real array */
		qsort(b->recs, nt, sizeof *b->recs, lag_rec_cmp);
		qsort(b->recs + nt, b->n_recs - nt, sizeof *b->recs,
		    lag_rec_cmp);
		lag_build_topics(s, b->recs, nt);
		lag_build_groups(s, b->recs + nt, b->n_recs - nt);
	}
	s->n_ignored = b->n_ignored;
	s->strings = b->strings;
	s->n_strings = b->n_strings;
	b->strings = NULL;
	b->n_strings = 0;
	lag_builder_free(b);
	lag_snapshot_totals(s);
	return s;
}

void
lag_snapshot_free(struct lag_snapshot *s)
{
	size_t	i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_groups; i++) {
		for (j = 0; j < s->groups[i].n_topics; j++)
			free(s->groups[i].topics[j].parts);
		free(s->groups[i].topics);
	}
	free(s->groups);
	for (i = 0; i < s->n_topics; i++)
		free(s->topics[i].parts);
	free(s->topics);
	for (i = 0; i < s->n_strings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s);
}

static int
lag_sample_cb(const struct prom_sample *sm, void *arg)
{
	lag_builder_add_sample(arg, sm);
	return 0;
}

struct lag_snapshot *
lag_from_exposition(const char *data, size_t len, int64_t wall_ms,
    char **cause)
{
	struct lag_builder	*b = lag_builder_new();

	if (prom_parse_buffer(data, len, lag_sample_cb, b, cause) != 0) {
		lag_builder_free(b);
		return NULL;
	}
	return lag_builder_finish(b, wall_ms);
}

/* ------------------------------------------------------------ reading */

/* Compares (cluster, name) pairs; NULL cluster is "". */
static int
lag_key_cmp(const char *c1, const char *n1, const char *c2, const char *n2)
{
	int	c;

	if ((c = strcmp(c1 != NULL ? c1 : "", c2 != NULL ? c2 : "")) != 0)
		return c;
	return strcmp(n1, n2);
}

const struct lag_group *
lag_find_group(const struct lag_snapshot *s, const char *cluster,
    const char *group)
{
	size_t	lo = 0, hi = s != NULL ? s->n_groups : 0, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = lag_key_cmp(cluster, group, s->groups[mid].cluster,
		    s->groups[mid].name);
		if (c == 0)
			return &s->groups[mid];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct lag_topic_info *
lag_find_topic_info(const struct lag_snapshot *s, const char *cluster,
    const char *topic)
{
	size_t	lo = 0, hi = s != NULL ? s->n_topics : 0, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = lag_key_cmp(cluster, topic, s->topics[mid].cluster,
		    s->topics[mid].name);
		if (c == 0)
			return &s->topics[mid];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct lag_topic *
lag_find_topic(const struct lag_group *g, const char *topic)
{
	size_t	lo = 0, hi = g != NULL ? g->n_topics : 0, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(topic, g->topics[mid].name);
		if (c == 0)
			return &g->topics[mid];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct lag_partition *
lag_find_partition(const struct lag_topic *t, int32_t partition)
{
	if (t == NULL)
		return NULL;
	return lag_part_search(t->parts, t->n_parts, partition);
}

const struct lag_tpart *
lag_find_tpart(const struct lag_topic_info *ti, int32_t partition)
{
	if (ti == NULL)
		return NULL;
	return lag_tpart_search(ti->parts, ti->n_parts, partition);
}

static void
lag_dump_num(struct buf *b, const char *key, struct lag_num n, bool none)
{
	if (none && !n.known)
		buf_printf(b, " %s=none", key);
	else if (!n.known)
		buf_printf(b, " %s=?", key);
	else
		buf_printf(b, " %s=%lld", key, (long long)n.v);
}

static void
lag_dump_group(struct buf *b, const struct lag_group *g)
{
	const struct lag_topic		*t;
	const struct lag_partition	*p;
	size_t				 i, j;

	buf_printf(b, "group %s %s", *g->cluster != '\0' ? g->cluster : "-",
	    g->name);
	lag_dump_num(b, "members", g->members, false);
	lag_dump_num(b, "lag", g->totals.lag, false);
	buf_printf(b, " partitions=%zu known=%zu no_commit=%zu unknown=%zu%s\n",
	    g->totals.n_partitions, g->totals.n_known, g->totals.n_no_commit,
	    g->totals.n_unknown, g->totals.partial ? " partial" : "");
	for (i = 0; i < g->n_topics; i++) {
		t = &g->topics[i];
		for (j = 0; j < t->n_parts; j++) {
			p = &t->parts[j];
			buf_printf(b, "  %s %d", t->name, (int)p->partition);
			lag_dump_num(b, "lag", p->lag, p->no_commit);
			lag_dump_num(b, "committed", p->committed,
			    p->no_commit);
			lag_dump_num(b, "log_end", p->log_end, false);
			buf_addc(b, '\n');
		}
	}
}

void
lag_snapshot_dump(struct buf *b, const struct lag_snapshot *s)
{
	size_t	i;

	for (i = 0; i < s->n_groups; i++)
		lag_dump_group(b, &s->groups[i]);
}

/* ------------------------------------------------------------ totals */

/* a += b for lags (>= 0), saturating rather than overflowing. */
static void
lag_sum(int64_t *a, int64_t b)
{
	if (__builtin_add_overflow(*a, b, a))
		*a = INT64_MAX;
}

static void
lag_rate_add(struct lag_rate *sum, const struct lag_rate *r, bool *partial)
{
	if (!r->known) {
		*partial = true;
		return;
	}
	sum->v += r->v;
	sum->known = true;
}

static void
lag_totals_part(struct lag_totals *t, const struct lag_partition *p)
{
	t->n_partitions++;
	if (p->lag.known) {
		t->n_known++;
		lag_sum(&t->lag.v, p->lag.v);
		t->lag.known = true;
		if (!t->max_lag.known || p->lag.v > t->max_lag.v) {
			t->max_lag = p->lag;
			t->max_partition = p->partition;
		}
	} else if (p->no_commit)
		t->n_no_commit++;
	else
		t->n_unknown++;
	lag_rate_add(&t->consume, &p->consume, &t->rates_partial);
	lag_rate_add(&t->produce, &p->produce, &t->rates_partial);
	t->partial = t->n_known < t->n_partitions;
}

static void
lag_totals_merge(struct lag_totals *t, const struct lag_totals *o)
{
	t->n_partitions += o->n_partitions;
	t->n_known += o->n_known;
	t->n_no_commit += o->n_no_commit;
	t->n_unknown += o->n_unknown;
	if (o->lag.known) {
		lag_sum(&t->lag.v, o->lag.v);
		t->lag.known = true;
	}
	if (o->max_lag.known && (!t->max_lag.known ||
	    o->max_lag.v > t->max_lag.v)) {
		t->max_lag = o->max_lag;
		t->max_partition = o->max_partition;
	}
	/* a topic without any known rate is already rates_partial */
	if (o->consume.known) {
		t->consume.v += o->consume.v;
		t->consume.known = true;
	}
	if (o->produce.known) {
		t->produce.v += o->produce.v;
		t->produce.known = true;
	}
	t->rates_partial |= o->rates_partial;
	t->partial = t->n_known < t->n_partitions;
}

static void
lag_totals_init(struct lag_totals *t)
{
	memset(t, 0, sizeof *t);
	t->max_partition = -1;
}

void
lag_snapshot_totals(struct lag_snapshot *s)
{
	struct lag_group	*g;
	struct lag_topic	*t;
	struct lag_topic_info	*ti;
	size_t			 i, j, k;

	for (i = 0; i < s->n_groups; i++) {
		g = &s->groups[i];
		lag_totals_init(&g->totals);
		for (j = 0; j < g->n_topics; j++) {
			t = &g->topics[j];
			lag_totals_init(&t->totals);
			for (k = 0; k < t->n_parts; k++)
				lag_totals_part(&t->totals, &t->parts[k]);
			lag_totals_merge(&g->totals, &t->totals);
		}
	}
	for (i = 0; i < s->n_topics; i++) {
		ti = &s->topics[i];
		memset(&ti->produce, 0, sizeof ti->produce);
		for (j = 0; j < ti->n_parts; j++) {
			if (ti->parts[j].produce.known) {
				ti->produce.v += ti->parts[j].produce.v;
				ti->produce.known = true;
			}
		}
	}
}

/* ------------------------------------------------------------ rates */

static struct lag_rate
lag_delta(struct lag_num before, struct lag_num now, double dt)
{
	struct lag_rate	r = { 0, false };

	if (before.known && now.known && dt > 0 && now.v >= before.v) {
		r.v = (double)(now.v - before.v) / dt;
		r.known = true;
	}
	return r;
}

static void
lag_rates_topics(struct lag_snapshot *cur, const struct lag_snapshot *prev,
    double dt)
{
	const struct lag_topic_info	*pti;
	const struct lag_tpart		*ptp;
	struct lag_tpart		*tp;
	size_t				 i, j;

	for (i = 0; i < cur->n_topics; i++) {
		pti = lag_find_topic_info(prev, cur->topics[i].cluster,
		    cur->topics[i].name);
		for (j = 0; j < cur->topics[i].n_parts; j++) {
			tp = &cur->topics[i].parts[j];
			ptp = lag_find_tpart(pti, tp->partition);
			tp->produce.known = false;
			if (ptp != NULL)
				tp->produce = lag_delta(ptp->log_end,
				    tp->log_end, dt);
		}
	}
}

static void
lag_rates_group(struct lag_snapshot *cur, struct lag_group *g,
    const struct lag_group *pg, double dt)
{
	const struct lag_topic_info	*ti;
	const struct lag_tpart		*tp;
	const struct lag_partition	*pp;
	struct lag_partition		*p;
	size_t				 j, k;

	for (j = 0; j < g->n_topics; j++) {
		ti = lag_find_topic_info(cur, g->cluster, g->topics[j].name);
		for (k = 0; k < g->topics[j].n_parts; k++) {
			p = &g->topics[j].parts[k];
			pp = lag_find_partition(lag_find_topic(pg,
			    g->topics[j].name), p->partition);
			p->consume.known = false;
			if (pp != NULL)
				p->consume = lag_delta(pp->committed,
				    p->committed, dt);
			tp = lag_find_tpart(ti, p->partition);
			p->produce.known = false;
			if (tp != NULL)
				p->produce = tp->produce;
		}
	}
}

void
lag_rates(struct lag_snapshot *cur, const struct lag_snapshot *prev)
{
	double	dt = (double)(cur->wall_ms - prev->wall_ms) / 1000.0;
	size_t	i;

	lag_rates_topics(cur, prev, dt);
	for (i = 0; i < cur->n_groups; i++) {
		lag_rates_group(cur, &cur->groups[i], lag_find_group(prev,
		    cur->groups[i].cluster, cur->groups[i].name), dt);
	}
	cur->has_rates = true;
	lag_snapshot_totals(cur);
}


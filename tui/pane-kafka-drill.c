/*
 * The Kafka lag pane's tables: a group's topics (from its evaluation), a
 * topic's partitions (from the latest sample, with the lag in seconds from
 * the history) and the Prometheus scrape targets. Each view is a table
 * widget, sortable and filterable, refilled when the monitor has new data
 * (the selection stays on the same row); a title line says what it is and
 * a status line why it is in the state it is, or what is wrong with the
 * source.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "console.h"
#include "dialog.h"
#include "lag.h"
#include "lag_eval.h"
#include "monitor.h"
#include "pane-kafka-int.h"
#include "prom_api.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

enum {
	TC_TOPIC, TC_LAG, TC_SECONDS, TC_STATE, TC_CONSUME, TC_PRODUCE,
	TC_DRAIN, TC_PARTS
};

/* The telling columns first: a narrow pane drops them from the right. */
static const struct table_column topic_cols[] = {
	[TC_TOPIC] = { "Topic", 12, TABLE_GROW },
	[TC_LAG] = { "Lag", 7, TABLE_RIGHT },
	[TC_SECONDS] = { "Lag time", 9, TABLE_RIGHT },
	[TC_STATE] = { "State", 6, 0 },
	[TC_CONSUME] = { "Consume", 9, TABLE_RIGHT },
	[TC_PRODUCE] = { "Produce", 9, TABLE_RIGHT },
	[TC_DRAIN] = { "Drain", 13, 0 },
	[TC_PARTS] = { "Parts", 6, TABLE_RIGHT },
};

enum {
	PC_PART, PC_LAG, PC_SECONDS, PC_COMMITTED, PC_LOG_END, PC_CONSUME,
	PC_PRODUCE, PC_SPACE
};

static const struct table_column part_cols[] = {
	[PC_PART] = { "Part", 5, TABLE_RIGHT },
	[PC_LAG] = { "Lag", 9, TABLE_RIGHT },
	[PC_SECONDS] = { "Lag time", 9, TABLE_RIGHT },
	[PC_COMMITTED] = { "Committed", 11, TABLE_RIGHT },
	[PC_LOG_END] = { "Log end", 11, TABLE_RIGHT },
	[PC_CONSUME] = { "Consume", 9, TABLE_RIGHT },
	[PC_PRODUCE] = { "Produce", 9, TABLE_RIGHT },
	/* takes the width left over, so that the figures stay together */
	[PC_SPACE] = { "", 0, TABLE_GROW | TABLE_NOSORT },
};

enum { GC_JOB, GC_HEALTH, GC_ERROR, GC_INSTANCE, GC_SCRAPED };

static const struct table_column target_cols[] = {
	[GC_JOB] = { "Job", 8, 0 },
	[GC_HEALTH] = { "Health", 7, 0 },
	[GC_ERROR] = { "Last error", 10, TABLE_GROW },
	[GC_INSTANCE] = { "Instance", 14, 0 },
	[GC_SCRAPED] = { "Last scrape", 11, TABLE_RIGHT },
};

/* Text columns grow to what they hold, up to these widths. */
#define KP_TOPIC_MAX	24
#define KP_JOB_MAX	16
#define KP_INSTANCE_MAX	28

/* A figure's role, dimmed while the lag source is down. */
static enum theme_role
fig(const struct kpane *kp, enum theme_role role)
{
	return kp_dimmed(kp) ? ROLE_DIM : role;
}

static bool
targets_dimmed(const struct kpane *kp)
{
	const struct mon_state	*st = &kp->mon->targets.st;

	return st->fetched && !st->ok;
}

static double
num_of(struct lag_num n)
{
	return n.known ? (double)n.v : NAN;
}

static double
rate_of(struct lag_rate r)
{
	return r.known ? r.v : NAN;
}

static double
seconds_of(const struct lag_seconds *s)
{
	return s->state != LAG_SEC_UNKNOWN ? s->seconds : NAN;
}

/* A text column grows to what it holds (never shrinks while open). */
static void
widen(struct kpane *kp, enum kp_view v, size_t col, const char *text,
    int max)
{
	struct table_column	*c = &kp->cols[v][col];
	int			 w = widget_width(text) + 1; /* sort mark */

	if (w > c->width)
		c->width = w > max ? max : w;
}

static const struct lag_eval *
topic_eval(const struct kpane *kp)
{
	const struct lag_eval	*e;
	size_t			 i;

	e = kp_find_eval(kp, kp->cluster, kp->group);
	for (i = 0; e != NULL && kp->topic != NULL && i < e->n_topics; i++) {
		if (strcmp(e->topics[i].topic, kp->topic) == 0)
			return &e->topics[i];
	}
	return NULL;
}

/* ------------------------------------------------------------ filling */

static void
cell_count(struct kpane *kp, struct table *t, size_t row, size_t col,
    struct lag_num n, enum theme_role role)
{
	char	v[32];

	kp_fmt_count(v, sizeof v, n);
	table_set(t, row, col, fig(kp, n.known ? role : ROLE_UNKNOWN), "%s",
	    v);
	table_set_num(t, row, col, num_of(n));
}

static void
cell_rate(struct kpane *kp, struct table *t, size_t row, size_t col,
    struct lag_rate r)
{
	char	v[32];

	kp_fmt_rate(v, sizeof v, r);
	table_set(t, row, col, fig(kp, r.known ? ROLE_VALUE : ROLE_UNKNOWN),
	    "%s", v);
	table_set_num(t, row, col, rate_of(r));
}

static void
cell_seconds(struct kpane *kp, struct table *t, size_t row, size_t col,
    const struct lag_seconds *s)
{
	char	v[32];

	kp_fmt_seconds(v, sizeof v, s);
	table_set(t, row, col, fig(kp, kp_seconds_role(kp, s)), "%s", v);
	table_set_num(t, row, col, seconds_of(s));
}

static void
topics_fill(struct kpane *kp)
{
	struct table		*t = &kp->tables[KP_TOPICS];
	const struct lag_eval	*e, *te;
	char			 v[64];
	size_t			 i, row;

	e = kp_find_eval(kp, kp->cluster, kp->group);
	table_clear(t);
	t->empty = e != NULL ? "no topics" :
	    "the group is not in the latest sample";
	for (i = 0; e != NULL && i < e->n_topics; i++) {
		te = &e->topics[i];
		row = table_add(t, te->topic);
		table_set(t, row, TC_TOPIC, fig(kp, ROLE_DEFAULT), "%s",
		    te->topic);
		widen(kp, KP_TOPICS, TC_TOPIC, te->topic, KP_TOPIC_MAX);
		cell_count(kp, t, row, TC_LAG, te->lag, kp_lag_role(kp,
		    te->lag));
		cell_seconds(kp, t, row, TC_SECONDS, &te->seconds);
		table_set(t, row, TC_STATE, fig(kp, kp_state_role(te->state)),
		    "%s", lag_state_name(te->state));
		table_set_num(t, row, TC_STATE, (double)te->state);
		cell_rate(kp, t, row, TC_CONSUME, te->consume);
		cell_rate(kp, t, row, TC_PRODUCE, te->produce);
		kp_fmt_drain(v, sizeof v, &te->drain);
		table_set(t, row, TC_DRAIN, fig(kp, kp_drain_role(&te->drain)),
		    "%s", v);
		table_set(t, row, TC_PARTS, fig(kp, ROLE_VALUE), "%zu",
		    te->n_partitions);
		table_set_num(t, row, TC_PARTS, (double)te->n_partitions);
	}
	table_update(t);
}

/*
 * A partition's rates over the evaluator's window (as the group's are):
 * from its first sample there with the offset known to the latest. Unknown
 * with one sample, or when the offset went backwards.
 */
static void
part_rates(const struct kpane *kp, const struct lag_partition *lp,
    struct lag_rate *consume, struct lag_rate *produce)
{
	const struct lag_history	*h = kp->mon->kafka.history;
	const struct lag_snapshot	*last = lag_history_latest(h), *s;
	const struct lag_group		*g;
	const struct lag_topic		*tp;
	const struct lag_partition	*p0;
	struct lag_eval_opts		 o;
	size_t				 n = lag_history_len(h), i;
	double				 dt;

	consume->known = produce->known = false;
	lag_eval_opts_default(&o);
	i = n > o.window_samples ? n - o.window_samples : 0;
	for (; last != NULL && i + 1 < n; i++) {
		s = lag_history_get(h, i);
		dt = (double)(last->wall_ms - s->wall_ms) / 1000;
		if (last->wall_ms - s->wall_ms > o.window_ms || dt <= 0)
			continue;
		if ((g = lag_find_group(s, kp->cluster, kp->group)) == NULL ||
		    (tp = lag_find_topic(g, kp->topic)) == NULL ||
		    (p0 = lag_find_partition(tp, lp->partition)) == NULL)
			continue;
		if (!consume->known && !p0->no_commit && !lp->no_commit &&
		    p0->committed.known && lp->committed.known &&
		    lp->committed.v >= p0->committed.v) {
			consume->v = (double)(lp->committed.v -
			    p0->committed.v) / dt;
			consume->known = true;
		}
		if (!produce->known && p0->log_end.known &&
		    lp->log_end.known && lp->log_end.v >= p0->log_end.v) {
			produce->v = (double)(lp->log_end.v - p0->log_end.v) /
			    dt;
			produce->known = true;
		}
		if (consume->known && produce->known)
			break;
	}
}

static void
part_row(struct kpane *kp, struct table *t, const struct lag_partition *lp)
{
	struct lag_rate		 consume, produce;
	struct lag_seconds	 s;
	char			 key[16];
	size_t			 row;

	snprintf(key, sizeof key, "%d", (int)lp->partition);
	row = table_add(t, key);
	table_set(t, row, PC_PART, fig(kp, ROLE_VALUE), "%s", key);
	table_set_num(t, row, PC_PART, (double)lp->partition);
	if (lp->no_commit) {
		table_set(t, row, PC_LAG, fig(kp, ROLE_UNKNOWN), "no commit");
		table_set(t, row, PC_COMMITTED, fig(kp, ROLE_UNKNOWN), "none");
	} else {
		cell_count(kp, t, row, PC_LAG, lp->lag, kp_lag_role(kp,
		    lp->lag));
		table_set(t, row, PC_COMMITTED, fig(kp, lp->committed.known ?
		    ROLE_VALUE : ROLE_UNKNOWN), lp->committed.known ? "%lld" :
		    "?", (long long)lp->committed.v);
		table_set_num(t, row, PC_COMMITTED, num_of(lp->committed));
	}
	s = lag_history_seconds(kp->mon->kafka.history, kp->cluster,
	    kp->group, kp->topic, lp->partition);
	cell_seconds(kp, t, row, PC_SECONDS, &s);
	table_set(t, row, PC_LOG_END, fig(kp, lp->log_end.known ? ROLE_VALUE :
	    ROLE_UNKNOWN), lp->log_end.known ? "%lld" : "?",
	    (long long)lp->log_end.v);
	table_set_num(t, row, PC_LOG_END, num_of(lp->log_end));
	part_rates(kp, lp, &consume, &produce);
	cell_rate(kp, t, row, PC_CONSUME, consume);
	cell_rate(kp, t, row, PC_PRODUCE, produce);
}

static void
parts_fill(struct kpane *kp)
{
	struct table			*t = &kp->tables[KP_PARTS];
	const struct lag_snapshot	*snap;
	const struct lag_group		*g = NULL;
	const struct lag_topic		*tp = NULL;
	size_t				 i;

	snap = lag_history_latest(kp->mon->kafka.history);
	if (snap != NULL && kp->group != NULL)
		g = lag_find_group(snap, kp->cluster, kp->group);
	if (g != NULL && kp->topic != NULL)
		tp = lag_find_topic(g, kp->topic);
	table_clear(t);
	t->empty = tp != NULL ? "no partitions" :
	    "the topic is not in the latest sample";
	for (i = 0; tp != NULL && i < tp->n_parts; i++)
		part_row(kp, t, &tp->parts[i]);
	table_update(t);
}

static const char *
health_name(enum prom_health h)
{
	switch (h) {
	case PROM_HEALTH_UP:
		return "up";
	case PROM_HEALTH_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

static enum theme_role
health_role(enum prom_health h)
{
	switch (h) {
	case PROM_HEALTH_UP:
		return ROLE_OK;
	case PROM_HEALTH_DOWN:
		return ROLE_CRIT;
	default:
		return ROLE_UNKNOWN;
	}
}

/* What tells a target from the others, across refreshes. */
static void
target_key(const struct prom_target *pt, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s", pt->job != NULL ? pt->job : "",
	    pt->instance != NULL ? pt->instance : "", pt->scrape_url != NULL ?
	    pt->scrape_url : "");
}

static void
targets_fill(struct kpane *kp)
{
	struct table		*t = &kp->tables[KP_TARGETS];
	const struct prom_reply	*r = kp->mon->targets.reply;
	const struct prom_target *pt;
	bool			 dim = targets_dimmed(kp);
	int64_t			 now = util_wall_ms();
	char			 key[1024], age[32];
	size_t			 i, row;

	table_clear(t);
	t->empty = kp->mon->targets.st.configured ? (r != NULL ?
	    "no active targets" : "no answer from Prometheus yet") :
	    "no [prometheus] url: targets unknown";
	for (i = 0; r != NULL && i < r->n_targets; i++) {
		pt = &r->targets[i];
		target_key(pt, key, sizeof key);
		row = table_add(t, key);
		table_set(t, row, GC_JOB, dim ? ROLE_DIM : ROLE_DEFAULT, "%s",
		    pt->job != NULL ? pt->job : "");
		widen(kp, KP_TARGETS, GC_JOB, table_cell_text(t, row, GC_JOB),
		    KP_JOB_MAX);
		widen(kp, KP_TARGETS, GC_INSTANCE, pt->instance != NULL ?
		    pt->instance : "", KP_INSTANCE_MAX);
		table_set(t, row, GC_HEALTH, dim ? ROLE_DIM :
		    health_role(pt->health), "%s", health_name(pt->health));
		table_set(t, row, GC_ERROR, dim ? ROLE_DIM : ROLE_ERROR, "%s",
		    pt->last_error != NULL ? pt->last_error : "");
		table_set(t, row, GC_INSTANCE, dim ? ROLE_DIM : ROLE_DEFAULT,
		    "%s", pt->instance != NULL ? pt->instance : "");
		if (pt->last_scrape_ms == 0)
			table_set(t, row, GC_SCRAPED, dim ? ROLE_DIM :
			    ROLE_UNKNOWN, "never");
		else {
			kp_fmt_age(age, sizeof age, now - pt->last_scrape_ms);
			table_set(t, row, GC_SCRAPED, dim ? ROLE_DIM :
			    ROLE_VALUE, "%s ago", age);
			table_set_num(t, row, GC_SCRAPED,
			    (double)(now - pt->last_scrape_ms));
		}
	}
	table_update(t);
}

static void
fill(struct kpane *kp, enum kp_view v)
{
	switch (v) {
	case KP_TOPICS:
		topics_fill(kp);
		break;
	case KP_PARTS:
		parts_fill(kp);
		break;
	case KP_TARGETS:
		targets_fill(kp);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ views */

void
kpdrill_open(struct kpane *kp, enum kp_view v)
{
	const struct table_column	*cols;
	size_t				 n;

	switch (v) {
	case KP_TOPICS:
		cols = topic_cols;
		n = nitems(topic_cols);
		break;
	case KP_PARTS:
		cols = part_cols;
		n = nitems(part_cols);
		break;
	case KP_TARGETS:
		cols = target_cols;
		n = nitems(target_cols);
		break;
	default:
		return;
	}
	kpdrill_close(kp, v);
	if (n > KP_MAX_COLS)
		n = KP_MAX_COLS;
	memcpy(kp->cols[v], cols, n * sizeof *cols);
	table_init(&kp->tables[v], kp->cols[v], n);
	kp->open[v] = true;
	table_filter(&kp->tables[v], kp_filter_for(kp, v));
	fill(kp, v);
	kp->view = v;
}

void
kpdrill_close(struct kpane *kp, enum kp_view v)
{
	if (v < 0 || v >= KP_NVIEWS || !kp->open[v])
		return;
	table_free(&kp->tables[v]);
	kp->open[v] = false;
}

void
kpdrill_refill(struct kpane *kp)
{
	int	v;

	for (v = 0; v < KP_NVIEWS; v++) {
		if (kp->open[v])
			fill(kp, (enum kp_view)v);
	}
}

void
kpdrill_filter(struct kpane *kp)
{
	int	v;

	for (v = 0; v < KP_NVIEWS; v++) {
		if (kp->open[v])
			table_filter(&kp->tables[v],
			    kp_filter_for(kp, (enum kp_view)v));
	}
}

/* ------------------------------------------------------------ drawing */

/* A piece of the title, only if it fits whole. */
static int
piece(WINDOW *win, int x, int w, enum theme_role role, const char *s)
{
	if (widget_width(s) > w - x)
		return w;	/* nothing more after a piece left out */
	return x + widget_put(win, 0, x, w - x, role, s);
}

/* "audit_sink  WARN  lag 7.0M ~3m 20s  1 member" as far as it fits. */
static void
title_eval(struct kpane *kp, WINDOW *win, int w, const char *what,
    const struct lag_eval *e)
{
	char	v[64];
	int	x;

	x = widget_put(win, 0, 0, w, ROLE_PANE_TITLE, what);
	if (e == NULL)
		return;
	x = piece(win, x, w, ROLE_DEFAULT, "  ");
	x = piece(win, x, w, fig(kp, kp_state_role(e->state)),
	    lag_state_name(e->state));
	kp_fmt_count(v, sizeof v, e->lag);
	x = piece(win, x, w, ROLE_LABEL, "  lag ");
	x = piece(win, x, w, fig(kp, kp_lag_role(kp, e->lag)), v);
	kp_fmt_seconds(v, sizeof v, &e->seconds);
	x = piece(win, x, w, ROLE_DEFAULT, " ");
	x = piece(win, x, w, fig(kp, kp_seconds_role(kp, &e->seconds)), v);
	if (e->topic == NULL && e->members.known) {
		snprintf(v, sizeof v, "  %lld member%s",
		    (long long)e->members.v, e->members.v == 1 ? "" : "s");
		piece(win, x, w, fig(kp, ROLE_VALUE), v);
	}
}

static void
title_draw(struct kpane *kp, WINDOW *win, int w)
{
	const struct prom_reply	*r = kp->mon->targets.reply;
	const char		*sep = ui_utf8() ? " › " : " > ";
	char			 name[512], what[1024];
	size_t			 i, up = 0;
	int			 x;

	kp_group_name(name, sizeof name, kp->cluster, kp->group != NULL ?
	    kp->group : "?");
	switch (kp->view) {
	case KP_TOPICS:
		title_eval(kp, win, w, name, kp_find_eval(kp, kp->cluster,
		    kp->group));
		break;
	case KP_PARTS:
		snprintf(what, sizeof what, "%s%s%s", name, sep,
		    kp->topic != NULL ? kp->topic : "?");
		title_eval(kp, win, w, what, topic_eval(kp));
		break;
	default:
		x = widget_put(win, 0, 0, w, ROLE_PANE_TITLE,
		    "Prometheus scrape targets");
		if (r == NULL)
			break;
		for (i = 0; i < r->n_targets; i++)
			up += r->targets[i].health == PROM_HEALTH_UP;
		snprintf(what, sizeof what, "  %zu/%zu up", up, r->n_targets);
		widget_put(win, 0, x, w - x, targets_dimmed(kp) ? ROLE_DIM :
		    (up < r->n_targets ? ROLE_CRIT : ROLE_OK), what);
		break;
	}
}

/* "kafka_exporter down, last good data 3m ago: connection refused". */
static bool
status_source(struct kpane *kp, WINDOW *win, int y, int w,
    const struct mon_state *st, const char *source)
{
	char	age[32];
	int	x;

	if (!st->configured) {
		widget_text(win, y, 0, w, ROLE_UNKNOWN, ALIGN_LEFT,
		    st->error != NULL ? st->error : "not configured");
		return true;
	}
	if (st->fetched && !st->ok) {
		x = widget_put(win, y, 0, w, ROLE_CRIT, source);
		x += widget_put(win, y, x, w - x, ROLE_CRIT, " down");
		if (st->last_ok_ms != 0) {
			kp_fmt_age(age, sizeof age, util_wall_ms() -
			    st->last_ok_ms);
			x += widget_put(win, y, x, w - x, ROLE_WARN,
			    ", last good data ");
			x += widget_put(win, y, x, w - x, ROLE_WARN, age);
			x += widget_put(win, y, x, w - x, ROLE_WARN, " ago");
			kp_tick(kp);
		}
		x += widget_put(win, y, x, w - x, ROLE_ERROR, ": ");
		widget_put(win, y, x, w - x, ROLE_ERROR, st->error != NULL ?
		    st->error : "no answer");
		return true;
	}
	if (st->ok && util_wall_ms() - st->last_ok_ms >
	    2 * kp->cfg->ui.refresh_ms) {
		kp_fmt_age(age, sizeof age, util_wall_ms() - st->last_ok_ms);
		widget_textf(win, y, 0, w, ROLE_WARN, ALIGN_LEFT, "stale %s",
		    age);
		kp_tick(kp);
		return true;
	}
	return false;
}

static void
status_draw(struct kpane *kp, WINDOW *win, int y, int w)
{
	const struct lag_eval	*e;
	enum theme_role		 role;

	if (kp->view == KP_TARGETS) {
		if (!status_source(kp, win, y, w, &kp->mon->targets.st,
		    "Prometheus") && kp->mon->prom != NULL)
			widget_textf(win, y, 0, w, ROLE_DIM, ALIGN_LEFT,
			    "from %s; Enter: a target's details",
			    prom_client_url(kp->mon->prom));
		return;
	}
	if (status_source(kp, win, y, w, &kp->mon->kafka.st,
	    kp->cfg->kafka.source == KAFKA_SOURCE_PROMETHEUS ? "Prometheus" :
	    "kafka_exporter"))
		return;
	e = kp->view == KP_PARTS ? topic_eval(kp) : kp_find_eval(kp,
	    kp->cluster, kp->group);
	if (e == NULL)
		return;
	role = e->state == LAG_STATE_OK ? ROLE_DEFAULT :
	    kp_state_role(e->state);
	widget_text(win, y, 0, w, fig(kp, role), ALIGN_LEFT, e->reason);
}

void
kpdrill_draw(struct kpane *kp, WINDOW *win, bool focused)
{
	int	h, w, y = 1;

	getmaxyx(win, h, w);
	if (!kp->open[kp->view])
		return;
	title_draw(kp, win, w);
	if (h >= 5)
		status_draw(kp, win, y++, w);
	table_draw(&kp->tables[kp->view], win, y, 0, h - y, w, focused);
}

/* ------------------------------------------------------------ actions */

static void
kv(struct buf *b, const char *k, const char *v)
{
	if (v != NULL && *v != '\0')
		buf_printf(b, "%s: %s\n", k, v);
}

/* Enter on a target: everything Prometheus says about it. */
static int
target_details(struct kpane *kp)
{
	const struct prom_reply	*r = kp->mon->targets.reply;
	const struct prom_target *pt = NULL;
	struct table		*t = &kp->tables[KP_TARGETS];
	struct buf		 b = BUF_INIT;
	const char		*title;
	size_t			 row = table_selected(t), i;
	char			 key[1024], age[32];

	if (row == TABLE_NONE || r == NULL)
		return REACT_NONE;
	for (i = 0; i < r->n_targets; i++) {
		target_key(&r->targets[i], key, sizeof key);
		if (strcmp(key, table_row_key(t, row)) == 0)
			pt = &r->targets[i];
	}
	if (pt == NULL)
		return REACT_NONE;
	kv(&b, "Job", pt->job);
	kv(&b, "Instance", pt->instance);
	kv(&b, "Scrape pool", pt->scrape_pool);
	kv(&b, "URL", pt->scrape_url);
	kv(&b, "Health", health_name(pt->health));
	if (pt->last_scrape_ms != 0) {
		kp_fmt_age(age, sizeof age, util_wall_ms() -
		    pt->last_scrape_ms);
		buf_printf(&b, "Last scrape: %s ago, took %.3f s\n", age,
		    pt->last_scrape_duration_s);
	} else
		buf_printf(&b, "Last scrape: never\n");
	kv(&b, "Last error", pt->last_error);
	for (i = 0; i < pt->n_labels; i++)
		buf_printf(&b, "%s%s=\"%s\"", i == 0 ? "Labels: " : ", ",
		    pt->labels[i].name, pt->labels[i].value);
	title = pt->job != NULL && *pt->job != '\0' ? pt->job : "Scrape target";
	console_open_dialog(dialog_message(title, pt->health ==
	    PROM_HEALTH_DOWN ? ROLE_ERROR : ROLE_DIALOG, buf_str(&b)));
	buf_free(&b);
	return REACT_NONE;
}

static int
topic_enter(struct kpane *kp)
{
	struct table	*t = &kp->tables[KP_TOPICS];
	size_t		 row = table_selected(t);

	if (row == TABLE_NONE)
		return REACT_NONE;
	free(kp->topic);
	kp->topic = xstrdup(table_row_key(t, row));
	kpdrill_open(kp, KP_PARTS);
	return REACT_REDRAW;
}

int
kpdrill_action(struct kpane *kp, enum action act)
{
	if (!kp->open[kp->view])
		return REACT_PASS;
	switch (act) {
	case ACT_ENTER:
		if (kp->view == KP_TOPICS)
			return topic_enter(kp);
		if (kp->view == KP_TARGETS)
			return target_details(kp);
		return REACT_NONE;
	case ACT_BACK:
	case ACT_LEFT:
	case ACT_RIGHT:
		return REACT_PASS;
	default:
		return table_action(&kp->tables[kp->view], act);
	}
}

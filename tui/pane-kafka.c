/*
 * The Kafka lag pane's group list. Lines pinned at the top say what is
 * wrong with the source (not configured, down with its error and the age
 * of the last good data, stale); under them each consumer group is a few
 * lines: name, lag, sparkline, state and members; the evaluator's reason
 * in words; the rates, the time to drain and the lag in seconds. The last
 * item is the Prometheus scrape targets: how many are up and every one
 * that is not, with its error. Wide, a group's figures share lines; narrow
 * (three panes side by side), they take a line each.
 *
 * The lines are built first and the visible ones drawn, so the list
 * scrolls when it needs more lines than the pane has. Enter opens a
 * group's topics, or the targets (pane-kafka-drill.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "lag.h"
#include "lag_eval.h"
#include "loop.h"
#include "monitor.h"
#include "pane-kafka-int.h"
#include "pane-kafka.h"
#include "prom_api.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define KP_WIDE_MIN	64	/* narrower: a figure a line */
#define KP_SPANS	12
#define KP_INDENT_WIDE	4
#define KP_INDENT	2
#define KP_LAG_W	7	/* "7.0M", "23.3k", "?" */
#define KP_STATE_W	6	/* "REWIND" */
#define KP_MEMBERS_W	10	/* "12 members" */
#define KP_SPARK_MIN	6
#define KP_SPARK_MAX	60
#define KP_NOITEM	((size_t)-1)

/* A piece of a line: at column x (-1: after the previous one). */
struct kp_span {
	char		*text;
	enum theme_role	 role;
	int		 x;
	int		 w;		/* 0: as wide as the text */
	enum align	 align;
};

struct kp_line {
	size_t		 item;
	struct kp_span	 spans[KP_SPANS];
	int		 nspans;
};

struct kp_lines {
	struct kp_line	*v;
	size_t		 n, cap;
};

/* ------------------------------------------------------------ words */

static const char *const kp_units[] = { "k", "M", "G", "T", "P", "E" };

static void
fmt_scaled(char *buf, size_t len, double v, const char *suffix)
{
	size_t	i = 0;

	if (fabs(v) < 999.5) {
		snprintf(buf, len, "%.*f%s", fabs(v) < 9.95 &&
		    v != floor(v) ? 1 : 0, v, suffix);
		return;
	}
	v /= 1000;
	while (fabs(v) >= 999.5 && i + 1 < nitems(kp_units)) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.*f%s%s", fabs(v) < 99.95 ? 1 : 0, v,
	    kp_units[i], suffix);
}

void
kp_fmt_count(char *buf, size_t len, struct lag_num n)
{
	if (!n.known)
		snprintf(buf, len, "?");
	else if (n.v > -1000 && n.v < 1000)
		snprintf(buf, len, "%lld", (long long)n.v);
	else
		fmt_scaled(buf, len, (double)n.v, "");
}

void
kp_fmt_rate(char *buf, size_t len, struct lag_rate r)
{
	if (!r.known || !isfinite(r.v))
		snprintf(buf, len, "?");
	else
		fmt_scaled(buf, len, r.v, "/s");
}

void
kp_fmt_age(char *buf, size_t len, int64_t ms)
{
	long long	s = ms > 0 ? (long long)(ms / 1000) : 0;

	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd %02lldh", s / 86400,
		    s % 86400 / 3600);
}

/* A lower bound, rounded down to what is worth saying: 45s, 10m, 2h 05m. */
static void
fmt_at_least(char *buf, size_t len, double seconds)
{
	long long	s = seconds > 0 ? (long long)seconds : 0;
	char		age[32];

	if (s < 60)
		snprintf(age, sizeof age, "%llds", s);
	else if (s < 3600)
		snprintf(age, sizeof age, "%lldm", s / 60);
	else
		kp_fmt_age(age, sizeof age, (int64_t)s * 1000);
	snprintf(buf, len, ">= %s", age);
}

void
kp_fmt_seconds(char *buf, size_t len, const struct lag_seconds *ls)
{
	char	age[32];

	switch (ls->state) {
	case LAG_SEC_ESTIMATED:
		kp_fmt_age(age, sizeof age, (int64_t)(ls->seconds * 1000));
		snprintf(buf, len, "~%s", age);
		break;
	case LAG_SEC_AT_LEAST:
		fmt_at_least(buf, len, ls->seconds);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

/* 45s, 12m, 5h, 3d: a coarse span. */
static void
fmt_span(char *buf, size_t len, double s)
{
	if (!(s >= 0))
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 120 * 60)
		snprintf(buf, len, "%.0fm", s / 60);
	else if (s < 48 * 3600)
		snprintf(buf, len, "%.0fh", s / 3600);
	else
		snprintf(buf, len, "%.0fd", s / 86400);
}

void
kp_fmt_drain(char *buf, size_t len, const struct lag_drain *d)
{
	char	v[32];

	switch (d->state) {
	case LAG_DRAIN_CAUGHT_UP:
		snprintf(buf, len, "caught up");
		break;
	case LAG_DRAIN_DRAINING:
		fmt_span(v, sizeof v, d->seconds);
		snprintf(buf, len, "drains %s", v);
		break;
	case LAG_DRAIN_STEADY:
		snprintf(buf, len, "steady");
		break;
	case LAG_DRAIN_BEHIND:
		kp_fmt_rate(v, sizeof v, (struct lag_rate){ d->behind, true });
		snprintf(buf, len, "behind %s", v);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

void
kp_group_name(char *buf, size_t len, const char *cluster, const char *group)
{
	if (cluster != NULL && *cluster != '\0')
		snprintf(buf, len, "%s/%s", cluster, group);
	else
		snprintf(buf, len, "%s", group);
}

/* ------------------------------------------------------------ roles */

bool
kp_dimmed(const struct kpane *kp)
{
	const struct mon_state	*st = &kp->mon->kafka.st;

	return st->fetched && !st->ok && st->last_ok_ms != 0;
}

enum theme_role
kp_lag_role(const struct kpane *kp, struct lag_num n)
{
	if (!n.known)
		return ROLE_UNKNOWN;
	if ((double)n.v >= kp->cfg->ui.lag_crit)
		return ROLE_CRIT;
	if ((double)n.v >= kp->cfg->ui.lag_warn)
		return ROLE_WARN;
	return ROLE_OK;
}

enum theme_role
kp_seconds_role(const struct kpane *kp, const struct lag_seconds *ls)
{
	if (ls->state == LAG_SEC_UNKNOWN)
		return ROLE_UNKNOWN;
	if (ls->seconds >= kp->cfg->ui.lag_seconds_crit)
		return ROLE_CRIT;
	if (ls->seconds >= kp->cfg->ui.lag_seconds_warn)
		return ROLE_WARN;
	return ROLE_OK;
}

enum theme_role
kp_state_role(enum lag_state st)
{
	switch (st) {
	case LAG_STATE_OK:
		return ROLE_OK;
	case LAG_STATE_WARN:
		return ROLE_WARN;
	case LAG_STATE_STALL:
	case LAG_STATE_STOP:
	case LAG_STATE_REWIND:
		return ROLE_CRIT;
	default:
		return ROLE_UNKNOWN;
	}
}

enum theme_role
kp_drain_role(const struct lag_drain *d)
{
	switch (d->state) {
	case LAG_DRAIN_CAUGHT_UP:
		return ROLE_OK;
	case LAG_DRAIN_BEHIND:
		return ROLE_WARN;
	case LAG_DRAIN_UNKNOWN:
		return ROLE_UNKNOWN;
	default:
		return ROLE_VALUE;
	}
}

/* How bad a role is, to find the worst. */
static int
role_rank(enum theme_role r)
{
	switch (r) {
	case ROLE_CRIT:
		return 3;
	case ROLE_WARN:
		return 2;
	case ROLE_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

/* A figure's role, dimmed while the source is down. */
static enum theme_role
fig(const struct kpane *kp, enum theme_role role)
{
	return kp_dimmed(kp) ? ROLE_DIM : role;
}

/* ------------------------------------------------------------ state */

const char *
kp_filter_for(const struct kpane *kp, enum kp_view v)
{
	return kp->filter != NULL && kp->filter_view == v ? kp->filter : NULL;
}

const struct lag_eval *
kp_find_eval(const struct kpane *kp, const char *cluster, const char *group)
{
	size_t	i;

	if (group == NULL)
		return NULL;
	for (i = 0; i < kp->n_evals; i++) {
		if (strcmp(kp->evals[i].cluster, cluster != NULL ? cluster :
		    "") == 0 && strcmp(kp->evals[i].group, group) == 0)
			return &kp->evals[i];
	}
	return NULL;
}

static void
tick_fire(void *arg)
{
	struct kpane	*kp = arg;

	kp->tick = NULL;
	console_pane_dirty(kp->pane);
}

void
kp_tick(struct kpane *kp)
{
	if (kp->tick == NULL)
		kp->tick = loop_timer_add(kp->mon->loop, 1000, tick_fire, kp);
}

static bool
item_matches(const struct kpane *kp, size_t i)
{
	const char	*f = kp_filter_for(kp, KP_GROUPS);
	char		 name[512];

	if (i >= kp->n_evals || f == NULL)
		return true;	/* the targets always show */
	kp_group_name(name, sizeof name, kp->evals[i].cluster,
	    kp->evals[i].group);
	return strcasestr(name, f) != NULL;
}

/* Selects item i and remembers which group it is (or the targets). */
static void
sel_set(struct kpane *kp, size_t i)
{
	kp->sel = i;
	free(kp->sel_cluster);
	free(kp->sel_group);
	kp->sel_cluster = kp->sel_group = NULL;
	kp->sel_targets = i >= kp->n_evals && kp->n_evals > 0;
	if (i < kp->n_evals) {
		kp->sel_cluster = xstrdup(kp->evals[i].cluster);
		kp->sel_group = xstrdup(kp->evals[i].group);
	}
}

/* After a new evaluation: the same group (or the targets) again. */
static void
sel_restore(struct kpane *kp)
{
	size_t	i;

	if (kp->sel_targets) {
		kp->sel = kp->n_evals;
		return;
	}
	for (i = 0; kp->sel_group != NULL && i < kp->n_evals; i++) {
		if (strcmp(kp->evals[i].cluster, kp->sel_cluster) == 0 &&
		    strcmp(kp->evals[i].group, kp->sel_group) == 0) {
			kp->sel = i;
			return;
		}
	}
	if (kp->sel_group == NULL)	/* nothing chosen yet: the first */
		kp->sel = 0;
	sel_set(kp, kp->sel < kp->n_evals ? kp->sel : kp->n_evals);
}

/* Evaluates the groups when the history has changed. */
static void
evaluate(struct kpane *kp)
{
	const struct mon_kafka	*k = &kp->mon->kafka;

	if (kp->evals != NULL && kp->evaluated == k->st.generation)
		return;
	lag_eval_free_all(kp->evals, kp->n_evals);
	kp->evals = lag_eval_all(k->history, NULL, &kp->n_evals);
	kp->evaluated = k->st.generation;
	kp->n_items = kp->n_evals + 1;
	kp->start = xreallocarray(kp->start, kp->n_items, sizeof *kp->start);
	kp->end = xreallocarray(kp->end, kp->n_items, sizeof *kp->end);
	memset(kp->start, 0, kp->n_items * sizeof *kp->start);
	memset(kp->end, 0, kp->n_items * sizeof *kp->end);
	kp->drawn = false;
	sel_restore(kp);
}

/* ------------------------------------------------------------ lines */

static struct kp_line *
line_add(struct kp_lines *ls, size_t item)
{
	struct kp_line	*l;

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 32;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof *ls->v);
	}
	l = &ls->v[ls->n++];
	memset(l, 0, sizeof *l);
	l->item = item;
	return l;
}

static void	span_add(struct kp_line *, int x, int w, enum theme_role,
		    enum align, const char *, ...)
		    __attribute__((format(printf, 6, 7)));

static void
span_add(struct kp_line *l, int x, int w, enum theme_role role,
    enum align align, const char *fmt, ...)
{
	struct kp_span	*s;
	va_list		 ap;

	if (l->nspans == KP_SPANS)
		return;
	s = &l->spans[l->nspans++];
	s->x = x;
	s->w = w;
	s->role = role;
	s->align = align;
	va_start(ap, fmt);
	s->text = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
lines_free(struct kp_lines *ls)
{
	size_t	i;
	int	j;

	for (i = 0; i < ls->n; i++) {
		for (j = 0; j < ls->v[i].nspans; j++)
			free(ls->v[i].spans[j].text);
	}
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

/* `text` wrapped from column x, at most `max` lines. */
static void
lines_wrapped(struct kp_lines *ls, size_t item, int x, int w,
    enum theme_role role, const char *text, size_t max)
{
	char	**wrapped;
	size_t	  n, i;

	n = widget_wrap(text, w - x > 10 ? w - x : 10, &wrapped);
	for (i = 0; i < n && i < max; i++)
		span_add(line_add(ls, item), x, 0, role, ALIGN_LEFT, "%s%s",
		    wrapped[i], i + 1 == max && n > max ?
		    (ui_utf8() ? " …" : " ...") : "");
	widget_lines_free(wrapped, n);
}

static const char *
marker(bool selected)
{
	if (!selected)
		return "  ";
	return ui_utf8() ? "▸ " : "> ";
}

static const char *
dots(void)
{
	return ui_utf8() ? "…" : "...";
}

/* ------------------------------------------------------------ source */

static const char *
source_name(const struct kpane *kp)
{
	return kp->cfg->kafka.source == KAFKA_SOURCE_PROMETHEUS ?
	    "Prometheus" : "kafka_exporter";
}

/*
 * What is wrong with the lag source, pinned above the list: not set up,
 * not answered yet, down (its error, the age of the last good data) or
 * stale. *ages: an age that ticks is among them.
 */
static void
lines_source(struct kpane *kp, struct kp_lines *ls, int w, int64_t now,
    bool *ages)
{
	const struct mon_state	*st = &kp->mon->kafka.st;
	struct kp_line		*l;
	char			 age[32], wait[32];

	if (!st->configured) {
		lines_wrapped(ls, KP_NOITEM, 0, w, ROLE_UNKNOWN,
		    st->error != NULL ? st->error : "no lag source configured",
		    3);
		return;
	}
	if (!st->fetched) {
		span_add(line_add(ls, KP_NOITEM), 0, 0, ROLE_UNKNOWN,
		    ALIGN_LEFT, "asking %s%s", source_name(kp), dots());
		return;
	}
	if (!st->ok) {
		l = line_add(ls, KP_NOITEM);
		span_add(l, 0, 0, ROLE_CRIT, ALIGN_LEFT, "%s down",
		    source_name(kp));
		if (st->last_ok_ms != 0) {
			kp_fmt_age(age, sizeof age, now - st->last_ok_ms);
			span_add(l, -1, 0, ROLE_WARN, ALIGN_LEFT,
			    ", last good data %s ago", age);
			*ages = true;
		}
		lines_wrapped(ls, KP_NOITEM, KP_INDENT, w, ROLE_ERROR,
		    st->error != NULL ? st->error : "no answer", 2);
		if (st->last_ok_ms == 0)
			span_add(line_add(ls, KP_NOITEM), KP_INDENT, 0,
			    ROLE_UNKNOWN, ALIGN_LEFT,
			    "never answered: no data");
		return;
	}
	if (now - st->last_ok_ms > 2 * kp->cfg->ui.refresh_ms) {
		kp_fmt_age(age, sizeof age, now - st->last_ok_ms);
		l = line_add(ls, KP_NOITEM);
		span_add(l, 0, 0, ROLE_WARN, ALIGN_LEFT, "stale %s", age);
		if (st->in_flight) {
			kp_fmt_age(wait, sizeof wait, now - st->started_ms);
			span_add(l, -1, 0, ROLE_WARN, ALIGN_LEFT,
			    ", waiting %s for %s", wait, source_name(kp));
		}
		*ages = true;
	}
}

/* ------------------------------------------------------------ groups */

static void
spark_text(const struct lag_eval *e, int width, char *buf, size_t len)
{
	double	v[KP_SPARK_MAX];
	size_t	i, n = e->n_spark, first;

	first = n > KP_SPARK_MAX ? n - KP_SPARK_MAX : 0;
	for (i = first; i < n; i++)
		v[i - first] = e->spark[i].known ? (double)e->spark[i].v : NAN;
	widget_spark(buf, len, v, n - first, width);
}

static void
members_text(const struct lag_eval *e, char *buf, size_t len, bool shortly)
{
	if (!e->members.known)
		snprintf(buf, len, "? members");
	else if (shortly)
		snprintf(buf, len, "%lld mbr", (long long)e->members.v);
	else
		snprintf(buf, len, "%lld member%s", (long long)e->members.v,
		    e->members.v == 1 ? "" : "s");
}

static enum theme_role
members_role(const struct lag_eval *e)
{
	if (!e->members.known)
		return ROLE_UNKNOWN;
	return e->members.v == 0 ? ROLE_WARN : ROLE_VALUE;
}

/* "drains in 4 min", "falling behind by 60 msg/s", "drain ?". */
static void
drain_text(const struct lag_eval *e, char *buf, size_t len)
{
	if (e->drain.state == LAG_DRAIN_UNKNOWN)
		snprintf(buf, len, "drain ?");
	else
		lag_drain_fmt(buf, len, &e->drain);
}

/* The widest group name, within limits. */
static int
name_width(const struct kpane *kp, int w)
{
	char	name[512];
	size_t	i;
	int	nw = 12, max = w / 3;

	for (i = 0; i < kp->n_evals; i++) {
		kp_group_name(name, sizeof name, kp->evals[i].cluster,
		    kp->evals[i].group);
		if (widget_width(name) > nw)
			nw = widget_width(name);
	}
	return nw > max ? (max > 12 ? max : 12) : nw;
}

static enum theme_role
name_role(const struct kpane *kp, size_t i, bool focused)
{
	if (i != kp->sel)
		return ROLE_PANE_TITLE;
	return focused ? ROLE_SELECTION : ROLE_SELECTION_INACTIVE;
}

/* The reason in words: the state's colour unless all is well. */
static void
lines_reason(struct kpane *kp, struct kp_lines *ls, size_t i, int x, int w)
{
	const struct lag_eval	*e = &kp->evals[i];
	enum theme_role		 role = kp_state_role(e->state);

	if (e->state == LAG_STATE_OK)
		role = ROLE_DEFAULT;
	lines_wrapped(ls, i, x, w, fig(kp, role), e->reason, 2);
}

/* "consume 520/s  produce 640/s": x -1 continues the line. */
static void
spans_rates(struct kpane *kp, struct kp_line *l, int x,
    const struct lag_eval *e)
{
	char	c[32], p[32];

	kp_fmt_rate(c, sizeof c, e->consume);
	kp_fmt_rate(p, sizeof p, e->produce);
	span_add(l, x, 0, ROLE_LABEL, ALIGN_LEFT, "consume ");
	span_add(l, -1, 0, fig(kp, e->consume.known ? ROLE_VALUE :
	    ROLE_UNKNOWN), ALIGN_LEFT, "%s", c);
	span_add(l, -1, 0, ROLE_LABEL, ALIGN_LEFT, "  produce ");
	span_add(l, -1, 0, fig(kp, e->produce.known ? ROLE_VALUE :
	    ROLE_UNKNOWN), ALIGN_LEFT, "%s", p);
}

static void
spans_partial(struct kpane *kp, struct kp_line *l, const struct lag_eval *e)
{
	if (e->partial && e->lag.known)
		span_add(l, -1, 0, fig(kp, ROLE_UNKNOWN), ALIGN_LEFT,
		    "  partial: %zu/%zu unknown", e->n_unknown,
		    e->n_partitions);
}

static void
lines_group_wide(struct kpane *kp, struct kp_lines *ls, size_t i, int w,
    int nw, bool focused)
{
	const struct lag_eval	*e = &kp->evals[i];
	struct kp_line		*l = line_add(ls, i);
	char			 name[512], v[64], spark[1024];
	int			 x, sw;

	kp_group_name(name, sizeof name, e->cluster, e->group);
	span_add(l, 0, 2 + nw, name_role(kp, i, focused), ALIGN_LEFT,
	    "%s%s", marker(i == kp->sel), name);
	x = 2 + nw + 1;
	kp_fmt_count(v, sizeof v, e->lag);
	span_add(l, x, KP_LAG_W, fig(kp, kp_lag_role(kp, e->lag)),
	    ALIGN_RIGHT, "%s", v);
	x += KP_LAG_W + 1;
	sw = w - x - 2 - KP_STATE_W - 2 - KP_MEMBERS_W;
	if (sw > KP_SPARK_MAX)
		sw = KP_SPARK_MAX;
	if (sw >= KP_SPARK_MIN) {
		spark_text(e, sw, spark, sizeof spark);
		span_add(l, x, sw, fig(kp, ROLE_SPARKLINE), ALIGN_RIGHT, "%s",
		    spark);
		x += sw;
	}
	span_add(l, x + 2, KP_STATE_W, fig(kp, kp_state_role(e->state)),
	    ALIGN_LEFT, "%s", lag_state_name(e->state));
	members_text(e, v, sizeof v, false);
	span_add(l, x + 2 + KP_STATE_W + 2, 0, fig(kp, members_role(e)),
	    ALIGN_LEFT, "%s", v);

	lines_reason(kp, ls, i, KP_INDENT_WIDE, w);

	l = line_add(ls, i);
	spans_rates(kp, l, KP_INDENT_WIDE, e);
	/* drain and lag time on a line of their own: big rates fill a
	 * 64-column pane and would push them off its edge */
	l = line_add(ls, i);
	drain_text(e, v, sizeof v);
	span_add(l, KP_INDENT_WIDE, 0, fig(kp, kp_drain_role(&e->drain)),
	    ALIGN_LEFT, "%s", v);
	kp_fmt_seconds(v, sizeof v, &e->seconds);
	span_add(l, -1, 0, ROLE_LABEL, ALIGN_LEFT, "  lag ");
	span_add(l, -1, 0, fig(kp, kp_seconds_role(kp, &e->seconds)),
	    ALIGN_LEFT, "%s", v);
	spans_partial(kp, l, e);
}

static void
lines_group_narrow(struct kpane *kp, struct kp_lines *ls, size_t i, int w,
    bool focused)
{
	const struct lag_eval	*e = &kp->evals[i];
	struct kp_line		*l = line_add(ls, i);
	char			 name[512], lag[32], secs[32], mem[32];
	char			 spark[1024], v[64];
	int			 x, sw, mw;

	kp_group_name(name, sizeof name, e->cluster, e->group);
	span_add(l, 0, w - KP_STATE_W - 1, name_role(kp, i, focused),
	    ALIGN_LEFT, "%s%s", marker(i == kp->sel), name);
	span_add(l, w - KP_STATE_W, KP_STATE_W, fig(kp,
	    kp_state_role(e->state)), ALIGN_RIGHT, "%s",
	    lag_state_name(e->state));

	l = line_add(ls, i);
	kp_fmt_count(lag, sizeof lag, e->lag);
	kp_fmt_seconds(secs, sizeof secs, &e->seconds);
	members_text(e, mem, sizeof mem, true);
	span_add(l, KP_INDENT, 0, fig(kp, kp_lag_role(kp, e->lag)),
	    ALIGN_LEFT, "%s", lag);
	span_add(l, -1, 0, fig(kp, kp_seconds_role(kp, &e->seconds)),
	    ALIGN_LEFT, " %s", secs);
	x = KP_INDENT + widget_width(lag) + 1 + widget_width(secs) + 1;
	mw = widget_width(mem);
	sw = w - x - mw - 1;
	if (sw > KP_SPARK_MAX)
		sw = KP_SPARK_MAX;
	if (sw >= 4) {
		spark_text(e, sw, spark, sizeof spark);
		span_add(l, x, sw, fig(kp, ROLE_SPARKLINE), ALIGN_RIGHT,
		    "%s", spark);
	}
	if (w - mw > x)
		span_add(l, w - mw, mw, fig(kp, members_role(e)),
		    ALIGN_RIGHT, "%s", mem);

	spans_rates(kp, line_add(ls, i), KP_INDENT, e);
	l = line_add(ls, i);
	drain_text(e, v, sizeof v);
	span_add(l, KP_INDENT, 0, fig(kp, kp_drain_role(&e->drain)),
	    ALIGN_LEFT, "%s", v);
	spans_partial(kp, l, e);
	lines_reason(kp, ls, i, KP_INDENT, w);
}

/* ------------------------------------------------------------ targets */

static void
target_counts(const struct prom_reply *r, size_t *up, size_t *down)
{
	size_t	i;

	*up = *down = 0;
	for (i = 0; r != NULL && i < r->n_targets; i++) {
		if (r->targets[i].health == PROM_HEALTH_UP)
			(*up)++;
		else
			(*down)++;
	}
}

/*
 * The telling part of a scrape error: Prometheus starts most with the
 * request ("Get \"http://...\": dial tcp ...: connection refused"); the
 * list shows what follows (the targets view has it all).
 */
static const char *
scrape_error(const char *err)
{
	const char	*p;

	if (strncmp(err, "Get \"", 5) != 0 ||
	    (p = strstr(err + 5, "\": ")) == NULL || p[3] == '\0')
		return err;
	return p + 3;
}

/* A target that is not up: job, instance, health and its error. */
static void
lines_bad_target(struct kp_lines *ls, size_t item, int w,
    const struct prom_target *t, bool dim)
{
	struct kp_line	*l = line_add(ls, item);
	const char	*err = t->last_error != NULL ? t->last_error : "";
	bool		 down = t->health == PROM_HEALTH_DOWN;
	int		 x = w >= KP_WIDE_MIN ? KP_INDENT_WIDE : KP_INDENT;

	span_add(l, x, 0, dim ? ROLE_DIM : ROLE_LABEL, ALIGN_LEFT, "%s",
	    t->job != NULL && *t->job != '\0' ? t->job : "?");
	span_add(l, -1, 0, dim ? ROLE_DIM : (down ? ROLE_CRIT :
	    ROLE_UNKNOWN), ALIGN_LEFT, " %s", down ? "down" : "unknown");
	if (w >= KP_WIDE_MIN)
		span_add(l, -1, 0, ROLE_DIM, ALIGN_LEFT, " %s",
		    t->instance != NULL ? t->instance : "");
	if (*err != '\0')
		lines_wrapped(ls, item, x + 2, w, dim ? ROLE_DIM : ROLE_ERROR,
		    scrape_error(err), 2);
}

static void
lines_targets(struct kpane *kp, struct kp_lines *ls, int w, bool focused,
    int64_t now, bool *ages)
{
	const struct mon_targets	*tg = &kp->mon->targets;
	const struct prom_reply		*r = tg->reply;
	struct kp_line			*l = line_add(ls, kp->n_evals);
	size_t				 up, down, i;
	char				 age[32];
	bool				 dim = tg->st.fetched && !tg->st.ok;

	span_add(l, 0, 0, name_role(kp, kp->n_evals, focused), ALIGN_LEFT,
	    "%sScrape targets", marker(kp->sel == kp->n_evals));
	if (!tg->st.configured) {
		span_add(l, -1, 0, ROLE_DIM, ALIGN_LEFT, "  not configured");
		lines_wrapped(ls, kp->n_evals, KP_INDENT, w, ROLE_DIM,
		    tg->st.error != NULL ? tg->st.error : "no [prometheus] url",
		    2);
		return;
	}
	if (!tg->st.fetched && r == NULL) {
		span_add(l, -1, 0, ROLE_UNKNOWN, ALIGN_LEFT, "  asking%s",
		    dots());
		return;
	}
	target_counts(r, &up, &down);
	if (r == NULL)
		span_add(l, -1, 0, ROLE_UNKNOWN, ALIGN_LEFT, "  unknown");
	else if (r->n_targets == 0)
		span_add(l, -1, 0, ROLE_UNKNOWN, ALIGN_LEFT, "  none active");
	else
		span_add(l, -1, 0, dim ? ROLE_DIM : (down > 0 ? ROLE_CRIT :
		    ROLE_OK), ALIGN_LEFT, "  %zu/%zu up", up, r->n_targets);
	if (dim) {
		span_add(l, -1, 0, ROLE_CRIT, ALIGN_LEFT, "  Prometheus down");
		if (tg->st.last_ok_ms != 0) {
			kp_fmt_age(age, sizeof age, now - tg->st.last_ok_ms);
			span_add(l, -1, 0, ROLE_WARN, ALIGN_LEFT, ", %s ago",
			    age);
			*ages = true;
		}
		lines_wrapped(ls, kp->n_evals, KP_INDENT, w, ROLE_ERROR,
		    tg->st.error != NULL ? tg->st.error : "no answer", 2);
	}
	for (i = 0; r != NULL && i < r->n_targets; i++) {
		if (r->targets[i].health != PROM_HEALTH_UP)
			lines_bad_target(ls, kp->n_evals, w, &r->targets[i],
			    dim);
	}
}

/*
 * Every item's lines, a blank one between items if `gap`. The source's
 * lines are pinned (item KP_NOITEM) and go to `pinned`.
 */
static void
lines_build(struct kpane *kp, struct kp_lines *pinned, struct kp_lines *ls,
    int w, bool focused, bool gap, bool *ages)
{
	int64_t	now = util_wall_ms();
	size_t	i;
	int	nw = name_width(kp, w);

	*ages = false;
	lines_source(kp, pinned, w, now, ages);
	for (i = 0; i < kp->n_evals; i++) {
		kp->start[i] = kp->end[i] = ls->n;
		if (!item_matches(kp, i))
			continue;
		if (gap && ls->n > 0)
			line_add(ls, i);
		if (w >= KP_WIDE_MIN)
			lines_group_wide(kp, ls, i, w, nw, focused);
		else
			lines_group_narrow(kp, ls, i, w, focused);
		kp->end[i] = ls->n;
	}
	if (kp->n_evals == 0 && kp->mon->kafka.st.ok)
		span_add(line_add(ls, KP_NOITEM), 0, 0, ROLE_UNKNOWN,
		    ALIGN_LEFT, "no consumer groups in the %s data",
		    source_name(kp));
	else if (kp->n_evals > 0 && ls->n == 0)
		span_add(line_add(ls, KP_NOITEM), 0, 0, ROLE_DIM, ALIGN_LEFT,
		    "no group matches the filter");
	if (ls->n > 0)
		line_add(ls, KP_NOITEM);	/* the targets stand apart */
	kp->start[kp->n_evals] = ls->n;
	lines_targets(kp, ls, w, focused, now, ages);
	kp->end[kp->n_evals] = ls->n;
}

/* ------------------------------------------------------------ drawing */

static void
line_draw(WINDOW *win, int y, int w, const struct kp_line *l)
{
	const struct kp_span	*s;
	int			 i, x = 0, sw;

	for (i = 0; i < l->nspans; i++) {
		s = &l->spans[i];
		if (s->x >= 0)
			x = s->x;
		if (x >= w)
			return;
		sw = s->w > 0 ? s->w : w - x;
		if (sw > w - x)
			sw = w - x;
		if (s->w > 0) {
			widget_text(win, y, x, sw, s->role, s->align, s->text);
			x += sw;
		} else
			x += widget_put(win, y, x, sw, s->role, s->text);
	}
}

static void
list_clamp(struct kpane *kp)
{
	if (kp->total <= kp->page)
		kp->top = 0;
	else if (kp->top > kp->total - kp->page)
		kp->top = kp->total - kp->page;
}

/* The first item the filter lets through from i on (dir 1) or back. */
static size_t
item_next(const struct kpane *kp, size_t i, int dir)
{
	while (i < kp->n_items) {
		if (item_matches(kp, i))
			return i;
		if (dir < 0 && i == 0)
			break;
		i += (size_t)dir;
	}
	return KP_NOITEM;
}

static void
list_draw(struct kpane *kp, WINDOW *win, bool focused)
{
	struct kp_lines	 pinned = { 0 }, ls = { 0 };
	size_t		 i, first;
	int		 h, w, y, body;
	bool		 ages;

	getmaxyx(win, h, w);
	evaluate(kp);
	if (!item_matches(kp, kp->sel) &&
	    (first = item_next(kp, 0, 1)) != KP_NOITEM)
		sel_set(kp, first);
	lines_build(kp, &pinned, &ls, w, focused, false, &ages);
	if (pinned.n > 0 && h > (int)pinned.n + 8)
		line_add(&pinned, KP_NOITEM);	/* apart from the groups */
	body = h - (int)pinned.n - (kp_filter_for(kp, KP_GROUPS) != NULL ?
	    1 : 0);
	if (body < 1)
		body = 1;
	if (ls.n + kp->n_evals <= (size_t)body) {
		lines_free(&pinned);	/* room to breathe between groups */
		lines_free(&ls);
		lines_build(kp, &pinned, &ls, w, focused, true, &ages);
		if (pinned.n > 0 && h > (int)pinned.n + 8)
			line_add(&pinned, KP_NOITEM);
	}
	for (y = 0; y < (int)pinned.n && y < h; y++)
		line_draw(win, y, w, &pinned.v[y]);
	kp->page = (size_t)body;
	kp->total = ls.n;
	kp->drawn = true;
	list_clamp(kp);
	for (i = kp->top; y < h && i < ls.n && i < kp->top + kp->page;
	    y++, i++)
		line_draw(win, y, w, &ls.v[i]);
	if (kp_filter_for(kp, KP_GROUPS) != NULL)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_LEFT,
		    "filter: %s", kp->filter);
	else if (kp->top + kp->page < kp->total && h > 1)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_RIGHT,
		    "%s %zu more lines", ui_utf8() ? "↓" : "v",
		    kp->total - kp->top - kp->page);
	lines_free(&pinned);
	lines_free(&ls);
	if (ages)
		kp_tick(kp);
}

/* ------------------------------------------------------------ moving */

static int
list_down(struct kpane *kp)
{
	size_t	next;

	if (!kp->drawn)
		return REACT_NONE;
	if (kp->end[kp->sel] > kp->top + kp->page) {
		kp->top++;	/* the rest of a tall item first */
		return REACT_REDRAW;
	}
	if ((next = item_next(kp, kp->sel + 1, 1)) == KP_NOITEM)
		return REACT_NONE;
	sel_set(kp, next);
	if (kp->end[next] > kp->top + kp->page) {
		kp->top = kp->end[next] - kp->page;
		if (kp->top > kp->start[next])
			kp->top = kp->start[next];
	}
	return REACT_REDRAW;
}

static int
list_up(struct kpane *kp)
{
	size_t	prev;

	if (!kp->drawn)
		return REACT_NONE;
	if (kp->start[kp->sel] < kp->top) {
		kp->top--;
		return REACT_REDRAW;
	}
	if (kp->sel == 0 ||
	    (prev = item_next(kp, kp->sel - 1, -1)) == KP_NOITEM) {
		if (kp->top == 0)
			return REACT_NONE;
		kp->top = 0;	/* whatever stands above the first item */
		return REACT_REDRAW;
	}
	sel_set(kp, prev);
	if (kp->start[prev] < kp->top) {
		kp->top = kp->start[prev];
		if (kp->end[prev] > kp->page &&
		    kp->end[prev] - kp->page > kp->top)
			kp->top = kp->end[prev] - kp->page;
	}
	return REACT_REDRAW;
}

static int
list_page(struct kpane *kp, enum action act)
{
	size_t	step = kp->page > 1 ? kp->page - 1 : 1, i;

	if (!kp->drawn)
		return REACT_NONE;
	switch (act) {
	case ACT_PAGE_UP:
		kp->top = kp->top > step ? kp->top - step : 0;
		break;
	case ACT_PAGE_DOWN:
		kp->top += step;
		break;
	case ACT_HOME:
		kp->top = 0;
		break;
	default:
		kp->top = kp->total;
		break;
	}
	list_clamp(kp);
	if (act == ACT_END) {
		sel_set(kp, kp->n_evals);	/* the targets, always last */
		return REACT_REDRAW;
	}
	for (i = 0; i < kp->n_items; i++) {
		if (item_matches(kp, i) && kp->end[i] > kp->top) {
			sel_set(kp, i);
			break;
		}
	}
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ views */

static void
path_set(char **slot, const char *s)
{
	free(*slot);
	*slot = s != NULL ? xstrdup(s) : NULL;
}

static int
list_enter(struct kpane *kp)
{
	if (!kp->drawn || !item_matches(kp, kp->sel))
		return REACT_NONE;
	if (kp->sel >= kp->n_evals) {
		kpdrill_open(kp, KP_TARGETS);
		return REACT_REDRAW;
	}
	path_set(&kp->cluster, kp->evals[kp->sel].cluster);
	path_set(&kp->group, kp->evals[kp->sel].group);
	kpdrill_open(kp, KP_TOPICS);
	return REACT_REDRAW;
}

/* Esc in a table: the filter typed there first (the console clears it). */
static int
view_back(struct kpane *kp)
{
	if (kp_filter_for(kp, kp->view) != NULL)
		return REACT_PASS;
	switch (kp->view) {
	case KP_PARTS:
		kpdrill_close(kp, KP_PARTS);
		kp->view = KP_TOPICS;
		break;
	case KP_TOPICS:
	case KP_TARGETS:
		kpdrill_close(kp, kp->view);
		kp->view = KP_GROUPS;
		break;
	default:
		return REACT_PASS;
	}
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ ops */

static void
kp_draw(struct pane *p, WINDOW *win, bool focused)
{
	struct kpane	*kp = p->state;

	kp->pane = p;
	evaluate(kp);
	if (kp->view == KP_GROUPS)
		list_draw(kp, win, focused);
	else
		kpdrill_draw(kp, win, focused);
}

static int
kp_action(struct pane *p, enum action act)
{
	struct kpane	*kp = p->state;
	int		 r;

	kp->pane = p;
	if (kp->view != KP_GROUPS) {
		r = kpdrill_action(kp, act);
		if (act == ACT_BACK && (r & REACT_PASS))
			return view_back(kp);
		return r;
	}
	switch (act) {
	case ACT_UP:
		return list_up(kp);
	case ACT_DOWN:
		return list_down(kp);
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
	case ACT_HOME:
	case ACT_END:
		return list_page(kp, act);
	case ACT_ENTER:
		return list_enter(kp);
	case ACT_SORT:
	case ACT_SORT_REVERSE:
		console_set_status(ROLE_FOOTER, "groups are in name order; "
		    "Enter a group to sort its topics");
		return REACT_NONE;
	default:
		return REACT_PASS;
	}
}

static void
kp_fetch(struct pane *p)
{
	struct kpane	*kp = p->state;

	monitor_refresh(kp->mon, MON_KAFKA | MON_TARGETS);
}

static void
kp_filter(struct pane *p, const char *text)
{
	struct kpane	*kp = p->state;

	free(kp->filter);
	kp->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	kp->filter_view = kp->view;
	kpdrill_filter(kp);
}

/* The worst group, in a few words: "audit_sink STALL", "x lag 7.0M". */
static enum theme_role
worst_group(struct kpane *kp, char *buf, size_t len)
{
	const struct lag_eval	*e, *worst = NULL;
	enum theme_role		 role, wrole = ROLE_OK, st, lag, secs;
	char			 name[512], v[48], count[32];
	size_t			 i, n_bad = 0;

	for (i = 0; i < kp->n_evals; i++) {
		e = &kp->evals[i];
		st = kp_state_role(e->state);
		lag = kp_lag_role(kp, e->lag);
		secs = e->seconds.state == LAG_SEC_UNKNOWN ? ROLE_OK :
		    kp_seconds_role(kp, &e->seconds);
		role = st;
		if (role_rank(lag) > role_rank(role))
			role = lag;
		if (role_rank(secs) > role_rank(role))
			role = secs;
		if (role_rank(role) > 0)
			n_bad++;
		if (role_rank(role) > role_rank(wrole)) {
			wrole = role;
			worst = e;
		}
	}
	if (worst == NULL) {
		snprintf(buf, len, kp->n_evals == 0 ? "no groups" : "lag ok");
		return kp->n_evals == 0 ? ROLE_UNKNOWN : ROLE_OK;
	}
	kp_group_name(name, sizeof name, worst->cluster, worst->group);
	if (role_rank(kp_state_role(worst->state)) == role_rank(wrole))
		snprintf(v, sizeof v, "%s", lag_state_name(worst->state));
	else if (role_rank(kp_lag_role(kp, worst->lag)) == role_rank(wrole)) {
		kp_fmt_count(count, sizeof count, worst->lag);
		snprintf(v, sizeof v, "lag %s", count);
	} else
		kp_fmt_seconds(v, sizeof v, &worst->seconds);
	if (n_bad > 1)
		snprintf(buf, len, "%.20s %s +%zu", name, v, n_bad - 1);
	else
		snprintf(buf, len, "%.24s %s", name, v);
	return wrole;
}

/* "lag ok · 2/3 targets", "audit_sink STALL · 3/3 targets", "down 3m". */
static enum theme_role
kp_state(struct pane *p, char *buf, size_t len)
{
	struct kpane			*kp = p->state;
	const struct mon_state		*st = &kp->mon->kafka.st;
	const struct mon_targets	*tg = &kp->mon->targets;
	enum theme_role			 role;
	size_t				 up, down, used;
	char				 age[32];

	evaluate(kp);
	if (!st->configured) {
		snprintf(buf, len, "not configured");
		role = ROLE_UNKNOWN;
	} else if (!st->fetched) {
		snprintf(buf, len, "connecting");
		role = ROLE_UNKNOWN;
	} else if (!st->ok) {
		kp_fmt_age(age, sizeof age, util_wall_ms() - st->last_ok_ms);
		snprintf(buf, len, st->last_ok_ms != 0 ? "down %s" : "down",
		    age);
		role = ROLE_CRIT;
	} else
		role = worst_group(kp, buf, len);
	if (!tg->st.configured || tg->reply == NULL)
		return role;
	target_counts(tg->reply, &up, &down);
	used = strlen(buf);
	if (used < len)
		snprintf(buf + used, len - used, " %s %zu/%zu targets",
		    ui_utf8() ? "·" : "-", up, tg->reply->n_targets);
	if ((down > 0 || !tg->st.ok) && role_rank(role) < role_rank(ROLE_WARN))
		role = ROLE_WARN;
	return role;
}

static void
kp_free(void *state)
{
	struct kpane	*kp = state;
	int		 v;

	if (kp == NULL)
		return;
	for (v = 0; v < KP_NVIEWS; v++)
		kpdrill_close(kp, (enum kp_view)v);
	if (kp->tick != NULL)
		loop_timer_cancel(kp->mon->loop, kp->tick);
	lag_eval_free_all(kp->evals, kp->n_evals);
	free(kp->start);
	free(kp->end);
	free(kp->filter);
	free(kp->sel_cluster);
	free(kp->sel_group);
	free(kp->cluster);
	free(kp->group);
	free(kp->topic);
	free(kp);
}

const struct pane_ops pane_kafka_ops = {
	.name = "kafka",
	.title = "Kafka lag",
	.help = "every consumer group: its lag (\"?\" when unknown, "
	    "\"partial\" when some partitions have no committed offset), a "
	    "sparkline of it, members, and its state over the last samples: "
	    "OK, WARN (lag growing), STALL (offsets not moving while lag "
	    "stays), STOP (no members, no commits), REWIND (offsets went "
	    "back), with the reason; consumption and production rates, the "
	    "time to drain or how fast it falls behind, and the lag in "
	    "seconds (\"~\" estimated, \">=\" at least). Below: the "
	    "Prometheus scrape targets. Enter on a group shows its topics, "
	    "then a topic's partitions (s, S sort; / filters; Esc goes "
	    "back); Enter on the targets lists them with their errors.",
	.draw = kp_draw,
	.action = kp_action,
	.fetch = kp_fetch,
	.filter = kp_filter,
	.state = kp_state,
	.free = kp_free,
};

void *
pane_kafka_new(struct monitor *mon, const struct config *cfg)
{
	struct kpane	*kp = xcalloc(1, sizeof *kp);

	kp->mon = mon;
	kp->cfg = cfg;
	kp->n_items = 1;
	kp->start = xcalloc(1, sizeof *kp->start);
	kp->end = xcalloc(1, sizeof *kp->end);
	return kp;
}

void
pane_kafka_attach(void *state, struct pane *p)
{
	struct kpane	*kp = state;

	if (kp != NULL)
		kp->pane = p;
}

void
pane_kafka_changed(void *state)
{
	struct kpane	*kp = state;

	if (kp == NULL)
		return;
	evaluate(kp);
	kpdrill_refill(kp);
	console_pane_dirty(kp->pane);
}

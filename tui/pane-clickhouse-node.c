/*
 * One ClickHouse node as lines: its figures from the health probe (each
 * with the role its thresholds give), laid out for the pane's width.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_health.h"
#include "clickhouse.h"
#include "config.h"
#include "monitor.h"
#include "pane-clickhouse-node.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define CHN_WIDE_MIN	60	/* narrower: one figure a line */
#define CHN_LABEL_W	11	/* "ro replicas" */
#define CHN_CELL_W	24	/* a figure in the grid, gap included */
#define CHN_INDENT	2
#define CHN_FIGS	20
#define CHN_SPANS	6
/* Free disk under these fractions of its size: warn, crit. */
#define CHN_DISK_WARN	0.15
#define CHN_DISK_CRIT	0.05

struct chn_fig {
	const char	*label;
	char		 value[48];
	enum theme_role	 role;
	char		*note;		/* a line of its own: where, why */
	enum theme_role	 note_role;
};

struct chn_figs {
	struct chn_fig	 v[CHN_FIGS];
	size_t		 n;
};

/* A piece of a line: at column x (-1: after the previous one). */
struct chn_span {
	char		*text;
	enum theme_role	 role;
	int		 x;
	int		 w;		/* 0: as wide as the text */
};

struct chnode_line {
	struct chn_span	 spans[CHN_SPANS];
	int		 nspans;
};

/* ------------------------------------------------------------ text */

void
chnode_fmt_age(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60 * 1000)
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	else
		util_fmt_duration(buf, len, ms - ms % 1000);
}

void
chnode_name(const struct mon_node *node, char *buf, size_t len)
{
	const char	*url = ch_url(node->ch), *p;

	if ((p = strstr(url, "://")) != NULL)
		url = p + 3;
	snprintf(buf, len, "%s", url);
	if (*buf != '\0' && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
}

/* ------------------------------------------------------------ figures */

static struct chn_fig *
fig_add(struct chn_figs *fs, const char *label, enum theme_role role,
    const char *fmt, ...)
{
	struct chn_fig	*f;
	va_list		 ap;

	if (fs->n == CHN_FIGS)	/* never: the list is fixed */
		free(fs->v[--fs->n].note);
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	f->label = label;
	f->role = role;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof f->value, fmt, ap);
	va_end(ap);
	return f;
}

static void
fig_note(struct chn_fig *f, enum theme_role role, const char *fmt, ...)
{
	va_list	ap;

	free(f->note);
	va_start(ap, fmt);
	f->note = xvasprintf(fmt, ap);
	va_end(ap);
	f->note_role = role;
}

static void
figs_free(struct chn_figs *fs)
{
	size_t	i;

	for (i = 0; i < fs->n; i++)
		free(fs->v[i].note);
	fs->n = 0;
}

static void
fig_unknown(struct chn_figs *fs, const char *label)
{
	fig_add(fs, label, ROLE_UNKNOWN, "?");
}

static void
fig_count(struct chn_figs *fs, const char *label, struct ch_num n,
    enum theme_role role)
{
	char	v[32];

	if (!n.known) {
		fig_unknown(fs, label);
		return;
	}
	util_fmt_count(v, sizeof v, (double)n.v);
	fig_add(fs, label, role, "%s", v);
}

/* ok at zero, `bad` above. */
static void
fig_zero_ok(struct chn_figs *fs, const char *label, struct ch_num n,
    enum theme_role bad)
{
	fig_count(fs, label, n, n.known && n.v > 0 ? bad : ROLE_OK);
}

static void
fig_rate(struct chn_figs *fs, const char *label, struct ch_rate r,
    enum theme_role bad)
{
	char	v[32];

	if (!r.known) {
		fig_unknown(fs, label);
		return;
	}
	util_fmt_count(v, sizeof v, r.v);
	fig_add(fs, label, r.v > 0 ? bad : ROLE_VALUE, "%s", v);
}

static void
fig_parts(struct chn_figs *fs, const struct config *cfg,
    const struct ch_health_figs *h)
{
	struct chn_fig	*f;
	enum theme_role	 role = ROLE_OK;
	double		 ratio;

	if (!h->parts.known) {
		fig_unknown(fs, "parts");
		return;
	}
	if (!ch_health_parts_ratio(h, &ratio)) {
		f = fig_add(fs, "parts", ROLE_VALUE, "%lld",
		    (long long)h->parts.v);
	} else {
		if (ratio >= cfg->ui.parts_crit_ratio)
			role = ROLE_CRIT;
		else if (ratio >= cfg->ui.parts_warn_ratio)
			role = ROLE_WARN;
		f = fig_add(fs, "parts", role, "%lld/%lld %.0f%%",
		    (long long)h->parts.v, (long long)h->parts_delay.v,
		    ratio * 100);
	}
	if (h->parts_table == NULL || h->parts.v == 0)
		return;
	if (h->parts_throw.known)
		fig_note(f, role == ROLE_OK ? ROLE_DIM : role,
		    "%s.%s/%s, throws at %lld", h->parts_db, h->parts_table,
		    h->parts_partition != NULL ? h->parts_partition : "?",
		    (long long)h->parts_throw.v);
	else
		fig_note(f, role == ROLE_OK ? ROLE_DIM : role, "%s.%s/%s",
		    h->parts_db, h->parts_table, h->parts_partition != NULL ?
		    h->parts_partition : "?");
}

static void
fig_mutations(struct chn_figs *fs, const struct ch_health_figs *h)
{
	struct chn_fig	*f;

	if (!h->mutations.known) {
		fig_unknown(fs, "mutations");
		return;
	}
	if (!h->mutations_failed.known || h->mutations_failed.v == 0) {
		fig_count(fs, "mutations", h->mutations, ROLE_VALUE);
		return;
	}
	f = fig_add(fs, "mutations", ROLE_CRIT, "%lld, %lld failed",
	    (long long)h->mutations.v, (long long)h->mutations_failed.v);
	if (h->mutation_error != NULL)
		fig_note(f, ROLE_CRIT, "%s", h->mutation_error);
}

static void
fig_replication(struct chn_figs *fs, const struct ch_health_figs *h)
{
	char	v[32];

	if (h->replicas.known && h->replicas.v == 0) {
		fig_add(fs, "replicated", ROLE_DIM, "none");
		return;
	}
	fig_zero_ok(fs, "ro replicas", h->readonly_replicas, ROLE_CRIT);
	if (h->replica_delay_s.known) {
		chnode_fmt_age(v, sizeof v, h->replica_delay_s.v * 1000);
		fig_add(fs, "repl delay", ROLE_VALUE, "%s", v);
	} else
		fig_unknown(fs, "repl delay");
	fig_count(fs, "repl queue", h->replica_queue, ROLE_VALUE);
}

static void
fig_disk(struct chn_figs *fs, const struct ch_health_figs *h)
{
	enum theme_role	role = ROLE_OK;
	char		free_[32];
	double		frac;

	if (!h->disk_free.known)
		return;		/* the server does not say (18.16) */
	util_fmt_bytes(free_, sizeof free_, (double)h->disk_free.v);
	if (!h->disk_total.known || h->disk_total.v <= 0) {
		fig_add(fs, "disk free", ROLE_VALUE, "%s", free_);
		return;
	}
	frac = (double)h->disk_free.v / (double)h->disk_total.v;
	if (frac < CHN_DISK_CRIT)
		role = ROLE_CRIT;
	else if (frac < CHN_DISK_WARN)
		role = ROLE_WARN;
	fig_add(fs, "disk free", role, "%s %.0f%%", free_, frac * 100);
}

static void
fig_cluster(struct chn_figs *fs, const struct ch_health_figs *h)
{
	struct chn_fig	*f;
	char		 list[256];
	size_t		 i, used = 0;
	int		 n;

	if (h->n_discovered == 0)
		return;
	*list = '\0';
	for (i = 0; i < h->n_discovered && used < sizeof list; i++) {
		n = snprintf(list + used, sizeof list - used, "%s%s",
		    i > 0 ? ", " : "", h->discovered[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	f = fig_add(fs, "cluster", ROLE_VALUE, "%zu more", h->n_discovered);
	fig_note(f, ROLE_DIM, "not watched: %s", list);
}

/* The node's figures, most telling first; stale ones dimmed. */
static void
node_figs(const struct config *cfg, const struct mon_node *node, bool stale,
    struct chn_figs *fs)
{
	const struct ch_health_figs	*h = ch_health_figs(node->health);
	char				 v[32];
	size_t				 i;

	fs->n = 0;
	fig_add(fs, "version", h->version != NULL ? ROLE_VALUE : ROLE_UNKNOWN,
	    "%s", h->version != NULL ? h->version : "?");
	if (h->uptime_s.known) {
		chnode_fmt_age(v, sizeof v, h->uptime_s.v * 1000);
		fig_add(fs, "uptime", ROLE_VALUE, "%s", v);
	} else
		fig_unknown(fs, "uptime");
	fig_parts(fs, cfg, h);
	fig_zero_ok(fs, "delayed ins", h->delayed_inserts, ROLE_WARN);
	fig_replication(fs, h);
	fig_mutations(fs, h);
	fig_count(fs, "queries", h->queries, ROLE_VALUE);
	if (h->memory.known) {
		util_fmt_bytes(v, sizeof v, (double)h->memory.v);
		fig_add(fs, "memory", ROLE_VALUE, "%s", v);
	} else
		fig_unknown(fs, "memory");
	fig_count(fs, "merges", h->merges, ROLE_VALUE);
	fig_rate(fs, "ins rows/s", h->inserted_rows_s, ROLE_VALUE);
	fig_rate(fs, "failed q/s", h->failed_queries_s, ROLE_WARN);
	fig_disk(fs, h);
	fig_cluster(fs, h);
	if (!stale)
		return;
	for (i = 0; i < fs->n; i++) {
		if (fs->v[i].role == ROLE_VALUE || fs->v[i].role == ROLE_OK)
			fs->v[i].role = ROLE_DIM;
	}
}

static enum theme_role
figs_worst(const struct chn_figs *fs, const char **label)
{
	enum theme_role	worst = ROLE_OK;
	size_t		i;

	*label = NULL;
	for (i = 0; i < fs->n; i++) {
		if (fs->v[i].role == ROLE_CRIT && worst != ROLE_CRIT) {
			worst = ROLE_CRIT;
			*label = fs->v[i].label;
		} else if (fs->v[i].role == ROLE_WARN && worst == ROLE_OK) {
			worst = ROLE_WARN;
			*label = fs->v[i].label;
		}
	}
	return worst;
}

/* ------------------------------------------------------------ node state */

enum chn_up { CHN_CONNECTING, CHN_UP, CHN_DOWN };

static enum chn_up
node_up(const struct mon_node *node)
{
	if (!node->st.fetched)
		return CHN_CONNECTING;
	return node->st.ok ? CHN_UP : CHN_DOWN;
}

/* Data older than two refreshes: its age in ms, else -1. */
static int64_t
node_stale_ms(const struct config *cfg, const struct mon_node *node,
    int64_t now)
{
	if (node->st.last_ok_ms == 0)
		return -1;
	if (now - node->st.last_ok_ms <= 2 * cfg->ui.refresh_ms)
		return -1;
	return now - node->st.last_ok_ms;
}

/* ------------------------------------------------------------ lines */

static struct chnode_line *
line_add(struct chnode_lines *ls)
{
	struct chnode_line	*l;

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 32;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof *ls->v);
	}
	l = &ls->v[ls->n++];
	memset(l, 0, sizeof *l);
	return l;
}

static void
span_add(struct chnode_line *l, int x, int w, enum theme_role role,
    const char *fmt, ...)
{
	struct chn_span	*s;
	va_list		 ap;

	if (l->nspans == CHN_SPANS)
		return;
	s = &l->spans[l->nspans++];
	s->x = x;
	s->w = w;
	s->role = role;
	va_start(ap, fmt);
	s->text = xvasprintf(fmt, ap);
	va_end(ap);
}

void
chnode_lines_free(struct chnode_lines *ls)
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
lines_wrapped(struct chnode_lines *ls, int x, int w,
    enum theme_role role, const char *text, size_t max)
{
	char	**wrapped;
	size_t	  n, i;

	n = widget_wrap(text, w - x - 2 > 10 ? w - x - 2 : 10, &wrapped);
	for (i = 0; i < n && i < max; i++)
		span_add(line_add(ls), x, 0, role, "%s%s",
		    wrapped[i], i + 1 == max && n > max ?
		    (ui_utf8() ? " …" : " ...") : "");
	widget_lines_free(wrapped, n);
}

/* Returns whether an age that ticks is on it. */
static bool
lines_title(struct chnode_lines *ls, const struct mon_node *node,
    const struct chnode_opts *o)
{
	struct chnode_line	*l = line_add(ls);
	enum theme_role		 sel = ROLE_PANE_TITLE;
	char			 name[256], age[32];
	int64_t			 stale = node_stale_ms(o->cfg, node, o->now);
	bool			 ages = false;

	if (o->selected)
		sel = o->focused ? ROLE_SELECTION : ROLE_SELECTION_INACTIVE;
	chnode_name(node, name, sizeof name);
	span_add(l, 0, 0, sel, "%s%s", o->selected ?
	    (ui_utf8() ? "▸ " : "> ") : "  ", name);
	switch (node_up(node)) {
	case CHN_CONNECTING:
		span_add(l, -1, 0, ROLE_UNKNOWN, "  connecting%s",
		    ui_utf8() ? "…" : "...");
		break;
	case CHN_UP:
		span_add(l, -1, 0, ROLE_OK, "  up");
		span_add(l, -1, 0, ROLE_VALUE, " %lldms",
		    (long long)node->st.latency_ms);
		break;
	case CHN_DOWN:
		span_add(l, -1, 0, ROLE_CRIT, "  down");
		break;
	}
	if (node_up(node) == CHN_UP && stale >= 0) {
		chnode_fmt_age(age, sizeof age, stale);
		span_add(l, -1, 0, ROLE_WARN, "  stale %s", age);
		ages = true;
	}
	if (node->st.in_flight &&
	    o->now - node->st.started_ms > o->cfg->ui.refresh_ms) {
		chnode_fmt_age(age, sizeof age, o->now - node->st.started_ms);
		span_add(l, -1, 0, ROLE_WARN, "  waiting %s", age);
		ages = true;
	}
	return ages;
}

/* Why a node is down, and how old what is shown is. */
static bool
lines_down(struct chnode_lines *ls, const struct mon_node *node,
    const struct chnode_opts *o)
{
	const char	*error = node->st.error, *url = ch_url(node->ch);
	char		 age[32];
	size_t		 n = strlen(url);

	if (error == NULL)
		error = "no answer";
	else if (strncmp(error, url, n) == 0 && strncmp(error + n, ": ", 2) == 0)
		error += n + 2;		/* the title names the node already */
	lines_wrapped(ls, CHN_INDENT, o->width, ROLE_ERROR, error, 2);
	if (node->st.last_ok_ms == 0) {
		span_add(line_add(ls), CHN_INDENT, 0, ROLE_UNKNOWN,
		    "never answered: no data");
		return false;
	}
	chnode_fmt_age(age, sizeof age, o->now - node->st.last_ok_ms);
	span_add(line_add(ls), CHN_INDENT, 0, ROLE_WARN,
	    "stale %s: data below is from then", age);
	return true;
}

/* One figure a line, its note under it. */
static void
lines_narrow(struct chnode_lines *ls, int w, const struct chn_figs *fs)
{
	const struct chn_fig	*f;
	struct chnode_line	*l;
	size_t			 i;

	for (i = 0; i < fs->n; i++) {
		f = &fs->v[i];
		l = line_add(ls);
		span_add(l, 1, CHN_LABEL_W, ROLE_LABEL, "%s", f->label);
		span_add(l, 1 + CHN_LABEL_W + 1, 0, f->role, "%s", f->value);
		if (f->note != NULL)
			lines_wrapped(ls, 3, w, f->note_role, f->note, 3);
	}
}

/* A grid of cells, then the notes. */
static void
lines_wide(struct chnode_lines *ls, int w, const struct chn_figs *fs)
{
	const struct chn_fig	*f;
	struct chnode_line	*l = NULL;
	size_t			 i, per, cell;
	char			*note;
	int			 x;

	per = (size_t)((w - CHN_INDENT) / CHN_CELL_W);
	if (per < 1)
		per = 1;
	cell = (size_t)(w - CHN_INDENT) / per;
	for (i = 0; i < fs->n; i++) {
		f = &fs->v[i];
		if (i % per == 0)
			l = line_add(ls);
		x = CHN_INDENT + (int)((i % per) * cell);
		span_add(l, x, CHN_LABEL_W, ROLE_LABEL, "%s", f->label);
		span_add(l, x + CHN_LABEL_W + 1, (int)cell - CHN_LABEL_W - 2,
		    f->role, "%s", f->value);
	}
	for (i = 0; i < fs->n; i++) {
		f = &fs->v[i];
		if (f->note == NULL)
			continue;
		note = xasprintf("%s: %s", f->label, f->note);
		lines_wrapped(ls, CHN_INDENT, w, f->note_role, note, 3);
		free(note);
	}
}

/* ------------------------------------------------------------ API */

static void
line_draw(WINDOW *win, int y, int w, const struct chnode_line *l)
{
	const struct chn_span	*s;
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
			widget_text(win, y, x, sw, s->role, ALIGN_LEFT, s->text);
			x += sw;
		} else
			x += widget_put(win, y, x, sw, s->role, s->text);
	}
}

void
chnode_lines_draw(const struct chnode_lines *ls, size_t first, WINDOW *win,
    int h, int w)
{
	int	y;

	for (y = 0; y < h && first + (size_t)y < ls->n; y++)
		line_draw(win, y, w, &ls->v[first + (size_t)y]);
}

void
chnode_lines_blank(struct chnode_lines *ls)
{
	line_add(ls);
}

bool
chnode_lines_add(struct chnode_lines *ls, const struct mon_node *node,
    const struct chnode_opts *o)
{
	struct chn_figs	fs;
	bool		ages;

	ages = lines_title(ls, node, o);
	if (node_up(node) == CHN_DOWN)
		ages |= lines_down(ls, node, o);
	else if (node_up(node) == CHN_CONNECTING)
		span_add(line_add(ls), CHN_INDENT, 0, ROLE_UNKNOWN,
		    "no data yet");
	if (node->st.last_ok_ms == 0)
		return ages;
	node_figs(o->cfg, node, node_stale_ms(o->cfg, node, o->now) >= 0,
	    &fs);
	if (o->width >= CHN_WIDE_MIN)
		lines_wide(ls, o->width, &fs);
	else
		lines_narrow(ls, o->width, &fs);
	figs_free(&fs);
	return ages;
}

enum theme_role
chnode_worst(const struct mon_node *node, const struct config *cfg,
    const char **label)
{
	struct chn_figs	fs;
	enum theme_role	worst;

	node_figs(cfg, node, false, &fs);
	worst = figs_worst(&fs, label);
	figs_free(&fs);
	return worst;
}

/*
 * The ClickHouse pane's node list. Each node is a title line (name, up or
 * down, latency, the age of stale data), the error of a node that is down,
 * then its figures, most telling first: a grid of cells when the pane is
 * wide, one figure a line when it is narrow (three panes side by side).
 * The lines are built first and the visible ones drawn, so the pane
 * scrolls when the nodes need more lines than it has. Enter opens the
 * drill-down (pane-clickhouse-drill.c) on the selected node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "loop.h"
#include "monitor.h"
#include "pane-clickhouse-drill.h"
#include "pane-clickhouse-node.h"
#include "pane-clickhouse.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

struct chpane {
	struct monitor		*mon;
	const struct config	*cfg;
	struct pane		*pane;
	char			*filter;
	struct chdrill		*drill;		/* NULL: the node list */
	struct loop_timer	*tick;		/* ages on screen: redraw */

	size_t			 sel;		/* selected node */
	size_t			 top;		/* first line shown */
	size_t			 page;		/* lines shown, last draw */
	size_t			 total;		/* lines there were */
	size_t			*start, *end;	/* each node's lines */
	bool			 drawn;
};

/* ------------------------------------------------------------ lines */

static bool
node_matches(const struct chpane *cp, size_t i)
{
	char	name[256];

	if (cp->filter == NULL)
		return true;
	chnode_name(&cp->mon->nodes[i], name, sizeof name);
	return strcasestr(name, cp->filter) != NULL;
}

/*
 * Every node's lines, a blank one between nodes if `gap`. Returns whether
 * an age that ticks is among them.
 */
static bool
lines_build(struct chpane *cp, struct chnode_lines *ls, int w, bool focused,
    bool gap)
{
	struct chnode_opts	o = { .cfg = cp->cfg, .width = w,
				    .focused = focused, .now = util_wall_ms() };
	size_t			i;
	bool			ages = false;

	for (i = 0; i < cp->mon->n_nodes; i++) {
		cp->start[i] = cp->end[i] = ls->n;
		if (!node_matches(cp, i))
			continue;
		if (gap && ls->n > 0)
			chnode_lines_blank(ls);
		o.selected = i == cp->sel;
		ages |= chnode_lines_add(ls, &cp->mon->nodes[i], &o);
		cp->end[i] = ls->n;
	}
	return ages;
}

/* ------------------------------------------------------------ drawing */

static void
tick_fire(void *arg)
{
	struct chpane	*cp = arg;

	cp->tick = NULL;
	console_pane_dirty(cp->pane);
}

/* The first node the filter lets through from i on (dir 1) or back. */
static size_t
node_next(const struct chpane *cp, size_t i, int dir)
{
	while (i < cp->mon->n_nodes) {
		if (node_matches(cp, i))
			return i;
		if (dir < 0 && i == 0)
			break;
		i += (size_t)dir;
	}
	return (size_t)-1;
}

static void
list_clamp(struct chpane *cp)
{
	if (cp->total <= cp->page)
		cp->top = 0;
	else if (cp->top > cp->total - cp->page)
		cp->top = cp->total - cp->page;
}

static void
list_draw(struct chpane *cp, WINDOW *win, bool focused)
{
	struct chnode_lines	 ls = { 0 };
	size_t			 first, i, shown;
	int			 h, w;
	bool			 ages;

	getmaxyx(win, h, w);
	if (cp->mon->n_nodes == 0) {
		widget_text(win, 0, 0, w, ROLE_UNKNOWN, ALIGN_LEFT,
		    "no ClickHouse node configured ([clickhouse] urls)");
		return;
	}
	if (!node_matches(cp, cp->sel) &&
	    (first = node_next(cp, 0, 1)) != (size_t)-1)
		cp->sel = first;
	ages = lines_build(cp, &ls, w, focused, false);
	for (i = 0, shown = 0; i < cp->mon->n_nodes; i++)
		shown += cp->end[i] > cp->start[i];
	if (shown > 1 && ls.n + shown - 1 + (cp->filter != NULL) <= (size_t)h) {
		chnode_lines_free(&ls);	/* room to breathe between nodes */
		ages = lines_build(cp, &ls, w, focused, true);
	}
	cp->total = ls.n;
	/* the last line for the filter, or for how much more there is */
	cp->page = (size_t)h;
	if (h > 1 && (cp->filter != NULL || ls.n > (size_t)h))
		cp->page--;
	cp->drawn = true;
	list_clamp(cp);
	chnode_lines_draw(&ls, cp->top, win, (int)cp->page, w);
	if (ls.n == 0)
		widget_text(win, 0, 0, w, ROLE_DIM, ALIGN_LEFT,
		    "no node matches the filter");
	if (cp->filter != NULL)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_LEFT,
		    "filter: %s", cp->filter);
	else if (cp->top + cp->page < cp->total)
		widget_textf(win, h - 1, 0, w, ROLE_DIM, ALIGN_RIGHT,
		    "%s %zu more lines", ui_utf8() ? "↓" : "v",
		    cp->total - cp->top - cp->page);
	chnode_lines_free(&ls);
	if (ages && cp->tick == NULL)
		cp->tick = loop_timer_add(cp->mon->loop, 1000, tick_fire, cp);
}

/* ------------------------------------------------------------ moving */

static int
list_down(struct chpane *cp)
{
	size_t	next;

	if (!cp->drawn)
		return REACT_NONE;
	if (cp->end[cp->sel] > cp->top + cp->page) {
		cp->top++;	/* the rest of a tall node first */
		return REACT_REDRAW;
	}
	if ((next = node_next(cp, cp->sel + 1, 1)) == (size_t)-1)
		return REACT_NONE;
	cp->sel = next;
	if (cp->end[next] > cp->top + cp->page) {
		cp->top = cp->end[next] - cp->page;
		if (cp->top > cp->start[next])
			cp->top = cp->start[next];
	}
	return REACT_REDRAW;
}

static int
list_up(struct chpane *cp)
{
	size_t	prev;

	if (!cp->drawn)
		return REACT_NONE;
	if (cp->start[cp->sel] < cp->top) {
		cp->top--;
		return REACT_REDRAW;
	}
	if (cp->sel == 0 ||
	    (prev = node_next(cp, cp->sel - 1, -1)) == (size_t)-1)
		return REACT_NONE;
	cp->sel = prev;
	if (cp->start[prev] < cp->top) {
		cp->top = cp->start[prev];
		if (cp->end[prev] > cp->page &&
		    cp->end[prev] - cp->page > cp->top)
			cp->top = cp->end[prev] - cp->page;
	}
	return REACT_REDRAW;
}

/* After a page move: the first node showing at the top. */
static void
list_sel_at_top(struct chpane *cp)
{
	size_t	i;

	for (i = 0; i < cp->mon->n_nodes; i++) {
		if (node_matches(cp, i) && cp->end[i] > cp->top) {
			cp->sel = i;
			return;
		}
	}
}

static int
list_page(struct chpane *cp, enum action act)
{
	size_t	step = cp->page > 1 ? cp->page - 1 : 1, i;

	if (!cp->drawn)
		return REACT_NONE;
	switch (act) {
	case ACT_PAGE_UP:
		cp->top = cp->top > step ? cp->top - step : 0;
		break;
	case ACT_PAGE_DOWN:
		cp->top += step;
		break;
	case ACT_HOME:
		cp->top = 0;
		break;
	default:
		cp->top = cp->total;
		break;
	}
	list_clamp(cp);
	list_sel_at_top(cp);
	if (act == ACT_END) {
		for (i = cp->mon->n_nodes; i-- > 0;) {
			if (node_matches(cp, i)) {
				cp->sel = i;
				break;
			}
		}
	}
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ drill */

static int
drill_open(struct chpane *cp)
{
	char	name[256];

	if (cp->mon->n_nodes == 0 || !node_matches(cp, cp->sel))
		return REACT_NONE;
	chnode_name(&cp->mon->nodes[cp->sel], name, sizeof name);
	cp->drill = chdrill_new(&cp->mon->nodes[cp->sel], name, cp->cfg,
	    cp->pane, cp->filter);
	return REACT_REDRAW;
}

static int
drill_action(struct chpane *cp, enum action act)
{
	int	r = chdrill_action(cp->drill, act);

	if (act != ACT_BACK || !(r & REACT_PASS))
		return r;
	if (cp->filter != NULL)
		return REACT_PASS;	/* the console clears the filter first */
	chdrill_free(cp->drill);
	cp->drill = NULL;
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ ops */

static void
chp_draw(struct pane *p, WINDOW *win, bool focused)
{
	struct chpane	*cp = p->state;

	cp->pane = p;
	if (cp->drill != NULL)
		chdrill_draw(cp->drill, win, focused);
	else
		list_draw(cp, win, focused);
}

static int
chp_action(struct pane *p, enum action act)
{
	struct chpane	*cp = p->state;

	cp->pane = p;
	if (cp->drill != NULL)
		return drill_action(cp, act);
	switch (act) {
	case ACT_UP:
	case ACT_KILL:		/* k: kills in running queries, else up */
		return list_up(cp);
	case ACT_DOWN:
		return list_down(cp);
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
	case ACT_HOME:
	case ACT_END:
		return list_page(cp, act);
	case ACT_ENTER:
		return drill_open(cp);
	default:
		return REACT_PASS;
	}
}

static void
chp_fetch(struct pane *p)
{
	struct chpane	*cp = p->state;

	monitor_refresh(cp->mon, MON_CLICKHOUSE);
	if (cp->drill != NULL)
		chdrill_fetch(cp->drill);
}

static void
chp_filter(struct pane *p, const char *text)
{
	struct chpane	*cp = p->state;

	free(cp->filter);
	cp->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	if (cp->drill != NULL)
		chdrill_filter(cp->drill, cp->filter);
}

/* The worst figure of the nodes that are up, and its name. */
static enum theme_role
nodes_worst(const struct chpane *cp, const char **what)
{
	const struct mon_node	*node;
	enum theme_role		 worst = ROLE_OK, role;
	const char		*label;
	int64_t			 now = util_wall_ms();
	size_t			 i;

	*what = NULL;
	for (i = 0; i < cp->mon->n_nodes; i++) {
		node = &cp->mon->nodes[i];
		if (!node->st.fetched || !node->st.ok)
			continue;
		role = chnode_worst(node, cp->cfg, &label);
		if (role == ROLE_CRIT || (role == ROLE_WARN && worst == ROLE_OK)) {
			worst = role;
			*what = label;
		}
		if (worst == ROLE_OK && now - node->st.last_ok_ms >
		    2 * cp->cfg->ui.refresh_ms) {
			worst = ROLE_WARN;
			*what = "stale";
		}
	}
	return worst;
}

/* "2/2 up", "1/2 up, parts", "down 3m". */
static enum theme_role
chp_state(struct pane *p, char *buf, size_t len)
{
	struct chpane		*cp = p->state;
	const struct mon_node	*node;
	enum theme_role		 worst;
	const char		*what;
	int64_t			 last = 0;
	size_t			 i, up = 0, fetched = 0, n = cp->mon->n_nodes;
	char			 age[32];

	for (i = 0; i < n; i++) {
		node = &cp->mon->nodes[i];
		if (node->st.last_ok_ms > last)
			last = node->st.last_ok_ms;
		fetched += node->st.fetched;
		up += node->st.fetched && node->st.ok;
	}
	if (n == 0 || fetched == 0) {
		snprintf(buf, len, "%s", n == 0 ? "no nodes" : "connecting");
		return ROLE_UNKNOWN;
	}
	if (up == 0) {
		chnode_fmt_age(age, sizeof age, util_wall_ms() - last);
		snprintf(buf, len, "down%s%s", last != 0 ? " " : "",
		    last != 0 ? age : "");
		return ROLE_CRIT;
	}
	worst = nodes_worst(cp, &what);
	snprintf(buf, len, "%zu/%zu up%s%s", up, n, what != NULL ? ", " : "",
	    what != NULL ? what : "");
	return up < n ? ROLE_CRIT : worst;
}

static void
chp_free(void *state)
{
	struct chpane	*cp = state;

	if (cp == NULL)
		return;
	chdrill_free(cp->drill);
	if (cp->tick != NULL)
		loop_timer_cancel(cp->mon->loop, cp->tick);
	free(cp->start);
	free(cp->end);
	free(cp->filter);
	free(cp);
}

const struct pane_ops pane_clickhouse_ops = {
	.name = "clickhouse",
	.title = "ClickHouse",
	.help = "every node's health: up or down, latency, version, uptime, "
	    "the worst parts per partition against parts_to_delay_insert, "
	    "delayed inserts, replication, mutations (with the failure), "
	    "queries, memory, merges, insert and failure rates, free disk. "
	    "\"?\" is a figure the server did not give; \"stale\" is data "
	    "older than two refreshes. Enter opens a node's tables, running "
	    "queries, merges, mutations and replicas (Left/Right switch "
	    "views, Esc goes back); k kills the selected running query.",
	.draw = chp_draw,
	.action = chp_action,
	.fetch = chp_fetch,
	.filter = chp_filter,
	.state = chp_state,
	.free = chp_free,
};

void *
pane_clickhouse_new(struct monitor *mon, const struct config *cfg)
{
	struct chpane	*cp = xcalloc(1, sizeof *cp);

	cp->mon = mon;
	cp->cfg = cfg;
	cp->start = xcalloc(mon->n_nodes + 1, sizeof *cp->start);
	cp->end = xcalloc(mon->n_nodes + 1, sizeof *cp->end);
	return cp;
}

void
pane_clickhouse_attach(void *state, struct pane *p)
{
	struct chpane	*cp = state;

	if (cp != NULL)
		cp->pane = p;
}

void
pane_clickhouse_changed(void *state)
{
	struct chpane	*cp = state;

	if (cp != NULL)
		console_pane_dirty(cp->pane);
}

/*
 * One node's drill-down: the views of ch_views as tabs over a table widget.
 * A view loads on the loop (ch_view_start) and loads again a refresh after
 * each answer while it shows; nothing here waits for the server. The
 * columns come from the answer (a server without a column has none of it)
 * and are put in an order that tells most first, so that a narrow pane,
 * which drops columns from the right, keeps the telling ones.
 *
 * A load or a kill outlives nothing it points to: when the drill closes,
 * it cuts their link back and they free themselves when the core calls
 * them back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clickhouse.h"
#include "ch_views.h"
#include "config.h"
#include "console.h"
#include "dialog.h"
#include "loop.h"
#include "monitor.h"
#include "pane-clickhouse-drill.h"
#include "pane-clickhouse-kill.h"
#include "pane-clickhouse-node.h"
#include "table.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define CHD_MAX_COLS	16
#define CHD_TEXT_MAX	28	/* widest a text column grows (one grows more) */
#define CHD_CELL_MAX	1024

/* Per view: columns in the order shown, and what "no rows" means. */
static const struct {
	const char		*view;
	const char		*empty;
	const char *const	 cols[10];
} chd_layout[] = {
	{ "tables", "no table has data",
	  { "table", "total_rows", "total_bytes", "part_count",
	    "partition_count", "engine_name" } },
	{ "queries", "no query running",
	  { "elapsed", "query_text", "user", "read_rows", "memory_usage",
	    "query_id" } },
	{ "merges", "no merge running",
	  { "table", "elapsed", "progress", "num_parts",
	    "total_size_bytes_compressed", "memory_usage",
	    "result_part_name" } },
	{ "mutations", "no mutation",
	  { "table", "mutation_id", "is_done", "parts_to_do",
	    "latest_fail_reason", "command", "create_time" } },
	{ "replicas", "no replicated table",
	  { "table", "is_readonly", "absolute_delay", "queue_size",
	    "is_session_expired", "is_leader", "inserts_in_queue",
	    "merges_in_queue" } },
};

/* Columns that take the width left over (the first shown wins). */
static const char *const chd_grow[] = {
	"query_text", "command", "latest_fail_reason", "table",
};

struct chd_load {
	struct chdrill		*d;	/* NULL: nobody waits for it any more */
	struct ch_view_run	*run;
};

struct chdrill {
	struct mon_node		*node;
	char			*name;
	const struct config	*cfg;
	struct pane		*pane;
	char			*filter;
	size_t			 view;		/* index in ch_views */

	struct table		 table;
	struct table_column	 cols[CHD_MAX_COLS];
	const struct ch_view_col *vcols[CHD_MAX_COLS];
	size_t			 ncols;		/* 0: nothing loaded yet */

	struct chd_load		*load;		/* in flight */
	struct loop_timer	*timer;		/* the next load */
	int64_t			 loaded_ms;	/* wall clock of the rows */
	char			*error;		/* the last load's */
	bool			 missing;	/* the server lacks the table */
	struct chkill		*kill;		/* asked or in flight */
};

static void	drill_load(struct chdrill *);

static const struct ch_view *
drill_view(const struct chdrill *d)
{
	return &ch_views[d->view];
}

static size_t
layout_of(const struct ch_view *v)
{
	size_t	i;

	for (i = 0; i < nitems(chd_layout); i++) {
		if (strcmp(chd_layout[i].view, v->name) == 0)
			return i;
	}
	return (size_t)-1;
}

/* ------------------------------------------------------------ columns */

static bool
is_grow(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(chd_grow); i++) {
		if (strcmp(chd_grow[i], name) == 0)
			return true;
	}
	return false;
}

static bool
chosen(const struct ch_view_col **out, size_t n, const struct ch_view_col *c)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (out[i] == c)
			return true;
	}
	return false;
}

/* The answer's columns in the order to show ("database" joins "table"). */
static size_t
cols_choose(const struct ch_view *v, const struct ch_result *res,
    const struct ch_view_col **out)
{
	const struct ch_view_col	*c;
	size_t				 li = layout_of(v), i, j, n = 0;
	bool				 joined = ch_result_col(res, "table") >= 0;

	for (i = 0; li != (size_t)-1 && i < nitems(chd_layout[li].cols); i++) {
		if (chd_layout[li].cols[i] == NULL)
			break;
		for (j = 0; j < res->ncols && n < CHD_MAX_COLS; j++) {
			c = ch_view_col_of(v, res, j);
			if (c != NULL && strcmp(c->name,
			    chd_layout[li].cols[i]) == 0 && !chosen(out, n, c))
				out[n++] = c;
		}
	}
	for (j = 0; j < res->ncols && n < CHD_MAX_COLS; j++) {
		c = ch_view_col_of(v, res, j);
		if (c == NULL || chosen(out, n, c) ||
		    (joined && strcmp(c->name, "database") == 0))
			continue;
		out[n++] = c;
	}
	return n;
}

static int
width_of(const struct ch_view_col *c)
{
	static const int	min[] = {
		[CH_CELL_TEXT] = 6, [CH_CELL_COUNT] = 6, [CH_CELL_BYTES] = 9,
		[CH_CELL_SECONDS] = 7, [CH_CELL_FRACTION] = 4,
		[CH_CELL_FLAG] = 3,
	};
	int			w = widget_width(c->title) + 1;	/* sort mark */

	return w > min[c->cell] ? w : min[c->cell];
}

/* New columns: a new table (keeping the filter and the sort column). */
static void
cols_set(struct chdrill *d, const struct ch_view_col **vc, size_t n)
{
	const struct ch_view_col	*sorted = NULL;
	bool				 desc = d->table.sort_desc;
	bool				 grown = false;
	size_t				 i;
	int				 sort = -1;

	if (n == d->ncols && memcmp(vc, d->vcols, n * sizeof *vc) == 0)
		return;
	if (d->ncols > 0 && d->table.sort_col >= 0)
		sorted = d->vcols[d->table.sort_col];
	if (d->ncols > 0)
		table_free(&d->table);
	for (i = 0; i < n; i++) {
		d->vcols[i] = vc[i];
		d->cols[i].title = strcmp(vc[i]->name, "table") == 0 ?
		    "Table" : vc[i]->title;
		d->cols[i].width = width_of(vc[i]);
		d->cols[i].flags = vc[i]->right ? TABLE_RIGHT : 0;
		if (!grown && is_grow(vc[i]->name)) {
			d->cols[i].flags |= TABLE_GROW;
			grown = true;
		}
		if (vc[i] == sorted)
			sort = (int)i;
	}
	d->ncols = n;
	table_init(&d->table, d->cols, n);
	if (layout_of(drill_view(d)) != (size_t)-1)
		d->table.empty = chd_layout[layout_of(drill_view(d))].empty;
	table_filter(&d->table, d->filter);
	if (sort >= 0)
		table_sort(&d->table, sort, desc);
}

/* ------------------------------------------------------------ rows */

static enum theme_role
cell_role(const struct ch_view_col *c, const char *text)
{
	if (*text != '\0' && (strcmp(c->name, "latest_fail_reason") == 0 ||
	    strcmp(c->name, "is_readonly") == 0 ||
	    strcmp(c->name, "is_session_expired") == 0))
		return ROLE_CRIT;
	return c->right ? ROLE_VALUE : ROLE_DEFAULT;
}

/* A text column grows to what it holds (never shrinks while open). */
static void
cell_width(struct table_column *col, const char *text)
{
	int	w = widget_width(text);

	if (col->flags & TABLE_RIGHT || w <= col->width)
		return;
	col->width = w > CHD_TEXT_MAX ? CHD_TEXT_MAX : w;
}

static void
row_fill(struct chdrill *d, const struct ch_result *res, size_t r,
    const ssize_t *map, ssize_t dbcol)
{
	const struct ch_view	*v = drill_view(d);
	const char		*db = dbcol >= 0 ? ch_result_str(res, r,
				    (size_t)dbcol) : NULL;
	char			 text[CHD_CELL_MAX], key[CHD_CELL_MAX];
	ssize_t			 kc = ch_result_col(res, v->key);
	size_t			 row, i;
	double			 num;

	snprintf(key, sizeof key, "%s%s%s", db != NULL ? db : "",
	    db != NULL ? "." : "", kc >= 0 && ch_result_str(res, r,
	    (size_t)kc) != NULL ? ch_result_str(res, r, (size_t)kc) : "");
	row = table_add(&d->table, key);
	for (i = 0; i < d->ncols; i++) {
		if (strcmp(d->vcols[i]->name, "table") == 0 && db != NULL)
			snprintf(text, sizeof text, "%s.%s", db,
			    ch_result_str(res, r, (size_t)map[i]) != NULL ?
			    ch_result_str(res, r, (size_t)map[i]) : "");
		else
			ch_view_cell(v, res, r, (size_t)map[i], text,
			    sizeof text);
		table_set(&d->table, row, i, cell_role(d->vcols[i], text),
		    "%s", text);
		if (d->vcols[i]->right && ch_result_double(res, r,
		    (size_t)map[i], &num) == 0)
			table_set_num(&d->table, row, i, num);
		cell_width(&d->cols[i], text);
	}
}

static void
rows_fill(struct chdrill *d, const struct ch_result *res)
{
	const struct ch_view_col	*vc[CHD_MAX_COLS];
	ssize_t				 map[CHD_MAX_COLS];
	size_t				 n, i, r;

	n = cols_choose(drill_view(d), res, vc);
	if (n == 0)
		return;
	cols_set(d, vc, n);
	for (i = 0; i < n; i++)
		map[i] = ch_result_col(res, vc[i]->name);
	table_clear(&d->table);
	for (r = 0; r < res->nrows; r++)
		row_fill(d, res, r, map, ch_result_col(res, "database"));
	table_update(&d->table);
}

/* ------------------------------------------------------------ loading */

static void
timer_fire(void *arg)
{
	struct chdrill	*d = arg;

	d->timer = NULL;
	drill_load(d);
}

/* The error without the node's URL in front: the tab line names it. */
static char *
error_text(const struct chdrill *d, const struct ch_error *err)
{
	const char	*msg = err->message, *url = ch_url(d->node->ch);
	size_t		 n = strlen(url);

	if (msg == NULL)
		return xstrdup(ch_errkind_name(err->kind));
	if (strncmp(msg, url, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	return xstrdup(msg);
}

static void
load_done(struct ch_result *res, const struct ch_error *err, void *arg)
{
	struct chd_load	*load = arg;
	struct chdrill	*d = load->d;

	free(load);
	if (d == NULL) {
		ch_result_free(res);
		return;
	}
	d->load = NULL;
	free(d->error);
	d->error = NULL;
	if (res != NULL) {
		rows_fill(d, res);
		d->loaded_ms = util_wall_ms();
		d->missing = false;
	} else if (err->kind == CH_EUSAGE)
		d->missing = true;	/* the server has no such table */
	else if (err->kind != CH_ECANCELLED)
		d->error = error_text(d, err);
	ch_result_free(res);
	d->timer = loop_timer_add(d->node->mon->loop, d->cfg->ui.refresh_ms,
	    timer_fire, d);
	console_pane_dirty(d->pane);
}

static void
drill_load(struct chdrill *d)
{
	if (d->load != NULL)
		return;
	if (d->timer != NULL) {
		loop_timer_cancel(d->node->mon->loop, d->timer);
		d->timer = NULL;
	}
	d->load = xcalloc(1, sizeof *d->load);
	d->load->d = d;
	d->load->run = ch_view_start(d->node->ch, drill_view(d), load_done,
	    d->load);
}

/* Lets the load in flight run out on its own. */
static void
load_orphan(struct chdrill *d)
{
	if (d->load == NULL)
		return;
	d->load->d = NULL;
	ch_view_cancel(d->load->run);
	d->load = NULL;
}

static void
view_set(struct chdrill *d, size_t view)
{
	load_orphan(d);
	if (d->ncols > 0)
		table_free(&d->table);
	d->ncols = 0;
	d->view = view;
	d->loaded_ms = 0;
	d->missing = false;
	free(d->error);
	d->error = NULL;
	drill_load(d);
}

/* The views this server has (all of them until its caps are known). */
static bool
view_shown(const struct chdrill *d, size_t i)
{
	const struct ch_caps	*caps = ch_caps_cached(d->node->ch);

	return caps == NULL || ch_view_available(&ch_views[i], caps) ||
	    i == d->view;
}

static int
view_step(struct chdrill *d, int dir)
{
	size_t	i = d->view, n;

	for (n = 1; n < ch_n_views; n++) {
		i = (i + ch_n_views + (size_t)dir) % ch_n_views;
		if (view_shown(d, i)) {
			view_set(d, i);
			return REACT_REDRAW;
		}
	}
	return REACT_NONE;
}

/* ------------------------------------------------------------ kill */

static void
kill_over(void *arg)
{
	struct chdrill	*d = arg;

	d->kill = NULL;
	drill_load(d);		/* without the query, or with its fate */
}

static ssize_t
col_find(const struct chdrill *d, const char *name)
{
	size_t	i;

	for (i = 0; i < d->ncols; i++) {
		if (strcmp(d->vcols[i]->name, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static int
kill_ask(struct chdrill *d)
{
	size_t		 row = table_selected(&d->table);
	ssize_t		 qc = col_find(d, "query_id"), tc = col_find(d,
			    "query_text");
	const char	*qid;

	if (d->view != CH_VIEW_QUERIES)		/* k is up there */
		return d->ncols > 0 ? table_action(&d->table, ACT_UP) :
		    REACT_NONE;
	if (d->ncols == 0 || row == TABLE_NONE || qc < 0) {
		console_set_status(ROLE_WARN, "no query selected to kill");
		return REACT_NONE;
	}
	qid = table_cell_text(&d->table, row, (size_t)qc);
	if (d->kill != NULL) {
		console_set_status(ROLE_WARN, "a kill is still running");
		return REACT_NONE;
	}
	d->kill = chkill_ask(d->node->ch, d->name, qid, tc >= 0 ?
	    table_cell_text(&d->table, row, (size_t)tc) : "", kill_over, d);
	return REACT_NONE;
}

/* Enter: the whole row, for cells cut short on the screen. */
static int
row_details(struct chdrill *d)
{
	const struct table_cell	*cell;
	size_t			 row = table_selected(&d->table), i;
	char			*text = xstrdup(""), *next, exact[32];

	if (d->ncols == 0 || row == TABLE_NONE) {
		free(text);
		return REACT_NONE;
	}
	for (i = 0; i < d->ncols; i++) {
		cell = &d->table.rows[row].cells[i];
		exact[0] = '\0';	/* "12k (12345)": the number as it is */
		if (d->vcols[i]->cell == CH_CELL_COUNT && !isnan(cell->num) &&
		    fabs(cell->num) < 1e15 && fabs(cell->num) >= 1000)
			snprintf(exact, sizeof exact, " (%.0f)", cell->num);
		next = xasprintf("%s%s: %s%s\n", text, d->cols[i].title,
		    table_cell_text(&d->table, row, i), exact);
		free(text);
		text = next;
	}
	console_open_dialog(dialog_message(table_row_key(&d->table, row),
	    ROLE_DIALOG, text));
	free(text);
	return REACT_NONE;
}

/* ------------------------------------------------------------ drawing */

/* "Tables": the view's name as a tab. */
static void
tab_name(const struct ch_view *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", v->name);
	if (*buf >= 'a' && *buf <= 'z')
		*buf = (char)(*buf - 'a' + 'A');
}

static int
tabs_width(const struct chdrill *d)
{
	char	name[32];
	size_t	i;
	int	w = 0;

	for (i = 0; i < ch_n_views; i++) {
		if (!view_shown(d, i))
			continue;
		tab_name(&ch_views[i], name, sizeof name);
		w += widget_width(name) + 2;
	}
	return w;
}

static void
tabs_draw(const struct chdrill *d, WINDOW *win, int w, bool focused)
{
	enum theme_role	 cur = focused ? ROLE_SELECTION :
			    ROLE_SELECTION_INACTIVE;
	const bool	 utf8 = ui_utf8();
	char		 name[32];
	size_t		 i, pos = 0, n = 0;
	int		 x = 0, tw = tabs_width(d);

	if (tw > w) {		/* narrow: "< Running queries > 2/5" */
		for (i = 0; i < ch_n_views; i++) {
			if (view_shown(d, i)) {
				n++;
				if (i == d->view)
					pos = n;
			}
		}
		x = widget_put(win, 0, 0, w, cur, utf8 ? "◂ " : "< ");
		x += widget_put(win, 0, x, w - x, cur, drill_view(d)->title);
		x += widget_put(win, 0, x, w - x, cur, utf8 ? " ▸" : " >");
		snprintf(name, sizeof name, " %zu/%zu  ", pos, n);
		x += widget_put(win, 0, x, w - x, ROLE_DIM, name);
		widget_put(win, 0, x, w - x, ROLE_PANE_TITLE, d->name);
		return;
	}
	if (widget_width(d->name) + 2 + tw <= w)
		x = widget_put(win, 0, 0, w, ROLE_PANE_TITLE, d->name) + 2;
	for (i = 0; i < ch_n_views; i++) {
		if (!view_shown(d, i))
			continue;
		tab_name(&ch_views[i], name, sizeof name);
		x += widget_put(win, 0, x, w - x, i == d->view ? cur :
		    ROLE_LABEL, " ");
		x += widget_put(win, 0, x, w - x, i == d->view ? cur :
		    ROLE_LABEL, name);
		x += widget_put(win, 0, x, w - x, i == d->view ? cur :
		    ROLE_LABEL, " ");
		x += widget_put(win, 0, x, w - x, ROLE_DEFAULT, " ");
	}
}

/* Loading, the error and the age of what shows, or when it came. */
static void
status_draw(const struct chdrill *d, WINDOW *win, int y, int w)
{
	char		 age[32], when[16];
	const char	*dots = ui_utf8() ? "…" : "...";
	time_t		 t;
	struct tm	 tm;
	int		 x;

	if (d->missing) {
		widget_textf(win, y, 0, w, ROLE_DIM, ALIGN_LEFT, "%s: this "
		    "server has no system.%s", d->name, drill_view(d)->table);
		return;
	}
	if (d->error != NULL) {
		x = 0;
		if (d->loaded_ms != 0) {
			chnode_fmt_age(age, sizeof age, util_wall_ms() -
			    d->loaded_ms);
			x = widget_put(win, y, 0, w, ROLE_WARN, "stale ");
			x += widget_put(win, y, x, w - x, ROLE_WARN, age);
			x += widget_put(win, y, x, w - x, ROLE_WARN, ": ");
		}
		widget_text(win, y, x, w - x, ROLE_ERROR, ALIGN_LEFT, d->error);
		return;
	}
	if (d->loaded_ms == 0) {
		widget_textf(win, y, 0, w, ROLE_DIM, ALIGN_LEFT, "loading%s",
		    dots);
		return;
	}
	t = (time_t)(d->loaded_ms / 1000);
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	x = widget_put(win, y, 0, w, ROLE_DIM, "updated ");
	x += widget_put(win, y, x, w - x, ROLE_DIM, when);
	if (d->view == CH_VIEW_QUERIES && w - x > 12) {
		x += widget_put(win, y, x, w - x, ROLE_DIM, "   ");
		x += widget_put(win, y, x, w - x, ROLE_HELP_KEY, "k");
		widget_put(win, y, x, w - x, ROLE_DIM, " kill");
	}
}

void
chdrill_draw(struct chdrill *d, WINDOW *win, bool focused)
{
	int	h, w, y = 1;

	getmaxyx(win, h, w);
	tabs_draw(d, win, w, focused);
	if (h >= 4)
		status_draw(d, win, y++, w);
	if (d->ncols == 0) {		/* nothing yet: the status says why */
		if (y == 1 && h > 1)
			status_draw(d, win, y, w);
		return;
	}
	table_draw(&d->table, win, y, 0, h - y, w, focused);
}

/* ------------------------------------------------------------ API */

struct chdrill *
chdrill_new(struct mon_node *node, const char *name,
    const struct config *cfg, struct pane *pane, const char *filter)
{
	struct chdrill	*d = xcalloc(1, sizeof *d);

	d->node = node;
	d->name = xstrdup(name);
	d->cfg = cfg;
	d->pane = pane;
	d->filter = filter != NULL ? xstrdup(filter) : NULL;
	view_set(d, CH_VIEW_TABLES);
	return d;
}

void
chdrill_free(struct chdrill *d)
{
	if (d == NULL)
		return;
	load_orphan(d);
	if (d->timer != NULL)
		loop_timer_cancel(d->node->mon->loop, d->timer);
	chkill_forget(d->kill);	/* it still reports, on the status line */
	if (d->ncols > 0)
		table_free(&d->table);
	free(d->filter);
	free(d->name);
	free(d);
}

int
chdrill_action(struct chdrill *d, enum action act)
{
	switch (act) {
	case ACT_LEFT:
		return view_step(d, -1);
	case ACT_RIGHT:
		return view_step(d, 1);
	case ACT_KILL:
		return kill_ask(d);
	case ACT_ENTER:
		return row_details(d);
	case ACT_BACK:
		return REACT_PASS;
	default:
		if (d->ncols == 0)
			return act == ACT_DELETE ? REACT_PASS : REACT_NONE;
		return table_action(&d->table, act);
	}
}

void
chdrill_fetch(struct chdrill *d)
{
	drill_load(d);
}

void
chdrill_filter(struct chdrill *d, const char *text)
{
	free(d->filter);
	d->filter = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
	if (d->ncols > 0)
		table_filter(&d->table, d->filter);
}

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "dialog.h"
#include "pane-placeholder.h"
#include "table.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define PH_ROWS		50
#define PH_TREND	8

struct placeholder {
	struct table	 table;
	unsigned	 generation;	/* `r` bumps it: values change */
	bool		 deleted[PH_ROWS];
	char		*pending;	/* row asked about */
	struct pane	*pane;
};

enum { COL_NUM, COL_NAME, COL_VALUE, COL_STATE, COL_TREND, COL_USAGE };

static const struct table_column columns[] = {
	[COL_NUM] = { "#", 2, TABLE_RIGHT },
	[COL_NAME] = { "name", 13, TABLE_GROW },
	[COL_VALUE] = { "value", 6, TABLE_RIGHT },
	[COL_STATE] = { "state", 7, 0 },
	[COL_TREND] = { "trend", PH_TREND, TABLE_NOSORT },
	[COL_USAGE] = { "usage", 10, TABLE_NOSORT },
};

static const char *const words[] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
	"hotel", "india", "juliett", "kilo", "lima", "mike", "november",
	"oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform",
	"victor", "whiskey", "xray", "yankee", "zulu",
};

/* A made-up reading for row i, different after each refresh. */
static unsigned
sample(const struct placeholder *ph, size_t i, unsigned k)
{
	return (unsigned)((i * 7919 + (ph->generation + k) * 131 +
	    k * k * 17) % 1000);
}

static enum theme_role
sample_role(unsigned v, const char **word)
{
	static const struct {
		unsigned	 below;
		const char	*word;
		enum theme_role	 role;
	} levels[] = {
		{ 600, "ok", ROLE_OK },
		{ 850, "warn", ROLE_WARN },
		{ 950, "crit", ROLE_CRIT },
	};
	size_t	i;

	for (i = 0; i < nitems(levels); i++) {
		if (v < levels[i].below) {
			*word = levels[i].word;
			return levels[i].role;
		}
	}
	*word = "unknown";
	return ROLE_UNKNOWN;
}

static void
row_fill(struct placeholder *ph, size_t i)
{
	double		 trend[PH_TREND];
	char		 name[32], spark[64], bar[64];
	const char	*word;
	enum theme_role	 role;
	unsigned	 v = sample(ph, i, 0), k;
	size_t		 r;

	snprintf(name, sizeof name, "row-%02zu-%s", i, words[i % nitems(words)]);
	for (k = 0; k < PH_TREND; k++)
		trend[k] = sample(ph, i, PH_TREND - k);
	widget_spark(spark, sizeof spark, trend, PH_TREND, PH_TREND);
	widget_bar(bar, sizeof bar, v / 1000.0, columns[COL_USAGE].width);
	role = sample_role(v, &word);
	r = table_add(&ph->table, name);
	table_set(&ph->table, r, COL_NUM, ROLE_DIM, "%zu", i);
	table_set_num(&ph->table, r, COL_NUM, (double)i);
	table_set(&ph->table, r, COL_NAME, ROLE_DEFAULT, "%s", name);
	table_set(&ph->table, r, COL_VALUE, ROLE_VALUE, "%u", v);
	table_set_num(&ph->table, r, COL_VALUE, v);
	table_set(&ph->table, r, COL_STATE, role, "%s", word);
	table_set(&ph->table, r, COL_TREND, ROLE_SPARKLINE, "%s", spark);
	table_set(&ph->table, r, COL_USAGE, role, "%s", bar);
}

static void
rows_build(struct placeholder *ph)
{
	size_t	i;

	table_clear(&ph->table);
	for (i = 0; i < PH_ROWS; i++) {
		if (!ph->deleted[i])
			row_fill(ph, i);
	}
	table_update(&ph->table);
}

void *
pane_placeholder_new(void)
{
	struct placeholder	*ph = xcalloc(1, sizeof *ph);

	table_init(&ph->table, columns, nitems(columns));
	rows_build(ph);
	return ph;
}

void
pane_placeholder_free(void *state)
{
	struct placeholder	*ph = state;

	if (ph == NULL)
		return;
	table_free(&ph->table);
	free(ph->pending);
	free(ph);
}

/* ------------------------------------------------------------ ops */

static void
ph_draw(struct pane *p, WINDOW *win, bool focused)
{
	struct placeholder	*ph = p->state;
	int			 h, w;

	getmaxyx(win, h, w);
	widget_text(win, 0, 0, w, ROLE_DIM, ALIGN_LEFT,
	    "no data yet (placeholder: sample rows)");
	table_draw(&ph->table, win, 1, 0, h - 1, w, focused);
}

static int
ph_details(struct placeholder *ph)
{
	size_t	 row = table_selected(&ph->table);
	char	*text;

	if (row == TABLE_NONE)
		return REACT_NONE;
	text = xasprintf("value %s, %s.\n\nA real pane shows the details of "
	    "what is selected here.", table_cell_text(&ph->table, row,
	    COL_VALUE), table_cell_text(&ph->table, row, COL_STATE));
	console_open_dialog(dialog_message(table_row_key(&ph->table, row),
	    ROLE_DIALOG, text));
	free(text);
	return REACT_NONE;
}

static int
ph_delete_done(void *arg, bool yes)
{
	struct placeholder	*ph = arg;
	unsigned		 n;

	if (!yes || ph->pending == NULL) {
		free(ph->pending);
		ph->pending = NULL;
		return REACT_NONE;
	}
	if (sscanf(ph->pending, "row-%u-", &n) == 1 && n < PH_ROWS)
		ph->deleted[n] = true;
	console_set_status(ROLE_OK, "deleted %s (a placeholder row)",
	    ph->pending);
	free(ph->pending);
	ph->pending = NULL;
	rows_build(ph);
	console_pane_dirty(ph->pane);
	return REACT_REDRAW_ALL;
}

static int
ph_delete(struct placeholder *ph)
{
	size_t	 row = table_selected(&ph->table);
	char	*text;

	if (row == TABLE_NONE)
		return REACT_NONE;
	if (console_read_only()) {
		console_set_status(ROLE_WARN, "read-only: not deleting %s",
		    table_row_key(&ph->table, row));
		return REACT_NONE;
	}
	free(ph->pending);
	ph->pending = xstrdup(table_row_key(&ph->table, row));
	text = xasprintf("This removes %s from the placeholder list (nothing "
	    "real). Type its name to confirm:", ph->pending);
	console_open_dialog(dialog_typed("Delete", text, ph->pending,
	    ph_delete_done, ph));
	free(text);
	return REACT_NONE;
}

static int
ph_action(struct pane *p, enum action act)
{
	struct placeholder	*ph = p->state;

	ph->pane = p;
	switch (act) {
	case ACT_ENTER:
		return ph_details(ph);
	case ACT_DELETE:
		return ph_delete(ph);
	default:
		return table_action(&ph->table, act);
	}
}

static void
ph_fetch(struct pane *p)
{
	struct placeholder	*ph = p->state;

	ph->generation++;
	rows_build(ph);
	console_pane_dirty(p);
}

static void
ph_filter(struct pane *p, const char *text)
{
	struct placeholder	*ph = p->state;

	table_filter(&ph->table, text);
}

static enum theme_role
ph_state(struct pane *p, char *buf, size_t len)
{
	snprintf(buf, len, "no data");
	return ROLE_UNKNOWN;
}

#define PLACEHOLDER(var, id, title_)					\
const struct pane_ops var = {						\
	.name = id,							\
	.title = title_,							\
	.help = "a placeholder: sample rows until the real pane is in.",\
	.draw = ph_draw,						\
	.action = ph_action,						\
	.fetch = ph_fetch,							\
	.filter = ph_filter,						\
	.state = ph_state,						\
	.free = pane_placeholder_free,					\
}

PLACEHOLDER(pane_placeholder_clickhouse, "clickhouse", "ClickHouse");
PLACEHOLDER(pane_placeholder_kafka, "kafka", "Kafka lag");
PLACEHOLDER(pane_placeholder_backups, "backups", "Backups");

void
pane_placeholder_add_all(void)
{
	struct pane	*p;

	if ((p = console_add_pane(&pane_placeholder_clickhouse,
	    pane_placeholder_new())) != NULL)
		((struct placeholder *)p->state)->pane = p;
	if ((p = console_add_pane(&pane_placeholder_kafka,
	    pane_placeholder_new())) != NULL)
		((struct placeholder *)p->state)->pane = p;
	if ((p = console_add_pane(&pane_placeholder_backups,
	    pane_placeholder_new())) != NULL)
		((struct placeholder *)p->state)->pane = p;
}

/*
 * The ClickHouse drill-down views as data: each names a system table, its
 * columns (with how to show each) and its filter and order. The SQL is built
 * from the server's caps, so a column the server lacks is left out, and a
 * view whose table the server lacks is not available (never an error on the
 * screen). A runner fetches a view as a ch_result for a generic table
 * widget, and the one action, killing a running query, lives here too.
 */
#ifndef CHOPS_CH_VIEWS_H
#define CHOPS_CH_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

struct ch_caps;
struct ch_client;
struct ch_error;
struct ch_result;

/* How a cell is shown. */
enum ch_cell {
	CH_CELL_TEXT,
	CH_CELL_COUNT,		/* "12.3k" */
	CH_CELL_BYTES,		/* "1.5 GiB" */
	CH_CELL_SECONDS,	/* "3m 20s" */
	CH_CELL_FRACTION,	/* 0-1 as "42%" */
	CH_CELL_FLAG,		/* 0/1 as "" / "yes" */
};

struct ch_view_col {
	const char	*name;		/* alias in the result */
	const char	*title;		/* column header */
	const char	*expr;		/* SQL expression */
	enum ch_cell	 cell;
	bool		 right;		/* right-aligned (numbers) */
	const char	*needs;		/* column the table must have, or NULL */
};

struct ch_view {
	const char		*name;		/* "tables" */
	const char		*title;		/* "Tables" */
	const char		*table;		/* in database system */
	const char		*where;		/* or NULL */
	const char		*group_by;	/* or NULL */
	const char		*order_by;
	int			 limit;
	bool			 exclude_self;	/* query_id != the runner's */
	const char		*key;		/* column that names a row */
	const struct ch_view_col *cols;
	size_t			 n_cols;
};

enum ch_view_id {
	CH_VIEW_TABLES,
	CH_VIEW_QUERIES,
	CH_VIEW_MERGES,
	CH_VIEW_MUTATIONS,
	CH_VIEW_REPLICAS,
};

/* Every view, in menu order, and their number. */
extern const struct ch_view	ch_views[];
extern const size_t		ch_n_views;

const struct ch_view	*ch_view_find(const char *name);
bool		 ch_view_available(const struct ch_view *,
		     const struct ch_caps *);
/* The view's query (caller frees), or NULL when it is not available. */
char		*ch_view_sql(const struct ch_view *, const struct ch_caps *,
		     const char *query_id);
/* The view column behind a result column, or NULL. */
const struct ch_view_col *ch_view_col_of(const struct ch_view *,
		    const struct ch_result *, size_t col);
/* A cell as text for the screen ("" for NULL). */
void		 ch_view_cell(const struct ch_view *, const struct ch_result *,
		     size_t row, size_t col, char *buf, size_t len);

/* ---------------------------------------------------------------- runner */

struct ch_view_run;
/*
 * res (the caller's to free) on success, else NULL and err. Called once,
 * from the loop; the run is freed when it returns.
 */
typedef void	(*ch_view_fn)(struct ch_result *res, const struct ch_error *err,
		    void *arg);

/* Fetches a view (the caps first when the client has none). */
struct ch_view_run *ch_view_start(struct ch_client *, const struct ch_view *,
		    ch_view_fn, void *arg);
/* Stops it; the callback still runs (cancelled). */
void		 ch_view_cancel(struct ch_view_run *);

/* ---------------------------------------------------------------- kill */

/*
 * err is NULL when done; outcome is one line for people ("query X killed",
 * "query X was not running"). Called once, from the loop.
 */
typedef void	(*ch_kill_fn)(const struct ch_error *err, const char *outcome,
		    void *arg);

/*
 * KILL QUERY WHERE query_id = '...' SYNC. Refused in read-only mode: then
 * returns -1 with *cause (caller frees) and starts nothing; else 0.
 */
int		 ch_kill_query_start(struct ch_client *, const char *query_id,
		     bool read_only, ch_kill_fn, void *arg, char **cause);

#endif

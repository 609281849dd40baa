/*
 * Killing a running query from the ClickHouse pane: ask first (the query's
 * id, its node and the start of its text), then KILL QUERY on the loop, and
 * say how it went on the status line. Refused in read-only mode, here and
 * again by the core.
 */
#ifndef CHOPS_PANE_CLICKHOUSE_KILL_H
#define CHOPS_PANE_CLICKHOUSE_KILL_H

struct ch_client;
struct chkill;

/* The kill is over (refused, answered no, done or failed). */
typedef void	(*chkill_fn)(void *arg);

/*
 * Opens the question. Returns NULL, having said why on the status line,
 * when read-only; else the kill, which calls `done` once when over.
 */
struct chkill	*chkill_ask(struct ch_client *, const char *node,
		    const char *query_id, const char *query_text,
		    chkill_fn done, void *arg);
/* The caller is going away: the kill goes on and reports, calling nothing. */
void		 chkill_forget(struct chkill *);

#endif

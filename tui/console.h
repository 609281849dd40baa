/*
 * The console: what `chops` with no command opens. It owns the terminal,
 * the windows and the loop turn: wait in loop_once (the network, timers,
 * stdin, signals), take every pending key, then redraw what is dirty with
 * one doupdate. Idle, the only wakeup is the header clock, once a second.
 *
 * Use from main():
 *
 *	log_open(log_path, false, level, &cause);	// never stderr
 *	... config_load, loop_new ...
 *	console_add_pane(&pane_clickhouse_ops, ch_state);   // any number
 *	rc = console_run(&(struct console_opts){
 *	    .loop = loop, .profile = "prod", .theme = cfg->ui.theme,
 *	    .read_only = ro });
 *	return rc;	// 0, or 3 when there is no usable terminal
 *
 * With no pane added (or CHOPS_PLACEHOLDER_PANES=1 in the environment, the
 * screen tests' hook) it shows three placeholder panes.
 *
 * console_run sets the locale from the environment (LC_NUMERIC stays "C",
 * so numbers print as "1.5" everywhere) and sends stderr to /dev/null while
 * curses runs: diagnostics go to the log file only.
 */
#ifndef CHOPS_CONSOLE_H
#define CHOPS_CONSOLE_H

#include <stdbool.h>

#include "theme.h"

struct dialog;
struct loop;
struct pane;
struct pane_ops;

/* console_run's answer when it cannot start: no terminal. */
#define CONSOLE_EXIT_NO_TERMINAL	3

struct console_opts {
	struct loop	*loop;		/* required */
	const char	*profile;	/* header: config or profile name */
	const char	*theme;		/* NULL: "default" */
	bool		 read_only;	/* READ-ONLY badge; refuse changes */
};

/*
 * Adds a pane (in order, left to right), before or during console_run.
 * The console calls ops->free(state) when it is done with it.
 */
struct pane	*console_add_pane(const struct pane_ops *, void *state);

/*
 * Runs until q, F10, SIGINT, SIGTERM or SIGHUP. Without a terminal
 * (stdin or stdout not a tty, TERM unset or dumb, or one curses does not
 * know) it prints why on stderr and returns CONSOLE_EXIT_NO_TERMINAL
 * without touching the terminal. Frees the panes before returning.
 */
int		 console_run(const struct console_opts *);

/*
 * For panes and their callbacks, while console_run runs (harmless
 * otherwise). The status line shows on the footer until the next key.
 */
void		 console_set_status(enum theme_role, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
void		 console_mark_dirty(void);		/* everything */
void		 console_pane_dirty(struct pane *);	/* one pane */
void		 console_header_dirty(void);		/* source states */
/* Shows a dialog over everything; the console frees it when it closes. */
void		 console_open_dialog(struct dialog *);
bool		 console_read_only(void);
struct loop	*console_loop(void);

#endif

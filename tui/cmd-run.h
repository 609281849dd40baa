/*
 * What the batch commands that run one core job on the loop (backup,
 * verify, restore) share: SIGINT/SIGTERM set a flag and wake the loop for
 * the job to cancel, and a one-line progress display on stderr, which the
 * command only asks for when stderr is a terminal.
 */
#ifndef CHOPS_CMD_RUN_H
#define CHOPS_CMD_RUN_H

struct cmd_ctx;
struct ch_client;
struct loop;

/*
 * Clears the interrupted flag and sends SIGINT and SIGTERM to a handler
 * that sets it and wakes the loop; cmd_run_signals_restore() puts back the
 * handlers there were before. Not nested.
 */
void			 cmd_run_signals_install(struct loop *);
void			 cmd_run_signals_restore(void);

/* The flag the core job polls: nonzero once a signal came. */
const volatile int	*cmd_run_interrupted(void);

/* A ClickHouse client on the first configured URL, with its TLS settings. */
struct ch_client	*cmd_run_ch_new(struct cmd_ctx *);

/*
 * A progress line: cmd_run_progress() clears the line and prints the start
 * of it, the caller may add more with fprintf(stderr, ...), and
 * cmd_run_progress_shown() flushes and sets *shown (the callback's arg, an
 * int). After the job, cmd_run_progress_end() ends the line if one was
 * shown.
 */
void			 cmd_run_progress(const char *fmt, ...)
			     __attribute__((format(printf, 1, 2)));
void			 cmd_run_progress_shown(void *shown);
void			 cmd_run_progress_end(int shown);

#endif

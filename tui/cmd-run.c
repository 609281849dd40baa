/*
 * Signal handling and the progress line shared by the batch commands that
 * run one core job on the loop (cmd-run.h).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clickhouse.h"
#include "cmd.h"
#include "cmd-run.h"
#include "config.h"
#include "loop.h"

static volatile sig_atomic_t	 run_interrupted;
static struct loop		*run_loop;
static struct sigaction		 run_old_int, run_old_term;

static void
run_on_signal(int sig)
{
	(void)sig;
	run_interrupted = 1;
	if (run_loop != NULL)
		loop_wakeup(run_loop);
}

void
cmd_run_signals_install(struct loop *loop)
{
	struct sigaction	sa;

	run_interrupted = 0;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = run_on_signal;
	run_loop = loop;
	sigaction(SIGINT, &sa, &run_old_int);
	sigaction(SIGTERM, &sa, &run_old_term);
}

void
cmd_run_signals_restore(void)
{
	sigaction(SIGINT, &run_old_int, NULL);
	sigaction(SIGTERM, &run_old_term, NULL);
	run_loop = NULL;
}

const volatile int *
cmd_run_interrupted(void)
{
	return (const volatile int *)&run_interrupted;
}

struct ch_client *
cmd_run_ch_new(struct cmd_ctx *ctx)
{
	const struct cfg_clickhouse	*cc = &ctx->cfg->clickhouse;
	struct http_tls			 tls = { cc->tls.ca_file,
					     cc->tls.insecure };

	return ch_new(ctx->loop, cc->urls[0], cc->user, cc->password, &tls,
	    cc->timeout_ms, cc->connect_timeout_ms);
}

void
cmd_run_progress(const char *fmt, ...)
{
	va_list	ap;

	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void
cmd_run_progress_shown(void *shown)
{
	fflush(stderr);
	*(int *)shown = 1;
}

void
cmd_run_progress_end(int shown)
{
	if (shown)
		fputc('\n', stderr);
}

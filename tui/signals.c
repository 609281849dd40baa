#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "signals.h"
#include "ui.h"
#include "util.h"

static const int event_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH,
    SIGCONT };
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
    SIGILL };

static struct loop		*sig_loop;
static volatile sig_atomic_t	 sig_quit;	/* the signal number */
static volatile sig_atomic_t	 sig_resize;
static struct sigaction		 saved_event[nitems(event_signals)];
static struct sigaction		 saved_fatal[nitems(fatal_signals)];
static int			 installed;

static void
on_event(int sig)
{
	int	saved_errno = errno;

	if (sig == SIGWINCH || sig == SIGCONT)
		sig_resize = 1;
	else
		sig_quit = sig;
	if (sig_loop != NULL)
		loop_wakeup(sig_loop);
	errno = saved_errno;
}

static void
on_fatal(int sig)
{
	static const char	msg[] = "chops: fatal signal; terminal restored\n";

	ui_emergency();
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
signals_install(struct loop *loop)
{
	struct sigaction	sa;
	size_t			i;

	if (installed)
		return;
	sig_loop = loop;
	sig_quit = sig_resize = 0;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_event;
	for (i = 0; i < nitems(event_signals); i++)
		sigaction(event_signals[i], &sa, &saved_event[i]);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sa.sa_handler = on_fatal;
	for (i = 0; i < nitems(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &saved_fatal[i]);
	installed = 1;
}

void
signals_restore(void)
{
	size_t	i;

	if (!installed)
		return;
	for (i = 0; i < nitems(event_signals); i++)
		sigaction(event_signals[i], &saved_event[i], NULL);
	for (i = 0; i < nitems(fatal_signals); i++)
		sigaction(fatal_signals[i], &saved_fatal[i], NULL);
	sig_loop = NULL;
	installed = 0;
}

int
signals_take(int *signo)
{
	int	events = 0;

	if (sig_quit != 0) {
		*signo = sig_quit;
		sig_quit = 0;
		events |= SIGEV_QUIT;
	}
	if (sig_resize != 0) {
		sig_resize = 0;
		events |= SIGEV_RESIZE;
	}
	return events;
}

#include <sys/ioctl.h>

#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "colors.h"
#include "ui.h"
#include "xmalloc.h"

#define UI_ESCDELAY_MS	25

static SCREEN		*ui_screen;
static volatile int	 ui_running;
static int		 ui_saved_stderr = -1;
static bool		 ui_is_utf8;

static const char hint[] = "for a one-shot summary run 'chops status' "
	"(or 'chops status --json')";

int
ui_check_terminal(char **cause)
{
	const char	*term = getenv("TERM");

	int		 err = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*cause = xasprintf("the console needs a terminal; %s", hint);
		return -1;
	}
	/* asked here, newterm would leave memory behind on failure */
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*cause = xasprintf("the console cannot drive terminal type "
		    "'%s' (TERM); %s", term, hint);
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}

/* Until ui_end, whatever is written to stderr goes nowhere. */
static void
stderr_hide(void)
{
	int	fd;

	fflush(stderr);
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		return;
	ui_saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
	if (ui_saved_stderr >= 0)
		dup2(fd, STDERR_FILENO);
	close(fd);
}

static void
stderr_restore(void)
{
	if (ui_saved_stderr < 0)
		return;
	dup2(ui_saved_stderr, STDERR_FILENO);
	close(ui_saved_stderr);
	ui_saved_stderr = -1;
}

static void
ui_atexit(void)
{
	ui_end();
}

void
ui_locale(void)
{
	/* curses needs the character set; numbers stay "1.5" whatever it is */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	ui_is_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

int
ui_start(char **cause)
{
	static bool	 registered;
	const char	*term = getenv("TERM");

	ui_locale();
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL) {
		*cause = xasprintf("the console cannot drive terminal type "
		    "'%s' (TERM); %s", term != NULL ? term : "", hint);
		return -1;
	}
	set_term(ui_screen);
	ui_running = 1;
	if (!registered) {
		atexit(ui_atexit);
		registered = true;
	}
	stderr_hide();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(UI_ESCDELAY_MS);
	curs_set(0);
	leaveok(stdscr, TRUE);
	colors_init();
	return 0;
}

void
ui_end(void)
{
	if (!ui_running)
		return;
	ui_running = 0;
	curs_set(1);
	endwin();
	stderr_restore();
	delscreen(ui_screen);
	ui_screen = NULL;
}

bool
ui_active(void)
{
	return ui_running != 0;
}

void
ui_emergency(void)
{
	if (!ui_running)
		return;
	ui_running = 0;
	endwin();
	stderr_restore();
}

void
ui_resize(void)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

void
ui_size(int *cols, int *rows)
{
	*cols = COLS;
	*rows = LINES;
}

int
ui_backlog(void)
{
	int	n = 0;

	if (ioctl(STDOUT_FILENO, TIOCOUTQ, &n) != 0)
		return 0;
	return n;
}

void
ui_cursor(bool visible)
{
	curs_set(visible ? 1 : 0);
}

bool
ui_utf8(void)
{
	return ui_is_utf8;
}

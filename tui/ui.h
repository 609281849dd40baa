/*
 * The terminal under curses: start, stop, size, and putting it back the
 * way it was on every exit path (normal, signal, crash, exit()).
 */
#ifndef CHOPS_UI_H
#define CHOPS_UI_H

#include <stdbool.h>

/*
 * Whether the console can run here: stdin and stdout are terminals and
 * TERM names one curses can drive. -1 with *cause (caller frees) if not.
 */
int	 ui_check_terminal(char **cause);
/*
 * The user's locale for characters (LC_CTYPE and the rest), but C numbers
 * (LC_NUMERIC), so that "1.5" stays "1.5". ui_start calls it too.
 */
void	 ui_locale(void);
/*
 * Starts curses: locale, cbreak, no echo, keypad, Esc after 25 ms, hidden
 * cursor, colours. stderr goes to /dev/null until ui_end, so nothing a
 * library prints can scribble on the screen. -1 with *cause on failure.
 */
int	 ui_start(char **cause);
void	 ui_end(void);
bool	 ui_active(void);
/* Takes the terminal's size from the kernel and resizes curses to it. */
void	 ui_resize(void);
void	 ui_size(int *cols, int *rows);
/* Bytes written to the terminal and not yet taken by it (a slow link). */
int	 ui_backlog(void);
void	 ui_cursor(bool visible);
/* Whether the locale's character set is UTF-8 (block characters, arrows). */
bool	 ui_utf8(void);
/* From a fatal signal handler: leave curses, give stderr back. */
void	 ui_emergency(void);

#endif

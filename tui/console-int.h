/*
 * Inside the console: its state, shared by the loop (console.c) and the
 * drawing (console-draw.c). Nothing else includes this.
 */
#ifndef CHOPS_CONSOLE_INT_H
#define CHOPS_CONSOLE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "input.h"
#include "layout.h"
#include "theme.h"

struct dialog;
struct loop;
struct loop_timer;
struct pane;

/* What to redraw at the end of the loop turn (panes have their own). */
#define DIRTY_HEADER	0x01
#define DIRTY_FOOTER	0x02
#define DIRTY_PANES	0x04	/* every pane */
#define DIRTY_DIALOG	0x08
#define DIRTY_LAYOUT	0x10	/* size or pane count: new windows */
#define DIRTY_ALL	(DIRTY_HEADER | DIRTY_FOOTER | DIRTY_PANES | \
			    DIRTY_DIALOG)

struct console {
	struct loop		*loop;
	const char		*profile;
	bool			 read_only;
	bool			 running;
	bool			 quit;

	struct pane		*panes[LAYOUT_MAX_PANES];
	size_t			 npanes;
	size_t			 focus;

	struct theme		*theme;
	struct layout		 layout;
	WINDOW			*header;
	WINDOW			*footer;
	WINDOW			*keys;		/* 1x1 pad keys are read from */
	bool			 cursor;	/* visible now */
	int			 dirty;		/* DIRTY_* */

	struct dialog		*dialog;	/* top of the stack */

	bool			 filtering;	/* the filter line is open */
	struct input		 filter;
	char			*filter_before;	/* for Esc */

	char			*status;	/* until the next key */
	enum theme_role		 status_role;

	struct loop_timer	*clock_timer;
	struct loop_timer	*retry_timer;	/* drawing put off */
	char			 clock[16];
	int			 empty_reads;
};

extern struct console	con;

void	screen_init(void);
void	screen_free(void);
/*
 * Redraws what is dirty: one doupdate, or none when nothing is. Returns
 * false when it put drawing off because the terminal has not taken what it
 * was sent yet (a slow link): the caller tries again shortly.
 */
bool	screen_draw(void);

#endif

/*
 * Modal dialogs, each an init/draw/key triple (ncdu quit.c): the console
 * shows the top one over everything and gives it every key until it says
 * REACT_CLOSE. Three kinds come ready: a message box, a yes/no question
 * and a typed confirmation ("type the table name to confirm") for
 * anything destructive.
 */
#ifndef CHOPS_DIALOG_H
#define CHOPS_DIALOG_H

#include <stdbool.h>

#include <curses.h>

#include "theme.h"

struct dialog;

struct dialog_ops {
	/* Border included: the size wanted on a cols x rows screen. */
	void	(*size)(struct dialog *, int cols, int rows, int *h, int *w);
	/* The inside, the h x w area at y,x of `win`. */
	void	(*draw)(struct dialog *, WINDOW *, int y, int x, int h, int w);
	/* REACT_* flags; REACT_CLOSE when the dialog is done. */
	int	(*key)(struct dialog *, int key);
	void	(*free)(struct dialog *);
};

struct dialog {
	const struct dialog_ops	*ops;
	char			*title;
	void			*data;		/* the kind's own */
	WINDOW			*win;		/* console-owned */
	struct dialog		*below;		/* console's stack */
	bool			 cursor;	/* shows a text cursor */
};

/*
 * Called once when a question is answered or dismissed (or the console
 * ends first: confirmed false). Returns REACT_* flags.
 */
typedef int (*dialog_done_fn)(void *arg, bool confirmed);

struct dialog	*dialog_new(const struct dialog_ops *, const char *title,
		     void *data);
void		 dialog_free(struct dialog *);
/* (Re)makes the window for a cols x rows screen, centred. */
void		 dialog_place(struct dialog *, int cols, int rows);
/* Border, title and inside. */
void		 dialog_draw(struct dialog *);
int		 dialog_key(struct dialog *, int key);

/* Any of Enter, Esc, q closes it. `role`: ROLE_DIALOG, ROLE_ERROR, ... */
struct dialog	*dialog_message(const char *title, enum theme_role,
		     const char *text);
/* y or Enter: yes; n, q or Esc: no. `done` may be NULL. */
struct dialog	*dialog_confirm(const char *title, const char *text,
		     dialog_done_fn done, void *arg);
/* Yes only once `expected` is typed exactly; Esc: no. */
struct dialog	*dialog_typed(const char *title, const char *text,
		     const char *expected, dialog_done_fn done, void *arg);

#endif

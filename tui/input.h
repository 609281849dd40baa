/*
 * A one-line text input: the filter line and typed confirmations. Keys are
 * looked up in the INPUT context of the key table; other printable keys
 * are typed.
 */
#ifndef CHOPS_INPUT_H
#define CHOPS_INPUT_H

#include <stddef.h>
#include <wchar.h>

#include <curses.h>

#include "theme.h"

#define INPUT_MAX	256	/* characters */

enum input_result {
	INPUT_NONE,		/* nothing changed */
	INPUT_CHANGED,		/* the text or the cursor moved */
	INPUT_ACCEPT,		/* Enter */
	INPUT_CANCEL,		/* Esc */
};

struct input {
	wchar_t	text[INPUT_MAX + 1];
	size_t	len;
	size_t	cur;
	size_t	left;		/* first character shown */
};

void		  input_init(struct input *, const char *initial);
enum input_result input_key(struct input *, int key);
/* The text in the locale's encoding; caller frees. */
char		 *input_text(const struct input *);
/* Draws it in `w` columns and leaves the window's cursor at the cursor. */
void		  input_draw(struct input *, WINDOW *, int y, int x, int w,
		      enum theme_role);

#endif

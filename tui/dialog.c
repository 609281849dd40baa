/*
 * The dialog frame, and the three ready-made kinds (message, yes/no,
 * typed confirmation), which share one "box" implementation.
 */
#include <stdlib.h>
#include <string.h>

#include "colors.h"
#include "dialog.h"
#include "input.h"
#include "keys.h"
#include "widgets.h"
#include "xmalloc.h"

#define BOX_MAX_W	64
#define BOX_MIN_W	30

struct dialog *
dialog_new(const struct dialog_ops *ops, const char *title, void *data)
{
	struct dialog	*d = xcalloc(1, sizeof *d);

	d->ops = ops;
	d->title = xstrdup(title != NULL ? title : "");
	d->data = data;
	return d;
}

void
dialog_free(struct dialog *d)
{
	if (d == NULL)
		return;
	if (d->ops->free != NULL)
		d->ops->free(d);
	if (d->win != NULL) {
		colors_forget(d->win);
		delwin(d->win);
	}
	free(d->title);
	free(d);
}

void
dialog_place(struct dialog *d, int cols, int rows)
{
	int	h, w;

	d->ops->size(d, cols, rows, &h, &w);
	if (w > cols)
		w = cols;
	if (h > rows)
		h = rows;
	if (d->win != NULL) {
		colors_forget(d->win);
		delwin(d->win);
	}
	d->win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
	if (d->win == NULL)
		return;
	leaveok(d->win, !d->cursor);
	colors_set_surface(d->win, ROLE_DIALOG);
}

void
dialog_draw(struct dialog *d)
{
	int	h, w;

	if (d->win == NULL)
		return;
	getmaxyx(d->win, h, w);
	werase(d->win);
	widget_box(d->win, 0, 0, h, w, ROLE_DIALOG_BORDER, d->title,
	    ROLE_DIALOG_BORDER);
	if (h > 2 && w > 4)
		d->ops->draw(d, d->win, 1, 2, h - 2, w - 4);
}

int
dialog_key(struct dialog *d, int key)
{
	return d->ops->key(d, key);
}

/* ------------------------------------------------------------ boxes */

enum box_kind { BOX_MESSAGE, BOX_CONFIRM, BOX_TYPED };

struct box {
	enum box_kind	 kind;
	enum theme_role	 role;
	char		*text;
	char		*expected;
	struct input	 in;
	bool		 mismatch;
	bool		 answered;
	dialog_done_fn	 done;
	void		*arg;
	char		**lines;	/* text wrapped at `wrapped` columns */
	size_t		 nlines;
	int		 wrapped;
};

static void
box_wrap(struct box *b, int width)
{
	if (b->lines != NULL && b->wrapped == width)
		return;
	widget_lines_free(b->lines, b->nlines);
	b->nlines = widget_wrap(b->text, width, &b->lines);
	b->wrapped = width;
}

static void
box_size(struct dialog *d, int cols, int rows, int *h, int *w)
{
	struct box	*b = d->data;

	*w = cols - 4 < BOX_MAX_W ? cols - 4 : BOX_MAX_W;
	if (*w < BOX_MIN_W)
		*w = cols;
	box_wrap(b, *w - 4);
	/* border, text, blank, [input, message,] buttons */
	*h = 2 + (int)b->nlines + 2 + (b->kind == BOX_TYPED ? 2 : 0);
	if (*h > rows - 2)
		*h = rows - 2;
}

/* "Enter OK  Esc Cancel": keys in help_key, the rest plain. */
static void
box_buttons(struct box *b, WINDOW *win, int y, int x, int w)
{
	static const char *const labels[][4] = {
		[BOX_MESSAGE] = { "Enter", " OK", NULL, NULL },
		[BOX_CONFIRM] = { "y", " Yes   ", "n", " No" },
		[BOX_TYPED] = { "Enter", " Confirm   ", "Esc", " Cancel" },
	};
	const char *const	*l = labels[b->kind];
	int			 i, used = 0;

	widget_fill(win, y, x, w, ROLE_DIALOG);
	for (i = 0; i < 4 && l[i] != NULL; i++)
		used += widget_put(win, y, x + used, w - used,
		    i % 2 == 0 ? ROLE_HELP_KEY : ROLE_DIALOG, l[i]);
}

static void
box_draw(struct dialog *d, WINDOW *win, int y, int x, int h, int w)
{
	struct box	*b = d->data;
	size_t		 i;
	int		 row = y, last = y + h - 1;

	box_wrap(b, w);
	for (i = 0; i < b->nlines && row < last - (b->kind == BOX_TYPED ?
	    2 : 0); i++)
		widget_text(win, row++, x, w, b->role, ALIGN_LEFT, b->lines[i]);
	if (b->kind == BOX_TYPED && h >= 4) {
		widget_text(win, last - 1, x, w, ROLE_ERROR, ALIGN_LEFT,
		    b->mismatch ? "that does not match; try again" : "");
		box_buttons(b, win, last, x, w);
		input_draw(&b->in, win, last - 2, x, w, ROLE_INPUT);
		return;
	}
	box_buttons(b, win, last, x, w);
}

static int
box_answer(struct box *b, bool yes)
{
	int	react = REACT_CLOSE | REACT_REDRAW_ALL;

	if (!b->answered && b->done != NULL)
		react |= b->done(b->arg, yes);
	b->answered = true;
	return react;
}

static int
box_key_typed(struct box *b, int key)
{
	char	*text;
	bool	 same;

	switch (input_key(&b->in, key)) {
	case INPUT_ACCEPT:
		text = input_text(&b->in);
		same = strcmp(text, b->expected) == 0;
		free(text);
		if (same)
			return box_answer(b, true);
		b->mismatch = true;
		return REACT_REDRAW;
	case INPUT_CANCEL:
		return box_answer(b, false);
	case INPUT_CHANGED:
		b->mismatch = false;
		return REACT_REDRAW;
	default:
		return REACT_NONE;
	}
}

static int
box_key(struct dialog *d, int key)
{
	struct box	*b = d->data;

	if (b->kind == BOX_TYPED)
		return box_key_typed(b, key);
	switch (keys_lookup(KEYCTX_DIALOG, NULL, key)) {
	case ACT_DIALOG_OK:
		return box_answer(b, true);
	case ACT_DIALOG_CANCEL:
		return box_answer(b, b->kind == BOX_MESSAGE);
	default:
		return REACT_NONE;
	}
}

static void
box_free(struct dialog *d)
{
	struct box	*b = d->data;

	box_answer(b, false);
	widget_lines_free(b->lines, b->nlines);
	free(b->text);
	free(b->expected);
	free(b);
}

static const struct dialog_ops box_ops = {
	box_size, box_draw, box_key, box_free
};

static struct dialog *
box_new(enum box_kind kind, const char *title, enum theme_role role,
    const char *text, dialog_done_fn done, void *arg)
{
	struct box	*b = xcalloc(1, sizeof *b);

	b->kind = kind;
	b->role = role;
	b->text = xstrdup(text);
	b->done = done;
	b->arg = arg;
	return dialog_new(&box_ops, title, b);
}

struct dialog *
dialog_message(const char *title, enum theme_role role, const char *text)
{
	return box_new(BOX_MESSAGE, title, role, text, NULL, NULL);
}

struct dialog *
dialog_confirm(const char *title, const char *text, dialog_done_fn done,
    void *arg)
{
	return box_new(BOX_CONFIRM, title, ROLE_DIALOG, text, done, arg);
}

struct dialog *
dialog_typed(const char *title, const char *text, const char *expected,
    dialog_done_fn done, void *arg)
{
	struct dialog	*d;
	struct box	*b;

	d = box_new(BOX_TYPED, title, ROLE_DIALOG, text, done, arg);
	b = d->data;
	b->expected = xstrdup(expected);
	input_init(&b->in, "");
	d->cursor = true;
	return d;
}

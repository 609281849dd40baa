#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "colors.h"
#include "dialog.h"
#include "help.h"
#include "keys.h"
#include "layout.h"
#include "pane.h"
#include "theme.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

#define HELP_MAX_W	96
#define HELP_KEYS_W	16	/* key column */

enum item_kind { ITEM_HEADING, ITEM_KEY, ITEM_TEXT, ITEM_BLANK };

struct help_item {
	enum item_kind	 kind;
	char		*keys;
	char		*text;
};

/* A line on screen: an item, or the continuation of one. */
struct help_line {
	enum item_kind	 kind;
	const char	*keys;		/* NULL on continuations */
	char		*text;
};

struct help {
	struct help_item *items;
	size_t		  nitems;
	struct help_line *lines;	/* laid out for `width` */
	size_t		  nlines;
	int		  width;
	size_t		  top;
	int		  page;
};

static void
item_add(struct help *h, enum item_kind kind, const char *keys,
    const char *text)
{
	struct help_item	*it;

	h->items = xreallocarray(h->items, h->nitems + 1, sizeof *h->items);
	it = &h->items[h->nitems++];
	it->kind = kind;
	it->keys = keys != NULL ? xstrdup(keys) : NULL;
	it->text = xstrdup(text != NULL ? text : "");
}

/* The bindings of one context; pane-only ones under their pane. */
static void
items_context(struct help *h, enum key_context ctx, struct pane *const *panes,
    size_t npanes)
{
	const struct key_binding	*table, *b;
	char				 keys[96], *text;
	size_t				 n, i, j;

	table = keys_table(&n);
	item_add(h, ITEM_HEADING, NULL, keys_context_title(ctx));
	for (i = 0; i < n; i++) {
		b = &table[i];
		if (b->ctx != ctx)
			continue;
		keys_binding_names(b, keys, sizeof keys);
		text = NULL;
		for (j = 0; b->pane != NULL && j < npanes; j++) {
			if (strcmp(panes[j]->ops->name, b->pane) == 0)
				text = xasprintf("%s (%s)", b->help,
				    panes[j]->ops->title);
		}
		if (b->pane != NULL && text == NULL)
			continue;	/* its pane is not here */
		item_add(h, ITEM_KEY, keys, text != NULL ? text : b->help);
		free(text);
	}
	item_add(h, ITEM_BLANK, NULL, NULL);
}

static void
items_panes(struct help *h, struct pane *const *panes, size_t npanes,
    const struct theme *t)
{
	char	*s;
	size_t	 i;

	item_add(h, ITEM_HEADING, NULL, "Panes");
	for (i = 0; i < npanes; i++) {
		s = xasprintf("%s%s%s", panes[i]->ops->title,
		    panes[i]->ops->help != NULL ? ": " : "",
		    panes[i]->ops->help != NULL ? panes[i]->ops->help : "");
		item_add(h, ITEM_TEXT, NULL, s);
		free(s);
	}
	s = xasprintf("At %d columns or more the panes stand side by side; "
	    "narrower, one shows at a time (Tab, or 1-%zu, switches; the "
	    "header marks which). Below %dx%d the console waits for a "
	    "bigger terminal.", LAYOUT_COLUMNS_MIN, npanes, LAYOUT_MIN_COLS,
	    LAYOUT_MIN_ROWS);
	item_add(h, ITEM_TEXT, NULL, s);
	free(s);
	item_add(h, ITEM_BLANK, NULL, NULL);
	item_add(h, ITEM_HEADING, NULL, "Theme");
	s = xasprintf("%s, from %s; %s. T cycles through the themes in "
	    "~/.config/chops/themes and the installed ones.", t->title,
	    t->path != NULL ? t->path : "the built-in copy",
	    colors_describe());
	item_add(h, ITEM_TEXT, NULL, s);
	free(s);
}

static void
lines_free(struct help *h)
{
	size_t	i;

	for (i = 0; i < h->nlines; i++)
		free(h->lines[i].text);
	free(h->lines);
	h->lines = NULL;
	h->nlines = 0;
}

static void
line_add(struct help *h, enum item_kind kind, const char *keys,
    const char *text)
{
	h->lines = xreallocarray(h->lines, h->nlines + 1, sizeof *h->lines);
	h->lines[h->nlines].kind = kind;
	h->lines[h->nlines].keys = keys;
	h->lines[h->nlines++].text = xstrdup(text);
}

/* Lays the items out for `width` columns. */
static void
help_layout(struct help *h, int width)
{
	const struct help_item	*it;
	char			**wrapped;
	size_t			  i, j, n;
	int			  tw;

	if (h->lines != NULL && h->width == width)
		return;
	lines_free(h);
	h->width = width;
	for (i = 0; i < h->nitems; i++) {
		it = &h->items[i];
		if (it->kind == ITEM_HEADING || it->kind == ITEM_BLANK) {
			line_add(h, it->kind, NULL, it->text);
			continue;
		}
		tw = it->kind == ITEM_KEY ? width - HELP_KEYS_W : width;
		n = widget_wrap(it->text, tw, &wrapped);
		for (j = 0; j < n; j++)
			line_add(h, it->kind, j == 0 ? it->keys : NULL,
			    wrapped[j]);
		widget_lines_free(wrapped, n);
	}
}

static void
help_size(struct dialog *d, int cols, int rows, int *hh, int *ww)
{
	struct help	*h = d->data;

	*ww = cols - 4 < HELP_MAX_W ? cols - 4 : HELP_MAX_W;
	*hh = rows - 2;
	/* laid out now, so keys typed before the first draw scroll right */
	help_layout(h, *ww - 4);
	h->page = *hh - 3 > 1 ? *hh - 3 : 1;
}

static void
help_footer(struct help *h, WINDOW *win, int y, int x, int w)
{
	char	pos[48];
	int	used = 0;

	widget_fill(win, y, x, w, ROLE_DIALOG);
	used += widget_put(win, y, x, w, ROLE_HELP_KEY, "Esc");
	used += widget_put(win, y, x + used, w - used, ROLE_DIALOG,
	    " close   ");
	used += widget_put(win, y, x + used, w - used, ROLE_HELP_KEY,
	    "Up Down PgUp PgDn");
	used += widget_put(win, y, x + used, w - used, ROLE_DIALOG, " scroll");
	snprintf(pos, sizeof pos, "%zu-%zu/%zu", h->nlines ? h->top + 1 : 0,
	    h->top + (size_t)h->page < h->nlines ? h->top + (size_t)h->page :
	    h->nlines, h->nlines);
	if (w - used > widget_width(pos))
		widget_text(win, y, x + used, w - used, ROLE_DIM, ALIGN_RIGHT,
		    pos);
}

static void
help_draw(struct dialog *d, WINDOW *win, int y, int x, int hh, int w)
{
	struct help		*h = d->data;
	const struct help_line	*l;
	int			 i;

	help_layout(h, w);
	h->page = hh - 1 > 1 ? hh - 1 : 1;
	if (h->top + (size_t)h->page > h->nlines)
		h->top = h->nlines > (size_t)h->page ? h->nlines - (size_t)h->page : 0;
	for (i = 0; i < h->page; i++) {
		if (h->top + (size_t)i >= h->nlines) {
			widget_fill(win, y + i, x, w, ROLE_DIALOG);
			continue;
		}
		l = &h->lines[h->top + (size_t)i];
		if (l->kind == ITEM_HEADING)
			widget_text(win, y + i, x, w, ROLE_LABEL, ALIGN_LEFT,
			    l->text);
		else if (l->kind == ITEM_KEY) {
			widget_text(win, y + i, x, HELP_KEYS_W, ROLE_HELP_KEY,
			    ALIGN_LEFT, l->keys != NULL ? l->keys : "");
			widget_text(win, y + i, x + HELP_KEYS_W, w - HELP_KEYS_W,
			    ROLE_DIALOG, ALIGN_LEFT, l->text);
		} else
			widget_text(win, y + i, x, w, ROLE_DIALOG, ALIGN_LEFT,
			    l->text);
	}
	help_footer(h, win, y + hh - 1, x, w);
}

static int
help_scroll(struct help *h, long by)
{
	long	top = (long)h->top + by;
	long	max = (long)h->nlines - h->page;

	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	if ((size_t)top == h->top)
		return REACT_NONE;
	h->top = (size_t)top;
	return REACT_REDRAW;
}

static int
help_key(struct dialog *d, int key)
{
	struct help	*h = d->data;

	if (keys_lookup(KEYCTX_GLOBAL, NULL, key) == ACT_HELP)
		return REACT_CLOSE | REACT_REDRAW_ALL;
	switch (keys_lookup(KEYCTX_DIALOG, NULL, key)) {
	case ACT_DIALOG_OK:
	case ACT_DIALOG_CANCEL:
		return REACT_CLOSE | REACT_REDRAW_ALL;
	case ACT_UP:
		return help_scroll(h, -1);
	case ACT_DOWN:
		return help_scroll(h, 1);
	case ACT_PAGE_UP:
		return help_scroll(h, -(long)h->page);
	case ACT_PAGE_DOWN:
		return help_scroll(h, h->page);
	case ACT_HOME:
		return help_scroll(h, -(long)h->nlines);
	case ACT_END:
		return help_scroll(h, (long)h->nlines);
	default:
		return REACT_NONE;
	}
}

static void
help_free(struct dialog *d)
{
	struct help	*h = d->data;
	size_t		 i;

	lines_free(h);
	for (i = 0; i < h->nitems; i++) {
		free(h->items[i].keys);
		free(h->items[i].text);
	}
	free(h->items);
	free(h);
}

static const struct dialog_ops help_ops = {
	help_size, help_draw, help_key, help_free
};

struct dialog *
help_new(struct pane *const *panes, size_t npanes, const struct theme *t)
{
	struct help	*h = xcalloc(1, sizeof *h);

	items_context(h, KEYCTX_GLOBAL, panes, npanes);
	items_context(h, KEYCTX_PANE, panes, npanes);
	items_context(h, KEYCTX_INPUT, panes, npanes);
	items_context(h, KEYCTX_DIALOG, panes, npanes);
	items_panes(h, panes, npanes, t);
	return dialog_new(&help_ops, "Help: keys", h);
}

#include <stdio.h>
#include <string.h>

#include "bars.h"
#include "colors.h"
#include "keys.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"

#define BRAND	" chops"

#define PROFILE_MAX	24	/* columns the profile may take first */

/* A state as one symbol, readable without colour too. */
static const char *
state_symbol(enum theme_role role)
{
	bool	u = ui_utf8();

	switch (role) {
	case ROLE_OK:
		return u ? "\u2713" : "+";
	case ROLE_WARN:
		return "!";
	case ROLE_CRIT:
		return u ? "\u2717" : "X";
	case ROLE_UNKNOWN:
		return "?";
	case ROLE_DIM:
		return "~";
	default:
		return u ? "\u2022" : "*";
	}
}

/* "  1 ClickHouse ok", the number in tabs, the state as a symbol if compact. */
static int
source_put(WINDOW *win, int x, int w, const struct bar_header *h, size_t i,
    bool compact, bool draw)
{
	const struct bar_source	*s = &h->sources[i];
	const char		*state;
	char			 label[96];
	int			 used = 0;

	if (h->numbered)
		snprintf(label, sizeof label, "%zu %s", i + 1, s->title);
	else
		snprintf(label, sizeof label, "%s", s->title);
	state = compact ? state_symbol(s->role) : s->state;
	if (!draw)
		return 3 + widget_width(label) + widget_width(state);
	used += widget_put(win, 0, x, w, ROLE_HEADER, "  ");
	used += widget_put(win, 0, x + used, w - used, s->active ?
	    ROLE_PANE_TITLE_ACTIVE : ROLE_HEADER, label);
	used += widget_put(win, 0, x + used, w - used, ROLE_HEADER, " ");
	used += widget_put(win, 0, x + used, w - used, s->role, state);
	return used;
}

static int
sources_put(WINDOW *win, int x, int w, const struct bar_header *h,
    bool compact, bool draw)
{
	size_t	i;
	int	used = 0;

	for (i = 0; i < h->nsources && (!draw || used < w); i++)
		used += source_put(win, x + used, w - used, h, i, compact,
		    draw);
	return used;
}

/*
 * " chops PROFILE  1 ClickHouse ok  2 Kafka lag ok ...  READ-ONLY  12:34:56"
 * The clock and the badge always show; the profile keeps its first
 * columns; the states become symbols when the words do not fit.
 */
void
bars_header(WINDOW *win, const struct bar_header *h)
{
	char	right[64];
	int	w = getmaxx(win), rw, avail, used, pw = 0, sw;
	bool	compact = false, ro = h->read_only;

	werase(win);
	snprintf(right, sizeof right, " %s ", h->clock);
	rw = widget_width(right) + (ro ? 11 : 0);
	avail = w - rw;
	used = widget_put(win, 0, 0, avail, ROLE_HEADER, BRAND);
	if (h->profile != NULL && *h->profile != '\0')
		pw = widget_width(h->profile) + 1;
	pw = pw > PROFILE_MAX ? PROFILE_MAX : pw;
	sw = sources_put(win, 0, 0, h, false, false);
	if (used + pw + sw > avail) {
		compact = true;
		sw = sources_put(win, 0, 0, h, true, false);
	}
	/* the profile takes what the sources leave, when worth it */
	if (h->profile != NULL && *h->profile != '\0')
		pw = widget_width(h->profile) + 1;
	if (pw > avail - used - sw)
		pw = avail - used - sw;
	if (pw >= 5) {
		used += widget_put(win, 0, used, 1, ROLE_HEADER, " ");
		widget_text(win, 0, used, pw - 1, ROLE_HEADER, ALIGN_LEFT,
		    h->profile);
		used += pw - 1;
	}
	sources_put(win, used, avail - used, h, compact, true);
	if (ro)
		widget_put(win, 0, w - rw, 11, ROLE_BADGE_READONLY,
		    " READ-ONLY ");
	widget_put(win, 0, w - rw + (ro ? 11 : 0), rw, ROLE_HEADER, right);
}

/* One hint: "key Label"; returns its width (drawn only when `draw`). */
static int
hint(WINDOW *win, int x, int w, const struct key_binding *b, bool draw)
{
	char	key[32];
	int	kw;

	keys_name(b->keys[0], key, sizeof key);
	kw = widget_width(key);
	if (draw) {
		widget_put(win, 0, x, w, ROLE_HELP_KEY, key);
		widget_put(win, 0, x + kw, w - kw, ROLE_FOOTER, " ");
		widget_put(win, 0, x + kw + 1, w - kw - 1, ROLE_FOOTER,
		    b->hint);
	}
	return kw + 1 + widget_width(b->hint) + 2;
}

#define HINTS_MAX	32

/* The hints to show, pane ones first; returns how many, *npane of them. */
static size_t
hints_collect(const char *pane, const struct key_binding **out,
    size_t *npane)
{
	const struct key_binding	*t;
	size_t				 n, i, k = 0;

	t = keys_table(&n);
	for (i = 0; i < n && k < HINTS_MAX; i++) {
		if (t[i].hint != NULL && t[i].ctx == KEYCTX_PANE &&
		    (t[i].pane == NULL || (pane != NULL &&
		    strcmp(t[i].pane, pane) == 0)))
			out[k++] = &t[i];
	}
	*npane = k;
	for (i = 0; i < n && k < HINTS_MAX; i++) {
		if (t[i].hint != NULL && t[i].ctx == KEYCTX_GLOBAL)
			out[k++] = &t[i];
	}
	return k;
}

/*
 * Pane hints, then global ones (quit last). When they do not all fit, the
 * last pane hints go first, so the global keys stay.
 */
void
bars_hints(WINDOW *win, const char *pane)
{
	const struct key_binding	*h[HINTS_MAX];
	size_t				 n, npane, drop, i;
	int				 w = getmaxx(win), total, x = 1;

	werase(win);
	n = hints_collect(pane, h, &npane);
	for (drop = 0; drop < npane; drop++) {
		total = 1;
		for (i = 0; i < n; i++) {
			if (i < npane && i >= npane - drop)
				continue;
			total += hint(win, 0, 0, h[i], false);
		}
		if (total <= w)
			break;
	}
	for (i = 0; i < n && x < w; i++) {
		if (i < npane && i >= npane - drop)
			continue;
		x += hint(win, x, w - x, h[i], true);
	}
}

void
bars_status(WINDOW *win, enum theme_role role, const char *msg)
{
	werase(win);
	widget_text(win, 0, 0, getmaxx(win), role, ALIGN_LEFT, "");
	widget_put(win, 0, 1, getmaxx(win) - 1, role, msg);
}

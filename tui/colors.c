#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colors.h"
#include "util.h"

#define SURFACES_MAX	64
#define PAIRS_MAX	255	/* COLOR_PAIR() in an attr_t */

struct role_color {
	int		fg;		/* for this terminal: degraded */
	int		bg;
	attr_t		attrs;		/* without the pair */
	bool		bg_inherit;
};

static struct {
	bool		 mono;
	bool		 no_color;	/* why it is mono */
	bool		 default_colors;
	int		 ncolors;
	int		 npairs;
	struct role_color roles[ROLE_COUNT];
	short		 pair_fg[PAIRS_MAX + 1];
	short		 pair_bg[PAIRS_MAX + 1];
	int		 pairs_used;	/* pairs 1..pairs_used are set */
	attr_t		 on[ROLE_COUNT][ROLE_COUNT];
	bool		 on_set[ROLE_COUNT][ROLE_COUNT];
	struct {
		WINDOW		*win;
		enum theme_role	 role;
	}		 surfaces[SURFACES_MAX];
	size_t		 nsurfaces;
} cs = { .mono = true };

void
colors_init(void)
{
	cs.no_color = getenv("NO_COLOR") != NULL;
	cs.mono = cs.no_color || !has_colors() || start_color() != OK;
	if (cs.mono)
		return;
	cs.default_colors = use_default_colors() == OK;
	cs.ncolors = COLORS > 256 ? 256 : COLORS;
	cs.npairs = COLOR_PAIRS - 1 > PAIRS_MAX ? PAIRS_MAX : COLOR_PAIRS - 1;
}

bool
colors_mono(void)
{
	return cs.mono;
}

const char *
colors_describe(void)
{
	static char	buf[64];

	if (cs.no_color)
		return "monochrome (NO_COLOR is set)";
	if (cs.mono)
		return "monochrome (the terminal has no colours)";
	snprintf(buf, sizeof buf, "%d colours", cs.ncolors);
	return buf;
}

static attr_t
attrs_curses(unsigned a)
{
	attr_t	r = A_NORMAL;

	if (a & THEME_ATTR_BOLD)
		r |= A_BOLD;
	if (a & THEME_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ATTR_DIM)
		r |= A_DIM;
	if (a & THEME_ATTR_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

/* A pair for fg/bg, made on first use; 0 (the default pair) when full. */
static int
pair_for(int fg, int bg)
{
	int	i;

	/* folding colours must never make text vanish */
	if (fg == bg && fg >= 0)
		fg = bg == COLOR_BLACK ? COLOR_WHITE : COLOR_BLACK;

	for (i = 1; i <= cs.pairs_used; i++) {
		if (cs.pair_fg[i] == fg && cs.pair_bg[i] == bg)
			return i;
	}
	if (cs.pairs_used >= cs.npairs)
		return 0;
	i = ++cs.pairs_used;
	cs.pair_fg[i] = (short)fg;
	cs.pair_bg[i] = (short)bg;
	init_pair((short)i, (short)fg, (short)bg);
	return i;
}

/* A theme colour for this terminal. */
static int
color_for(int c, bool is_bg, bool *bold)
{
	c = theme_color_degrade(c, cs.ncolors, is_bg, bold);
	if (c == THEME_COLOR_DEFAULT && !cs.default_colors)
		c = is_bg ? COLOR_BLACK : COLOR_WHITE;
	return c;
}

static void
role_setup(const struct theme *t, enum theme_role r)
{
	const struct theme_style	*s = theme_style(t, r);
	struct role_color		*rc = &cs.roles[r];
	bool				 bold = false;
	unsigned			 a;

	if (cs.mono) {
		a = s->attrs | theme_mono_attrs(r);
		rc->attrs = attrs_curses(a);
		return;
	}
	rc->fg = color_for(s->fg, false, &bold);
	rc->bg = color_for(s->bg, true, NULL);
	rc->attrs = attrs_curses(s->attrs) | (bold ? A_BOLD : A_NORMAL);
	rc->bg_inherit = s->bg_inherit;
}

void
colors_apply(const struct theme *t)
{
	size_t	i;
	int	r;

	cs.pairs_used = 0;
	memset(cs.on_set, 0, sizeof cs.on_set);
	for (r = 0; r < ROLE_COUNT; r++)
		role_setup(t, (enum theme_role)r);
	for (i = 0; i < cs.nsurfaces; i++)
		wbkgdset(cs.surfaces[i].win, ' ' | colors_attr(cs.surfaces[i].role));
}

attr_t
colors_attr_on(enum theme_role role, enum theme_role surface)
{
	const struct role_color	*rc, *sc;
	attr_t			 a;

	if ((int)role < 0 || role >= ROLE_COUNT)
		role = ROLE_DEFAULT;
	if ((int)surface < 0 || surface >= ROLE_COUNT)
		surface = ROLE_DEFAULT;
	rc = &cs.roles[role];
	if (cs.mono)
		return rc->attrs;
	if (cs.on_set[role][surface])
		return cs.on[role][surface];
	sc = &cs.roles[surface];
	a = rc->attrs | COLOR_PAIR(pair_for(rc->fg,
	    rc->bg_inherit ? sc->bg : rc->bg));
	cs.on[role][surface] = a;
	cs.on_set[role][surface] = true;
	return a;
}

attr_t
colors_attr(enum theme_role role)
{
	return colors_attr_on(role, role);
}

static enum theme_role
surface_of(WINDOW *win)
{
	size_t	i;

	for (i = 0; i < cs.nsurfaces; i++) {
		if (cs.surfaces[i].win == win)
			return cs.surfaces[i].role;
	}
	return ROLE_DEFAULT;
}

attr_t
colors_role(WINDOW *win, enum theme_role role)
{
	return colors_attr_on(role, surface_of(win));
}

void
colors_set_surface(WINDOW *win, enum theme_role role)
{
	size_t	i;

	for (i = 0; i < cs.nsurfaces; i++) {
		if (cs.surfaces[i].win == win)
			break;
	}
	if (i == cs.nsurfaces) {
		if (cs.nsurfaces == SURFACES_MAX)
			return;
		cs.nsurfaces++;
	}
	cs.surfaces[i].win = win;
	cs.surfaces[i].role = role;
	wbkgdset(win, ' ' | colors_attr(role));
}

void
colors_forget(WINDOW *win)
{
	size_t	i;

	for (i = 0; i < cs.nsurfaces; i++) {
		if (cs.surfaces[i].win == win) {
			cs.surfaces[i] = cs.surfaces[--cs.nsurfaces];
			return;
		}
	}
}

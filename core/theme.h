/*
 * Themes: which colours and attributes each semantic role is drawn with.
 * Draw code names roles (ok, warn, header, ...), never colours; a theme maps
 * roles to styles. This file knows nothing of curses: tui/colors.c turns
 * styles into curses attributes.
 *
 * A theme file is INI, in the spirit of Midnight Commander skins:
 *
 *	[theme]
 *	name = default			; shown to the user
 *	colors = 256			; depth the file is written for: 8 or 256
 *
 *	[palette]			; optional names for colours
 *	accent = 39
 *
 *	[roles]
 *	_default_ = 252;default		; what missing roles and fields take
 *	header = black;accent;bold	; fg;bg;attrs
 *
 * A colour is a palette name, one of black red green yellow blue magenta
 * cyan white, brightNAME (8-15), a number 0-255 (or colorN), or `default`
 * (the terminal's own colour). An empty fg or bg takes the one of
 * `_default_` (and an empty bg lets a role drawn over another, such as a
 * key name on the footer, show that one's background); a role missing from
 * [roles] takes all of `_default_`; a file without `_default_` uses the
 * terminal's colours. Attributes are a
 * comma list of bold, underline, reverse, dim, standout (or none). Write
 * `fg;bg` without white space before `;`: as in libinih, " ;" starts a
 * comment, also right after '=' (`footer =;green` leaves fg empty; the
 * loader refuses `footer = ;green`, which libinih would read as empty).
 *
 * Loading is transactional: on any error nothing is returned and the
 * message reads "FILE:LINE: what was expected".
 */
#ifndef CHOPS_THEME_H
#define CHOPS_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum theme_role {
	ROLE_DEFAULT,		/* ordinary text */
	ROLE_HEADER,		/* the top line */
	ROLE_FOOTER,		/* the bottom line: key hints, status */
	ROLE_PANE_BORDER,
	ROLE_PANE_TITLE,
	ROLE_PANE_TITLE_ACTIVE,	/* focused pane; the current tab */
	ROLE_SELECTION,		/* selected row in the focused pane */
	ROLE_SELECTION_INACTIVE, /* selected row elsewhere */
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_UNKNOWN,		/* no data, unreachable */
	ROLE_DIM,		/* stale or aged data */
	ROLE_LABEL,		/* column headers, field names */
	ROLE_VALUE,		/* numbers and values */
	ROLE_SPARKLINE,
	ROLE_BADGE_READONLY,
	ROLE_DIALOG,
	ROLE_DIALOG_BORDER,
	ROLE_ERROR,		/* error messages */
	ROLE_HELP_KEY,		/* key names in help and hints */
	ROLE_INPUT,		/* one-line text input */
	ROLE_COUNT
};

/* The terminal's own colour. */
#define THEME_COLOR_DEFAULT	(-1)

/* Attributes, a bit set. */
#define THEME_ATTR_BOLD		0x01
#define THEME_ATTR_UNDERLINE	0x02
#define THEME_ATTR_REVERSE	0x04
#define THEME_ATTR_DIM		0x08
#define THEME_ATTR_STANDOUT	0x10

struct theme_style {
	int		fg;	/* THEME_COLOR_DEFAULT or 0-255 */
	int		bg;
	unsigned	attrs;	/* THEME_ATTR_* */
	/*
	 * bg was left empty (or the role is missing): drawn on top of another
	 * role (help_key on the footer), it takes that role's background.
	 */
	bool		bg_inherit;
};

struct theme {
	char			*name;	/* what finds it: file name without .ini */
	char			*title;	/* [theme] name, for display */
	char			*path;	/* file read; NULL for the built-in theme */
	int			 depth;	/* 8 or 256 */
	struct theme_style	 roles[ROLE_COUNT];
};

/* Where the installed themes live; the build normally sets it. */
#ifndef CHOPS_DATADIR
#define CHOPS_DATADIR		"/usr/local/share/chops"
#endif
#define THEME_DEFAULT_NAME	"default"

/* Role names as written in [roles] ("pane_title_active"); -1 if unknown. */
const char	*theme_role_name(enum theme_role);
int		 theme_role_find(const char *);

/*
 * Loads a theme. `name` is a theme name looked up in the search path below,
 * or, when it holds a '/', a file path. Returns 0 and *out, or -1 and
 * *cause (caller frees); on failure nothing changes.
 */
int		 theme_load(const char *name, struct theme **out, char **cause);
int		 theme_load_file(const char *path, struct theme **out,
		     char **cause);
/* From text; `file` stands in for the file name in messages. */
int		 theme_load_string(const char *text, const char *file,
		     struct theme **out, char **cause);
/*
 * Never fails: the named theme, or the built-in one with *cause saying why
 * the file could not be used (*cause is NULL when all went well).
 */
struct theme	*theme_open(const char *name, char **cause);
/* The compiled-in theme (a fresh copy; free it). */
struct theme	*theme_builtin(void);
void		 theme_free(struct theme *);

const struct theme_style *theme_style(const struct theme *, enum theme_role);
/*
 * Attributes a role gets on top of the theme's on a monochrome terminal,
 * so that, say, the selection and the header stay visible without colour.
 */
unsigned	 theme_mono_attrs(enum theme_role);

/*
 * The search path, first match wins: $CHOPS_THEMES_DIR, then
 * $XDG_CONFIG_HOME/chops/themes (~/.config/chops/themes), then
 * CHOPS_DATADIR/themes, then themes/ beside the executable (a build tree).
 * Returns the directories (NULL-terminated; free with theme_dirs_free).
 */
char		**theme_dirs(void);
void		 theme_dirs_free(char **);
/* The file a name resolves to, or NULL (caller frees). */
char		*theme_find(const char *name);
/* Every theme name found in the search path, sorted, without duplicates. */
size_t		 theme_list(char ***names);
void		 theme_list_free(char **, size_t);
/* The theme after `current` in theme_list order (wraps); caller frees. */
char		*theme_next(const char *current);

/*
 * A colour for a terminal with `ncolors` colours (8, 16, 88, 256, ...):
 * the colour itself when it fits, else the nearest of the first 8 or 16 by
 * hue; greys go to black or white (for a foreground, all but the darkest
 * go to white, so that text stays readable). Sets *bold when a bright
 * colour was folded onto a basic one.
 */
int		 theme_color_degrade(int color, int ncolors, bool is_bg,
		     bool *bold);

#endif

/*
 * Theme files: parsing (libinih), the built-in theme, the search path and
 * colour depth reduction. See theme.h for the file format.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "buf.h"
#include "theme.h"
#include "util.h"
#include "xmalloc.h"

#define THEME_FILE_MAX		(64 * 1024)
#define THEME_NAME_MAX		64
#define PALETTE_NAME_MAX	32
#define PALETTE_MAX		64

static const char *role_names[ROLE_COUNT] = {
	[ROLE_DEFAULT] = "default",
	[ROLE_HEADER] = "header",
	[ROLE_FOOTER] = "footer",
	[ROLE_PANE_BORDER] = "pane_border",
	[ROLE_PANE_TITLE] = "pane_title",
	[ROLE_PANE_TITLE_ACTIVE] = "pane_title_active",
	[ROLE_SELECTION] = "selection",
	[ROLE_SELECTION_INACTIVE] = "selection_inactive",
	[ROLE_OK] = "ok",
	[ROLE_WARN] = "warn",
	[ROLE_CRIT] = "crit",
	[ROLE_UNKNOWN] = "unknown",
	[ROLE_DIM] = "dim",
	[ROLE_LABEL] = "label",
	[ROLE_VALUE] = "value",
	[ROLE_SPARKLINE] = "sparkline",
	[ROLE_BADGE_READONLY] = "badge_readonly",
	[ROLE_DIALOG] = "dialog",
	[ROLE_DIALOG_BORDER] = "dialog_border",
	[ROLE_ERROR] = "error",
	[ROLE_HELP_KEY] = "help_key",
	[ROLE_INPUT] = "input",
};

/* What keeps each role readable without colours. */
static const unsigned mono_attrs[ROLE_COUNT] = {
	[ROLE_HEADER] = THEME_ATTR_REVERSE,
	[ROLE_FOOTER] = THEME_ATTR_REVERSE,
	[ROLE_PANE_TITLE] = THEME_ATTR_BOLD,
	[ROLE_PANE_TITLE_ACTIVE] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[ROLE_SELECTION] = THEME_ATTR_REVERSE,
	[ROLE_SELECTION_INACTIVE] = THEME_ATTR_UNDERLINE,
	[ROLE_WARN] = THEME_ATTR_BOLD,
	[ROLE_CRIT] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[ROLE_DIM] = THEME_ATTR_DIM,
	[ROLE_LABEL] = THEME_ATTR_BOLD,
	[ROLE_BADGE_READONLY] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[ROLE_DIALOG_BORDER] = THEME_ATTR_BOLD,
	[ROLE_ERROR] = THEME_ATTR_BOLD,
	[ROLE_HELP_KEY] = THEME_ATTR_BOLD,
	[ROLE_INPUT] = THEME_ATTR_UNDERLINE,
};

/* The compiled-in theme: what themes/default.ini holds, minus comments. */
static const char builtin_text[] =
	"[theme]\n"
	"name = default (built-in)\n"
	"colors = 256\n"
	"[palette]\n"
	"fg = 252\n"
	"bg = default\n"
	"muted = 244\n"
	"accent = 39\n"
	"bar = 236\n"
	"good = 77\n"
	"caution = 214\n"
	"bad = 203\n"
	"[roles]\n"
	"_default_ = fg;bg\n"
	"default = fg;bg\n"
	"header = 231;24;bold\n"
	"footer = 250;bar\n"
	"pane_border = 240;bg\n"
	"pane_title = 250;bg;bold\n"
	"pane_title_active = 16;accent;bold\n"
	"selection = 231;25;bold\n"
	"selection_inactive = fg;237\n"
	"ok = good;;bold\n"
	"warn = caution;;bold\n"
	"crit = 231;160;bold\n"
	"unknown = 141;\n"
	"dim = muted;\n"
	"label = 110;;bold\n"
	"value = 230;\n"
	"sparkline = accent;\n"
	"badge_readonly = 16;caution;bold\n"
	"dialog = fg;238\n"
	"dialog_border = accent;238;bold\n"
	"error = bad;;bold\n"
	"help_key = 229;;bold\n"
	"input = 231;238\n";

static const char *color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char	*name;
	unsigned	 bit;
} attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "dim", THEME_ATTR_DIM },
	{ "standout", THEME_ATTR_STANDOUT },
	{ "none", 0 },
};

enum section { SECT_NONE, SECT_THEME, SECT_PALETTE, SECT_ROLES, SECT_COUNT };

static const char *section_names[SECT_COUNT] = {
	NULL, "theme", "palette", "roles"
};

struct palette_entry {
	char	name[PALETTE_NAME_MAX];
	int	color;
	int	line;
};

/* Everything one parse collects; turned into a theme only at the end. */
struct parse {
	const char		*file;
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 line;
	enum section		 sect;
	int			 sect_line[SECT_COUNT];
	char			*title;
	int			 title_line;
	int			 depth;
	int			 depth_line;
	struct palette_entry	 pal[PALETTE_MAX];
	size_t			 npal;
	char			*spec[ROLE_COUNT];
	int			 spec_line[ROLE_COUNT];
	char			*base;	/* _default_ */
	int			 base_line;
	char			*cause;
	int			 cause_line;
};

static void parse_error(struct parse *, int, const char *, ...)
    CHOPS_PRINTFLIKE(3, 4);

static void
parse_error(struct parse *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->cause = xasprintf("%s:%d: %s", p->file, line, msg);
	p->cause_line = line;
	free(msg);
}

const char *
theme_role_name(enum theme_role role)
{
	if ((int)role < 0 || role >= ROLE_COUNT)
		return "?";
	return role_names[role];
}

int
theme_role_find(const char *name)
{
	int	i;

	for (i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(role_names[i], name) == 0)
			return i;
	}
	return -1;
}

unsigned
theme_mono_attrs(enum theme_role role)
{
	if ((int)role < 0 || role >= ROLE_COUNT)
		return 0;
	return mono_attrs[role];
}

const struct theme_style *
theme_style(const struct theme *t, enum theme_role role)
{
	if ((int)role < 0 || role >= ROLE_COUNT)
		role = ROLE_DEFAULT;
	return &t->roles[role];
}

/* ------------------------------------------------------------ colours */

/* A colour written directly: name, brightNAME, N, colorN, default. */
static int
color_direct(const char *s, int *out)
{
	long long	n;
	size_t		i;
	int		bright = 0;

	if (strcasecmp(s, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (strncasecmp(s, "color", 5) == 0 && s[5] != '\0')
		s += 5;
	if (util_strtoll(s, strlen(s), &n) == 0)
		return (n >= 0 && n <= 255) ? (*out = (int)n, 0) : -1;
	if (strncasecmp(s, "bright", 6) == 0) {
		s += 6;
		bright = 8;
	}
	for (i = 0; i < nitems(color_names); i++) {
		if (strcasecmp(s, color_names[i]) == 0) {
			*out = (int)i + bright;
			return 0;
		}
	}
	return -1;
}

static const struct palette_entry *
palette_find(const struct parse *p, const char *name)
{
	size_t	i;

	for (i = 0; i < p->npal; i++) {
		if (strcasecmp(p->pal[i].name, name) == 0)
			return &p->pal[i];
	}
	return NULL;
}

/* A colour in [roles]: palette names first, then direct colours. */
static int
color_lookup(const struct parse *p, const char *s, int *out)
{
	const struct palette_entry	*e;

	if ((e = palette_find(p, s)) != NULL) {
		*out = e->color;
		return 0;
	}
	return color_direct(s, out);
}

/* Colours above 15 need a file written for 256 colours. */
static int
color_check_depth(struct parse *p, int line, const char *what, int color)
{
	if (p->depth == 8 && color > 15) {
		parse_error(p, line, "%s: colour %d needs colors = 256 in "
		    "[theme] (this file says 8)", what, color);
		return -1;
	}
	return 0;
}

static int
attrs_parse(const char *s, unsigned *out, char **bad)
{
	char	*copy, *word, *next;
	size_t	 i;

	*out = 0;
	copy = xstrdup(s);
	for (next = copy; (word = strsep(&next, ",")) != NULL;) {
		word = util_trim(word);
		for (i = 0; i < nitems(attr_names); i++) {
			if (strcasecmp(word, attr_names[i].name) == 0)
				break;
		}
		if (i == nitems(attr_names)) {
			*bad = xstrdup(word);
			free(copy);
			return -1;
		}
		*out |= attr_names[i].bit;
	}
	free(copy);
	return 0;
}

/* ------------------------------------------------------------ roles */

static int
spec_color(struct parse *p, int line, const char *what, const char *field,
    int *color)
{
	if (color_lookup(p, field, color) != 0) {
		parse_error(p, line, "%s: '%s' is not a colour (expected a "
		    "[palette] name, a colour such as red or brightblue, "
		    "0-255 or default)", what, field);
		return -1;
	}
	return color_check_depth(p, line, what, *color);
}

/*
 * "fg;bg;attrs" over `base`: empty fields keep base's colours. Returns 0,
 * or -1 with the error recorded against `line`.
 */
static int
spec_parse(struct parse *p, const char *spec, int line, const char *what,
    const struct theme_style *base, struct theme_style *out)
{
	char	*copy, *f[4], *next, *bad = NULL;
	int	 n = 0, r = -1;

	copy = xstrdup(spec);
	next = copy;
	while (n < 4 && (f[n] = strsep(&next, ";")) != NULL)
		f[n] = util_trim(f[n]), n++;
	*out = *base;
	out->attrs = 0;
	out->bg_inherit = true;
	if (n > 3) {
		parse_error(p, line, "%s: too many fields (expected "
		    "fg;bg;attrs)", what);
		goto out;
	}
	if (n > 0 && *f[0] != '\0' &&
	    spec_color(p, line, what, f[0], &out->fg) != 0)
		goto out;
	if (n > 1 && *f[1] != '\0') {
		if (spec_color(p, line, what, f[1], &out->bg) != 0)
			goto out;
		out->bg_inherit = false;
	}
	if (n > 2 && attrs_parse(f[2], &out->attrs, &bad) != 0) {
		parse_error(p, line, "%s: '%s' is not an attribute (expected "
		    "bold, underline, reverse, dim, standout or none)", what,
		    bad);
		goto out;
	}
	r = 0;
out:
	free(bad);
	free(copy);
	return r;
}

/* ------------------------------------------------------------ sections */

static int
key_theme(struct parse *p, const char *key, const char *value)
{
	long long	n;

	if (strcmp(key, "name") == 0) {
		if (*value == '\0' || strlen(value) > THEME_NAME_MAX) {
			parse_error(p, p->line, "[theme] name: expected 1 to "
			    "%d characters", THEME_NAME_MAX);
			return -1;
		}
		free(p->title);
		p->title = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "colors") == 0) {
		if (util_strtoll(value, strlen(value), &n) != 0 ||
		    (n != 8 && n != 256)) {
			parse_error(p, p->line, "[theme] colors: '%s' (expected "
			    "8 or 256)", value);
			return -1;
		}
		p->depth = (int)n;
		p->depth_line = p->line;
		return 0;
	}
	parse_error(p, p->line, "[theme] unknown key '%s' (expected name or "
	    "colors)", key);
	return -1;
}

static bool
palette_name_ok(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n >= PALETTE_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

static int
key_palette(struct parse *p, const char *key, const char *value)
{
	const struct palette_entry	*seen;
	struct palette_entry		*e;
	int				 color;

	if (!palette_name_ok(key)) {
		parse_error(p, p->line, "[palette] '%s': a name is letters, "
		    "digits, '_' and '-', at most %d", key, PALETTE_NAME_MAX - 1);
		return -1;
	}
	if ((seen = palette_find(p, key)) != NULL) {
		parse_error(p, p->line, "[palette] %s: duplicate (first at line "
		    "%d)", key, seen->line);
		return -1;
	}
	if (p->npal == PALETTE_MAX) {
		parse_error(p, p->line, "[palette] more than %d colours",
		    PALETTE_MAX);
		return -1;
	}
	if (color_direct(value, &color) != 0) {
		parse_error(p, p->line, "[palette] %s: '%s' is not a colour "
		    "(expected a colour such as red or brightblue, 0-255 or "
		    "default)", key, value);
		return -1;
	}
	e = &p->pal[p->npal++];
	snprintf(e->name, sizeof e->name, "%s", key);
	e->color = color;
	e->line = p->line;
	return 0;
}

static int
key_roles(struct parse *p, const char *key, const char *value)
{
	char	**slot;
	int	 *line, role;

	if (strcmp(key, "_default_") == 0) {
		slot = &p->base;
		line = &p->base_line;
	} else if ((role = theme_role_find(key)) >= 0) {
		slot = &p->spec[role];
		line = &p->spec_line[role];
	} else {
		parse_error(p, p->line, "[roles] unknown role '%s'", key);
		return -1;
	}
	if (*slot != NULL) {
		parse_error(p, p->line, "[roles] %s: duplicate (first at line "
		    "%d)", key, *line);
		return -1;
	}
	*slot = xstrdup(value);
	*line = p->line;
	return 0;
}

static int
parse_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct parse	*p = user;
	int		 r;

	if (p->cause != NULL)
		return 0;
	switch (p->sect) {
	case SECT_THEME:
		r = key_theme(p, key, value);
		break;
	case SECT_PALETTE:
		r = key_palette(p, key, value);
		break;
	case SECT_ROLES:
		r = key_roles(p, key, value);
		break;
	default:
		parse_error(p, p->line, "'%s' is outside any section "
		    "(expected [theme], [palette] or [roles] first)", key);
		r = -1;
		break;
	}
	return r == 0;
}

/* "[name]" seen by the reader, so that empty sections are checked too. */
static int
section_line(struct parse *p, const char *line)
{
	const char	*end;
	char		 name[64];
	size_t		 n;
	int		 i;

	if ((end = strchr(line, ']')) == NULL) {
		parse_error(p, p->line, "no ']' (expected [section])");
		return -1;
	}
	n = (size_t)(end - line - 1);
	if (n >= sizeof name)
		n = sizeof name - 1;
	memcpy(name, line + 1, n);
	name[n] = '\0';
	for (i = 1; i < SECT_COUNT; i++) {
		if (strcmp(util_trim(name), section_names[i]) == 0)
			break;
	}
	if (i == SECT_COUNT) {
		parse_error(p, p->line, "unknown section [%s] (expected "
		    "[theme], [palette] or [roles])", util_trim(name));
		return -1;
	}
	if (p->sect_line[i] != 0) {
		parse_error(p, p->line, "[%s] appears twice (first at line %d)",
		    section_names[i], p->sect_line[i]);
		return -1;
	}
	p->sect = (enum section)i;
	p->sect_line[i] = p->line;
	return 0;
}

/*
 * libinih takes " ;" as the start of a comment, also right after "= ": a
 * value written "footer = ;green" would silently be empty. Say so instead.
 */
static int
comment_value(struct parse *p, const char *line)
{
	const char	*eq, *v;
	size_t		 n;

	if (*line == ';' || *line == '#' || *line == '[')
		return 0;
	if ((eq = strpbrk(line, "=:")) == NULL)
		return 0;
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		/* nothing */;
	if (v == eq + 1 || *v != ';')
		return 0;
	for (n = (size_t)(eq - line); n > 0 && isspace((unsigned char)line[n - 1]);)
		n--;
	parse_error(p, p->line, "%.*s: the value starts with ' ;', which "
	    "begins a comment: write '%.*s =;...' (no space before ';') or "
	    "name the colour", (int)n, line, (int)n, line);
	return -1;
}

/*
 * Feeds libinih one line at a time, counting lines. Leading white space is
 * dropped: Debian's libinih continues a value on an indented line, which a
 * theme never means.
 */
static char *
parse_reader(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	const char	*line = p->text + p->pos, *nl;
	size_t		 n, len;

	if (p->cause != NULL || p->pos >= p->len)
		return NULL;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl != NULL ? (size_t)(nl - line) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;
	len = n;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (p->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	for (; len > 0 && (*line == ' ' || *line == '\t'); len--)
		line++;
	if (num < 3 || len > (size_t)num - 2) {
		parse_error(p, p->line, "line is longer than %d characters",
		    num - 2);
		return NULL;
	}
	if (memchr(line, '\0', len) != NULL) {
		parse_error(p, p->line, "line holds a NUL byte");
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	if (*str == '[' && section_line(p, str) != 0)
		return NULL;
	if (comment_value(p, str) != 0)
		return NULL;
	return str;
}

/* Checks palette colours against the declared depth. */
static int
resolve_palette(struct parse *p)
{
	size_t	i;
	char	what[64];

	for (i = 0; i < p->npal; i++) {
		snprintf(what, sizeof what, "[palette] %s", p->pal[i].name);
		if (color_check_depth(p, p->pal[i].line, what,
		    p->pal[i].color) != 0)
			return -1;
	}
	return 0;
}

/* Turns the collected text into styles, in line order of any error. */
static int
resolve_roles(struct parse *p, struct theme *t)
{
	struct theme_style	base = { THEME_COLOR_DEFAULT,
				    THEME_COLOR_DEFAULT, 0, false };
	char			what[64];
	int			i;

	if (p->base != NULL && spec_parse(p, p->base, p->base_line,
	    "[roles] _default_", &base, &base) != 0)
		return -1;
	base.bg_inherit = false;
	for (i = 0; i < ROLE_COUNT; i++) {
		t->roles[i] = base;
		t->roles[i].bg_inherit = true;
		if (p->spec[i] == NULL)
			continue;
		snprintf(what, sizeof what, "[roles] %s", role_names[i]);
		if (spec_parse(p, p->spec[i], p->spec_line[i], what, &base,
		    &t->roles[i]) != 0)
			return -1;
	}
	return 0;
}

static void
parse_clear(struct parse *p)
{
	int	i;

	for (i = 0; i < ROLE_COUNT; i++)
		free(p->spec[i]);
	free(p->base);
	free(p->title);
}

/* Name a theme is found by: the file name without directory and .ini. */
static char *
name_from_path(const char *path)
{
	const char	*base = strrchr(path, '/');
	size_t		 n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
		n -= 4;
	return xstrndup(base, n);
}

static int
parse_run(struct parse *p)
{
	int	r;

	r = ini_parse_stream(parse_reader, p, parse_handler, p);
	if (r > 0 && (p->cause == NULL || r < p->cause_line)) {
		free(p->cause);
		p->cause = NULL;
		parse_error(p, r, "expected [section], key = value or a "
		    "comment");
	} else if (r < 0 && p->cause == NULL)
		parse_error(p, 0, "cannot parse (error %d)", r);
	if (p->cause == NULL && p->sect_line[SECT_ROLES] == 0)
		parse_error(p, p->line, "no [roles] section");
	return p->cause != NULL ? -1 : 0;
}

int
theme_load_string(const char *text, const char *file, struct theme **out,
    char **cause)
{
	struct parse	 p;
	struct theme	*t;
	int		 r = -1;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.text = text;
	p.len = strlen(text);
	p.depth = 256;
	t = xcalloc(1, sizeof *t);
	if (parse_run(&p) == 0 && resolve_palette(&p) == 0 &&
	    resolve_roles(&p, t) == 0) {
		t->name = name_from_path(file);
		t->title = p.title != NULL ? xstrdup(p.title) : xstrdup(t->name);
		t->depth = p.depth;
		*out = t;
		t = NULL;
		r = 0;
	} else
		*cause = p.cause, p.cause = NULL;
	free(t);
	parse_clear(&p);
	return r;
}

/* Reads a whole (small) file; -1 with *cause naming it. */
static int
read_file(const char *path, char **text, char **cause)
{
	struct buf	 b = BUF_INIT;
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;
	int		 error;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > THEME_FILE_MAX)
			break;
	}
	error = ferror(f) ? errno : 0;
	fclose(f);
	if (error != 0 || b.len > THEME_FILE_MAX) {
		*cause = error != 0 ? xasprintf("%s: cannot read: %s", path,
		    strerror(error)) : xasprintf("%s: larger than %d KiB",
		    path, THEME_FILE_MAX / 1024);
		buf_free(&b);
		return -1;
	}
	*text = buf_detach(&b);
	return 0;
}

int
theme_load_file(const char *path, struct theme **out, char **cause)
{
	char	*text;
	int	 r;

	if (read_file(path, &text, cause) != 0)
		return -1;
	r = theme_load_string(text, path, out, cause);
	free(text);
	if (r == 0)
		(*out)->path = xstrdup(path);
	return r;
}

/* A name is a file name in a themes directory: no '/', no leading '.'. */
static bool
theme_name_ok(const char *name)
{
	size_t	i, n = strlen(name);

	if (n == 0 || n > THEME_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("._-", name[i]) == NULL)
			return false;
	}
	return true;
}

static char *
dirs_joined(void)
{
	struct buf	  b = BUF_INIT;
	char		**dirs = theme_dirs();
	size_t		  i;

	for (i = 0; dirs[i] != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", dirs[i]);
	theme_dirs_free(dirs);
	return buf_detach(&b);
}

int
theme_load(const char *name, struct theme **out, char **cause)
{
	char	*path, *where;
	int	 r;

	if (strchr(name, '/') != NULL)
		return theme_load_file(name, out, cause);
	if (!theme_name_ok(name)) {
		*cause = xasprintf("theme '%s': a theme name is letters, digits, "
		    "'.', '_' and '-' (or a path with a '/')", name);
		return -1;
	}
	if ((path = theme_find(name)) == NULL) {
		where = dirs_joined();
		*cause = xasprintf("theme '%s' not found (looked for %s.ini in "
		    "%s)", name, name, where);
		free(where);
		return -1;
	}
	r = theme_load_file(path, out, cause);
	free(path);
	return r;
}

struct theme *
theme_builtin(void)
{
	struct theme	*t;
	char		*cause = NULL;

	if (theme_load_string(builtin_text, THEME_DEFAULT_NAME, &t,
	    &cause) != 0)
		abort();	/* tests/unit/test_theme.c keeps this unreachable */
	return t;
}

struct theme *
theme_open(const char *name, char **cause)
{
	struct theme	*t;
	char		*why = NULL, *path;

	*cause = NULL;
	if (name == NULL || *name == '\0')
		name = THEME_DEFAULT_NAME;
	/* no default.ini anywhere is fine: the built-in one is the same */
	if (strcmp(name, THEME_DEFAULT_NAME) == 0) {
		if ((path = theme_find(name)) == NULL)
			return theme_builtin();
		free(path);
	}
	if (theme_load(name, &t, &why) == 0)
		return t;
	*cause = xasprintf("%s; using the built-in theme", why);
	free(why);
	return theme_builtin();
}

void
theme_free(struct theme *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->title);
	free(t->path);
	free(t);
}

/* ------------------------------------------------------------ search */

/* themes/ beside the executable: running from a build tree. */
static char *
exe_themes_dir(void)
{
	char	 exe[PATH_MAX], *slash;
	ssize_t	 n;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xasprintf("%s/themes", exe);
}

char **
theme_dirs(void)
{
	char		**dirs = xcalloc(5, sizeof *dirs);
	const char	 *env;
	size_t		  n = 0;

	if ((env = getenv("CHOPS_THEMES_DIR")) != NULL && *env != '\0')
		dirs[n++] = xstrdup(env);
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		dirs[n++] = xasprintf("%s/chops/themes", env);
	else if ((env = getenv("HOME")) != NULL && *env == '/')
		dirs[n++] = xasprintf("%s/.config/chops/themes", env);
	dirs[n++] = xstrdup(CHOPS_DATADIR "/themes");
	if ((dirs[n] = exe_themes_dir()) != NULL)
		n++;
	return dirs;
}

void
theme_dirs_free(char **dirs)
{
	size_t	i;

	if (dirs == NULL)
		return;
	for (i = 0; dirs[i] != NULL; i++)
		free(dirs[i]);
	free(dirs);
}

char *
theme_find(const char *name)
{
	char		**dirs, *path;
	struct stat	  st;
	size_t		  i;

	if (!theme_name_ok(name))
		return NULL;
	dirs = theme_dirs();
	for (i = 0; dirs[i] != NULL; i++) {
		path = xasprintf("%s/%s.ini", dirs[i], name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(path, R_OK) == 0)
			break;
		free(path);
		path = NULL;
	}
	theme_dirs_free(dirs);
	return path;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the themes of one directory to names[]. */
static void
list_dir(const char *dir, char ***names, size_t *n)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	char		*name;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".ini") != 0)
			continue;
		name = xstrndup(e->d_name, len - 4);
		if (!theme_name_ok(name)) {
			free(name);
			continue;
		}
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = name;
	}
	closedir(d);
}

size_t
theme_list(char ***out)
{
	char	**dirs, **names = NULL;
	size_t	  i, n = 0, kept = 0;

	dirs = theme_dirs();
	for (i = 0; dirs[i] != NULL; i++)
		list_dir(dirs[i], &names, &n);
	theme_dirs_free(dirs);
	names = xreallocarray(names, n + 1, sizeof *names);
	names[n++] = xstrdup(THEME_DEFAULT_NAME);	/* always there */
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		if (kept > 0 && strcmp(names[kept - 1], names[i]) == 0)
			free(names[i]);
		else
			names[kept++] = names[i];
	}
	*out = names;
	return kept;
}

void
theme_list_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *
theme_next(const char *current)
{
	char	**names, *next;
	size_t	  n, i;

	n = theme_list(&names);
	for (i = 0; i < n; i++) {
		if (current != NULL && strcmp(names[i], current) == 0)
			break;
	}
	next = xstrdup(names[i < n ? (i + 1) % n : 0]);
	theme_list_free(names, n);
	return next;
}

/* ------------------------------------------------------------ depth */

/* xterm's colours 0-15, as most terminals show them. */
static const unsigned char ansi_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static void
color_rgb(int c, int rgb[3])
{
	static const int	levels[6] = { 0, 95, 135, 175, 215, 255 };
	int			i;

	if (c < 16) {
		for (i = 0; i < 3; i++)
			rgb[i] = ansi_rgb[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = levels[c / 36];
		rgb[1] = levels[(c / 6) % 6];
		rgb[2] = levels[c % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
}

/* Greys go to black, grey or white by lightness. */
static int
degrade_grey(int light, int ncolors, bool is_bg)
{
	if (ncolors < 16)
		return light < (is_bg ? 128 : 60) ? 0 : 7;
	if (light < 60)
		return 0;
	if (light < 150)
		return 8;
	return light < 220 ? 7 : 15;
}

int
theme_color_degrade(int color, int ncolors, bool is_bg, bool *bold)
{
	int	rgb[3], max, min, cut, c;

	if (bold != NULL)
		*bold = false;
	if (color < 0 || color < ncolors || ncolors < 8)
		return color < ncolors ? color : THEME_COLOR_DEFAULT;
	if (color < 16) {
		if (bold != NULL)
			*bold = true;
		return color - 8;
	}
	color_rgb(color, rgb);
	max = rgb[0] > rgb[1] ? rgb[0] : rgb[1];
	max = max > rgb[2] ? max : rgb[2];
	min = rgb[0] < rgb[1] ? rgb[0] : rgb[1];
	min = min < rgb[2] ? min : rgb[2];
	if (max - min < 40)
		return degrade_grey(max, ncolors, is_bg);
	/* hue by which channels are near the strongest one */
	cut = max * 6 / 10;
	c = (rgb[0] >= cut) | (rgb[1] >= cut) << 1 | (rgb[2] >= cut) << 2;
	if (ncolors >= 16 && max >= 215)
		c += 8;
	return c;
}

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "theme.h"
#include "util.h"
#include "xmalloc.h"

/* The shipped themes, found from the fixtures directory of the source tree. */
#define THEMES_DIR	TEST_FIXTURES "/../../themes"

static const char *shipped[] = {
	"default", "light", "high-contrast", "monochrome"
};

static int
setup_env(void **state)
{
	setenv("CHOPS_THEMES_DIR", THEMES_DIR, 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent-chops-test", 1);
	return 0;
}

static struct theme *
load_ok(const char *text)
{
	struct theme	*t = NULL;
	char		*cause = NULL;

	if (theme_load_string(text, "t.ini", &t, &cause) != 0)
		fail_msg("unexpected error: %s", cause);
	assert_null(cause);
	return t;
}

static void
test_builtin(void **state)
{
	struct theme	*t = theme_builtin();
	int		 i;

	assert_string_equal(t->name, "default");
	assert_null(t->path);
	assert_int_equal(t->depth, 256);
	assert_int_equal(theme_style(t, ROLE_HEADER)->bg, 24);
	for (i = 0; i < ROLE_COUNT; i++)
		assert_int_equal(theme_role_find(theme_role_name(i)), i);
	assert_int_equal(theme_role_find("nope"), -1);
	theme_free(t);
}

/* Every shipped theme loads by path and by name, and names every role. */
static void
test_shipped(void **state)
{
	struct theme	*t;
	char		*cause = NULL, *path, *text;
	size_t		 i;
	int		 r;
	FILE		*f;

	for (i = 0; i < nitems(shipped); i++) {
		path = xasprintf("%s/%s.ini", THEMES_DIR, shipped[i]);
		if (theme_load_file(path, &t, &cause) != 0)
			fail_msg("%s: %s", path, cause);
		assert_string_equal(t->name, shipped[i]);
		assert_non_null(t->path);
		theme_free(t);
		t = theme_open(shipped[i], &cause);
		assert_null(cause);
		assert_string_equal(t->name, shipped[i]);
		theme_free(t);
		/* a shipped theme lists every role: none falls back silently */
		text = xmalloc(65536);
		f = fopen(path, "r");
		assert_non_null(f);
		text[fread(text, 1, 65535, f)] = '\0';
		fclose(f);
		for (r = 0; r < ROLE_COUNT; r++) {
			char	*key = xasprintf("\n%s =", theme_role_name(r));

			if (strstr(text, key) == NULL)
				fail_msg("%s lacks role %s", path,
				    theme_role_name(r));
			free(key);
		}
		free(text);
		free(path);
	}
}

/* The built-in theme is default.ini without its comments. */
static void
test_builtin_matches_default(void **state)
{
	struct theme	*a = theme_builtin(), *b;
	char		*cause = NULL;
	int		 i;

	b = theme_open("default", &cause);
	assert_null(cause);
	assert_non_null(b->path);
	for (i = 0; i < ROLE_COUNT; i++) {
		assert_int_equal(a->roles[i].fg, b->roles[i].fg);
		assert_int_equal(a->roles[i].bg, b->roles[i].bg);
		assert_int_equal(a->roles[i].attrs, b->roles[i].attrs);
		assert_int_equal(a->roles[i].bg_inherit, b->roles[i].bg_inherit);
	}
	theme_free(a);
	theme_free(b);
}

static void
test_fallback(void **state)
{
	struct theme			*t;
	const struct theme_style	*s;

	t = load_ok("[roles]\n_default_ = white;blue;bold\nheader = red\n"
	    "footer =;green;underline\n");
	s = theme_style(t, ROLE_OK);		/* missing: all of _default_ */
	assert_int_equal(s->fg, 7);
	assert_int_equal(s->bg, 4);
	assert_int_equal(s->attrs, THEME_ATTR_BOLD);
	assert_true(s->bg_inherit);
	s = theme_style(t, ROLE_HEADER);	/* bg from _default_ */
	assert_int_equal(s->fg, 1);
	assert_int_equal(s->bg, 4);
	assert_int_equal(s->attrs, 0);
	assert_true(s->bg_inherit);
	s = theme_style(t, ROLE_FOOTER);	/* fg from _default_ */
	assert_int_equal(s->fg, 7);
	assert_int_equal(s->bg, 2);
	assert_int_equal(s->attrs, THEME_ATTR_UNDERLINE);
	assert_false(s->bg_inherit);
	theme_free(t);

	t = load_ok("[roles]\nheader = red\n");	/* no _default_ */
	assert_int_equal(theme_style(t, ROLE_OK)->fg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme_style(t, ROLE_HEADER)->bg, THEME_COLOR_DEFAULT);
	theme_free(t);
}

static void
test_colors_and_attrs(void **state)
{
	struct theme			*t;
	const struct theme_style	*s;

	t = load_ok("[theme]\nname = Test Theme\ncolors = 256\n"
	    "[palette]\naccent = 39\nred = 160\nbg = default\n"
	    "[roles]\n"
	    "header = accent;bg;bold,underline\n"
	    "footer = brightblue;color200;reverse, dim ,standout\n"
	    "ok = red;BLACK;none\n"
	    "warn = default;255\n");
	assert_string_equal(t->title, "Test Theme");
	assert_string_equal(t->name, "t");
	s = theme_style(t, ROLE_HEADER);
	assert_int_equal(s->fg, 39);
	assert_int_equal(s->bg, THEME_COLOR_DEFAULT);
	assert_int_equal(s->attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	s = theme_style(t, ROLE_FOOTER);
	assert_int_equal(s->fg, 12);
	assert_int_equal(s->bg, 200);
	assert_int_equal(s->attrs, THEME_ATTR_REVERSE | THEME_ATTR_DIM |
	    THEME_ATTR_STANDOUT);
	s = theme_style(t, ROLE_OK);		/* palette shadows "red" */
	assert_int_equal(s->fg, 160);
	assert_int_equal(s->bg, 0);
	assert_int_equal(s->attrs, 0);
	s = theme_style(t, ROLE_WARN);
	assert_int_equal(s->fg, THEME_COLOR_DEFAULT);
	assert_int_equal(s->bg, 255);
	theme_free(t);
}

/* libinih details: inline comments, indented lines, CRLF, BOM. */
static void
test_ini_details(void **state)
{
	struct theme	*t;

	t = load_ok("\xef\xbb\xbf[roles] ; roles\r\n"
	    "header = red;blue ; a comment\r\n"
	    "  footer = green\r\n"		/* not a continuation */
	    "ok = yellow ;blue\r\n"		/* " ;" starts a comment */
	    "# another comment\n");
	assert_int_equal(theme_style(t, ROLE_HEADER)->fg, 1);
	assert_int_equal(theme_style(t, ROLE_HEADER)->bg, 4);
	assert_int_equal(theme_style(t, ROLE_FOOTER)->fg, 2);
	assert_int_equal(theme_style(t, ROLE_OK)->fg, 3);
	assert_int_equal(theme_style(t, ROLE_OK)->bg, THEME_COLOR_DEFAULT);
	theme_free(t);
}

static const struct {
	const char	*text;
	const char	*where;		/* "t.ini:LINE:" */
	const char	*what;
} bad[] = {
	{ "[roles]\nheader = purple;black\n", "t.ini:2:",
	  "'purple' is not a colour" },
	{ "[roles]\nheader = red;black;blink\n", "t.ini:2:",
	  "'blink' is not an attribute" },
	{ "[roles]\nheader = red\nhedaer = blue\n", "t.ini:3:",
	  "unknown role 'hedaer'" },
	{ "[roles]\nok = red\n[colours]\nx = 1\n", "t.ini:3:",
	  "unknown section [colours]" },
	{ "[roles]\nok = red\n[colours]\n", "t.ini:3:",
	  "unknown section [colours]" },
	{ "[roles]\nheader = red;blue;bold;x\n", "t.ini:2:",
	  "too many fields" },
	{ "[roles]\nheader = 256\n", "t.ini:2:", "'256' is not a colour" },
	{ "[roles]\nheader = -1\n", "t.ini:2:", "'-1' is not a colour" },
	{ "[roles]\nheader = red;;bold,\n", "t.ini:2:",
	  "'' is not an attribute" },
	{ "[roles]\nok = red\nfooter = ;green\n", "t.ini:3:",
	  "footer: the value starts with ' ;'" },
	{ "[theme]\ncolors = 16\n[roles]\n", "t.ini:2:",
	  "expected 8 or 256" },
	{ "[theme]\ncolours = 8\n[roles]\n", "t.ini:2:",
	  "unknown key 'colours'" },
	{ "[theme]\ncolors = 8\n[roles]\nok = red\nheader = 39\n",
	  "t.ini:5:", "colour 39 needs colors = 256" },
	{ "[theme]\ncolors = 8\n[palette]\nblue2 = 33\n[roles]\n",
	  "t.ini:4:", "colour 33 needs colors = 256" },
	{ "[palette]\naccent = sky\n[roles]\n", "t.ini:2:",
	  "'sky' is not a colour" },
	{ "[palette]\nbad name = 1\n[roles]\n", "t.ini:2:",
	  "a name is letters" },
	{ "[palette]\na = 1\na = 2\n[roles]\n", "t.ini:3:",
	  "duplicate (first at line 2)" },
	{ "[roles]\nok = red\nok = blue\n", "t.ini:3:",
	  "duplicate (first at line 2)" },
	{ "header = red\n[roles]\n", "t.ini:1:", "outside any section" },
	{ "[roles]\nok = red\nthis is not a key\n", "t.ini:3:",
	  "expected [section], key = value" },
	{ "[roles\nok = red\n", "t.ini:1:", "no ']'" },
	{ "[roles]\n[roles]\n", "t.ini:2:", "appears twice" },
	{ "[theme]\nname = x\n", "t.ini:2:", "no [roles] section" },
	{ "[roles]\nok = 1\nheader = NEWLINE\n", "t.ini:3:",
	  "'NEWLINE' is not a colour" },
};

static void
test_errors(void **state)
{
	struct theme	*t, *keep = (struct theme *)0x1;
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		t = keep;
		if (theme_load_string(bad[i].text, "t.ini", &t, &cause) == 0)
			fail_msg("case %zu loaded", i);
		assert_ptr_equal(t, keep);	/* transactional */
		assert_non_null(cause);
		if (strncmp(cause, bad[i].where, strlen(bad[i].where)) != 0 ||
		    strstr(cause, bad[i].what) == NULL)
			fail_msg("case %zu: got \"%s\", want %s ... %s", i,
			    cause, bad[i].where, bad[i].what);
		free(cause);
	}
}

static void
test_long_line(void **state)
{
	struct theme	*t;
	char		*text, *cause = NULL;

	text = xmalloc(20000);
	strcpy(text, "[roles]\nok = red;;");
	memset(text + strlen(text), 'b', 10000);
	strcpy(text + 18 + 10000, "\n");
	assert_int_equal(theme_load_string(text, "t.ini", &t, &cause), -1);
	assert_non_null(strstr(cause, "t.ini:2: line is longer than"));
	free(cause);
	free(text);
}

static char *
write_temp(const char *text)
{
	char	 path[] = "/tmp/chops-theme-XXXXXX.ini";
	int	 fd;

	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return xstrdup(path);
}

/* A missing or broken file gives the built-in theme and says why. */
static void
test_open_fallback(void **state)
{
	struct theme	*t;
	char		*cause, *path, *want;

	t = theme_open("no-such-theme", &cause);
	assert_non_null(t);
	assert_null(t->path);
	assert_string_equal(t->name, "default");
	assert_non_null(strstr(cause, "theme 'no-such-theme' not found"));
	assert_non_null(strstr(cause, THEMES_DIR));
	assert_non_null(strstr(cause, "using the built-in theme"));
	free(cause);
	theme_free(t);

	path = write_temp("[theme]\nname = broken\n[roles]\nok = red;;flash\n");
	t = theme_open(path, &cause);
	assert_null(t->path);
	want = xasprintf("%s:4: [roles] ok: 'flash' is not an attribute", path);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("got %s", cause);
	free(want);
	free(cause);
	theme_free(t);
	unlink(path);
	free(path);

	t = theme_open("/nonexistent/dir/x.ini", &cause);
	assert_non_null(strstr(cause, "/nonexistent/dir/x.ini: cannot open"));
	free(cause);
	theme_free(t);

	t = theme_open(".hidden", &cause);
	assert_non_null(strstr(cause, "a theme name is"));
	free(cause);
	theme_free(t);

	t = theme_open(NULL, &cause);		/* default */
	assert_null(cause);
	theme_free(t);
}

static void
test_list_next(void **state)
{
	char	**names, *next;
	size_t	  n, i, found = 0, j;

	n = theme_list(&names);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nitems(shipped); j++)
			found += strcmp(names[i], shipped[j]) == 0;
		if (i > 0)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
	}
	assert_int_equal(found, nitems(shipped));
	theme_list_free(names, n);

	next = theme_next("default");
	assert_string_equal(next, "high-contrast");
	free(next);
	next = theme_next("monochrome");
	assert_string_equal(next, "default");
	free(next);
	next = theme_next("gone");
	assert_string_equal(next, "default");
	free(next);
}

static void
test_degrade(void **state)
{
	bool	bold;

	assert_int_equal(theme_color_degrade(5, 256, false, &bold), 5);
	assert_false(bold);
	assert_int_equal(theme_color_degrade(THEME_COLOR_DEFAULT, 8, false, &bold),
	    THEME_COLOR_DEFAULT);
	assert_int_equal(theme_color_degrade(9, 8, false, &bold), 1);
	assert_true(bold);
	assert_int_equal(theme_color_degrade(9, 16, false, &bold), 9);
	assert_int_equal(theme_color_degrade(39, 8, false, &bold), 6);	/* sky */
	assert_int_equal(theme_color_degrade(25, 8, false, NULL), 4);	/* blue */
	assert_int_equal(theme_color_degrade(160, 8, false, NULL), 1);	/* red */
	assert_int_equal(theme_color_degrade(52, 8, false, NULL), 1);	/* dark red */
	assert_int_equal(theme_color_degrade(214, 8, false, NULL), 3);	/* orange */
	assert_int_equal(theme_color_degrade(77, 8, false, NULL), 2);	/* green */
	assert_int_equal(theme_color_degrade(236, 8, false, NULL), 0);	/* grey */
	assert_int_equal(theme_color_degrade(240, 8, false, NULL), 7);	/* text */
	assert_int_equal(theme_color_degrade(240, 8, true, NULL), 0);	/* bg */
	assert_int_equal(theme_color_degrade(250, 8, true, NULL), 7);
	assert_int_equal(theme_color_degrade(252, 8, false, NULL), 7);
	assert_int_equal(theme_color_degrade(231, 8, false, NULL), 7);	/* white */
	assert_int_equal(theme_color_degrade(16, 8, false, NULL), 0);	/* black */
	assert_int_equal(theme_color_degrade(203, 16, false, NULL), 9);
	assert_int_equal(theme_color_degrade(244, 16, false, NULL), 8);
	assert_int_equal(theme_color_degrade(3, 0, false, NULL), THEME_COLOR_DEFAULT);
}

static void
test_mono_attrs(void **state)
{
	assert_true(theme_mono_attrs(ROLE_SELECTION) & THEME_ATTR_REVERSE);
	assert_int_equal(theme_mono_attrs(ROLE_DEFAULT), 0);
	assert_int_equal(theme_mono_attrs(ROLE_COUNT), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_builtin_matches_default),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_colors_and_attrs),
		cmocka_unit_test(test_ini_details),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_open_fallback),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_degrade),
		cmocka_unit_test(test_mono_attrs),
	};

	return cmocka_run_group_tests(tests, setup_env, NULL);
}

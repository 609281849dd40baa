/*
 * The key table. Order matters twice: within a context, the first binding
 * of a key wins, and the footer shows hints in table order (pane actions
 * first, then global ones, quit last).
 */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "util.h"

#define F(n)	KEYC_FN(KEY_F(n))
#define FN(k)	KEYC_FN(k)
#define C(c)	KEYC_CTRL(c)

static const struct key_binding table[] = {
	/* pane */
	{ ACT_UP, KEYCTX_PANE, NULL, { FN(KEY_UP), 'k' }, NULL, NULL,
	  "Move up" },
	{ ACT_DOWN, KEYCTX_PANE, NULL, { FN(KEY_DOWN), 'j' }, NULL, NULL,
	  "Move down" },
	{ ACT_LEFT, KEYCTX_PANE, NULL, { FN(KEY_LEFT), 'h' }, NULL, NULL,
	  "Left; in a list, the previous pane" },
	{ ACT_RIGHT, KEYCTX_PANE, NULL, { FN(KEY_RIGHT), 'l' }, NULL, NULL,
	  "Right; in a list, the next pane" },
	{ ACT_PAGE_UP, KEYCTX_PANE, NULL, { FN(KEY_PPAGE), C('b') }, NULL,
	  NULL, "Page up" },
	{ ACT_PAGE_DOWN, KEYCTX_PANE, NULL, { FN(KEY_NPAGE), C('f'), ' ' },
	  NULL, NULL, "Page down" },
	{ ACT_HOME, KEYCTX_PANE, NULL, { FN(KEY_HOME), 'g' }, NULL, NULL,
	  "First row" },
	{ ACT_END, KEYCTX_PANE, NULL, { FN(KEY_END), 'G' }, NULL, NULL,
	  "Last row" },
	/* the Backups pane's actions first: its footer shows them */
	{ ACT_BACKUP, KEYCTX_PANE, "backups", { 'b' }, NULL, "Backup",
	  "Back up the selected table: asks for the period (the plan's, "
	  "prefilled); runs in the background; refused when read-only" },
	{ ACT_VERIFY, KEYCTX_PANE, "backups", { 'v' }, NULL, "Verify",
	  "Verify the selected backup (or the table's latest): object "
	  "size and SHA-256, in the background" },
	{ ACT_KILL, KEYCTX_PANE, "backups", { 'c' }, NULL, NULL,
	  "Cancel the backup or verify running in the background (asks "
	  "first; Esc too, at the top level)" },
	{ ACT_RESTORE, KEYCTX_PANE, "backups", { 'R' }, NULL, NULL,
	  "Restore the selected backup (staging first)" },
	{ ACT_DELETE, KEYCTX_PANE, "backups", { 'd' }, NULL, NULL,
	  "Delete the selected backup (asks to type its id)" },
	{ ACT_PRUNE, KEYCTX_PANE, "backups", { 'p' }, NULL, NULL,
	  "Prune old backups (previews first)" },
	{ ACT_AUDIT, KEYCTX_PANE, "backups", { 'a' }, NULL, NULL,
	  "The audit trail" },
	{ ACT_ENTER, KEYCTX_PANE, NULL, { KEYC_ENTER, '\n', FN(KEY_ENTER) },
	  NULL, "Details", "Drill down: details of the selected row" },
	{ ACT_BACK, KEYCTX_PANE, NULL, { KEYC_ESC, FN(KEY_BACKSPACE), 127 },
	  NULL, NULL, "Back up a level; clear the filter" },
	{ ACT_FILTER, KEYCTX_PANE, NULL, { '/', F(4) }, NULL, "Filter",
	  "Filter the rows (Enter applies, Esc cancels)" },
	{ ACT_SORT, KEYCTX_PANE, NULL, { 's', F(6) }, NULL, "Sort",
	  "Sort by the next column" },
	{ ACT_SORT_REVERSE, KEYCTX_PANE, NULL, { 'S' }, NULL, NULL,
	  "Reverse the sort order" },
	{ ACT_DELETE, KEYCTX_PANE, NULL, { 'D', F(8) }, NULL, NULL,
	  "Delete or drop the selected item (asks to type its name; "
	  "refused when read-only)" },
	{ ACT_KILL, KEYCTX_PANE, "clickhouse", { 'k', F(9) }, NULL, NULL,
	  "Kill the selected running query (asks first; refused when "
	  "read-only); elsewhere in this pane k moves up" },
	/* global */
	{ ACT_HELP, KEYCTX_GLOBAL, NULL, { '?', F(1) }, NULL, "Help",
	  "This help" },
	{ ACT_REFRESH, KEYCTX_GLOBAL, NULL, { 'r', F(5) }, NULL, "Refresh",
	  "Refresh every source now" },
	{ ACT_THEME, KEYCTX_GLOBAL, NULL, { 'T', F(2) }, NULL, "Theme",
	  "Next colour theme" },
	{ ACT_NEXT_PANE, KEYCTX_GLOBAL, NULL, { KEYC_TAB }, NULL, "Pane",
	  "Next pane (or tab, on narrow terminals)" },
	{ ACT_PREV_PANE, KEYCTX_GLOBAL, NULL, { FN(KEY_BTAB) }, NULL, NULL,
	  "Previous pane" },
	{ ACT_GOTO_PANE, KEYCTX_GLOBAL, NULL,
	  { '1', '2', '3', '4', '5', '6', '7', '8', '9' }, "1-9", NULL,
	  "Go to pane N" },
	{ ACT_REDRAW, KEYCTX_GLOBAL, NULL, { C('l') }, NULL, NULL,
	  "Redraw the screen" },
	{ ACT_QUIT, KEYCTX_GLOBAL, NULL, { 'q', F(10) }, NULL, "Quit",
	  "Quit chops (Ctrl-C too)" },
	/* the one-line input */
	{ ACT_INPUT_ACCEPT, KEYCTX_INPUT, NULL,
	  { KEYC_ENTER, '\n', FN(KEY_ENTER) }, NULL, NULL, "Apply" },
	{ ACT_INPUT_CANCEL, KEYCTX_INPUT, NULL, { KEYC_ESC, C('g') }, NULL,
	  NULL, "Cancel" },
	{ ACT_INPUT_ERASE, KEYCTX_INPUT, NULL,
	  { FN(KEY_BACKSPACE), 127, C('h') }, NULL, NULL,
	  "Delete the character before the cursor" },
	{ ACT_INPUT_DELETE, KEYCTX_INPUT, NULL, { FN(KEY_DC), C('d') }, NULL,
	  NULL, "Delete the character under the cursor" },
	{ ACT_INPUT_CLEAR, KEYCTX_INPUT, NULL, { C('u') }, NULL, NULL,
	  "Clear the line" },
	{ ACT_INPUT_WORD, KEYCTX_INPUT, NULL, { C('w') }, NULL, NULL,
	  "Delete the word before the cursor" },
	{ ACT_INPUT_LEFT, KEYCTX_INPUT, NULL, { FN(KEY_LEFT), C('b') }, NULL,
	  NULL, "Cursor left" },
	{ ACT_INPUT_RIGHT, KEYCTX_INPUT, NULL, { FN(KEY_RIGHT), C('f') },
	  NULL, NULL, "Cursor right" },
	{ ACT_INPUT_HOME, KEYCTX_INPUT, NULL, { FN(KEY_HOME), C('a') }, NULL,
	  NULL, "Start of the line" },
	{ ACT_INPUT_END, KEYCTX_INPUT, NULL, { FN(KEY_END), C('e') }, NULL,
	  NULL, "End of the line" },
	/* dialogs */
	{ ACT_DIALOG_OK, KEYCTX_DIALOG, NULL,
	  { KEYC_ENTER, '\n', FN(KEY_ENTER), 'y' }, NULL, NULL,
	  "Confirm, close (y answers yes where there is no text to type)" },
	{ ACT_DIALOG_CANCEL, KEYCTX_DIALOG, NULL,
	  { KEYC_ESC, 'q', 'n', F(10) }, NULL, NULL,
	  "Cancel, close (q and n only where there is no text to type)" },
	{ ACT_UP, KEYCTX_DIALOG, NULL, { FN(KEY_UP), 'k' }, NULL, NULL,
	  "Scroll up" },
	{ ACT_DOWN, KEYCTX_DIALOG, NULL, { FN(KEY_DOWN), 'j' }, NULL, NULL,
	  "Scroll down" },
	{ ACT_PAGE_UP, KEYCTX_DIALOG, NULL, { FN(KEY_PPAGE), C('b') }, NULL,
	  NULL, "Page up" },
	{ ACT_PAGE_DOWN, KEYCTX_DIALOG, NULL, { FN(KEY_NPAGE), C('f'), ' ' },
	  NULL, NULL, "Page down" },
	{ ACT_HOME, KEYCTX_DIALOG, NULL, { FN(KEY_HOME), 'g' }, NULL, NULL,
	  "Top" },
	{ ACT_END, KEYCTX_DIALOG, NULL, { FN(KEY_END), 'G' }, NULL, NULL,
	  "Bottom" },
};

static const char *context_titles[KEYCTX_COUNT] = {
	[KEYCTX_GLOBAL] = "Everywhere",
	[KEYCTX_PANE] = "In a pane",
	[KEYCTX_INPUT] = "Typing (filter, confirmations)",
	[KEYCTX_DIALOG] = "In dialogs and this help",
};

const struct key_binding *
keys_table(size_t *n)
{
	*n = nitems(table);
	return table;
}

const char *
keys_context_title(enum key_context ctx)
{
	return (int)ctx >= 0 && ctx < KEYCTX_COUNT ? context_titles[ctx] : "";
}

static bool
binding_has(const struct key_binding *b, int key)
{
	size_t	i;

	for (i = 0; i < KEYS_PER_BINDING && b->keys[i] != 0; i++) {
		if (b->keys[i] == key)
			return true;
	}
	return false;
}

enum action
keys_lookup(enum key_context ctx, const char *pane, int key)
{
	const struct key_binding	*b, *any = NULL;
	size_t				 i;

	if (key == 0)
		return ACT_NONE;
	for (i = 0; i < nitems(table); i++) {
		b = &table[i];
		if (b->ctx != ctx || !binding_has(b, key))
			continue;
		if (b->pane == NULL) {
			if (any == NULL)
				any = b;
		} else if (pane != NULL && strcmp(b->pane, pane) == 0)
			return b->action;
	}
	return any != NULL ? any->action : ACT_NONE;
}

static const struct {
	int		 key;
	const char	*name;
} fn_names[] = {
	{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" },
	{ KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" },
	{ KEY_HOME, "Home" }, { KEY_END, "End" }, { KEY_BTAB, "S-Tab" },
	{ KEY_ENTER, "Enter" }, { KEY_BACKSPACE, "Bksp" }, { KEY_DC, "Del" },
	{ KEY_IC, "Ins" }, { KEY_RESIZE, "Resize" },
};

static void
fn_name(int k, char *buf, size_t len)
{
	const char	*name;
	size_t		 i;

	if (k >= KEY_F(1) && k <= KEY_F(63)) {
		snprintf(buf, len, "F%d", k - KEY_F(0));
		return;
	}
	for (i = 0; i < nitems(fn_names); i++) {
		if (fn_names[i].key == k) {
			snprintf(buf, len, "%s", fn_names[i].name);
			return;
		}
	}
	name = keyname(k);
	snprintf(buf, len, "%s", name != NULL ? name : "?");
}

void
keys_name(int key, char *buf, size_t len)
{
	if (KEYC_IS_FN(key))
		fn_name(key - KEYC_FN_BASE, buf, len);
	else if (key == KEYC_ENTER || key == '\n')
		snprintf(buf, len, "Enter");
	else if (key == KEYC_TAB)
		snprintf(buf, len, "Tab");
	else if (key == KEYC_ESC)
		snprintf(buf, len, "Esc");
	else if (key == 127 || key == KEYC_CTRL('h'))
		snprintf(buf, len, "Bksp");
	else if (key == ' ')
		snprintf(buf, len, "Space");
	else if (key > 0 && key < 32)
		snprintf(buf, len, "C-%c", key + 'a' - 1);
	else if (key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "U+%04X", (unsigned)key);
}

/* Enter is often bound twice ('\r' and '\n'): help shows it once. */
static bool
name_seen(const struct key_binding *b, size_t upto, const char *name)
{
	char	other[32];
	size_t	i;

	for (i = 0; i < upto; i++) {
		keys_name(b->keys[i], other, sizeof other);
		if (strcmp(other, name) == 0)
			return true;
	}
	return false;
}

void
keys_binding_names(const struct key_binding *b, char *buf, size_t len)
{
	char	one[32];
	size_t	i, used = 0;
	int	n;

	if (b->keyhelp != NULL) {
		snprintf(buf, len, "%s", b->keyhelp);
		return;
	}
	*buf = '\0';
	for (i = 0; i < KEYS_PER_BINDING && b->keys[i] != 0; i++) {
		keys_name(b->keys[i], one, sizeof one);
		if (name_seen(b, i, one))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
		    one);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

int
keys_read(WINDOW *win)
{
	wint_t	wch;
	int	r;

	r = wget_wch(win, &wch);
	if (r == KEY_CODE_YES)
		return KEYC_FN((int)wch);
	if (r == OK && wch != 0)
		return (int)wch;
	return 0;
}

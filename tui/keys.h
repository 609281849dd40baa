/*
 * The one key table: every key the console knows, the named action it
 * triggers, where (context) and its help text. The footer hints and the
 * help screen are generated from it, so they cannot drift from what the
 * keys do. Actions return reaction flags saying what changed.
 */
#ifndef CHOPS_KEYS_H
#define CHOPS_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

/*
 * A key: a character (its wchar_t value; Enter is '\r', Esc 27, Ctrl-X is
 * 24) or a curses function key wrapped in KEYC_FN (KEYC_FN(KEY_F(1))).
 */
#define KEYC_FN_BASE	0x200000
#define KEYC_FN(k)	(KEYC_FN_BASE + (k))
#define KEYC_IS_FN(c)	((c) >= KEYC_FN_BASE)
#define KEYC_CTRL(c)	((c) & 0x1f)
#define KEYC_ESC	27
#define KEYC_ENTER	'\r'
#define KEYC_TAB	'\t'

enum action {
	ACT_NONE,
	/* global */
	ACT_QUIT,
	ACT_HELP,
	ACT_NEXT_PANE,
	ACT_PREV_PANE,
	ACT_GOTO_PANE,		/* 1-9: the key says which */
	ACT_REFRESH,
	ACT_THEME,
	ACT_REDRAW,
	/* pane */
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_HOME,
	ACT_END,
	ACT_ENTER,		/* drill down, details */
	ACT_BACK,
	ACT_FILTER,
	ACT_SORT,
	ACT_SORT_REVERSE,
	ACT_DELETE,		/* destructive: always asks first */
	ACT_KILL,		/* stop the selected thing: asks first */
	ACT_BACKUP,		/* take a backup (asks for the period) */
	ACT_VERIFY,		/* check the selected backup */
	ACT_RESTORE,
	ACT_PRUNE,
	ACT_AUDIT,		/* the audit trail */
	/* one-line input (filter, typed confirmation) */
	ACT_INPUT_ACCEPT,
	ACT_INPUT_CANCEL,
	ACT_INPUT_ERASE,
	ACT_INPUT_DELETE,
	ACT_INPUT_CLEAR,
	ACT_INPUT_WORD,
	ACT_INPUT_LEFT,
	ACT_INPUT_RIGHT,
	ACT_INPUT_HOME,
	ACT_INPUT_END,
	/* dialogs */
	ACT_DIALOG_OK,
	ACT_DIALOG_CANCEL,
	ACT_COUNT
};

enum key_context {
	KEYCTX_GLOBAL,		/* anywhere outside dialogs and input */
	KEYCTX_PANE,		/* the focused pane */
	KEYCTX_INPUT,		/* the filter line, typed confirmations */
	KEYCTX_DIALOG,		/* message boxes, confirmations, help */
	KEYCTX_COUNT
};

/* Reaction flags: what an action changed (htop's Htop_Reaction). */
#define REACT_NONE	0x00
#define REACT_REDRAW	0x01	/* the pane (or dialog) that acted */
#define REACT_REDRAW_ALL 0x02	/* everything: layout, theme, focus */
#define REACT_REFRESH	0x04	/* fetch data now */
#define REACT_QUIT	0x08
#define REACT_PASS	0x10	/* not handled here: try the global meaning */
#define REACT_HEADER	0x20	/* header (source states) changed */
#define REACT_CLOSE	0x40	/* a dialog is done */

#define KEYS_PER_BINDING 9

struct key_binding {
	enum action	 action;
	enum key_context ctx;
	const char	*pane;		/* pane name it is limited to, or NULL */
	int		 keys[KEYS_PER_BINDING]; /* 0 ends the list early */
	const char	*keyhelp;	/* how help shows the keys, or NULL */
	const char	*hint;		/* footer label, or NULL: not shown */
	const char	*help;
};

/*
 * The action of `key` in a context; `pane` is the focused pane's name (its
 * own bindings win over ones for every pane). ACT_NONE when unbound.
 */
enum action	 keys_lookup(enum key_context, const char *pane, int key);
/* The table, for help and hints. */
const struct key_binding *keys_table(size_t *n);
/* "q", "F10", "Tab", "S-Tab", "C-l", "Up", "PgDn", "Enter", "Esc", ... */
void		 keys_name(int key, char *buf, size_t len);
/* "q F10" (or keyhelp) for a binding. */
void		 keys_binding_names(const struct key_binding *, char *buf,
		     size_t len);
const char	*keys_context_title(enum key_context);
/* Reads a key from curses without waiting; 0 when there is none. */
int		 keys_read(WINDOW *);

#endif

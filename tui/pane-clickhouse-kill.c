/*
 * The kill action: a yes/no question, then ch_kill_query_start. The kill
 * owns itself: it is freed when the question is answered no or when the
 * core reports, whether or not its caller still waits for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_views.h"
#include "clickhouse.h"
#include "console.h"
#include "dialog.h"
#include "keys.h"
#include "pane-clickhouse-kill.h"
#include "ui.h"
#include "xmalloc.h"

#define CHK_QUERY_SHOWN	160	/* bytes of the query's text in the question */

struct chkill {
	struct ch_client	*ch;
	char			*query_id;
	char			*node;
	chkill_fn		 done;		/* NULL once forgotten */
	void			*arg;
};

static void
kill_over(struct chkill *k)
{
	if (k->done != NULL)
		k->done(k->arg);
	free(k->query_id);
	free(k->node);
	free(k);
}

static void
kill_done(const struct ch_error *err, const char *outcome, void *arg)
{
	struct chkill	*k = arg;

	if (err != NULL)
		console_set_status(ROLE_ERROR, "kill query %s on %s: %s",
		    k->query_id, k->node, err->message != NULL ?
		    err->message : ch_errkind_name(err->kind));
	else
		console_set_status(strstr(outcome, "not running") != NULL ?
		    ROLE_WARN : ROLE_OK, "%s on %s", outcome, k->node);
	kill_over(k);
}

static int
kill_answer(void *arg, bool yes)
{
	struct chkill	*k = arg;
	char		*cause = NULL;

	if (!yes) {
		kill_over(k);
		return REACT_NONE;
	}
	/* the core refuses too, should read-only have come on meanwhile */
	if (ch_kill_query_start(k->ch, k->query_id, console_read_only(),
	    kill_done, k, &cause) != 0) {
		console_set_status(ROLE_WARN, "%s", cause);
		free(cause);
		kill_over(k);
		return REACT_NONE;
	}
	console_set_status(ROLE_FOOTER, "killing query %s on %s%s",
	    k->query_id, k->node, ui_utf8() ? "…" : "...");
	return REACT_NONE;
}

/* The start of `s`, at most `max` bytes, not cutting a character. */
static char *
text_start(const char *s, size_t max)
{
	if (strlen(s) <= max)
		return xstrdup(s);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return xasprintf("%.*s%s", (int)max, s, ui_utf8() ? "…" : "...");
}

struct chkill *
chkill_ask(struct ch_client *ch, const char *node, const char *query_id,
    const char *query_text, chkill_fn done, void *arg)
{
	struct chkill	*k;
	char		*text, *start;

	if (console_read_only()) {
		console_set_status(ROLE_WARN, "read-only mode: not killing "
		    "query %s on %s", query_id, node);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->ch = ch;
	k->query_id = xstrdup(query_id);
	k->node = xstrdup(node);
	k->done = done;
	k->arg = arg;
	start = text_start(query_text, CHK_QUERY_SHOWN);
	text = xasprintf("Kill query %s on %s? (y/n)\n\n%s", query_id, node,
	    start);
	console_open_dialog(dialog_confirm("Kill query", text, kill_answer,
	    k));
	free(start);
	free(text);
	return k;
}

void
chkill_forget(struct chkill *k)
{
	if (k != NULL)
		k->done = NULL;
}

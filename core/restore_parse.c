/*
 * Reading SQL text that comes from a manifest or the server before any of
 * it goes into a statement: column types, the CREATE TABLE statement
 * (renamed, unreplicated, refused when it could do more than create a
 * table), and partition keys (see restore_sql.h).
 */
#include "restore_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#define RSQL_TYPE_MAX		4096

/*
 * The index just past the quoted text that starts at s[i] (', " or `),
 * with backslash escapes and doubled quotes; 0 when it never ends.
 */
static size_t
rsql_skip_quoted(const char *s, size_t i)
{
	char	q = s[i++];

	for (; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		else if (s[i] == q && s[i + 1] == q)
			i++;
		else if (s[i] == q)
			return i + 1;
	}
	return 0;
}

bool
rsql_type_safe(const char *t)
{
	size_t	i, next;
	int	depth = 0;

	if (*t == '\0' || strlen(t) > RSQL_TYPE_MAX)
		return false;
	for (i = 0; t[i] != '\0'; i = next) {
		next = i + 1;
		if (t[i] == '\'') {
			if ((next = rsql_skip_quoted(t, i)) == 0)
				return false;
		} else if (t[i] == '(')
			depth++;
		else if (t[i] == ')') {
			if (--depth < 0)
				return false;
		} else if (t[i] == '-' && t[i + 1] == '-')
			return false;
		else if (!isalnum((unsigned char)t[i]) &&
		    strchr("_ ,.=+-", t[i]) == NULL)
			return false;
	}
	return depth == 0;
}

/* ---------------------------------------------------------------- CREATE */

struct rsql_scan {
	const char	*s;
	size_t		 i;
};

static void
rsql_ws(struct rsql_scan *sc)
{
	while (isspace((unsigned char)sc->s[sc->i]))
		sc->i++;
}

/* A keyword (case-insensitive) followed by a non-word character. */
static bool
rsql_word(struct rsql_scan *sc, const char *w)
{
	size_t	n = strlen(w);
	char	c;

	rsql_ws(sc);
	if (strncasecmp(sc->s + sc->i, w, n) != 0)
		return false;
	c = sc->s[sc->i + n];
	if (isalnum((unsigned char)c) || c == '_')
		return false;
	sc->i += n;
	return true;
}

/* An identifier, bare or quoted with ` or "; *out unescaped. */
static int
rsql_ident(struct rsql_scan *sc, char **out)
{
	struct buf	 b = BUF_INIT;
	const char	*s = sc->s;
	size_t		 i, end;
	char		 q;

	rsql_ws(sc);
	i = sc->i;
	if (s[i] == '`' || s[i] == '"') {
		q = s[i];
		if ((end = rsql_skip_quoted(s, i)) == 0)
			return -1;
		for (i++; i < end - 1; i++) {
			if (s[i] == '\\' || (s[i] == q && i + 2 < end))
				i++;
			buf_addc(&b, s[i]);
		}
		sc->i = end;
	} else {
		while (isalnum((unsigned char)s[i]) || s[i] == '_')
			buf_addc(&b, s[i++]);
		sc->i = i;
	}
	if (b.len == 0) {
		buf_free(&b);
		return -1;
	}
	*out = buf_detach(&b);
	return 0;
}

/* Checks that the statement names `orig` ("db.table"). */
static int
rsql_check_name(struct rsql_scan *sc, const char *orig, char **cause)
{
	char	*db = NULL, *tbl = NULL, *name;
	int	 rc = -1;

	if (rsql_ident(sc, &db) == 0 && sc->s[sc->i] == '.') {
		sc->i++;
		if (rsql_ident(sc, &tbl) == 0) {
			name = xasprintf("%s.%s", db, tbl);
			rc = strcmp(name, orig) == 0 ? 0 : 1;
			if (rc != 0)
				*cause = xasprintf("the manifest's CREATE "
				    "TABLE is for %s, not %s", name, orig);
			free(name);
		}
	}
	if (rc == -1)
		*cause = xstrdup("the manifest's CREATE TABLE has no "
		    "db.table name");
	free(db);
	free(tbl);
	return rc == 0 ? 0 : -1;
}

/* Index just past the parenthesized group at s[i] == '(', or 0. */
static size_t
rsql_skip_group(const char *s, size_t i)
{
	int	depth = 0;

	while (s[i] != '\0') {
		if (s[i] == '\'' || s[i] == '`' || s[i] == '"') {
			if ((i = rsql_skip_quoted(s, i)) == 0)
				return 0;
			continue;
		}
		if (s[i] == ';')
			return 0;
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

/*
 * The engine arguments of a Replicated* engine at s[i] == '(' without the
 * ZooKeeper path and replica name (the first two, when they are string
 * literals). Appends "(rest)" to out; returns the index past the group.
 */
static size_t
rsql_unreplicate_args(struct buf *out, const char *s, size_t i)
{
	size_t	end = rsql_skip_group(s, i), p = i + 1, arg;
	int	dropped = 0;

	if (end == 0)
		return 0;
	while (dropped < 2) {
		while (isspace((unsigned char)s[p]))
			p++;
		if (s[p] != '\'' || (arg = rsql_skip_quoted(s, p)) == 0)
			break;
		while (isspace((unsigned char)s[arg]))
			arg++;
		if (s[arg] != ',' && s[arg] != ')')
			break;
		p = s[arg] == ',' ? arg + 1 : arg;
		dropped++;
	}
	if (dropped == 1)	/* a path without a replica: leave it be */
		p = i + 1;
	buf_addc(out, '(');
	while (isspace((unsigned char)s[p]))
		p++;
	buf_add(out, s + p, end - p);
	return end;
}

/* Copies the engine clause at sc (after "ENGINE"), unreplicated. */
static int
rsql_engine(struct buf *out, struct rsql_scan *sc, char **cause)
{
	const char	*s = sc->s, *name;
	size_t		 start, len;

	rsql_ws(sc);
	if (s[sc->i] != '=')
		goto bad;
	sc->i++;
	rsql_ws(sc);
	start = sc->i;
	while (isalpha((unsigned char)s[sc->i]))
		sc->i++;
	name = s + start;
	len = sc->i - start;
	if (len < 9 || strncmp(name + len - 9, "MergeTree", 9) != 0) {
		*cause = xasprintf("engine %.*s: only MergeTree-family tables "
		    "can be restored", (int)(len > 0 ? len : 1), name);
		return -1;
	}
	buf_addstr(out, " = ");
	if (strncmp(name, "Replicated", 10) != 0) {
		buf_add(out, name, len);
		return 0;
	}
	buf_add(out, name + 10, len - 10);
	if (s[sc->i] == '(' &&
	    (sc->i = rsql_unreplicate_args(out, s, sc->i)) == 0)
		goto bad;
	return 0;
bad:
	*cause = xstrdup("the manifest's CREATE TABLE has a malformed ENGINE "
	    "clause");
	return -1;
}

/* A word at depth 0 after the column list (already copied). */
static int
rsql_tail_word(struct buf *out, struct rsql_scan *sc, size_t start,
    bool *engine, char **cause)
{
	const char	*w = sc->s + start;
	size_t		 len = sc->i - start;

	if ((len == 6 && strncasecmp(w, "SELECT", 6) == 0) ||
	    (len == 2 && strncasecmp(w, "AS", 2) == 0)) {
		*cause = xstrdup("the manifest's CREATE TABLE has AS SELECT: "
		    "refused");
		return -1;
	}
	if (len != 6 || strncasecmp(w, "ENGINE", 6) != 0)
		return 0;
	if (*engine) {
		*cause = xstrdup("the manifest's CREATE TABLE has two ENGINE "
		    "clauses");
		return -1;
	}
	*engine = true;
	return rsql_engine(out, sc, cause);
}

/* After the column list: copies it, checking words at depth 0. */
static int
rsql_tail(struct buf *out, struct rsql_scan *sc, char **cause)
{
	const char	*s = sc->s;
	size_t		 start, end;
	bool		 engine = false;
	int		 depth = 0;

	while (s[sc->i] != '\0') {
		start = sc->i;
		if (s[start] == '\'' || s[start] == '`' || s[start] == '"') {
			if ((end = rsql_skip_quoted(s, start)) == 0)
				goto bad;
			buf_add(out, s + start, end - start);
			sc->i = end;
			continue;
		}
		if (s[start] == ';' || (s[start] == ')' && depth == 0))
			goto bad;
		depth += s[start] == '(' ? 1 : s[start] == ')' ? -1 : 0;
		if (!isalpha((unsigned char)s[start]) && s[start] != '_') {
			buf_addc(out, s[sc->i++]);
			continue;
		}
		while (isalnum((unsigned char)s[sc->i]) || s[sc->i] == '_')
			sc->i++;
		buf_add(out, s + start, sc->i - start);
		if (depth == 0 && rsql_tail_word(out, sc, start, &engine,
		    cause) != 0)
			return -1;
	}
	if (depth == 0 && engine)
		return 0;
	if (!engine) {
		*cause = xstrdup("the manifest's CREATE TABLE has no ENGINE");
		return -1;
	}
bad:
	*cause = xstrdup("the manifest's CREATE TABLE does not parse "
	    "(unbalanced quotes or parentheses, or a ';')");
	return -1;
}

int
rsql_create_like(struct buf *out, const char *table, const char *orig,
    const char *create, char **cause)
{
	struct rsql_scan	 sc = { create, 0 };
	struct buf		 b = BUF_INIT;
	size_t			 cols, end;
	int			 rc = -1;

	if (!rsql_word(&sc, "CREATE") && !rsql_word(&sc, "ATTACH")) {
		*cause = xstrdup("the manifest's CREATE TABLE does not start "
		    "with CREATE TABLE");
		return -1;
	}
	if (!rsql_word(&sc, "TABLE")) {
		*cause = xstrdup("the manifest's statement is not a CREATE "
		    "TABLE (a view?)");
		return -1;
	}
	if (rsql_word(&sc, "IF") && !(rsql_word(&sc, "NOT") &&
	    rsql_word(&sc, "EXISTS"))) {
		*cause = xstrdup("the manifest's CREATE TABLE does not parse");
		return -1;
	}
	if (rsql_check_name(&sc, orig, cause) != 0)
		return -1;
	rsql_ws(&sc);
	cols = sc.i;
	if (create[cols] != '(' || (end = rsql_skip_group(create, cols)) == 0) {
		*cause = xstrdup("the manifest's CREATE TABLE has no column "
		    "list");
		return -1;
	}
	if (sql_appendf(&b, cause, "CREATE TABLE %T ", table) == 0) {
		buf_add(&b, create + cols, end - cols);
		sc.i = end;
		if ((rc = rsql_tail(&b, &sc, cause)) == 0)
			buf_add(out, b.data, b.len);
	}
	buf_free(&b);
	return rc;
}

/* ---------------------------------------------------------------- keys */

/* Monotonic in time, an hour or coarser: a partition is one interval. */
static const char *rsql_monotonic[] = {
	"toDate", "toYYYYMMDD", "toYYYYMM", "toYear", "toMonday",
	"toStartOfWeek", "toStartOfMonth", "toStartOfQuarter",
	"toStartOfYear", "toStartOfDay", "toStartOfHour", "toRelativeDayNum",
	"toRelativeWeekNum", "toRelativeMonthNum", "toRelativeYearNum",
	"toRelativeHourNum",
};

static bool
rsql_is_monotonic(const char *fn, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(rsql_monotonic); i++) {
		if (strlen(rsql_monotonic[i]) == len &&
		    strncmp(rsql_monotonic[i], fn, len) == 0)
			return true;
	}
	return false;
}

/* "FN(col)" or "col" (spaces allowed); fn is "" for the bare column. */
static int
rsql_split_key(const char *key, char **fn, char **col)
{
	struct rsql_scan	 sc = { key, 0 };
	size_t			 start;

	*fn = *col = NULL;
	rsql_ws(&sc);
	start = sc.i;
	while (isalnum((unsigned char)key[sc.i]) || key[sc.i] == '_')
		sc.i++;
	rsql_ws(&sc);
	if (key[sc.i] != '(') {
		sc.i = start;
		*fn = xstrdup("");
	} else {
		*fn = xstrndup(key + start, sc.i - start);
		(*fn)[strcspn(*fn, " \t\n")] = '\0';
		sc.i++;
	}
	if (rsql_ident(&sc, col) != 0)
		goto bad;
	rsql_ws(&sc);
	if (**fn != '\0' && key[sc.i++] != ')')
		goto bad;
	rsql_ws(&sc);
	if (key[sc.i] == '\0')
		return 0;
bad:
	free(*fn);
	free(*col);
	*fn = *col = NULL;
	return -1;
}

int
rsql_partition_ok(const char *key, const char *time_column,
    enum backup_time_kind kind, char **cause)
{
	char	*fn, *col;
	bool	 ok;

	if (key == NULL || *key == '\0' || strcmp(key, "tuple()") == 0) {
		*cause = xstrdup("the table has no partition key: replacing "
		    "its one partition would replace the whole table");
		return -1;
	}
	if (rsql_split_key(key, &fn, &col) != 0)
		ok = false;
	else if (strcmp(col, time_column) != 0)
		ok = false;
	else if (*fn == '\0')
		ok = kind == BACKUP_TIME_DATE;
	else
		ok = rsql_is_monotonic(fn, strlen(fn));
	free(fn);
	free(col);
	if (ok)
		return 0;
	*cause = xasprintf("partition key '%.200s' is not one chops can "
	    "reason about: it needs the time column %s itself (a Date) or a "
	    "calendar function of it (toDate, toYYYYMMDD, toYYYYMM, toMonday, "
	    "toStartOfMonth, ...) to know which partitions the backup fully "
	    "covers", key, time_column);
	return -1;
}

#include "sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static bool
sql_ident_first(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
sql_ident_rest(char c)
{
	return sql_ident_first(c) || (c >= '0' && c <= '9');
}

static bool
sql_ident_valid_n(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || !sql_ident_first(s[0]))
		return false;
	for (i = 1; i < len; i++) {
		if (!sql_ident_rest(s[i]))
			return false;
	}
	return true;
}

bool
sql_ident_valid(const char *s)
{
	return s != NULL && sql_ident_valid_n(s, strlen(s));
}

/* A printable, bounded rendering of untrusted text for error messages. */
static char *
sql_describe(const char *s)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; s[i] != '\0' && i < 64; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf_printf(&b, "\\x%02x", (unsigned char)s[i]);
		else
			buf_addc(&b, s[i]);
	}
	if (s[i] != '\0')
		buf_addstr(&b, "...");
	return buf_detach(&b);
}

static char *
sql_bad_name(const char *what, const char *s)
{
	char	*shown, *cause;

	shown = sql_describe(s);
	cause = xasprintf("invalid %s '%s' (expected letters, digits and "
	    "underscores, not starting with a digit)", what, shown);
	free(shown);
	return cause;
}

int
sql_split_table(const char *s, char **db, char **table, char **cause)
{
	const char	*dot;

	*db = *table = NULL;
	dot = strchr(s, '.');
	if (dot == NULL) {
		if (!sql_ident_valid(s)) {
			*cause = sql_bad_name("table name", s);
			return -1;
		}
		*table = xstrdup(s);
		return 0;
	}
	if (!sql_ident_valid_n(s, (size_t)(dot - s)) ||
	    !sql_ident_valid(dot + 1)) {
		*cause = sql_bad_name("table name", s);
		return -1;
	}
	*db = xstrndup(s, (size_t)(dot - s));
	*table = xstrdup(dot + 1);
	return 0;
}

void
sql_quote_ident(struct buf *b, const char *s)
{
	buf_addc(b, '`');
	for (; *s != '\0'; s++) {
		if (*s == '`' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '`');
}

static void
sql_quote_byte(struct buf *b, unsigned char c)
{
	switch (c) {
	case '\\':
		buf_addstr(b, "\\\\");
		break;
	case '\'':
		buf_addstr(b, "\\'");
		break;
	case '\n':
		buf_addstr(b, "\\n");
		break;
	case '\t':
		buf_addstr(b, "\\t");
		break;
	case '\r':
		buf_addstr(b, "\\r");
		break;
	case '\0':
		buf_addstr(b, "\\0");
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
		break;
	}
}

void
sql_quote_string(struct buf *b, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	buf_reserve(b, len + 2);
	buf_addc(b, '\'');
	for (i = 0; i < len; i++)
		sql_quote_byte(b, p[i]);
	buf_addc(b, '\'');
}

static int
sql_add_table(struct buf *b, const char *s, char **cause)
{
	char	*db, *table;

	if (sql_split_table(s, &db, &table, cause) != 0)
		return -1;
	if (db != NULL) {
		sql_quote_ident(b, db);
		buf_addc(b, '.');
	}
	sql_quote_ident(b, table);
	free(db);
	free(table);
	return 0;
}

static int
sql_add_name(struct buf *b, char d, const char *s, char **cause)
{
	if (s == NULL) {
		*cause = xasprintf("missing name for %%%c", d);
		return -1;
	}
	switch (d) {
	case 'T':
		return sql_add_table(b, s, cause);
	case 'Q':
		if (*s == '\0') {
			*cause = xstrdup("empty name");
			return -1;
		}
		sql_quote_ident(b, s);
		return 0;
	}
	if (!sql_ident_valid(s)) {
		*cause = sql_bad_name(d == 'I' ? "identifier" : "name", s);
		return -1;
	}
	if (d == 'I')
		sql_quote_ident(b, s);
	else
		buf_addstr(b, s);
	return 0;
}

/* One directive at *fmt (just after '%'); advances *fmt past it. */
static int
sql_directive(struct buf *b, const char **fmt, va_list *ap, char **cause)
{
	const char	*f = *fmt, *s;
	const void	*p;
	size_t		 n;

	if (strncmp(f, "lld", 3) == 0) {
		buf_printf(b, "%lld", va_arg(*ap, long long));
		*fmt = f + 3;
		return 0;
	}
	if (strncmp(f, "llu", 3) == 0) {
		buf_printf(b, "%llu", va_arg(*ap, unsigned long long));
		*fmt = f + 3;
		return 0;
	}
	*fmt = f + 1;
	switch (*f) {
	case '%':
		buf_addc(b, '%');
		return 0;
	case 'd':
		buf_printf(b, "%d", va_arg(*ap, int));
		return 0;
	case 'S':
		s = va_arg(*ap, const char *);
		sql_quote_string(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
		return 0;
	case 'B':
		p = va_arg(*ap, const void *);
		n = va_arg(*ap, size_t);
		sql_quote_string(b, p, n);
		return 0;
	case 'I': case 'T': case 'Q': case 'N':
		return sql_add_name(b, *f, va_arg(*ap, const char *), cause);
	}
	*cause = xasprintf("unknown SQL directive '%%%.1s'", f);
	return -1;
}

int
sql_appendf(struct buf *out, char **cause, const char *fmt, ...)
{
	struct buf	 b = BUF_INIT;
	const char	*pct;
	char		*why = NULL;
	va_list		 ap;
	int		 rc = 0;

	va_start(ap, fmt);
	while (*fmt != '\0') {
		pct = strchr(fmt, '%');
		if (pct == NULL) {
			buf_addstr(&b, fmt);
			break;
		}
		buf_add(&b, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		if ((rc = sql_directive(&b, &fmt, &ap, &why)) != 0)
			break;
	}
	va_end(ap);
	if (rc == 0)
		buf_add(out, b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return rc;
}

void
sql_kill_query(struct buf *b, const char *query_id)
{
	buf_addstr(b, "KILL QUERY WHERE query_id = ");
	sql_quote_string(b, query_id, strlen(query_id));
	buf_addstr(b, " SYNC");
}

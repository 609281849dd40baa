#include "backup_sql.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "xmalloc.h"

/* The type inside a wrapper such as "Nullable(", or the type itself. */
static const char *
backup_sql_unwrap(const char *type, const char *wrapper, size_t *len)
{
	size_t	wl = strlen(wrapper);

	if (strncmp(type, wrapper, wl) == 0 && *len > wl &&
	    type[*len - 1] == ')') {
		*len -= wl + 1;
		return type + wl;
	}
	return type;
}

enum backup_time_kind
backup_sql_time_kind(const char *type)
{
	size_t		 len = strlen(type);
	const char	*t = backup_sql_unwrap(type, "Nullable(", &len);

	if ((len == 4 && strncmp(t, "Date", 4) == 0) ||
	    (len == 6 && strncmp(t, "Date32", 6) == 0))
		return BACKUP_TIME_DATE;
	if ((len == 8 && strncmp(t, "DateTime", 8) == 0) ||
	    (len > 9 && strncmp(t, "DateTime(", 9) == 0 && t[len - 1] == ')') ||
	    (len > 11 && strncmp(t, "DateTime64(", 11) == 0 &&
	    t[len - 1] == ')'))
		return BACKUP_TIME_DATETIME;
	return BACKUP_TIME_NONE;
}

int
backup_sql_info(struct buf *b, const char *tz, char **cause)
{
	if (tz == NULL)
		return sql_appendf(b, cause, "SELECT timezone() AS tz, "
		    "version() AS version, toString(toDate(now(), timezone())) "
		    "AS today, toUnixTimestamp(now()) AS now");
	return sql_appendf(b, cause, "SELECT timezone() AS tz, version() AS "
	    "version, toString(toDate(now(), %S)) AS today, "
	    "toUnixTimestamp(now()) AS now", tz);
}

int
backup_sql_to_epoch(struct buf *b, const char *tz,
    const struct period_civil *c, size_t n, char **cause)
{
	char	s[32];
	size_t	i;

	if (sql_appendf(b, cause, "SELECT ") != 0)
		return -1;
	for (i = 0; i < n; i++) {
		period_fmt_civil(s, sizeof s, &c[i]);
		if (i > 0)
			buf_addstr(b, ", ");
		if (sql_appendf(b, cause, "toUnixTimestamp(toDateTime(%S, %S))",
		    s, tz) != 0)
			return -1;
	}
	return 0;
}

int
backup_sql_table(struct buf *b, const char *db, const char *table,
    char **cause)
{
	return sql_appendf(b, cause, "SELECT engine, create_table_query FROM "
	    "system.tables WHERE database = %S AND name = %S", db, table);
}

int
backup_sql_columns(struct buf *b, const char *db, const char *table,
    char **cause)
{
	return sql_appendf(b, cause, "SELECT name, type, default_kind, "
	    "is_in_partition_key FROM system.columns WHERE database = %S AND "
	    "table = %S", db, table);
}

int
backup_sql_progress(struct buf *b, const char *query_id, char **cause)
{
	return sql_appendf(b, cause, "SELECT read_rows, read_bytes FROM "
	    "system.processes WHERE query_id = %S", query_id);
}

int
backup_sql_where(struct buf *b, const char *col, enum backup_time_kind kind,
    int64_t from, int64_t to, const char *tz, char **cause)
{
	switch (kind) {
	case BACKUP_TIME_DATETIME:
		return sql_appendf(b, cause, " WHERE %Q >= toDateTime(%lld) "
		    "AND %Q < toDateTime(%lld)", col, (long long)from, col,
		    (long long)to);
	case BACKUP_TIME_DATE:
		return sql_appendf(b, cause, " WHERE %Q >= toDate(toDateTime("
		    "%lld), %S) AND %Q < toDate(toDateTime(%lld), %S)", col,
		    (long long)from, tz, col, (long long)to, tz);
	case BACKUP_TIME_NONE:
		break;
	}
	*cause = xstrdup("the time column must be a Date or a DateTime");
	return -1;
}

/* `a`, `b`, ... */
static int
backup_sql_list(struct buf *b, const struct manifest_column *cols, size_t n,
    char **cause)
{
	size_t	i;

	if (n == 0) {
		*cause = xstrdup("no columns");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(b, ", ");
		if (sql_appendf(b, cause, "%Q", cols[i].name) != 0)
			return -1;
	}
	return 0;
}

/* Checks a WHERE clause made by backup_sql_where. */
static int
backup_sql_where_ok(const char *where, char **cause)
{
	if (where == NULL || strncmp(where, " WHERE ", 7) != 0) {
		*cause = xstrdup("missing range condition");
		return -1;
	}
	return 0;
}

/* Whether a type must be hashed as text (old servers reject it). */
static bool
backup_sql_hash_as_text(const char *type, size_t len)
{
	static const char	*words[] = { "Decimal", "UUID", "Nullable",
				    "Tuple", "Map", "LowCardinality" };
	char			*t = xstrndup(type, len);
	bool			 text = false;
	size_t			 i;

	for (i = 0; i < sizeof words / sizeof *words && !text; i++)
		text = strstr(t, words[i]) != NULL;
	free(t);
	return text;
}

/*
 * How one column enters cityHash64 so that every value counts. On 18.16 a
 * NULL argument makes the hash NULL (and sum() skips the row), and Decimal,
 * UUID or Nullable inside an Array are refused. So a Nullable column gives
 * two arguments, isNull(c) and assumeNotNull(c), and the refused types are
 * hashed as their text. Every server gets the same expression, so checksums
 * compare across versions.
 */
static int
backup_sql_hash_arg(struct buf *b, const struct manifest_column *col,
    char **cause)
{
	size_t		 len = strlen(col->type);
	const char	*t = backup_sql_unwrap(col->type, "LowCardinality(",
			    &len);
	const char	*inner = backup_sql_unwrap(t, "Nullable(", &len);
	bool		 nullable = inner != t, text;

	text = backup_sql_hash_as_text(inner, len);
	if (nullable && sql_appendf(b, cause, "isNull(%Q), ", col->name) != 0)
		return -1;
	buf_addstr(b, text ? "toString(" : "");
	buf_addstr(b, nullable ? "assumeNotNull(" : "");
	if (sql_appendf(b, cause, "%Q", col->name) != 0)
		return -1;
	buf_addstr(b, nullable ? ")" : "");
	buf_addstr(b, text ? ")" : "");
	return 0;
}

static int
backup_sql_hash_args(struct buf *b, const struct manifest_column *cols,
    size_t n, char **cause)
{
	size_t	i;

	if (n == 0) {
		*cause = xstrdup("no columns");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(b, ", ");
		if (backup_sql_hash_arg(b, &cols[i], cause) != 0)
			return -1;
	}
	return 0;
}

int
backup_sql_checksum(struct buf *out, const char *table,
    const struct manifest_column *cols, size_t n, const char *where,
    char **cause)
{
	struct buf	b = BUF_INIT;
	int		rc = -1;

	if (backup_sql_where_ok(where, cause) != 0)
		return -1;
	buf_addstr(&b, "SELECT count(), sum(cityHash64(");
	if (backup_sql_hash_args(&b, cols, n, cause) == 0 &&
	    sql_appendf(&b, cause, ")) FROM %T", table) == 0) {
		buf_addstr(&b, where);
		buf_add(out, b.data, b.len);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

int
backup_sql_select(struct buf *out, const char *table,
    const struct manifest_column *cols, size_t n, const char *where,
    char **cause)
{
	struct buf	b = BUF_INIT;
	int		rc = -1;

	if (backup_sql_where_ok(where, cause) != 0)
		return -1;
	buf_addstr(&b, "SELECT ");
	if (backup_sql_list(&b, cols, n, cause) == 0 &&
	    sql_appendf(&b, cause, " FROM %T", table) == 0) {
		buf_addstr(&b, where);
		buf_add(out, b.data, b.len);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

/* Frees a buffer that held secrets. */
static void
backup_sql_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

/* "`a` Int32, `b` Nullable(String)": the structure argument of s3(). */
static void
backup_sql_structure(struct buf *b, const struct manifest_column *cols,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(b, ", ");
		sql_quote_ident(b, cols[i].name);
		buf_addc(b, ' ');
		buf_addstr(b, cols[i].type);
	}
}

int
backup_sql_server_insert(struct buf *out, const char *url,
    const char *access_key, const char *secret_key, const char *ch_format,
    const struct manifest_column *cols, size_t n, enum codec_kind codec,
    const char *select, char **cause)
{
	struct buf	st = BUF_INIT, b = BUF_INIT;
	int		rc;

	if (select == NULL || strncmp(select, "SELECT ", 7) != 0 || n == 0 ||
	    !sql_ident_valid(ch_format)) {
		*cause = xstrdup("missing SELECT, columns or format");
		return -1;
	}
	backup_sql_structure(&st, cols, n);
	rc = sql_appendf(&b, cause, "INSERT INTO FUNCTION s3(%S, %S, %S, %S, "
	    "%S", url, access_key, secret_key, ch_format, buf_str(&st));
	if (rc == 0 && codec != CODEC_NONE)
		rc = sql_appendf(&b, cause, ", %S", codec_name(codec));
	if (rc == 0) {
		buf_addstr(&b, ") ");
		buf_addstr(&b, select);
		buf_add(out, b.data, b.len);
	}
	backup_sql_wipe(&b);
	buf_free(&st);
	return rc;
}

/* Replaces every occurrence of needle in *text. */
static void
backup_sql_replace(char **text, const char *needle)
{
	struct buf	 b = BUF_INIT;
	const char	*p = *text, *hit;
	size_t		 nl = strlen(needle);

	if (nl == 0 || strstr(p, needle) == NULL)
		return;
	while ((hit = strstr(p, needle)) != NULL) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_addstr(&b, "<redacted>");
		p = hit + nl;
	}
	buf_addstr(&b, p);
	explicit_bzero(*text, strlen(*text));
	free(*text);
	*text = buf_detach(&b);
}

char *
backup_sql_redact(const char *text, const char *const *secrets, size_t n)
{
	struct buf	 q = BUF_INIT;
	char		*out = xstrdup(text != NULL ? text : "");
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (secrets[i] == NULL || *secrets[i] == '\0')
			continue;
		/* as quoted in the statement, then as given */
		buf_reset(&q);
		sql_quote_string(&q, secrets[i], strlen(secrets[i]));
		q.data[q.len - 1] = '\0';
		backup_sql_replace(&out, q.data + 1);
		backup_sql_replace(&out, secrets[i]);
	}
	backup_sql_wipe(&q);
	return out;
}

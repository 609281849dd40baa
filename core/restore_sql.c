/* The statements verify and restore send (see restore_sql.h). */
#include "restore_sql.h"

#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "util.h"
#include "xmalloc.h"

/* Probe points through a DateTime range: every minute ... */
#define RSQL_PROBE_STEP		60
/* ... unless that makes more rows than this; then every hour. */
#define RSQL_PROBE_MAX		(5 * 1000 * 1000)

int
rsql_create_scratch_db(struct buf *b, char **cause)
{
	return sql_appendf(b, cause, "CREATE DATABASE IF NOT EXISTS %I",
	    RSQL_SCRATCH_DB);
}

int
rsql_create_log(struct buf *out, const char *table,
    const struct manifest_column *cols, size_t n, char **cause)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	int		rc = 0;

	if (sql_appendf(&b, cause, "CREATE TABLE %T (", table) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		if (!rsql_type_safe(cols[i].type)) {
			*cause = xasprintf("column %s: type '%.80s' is not "
			    "one chops will put in DDL", cols[i].name,
			    cols[i].type);
			rc = -1;
			continue;
		}
		if (i > 0)
			buf_addstr(&b, ", ");
		if (sql_appendf(&b, cause, "%Q ", cols[i].name) != 0)
			rc = -1;
		else
			buf_addstr(&b, cols[i].type);
	}
	if (rc == 0 && n == 0) {
		*cause = xstrdup("the manifest lists no columns");
		rc = -1;
	}
	if (rc == 0) {
		buf_addstr(&b, ") ENGINE = Log");
		buf_add(out, b.data, b.len);
	}
	buf_free(&b);
	return rc;
}

/* ---------------------------------------------------------------- simple */

int
rsql_drop(struct buf *b, const char *table, char **cause)
{
	return sql_appendf(b, cause, "DROP TABLE IF EXISTS %T", table);
}

int
rsql_insert(struct buf *out, const char *table,
    const struct manifest_column *cols, size_t n, const char *format,
    char **cause)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	int		rc;

	rc = sql_appendf(&b, cause, "INSERT INTO %T (", table);
	for (i = 0; rc == 0 && i < n; i++) {
		if (i > 0)
			buf_addstr(&b, ", ");
		rc = sql_appendf(&b, cause, "%Q", cols[i].name);
	}
	if (rc == 0)
		rc = sql_appendf(&b, cause, ") FORMAT %N", format);
	if (rc == 0)
		buf_add(out, b.data, b.len);
	buf_free(&b);
	return rc;
}

int
rsql_checksum(struct buf *b, const char *table,
    const struct manifest_column *cols, size_t n, char **cause)
{
	/* the backup's own expression, over every row */
	return backup_sql_checksum(b, table, cols, n, " WHERE 1", cause);
}

/* Splits "db.table" for system table lookups. */
static int
rsql_split(const char *table, char **db, char **tbl, char **cause)
{
	if (sql_split_table(table, db, tbl, cause) != 0)
		return -1;
	if (*db == NULL) {
		free(*tbl);
		*cause = xasprintf("%s: expected DB.TABLE", table);
		return -1;
	}
	return 0;
}

static int
rsql_system(struct buf *b, const char *fmt, const char *table, char **cause)
{
	char	*db, *tbl;
	int	 rc;

	if (rsql_split(table, &db, &tbl, cause) != 0)
		return -1;
	rc = sql_appendf(b, cause, fmt, db, tbl);
	free(db);
	free(tbl);
	return rc;
}

int
rsql_table_info(struct buf *b, const char *table, char **cause)
{
	return rsql_system(b, "SELECT engine, partition_key, sorting_key, "
	    "primary_key FROM system.tables WHERE database = %S AND "
	    "name = %S", table, cause);
}

int
rsql_columns(struct buf *b, const char *table, char **cause)
{
	return rsql_system(b, "SELECT name, type FROM system.columns WHERE "
	    "database = %S AND table = %S", table, cause);
}

int
rsql_parts(struct buf *b, const char *table, char **cause)
{
	return rsql_system(b, "SELECT partition_id, toString(sum(rows)) FROM "
	    "system.parts WHERE database = %S AND table = %S AND active "
	    "GROUP BY partition_id ORDER BY partition_id", table, cause);
}

int
rsql_replace_partition(struct buf *b, const char *target, const char *id,
    const char *staging, char **cause)
{
	return sql_appendf(b, cause, "ALTER TABLE %T REPLACE PARTITION ID %S "
	    "FROM %T", target, id, staging);
}

int
rsql_attach_partition(struct buf *b, const char *target, const char *id,
    const char *staging, char **cause)
{
	return sql_appendf(b, cause, "ALTER TABLE %T ATTACH PARTITION ID %S "
	    "FROM %T", target, id, staging);
}

/* ---------------------------------------------------------------- probe */

int
rsql_probe_insert(struct buf *b, const char *probe, const char *col,
    enum backup_time_kind kind, int64_t lo, int64_t hi, char **cause)
{
	long long	step = RSQL_PROBE_STEP, n;

	if (hi <= lo) {
		*cause = xstrdup("empty range");
		return -1;
	}
	if (kind == BACKUP_TIME_DATE)
		return sql_appendf(b, cause, "INSERT INTO %T (%Q) SELECT "
		    "toDate('1970-01-01') + (%lld + number) FROM "
		    "system.numbers LIMIT %lld", probe, col, (long long)lo - 1,
		    (long long)(hi - lo + 2));
	if ((hi - lo) / step > RSQL_PROBE_MAX)
		step = 3600;
	n = ((long long)(hi - lo) + step - 1) / step;
	return sql_appendf(b, cause, "INSERT INTO %T (%Q) SELECT toDateTime("
	    "multiIf(number = 0, %lld, number = 1, %lld, number = 2, %lld, "
	    "%lld + (number - 3) * %lld)) FROM system.numbers LIMIT %lld",
	    probe, col, (long long)lo - 1, (long long)hi - 1, (long long)hi,
	    (long long)lo, step, n + 3);
}

int
rsql_day_numbers(struct buf *b, int64_t from, int64_t to, const char *tz,
    char **cause)
{
	return sql_appendf(b, cause, "SELECT toString(toUInt16(toDate("
	    "toDateTime(%lld), %S))), toString(toUInt16(toDate(toDateTime("
	    "%lld), %S)))", (long long)from, tz, (long long)to, tz);
}

int
rsql_probe_extents(struct buf *b, const char *probe,
    enum backup_time_kind kind, char **cause)
{
	if (kind == BACKUP_TIME_DATE)
		return rsql_system(b, "SELECT partition_id, "
		    "toString(min(toUInt16(min_date))), "
		    "toString(max(toUInt16(max_date))) FROM system.parts WHERE "
		    "database = %S AND table = %S AND active GROUP BY "
		    "partition_id ORDER BY partition_id", probe, cause);
	return rsql_system(b, "SELECT partition_id, "
	    "toString(min(toUnixTimestamp(min_time))), "
	    "toString(max(toUnixTimestamp(max_time))) FROM system.parts WHERE "
	    "database = %S AND table = %S AND active GROUP BY partition_id "
	    "ORDER BY partition_id", probe, cause);
}

/*
 * The SQL the backup engine sends, built with sql_appendf only: table and
 * database names are validated identifiers, column names come from the
 * server and are always quoted, everything else is a literal. The range is
 * compared with instants written as integers:
 *
 *	`ts` >= toDateTime(1795813200) AND `ts` < toDateTime(1795899600)
 *
 * and, for a Date column, with the dates those instants fall on in the
 * backup timezone.
 *
 * The `server` engine's statement necessarily holds the S3 keys (the server
 * signs its own requests): never log it, and pass any message that could
 * quote it through backup_sql_redact().
 */
#ifndef CHOPS_BACKUP_SQL_H
#define CHOPS_BACKUP_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "codec.h"
#include "manifest.h"
#include "period.h"

enum backup_time_kind {
	BACKUP_TIME_NONE,	/* not usable as the time column */
	BACKUP_TIME_DATE,	/* Date, Date32 */
	BACKUP_TIME_DATETIME,	/* DateTime[(tz)], DateTime64(...) */
};

/* What a column type allows (Nullable(...) is looked through). */
enum backup_time_kind backup_sql_time_kind(const char *type);

/* SELECT timezone(), version(), today in tz (NULL: the server's), now. */
int	backup_sql_info(struct buf *, const char *tz, char **cause);
/* SELECT toUnixTimestamp(toDateTime('local', 'tz')), ... for n times. */
int	backup_sql_to_epoch(struct buf *, const char *tz,
	    const struct period_civil *, size_t n, char **cause);
/* engine, create_table_query of the table: no row when it is missing. */
int	backup_sql_table(struct buf *, const char *db, const char *table,
	    char **cause);
/* name, type, default_kind, is_in_partition_key of its columns. */
int	backup_sql_columns(struct buf *, const char *db, const char *table,
	    char **cause);
/* read_rows, read_bytes of a running query. */
int	backup_sql_progress(struct buf *, const char *query_id, char **cause);

/* " WHERE ..." for the range. */
int	backup_sql_where(struct buf *, const char *time_column,
	    enum backup_time_kind, int64_t from, int64_t to, const char *tz,
	    char **cause);
/*
 * SELECT count(), sum(cityHash64(args...)) FROM db.t WHERE ...: every
 * column counts. A Nullable column c gives isNull(c), assumeNotNull(c)
 * (a NULL argument would make the hash NULL and sum() skip the row);
 * types old servers cannot hash (Decimal, UUID, Nullable inside arrays,
 * Tuple, Map) are hashed as toString(...). Verify and restore compute it
 * again with this function over the manifest's columns.
 */
int	backup_sql_checksum(struct buf *, const char *table,
	    const struct manifest_column *, size_t n, const char *where,
	    char **cause);
/* SELECT cols... FROM db.t WHERE ... (FORMAT is added by the client) */
int	backup_sql_select(struct buf *, const char *table,
	    const struct manifest_column *, size_t n, const char *where,
	    char **cause);
/*
 * INSERT INTO FUNCTION s3('url', 'access', 'secret', 'Format',
 * 'structure'[, 'compression']) SELECT ... — holds secrets.
 */
int	backup_sql_server_insert(struct buf *, const char *url,
	    const char *access_key, const char *secret_key,
	    const char *ch_format, const struct manifest_column *, size_t n,
	    enum codec_kind, const char *select, char **cause);

/*
 * A copy of text with every occurrence of each secret (as given and as
 * quoted in SQL) replaced by "<redacted>". Empty or NULL secrets are
 * skipped.
 */
char	*backup_sql_redact(const char *text, const char *const *secrets,
	    size_t n);

#endif

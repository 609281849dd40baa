/*
 * The SQL that verify and restore send, built with sql_appendf: names are
 * validated identifiers or quoted, values are literals.
 *
 * Two things come from a manifest, which anyone who can write to the bucket
 * can edit, and end up in DDL: column types and the CREATE TABLE statement.
 * Types must pass rsql_type_safe() (balanced parentheses and quotes, no
 * statement separators, comments or backquotes outside quotes). The CREATE
 * TABLE statement is rewritten rather than pasted: its name is parsed and
 * replaced with ours (quoted), and the rest is accepted only when it is a
 * column list followed by a MergeTree-family engine, with nothing that could
 * pull in other data (AS SELECT, a second statement). A Replicated* engine
 * loses its ZooKeeper path and replica name, so that a staging copy never
 * joins the original's replication.
 *
 * Two files: restore_sql.c builds statements, restore_parse.c reads the
 * text that comes from a manifest or the server (types, CREATE TABLE,
 * partition keys).
 */
#ifndef CHOPS_RESTORE_SQL_H
#define CHOPS_RESTORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backup_sql.h"
#include "buf.h"
#include "manifest.h"

/* The database verify loads backups into (created when missing). */
#define RSQL_SCRATCH_DB		"chops_scratch"

bool	rsql_type_safe(const char *type);

/* CREATE DATABASE IF NOT EXISTS chops_scratch */
int	rsql_create_scratch_db(struct buf *, char **cause);
/* CREATE TABLE t (`c` T, ...) ENGINE = Log */
int	rsql_create_log(struct buf *, const char *table,
	    const struct manifest_column *, size_t n, char **cause);
/*
 * The manifest's CREATE TABLE (naming `orig`, "db.table") for a new table
 * `table`. Returns 0, or -1 with *cause explaining what was refused.
 */
int	rsql_create_like(struct buf *, const char *table, const char *orig,
	    const char *create_table, char **cause);
/* DROP TABLE IF EXISTS t */
int	rsql_drop(struct buf *, const char *table, char **cause);
/* INSERT INTO t (`c`, ...) FORMAT F */
int	rsql_insert(struct buf *, const char *table,
	    const struct manifest_column *, size_t n, const char *format,
	    char **cause);
/* count() and the manifest's checksum expression over the whole table. */
int	rsql_checksum(struct buf *, const char *table,
	    const struct manifest_column *, size_t n, char **cause);

/* engine, partition_key, sorting_key, primary_key of db.table. */
int	rsql_table_info(struct buf *, const char *table, char **cause);
/* name, type of its columns, in order. */
int	rsql_columns(struct buf *, const char *table, char **cause);
/* partition_id, rows of the active parts, by partition. */
int	rsql_parts(struct buf *, const char *table, char **cause);

/*
 * Partition keys chops can reason about: a monotonic function of the time
 * column alone (toDate, toYYYYMMDD, toYYYYMM, toMonday, toStartOfMonth, ...,
 * or the Date column itself), so that a partition holds one interval of
 * time. Returns 0, or -1 with *cause saying why not.
 */
int	rsql_partition_ok(const char *partition_key, const char *time_column,
	    enum backup_time_kind, char **cause);
/*
 * Probe rows for a table whose partition key passed rsql_partition_ok:
 * one just before the range, points through it (every minute, or every
 * day for a Date column), and one at its end. `lo`, `hi` are the range as
 * the column sees it: epoch seconds [from, to), or for a Date column the
 * day numbers of from and to in the backup timezone.
 */
int	rsql_probe_insert(struct buf *, const char *probe,
	    const char *time_column, enum backup_time_kind, int64_t lo,
	    int64_t hi, char **cause);
/* The day numbers of from and to in tz (for a Date column). */
int	rsql_day_numbers(struct buf *, int64_t from, int64_t to,
	    const char *tz, char **cause);
/* partition_id, min and max of the time column per partition of probe. */
int	rsql_probe_extents(struct buf *, const char *probe,
	    enum backup_time_kind, char **cause);

/* ALTER TABLE target REPLACE|ATTACH PARTITION ID 'id' FROM staging */
int	rsql_replace_partition(struct buf *, const char *target,
	    const char *partition_id, const char *staging, char **cause);
int	rsql_attach_partition(struct buf *, const char *target,
	    const char *partition_id, const char *staging, char **cause);

#endif

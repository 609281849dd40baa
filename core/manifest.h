/*
 * The manifest of a backup (manifest.json, doc/backup-format.md): what was
 * backed up, how to check it and how to restore it. It is written last, so
 * a backup without one is incomplete. Reading is strict: every field is
 * checked, and a malformed manifest gives an error that names the object key
 * and the field. Unknown fields are ignored (later versions may add some);
 * a newer manifest_version is refused with a message saying so.
 */
#ifndef CHOPS_MANIFEST_H
#define CHOPS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backup_key.h"
#include "codec.h"
#include "period.h"

#define MANIFEST_VERSION	1

struct manifest_column {
	char	*name;
	char	*type;
};

struct manifest {
	int			 version;
	char			*id;		/* db.table/kind/period */
	char			*table;		/* db.table */
	struct manifest_column	*columns;	/* in the data, in order */
	size_t			 n_columns;
	char			*create_table;	/* SHOW CREATE TABLE */
	char			*time_column;
	enum period_kind	 kind;
	char			*period;
	char			*timezone;
	int64_t			 from;		/* epoch seconds, [from, to) */
	int64_t			 to;
	uint64_t		 rows;		/* count() over the range */
	char			*checksum;	/* sum(cityHash64(...)) */
	char			*checksum_sql;	/* the query that gave both */
	char			*key;		/* the data object */
	uint64_t		 size;
	char			*sha256;	/* of the object bytes, hex */
	char			*etag;		/* as listed; "" when unknown */
	enum backup_format	 format;
	enum codec_kind		 compression;
	char			*engine;	/* stream | server */
	int64_t			 created_at;	/* epoch seconds */
	char			*created_by;	/* user@host */
	char			*clickhouse_version;
	char			*chops_version;
};

struct manifest	*manifest_new(void);
void		 manifest_free(struct manifest *);
void		 manifest_add_column(struct manifest *, const char *name,
		     const char *type);
/* Index of a column by name, or -1. */
ssize_t		 manifest_column(const struct manifest *, const char *name);

/*
 * Checks every field and their agreement (id and table, key and format,
 * checksum count and rows, ...). Returns 0, or -1 with *cause naming the
 * field. `key` names the manifest in messages (may be NULL).
 */
int		 manifest_validate(const struct manifest *, const char *key,
		     char **cause);
/* JSON text (pretty, ends with a newline); NULL with *cause if invalid. */
char		*manifest_serialize(const struct manifest *, char **cause);
/* Parses and validates. Returns 0 and *out, or -1 with *cause. */
int		 manifest_parse(const char *text, size_t len, const char *key,
		     struct manifest **out, char **cause);

/* Whether s is a decimal unsigned 64-bit number ("0", "123", no sign). */
bool		 manifest_decimal_u64(const char *s);
/* Whether s is 64 lowercase hex digits. */
bool		 manifest_sha256_hex(const char *s);

#endif

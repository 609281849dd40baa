/*
 * Where backups live in the bucket (doc/backup-format.md):
 *
 *	<prefix><db>.<table>/<kind>/<period>/data.<format>[.zst|.gz]
 *	<prefix><db>.<table>/<kind>/<period>/manifest.json	(written last)
 *	<prefix><db>.<table>/<kind>/<period>/verify-<YYYYMMDDTHHMMSSZ>.json
 *	<prefix>_chops/...	reserved for chops (locks, audit trail)
 *
 * A backup id is "<db>.<table>/<kind>/<period>". Names are checked
 * (identifiers only, valid periods), so ids and keys are safe in URLs, SQL
 * messages and file names alike. Anything else under the prefix is foreign.
 */
#ifndef CHOPS_BACKUP_KEY_H
#define CHOPS_BACKUP_KEY_H

#include <stdint.h>

#include "codec.h"
#include "period.h"

#define BACKUP_RESERVED		"_chops/"
#define BACKUP_MANIFEST_NAME	"manifest.json"

enum backup_format {
	BACKUP_NATIVE,
	BACKUP_PARQUET,
};

/* "native" "parquet"; ClickHouse's "Native" "Parquet" */
const char	*backup_format_name(enum backup_format);
const char	*backup_format_ch(enum backup_format);
int		 backup_format_parse(const char *, enum backup_format *);

/* "db.table/kind/period" (caller frees); NULL when a part is invalid. */
char		*backup_id_make(const char *table, enum period_kind,
		     const char *period);
/*
 * Splits an id; *table and *period are allocated. Returns 0, or -1 with
 * *cause saying which part is wrong.
 */
int		 backup_id_parse(const char *id, char **table,
		     enum period_kind *, char **period, char **cause);

/* Keys (caller frees); prefix is "" or ends with '/'. */
char		*backup_key_dir(const char *prefix, const char *id);
char		*backup_key_data(const char *prefix, const char *id,
		     enum backup_format, enum codec_kind);
char		*backup_key_manifest(const char *prefix, const char *id);
char		*backup_key_verify(const char *prefix, const char *id,
		     int64_t epoch);

enum backup_key_kind {
	BKEY_FOREIGN,		/* not in chops' layout */
	BKEY_RESERVED,		/* under <prefix>_chops/ */
	BKEY_DATA,
	BKEY_MANIFEST,
	BKEY_VERIFY,
};

struct backup_key_info {
	enum backup_key_kind	 kind;
	char			*id;		/* data, manifest, verify */
	char			*table;		/* db.table */
	enum period_kind	 pkind;
	char			*period;
	enum backup_format	 format;	/* data */
	enum codec_kind		 codec;		/* data */
	int64_t			 verify_at;	/* verify: epoch seconds */
};

/* Classifies a key found under prefix; clear the info afterwards. */
enum backup_key_kind backup_key_parse(const char *prefix, const char *key,
		     struct backup_key_info *);
void		 backup_key_info_clear(struct backup_key_info *);

#endif

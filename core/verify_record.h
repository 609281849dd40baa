/*
 * The result of verifying a backup, stored next to it as
 * verify-<YYYYMMDDTHHMMSSZ>.json (doc/backup-format.md) so that every
 * operator sees it. A record names the object it checked by the SHA-256
 * its manifest gave: a record about an object that has since been replaced
 * (a forced backup) does not count for the new one.
 */
#ifndef CHOPS_VERIFY_RECORD_H
#define CHOPS_VERIFY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERIFY_RECORD_VERSION	1

enum verify_level {
	VERIFY_OBJECT,		/* exists, size, SHA-256 */
	VERIFY_RESTORE,		/* loaded into scratch, count and checksum */
};

const char	*verify_level_name(enum verify_level);	/* object restore */
int		 verify_level_parse(const char *, enum verify_level *);

struct verify_record {
	int			 version;
	char			*id;		/* the backup's */
	enum verify_level	 level;
	bool			 ok;
	char			*object_sha256;	/* from the manifest checked */
	bool			 has_counts;	/* rows, checksum computed */
	uint64_t		 rows;
	char			*checksum;	/* decimal, or NULL */
	uint64_t		 expected_rows;
	char			*expected_checksum;
	char			*error;		/* NULL when ok */
	int64_t			 verified_at;	/* epoch seconds */
	char			*verified_by;	/* user@host */
	char			*chops_version;
	int64_t			 duration_ms;
};

struct verify_record *verify_record_new(void);
void		 verify_record_free(struct verify_record *);
/* JSON text; NULL with *cause when a field is missing or invalid. */
char		*verify_record_serialize(const struct verify_record *,
		     char **cause);
/* Checks every field; errors name the key and the field. */
int		 verify_record_parse(const char *text, size_t len,
		     const char *key, struct verify_record **,
		     char **cause);

#endif

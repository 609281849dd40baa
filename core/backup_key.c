#include "backup_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "xmalloc.h"

static const char *format_names[] = { "native", "parquet" };
static const char *format_ch[] = { "Native", "Parquet" };

const char *
backup_format_name(enum backup_format f)
{
	return (size_t)f < 2 ? format_names[f] : "?";
}

const char *
backup_format_ch(enum backup_format f)
{
	return (size_t)f < 2 ? format_ch[f] : "?";
}

int
backup_format_parse(const char *s, enum backup_format *f)
{
	size_t	i;

	for (i = 0; i < 2; i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*f = (enum backup_format)i;
			return 0;
		}
	}
	return -1;
}

/* "db.table" with both parts identifiers. */
static bool
backup_table_valid(const char *s, size_t len)
{
	const char	*dot = memchr(s, '.', len);
	char		*db, *t;
	bool		 ok;

	if (dot == NULL)
		return false;
	db = xstrndup(s, (size_t)(dot - s));
	t = xstrndup(dot + 1, len - (size_t)(dot - s) - 1);
	ok = sql_ident_valid(db) && sql_ident_valid(t);
	free(db);
	free(t);
	return ok;
}

static bool
backup_period_valid(enum period_kind kind, const char *period)
{
	struct period_spec	spec;
	char			*cause = NULL;

	if (period_parse_id(kind, period, &spec, &cause) != 0) {
		free(cause);
		return false;
	}
	return true;
}

char *
backup_id_make(const char *table, enum period_kind kind, const char *period)
{
	if (!backup_table_valid(table, strlen(table)) ||
	    !backup_period_valid(kind, period))
		return NULL;
	return xasprintf("%s/%s/%s", table, period_kind_name(kind), period);
}

int
backup_id_parse(const char *id, char **table, enum period_kind *kind,
    char **period, char **cause)
{
	const char	*s1, *s2;
	char		*k;
	int		 bad;

	*table = *period = NULL;
	s1 = strchr(id, '/');
	s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
	if (s2 == NULL || strchr(s2 + 1, '/') != NULL) {
		*cause = xasprintf("'%s' is not a backup id (expected DB.TABLE/"
		    "KIND/PERIOD, e.g. otus.events/daily/2026-11-28)", id);
		return -1;
	}
	if (!backup_table_valid(id, (size_t)(s1 - id))) {
		*cause = xasprintf("backup id '%s': bad table (expected "
		    "DB.TABLE)", id);
		return -1;
	}
	k = xstrndup(s1 + 1, (size_t)(s2 - s1 - 1));
	bad = period_kind_parse(k, kind);
	free(k);
	if (bad != 0 || !backup_period_valid(*kind, s2 + 1)) {
		*cause = xasprintf("backup id '%s': bad %s (expected daily/"
		    "YYYY-MM-DD, weekly/YYYY-Www or adhoc/FROM_TO)", id,
		    bad != 0 ? "kind" : "period");
		return -1;
	}
	*table = xstrndup(id, (size_t)(s1 - id));
	*period = xstrdup(s2 + 1);
	return 0;
}

char *
backup_key_dir(const char *prefix, const char *id)
{
	return xasprintf("%s%s/", prefix, id);
}

char *
backup_key_data(const char *prefix, const char *id, enum backup_format f,
    enum codec_kind c)
{
	return xasprintf("%s%s/data.%s%s", prefix, id, backup_format_name(f),
	    codec_ext(c));
}

char *
backup_key_manifest(const char *prefix, const char *id)
{
	return xasprintf("%s%s/%s", prefix, id, BACKUP_MANIFEST_NAME);
}

char *
backup_key_verify(const char *prefix, const char *id, int64_t epoch)
{
	char	ts[24];

	period_fmt_compact(ts, sizeof ts, epoch);
	return xasprintf("%s%s/verify-%s.json", prefix, id, ts);
}

/* "data.native.zst" and friends. */
static int
backup_parse_data(const char *name, struct backup_key_info *info)
{
	static const enum codec_kind	codecs[] = { CODEC_NONE, CODEC_GZIP,
					    CODEC_ZSTD };
	char	want[32];
	size_t	f, c;

	for (f = 0; f < 2; f++) {
		for (c = 0; c < 3; c++) {
			snprintf(want, sizeof want, "data.%s%s",
			    format_names[f], codec_ext(codecs[c]));
			if (strcmp(name, want) != 0)
				continue;
			info->format = (enum backup_format)f;
			info->codec = codecs[c];
			return 0;
		}
	}
	return -1;
}

/* "verify-YYYYMMDDTHHMMSSZ.json" */
static int
backup_parse_verify(const char *name, struct backup_key_info *info)
{
	char	ts[17];
	size_t	len = strlen(name);

	if (len != strlen("verify-YYYYMMDDTHHMMSSZ.json") ||
	    strncmp(name, "verify-", 7) != 0 ||
	    strcmp(name + len - 5, ".json") != 0)
		return -1;
	memcpy(ts, name + 7, 16);
	ts[16] = '\0';
	return period_parse_compact(ts, &info->verify_at);
}

/* The file name inside a backup directory. */
static enum backup_key_kind
backup_file_kind(const char *name, struct backup_key_info *info)
{
	if (strcmp(name, BACKUP_MANIFEST_NAME) == 0)
		return BKEY_MANIFEST;
	if (backup_parse_data(name, info) == 0)
		return BKEY_DATA;
	if (backup_parse_verify(name, info) == 0)
		return BKEY_VERIFY;
	return BKEY_FOREIGN;
}

enum backup_key_kind
backup_key_parse(const char *prefix, const char *key,
    struct backup_key_info *info)
{
	const char	*rel, *slash;
	char		*id, *cause = NULL;

	memset(info, 0, sizeof *info);
	if (strncmp(key, prefix, strlen(prefix)) != 0)
		return BKEY_FOREIGN;
	rel = key + strlen(prefix);
	if (strncmp(rel, BACKUP_RESERVED, strlen(BACKUP_RESERVED)) == 0)
		return info->kind = BKEY_RESERVED;
	if ((slash = strrchr(rel, '/')) == NULL)
		return BKEY_FOREIGN;
	id = xstrndup(rel, (size_t)(slash - rel));
	if (backup_id_parse(id, &info->table, &info->pkind, &info->period,
	    &cause) != 0) {
		free(cause);
		free(id);
		return BKEY_FOREIGN;
	}
	info->kind = backup_file_kind(slash + 1, info);
	if (info->kind == BKEY_FOREIGN) {
		free(id);
		backup_key_info_clear(info);
		return BKEY_FOREIGN;
	}
	info->id = id;
	return info->kind;
}

void
backup_key_info_clear(struct backup_key_info *info)
{
	free(info->id);
	free(info->table);
	free(info->period);
	memset(info, 0, sizeof *info);
}

/* Lock records: their JSON form, their description, their keys. */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backup_key.h"
#include "period.h"
#include "s3.h"
#include "sql.h"
#include "xmalloc.h"

#define LOCK_RECORD_VERSION	1

void
lock_info_clear(struct lock_info *li)
{
	if (li == NULL)
		return;
	free(li->holder);
	free(li->operation);
	free(li->target);
	free(li->token);
	memset(li, 0, sizeof *li);
}

static void
lock_add_time(cJSON *o, const char *name, int64_t epoch)
{
	char	s[32];

	period_fmt_iso(s, sizeof s, epoch);
	cJSON_AddStringToObject(o, name, s);
}

char *
lock_info_json(const struct lock_info *li, int64_t refreshed_at)
{
	cJSON	*o = cJSON_CreateObject();
	char	*text;

	cJSON_AddNumberToObject(o, "version", LOCK_RECORD_VERSION);
	cJSON_AddStringToObject(o, "holder", li->holder);
	cJSON_AddNumberToObject(o, "pid", (double)li->pid);
	cJSON_AddStringToObject(o, "operation", li->operation);
	cJSON_AddStringToObject(o, "target", li->target);
	lock_add_time(o, "started_at", li->started_at);
	lock_add_time(o, "refreshed_at", refreshed_at);
	lock_add_time(o, "expires_at", li->expires_at);
	cJSON_AddStringToObject(o, "token", li->token);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

static int
lock_get_str(const cJSON *o, const char *name, char **out, char **cause)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || *v->valuestring == '\0') {
		*cause = xasprintf("field '%s' missing or not a string", name);
		return -1;
	}
	*out = xstrdup(v->valuestring);
	return 0;
}

static int
lock_get_time(const cJSON *o, const char *name, int64_t *out, char **cause)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || period_parse_iso(v->valuestring, out) != 0) {
		*cause = xasprintf("field '%s' is not a time "
		    "(YYYY-MM-DDTHH:MM:SSZ)", name);
		return -1;
	}
	return 0;
}

static int
lock_parse_fields(const cJSON *o, struct lock_info *li, char **cause)
{
	const cJSON	*pid;

	if (!cJSON_IsObject(o)) {
		*cause = xstrdup("not a JSON object");
		return -1;
	}
	if (lock_get_str(o, "holder", &li->holder, cause) != 0 ||
	    lock_get_str(o, "operation", &li->operation, cause) != 0 ||
	    lock_get_str(o, "target", &li->target, cause) != 0 ||
	    lock_get_str(o, "token", &li->token, cause) != 0 ||
	    lock_get_time(o, "started_at", &li->started_at, cause) != 0 ||
	    lock_get_time(o, "expires_at", &li->expires_at, cause) != 0)
		return -1;
	pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	if (!cJSON_IsNumber(pid)) {
		*cause = xstrdup("field 'pid' missing or not a number");
		return -1;
	}
	li->pid = (int64_t)pid->valuedouble;
	return 0;
}

int
lock_info_parse(const char *text, size_t len, struct lock_info *li,
    char **cause)
{
	cJSON	*o;
	int	 rc;

	memset(li, 0, sizeof *li);
	o = cJSON_ParseWithLength(text, len);
	if (o == NULL) {
		*cause = xstrdup("not JSON");
		return -1;
	}
	rc = lock_parse_fields(o, li, cause);
	cJSON_Delete(o);
	if (rc != 0)
		lock_info_clear(li);
	return rc;
}

/* "14m", "40s", "2h 05m" */
static void
lock_fmt_span(char *out, size_t size, int64_t s)
{
	if (s < 60)
		snprintf(out, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, size, "%lldm", (long long)(s / 60));
	else
		snprintf(out, size, "%lldh %02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
}

char *
lock_describe(const struct lock_info *li, int64_t now)
{
	char	since[32], span[32];

	period_fmt_iso(since, sizeof since, li->started_at);
	if (li->expires_at > now) {
		lock_fmt_span(span, sizeof span, li->expires_at - now);
		return xasprintf("locked by %s since %s (%s, pid %lld); "
		    "expires in %s", li->holder, since, li->operation,
		    (long long)li->pid, span);
	}
	lock_fmt_span(span, sizeof span, now - li->expires_at);
	return xasprintf("locked by %s since %s (%s, pid %lld); expired %s "
	    "ago", li->holder, since, li->operation, (long long)li->pid, span);
}

char *
lock_key_backup(struct s3_client *s3, const char *id)
{
	enum period_kind	 kind;
	char			*table, *period, *cause = NULL, *rel, *key;

	if (backup_id_parse(id, &table, &kind, &period, &cause) != 0) {
		free(cause);
		return NULL;
	}
	rel = xasprintf("%slocks/%s/%s/%s.lock", BACKUP_RESERVED, table,
	    period_kind_name(kind), period);
	key = s3_key(s3, rel);
	free(rel);
	free(table);
	free(period);
	return key;
}

char *
lock_key_table(struct s3_client *s3, const char *table)
{
	char	*db, *tbl, *cause = NULL, *rel, *key;

	if (sql_split_table(table, &db, &tbl, &cause) != 0) {
		free(cause);
		return NULL;
	}
	if (db == NULL) {
		free(tbl);
		return NULL;
	}
	rel = xasprintf("%slocks/%s.%s.lock", BACKUP_RESERVED, db, tbl);
	key = s3_key(s3, rel);
	free(rel);
	free(db);
	free(tbl);
	return key;
}

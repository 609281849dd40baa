#include "verify_record.h"

#include <stdlib.h>
#include <string.h>

#include "jfield.h"
#include "manifest.h"
#include "period.h"
#include "xmalloc.h"

static const char *level_names[] = { "object", "restore" };

const char *
verify_level_name(enum verify_level l)
{
	return (size_t)l < 2 ? level_names[l] : "?";
}

int
verify_level_parse(const char *s, enum verify_level *l)
{
	size_t	i;

	for (i = 0; i < 2; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*l = (enum verify_level)i;
			return 0;
		}
	}
	return -1;
}

struct verify_record *
verify_record_new(void)
{
	struct verify_record	*r;

	r = xcalloc(1, sizeof *r);
	r->version = VERIFY_RECORD_VERSION;
	return r;
}

void
verify_record_free(struct verify_record *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->object_sha256);
	free(r->checksum);
	free(r->expected_checksum);
	free(r->error);
	free(r->verified_by);
	free(r->chops_version);
	free(r);
}

static int
vr_validate(const struct verify_record *r, struct jfield *j)
{
	char	*table = NULL, *period = NULL, *cause = NULL;
	enum period_kind kind;

	if (r->version != VERIFY_RECORD_VERSION)
		return jfield_fail(j, "verify_version", "%d is not %d",
		    r->version, VERIFY_RECORD_VERSION);
	if (r->id == NULL || backup_id_parse(r->id, &table, &kind, &period,
	    &cause) != 0) {
		jfield_fail(j, "id", "%s", cause != NULL ? cause : "missing");
		free(cause);
		return -1;
	}
	free(table);
	free(period);
	if (!manifest_sha256_hex(r->object_sha256))
		return jfield_fail(j, "object_sha256", "expected 64 lowercase "
		    "hex digits");
	if (r->has_counts && (r->checksum == NULL ||
	    !manifest_decimal_u64(r->checksum)))
		return jfield_fail(j, "checksum", "expected a decimal string");
	if (r->expected_checksum == NULL ||
	    !manifest_decimal_u64(r->expected_checksum))
		return jfield_fail(j, "expected_checksum", "expected a decimal "
		    "string");
	if (!r->ok && (r->error == NULL || *r->error == '\0'))
		return jfield_fail(j, "error", "a failed verification must say "
		    "why");
	if (r->verified_by == NULL || *r->verified_by == '\0')
		return jfield_fail(j, "verified_by", "missing or empty");
	if (r->chops_version == NULL || *r->chops_version == '\0')
		return jfield_fail(j, "chops_version", "missing or empty");
	return 0;
}

char *
verify_record_serialize(const struct verify_record *r, char **cause)
{
	struct jfield	 j = { "verify record", r->id, NULL };
	cJSON		*o;
	char		*text, *out, t[24];

	if (vr_validate(r, &j) != 0) {
		*cause = j.cause;
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "verify_version", r->version);
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "level", verify_level_name(r->level));
	cJSON_AddBoolToObject(o, "ok", r->ok);
	cJSON_AddStringToObject(o, "object_sha256", r->object_sha256);
	if (r->has_counts) {
		cJSON_AddNumberToObject(o, "rows", (double)r->rows);
		cJSON_AddStringToObject(o, "checksum", r->checksum);
	} else {
		cJSON_AddNullToObject(o, "rows");
		cJSON_AddNullToObject(o, "checksum");
	}
	cJSON_AddNumberToObject(o, "expected_rows", (double)r->expected_rows);
	cJSON_AddStringToObject(o, "expected_checksum", r->expected_checksum);
	if (r->error != NULL)
		cJSON_AddStringToObject(o, "error", r->error);
	else
		cJSON_AddNullToObject(o, "error");
	period_fmt_iso(t, sizeof t, r->verified_at);
	cJSON_AddStringToObject(o, "verified_at", t);
	cJSON_AddStringToObject(o, "verified_by", r->verified_by);
	cJSON_AddStringToObject(o, "chops_version", r->chops_version);
	cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	out = xasprintf("%s\n", text);
	cJSON_free(text);
	return out;
}

static int
vr_read_counts(struct jfield *j, const cJSON *o, struct verify_record *r)
{
	const cJSON	*rows = cJSON_GetObjectItemCaseSensitive(o, "rows");
	int64_t		 v;

	if (rows != NULL && !cJSON_IsNull(rows)) {
		if (jfield_int(j, o, "rows", "rows", 0, &v) != 0 ||
		    jfield_str(j, o, "checksum", "checksum", &r->checksum) != 0)
			return -1;
		r->has_counts = true;
		r->rows = (uint64_t)v;
	}
	if (jfield_int(j, o, "expected_rows", "expected_rows", 0, &v) != 0)
		return -1;
	r->expected_rows = (uint64_t)v;
	return jfield_str(j, o, "expected_checksum", "expected_checksum",
	    &r->expected_checksum);
}

static int
vr_read(struct jfield *j, const cJSON *o, struct verify_record *r)
{
	char	*level = NULL, *when = NULL;
	int64_t	 v;
	int	 rc = -1;

	if (jfield_int(j, o, "verify_version", "verify_version", 0, &v) != 0)
		return -1;
	if (v > VERIFY_RECORD_VERSION)
		return jfield_fail(j, "verify_version", "version %lld was "
		    "written by a newer chops: upgrade chops", (long long)v);
	r->version = (int)v;
	if (jfield_str(j, o, "id", "id", &r->id) != 0 ||
	    jfield_str(j, o, "level", "level", &level) != 0)
		goto out;
	if (verify_level_parse(level, &r->level) != 0) {
		jfield_fail(j, "level", "'%s' is not object or restore", level);
		goto out;
	}
	if (jfield_bool(j, o, "ok", "ok", &r->ok) != 0 ||
	    jfield_str(j, o, "object_sha256", "object_sha256",
	    &r->object_sha256) != 0 || vr_read_counts(j, o, r) != 0 ||
	    jfield_str_null(j, o, "error", "error", &r->error) != 0 ||
	    jfield_str(j, o, "verified_at", "verified_at", &when) != 0 ||
	    jfield_str(j, o, "verified_by", "verified_by",
	    &r->verified_by) != 0 ||
	    jfield_str(j, o, "chops_version", "chops_version",
	    &r->chops_version) != 0 ||
	    jfield_int(j, o, "duration_ms", "duration_ms", 0,
	    &r->duration_ms) != 0)
		goto out;
	if (period_parse_iso(when, &r->verified_at) != 0)
		jfield_fail(j, "verified_at", "'%s' is not a UTC time", when);
	else
		rc = 0;
out:
	free(level);
	free(when);
	return rc;
}

int
verify_record_parse(const char *text, size_t len, const char *key,
    struct verify_record **out, char **cause)
{
	struct jfield		 j = { "verify record", key, NULL };
	struct verify_record	*r;
	cJSON			*o;

	*out = NULL;
	o = cJSON_ParseWithLength(text, len);
	if (o == NULL || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		*cause = xasprintf("verify record %s: not a JSON object",
		    key != NULL ? key : "(unnamed)");
		return -1;
	}
	r = verify_record_new();
	if (vr_read(&j, o, r) == 0)
		vr_validate(r, &j);
	cJSON_Delete(o);
	if (j.cause != NULL) {
		verify_record_free(r);
		*cause = j.cause;
		return -1;
	}
	*out = r;
	return 0;
}

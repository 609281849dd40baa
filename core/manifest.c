#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jfield.h"
#include "xmalloc.h"

struct manifest *
manifest_new(void)
{
	struct manifest	*m;

	m = xcalloc(1, sizeof *m);
	m->version = MANIFEST_VERSION;
	return m;
}

void
manifest_free(struct manifest *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n_columns; i++) {
		free(m->columns[i].name);
		free(m->columns[i].type);
	}
	free(m->columns);
	free(m->id);
	free(m->table);
	free(m->create_table);
	free(m->time_column);
	free(m->period);
	free(m->timezone);
	free(m->checksum);
	free(m->checksum_sql);
	free(m->key);
	free(m->sha256);
	free(m->etag);
	free(m->engine);
	free(m->created_by);
	free(m->clickhouse_version);
	free(m->chops_version);
	free(m);
}

void
manifest_add_column(struct manifest *m, const char *name, const char *type)
{
	m->columns = xreallocarray(m->columns, m->n_columns + 1,
	    sizeof *m->columns);
	m->columns[m->n_columns].name = xstrdup(name);
	m->columns[m->n_columns].type = xstrdup(type);
	m->n_columns++;
}

ssize_t
manifest_column(const struct manifest *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->n_columns; i++) {
		if (strcmp(m->columns[i].name, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

bool
manifest_decimal_u64(const char *s)
{
	unsigned long long	v = 0;
	const char		*p;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_MAX - (unsigned)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return true;
}

bool
manifest_sha256_hex(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != 64)
		return false;
	for (i = 0; i < 64; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return false;
	}
	return true;
}

static bool
mf_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* ---------------------------------------------------------------- validate */

static int
mf_check_strings(const struct manifest *m, struct jfield *j)
{
	static const struct {
		const char	*field;
		size_t		 off;
	} req[] = {
		{ "create_table", offsetof(struct manifest, create_table) },
		{ "range.timezone", offsetof(struct manifest, timezone) },
		{ "checksum.sql", offsetof(struct manifest, checksum_sql) },
		{ "object.key", offsetof(struct manifest, key) },
		{ "created_by", offsetof(struct manifest, created_by) },
		{ "clickhouse_version",
		  offsetof(struct manifest, clickhouse_version) },
		{ "chops_version", offsetof(struct manifest, chops_version) },
	};
	size_t	i;

	for (i = 0; i < sizeof req / sizeof *req; i++) {
		if (mf_empty(*(char *const *)((const char *)m + req[i].off)))
			return jfield_fail(j, req[i].field, "missing or empty");
	}
	if (m->etag == NULL)
		return jfield_fail(j, "object.etag", "missing");
	return 0;
}

static int
mf_check_id(const struct manifest *m, struct jfield *j)
{
	enum period_kind	 kind;
	char			*table, *period, *cause = NULL;
	int			 rc = 0;

	if (mf_empty(m->id))
		return jfield_fail(j, "id", "missing or empty");
	if (backup_id_parse(m->id, &table, &kind, &period, &cause) != 0) {
		jfield_fail(j, "id", "%s", cause);
		free(cause);
		return -1;
	}
	if (mf_empty(m->table) || strcmp(table, m->table) != 0)
		rc = jfield_fail(j, "table", "'%s' does not match the id '%s'",
		    m->table != NULL ? m->table : "", m->id);
	else if (kind != m->kind)
		rc = jfield_fail(j, "range.kind", "'%s' does not match the id "
		    "'%s'", period_kind_name(m->kind), m->id);
	else if (mf_empty(m->period) || strcmp(period, m->period) != 0)
		rc = jfield_fail(j, "range.period", "'%s' does not match the "
		    "id '%s'", m->period != NULL ? m->period : "", m->id);
	free(table);
	free(period);
	return rc;
}

static int
mf_check_columns(const struct manifest *m, struct jfield *j)
{
	char	field[48];
	size_t	i;

	if (m->n_columns == 0)
		return jfield_fail(j, "columns", "no columns");
	for (i = 0; i < m->n_columns; i++) {
		snprintf(field, sizeof field, "columns[%zu]", i);
		if (mf_empty(m->columns[i].name))
			return jfield_fail(j, field, "empty name");
		if (mf_empty(m->columns[i].type))
			return jfield_fail(j, field, "empty type");
	}
	if (mf_empty(m->time_column))
		return jfield_fail(j, "time_column", "missing or empty");
	if (manifest_column(m, m->time_column) < 0)
		return jfield_fail(j, "time_column", "'%s' is not one of the "
		    "columns", m->time_column);
	return 0;
}

static int
mf_check_range(const struct manifest *m, struct jfield *j)
{
	char	a[24], b[24], want[PERIOD_ID_MAX];

	if (m->from >= m->to)
		return jfield_fail(j, "range.to", "%lld is not after "
		    "range.from %lld", (long long)m->to, (long long)m->from);
	if (m->kind != PERIOD_ADHOC)
		return 0;
	period_fmt_compact(a, sizeof a, m->from);
	period_fmt_compact(b, sizeof b, m->to);
	snprintf(want, sizeof want, "%s_%s", a, b);
	if (strcmp(want, m->period) != 0)
		return jfield_fail(j, "range.period", "'%s' does not match "
		    "range.from and range.to (%s)", m->period, want);
	return 0;
}

static int
mf_check_object(const struct manifest *m, struct jfield *j)
{
	char	*want;
	size_t	 klen, wlen;
	int	 rc = 0;

	if (m->checksum == NULL || !manifest_decimal_u64(m->checksum))
		return jfield_fail(j, "checksum.sum_cityhash64", "expected an "
		    "unsigned 64-bit decimal string");
	if (!manifest_sha256_hex(m->sha256))
		return jfield_fail(j, "object.sha256", "expected 64 lowercase "
		    "hex digits");
	if (mf_empty(m->engine) || (strcmp(m->engine, "stream") != 0 &&
	    strcmp(m->engine, "server") != 0))
		return jfield_fail(j, "engine", "expected stream or server");
	/* the key ends with the id and the data name of the format */
	want = backup_key_data("", m->id, m->format, m->compression);
	klen = strlen(m->key);
	wlen = strlen(want);
	if (klen < wlen || strcmp(m->key + klen - wlen, want) != 0 ||
	    (klen > wlen && m->key[klen - wlen - 1] != '/'))
		rc = jfield_fail(j, "object.key", "'%s' is not the data object "
		    "of %s (expected it to end with '%s')", m->key, m->id,
		    want);
	free(want);
	return rc;
}

int
manifest_validate(const struct manifest *m, const char *key, char **cause)
{
	struct jfield	j = { "manifest", key, NULL };

	if (m->version != MANIFEST_VERSION)
		jfield_fail(&j, "manifest_version", "%d is not %d", m->version,
		    MANIFEST_VERSION);
	else if (mf_check_id(m, &j) == 0 && mf_check_strings(m, &j) == 0 &&
	    mf_check_columns(m, &j) == 0 && mf_check_range(m, &j) == 0)
		mf_check_object(m, &j);
	if (j.cause == NULL)
		return 0;
	*cause = j.cause;
	return -1;
}

/* ---------------------------------------------------------------- write */

static cJSON *
mf_range_json(const struct manifest *m)
{
	cJSON	*r = cJSON_CreateObject();
	char	 t[24];

	cJSON_AddStringToObject(r, "kind", period_kind_name(m->kind));
	cJSON_AddStringToObject(r, "period", m->period);
	cJSON_AddStringToObject(r, "timezone", m->timezone);
	cJSON_AddNumberToObject(r, "from", (double)m->from);
	cJSON_AddNumberToObject(r, "to", (double)m->to);
	period_fmt_iso(t, sizeof t, m->from);
	cJSON_AddStringToObject(r, "from_utc", t);
	period_fmt_iso(t, sizeof t, m->to);
	cJSON_AddStringToObject(r, "to_utc", t);
	return r;
}

static cJSON *
mf_object_json(const struct manifest *m)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "key", m->key);
	cJSON_AddNumberToObject(o, "size", (double)m->size);
	cJSON_AddStringToObject(o, "sha256", m->sha256);
	cJSON_AddStringToObject(o, "etag", m->etag);
	cJSON_AddStringToObject(o, "format", backup_format_name(m->format));
	cJSON_AddStringToObject(o, "compression", codec_name(m->compression));
	return o;
}

static cJSON *
mf_checksum_json(const struct manifest *m)
{
	cJSON	*c = cJSON_CreateObject();
	char	 n[24];

	snprintf(n, sizeof n, "%llu", (unsigned long long)m->rows);
	cJSON_AddStringToObject(c, "count", n);
	cJSON_AddStringToObject(c, "sum_cityhash64", m->checksum);
	cJSON_AddStringToObject(c, "sql", m->checksum_sql);
	return c;
}

static cJSON *
mf_to_json(const struct manifest *m)
{
	cJSON	*root = cJSON_CreateObject(), *cols, *c;
	char	 t[24];
	size_t	 i;

	cJSON_AddNumberToObject(root, "manifest_version", m->version);
	cJSON_AddStringToObject(root, "id", m->id);
	cJSON_AddStringToObject(root, "table", m->table);
	cols = cJSON_AddArrayToObject(root, "columns");
	for (i = 0; i < m->n_columns; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", m->columns[i].name);
		cJSON_AddStringToObject(c, "type", m->columns[i].type);
		cJSON_AddItemToArray(cols, c);
	}
	cJSON_AddStringToObject(root, "create_table", m->create_table);
	cJSON_AddStringToObject(root, "time_column", m->time_column);
	cJSON_AddItemToObject(root, "range", mf_range_json(m));
	cJSON_AddNumberToObject(root, "rows", (double)m->rows);
	cJSON_AddItemToObject(root, "checksum", mf_checksum_json(m));
	cJSON_AddItemToObject(root, "object", mf_object_json(m));
	cJSON_AddStringToObject(root, "engine", m->engine);
	period_fmt_iso(t, sizeof t, m->created_at);
	cJSON_AddStringToObject(root, "created_at", t);
	cJSON_AddStringToObject(root, "created_by", m->created_by);
	cJSON_AddStringToObject(root, "clickhouse_version",
	    m->clickhouse_version);
	cJSON_AddStringToObject(root, "chops_version", m->chops_version);
	return root;
}

char *
manifest_serialize(const struct manifest *m, char **cause)
{
	cJSON	*root;
	char	*text, *out;

	if (manifest_validate(m, m->key, cause) != 0)
		return NULL;
	if ((double)m->rows > JFIELD_INT_MAX ||
	    (double)m->size > JFIELD_INT_MAX) {
		*cause = xstrdup("manifest: a count is too large for JSON");
		return NULL;
	}
	root = mf_to_json(m);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	out = xasprintf("%s\n", text);
	cJSON_free(text);
	return out;
}

/* ---------------------------------------------------------------- read */

static int
mf_enum(struct jfield *j, const cJSON *obj, const char *path,
    const char *name, int (*parse)(const char *, void *), void *out,
    const char *expected)
{
	char	*s = NULL;
	int	 rc;

	if (jfield_str(j, obj, path, name, &s) != 0)
		return -1;
	rc = parse(s, out);
	if (rc != 0)
		jfield_fail(j, path, "'%s' is not %s", s, expected);
	free(s);
	return rc != 0 ? -1 : 0;
}

static int
mf_parse_kind(const char *s, void *out)
{
	return period_kind_parse(s, out);
}

static int
mf_parse_format(const char *s, void *out)
{
	return backup_format_parse(s, out);
}

static int
mf_parse_codec(const char *s, void *out)
{
	return codec_parse(s, out);
}

static int
mf_read_columns(struct jfield *j, const cJSON *root, struct manifest *m)
{
	const cJSON	*cols, *c;
	char		 path[48], *name = NULL, *type = NULL;
	size_t		 i = 0;

	if ((cols = jfield_get(j, root, "columns", "columns")) == NULL)
		return -1;
	if (!cJSON_IsArray(cols))
		return jfield_fail(j, "columns", "expected an array");
	cJSON_ArrayForEach(c, cols) {
		snprintf(path, sizeof path, "columns[%zu]", i++);
		if (!cJSON_IsObject(c))
			return jfield_fail(j, path, "expected an object");
		snprintf(path, sizeof path, "columns[%zu].name", i - 1);
		if (jfield_str(j, c, path, "name", &name) != 0)
			break;
		snprintf(path, sizeof path, "columns[%zu].type", i - 1);
		if (jfield_str(j, c, path, "type", &type) != 0)
			break;
		manifest_add_column(m, name, type);
	}
	free(name);
	free(type);
	return j->cause != NULL ? -1 : 0;
}

static int
mf_read_range(struct jfield *j, const cJSON *root, struct manifest *m)
{
	const cJSON	*r;
	char		*from_utc = NULL, *to_utc = NULL, want[24];
	int		 rc = -1;

	if ((r = jfield_get(j, root, "range", "range")) == NULL)
		return -1;
	if (!cJSON_IsObject(r))
		return jfield_fail(j, "range", "expected an object");
	if (mf_enum(j, r, "range.kind", "kind", mf_parse_kind, &m->kind,
	    "daily, weekly or adhoc") != 0 ||
	    jfield_str(j, r, "range.period", "period", &m->period) != 0 ||
	    jfield_str(j, r, "range.timezone", "timezone", &m->timezone) != 0 ||
	    jfield_int(j, r, "range.from", "from", -JFIELD_INT_MAX,
	    &m->from) != 0 ||
	    jfield_int(j, r, "range.to", "to", -JFIELD_INT_MAX, &m->to) != 0 ||
	    jfield_str(j, r, "range.from_utc", "from_utc", &from_utc) != 0 ||
	    jfield_str(j, r, "range.to_utc", "to_utc", &to_utc) != 0)
		goto out;
	period_fmt_iso(want, sizeof want, m->from);
	if (strcmp(want, from_utc) != 0) {
		jfield_fail(j, "range.from_utc", "'%s' is not range.from (%s)",
		    from_utc, want);
		goto out;
	}
	period_fmt_iso(want, sizeof want, m->to);
	if (strcmp(want, to_utc) != 0) {
		jfield_fail(j, "range.to_utc", "'%s' is not range.to (%s)",
		    to_utc, want);
		goto out;
	}
	rc = 0;
out:
	free(from_utc);
	free(to_utc);
	return rc;
}

static int
mf_read_checksum(struct jfield *j, const cJSON *root, struct manifest *m)
{
	const cJSON	*c;
	char		*count = NULL, want[24];
	int		 rc = -1;

	if ((c = jfield_get(j, root, "checksum", "checksum")) == NULL)
		return -1;
	if (!cJSON_IsObject(c))
		return jfield_fail(j, "checksum", "expected an object");
	if (jfield_str(j, c, "checksum.count", "count", &count) != 0 ||
	    jfield_str(j, c, "checksum.sum_cityhash64", "sum_cityhash64",
	    &m->checksum) != 0 ||
	    jfield_str(j, c, "checksum.sql", "sql", &m->checksum_sql) != 0)
		goto out;
	snprintf(want, sizeof want, "%llu", (unsigned long long)m->rows);
	if (!manifest_decimal_u64(count))
		jfield_fail(j, "checksum.count", "expected a decimal string");
	else if (strcmp(count, want) != 0)
		jfield_fail(j, "checksum.count", "%s is not rows (%s)", count,
		    want);
	else
		rc = 0;
out:
	free(count);
	return rc;
}

static int
mf_read_object(struct jfield *j, const cJSON *root, struct manifest *m)
{
	const cJSON	*o;
	int64_t		 size;

	if ((o = jfield_get(j, root, "object", "object")) == NULL)
		return -1;
	if (!cJSON_IsObject(o))
		return jfield_fail(j, "object", "expected an object");
	if (jfield_str(j, o, "object.key", "key", &m->key) != 0 ||
	    jfield_int(j, o, "object.size", "size", 0, &size) != 0 ||
	    jfield_str(j, o, "object.sha256", "sha256", &m->sha256) != 0 ||
	    jfield_str(j, o, "object.etag", "etag", &m->etag) != 0 ||
	    mf_enum(j, o, "object.format", "format", mf_parse_format,
	    &m->format, "native or parquet") != 0 ||
	    mf_enum(j, o, "object.compression", "compression",
	    mf_parse_codec, &m->compression, "zstd, gzip or none") != 0)
		return -1;
	m->size = (uint64_t)size;
	return 0;
}

static int
mf_read_top(struct jfield *j, const cJSON *root, struct manifest *m)
{
	char	*created = NULL;
	int64_t	 v;
	int	 rc;

	if (jfield_int(j, root, "manifest_version", "manifest_version", 0,
	    &v) != 0)
		return -1;
	if (v > MANIFEST_VERSION)
		return jfield_fail(j, "manifest_version", "version %lld was "
		    "written by a newer chops (this one reads version %d): "
		    "upgrade chops", (long long)v, MANIFEST_VERSION);
	m->version = (int)v;
	if (jfield_str(j, root, "id", "id", &m->id) != 0 ||
	    jfield_str(j, root, "table", "table", &m->table) != 0 ||
	    jfield_str(j, root, "create_table", "create_table",
	    &m->create_table) != 0 ||
	    jfield_str(j, root, "time_column", "time_column",
	    &m->time_column) != 0 ||
	    jfield_int(j, root, "rows", "rows", 0, &v) != 0)
		return -1;
	m->rows = (uint64_t)v;
	if (jfield_str(j, root, "engine", "engine", &m->engine) != 0 ||
	    jfield_str(j, root, "created_at", "created_at", &created) != 0 ||
	    jfield_str(j, root, "created_by", "created_by",
	    &m->created_by) != 0 ||
	    jfield_str(j, root, "clickhouse_version", "clickhouse_version",
	    &m->clickhouse_version) != 0 ||
	    jfield_str(j, root, "chops_version", "chops_version",
	    &m->chops_version) != 0) {
		free(created);
		return -1;
	}
	rc = period_parse_iso(created, &m->created_at);
	if (rc != 0)
		jfield_fail(j, "created_at", "'%s' is not a UTC time "
		    "(YYYY-MM-DDTHH:MM:SSZ)", created);
	free(created);
	return rc;
}

int
manifest_parse(const char *text, size_t len, const char *key,
    struct manifest **out, char **cause)
{
	struct jfield	 j = { "manifest", key, NULL };
	struct manifest	*m;
	cJSON		*root;
	const char	*end = NULL;

	*out = NULL;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL || !cJSON_IsObject(root)) {
		*cause = xasprintf("manifest %s: not a JSON object%s",
		    key != NULL ? key : "(unnamed)", root == NULL ?
		    " (malformed JSON)" : "");
		cJSON_Delete(root);
		return -1;
	}
	m = manifest_new();
	if (mf_read_top(&j, root, m) == 0 &&
	    mf_read_columns(&j, root, m) == 0 &&
	    mf_read_range(&j, root, m) == 0 &&
	    mf_read_checksum(&j, root, m) == 0 &&
	    mf_read_object(&j, root, m) == 0)
		manifest_validate(m, key, &j.cause);
	cJSON_Delete(root);
	if (j.cause != NULL) {
		manifest_free(m);
		*cause = j.cause;
		return -1;
	}
	*out = m;
	return 0;
}

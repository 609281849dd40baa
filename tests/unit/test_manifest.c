/* Manifests: write, read back, and refuse every kind of damage clearly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "manifest.h"
#include "xmalloc.h"

#define KEY	"chops/otus.events/daily/2026-11-28/manifest.json"
#define SHA	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static struct manifest *
sample(void)
{
	struct manifest	*m = manifest_new();

	m->id = xstrdup("otus.events/daily/2026-11-28");
	m->table = xstrdup("otus.events");
	manifest_add_column(m, "ts", "DateTime");
	manifest_add_column(m, "we`ird\n\"name\"", "Nullable(String)");
	manifest_add_column(m, "v", "Array(Decimal(18, 4))");
	m->create_table = xstrdup("CREATE TABLE otus.events (ts DateTime) "
	    "ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY ts");
	m->time_column = xstrdup("ts");
	m->kind = PERIOD_DAILY;
	m->period = xstrdup("2026-11-28");
	m->timezone = xstrdup("Europe/Moscow");
	m->from = 1795813200;
	m->to = 1795899600;
	m->rows = 1234567;
	m->checksum = xstrdup("18446744073709551615");
	m->checksum_sql = xstrdup("SELECT count(), sum(cityHash64(`ts`)) "
	    "FROM `otus`.`events` WHERE `ts` >= toDateTime(1795813200) AND "
	    "`ts` < toDateTime(1795899600)");
	m->key = xstrdup("chops/otus.events/daily/2026-11-28/data.native.zst");
	m->size = 999999999999999ULL;
	m->sha256 = xstrdup(SHA);
	m->etag = xstrdup("d41d8cd98f00b204e9800998ecf8427e-3");
	m->format = BACKUP_NATIVE;
	m->compression = CODEC_ZSTD;
	m->engine = xstrdup("stream");
	m->created_at = 1795921212;
	m->created_by = xstrdup("airflow@worker-1");
	m->clickhouse_version = xstrdup("18.16.1");
	m->chops_version = xstrdup("0.1.0");
	return m;
}

static void
test_roundtrip(void **state)
{
	struct manifest	*m = sample(), *r = NULL;
	char		*text, *again, *cause = NULL;

	text = manifest_serialize(m, &cause);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"manifest_version\":\t1"));
	assert_non_null(strstr(text,
	    "\"created_at\":\t\"2026-11-29T03:00:12Z\""));
	assert_non_null(strstr(text,
	    "\"from_utc\":\t\"2026-11-27T21:00:00Z\""));
	assert_non_null(strstr(text, "\"count\":\t\"1234567\""));
	assert_int_equal(manifest_parse(text, strlen(text), KEY, &r, &cause),
	    0);
	assert_string_equal(r->id, m->id);
	assert_int_equal(r->n_columns, 3);
	assert_string_equal(r->columns[1].name, "we`ird\n\"name\"");
	assert_string_equal(r->columns[2].type, "Array(Decimal(18, 4))");
	assert_int_equal(r->from, m->from);
	assert_int_equal(r->to, m->to);
	assert_int_equal(r->rows, 1234567);
	assert_string_equal(r->checksum, "18446744073709551615");
	assert_int_equal(r->size, 999999999999999ULL);
	assert_int_equal(r->format, BACKUP_NATIVE);
	assert_int_equal(r->compression, CODEC_ZSTD);
	assert_int_equal(r->created_at, 1795921212);
	assert_int_equal(manifest_column(r, "v"), 2);
	assert_int_equal(manifest_column(r, "nope"), -1);
	/* a second trip gives the same bytes */
	again = manifest_serialize(r, &cause);
	assert_string_equal(again, text);
	free(again);
	free(text);
	manifest_free(r);
	manifest_free(m);
}

/* Sets (or with NULL removes) a member given as "a.b" in a JSON tree. */
static void
set_path(cJSON *root, const char *path, cJSON *value)
{
	char	*p = xstrdup(path), *dot;
	cJSON	*obj = root;

	while ((dot = strchr(p, '.')) != NULL) {
		*dot = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, p);
		memmove(p, dot + 1, strlen(dot + 1) + 1);
	}
	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, p);
	else if (cJSON_GetObjectItemCaseSensitive(obj, p) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, p, value);
	else
		cJSON_AddItemToObject(obj, p, value);
	free(p);
}

static const struct {
	const char	*path;
	const char	*json;		/* NULL: remove the member */
	const char	*expect;	/* in the error */
} damage[] = {
	{ "manifest_version", "2", "field 'manifest_version': version 2 was "
	  "written by a newer chops" },
	{ "manifest_version", "0", "field 'manifest_version': 0 is not 1" },
	{ "manifest_version", "\"1\"", "field 'manifest_version': expected an "
	  "integer" },
	{ "id", NULL, "field 'id': missing" },
	{ "id", "\"otus.events/daily/2026-11-29\"", "field 'range.period'" },
	{ "id", "\"otus.events/hourly/2026-11-28\"", "field 'id': backup id "
	  "'otus.events/hourly/2026-11-28': bad kind" },
	{ "table", "\"otus.other\"", "field 'table': 'otus.other' does not "
	  "match" },
	{ "columns", "[]", "field 'columns': no columns" },
	{ "columns", "{}", "field 'columns': expected an array" },
	{ "columns", "[{\"name\": \"ts\"}]", "field 'columns[0].type': "
	  "missing" },
	{ "columns", "[{\"name\": \"ts\", \"type\": \"\"}]", "field "
	  "'columns[0]': empty type" },
	{ "columns", "[\"ts\"]", "field 'columns[0]': expected an object" },
	{ "columns", "[{\"name\": \"x\", \"type\": \"Int8\"}]",
	  "field 'time_column': 'ts' is not one of the columns" },
	{ "create_table", "\"\"", "field 'create_table': missing or empty" },
	{ "time_column", "7", "field 'time_column': expected a string" },
	{ "range", "[]", "field 'range': expected an object" },
	{ "range.kind", "\"weekly\"", "field 'range.kind': 'weekly' does not "
	  "match" },
	{ "range.kind", "\"hourly\"", "field 'range.kind': 'hourly' is not "
	  "daily, weekly or adhoc" },
	{ "range.from", "\"1795813200\"", "field 'range.from': expected an "
	  "integer" },
	{ "range.from", "1795813200.5", "field 'range.from': expected an "
	  "integer" },
	{ "range.to", "1795813200", "field 'range.to_utc'" },
	{ "range.to_utc", "\"2026-11-28T21:00:01Z\"", "field 'range.to_utc'" },
	{ "range.timezone", NULL, "field 'range.timezone': missing" },
	{ "rows", "-1", "field 'rows': expected an integer >= 0" },
	{ "rows", "1e300", "field 'rows': expected an integer >= 0" },
	{ "rows", "1e15", "field 'rows': expected an integer >= 0" },
	{ "rows", "5", "field 'checksum.count': 1234567 is not rows (5)" },
	{ "checksum.count", "1234567", "field 'checksum.count': expected a "
	  "string" },
	{ "checksum.count", "\"01234567\"", "field 'checksum.count': expected "
	  "a decimal string" },
	{ "checksum.sum_cityhash64", "\"18446744073709551616\"",
	  "field 'checksum.sum_cityhash64': expected an unsigned 64-bit" },
	{ "checksum.sum_cityhash64", "\"-1\"", "field "
	  "'checksum.sum_cityhash64'" },
	{ "checksum.sql", "\"\"", "field 'checksum.sql': missing or empty" },
	{ "object.key", "\"chops/otus.events/daily/2026-11-28/data.native\"",
	  "field 'object.key': 'chops/otus.events/daily/2026-11-28/"
	  "data.native' is not the data object" },
	{ "object.key", "\"chops/xotus.events/daily/2026-11-28/"
	  "data.native.zst\"", "field 'object.key'" },
	{ "object.size", "-5", "field 'object.size': expected an integer "
	  ">= 0" },
	{ "object.sha256", "\"0123\"", "field 'object.sha256': expected 64 "
	  "lowercase hex digits" },
	{ "object.sha256", "\"0123456789ABCDEF0123456789abcdef0123456789abcdef"
	  "0123456789abcdef\"", "field 'object.sha256'" },
	{ "object.etag", NULL, "field 'object.etag': missing" },
	{ "object.format", "\"csv\"", "field 'object.format': 'csv' is not "
	  "native or parquet" },
	{ "object.compression", "\"gzip\"", "field 'object.key'" },
	{ "object.compression", "\"lz4\"", "field 'object.compression'" },
	{ "engine", "\"rsync\"", "field 'engine': expected stream or server" },
	{ "created_at", "\"2026-11-29 03:00:12\"", "field 'created_at': "
	  "'2026-11-29 03:00:12' is not a UTC time" },
	{ "created_by", "null", "field 'created_by': missing" },
	{ "clickhouse_version", "\"\"", "field 'clickhouse_version'" },
	{ "chops_version", NULL, "field 'chops_version': missing" },
};

static void
test_damage(void **state)
{
	struct manifest	*m = sample(), *r;
	cJSON		*root;
	char		*text, *bad, *cause;
	size_t		 i;

	text = manifest_serialize(m, &cause);
	for (i = 0; i < sizeof damage / sizeof *damage; i++) {
		root = cJSON_Parse(text);
		set_path(root, damage[i].path, damage[i].json != NULL ?
		    cJSON_Parse(damage[i].json) : NULL);
		bad = cJSON_PrintUnformatted(root);
		cJSON_Delete(root);
		cause = NULL;
		r = NULL;
		if (manifest_parse(bad, strlen(bad), KEY, &r, &cause) == 0)
			fail_msg("%s = %s: accepted", damage[i].path,
			    damage[i].json != NULL ? damage[i].json : "(none)");
		assert_null(r);
		if (strstr(cause, damage[i].expect) == NULL ||
		    strncmp(cause, "manifest " KEY ": ", strlen(KEY) + 11) != 0)
			fail_msg("%s: got \"%s\"", damage[i].path, cause);
		free(cause);
		free(bad);
	}
	free(text);
	manifest_free(m);
}

static void
test_not_json(void **state)
{
	struct manifest	*r;
	char		*cause = NULL;

	assert_int_equal(manifest_parse("{\"manifest_version\": 1", 22, KEY, &r,
	    &cause), -1);
	assert_string_equal(cause, "manifest " KEY ": not a JSON object "
	    "(malformed JSON)");
	free(cause);
	assert_int_equal(manifest_parse("[1]", 3, NULL, &r, &cause), -1);
	assert_string_equal(cause, "manifest (unnamed): not a JSON object");
	free(cause);
	/* length-bounded: no reading past the buffer */
	assert_int_equal(manifest_parse("{}garbage", 2, KEY, &r, &cause), -1);
	assert_non_null(strstr(cause, "field 'manifest_version': missing"));
	free(cause);
}

static void
test_adhoc_and_unknown_fields(void **state)
{
	struct manifest	*m = sample(), *r = NULL;
	cJSON		*root;
	char		*text, *more, *cause = NULL;

	free(m->id);
	free(m->period);
	free(m->key);
	m->kind = PERIOD_ADHOC;
	m->period = xstrdup("20261127T210000Z_20261128T210000Z");
	m->id = xstrdup("otus.events/adhoc/20261127T210000Z_20261128T210000Z");
	m->key = xstrdup("otus.events/adhoc/20261127T210000Z_20261128T210000Z/"
	    "data.parquet");
	m->format = BACKUP_PARQUET;
	m->compression = CODEC_NONE;
	text = manifest_serialize(m, &cause);
	assert_non_null(text);
	/* later versions may add fields: ignored */
	root = cJSON_Parse(text);
	cJSON_AddStringToObject(root, "future", "x");
	more = cJSON_Print(root);
	cJSON_Delete(root);
	assert_int_equal(manifest_parse(more, strlen(more), KEY, &r, &cause),
	    0);
	manifest_free(r);
	free(more);
	free(text);
	/* an empty range */
	m->to = m->from;
	assert_null(manifest_serialize(m, &cause));
	assert_non_null(strstr(cause, "field 'range.to': 1795813200 is not "
	    "after range.from 1795813200"));
	free(cause);
	/* the adhoc period must match the range */
	m->to = 1795899601;
	assert_null(manifest_serialize(m, &cause));
	assert_non_null(strstr(cause, "field 'range.period'"));
	free(cause);
	manifest_free(m);
}

static void
test_helpers(void **state)
{
	assert_true(manifest_decimal_u64("0"));
	assert_true(manifest_decimal_u64("18446744073709551615"));
	assert_false(manifest_decimal_u64("18446744073709551616"));
	assert_false(manifest_decimal_u64(""));
	assert_false(manifest_decimal_u64("00"));
	assert_false(manifest_decimal_u64("+1"));
	assert_false(manifest_decimal_u64("1 "));
	assert_true(manifest_sha256_hex(SHA));
	assert_false(manifest_sha256_hex(SHA "0"));
	assert_false(manifest_sha256_hex(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_adhoc_and_unknown_fields),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
